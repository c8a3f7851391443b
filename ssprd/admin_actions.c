/* ssprctl clear, unlock, test-email and test-sms. Every action is audited
 * with the administrator's uid as the actor, and the user hears of every
 * registration an administrator removes. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/admin_internal.h"
#include "ssprd/audit.h"
#include "ssprd/notify.h"
#include "ssprd/priv.h"

static const char *const kinds[] = {"email",	 "mobile", "office",
				    "questions", "totp",   "recovery_codes"};

static void audit(struct daemon_ctx *ctx, const struct ucred *peer, const char *event,
		  const char *user, const char *method, const char *detail, bool failed)
{
	char actor[32];
	admin_actor(peer, actor, sizeof(actor));
	struct audit_event e = {.event = event,
				.user = user,
				.method = method,
				.service = "ssprctl",
				.actor = actor,
				.detail = detail,
				.failed = failed};
	audit_record(ctx, &e);
}

static bool is_contact(const char *kind)
{
	return strcmp(kind, "email") == 0 || strcmp(kind, "mobile") == 0 ||
	       strcmp(kind, "office") == 0;
}

void admin_forget_codes(struct daemon_ctx *ctx, const char *user, const char *kind)
{
	static const struct {
		const char *kind;
		enum method m;
	} map[] = {{"email", METHOD_EMAIL},
		   {"mobile", METHOD_SMS},
		   {"mobile", METHOD_VOICE_MOBILE},
		   {"office", METHOD_VOICE_OFFICE}};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(map[i].kind, kind) == 0)
			store_code_delete(ctx->store, user, method_name(map[i].m));
}

/* Whether user has data of this kind; for a contact, *old gets the
 * address (free it). */
static int probe(struct daemon_ctx *ctx, const char *user, const char *kind, bool *has, char **old)
{
	struct store *s = ctx->store;
	*has = false;
	*old = NULL;
	if (is_contact(kind)) {
		struct store_contact c = {0};
		int r = store_contact_get(s, user, kind, &c);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		*has = true;
		*old = c.value;
		c.value = NULL;
		store_contact_clear(&c);
		return 0;
	}
	if (strcmp(kind, "questions") == 0) {
		struct store_question *q = NULL;
		size_t n = 0;
		int r = store_questions_list(s, user, &q, &n);
		store_questions_free(q, n);
		*has = n > 0;
		return r;
	}
	if (strcmp(kind, "totp") == 0) {
		struct store_totp t;
		int r = store_totp_get(s, user, &t);
		sodium_memzero(&t, sizeof(t));
		*has = r == 0;
		return r == -ENOENT ? 0 : r;
	}
	unsigned left = 0;
	int r = store_recovery_left(s, user, &left);
	*has = left > 0;
	return r;
}

static int delete_kind(struct daemon_ctx *ctx, const char *user, const char *kind)
{
	struct store *s = ctx->store;
	int r;
	if (is_contact(kind)) {
		r = store_contact_delete(s, user, kind);
		admin_forget_codes(ctx, user, kind);
		return r;
	}
	if (strcmp(kind, "totp") == 0)
		return store_totp_delete(s, user);
	/* Transactions on the shared connection: no other may interleave. */
	store_lock(s);
	if (strcmp(kind, "questions") == 0)
		r = store_questions_set(s, user, NULL, 0, 0);
	else
		r = store_recovery_set(s, user, NULL, 0, 0);
	store_unlock(s);
	return r;
}

static int clear_one(struct daemon_ctx *ctx, int fd, const struct ucred *peer, const char *user,
		     const char *kind)
{
	char text[256], *old = NULL;
	bool has = false;
	int r = probe(ctx, user, kind, &has, &old);
	if (r == 0)
		r = delete_kind(ctx, user, kind);
	if (r < 0) {
		free(old);
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not update the store."));
	}
	if (!has) {
		snprintf(text, sizeof(text), _("Nothing to clear: %s has no %s registered."), user,
			 kind);
		return admin_ok(fd, text);
	}
	audit(ctx, peer, AUDIT_ADMIN_CLEAR, user, kind, NULL, false);
	notify_registration_change(ctx, user, kind, old, NULL);
	free(old);
	snprintf(text, sizeof(text), _("Cleared the %s registration of %s."), kind, user);
	return admin_ok(fd, text);
}

static int clear_all(struct daemon_ctx *ctx, int fd, const struct ucred *peer, const char *user)
{
	char *old[ARRAY_SIZE(kinds)] = {0}, cleared[128] = "", text[256];
	bool has[ARRAY_SIZE(kinds)] = {0};
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && r == 0; i++) {
		r = probe(ctx, user, kinds[i], &has[i], &old[i]);
		if (r == 0 && has[i])
			snprintf(cleared + strlen(cleared), sizeof(cleared) - strlen(cleared),
				 "%s%s", cleared[0] ? "+" : "", kinds[i]);
	}
	if (r == 0) {
		store_lock(ctx->store);
		r = store_contact_delete(ctx->store, user, NULL);
		store_unlock(ctx->store);
	}
	if (r < 0) {
		snprintf(text, sizeof(text), _("Could not update the store."));
	} else if (!cleared[0]) {
		snprintf(text, sizeof(text), _("Nothing to clear: %s has nothing registered."),
			 user);
	} else {
		audit(ctx, peer, AUDIT_ADMIN_CLEAR, user, cleared, "every registration", false);
		/* Only the addresses can still be told: the rest went with
		 * the registered email. */
		for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
			if (old[i])
				notify_registration_change(ctx, user, kinds[i], old[i], NULL);
		snprintf(text, sizeof(text), _("Cleared every registration of %s (%s)."), user,
			 cleared);
	}
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		free(old[i]);
	return r < 0 ? admin_fail(fd, PROTO_STATUS_FAILED, text) : admin_ok(fd, text);
}

int admin_clear(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		const struct proto_msg *req)
{
	const char *user = req->field[0], *kind = req->field[1];
	if (!kind[0])
		return clear_all(ctx, fd, peer, user);
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return clear_one(ctx, fd, peer, user, kinds[i]);
	return admin_fail(fd, PROTO_STATUS_INVALID,
			  _("Unknown registration: use email, mobile, office, questions, totp or "
			    "recovery_codes (or none to clear everything)."));
}

static const char *refusal(const struct sspr_conf *conf, const char *user)
{
	enum account_state st;
	if (priv_account_state(conf, user, &st) < 0)
		return N_("Could not read the account state; not unlocked.");
	switch (st) {
	case ACCOUNT_LOCKED:
		return N_("The account is locked by an administrator (passwd -l); not unlocked.");
	case ACCOUNT_EXPIRED:
		return N_("The account has expired (chage -E); not unlocked.");
	case ACCOUNT_SYSTEM:
		return N_("System accounts (below min_uid) are not managed by sspr; not unlocked.");
	case ACCOUNT_NOT_FOUND:
		return N_("The account has no entry in the password backend; not unlocked.");
	default:
		return N_("The account may not be unlocked now.");
	}
}

int admin_unlock(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req)
{
	const char *user = req->field[0];
	char text[256];
	unsigned records = 0;
	int r = priv_faillock_records(&ctx->conf, user, &records);
	if (r == 0)
		r = priv_unlock(&ctx->conf, user);
	if (r == -EPERM) {
		const char *why = refusal(&ctx->conf, user);
		audit(ctx, peer, AUDIT_ADMIN_UNLOCK, user, "", why, true);
		/* The trail keeps the English text; the administrator reads theirs. */
		return admin_fail(fd, PROTO_STATUS_FAILED, _(why));
	}
	if (r < 0) {
		snprintf(text, sizeof(text), _("Could not clear the failed-login records: %s"),
			 strerror(-r));
		return admin_fail(fd, PROTO_STATUS_FAILED, text);
	}
	snprintf(text, sizeof(text), "records=%u", records);
	audit(ctx, peer, AUDIT_ADMIN_UNLOCK, user, "", text, false);
	if (records == 0)
		snprintf(text, sizeof(text),
			 _("%s has no failed-login records: nothing to unlock."), user);
	else
		snprintf(text, sizeof(text),
			 P_("Unlocked %s: cleared %u failed-login record.",
			    "Unlocked %s: cleared %u failed-login records.", records),
			 user, records);
	return admin_ok(fd, text);
}

/* Checks the destination; dest gets the form to send to. NULL or the
 * reason it is refused. */
static const char *test_destination(const struct daemon_ctx *ctx, const char *kind, const char *in,
				    char *dest, size_t destsz, char *masked, size_t maskedsz)
{
	if (strcmp(kind, "email") == 0) {
		if (!email_valid(in) || email_mask(in, masked, maskedsz) < 0)
			return N_("That is not a valid email address.");
		snprintf(dest, destsz, "%s", in);
		return NULL;
	}
	if (strcmp(kind, "sms") != 0)
		return N_("Unknown test: use email or sms.");
	char number[PHONE_MAX + 1];
	if (phone_normalize(in, number) < 0 || !phone_valid(number) ||
	    phone_mask(number, masked, maskedsz) < 0)
		return N_("That is not an E.164 phone number (+ and 8 to 15 digits).");
	if (!phone_prefix_allowed(number, ctx->conf.gw_allowed_prefixes))
		return N_("That number is not allowed by [gateway] allowed_prefixes.");
	snprintf(dest, destsz, "%s", number);
	return NULL;
}

int admin_test(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
	       const struct proto_msg *req)
{
	const char *kind = req->field[0];
	char dest[EMAIL_MAX + 1], masked[EMAIL_MAX + 8], text[512], detail[320];
	const char *why =
	    test_destination(ctx, kind, req->field[1], dest, sizeof(dest), masked, sizeof(masked));
	if (why)
		return admin_fail(fd, PROTO_STATUS_INVALID, _(why));
	bool email = strcmp(kind, "email") == 0;
	int r = email ? notify_test_email(ctx, dest) : notify_test_sms(ctx, dest);
	/* The trail keeps the masked address: it outlives the test. */
	snprintf(detail, sizeof(detail), "to %s%s%s", masked, r < 0 ? ": " : "",
		 r < 0 ? strerror(-r) : "");
	audit(ctx, peer, AUDIT_ADMIN_TEST, "", email ? "email" : "sms", detail, r < 0);
	if (r < 0) {
		snprintf(text, sizeof(text), _("Could not send the test message: %s"),
			 r == -EBUSY
			     ? _("the [limits] budget of text messages and calls is used up")
			     : strerror(-r));
		return admin_fail(fd, PROTO_STATUS_FAILED, text);
	}
	snprintf(text, sizeof(text), _("Test message sent to %s."), dest);
	return admin_ok(fd, text);
}
