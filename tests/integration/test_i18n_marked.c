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

#include <libpamtest.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define MARK	    "⟦"
#define PSEUDO_SITE "[general]\nlanguage = en@pseudo\n"

struct marked_convo {
	const char *answers[32];
	size_t next;
	char transcript[16384];
	char unmarked[8192]; /* the lines without the marker, one a line */
	char code[8];
};

/* The code from the newest mail, read by Python's email parser (the mail's
 * text is in the pseudo-language, so it is not plain ASCII). */
static void mail_code_any(char out[8])
{
	char buf[64] = "";
	for (int i = 0; i < 50; i++) {
		run_cmd(buf, sizeof(buf),
			"python3 -c 'import email,email.policy,os,re,sys\n"
			"d=sys.argv[1]\n"
			"def key(n):\n"
			"    m=re.match(r\"(\\d+)\\.M(\\d+)\",n)\n"
			"    return (int(m.group(1)),int(m.group(2))) if m else (0,0)\n"
			"for n in sorted(os.listdir(d),key=key,reverse=True):\n"
			"    m=email.message_from_bytes(open(os.path.join(d,n),\"rb\").read(),"
			"policy=email.policy.default)\n"
			"    b=m.get_body((\"plain\",))\n"
			"    c=re.search(r\"(?<![0-9])([0-9]{6})(?![0-9])\",b.get_content() if b "
			"else \"\")\n"
			"    if c:\n"
			"        print(c.group(1)); break' %s 2>&1",
			run_path("Maildir/new"));
		if (strlen(buf) >= 6 && buf[0] >= '0' && buf[0] <= '9')
			break;
		usleep(100000);
	}
	ck_assert_msg(strlen(buf) >= 6, "no code in the mail: %s", buf);
	memcpy(out, buf, 6);
	out[6] = '\0';
}

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

/* Check every non-blank line of text; remember those without the marker. */
static void check_lines(struct marked_convo *c, const char *tag, const char *text)
{
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		size_t lead = strspn(p, " \t");
		bool blank = lead >= len;
		if (!blank && strncmp(p + lead, MARK, strlen(MARK)) != 0 && !data_line(p, len)) {
			size_t n = strlen(c->unmarked);
			snprintf(c->unmarked + n, sizeof(c->unmarked) - n, "  %s%.*s\n", tag,
				 (int)len, p);
		}
		p += len + (p[len] == '\n');
	}
	size_t n = strlen(c->transcript);
	snprintf(c->transcript + n, sizeof(c->transcript) - n, "%s%s\n", tag, text);
}

static const char *marked_answer(struct marked_convo *c, const char *token)
{
	static char buf[8];
	if (strcmp(token, "@MAIL") != 0 && strcmp(token, "@MAILWRONG") != 0)
		return token;
	mail_code_any(c->code);
	snprintf(buf, sizeof(buf), "%s", c->code);
	if (strcmp(token, "@MAILWRONG") == 0)
		buf[5] = buf[5] == '9' ? '0' : (char)(buf[5] + 1);
	return buf;
}

static int marked_conv(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct marked_convo *c = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		switch (msg[i]->msg_style) {
		case PAM_PROMPT_ECHO_ON:
		case PAM_PROMPT_ECHO_OFF:
			check_lines(c, "P:", msg[i]->msg);
			if (c->next >= sizeof(c->answers) / sizeof(c->answers[0]) ||
			    !c->answers[c->next]) {
				check_lines(c, "X:", MARK "(script exhausted)");
				free(r);
				return PAM_CONV_ERR;
			}
			r[i].resp = strdup(marked_answer(c, c->answers[c->next++]));
			break;
		case PAM_TEXT_INFO:
			check_lines(c, "I:", msg[i]->msg);
			break;
		case PAM_ERROR_MSG:
			check_lines(c, "E:", msg[i]->msg);
			break;
		default:
			free(r);
			return PAM_CONV_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static int marked_run(const char *service, const char *user, struct marked_convo *c)
{
	struct pam_testcase tests[] = {pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS)};
	_pamtest_conv(service, user, marked_conv, c, tests, 1, NULL);
	return tests[0].op_rv;
}

static void assert_all_marked(const struct marked_convo *c)
{
	ck_assert_msg(c->unmarked[0] == '\0',
		      "texts not marked for translation (no \"" MARK "\"):\n%s\ntranscript:\n%s",
		      c->unmarked, c->transcript);
}

static void assert_seen(const struct marked_convo *c, const char *needle)
{
	ck_assert_msg(strstr(c->transcript, needle) != NULL, "\"%s\" not in:\n%s", needle,
		      c->transcript);
}

static void start_pseudo(void)
{
	struct world_opts o = {.extra_conf = PSEUDO_SITE};
	world_start(&o);
}

/* The menu, a wrong code, a refused password, then success. */
START_TEST(reset_dialogue_marked)
{
	struct marked_convo c = {.answers = {"", "y", "1", "@MAILWRONG", "@MAIL", "short",
					     NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(marked_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	/* The pseudo-language was in use, and the dialogue went to the end. */
	assert_seen(&c, "I:" MARK);
	assert_seen(&c, "c***@e***.org");
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
		struct marked_convo c = {.answers = {"", "y", "0", ""}};
		ck_assert_int_ne(marked_run(SERVICE, users[i], &c), PAM_SUCCESS);
		assert_seen(&c, "I:" MARK);
		assert_all_marked(&c);
	}
	/* Declining at the first question. */
	struct marked_convo n = {.answers = {"", "n", ""}};
	ck_assert_int_eq(marked_run(SERVICE, "carol", &n), PAM_AUTH_ERR);
	assert_all_marked(&n);
	assert_password("carol", OLD_PASSWORD, true);
}
END_TEST

/* Three wrong codes end the dialogue: the attempt texts (plural forms) are
 * marked too. */
START_TEST(attempt_limit_marked)
{
	struct marked_convo c = {.answers = {"", "y", "1", "@MAILWRONG", "@MAILWRONG", "@MAILWRONG",
					     "@MAILWRONG", "@MAILWRONG", "", ""}};
	ck_assert_int_eq(marked_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_seen(&c, "E:" MARK);
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
