/* Security questions: answer normalisation, argon2id hashes, the pool and
 * the draw of questions to ask, on a real store. */
#include <check.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/questions.h"
#include "tests/unit/suites.h"

static char dir[64];
static struct store *st;

static void setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	snprintf(dir, sizeof(dir), "/tmp/sspr-questions-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(store_open(dir, &st), 0);
}

static void teardown(void)
{
	store_close(st);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *norm(const char *in)
{
	static char out[512];
	int r = questions_normalize(in, out, sizeof(out));
	ck_assert_msg(r == 0, "normalising '%s': %d", in, r);
	return out;
}

static int norm_err(const char *in)
{
	char out[512];
	return questions_normalize(in, out, sizeof(out));
}

START_TEST(normalizes_case_width_and_spacing)
{
	ck_assert_str_eq(norm("  Fluffy   the CAT "), "fluffy the cat");
	ck_assert_str_eq(norm("Fluffy\tthe\t\tcat"), "fluffy the cat");
	/* Fullwidth letters (U+FF26...) become ASCII through NFKC. */
	ck_assert_str_eq(norm("\xef\xbc\xa6\xef\xbc\xac\xef\xbc\xb5\xef\xbc\xa6\xef\xbc\xa6\xef"
			      "\xbc\xb9"),
			 "fluffy");
	/* Full case folding: ß folds to ss. */
	ck_assert_str_eq(norm("Stra\xc3\x9f"
			      "e"),
			 "strasse");
	ck_assert_str_eq(norm("STRASSE"), "strasse");
	/* Unicode spaces: ideographic space, no-break space, em space. */
	ck_assert_str_eq(norm("\xe3\x80\x80"
			      "Fluffy\xc2\xa0the\xe2\x80\x83"
			      "cat\xe3\x80\x80"),
			 "fluffy the cat");
	/* Composed and decomposed é are one answer. */
	char a[512];
	snprintf(a, sizeof(a), "%s", norm("Caf\xc3\xa9"));
	ck_assert_str_eq(norm("CAFE\xcc\x81"), a);
	ck_assert_str_eq(a, "caf\xc3\xa9");
}
END_TEST

START_TEST(refuses_bad_answers)
{
	ck_assert_int_eq(norm_err(""), -EINVAL);
	ck_assert_int_eq(norm_err("   \t  "), -EINVAL);
	ck_assert_int_eq(norm_err("\xe3\x80\x80\xc2\xa0"), -EINVAL); /* only Unicode spaces */
	ck_assert_int_eq(norm_err("caf\xe9"), -EINVAL);		     /* Latin-1, not UTF-8 */
	ck_assert_int_eq(norm_err("\xc0\xaf"), -EINVAL);	     /* overlong '/' */
	ck_assert_int_eq(norm_err("\xed\xa0\x80"), -EINVAL);	     /* surrogate */
	ck_assert_int_eq(norm_err("ab\x01"
				  "c"),
			 -EINVAL);
	ck_assert_int_eq(norm_err("ab\ncd"), -EINVAL);
	ck_assert_int_eq(norm_err("ab\xc2\x85"
				  "cd"),
			 -EINVAL); /* C1 control NEL */
	char big[QUESTIONS_ANSWER_MAX + 2];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(norm_err(big), -E2BIG);
	big[QUESTIONS_ANSWER_MAX] = '\0';
	ck_assert_int_eq(norm_err(big), 0);
	/* NFKC expands U+FDFA to 18 characters: one is fine, forty no
	 * longer fit the bound on the normalised form. */
	char expand[3 * 40 + 1] = "";
	char *h = NULL;
	for (int i = 0; i < 40; i++)
		strcat(expand, "\xef\xb7\xba");
	ck_assert_int_eq(questions_hash(expand, &h), -E2BIG);
	ck_assert_ptr_null(h);
	ck_assert_uint_eq(strlen(norm("\xef\xb7\xba")), 33);
	/* The output buffer is bounded too, and wiped on failure. */
	char small[6];
	memset(small, 'x', sizeof(small));
	ck_assert_int_eq(questions_normalize("Fluffy the cat", small, sizeof(small)), -E2BIG);
	for (size_t i = 0; i < sizeof(small); i++)
		ck_assert_int_eq(small[i], 0);
	ck_assert_int_eq(questions_normalize("Fluffy", small, 7 - 1), -E2BIG);
	char exact[7];
	ck_assert_int_eq(questions_normalize("Fluffy", exact, sizeof(exact)), 0);
	ck_assert_str_eq(exact, "fluffy");
}
END_TEST

START_TEST(hash_and_verify)
{
	char *h = NULL;
	ck_assert_int_eq(questions_hash("  Fluffy the CAT", &h), 0);
	ck_assert_ptr_nonnull(h);
	ck_assert(strncmp(h, "$argon2id$", 10) == 0);
	ck_assert_ptr_null(strstr(h, "luffy"));
	ck_assert(questions_verify("fluffy the cat", h));
	ck_assert(questions_verify("FLUFFY  THE  CAT ", h));
	ck_assert(!questions_verify("fluffy the dog", h));
	ck_assert(!questions_verify("fluffythecat", h));
	ck_assert(!questions_verify("", h));
	ck_assert(!questions_verify("caf\xe9", h));
	ck_assert_int_eq(questions_hash("   ", &h), -EINVAL);
	free(h);
}
END_TEST

START_TEST(malformed_hash_is_false_and_not_faster)
{
	char *h = NULL;
	ck_assert_int_eq(questions_hash("fluffy", &h), 0);
	int64_t t0 = now_ms();
	ck_assert(!questions_verify("rex", h));
	int64_t real = now_ms() - t0;
	t0 = now_ms();
	ck_assert(!questions_verify("fluffy", "not a hash"));
	ck_assert(!questions_verify("fluffy", "$argon2id$v=19$m=65536,t=2,p=1$broken"));
	ck_assert(!questions_verify("fluffy", ""));
	ck_assert(!questions_verify("fluffy", NULL));
	int64_t bad = (now_ms() - t0) / 4;
	/* Without the dummy argon2 run a malformed hash costs microseconds;
	 * with it, about what a real check costs. */
	ck_assert_msg(bad * 3 >= real, "malformed %lld ms vs real %lld ms", (long long)bad,
		      (long long)real);
	/* A truncated real hash is malformed too. */
	h[strlen(h) - 5] = '\0';
	ck_assert(!questions_verify("fluffy", h));
	free(h);
}
END_TEST

static void write_file(const char *name, const char *text, char *path, size_t pathsz)
{
	snprintf(path, pathsz, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(pool_from_list_and_file)
{
	struct sspr_conf c = {0};
	char path[128];
	char **pool = NULL;
	size_t n = 0;
	c.question_pool[0] = "What was the name of your first pet?";
	c.question_pool[1] = "In which town were you born?";
	write_file("pool",
		   "# site questions\n"
		   "\n"
		   "What was your first car?\n"
		   "   \t\n"
		   "  # indented comment\n"
		   "  Who was your first teacher?  \r\n"
		   "Quel \xc3\xa9tait le nom de votre \xc3\xa9\x63ole ?",
		   path, sizeof(path));
	c.question_pool_file = path;
	ck_assert_int_eq(questions_load_pool(&c, &pool, &n), 0);
	ck_assert_uint_eq(n, 5);
	ck_assert_str_eq(pool[0], "What was the name of your first pet?");
	ck_assert_str_eq(pool[1], "In which town were you born?");
	ck_assert_str_eq(pool[2], "What was your first car?");
	ck_assert_str_eq(pool[3], "Who was your first teacher?");
	ck_assert_str_eq(pool[4], "Quel \xc3\xa9tait le nom de votre \xc3\xa9\x63ole ?");
	ck_assert_ptr_null(pool[5]);
	questions_free_pool(pool, n);
	questions_free_pool(NULL, 0);

	/* List only, and an empty pool. */
	c.question_pool_file = NULL;
	ck_assert_int_eq(questions_load_pool(&c, &pool, &n), 0);
	ck_assert_uint_eq(n, 2);
	questions_free_pool(pool, n);
	struct sspr_conf empty = {0};
	ck_assert_int_eq(questions_load_pool(&empty, &pool, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(pool[0]);
	questions_free_pool(pool, n);
}
END_TEST

static int load_file(const char *text)
{
	struct sspr_conf c = {0};
	char path[128];
	char **pool = NULL;
	size_t n = 0;
	write_file("pool", text, path, sizeof(path));
	c.question_pool_file = path;
	c.question_pool[0] = "From the list?";
	int r = questions_load_pool(&c, &pool, &n);
	if (r == 0)
		questions_free_pool(pool, n);
	else
		ck_assert_ptr_null(pool);
	return r;
}

START_TEST(pool_refuses_bad_lines)
{
	char line[CONF_QUESTION_MAX + 3];
	ck_assert_int_eq(load_file("Good?\nBad\x01line?\n"), -EINVAL);
	ck_assert_int_eq(load_file("Good?\nLatin-1 \xe9t\xe9?\n"), -EINVAL);
	/* A NUL byte inside a line is a control character too. */
	char path[128];
	snprintf(path, sizeof(path), "%s/pool", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite("Good?\nNUL\0inside?\n", 1, 18, f), 18);
	ck_assert_int_eq(fclose(f), 0);
	struct sspr_conf nul = {.question_pool_file = path};
	char **p = NULL;
	size_t pn = 0;
	ck_assert_int_eq(questions_load_pool(&nul, &p, &pn), -EINVAL);
	memset(line, 'q', CONF_QUESTION_MAX);
	line[CONF_QUESTION_MAX] = '\n';
	line[CONF_QUESTION_MAX + 1] = '\0';
	ck_assert_int_eq(load_file(line), 0);
	line[CONF_QUESTION_MAX] = 'q';
	line[CONF_QUESTION_MAX + 1] = '\n';
	line[CONF_QUESTION_MAX + 2] = '\0';
	ck_assert_int_eq(load_file(line), -EINVAL);
	/* At most CONF_MAX_QUESTIONS in all: the list already holds one. */
	char many[CONF_MAX_QUESTIONS * 8];
	size_t o = 0;
	for (int i = 0; i < CONF_MAX_QUESTIONS - 1; i++)
		o += (size_t)snprintf(many + o, sizeof(many) - o, "Q%02d?\n", i);
	ck_assert_int_eq(load_file(many), 0);
	snprintf(many + o, sizeof(many) - o, "One more?\n");
	ck_assert_int_eq(load_file(many), -E2BIG);
	/* A missing file is an error, not an empty pool. */
	struct sspr_conf c = {0};
	char **pool = NULL;
	size_t n = 0;
	c.question_pool_file = "/nonexistent/sspr-pool";
	ck_assert_int_eq(questions_load_pool(&c, &pool, &n), -ENOENT);
}
END_TEST

static void register_set(const char *user, const unsigned *idx, size_t n)
{
	struct store_question q[STORE_MAX_QUESTIONS];
	char text[STORE_MAX_QUESTIONS][32];
	for (size_t i = 0; i < n; i++) {
		snprintf(text[i], sizeof(text[i]), "Question %u?", idx[i]);
		q[i] = (struct store_question){
		    .idx = idx[i], .question = text[i], .answer_hash = "$argon2id$x"};
	}
	store_lock(st);
	ck_assert_int_eq(store_questions_set(st, user, q, n, 1000), 0);
	store_unlock(st);
}

static void assert_valid_draw(const unsigned *got, size_t n, size_t want, const unsigned *reg,
			      size_t nreg)
{
	ck_assert_uint_eq(n, want);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			ck_assert_uint_lt(got[i - 1], got[i]); /* sorted, distinct */
		size_t j = 0;
		while (j < nreg && reg[j] != got[i])
			j++;
		ck_assert_uint_lt(j, nreg);
	}
}

START_TEST(draw_keeps_pending_until_cleared)
{
	struct sspr_conf c = {.questions_answer = 3};
	const unsigned reg[] = {2, 3, 5, 7, 11};
	unsigned a[8], b[8];
	size_t na, nb;
	register_set("carol", reg, ARRAY_SIZE(reg));
	ck_assert_int_eq(questions_draw(&c, st, "carol", a, ARRAY_SIZE(a), &na), 0);
	assert_valid_draw(a, na, 3, reg, ARRAY_SIZE(reg));
	ck_assert_int_eq(questions_draw(&c, st, "carol", b, ARRAY_SIZE(b), &nb), 0);
	ck_assert_uint_eq(nb, na);
	ck_assert_mem_eq(a, b, na * sizeof(*a));
	/* The pending set is in the database: a restart asks the same. */
	store_close(st);
	ck_assert_int_eq(store_open(dir, &st), 0);
	ck_assert_int_eq(questions_draw(&c, st, "carol", b, ARRAY_SIZE(b), &nb), 0);
	ck_assert_mem_eq(a, b, na * sizeof(*a));

	/* Once cleared, a new draw; 10 subsets of 3 among 5, so 40 draws
	 * that all equal the first would be a broken random draw. */
	bool differs = false;
	for (int i = 0; i < 40 && !differs; i++) {
		store_lock(st);
		ck_assert_int_eq(store_questions_clear_pending(st, "carol"), 0);
		store_unlock(st);
		ck_assert_int_eq(questions_draw(&c, st, "carol", b, ARRAY_SIZE(b), &nb), 0);
		assert_valid_draw(b, nb, 3, reg, ARRAY_SIZE(reg));
		differs = memcmp(a, b, na * sizeof(*a)) != 0;
	}
	ck_assert(differs);
	/* ...which is then pending in turn. */
	ck_assert_int_eq(questions_draw(&c, st, "carol", a, ARRAY_SIZE(a), &na), 0);
	ck_assert_mem_eq(a, b, na * sizeof(*a));
}
END_TEST

START_TEST(draw_covers_every_question)
{
	struct sspr_conf c = {.questions_answer = 2};
	const unsigned reg[] = {0, 1, 2, 3};
	unsigned got[4], seen = 0;
	size_t n;
	register_set("carol", reg, ARRAY_SIZE(reg));
	for (int i = 0; i < 200 && seen != 0xf; i++) {
		store_lock(st);
		ck_assert_int_eq(store_questions_clear_pending(st, "carol"), 0);
		store_unlock(st);
		ck_assert_int_eq(questions_draw(&c, st, "carol", got, ARRAY_SIZE(got), &n), 0);
		assert_valid_draw(got, n, 2, reg, ARRAY_SIZE(reg));
		for (size_t j = 0; j < n; j++)
			seen |= 1u << got[j];
	}
	ck_assert_uint_eq(seen, 0xf);
	/* All registered: the whole set, sorted. */
	c.questions_answer = 4;
	ck_assert_int_eq(questions_draw(&c, st, "carol", got, ARRAY_SIZE(got), &n), 0);
	ck_assert_uint_eq(n, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_uint_eq(got[i], i);
}
END_TEST

START_TEST(draw_needs_enough_questions)
{
	struct sspr_conf c = {.questions_answer = 3};
	const unsigned two[] = {1, 4};
	unsigned got[8];
	size_t n = 99;
	ck_assert_int_eq(questions_draw(&c, st, "nobody", got, ARRAY_SIZE(got), &n), -ENOENT);
	ck_assert_uint_eq(n, 0);
	register_set("carol", two, ARRAY_SIZE(two));
	ck_assert_int_eq(questions_draw(&c, st, "carol", got, ARRAY_SIZE(got), &n), -ENOENT);
	c.questions_answer = 2;
	ck_assert_int_eq(questions_draw(&c, st, "carol", got, 1, &n), -ENOBUFS);
	ck_assert_int_eq(questions_draw(&c, st, "carol", got, ARRAY_SIZE(got), &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(got[0], 1);
	ck_assert_uint_eq(got[1], 4);
	/* A replaced set makes the old pending one void. */
	const unsigned other[] = {6, 7, 8};
	register_set("carol", other, ARRAY_SIZE(other));
	ck_assert_int_eq(questions_draw(&c, st, "carol", got, ARRAY_SIZE(got), &n), 0);
	assert_valid_draw(got, n, 2, other, ARRAY_SIZE(other));
}
END_TEST

Suite *questions_suite(void)
{
	Suite *s = suite_create("questions");
	TCase *tc = tcase_create("questions");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, normalizes_case_width_and_spacing);
	tcase_add_test(tc, refuses_bad_answers);
	tcase_add_test(tc, hash_and_verify);
	tcase_add_test(tc, malformed_hash_is_false_and_not_faster);
	tcase_add_test(tc, pool_from_list_and_file);
	tcase_add_test(tc, pool_refuses_bad_lines);
	tcase_add_test(tc, draw_keeps_pending_until_cleared);
	tcase_add_test(tc, draw_covers_every_question);
	tcase_add_test(tc, draw_needs_enough_questions);
	suite_add_tcase(s, tc);
	return s;
}
