/* Shared by the admin_*.c files: admin.c (authorisation, dispatch, show),
 * admin_enroll.c, admin_actions.c (clear, unlock, test-*), admin_query.c
 * (the user enumeration, list, audit) and admin_report.c. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/method.h"
#include "ssprd/admin.h"
#include "ssprd/registration.h"

/* Most users list and report walk: beyond it they refuse rather than
 * answer about a part of the site. */
#define ADMIN_MAX_USERS 100000

/* Send an ERROR line and END with status. */
int admin_fail(int fd, enum proto_status status, const char *text);
/* Send an INFO line and END OK. */
int admin_ok(int fd, const char *text);
/* "uid N": the actor of an administrator's action in the audit trail. */
void admin_actor(const struct ucred *peer, char *out, size_t outsz);
/* Strict decimal: digits only, at most max; "" and anything else is
 * -EINVAL. */
int admin_parse_number(const char *s, uint64_t max, uint64_t *out);
/* Drop the user's live codes sent to the contact of this kind: a code on
 * its way to an address that was just changed or removed must not work. */
void admin_forget_codes(struct daemon_ctx *ctx, const char *user, const char *kind);

int admin_enroll(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req);
int admin_questions(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		    const struct proto_msg *req);
int admin_clear(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		const struct proto_msg *req);
int admin_unlock(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
		 const struct proto_msg *req);
int admin_test(struct daemon_ctx *ctx, int fd, const struct ucred *peer,
	       const struct proto_msg *req);
int admin_list(struct daemon_ctx *ctx, int fd, const struct proto_msg *req);
int admin_audit(struct daemon_ctx *ctx, int fd, const struct proto_msg *req);
int admin_report(struct daemon_ctx *ctx, int fd, const struct proto_msg *req);

/* The users list and report talk about: passwd users with uid >= min_uid
 * enabled for self-service, and every user with data in the store (enabled
 * false when they are not, or no longer, such a user). Sorted by name. */
struct admin_user {
	char *name;
	bool enabled;
	bool in_store; /* has registration data */
};
struct admin_users {
	struct admin_user *v;
	size_t n, cap;
};
/* -E2BIG beyond ADMIN_MAX_USERS; other negative errno when a lookup
 * fails (never a partial list). */
int admin_users_collect(struct daemon_ctx *ctx, struct admin_users *out);
void admin_users_free(struct admin_users *u);

/* The report (admin_report.c), kept apart from the store and the socket
 * so the counting can be tested alone. */
#define ADMIN_EVENT_COUNT 25
extern const char *const admin_event_names[ADMIN_EVENT_COUNT];

struct admin_report {
	unsigned days;
	int64_t since, until;
	uint64_t enabled, registered, unregistered, reconfirm_due;
	uint64_t by_method[METHOD_COUNT];
	uint64_t activity[ADMIN_EVENT_COUNT];
	uint64_t resets[METHOD_COUNT], unlocks[METHOD_COUNT];
	uint64_t passed[METHOD_COUNT], failed[METHOD_COUNT];
};
/* Count one user (only enabled users are counted). */
void admin_report_add_user(struct admin_report *r, bool enabled, const struct registration *reg);
/* Count audit rows: count rows of event with method ("email+sms" counts for
 * each method). Unknown events and methods are ignored. */
void admin_report_add_events(struct admin_report *r, const char *event, const char *method,
			     uint64_t count);
/* The report object (schema in ssprctl(8)); NULL when out of memory. */
json_object *admin_report_json(const struct admin_report *r);
