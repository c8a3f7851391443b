/* Every text a user sees goes through the catalog. The site's language is
 * the test-only pseudo-language en@pseudo (make builds it from the texts
 * marked in the sources: each line of each translation starts with "⟦"), so
 * a text the daemon or the module sends that is not marked for translation
 * comes out without the marker. The dialogues go through the real module and
 * daemon. Lines that are data, not text, are the exceptions listed in
 * data_line(), each with its reason. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define MARK	    "⟦"
#define PSEUDO_SITE "[general]\nlanguage = en@pseudo\n"

/* The lines of a conversation without the marker, one a line. */
struct unmarked {
	char lines[8192];
};

/* Whole lines that are not the daemon's, each with its reason. */
static const char *const not_ours[] = {
    /* pam_sspr's own first prompt, before any dialogue: translated with
     * the login process's locale (glibc gettext, pam_sspr/text.c), not the
     * daemon's language, and this test's process has the C locale. */
    "Password (press Enter if you forgot it): ",
    /* pam_testpw, standing in for pam_unix after pam_sspr in the stack. */
    "Password: ",
    NULL,
};

/* Lines that carry data rather than a text to translate. */
static bool data_line(const char *line, size_t len)
{
	for (const char *const *e = not_ours; *e; e++)
		if (strlen(*e) == len && strncmp(line, *e, len) == 0)
			return true;
	/* A menu entry: "  1) " is a number the daemon adds to the entry's
	 * text, which must itself be marked. */
	size_t i = strspn(line, " ");
	size_t digits = strspn(line + i, "0123456789");
	if (digits > 0 && i + digits + 2 <= len && line[i + digits] == ')' &&
	    line[i + digits + 1] == ' ')
		return strncmp(line + i + digits + 2, MARK, strlen(MARK)) == 0;
	return false;
}

/* The conversation's observer: check every non-blank line of text and
 * remember those without the marker. */
static void check_lines(struct convo *c, const char *tag, const char *text)
{
	struct unmarked *u = c->observer_data;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		size_t lead = strspn(p, " \t");
		bool blank = lead >= len;
		if (!blank && strncmp(p + lead, MARK, strlen(MARK)) != 0 && !data_line(p, len)) {
			size_t n = strlen(u->lines);
			snprintf(u->lines + n, sizeof(u->lines) - n, "  %s%.*s\n", tag, (int)len,
				 p);
		}
		p += len + (p[len] == '\n');
	}
}

static void assert_all_marked(const struct convo *c)
{
	const struct unmarked *u = c->observer_data;
	ck_assert_msg(u->lines[0] == '\0',
		      "texts not marked for translation (no \"" MARK "\"):\n%s\ntranscript:\n%s",
		      u->lines, c->transcript);
}

static void start_pseudo(void)
{
	struct world_opts o = {.extra_conf = PSEUDO_SITE};
	world_start(&o);
}

/* The menu, a wrong code, a refused password, then success. */
START_TEST(reset_dialogue_marked)
{
	struct unmarked u = {""};
	struct convo c = {.answers = {"", "y", "1", "@MAILWRONG", "@MAIL", "short", NEW_PASSWORD,
				      NEW_PASSWORD, ""},
			  .observe = check_lines,
			  .observer_data = &u};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	/* The pseudo-language was in use, and the dialogue went to the end. */
	assert_has(&c, "I:" MARK);
	assert_has(&c, "c***@e***.org");
	assert_password("carol", NEW_PASSWORD, true);
	assert_all_marked(&c);
}
END_TEST

/* Cancelling from the menu, and the decoy dialogue of a user who may not
 * reset: the same texts, all marked. */
START_TEST(cancel_and_decoy_marked)
{
	const char *users[] = {"carol", "dave", "ghost"};
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		struct unmarked u = {""};
		struct convo c = {
		    .answers = {"", "y", "0", ""}, .observe = check_lines, .observer_data = &u};
		ck_assert_int_ne(pam_run(SERVICE, users[i], &c), PAM_SUCCESS);
		assert_has(&c, "I:" MARK);
		assert_all_marked(&c);
	}
	/* Declining at the first question. */
	struct unmarked un = {""};
	struct convo n = {.answers = {"", "n", ""}, .observe = check_lines, .observer_data = &un};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &n), PAM_AUTH_ERR);
	assert_all_marked(&n);
	assert_password("carol", OLD_PASSWORD, true);
}
END_TEST

/* Three wrong codes end the dialogue: the attempt texts (plural forms) are
 * marked too. */
START_TEST(attempt_limit_marked)
{
	struct unmarked u = {""};
	struct convo c = {.answers = {"", "y", "1", "@MAILWRONG", "@MAILWRONG", "@MAILWRONG",
				      "@MAILWRONG", "@MAILWRONG", "", ""},
			  .observe = check_lines,
			  .observer_data = &u};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "E:" MARK);
	assert_all_marked(&c);
	assert_password("carol", OLD_PASSWORD, true);
}
END_TEST

Suite *i18n_marked_suite(void)
{
	Suite *s = suite_create("i18n_marked");
	TCase *tc = world_tcase("pseudo", start_pseudo);
	tcase_add_test(tc, reset_dialogue_marked);
	tcase_add_test(tc, cancel_and_decoy_marked);
	tcase_add_test(tc, attempt_limit_marked);
	suite_add_tcase(s, tc);
	return s;
}
