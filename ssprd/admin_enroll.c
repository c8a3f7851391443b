/* ADMIN_ENROLL and ADMIN_QUESTIONS: registration data an administrator
 * enters for a user. Secrets the daemon generates (authenticator secret,
 * recovery codes) are shown once, in the answer, and stored only sealed or
 * hashed. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/admin_internal.h"
#include "ssprd/audit.h"
#include "ssprd/conn.h"
#include "ssprd/notify.h"
#include "ssprd/questions.h"
#include "ssprd/recovery.h"
#include "ssprd/totp.h"

static void audit(struct daemon_ctx *ctx, const struct ucred *peer, const char *user,
		  const char *kind)
{
	char actor[32];
	admin_actor(peer, actor, sizeof(actor));
	struct audit_event e = {.event = AUDIT_ADMIN_ENROLL,
				.user = user,
				.method = kind,
				.service = "ssprctl",
				.actor = actor};
	audit_record(ctx, &e);
}

/* The user hears of every change an administrator makes: at the old
 * address, the new one and (for the other kinds) the registered email. */
static int enroll_contact(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
			  const char *user, const char *kind, const char *value)
{
	char text[PROTO_MAX_TEXT], number[PHONE_MAX + 1];
	struct store_contact old = {0};
	bool email = strcmp(kind, "email") == 0;
	int r = store_contact_get(ctx->store, user, kind, &old);
	if (r < 0 && r != -ENOENT)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not read the store."));
	if (value[0] == '\0') {
		r = store_contact_delete(ctx->store, user, kind);
		if (r < 0) {
			store_contact_clear(&old);
			return admin_fail(fd, PROTO_STATUS_FAILED,
					  _("Could not update the store."));
		}
		admin_forget_codes(ctx, user, kind);
		if (old.value) {
			audit(ctx, peer, user, kind);
			notify_registration_change(ctx, user, kind, old.value, NULL);
		}
		store_contact_clear(&old);
		snprintf(text, sizeof(text), _("Removed the %s registration of %s."), kind, user);
		return admin_ok(fd, text);
	}
	if (!email) {
		/* "+1 555 010 0167" is what people paste. */
		if (phone_normalize(value, number) == 0)
			value = number;
	}
	if (email ? !email_valid(value) : !phone_valid(value)) {
		store_contact_clear(&old);
		return admin_fail(
		    fd, PROTO_STATUS_INVALID,
		    email ? _("That is not a valid email address.")
			  : _("That is not an E.164 phone number (+ and 8 to 15 digits)."));
	}
	r = store_contact_set(ctx->store, user, kind, value, "admin", (int64_t)time(NULL));
	if (r < 0) {
		store_contact_clear(&old);
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not save it."));
	}
	audit(ctx, peer, user, kind);
	if (!old.value || strcmp(old.value, value) != 0) {
		admin_forget_codes(ctx, user, kind);
		notify_registration_change(ctx, user, kind, old.value, value);
	}
	store_contact_clear(&old);
	snprintf(text, sizeof(text), _("Enrolled %s for %s."), value, user);
	return admin_ok(fd, text);
}

static int enroll_totp(struct daemon_ctx *ctx, int fd, const struct ucred *peer, const char *user)
{
	char b32[64], uri[512], text[PROTO_MAX_TEXT];
	const char *issuer = ctx->conf.organisation ? ctx->conf.organisation : "sspr";
	char first[64];
	/* organisation may list several names: the first is the issuer. */
	snprintf(first, sizeof(first), "%.*s", (int)strcspn(issuer, ","), issuer);
	int r = totp_enroll(ctx->store, ctx->code_key, user, first, b32, sizeof(b32), uri,
			    sizeof(uri), (int64_t)time(NULL));
	if (r < 0) {
		sodium_memzero(b32, sizeof(b32));
		sodium_memzero(uri, sizeof(uri));
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  _("Could not register an authenticator."));
	}
	audit(ctx, peer, user, "totp");
	notify_registration_change(ctx, user, "totp", NULL, NULL);
	snprintf(text, sizeof(text),
		 _("Authenticator registered for %s. Add it to the app with this secret\n"
		   "(shown only now):\n  secret: %s\n  uri: %s"),
		 user, b32, uri);
	r = admin_ok(fd, text);
	sodium_memzero(b32, sizeof(b32));
	sodium_memzero(uri, sizeof(uri));
	sodium_memzero(text, sizeof(text));
	return r;
}

static int enroll_recovery(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
			   const char *user)
{
	char codes[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1], text[PROTO_MAX_TEXT];
	int r = recovery_issue(ctx->store, ctx->code_key, user, codes, (int64_t)time(NULL));
	if (r < 0)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not issue recovery codes."));
	audit(ctx, peer, user, "recovery_codes");
	notify_registration_change(ctx, user, "recovery_codes", NULL, NULL);
	int n = snprintf(text, sizeof(text),
			 _("Recovery codes for %s (shown only now; each works once):"), user);
	for (unsigned i = 0; i < RECOVERY_COUNT; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %s", codes[i]);
	r = admin_ok(fd, text);
	sodium_memzero(codes, sizeof(codes));
	sodium_memzero(text, sizeof(text));
	return r;
}

int admin_enroll(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req)
{
	const char *user = req->field[0], *kind = req->field[1], *value = req->field[2];
	if (strcmp(kind, "email") == 0 || strcmp(kind, "mobile") == 0 ||
	    strcmp(kind, "office") == 0)
		return enroll_contact(ctx, fd, peer, user, kind, value);
	if (strcmp(kind, "totp") == 0 && !value[0])
		return enroll_totp(ctx, fd, peer, user);
	if (strcmp(kind, "recovery_codes") == 0 && !value[0])
		return enroll_recovery(ctx, fd, peer, user);
	return admin_fail(fd, PROTO_STATUS_INVALID, _("Unknown kind of registration."));
}

static size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Split text at '\n' into at most max pieces pointing into text. */
static size_t split_lines(char *text, char **out, size_t max)
{
	size_t n = 0;
	if (!text[0])
		return 0;
	for (char *p = text; p && n <= max; n++) {
		if (n == max)
			return max + 1;
		out[n] = p;
		p = strchr(p, '\n');
		if (p)
			*p++ = '\0';
	}
	return n;
}

static const char *check_questions(const struct sspr_conf *c, char **q, char **a, size_t n)
{
	char norm[STORE_MAX_QUESTIONS][QUESTIONS_ANSWER_MAX * 4 + 1];
	const char *why = NULL;
	for (size_t i = 0; i < n && !why; i++) {
		if (!utf8_text_valid(q[i], strlen(q[i]), CONF_QUESTION_MAX, NULL) || !q[i][0])
			why = N_("A question is empty, too long or not valid text.");
		else if (questions_normalize(a[i], norm[i], sizeof(norm[i])) < 0)
			why = N_("An answer is empty, too long or not valid text.");
		else if (utf8_length(norm[i]) < c->questions_min_length)
			why = N_("An answer is shorter than min_answer_length.");
		for (size_t j = 0; j < i && !why; j++)
			if (strcmp(norm[i], norm[j]) == 0)
				why = N_("Two answers are the same.");
	}
	sodium_memzero(norm, sizeof(norm));
	return why;
}

int admin_questions(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		    const struct proto_msg *req)
{
	const struct sspr_conf *c = &ctx->conf;
	char *q[STORE_MAX_QUESTIONS], *a[STORE_MAX_QUESTIONS];
	struct store_question set[STORE_MAX_QUESTIONS] = {0};
	const char *user = req->field[0];
	size_t nq = split_lines(req->field[1], q, STORE_MAX_QUESTIONS);
	size_t na = split_lines(req->field[2], a, STORE_MAX_QUESTIONS);
	const char *why = NULL;
	int r = 0;
	if (nq != na)
		why = N_("Give one answer for each question.");
	else if (nq > STORE_MAX_QUESTIONS || nq < c->questions_answer)
		why = N_("Wrong number of questions for this site's [questions] settings.");
	else
		why = check_questions(c, q, a, nq);
	if (why)
		return admin_fail(fd, PROTO_STATUS_INVALID, _(why));
	for (size_t i = 0; i < nq && r == 0; i++) {
		set[i].idx = (unsigned)i;
		set[i].question = q[i];
		r = questions_hash(a[i], &set[i].answer_hash);
	}
	if (r == 0) {
		/* A transaction on the shared connection: no other may interleave. */
		store_lock(ctx->store);
		r = store_questions_set(ctx->store, user, set, nq, (int64_t)time(NULL));
		store_unlock(ctx->store);
	}
	for (size_t i = 0; i < nq; i++)
		secret_free(set[i].answer_hash);
	if (r < 0)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not save the questions."));
	audit(ctx, peer, user, "questions");
	notify_registration_change(ctx, user, "questions", NULL, NULL);
	char text[128];
	snprintf(text, sizeof(text),
		 P_("Registered %zu security question for %s.",
		    "Registered %zu security questions for %s.", nq),
		 nq, user);
	return admin_ok(fd, text);
}
