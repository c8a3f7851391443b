/* The reset dialogue in Traditional Chinese through the real module and
 * daemon: [general] language = zh_TW, a user's saved preference on an
 * English site, and the language sspr and ssprctl send (PROTO_LANGUAGE).
 * Texts come out translated; codes, masks and the daemon's log do not
 * change. The catalog is build/locale (SSPR_LOCALEDIR, run-tests.sh). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libpamtest.h>

#include "common/proto.h"
#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define ZH_SITE "[general]\nlanguage = zh_TW\n"

/* As sspr register would save it. */
static void save_language(const char *user, const char *lang)
{
	char out[512];
	int st = run_cmd(out, sizeof(out),
			 "python3 -c 'import sqlite3,sys\n"
			 "c=sqlite3.connect(sys.argv[1],timeout=10)\n"
			 "c.execute(\"INSERT INTO registrations (user, language) VALUES (?, ?) "
			 "ON CONFLICT (user) DO UPDATE SET language = excluded.language\","
			 "(sys.argv[2],sys.argv[3]))\n"
			 "c.commit()' %s/sspr.db %s %s 2>&1",
			 run_path("state"), user, lang);
	ck_assert_msg(st == 0, "saving the language: %s", out);
}

static void start_zh_site(void)
{
	struct world_opts o = {.extra_conf = ZH_SITE};
	world_start(&o);
}

static void start_en_site(void)
{
	world_start(NULL);
}

START_TEST(zh_site_full_reset)
{
	struct convo c = {.answers = {"", "y", "1", "@MAILWRONG", "@MAIL", "short", NEW_PASSWORD,
				      NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "I:無法存取您的帳號嗎？\n證明您的身分後，即可重設密碼。");
	assert_has(&c, "P:要繼續重設密碼嗎？[y/N] ");
	assert_has(&c, "要如何驗證您的身分？");
	/* The mask is the same in every language. */
	assert_has(&c, "  1) 以電子郵件傳送驗證碼至 c***@e***.org\n");
	assert_has(&c, "  0) 取消\n請選擇 [1]： ");
	assert_has(&c, "I:已傳送 6 位數驗證碼至 c***@e***.org。驗證碼將在 10 分鐘後失效。");
	assert_has(&c, "P:請輸入驗證碼： ");
	assert_has(&c, "E:驗證碼錯誤。還可以再試 4 次。");
	assert_has(&c, "I:驗證碼正確。");
	assert_has(&c, "I:請設定新密碼（至少 12 個字元）。");
	assert_has(&c, "P:新密碼： ");
	assert_has(&c, "E:密碼至少需要 12 個字元。");
	assert_has(&c, "P:再次輸入新密碼： ");
	assert_has(&c, "P:您的密碼已重設。請使用新密碼登入。\n請按 Enter 鍵繼續。 ");
	/* Nothing of the dialogue in English (the module's own first prompt
	 * is not the daemon's). */
	assert_lacks(&c, "Can't access");
	assert_lacks(&c, "New password");
	assert_lacks(&c, "Choose");
	assert_lacks(&c, "code");
	assert_password("carol", NEW_PASSWORD, true);
	/* The log stays in English, and without the code or the password. */
	const char *log = slurp(run_path("ssprd.log"));
	ck_assert_ptr_nonnull(strstr(log, "new password refused: The password must have at least"));
	ck_assert_ptr_null(strstr(log, c.last_code));
	ck_assert_ptr_null(strstr(log, NEW_PASSWORD));
}
END_TEST

/* An account that may not reset gets the decoy, in the same language and
 * words as a real one; so does a name nobody has. */
START_TEST(zh_site_decoy_same_words)
{
	const char *users[] = {"dave", "ghost"};
	for (size_t i = 0; i < 2; i++) {
		struct convo c = {.answers = {"", "y", "0", ""}};
		/* (PAM_USER_UNKNOWN for ghost, from the stack after sspr) */
		ck_assert_int_ne(pam_run(SERVICE, users[i], &c), PAM_SUCCESS);
		assert_has(&c, "I:無法存取您的帳號嗎？");
		assert_has(&c, "要如何驗證您的身分？");
		assert_has(&c, "I:已取消密碼重設。");
	}
}
END_TEST

START_TEST(saved_preference_on_en_site)
{
	save_language("carol", "zh_TW");
	struct convo c = {.answers = {"", "y", "1", "@MAIL", NEW_PASSWORD, NEW_PASSWORD, ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &c), PAM_AUTH_ERR);
	assert_has(&c, "I:無法存取您的帳號嗎？");
	assert_has(&c, "  1) 以電子郵件傳送驗證碼至 c***@e***.org\n");
	assert_has(&c, "P:您的密碼已重設。請使用新密碼登入。");
	assert_password("carol", NEW_PASSWORD, true);

	/* Others on the site keep its language. */
	struct convo e = {.answers = {"", "y", "0", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "erin", &e), PAM_AUTH_ERR);
	assert_has(&e, "I:Can't access your account?");
	assert_has(&e, "I:Password recovery cancelled.");

	/* A preference without a catalog falls back to the site's. */
	save_language("carol", "fr");
	struct convo f = {.answers = {"", "n", ""}};
	ck_assert_int_eq(pam_run(SERVICE, "carol", &f), PAM_AUTH_ERR);
	assert_has(&f, "I:Can't access your account?");
}
END_TEST

/* PROTO_LANGUAGE then REGISTER_START as sspr register sends them; the
 * first text the daemon sends, whatever it is, shows the language. */
static void register_first_text(const char *lang, char *out, size_t outsz)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", run_path("ssprd.sock"));
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	struct proto_msg m = {0};
	if (lang) {
		const char *f[] = {lang};
		ck_assert_int_eq(proto_msg_build(&m, PROTO_LANGUAGE, 1, f), 0);
		ck_assert_int_eq(proto_write(fd, &m, 5000), 0);
		proto_msg_clear(&m);
	}
	const char *start[] = {"", ""};
	ck_assert_int_eq(proto_msg_build(&m, PROTO_REGISTER_START, 2, start), 0);
	ck_assert_int_eq(proto_write(fd, &m, 5000), 0);
	proto_msg_clear(&m);
	out[0] = '\0';
	while (proto_read(fd, &m, 10000) == 0) {
		bool text = m.type == PROTO_INFO || m.type == PROTO_ERROR ||
			    m.type == PROTO_PROMPT_ECHO_ON || m.type == PROTO_PROMPT_ECHO_OFF;
		if (text)
			snprintf(out, outsz, "%s", m.field[0]);
		proto_msg_clear(&m);
		if (text)
			break;
	}
	close(fd);
	ck_assert_msg(out[0], "no text from the daemon");
}

static bool starts_with_any(const char *s, const char *const *prefixes)
{
	for (; *prefixes; prefixes++)
		if (strncmp(s, *prefixes, strlen(*prefixes)) == 0)
			return true;
	return false;
}

static const char *const zh_first[] = {"正在為 ", "您的帳號未啟用自助密碼重設。", NULL};
static const char *const en_first[] = {"Registering ", "Self-service password reset is not", NULL};

START_TEST(client_language_en_site)
{
	char text[PROTO_MAX_TEXT + 1];
	register_first_text("zh_TW", text, sizeof(text));
	ck_assert_msg(starts_with_any(text, zh_first), "not in Chinese: %s", text);
	/* No catalog, or not a language name: ignored. */
	register_first_text("fr", text, sizeof(text));
	ck_assert_msg(starts_with_any(text, en_first), "not in English: %s", text);
	register_first_text("", text, sizeof(text));
	ck_assert_msg(starts_with_any(text, en_first), "not in English: %s", text);
	register_first_text(NULL, text, sizeof(text));
	ck_assert_msg(starts_with_any(text, en_first), "not in English: %s", text);
}
END_TEST

START_TEST(client_language_zh_site)
{
	char text[PROTO_MAX_TEXT + 1];
	/* The client's locale outranks the site's language... */
	register_first_text("en", text, sizeof(text));
	ck_assert_msg(starts_with_any(text, en_first), "not in English: %s", text);
	/* ...when there is a catalog for it. */
	register_first_text("de_DE", text, sizeof(text));
	ck_assert_msg(starts_with_any(text, zh_first), "not in Chinese: %s", text);
	register_first_text(NULL, text, sizeof(text));
	ck_assert_msg(starts_with_any(text, zh_first), "not in Chinese: %s", text);
}
END_TEST

Suite *i18n_reset_suite(void)
{
	Suite *s = suite_create("i18n_reset");
	TCase *zh = world_tcase("zh_site", start_zh_site);
	tcase_add_test(zh, zh_site_full_reset);
	tcase_add_test(zh, zh_site_decoy_same_words);
	tcase_add_test(zh, client_language_zh_site);
	suite_add_tcase(s, zh);
	TCase *en = world_tcase("en_site", start_en_site);
	tcase_add_test(en, saved_preference_on_en_site);
	tcase_add_test(en, client_language_en_site);
	suite_add_tcase(s, en);
	return s;
}
