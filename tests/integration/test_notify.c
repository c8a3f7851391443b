/* Notices, administrators' messages, site templates and the audit trail,
 * through the real module and daemon. The PAM handle is driven directly
 * here (not through libpamtest) to give the dialogue a remote host and a
 * terminal, as sshd and login do. */
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/integration/harness.h"
#include "tests/integration/suites.h"

#define RHOST	 "203.0.113.7"
#define TTY	 "pts/4"
#define ADMIN1	 "admin@example.org"
#define ADMIN2	 "security@example.net"
#define HELPDESK "Call the IT helpdesk at 555-0100."

#define NOTIFY_CONF                                                                                \
	"organisation = Example Corp, example\n"                                                   \
	"[notify]\nadmins = " ADMIN1 ", " ADMIN2 "\ntemplates_dir = @RUN/templates\n"

/* --- a PAM conversation with PAM_RHOST and PAM_TTY set ---------------- */

struct talk {
	const char *answers[16];
	size_t next;
	char code[7]; /* the code answered, once there was one */
	char transcript[8192];
};

static void note(struct talk *t, const char *tag, const char *text)
{
	size_t n = strlen(t->transcript);
	snprintf(t->transcript + n, sizeof(t->transcript) - n, "%s%s\n", tag, text);
}

static const char *answer(struct talk *t, const char *token)
{
	static char buf[8];
	if (strcmp(token, "@CODE") != 0 && strcmp(token, "@WRONG") != 0)
		return token;
	ck_assert_int_eq(mail_code(0, t->code), 0);
	snprintf(buf, sizeof(buf), "%s", t->code);
	if (token[1] == 'W')
		buf[5] = buf[5] == '9' ? '0' : (char)(buf[5] + 1);
	return buf;
}

static int talk_fn(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct talk *t = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		bool prompt = msg[i]->msg_style == PAM_PROMPT_ECHO_ON ||
			      msg[i]->msg_style == PAM_PROMPT_ECHO_OFF;
		note(t,
		     prompt				  ? "P:"
		     : msg[i]->msg_style == PAM_ERROR_MSG ? "E:"
							  : "I:",
		     msg[i]->msg);
		if (!prompt)
			continue;
		if (t->next >= sizeof(t->answers) / sizeof(t->answers[0]) || !t->answers[t->next]) {
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(answer(t, t->answers[t->next++]));
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* libpam is loaded (libpamtest needs it; pam_wrapper in front of it), but
 * this binary does not link it directly: look the calls up. */
static int pam_auth_from(const char *user, struct talk *t)
{
	int (*start)(const char *, const char *, const struct pam_conv *, pam_handle_t **);
	int (*set_item)(pam_handle_t *, int, const void *);
	int (*authenticate)(pam_handle_t *, int);
	int (*end)(pam_handle_t *, int);
	*(void **)&start = dlsym(RTLD_DEFAULT, "pam_start");
	*(void **)&set_item = dlsym(RTLD_DEFAULT, "pam_set_item");
	*(void **)&authenticate = dlsym(RTLD_DEFAULT, "pam_authenticate");
	*(void **)&end = dlsym(RTLD_DEFAULT, "pam_end");
	ck_assert(start && set_item && authenticate && end);
	struct pam_conv conv = {.conv = talk_fn, .appdata_ptr = t};
	pam_handle_t *h = NULL;
	ck_assert_int_eq(start(SERVICE, user, &conv, &h), PAM_SUCCESS);
	ck_assert_int_eq(set_item(h, PAM_RHOST, RHOST), PAM_SUCCESS);
	ck_assert_int_eq(set_item(h, PAM_TTY, TTY), PAM_SUCCESS);
	int r = authenticate(h, 0);
	end(h, r);
	return r;
}

/* --- mail and files ---------------------------------------------------- */

/* A whole file as bytes (NULL when missing); *len its size. */
static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	*len = 0;
	if (!f)
		return NULL;
	size_t cap = 1 << 16;
	char *buf = malloc(cap + 1);
	ck_assert_ptr_nonnull(buf);
	size_t k;
	while ((k = fread(buf + *len, 1, cap - *len, f)) > 0) {
		*len += k;
		if (*len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			ck_assert_ptr_nonnull(buf);
		}
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

/* Mails whose text contains every needle (NULL-terminated list), waiting
 * up to wait_ms for at least min. The last match goes to out. */
static int mails_with(int min, int wait_ms, char *out, size_t outsz, const char *const *needles)
{
	for (int waited = 0;; waited += 100) {
		int count = 0;
		DIR *d = opendir(run_path("Maildir/new"));
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char path[2048];
			snprintf(path, sizeof(path), "%s/%s", run_path("Maildir/new"), e->d_name);
			size_t len;
			char *m = read_all(path, &len);
			bool all = m != NULL;
			for (const char *const *n = needles; all && *n; n++)
				all = strstr(m, *n) != NULL;
			if (all) {
				count++;
				if (out)
					snprintf(out, outsz, "%s", m);
			}
			free(m);
		}
		if (d)
			closedir(d);
		if (count >= min || waited >= wait_ms)
			return count;
		usleep(100000);
	}
}

#define MAILS(min, wait, out, ...)                                                                 \
	mails_with(min, wait, out, sizeof(out), (const char *const[]){__VA_ARGS__, NULL})

static void assert_no_bytes(const char *file, const char *secret)
{
	size_t len;
	char *b = read_all(run_path(file), &len);
	if (!b)
		return;
	ck_assert_msg(memmem(b, len, secret, strlen(secret)) == NULL, "%s holds a secret", file);
	free(b);
}

/* The audit rows of user, oldest first, one "event|method|service|rhost"
 * line each, read from the store as an administrator's tool would. */
static void audit_rows(const char *user, char *out, size_t outsz)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	out[0] = '\0';
	ck_assert_int_eq(
	    sqlite3_open_v2(run_path("state/sspr.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	ck_assert_int_eq(sqlite3_prepare_v2(db,
					    "SELECT event, method, service, rhost FROM events "
					    "WHERE user = ?1 ORDER BY id",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
	size_t n = 0;
	while (sqlite3_step(st) == SQLITE_ROW && n < outsz)
		n += (size_t)snprintf(out + n, outsz - n, "%s|%s|%s|%s\n",
				      sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
				      sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void assert_row(const char *rows, const char *row)
{
	ck_assert_msg(strstr(rows, row) != NULL, "no audit row \"%s\" in:\n%s", row, rows);
}

/* --- the tests ----------------------------------------------------------- */

static void start_notify(void)
{
	struct world_opts o = {.code_attempts = 2, .extra_conf = NOTIFY_CONF};
	char out[256];
	run_cmd(out, sizeof(out), "rm -rf %s", run_path("templates"));
	ck_assert_int_eq(mkdir(run_path("templates"), 0755), 0);
	world_start(&o);
}

static void reset_carol(struct talk *t)
{
	ck_assert_int_eq(pam_auth_from("carol", t), PAM_AUTH_ERR);
	ck_assert_msg(strstr(t->transcript, "P:Your password has been reset.") != NULL, "%s",
		      t->transcript);
	assert_password("carol", NEW_PASSWORD, true);
}

START_TEST(reset_notice_admins_audit_and_no_secrets)
{
	struct talk t = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	reset_carol(&t);
	static char mail[65536];
	/* The user's notice: what, when, where from, and whom to call. */
	ck_assert_int_eq(
	    MAILS(1, 10000, mail, "To: carol@example.org", "Subject: Your password was reset"), 1);
	ck_assert_ptr_nonnull(strstr(mail, SERVICE ", from remote host " RHOST));
	ck_assert_ptr_nonnull(strstr(mail, "verified by a code by email"));
	ck_assert_ptr_nonnull(strstr(mail, HELPDESK));
	ck_assert_ptr_nonnull(strstr(mail, "Example Corp password self-service"));
	ck_assert_ptr_null(strstr(mail, t.code));
	ck_assert_ptr_null(strstr(mail, NEW_PASSWORD));
	/* Every administrator hears of it, without the secrets either. */
	const char *admins[] = {ADMIN1, ADMIN2};
	for (int i = 0; i < 2; i++) {
		char to[128];
		snprintf(to, sizeof(to), "To: %s", admins[i]);
		ck_assert_int_eq(
		    MAILS(1, 10000, mail, to, "Subject: sspr: password of carol reset on "), 1);
		ck_assert_ptr_nonnull(strstr(mail, RHOST));
		ck_assert_ptr_nonnull(strstr(mail, SERVICE));
		ck_assert_ptr_null(strstr(mail, t.code));
		ck_assert_ptr_null(strstr(mail, NEW_PASSWORD));
	}
	/* The audit trail has every step, with where it came from. */
	char rows[8192];
	audit_rows("carol", rows, sizeof(rows));
	assert_row(rows, "dialogue_started||" SERVICE "|" RHOST "\n");
	assert_row(rows, "method_chosen|email|" SERVICE "|" RHOST "\n");
	assert_row(rows, "code_sent|email|" SERVICE "|" RHOST "\n");
	assert_row(rows, "verify_passed|email|" SERVICE "|" RHOST "\n");
	assert_row(rows, "verified|email|" SERVICE "|" RHOST "\n");
	assert_row(rows, "reset|email|" SERVICE "|" RHOST "\n");
	const char *started = strstr(rows, "dialogue_started|"), *reset = strstr(rows, "reset|");
	ck_assert(started && reset && started < reset);
	/* Neither the code nor the password is in the store, its journal or
	 * the daemon's log. */
	ck_assert_int_eq(strlen(t.code), 6);
	const char *files[] = {"state/sspr.db", "state/sspr.db-wal", "ssprd.log"};
	for (int i = 0; i < 3; i++) {
		assert_no_bytes(files[i], t.code);
		assert_no_bytes(files[i], NEW_PASSWORD);
	}
	struct stat st;
	ck_assert_int_eq(stat(run_path("state/sspr.db"), &st), 0);
	ck_assert_int_eq(stat(run_path("ssprd.log"), &st), 0);
}
END_TEST

START_TEST(site_templates_are_used)
{
	FILE *f = fopen(run_path("templates/reset.txt"), "w");
	ck_assert_ptr_nonnull(f);
	fputs("Subject: Example Corp notice: password of {user} changed\n"
	      "\n"
	      "Site text. Service {service}, {from}.\n"
	      "Questions? {helpdesk}\n",
	      f);
	ck_assert_int_eq(fclose(f), 0);
	/* A broken override: the built-in text goes out, the log says why. */
	f = fopen(run_path("templates/admin_reset.txt"), "w");
	ck_assert_ptr_nonnull(f);
	fputs("Subject: x\n\n{nope}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	struct talk t = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	reset_carol(&t);
	static char mail[65536];
	ck_assert_int_eq(MAILS(1, 10000, mail, "To: carol@example.org",
			       "Subject: Example Corp notice: password of carol changed"),
			 1);
	ck_assert_ptr_nonnull(strstr(mail, "Site text. Service " SERVICE ", remote host " RHOST));
	ck_assert_ptr_nonnull(strstr(mail, "Questions? " HELPDESK));
	ck_assert_int_eq(mail_count("Your password was reset", 0, 0), 0);
	ck_assert_int_eq(
	    MAILS(1, 10000, mail, "To: " ADMIN1, "Subject: sspr: password of carol reset on "), 1);
	ck_assert_ptr_nonnull(
	    strstr(slurp(run_path("ssprd.log")), "admin_reset.txt:3: unknown placeholder {nope}"));
}
END_TEST

START_TEST(lockout_mails_admins)
{
	struct talk t = {.answers = {"", "y", "1", "@WRONG", "@WRONG", ""}};
	ck_assert_int_eq(pam_auth_from("carol", &t), PAM_AUTH_ERR);
	ck_assert_msg(strstr(t.transcript, "P:Too many wrong codes.") != NULL, "%s", t.transcript);
	assert_password("carol", OLD_PASSWORD, true);
	static char mail[65536];
	ck_assert_int_eq(MAILS(1, 10000, mail, "To: " ADMIN1,
			       "Subject: sspr: password reset of carol stopped on "),
			 1);
	ck_assert_ptr_nonnull(strstr(mail, "code_exhausted"));
	ck_assert_ptr_nonnull(strstr(mail, RHOST));
	ck_assert_int_eq(
	    MAILS(1, 5000, mail, "To: " ADMIN2, "Subject: sspr: password reset of carol stopped"),
	    1);
	/* admin_failures is off: the wrong code before it told nobody. */
	ck_assert_int_eq(MAILS(0, 0, mail, "Subject: sspr: failed verification"), 0);
	char rows[8192];
	audit_rows("carol", rows, sizeof(rows));
	assert_row(rows, "code_wrong|email|" SERVICE "|" RHOST "\n");
	assert_row(rows, "code_exhausted|email|" SERVICE "|" RHOST "\n");
	ck_assert_ptr_null(strstr(rows, "reset|"));
}
END_TEST

START_TEST(cancel_is_audited)
{
	struct talk t = {.answers = {"", "y", "0"}};
	pam_auth_from("carol", &t);
	ck_assert_msg(strstr(t.transcript, "I:Password recovery cancelled.") != NULL, "%s",
		      t.transcript);
	/* A client that cannot answer cancels: the method being tried is
	 * named. */
	struct talk gone = {.answers = {"", "y", "1"}};
	pam_auth_from("carol", &gone);
	char rows[8192];
	audit_rows("carol", rows, sizeof(rows));
	assert_row(rows, "cancelled||" SERVICE "|" RHOST "\n");
	assert_row(rows, "cancelled|email|" SERVICE "|" RHOST "\n");
	/* Nobody is told of a dialogue that changed nothing. */
	static char mail[65536];
	ck_assert_int_eq(MAILS(0, 0, mail, "To: " ADMIN1), 0);
}
END_TEST

START_TEST(refusal_is_audited)
{
	/* dave has nothing registered. */
	struct talk t = {.answers = {"", "y", ""}};
	pam_auth_from("dave", &t);
	char rows[4096];
	audit_rows("dave", rows, sizeof(rows));
	assert_row(rows, "dialogue_started||" SERVICE "|" RHOST "\n");
	assert_row(rows, "refused||" SERVICE "|" RHOST "\n");
}
END_TEST

#define MOBILE "+15550100167"

/* [notify] notify_sms: the outcome also goes by text to the mobile. */
static void start_notify_sms(void)
{
	struct world_opts o = {
	    .gateway = true,
	    .extra_conf = "[methods]\nenabled = email sms\n"
			  "[gateway]\nurl = http://@GW\naccount_sid = " GATEWAY_SID "\n"
			  "auth_file = @RUN/gateway-token\nfrom = +15550100000\ntimeout = 3\n"
			  "[notify]\nnotify_sms = yes\n"};
	world_start(&o);
	char out[512];
	ck_assert_int_eq(ssprctl_enroll("carol", "--mobile " MOBILE, NULL, out, sizeof(out)), 0);
}

START_TEST(reset_notice_by_sms)
{
	struct talk t = {.answers = {"", "y", "1", "@CODE", NEW_PASSWORD, NEW_PASSWORD, ""}};
	reset_carol(&t);
	/* The notice leaves after the final prompt: wait for it. */
	for (int i = 0; i < 100 && gateway_count("sms") < 1; i++)
		usleep(100 * 1000);
	ck_assert_int_eq(gateway_count("sms"), 1);
	const char *log = gateway_log();
	ck_assert_ptr_nonnull(strstr(log, MOBILE));
	ck_assert_msg(strstr(log, "the password of carol on ") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "was reset at ") != NULL, "%s", log);
	ck_assert_ptr_null(strstr(log, t.code));
	ck_assert_ptr_null(strstr(log, NEW_PASSWORD));
}
END_TEST

Suite *notify_suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = world_tcase("notify", start_notify);
	tcase_add_test(tc, reset_notice_admins_audit_and_no_secrets);
	tcase_add_test(tc, site_templates_are_used);
	tcase_add_test(tc, lockout_mails_admins);
	tcase_add_test(tc, cancel_is_audited);
	tcase_add_test(tc, refusal_is_audited);
	suite_add_tcase(s, tc);
	tc = world_tcase("notify_sms", start_notify_sms);
	tcase_add_test(tc, reset_notice_by_sms);
	suite_add_tcase(s, tc);
	return s;
}
