/*
 * What ssprd tells people by mail (and SMS): codes, the outcome of a reset
 * or unlock, registration changes and administrators' notices. Every text
 * comes from a template (common/template.h) the site may override. Never a
 * password; a code only in the message that delivers it.
 */
#pragma once

#include <stdbool.h>

#include "ssprd/daemon.h"

/* Where a dialogue came from, for the notices. Any field may be "". */
struct notify_origin {
	const char *service;
	const char *rhost;
	const char *tty;
	const char *methods; /* the verification methods passed */
};

/* A reset code (template "code"). */
int notify_send_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code);
/* The code that confirms a new address during sspr register (template
 * "confirm"). */
int notify_send_confirm_code(struct daemon_ctx *ctx, const char *user, const char *to,
			     const char *code);

/* The code by text message: a reset code (template "sms_code") and the
 * code that confirms a new mobile number during sspr register ("sms_confirm").
 * Short texts, one SMS segment in every catalog. Same returns as
 * gateway_send_sms. */
int notify_sms_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code);
int notify_sms_confirm_code(struct daemon_ctx *ctx, const char *user, const char *to,
			    const char *code);

/* Every message to a user is in the user's saved language (sspr register),
 * else [general] language; administrators' notices and test messages in
 * [general] language. */

/* After a reset (unlocked false) or an unlock: to every registered email
 * address, by SMS to the mobile number when [notify] notify_sms, and to
 * [notify] admins. Failures are logged, not returned: the change is made. */
void notify_outcome(struct daemon_ctx *ctx, const char *user, bool unlocked,
		    const struct notify_origin *o);

/* A registration change: kind is "email", "mobile", "office", "questions",
 * "totp" or "recovery_codes"; old_value and new_value are the addresses or
 * numbers (NULL or "" when there was none / it was removed; NULL for the
 * kinds without one). Mails the old and the new address, and the
 * registered email for the other kinds. */
void notify_registration_change(struct daemon_ctx *ctx, const char *user, const char *kind,
				const char *old_value, const char *new_value);

/* Administrators' notices ([notify] admins): event is AUDIT_CODE_EXHAUSTED
 * (a lockout of the reset flow) or AUDIT_VERIFY_FAILED / AUDIT_CODE_WRONG
 * (only with [notify] admin_failures). Resets and unlocks reach admins
 * through notify_outcome. */
void notify_admins_event(struct daemon_ctx *ctx, const char *event, const char *user,
			 const struct notify_origin *o);

/* The text message and call budget ([limits] sends_per_hour or
 * sends_per_day, named by which, with its value) ran out: a notice to
 * [notify] admins (template "admin_budget"). limits.c sends it once per
 * window. */
void notify_admins_budget(struct daemon_ctx *ctx, const char *which, unsigned budget);

/* ssprctl test-email / test-sms: 0 or negative errno (the reason logged).
 * A test text message counts toward the [limits] budget: -EBUSY beyond it. */
int notify_test_email(struct daemon_ctx *ctx, const char *to);
int notify_test_sms(struct daemon_ctx *ctx, const char *to);
