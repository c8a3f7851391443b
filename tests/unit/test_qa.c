/* qa.c: the checks on security questions and answers an administrator
 * enters, the QUESTION<TAB>ANSWER input, the joined request fields and the
 * pool file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "common/qa.h"
#include "common/util.h"
#include "tests/unit/suites.h"

static char *const pool[] = {
    "What was the name of your first pet?",
    "In which town were you born?",
    "What was your first car?",
    NULL,
};

static const struct qa_rules closed = {.pool = pool, .custom = false, .count = 3, .min_length = 3};
static const struct qa_rules open3 = {.pool = pool, .custom = true, .count = 3, .min_length = 3};

static char msg[256];

static int parse(const struct qa_rules *r, const char *text, struct qa_set *s)
{
	msg[0] = '\0';
	return qa_parse(r, text, strlen(text), s, msg, sizeof(msg));
}

START_TEST(test_same_folds_case_and_space)
{
	ck_assert(qa_same("  Ford   Fiesta ", "ford fiesta"));
	ck_assert(qa_same("Ford\tFiesta", "FORD FIESTA"));
	/* Beyond ASCII too (C.UTF-8). */
	ck_assert(qa_same("ÄRGER Über", "ärger über"));
	ck_assert(!qa_same("Ford Fiesta", "FordFiesta"));
	ck_assert(!qa_same("Rex", "Rexx"));
}
END_TEST

START_TEST(test_parse_valid)
{
	struct qa_set s = {0};
	/* Pool questions in any case, CRLF, blank lines, spaces around. */
	ck_assert_int_eq(parse(&closed,
			       "what was the name of your FIRST pet?\tRex the dog\r\n"
			       "\n"
			       "  In which town were you born?\t Springfield\n"
			       "   \n"
			       "What was your first car?\tFord Fiesta",
			       &s),
			 0);
	ck_assert_uint_eq(s.n, 3);
	ck_assert_str_eq(s.question[0], pool[0]); /* the pool's own wording */
	ck_assert_str_eq(s.question[1], pool[1]);
	ck_assert_str_eq(s.answer[0], "Rex the dog");
	ck_assert_str_eq(s.answer[1], " Springfield");
	ck_assert_str_eq(s.answer[2], "Ford Fiesta");

	char *q = NULL, *a = NULL;
	ck_assert_int_eq(qa_join(&s, false, &q), 0);
	ck_assert_int_eq(qa_join(&s, true, &a), 0);
	ck_assert_str_eq(q, "What was the name of your first pet?\nIn which town were you "
			    "born?\nWhat was your first car?");
	ck_assert_str_eq(a, "Rex the dog\n Springfield\nFord Fiesta");
	free(q);
	secret_free(a);
	qa_set_clear(&s);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.answer[0]);
}
END_TEST

START_TEST(test_parse_custom)
{
	struct qa_set s = {0};
	ck_assert_int_eq(parse(&open3,
			       "Favourite teacher?\tKrabappel\n"
			       "In which town were you born?\tSpringfield\n"
			       "Name of the street you grew up in?\tEvergreen Terrace\n",
			       &s),
			 0);
	ck_assert_str_eq(s.question[0], "Favourite teacher?");
	qa_set_clear(&s);
	ck_assert_int_eq(parse(&closed, "Favourite teacher?\tKrabappel\n", &s), -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "line 1: not a question of the pool"));
}
END_TEST

static void parse_fails(const struct qa_rules *r, const char *text, const char *want)
{
	struct qa_set s = {0};
	ck_assert_int_eq(parse(r, text, &s), -EINVAL);
	ck_assert_msg(strstr(msg, want), "message \"%s\" lacks \"%s\"", msg, want);
	/* Nothing half-parsed is left behind. */
	ck_assert_uint_eq(s.n, 0);
	ck_assert_ptr_null(s.answer[0]);
}

START_TEST(test_parse_errors)
{
	parse_fails(&closed, "", "0 questions given, [questions] register asks for 3");
	parse_fails(&closed,
		    "In which town were you born?\tSpringfield\n"
		    "What was your first car?\tFiesta\n",
		    "2 questions given");
	parse_fails(&open3,
		    "In which town were you born?\tSpringfield\n"
		    "What was your first car?\tFiesta\n"
		    "\n"
		    "What was the name of your first pet?\tRex\n"
		    "Favourite teacher?\tKrabappel\n",
		    "line 5: more than 3 questions");
	parse_fails(&closed, "\nIn which town were you born? Springfield\n",
		    "line 2: expected QUESTION<TAB>ANSWER");
	parse_fails(&closed, "In which town were you born?\tab\n",
		    "line 1: the answer is shorter than 3 characters");
	parse_fails(&closed, "In which town were you born?\t  IN which town were you BORN? \n",
		    "line 1: the answer repeats the question");
	parse_fails(&closed,
		    "In which town were you born?\tSpringfield\n"
		    "What was your first car?\tspringfield \n",
		    "line 2: the same answer as for question 1");
	parse_fails(&open3,
		    "In which town were you born?\tSpringfield\n"
		    "in which town were you born?\tShelbyville\n",
		    "line 2: the same question as question 1");
	parse_fails(&closed, "In which town were you born?\tSpring\tfield\n",
		    "line 1: an answer is text");
	parse_fails(&closed, "In which town were you born?\tSpring\033[2Jfield\n",
		    "line 1: an answer is text");
	parse_fails(&open3, "\tSpringfield\n", "line 1: the question is empty");
	struct qa_set s = {0};
	static const char nul[] = "In which town were you born?\tSpring\0field\n";
	ck_assert_int_eq(qa_parse(&closed, nul, sizeof(nul) - 1, &s, msg, sizeof(msg)), -EINVAL);
	ck_assert_str_eq(msg, "line 1: a NUL byte");
}
END_TEST

START_TEST(test_answer_length_in_characters)
{
	struct qa_set s = {0};
	const struct qa_rules r4 = {.pool = pool, .custom = true, .count = 1, .min_length = 4};
	/* Three characters in six bytes. */
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", "äöü", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", "äöüß", msg, sizeof(msg)), 0);
	/* Surrounding and repeated spaces do not count. */
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", "  a  b  ", msg, sizeof(msg)), -EINVAL);
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", " a  b c ", msg, sizeof(msg)), 0);
	char big[QA_ANSWER_MAX + 2];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", big, msg, sizeof(msg)), -EINVAL);
	big[QA_ANSWER_MAX] = '\0';
	ck_assert_int_eq(qa_check_answer(&r4, &s, "Q?", big, msg, sizeof(msg)), 0);
}
END_TEST

START_TEST(test_join_bounded)
{
	struct qa_set s = {0};
	char q[400];
	memset(q, 'q', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	/* Written past the checks: qa_join still keeps to the field limit. */
	for (int i = 0; i < QA_MAX; i++)
		ck_assert_int_eq(qa_add(&s, q, "answer"), 0);
	ck_assert_int_eq(qa_add(&s, q, "answer"), -E2BIG);
	char *out = (char *)1;
	ck_assert_int_eq(qa_join(&s, false, &out), -E2BIG);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(qa_join(&s, true, &out), 0);
	ck_assert_uint_eq(strlen(out), QA_MAX * 7 - 1);
	secret_free(out);
	qa_set_clear(&s);
}
END_TEST

START_TEST(test_pool_file)
{
	char **p = NULL;
	size_t n = 0;
	ck_assert_int_eq(qa_pool_add(&p, &n, "From the config?"), 0);
	ck_assert_int_eq(qa_pool_add_lines(&p, &n,
					   "# site questions\n"
					   "\n"
					   "  What was your first car?  \n"
					   "\t# indented comment\n"
					   "What is your oldest cousin’s first name?",
					   msg, sizeof(msg)),
			 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(p[0], "From the config?");
	ck_assert_str_eq(p[1], "What was your first car?");
	ck_assert_str_eq(p[2], "What is your oldest cousin’s first name?");
	ck_assert_ptr_null(p[3]);
	ck_assert_int_eq(qa_pool_add_lines(&p, &n, "ok?\nbad\033question\n", msg, sizeof(msg)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "line 2:"));
	qa_pool_free(p, n);

	/* Bounded. */
	p = NULL;
	n = 0;
	size_t len = (QA_POOL_MAX + 1) * 4;
	char *many = malloc(len + 1);
	ck_assert_ptr_nonnull(many);
	for (size_t i = 0; i < QA_POOL_MAX + 1; i++)
		memcpy(many + i * 4, "Q?\n\n", 4);
	many[len] = '\0';
	ck_assert_int_eq(qa_pool_add_lines(&p, &n, many, msg, sizeof(msg)), -E2BIG);
	ck_assert_uint_eq(n, QA_POOL_MAX);
	qa_pool_free(p, n);
	free(many);
}
END_TEST

Suite *qa_suite(void)
{
	Suite *s = suite_create("qa");
	TCase *tc = tcase_create("qa");
	tcase_add_test(tc, test_same_folds_case_and_space);
	tcase_add_test(tc, test_parse_valid);
	tcase_add_test(tc, test_parse_custom);
	tcase_add_test(tc, test_parse_errors);
	tcase_add_test(tc, test_answer_length_in_characters);
	tcase_add_test(tc, test_join_bounded);
	tcase_add_test(tc, test_pool_file);
	suite_add_tcase(s, tc);
	return s;
}
