/*
 * The audit trail: every step of a reset or registration dialogue and
 * every administrator action goes through audit_record, which writes a row
 * to the store's events table, a journal entry with structured fields
 * (SSPR_EVENT=, SSPR_USER=, SSPR_METHOD=, SSPR_SERVICE=, SSPR_RHOST=,
 * SSPR_TTY=, SSPR_ACTOR=) and, for password and registration changes, a
 * USER_CHAUTHTOK record to the Linux audit log as pam_unix writes one.
 * Never pass a code, answer or password: the caller sanitizes.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ssprd/daemon.h"

/* The event names (stable: ssprd(8) documents them, reports count them). */
#define AUDIT_DIALOGUE_STARTED	 "dialogue_started"
#define AUDIT_REFUSED		 "refused" /* not eligible, or nothing usable registered */
#define AUDIT_METHOD_CHOSEN	 "method_chosen"
#define AUDIT_CODE_SENT		 "code_sent"
#define AUDIT_CALL_PLACED	 "call_placed"
#define AUDIT_SEND_FAILED	 "send_failed"
#define AUDIT_VERIFY_PASSED	 "verify_passed"
#define AUDIT_VERIFY_FAILED	 "verify_failed"
#define AUDIT_CODE_WRONG	 "code_wrong"
#define AUDIT_CODE_EXHAUSTED	 "code_exhausted" /* a lockout of the reset flow */
#define AUDIT_VERIFIED		 "verified"
#define AUDIT_RESET		 "reset"
#define AUDIT_RESET_FAILED	 "reset_failed"
#define AUDIT_UNLOCK		 "unlock"
#define AUDIT_CANCELLED		 "cancelled"
#define AUDIT_ABANDONED		 "abandoned" /* timeout or the client went away */
#define AUDIT_RATE_LIMITED	 "rate_limited"
#define AUDIT_REGISTER_STARTED	 "register_started"
#define AUDIT_REGISTER_AUTH_FAIL "register_auth_failed"
#define AUDIT_REGISTER_CHANGED	 "register_changed"
#define AUDIT_REGISTER_CONFIRMED "register_confirmed"
#define AUDIT_ADMIN_ENROLL	 "admin_enroll"
#define AUDIT_ADMIN_CLEAR	 "admin_clear"
#define AUDIT_ADMIN_UNLOCK	 "admin_unlock"
#define AUDIT_ADMIN_TEST	 "admin_test"

struct audit_event {
	const char *event;   /* one of the names above */
	const char *user;    /* the account concerned (sanitized) */
	const char *method;  /* method or contact kind; NULL or "" */
	const char *service; /* PAM service, "sspr" or "ssprctl"; NULL or "" */
	const char *rhost;
	const char *tty;
	const char *actor;  /* NULL/"" the user; "uid N" an administrator */
	const char *detail; /* free text without secrets; NULL or "" */
	bool failed;	    /* for the audit log's res= */
};

/* Record e everywhere (failures are logged, never returned: the step that
 * is audited has already happened). Prunes rows older than audit_days at
 * most once an hour. */
void audit_record(struct daemon_ctx *ctx, const struct audit_event *e);

/* Delete store rows older than conf.audit_days (0: keep all). */
void audit_prune(struct daemon_ctx *ctx, int64_t now);
