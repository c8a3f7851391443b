/* ssprctl report: who is enabled and registered, and what the audit trail
 * counted over the last days. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "ssprd/admin_internal.h"
#include "ssprd/admin_json.h"
#include "ssprd/audit.h"
#include "ssprd/conn.h"

#define DAY_S	 86400
#define MAX_DAYS 3650

const char *const admin_event_names[ADMIN_EVENT_COUNT] = {
    AUDIT_DIALOGUE_STARTED,   AUDIT_REFUSED,	      AUDIT_METHOD_CHOSEN,
    AUDIT_CODE_SENT,	      AUDIT_CALL_PLACED,      AUDIT_SEND_FAILED,
    AUDIT_VERIFY_PASSED,      AUDIT_VERIFY_FAILED,    AUDIT_CODE_WRONG,
    AUDIT_CODE_EXHAUSTED,     AUDIT_VERIFIED,	      AUDIT_RESET,
    AUDIT_RESET_FAILED,	      AUDIT_UNLOCK,	      AUDIT_CANCELLED,
    AUDIT_ABANDONED,	      AUDIT_RATE_LIMITED,     AUDIT_REGISTER_STARTED,
    AUDIT_REGISTER_AUTH_FAIL, AUDIT_REGISTER_CHANGED, AUDIT_REGISTER_CONFIRMED,
    AUDIT_ADMIN_ENROLL,	      AUDIT_ADMIN_CLEAR,      AUDIT_ADMIN_UNLOCK,
    AUDIT_ADMIN_TEST,
};

void admin_report_add_user(struct admin_report *r, bool enabled, const struct registration *reg)
{
	if (!enabled)
		return;
	r->enabled++;
	if (reg->meets)
		r->registered++;
	else
		r->unregistered++;
	if (reg->reconfirm_due)
		r->reconfirm_due++;
	for (unsigned m = 0; m < METHOD_COUNT; m++)
		if (reg->registered & METHOD_BIT(m))
			r->by_method[m]++;
}

/* Add count to per[m] for every method named in "email+sms". */
static void add_methods(uint64_t per[METHOD_COUNT], const char *methods, uint64_t count)
{
	char name[32];
	const char *p = methods ? methods : "";
	while (*p) {
		size_t len = strcspn(p, "+");
		enum method m;
		if (len < sizeof(name)) {
			memcpy(name, p, len);
			name[len] = '\0';
			if (method_from_name(name, &m) == 0)
				per[m] += count;
		}
		p += len;
		if (*p == '+')
			p++;
	}
}

void admin_report_add_events(struct admin_report *r, const char *event, const char *method,
			     uint64_t count)
{
	if (!event)
		return;
	for (size_t i = 0; i < ADMIN_EVENT_COUNT; i++)
		if (strcmp(event, admin_event_names[i]) == 0)
			r->activity[i] += count;
	if (strcmp(event, AUDIT_RESET) == 0)
		add_methods(r->resets, method, count);
	else if (strcmp(event, AUDIT_UNLOCK) == 0)
		add_methods(r->unlocks, method, count);
	else if (strcmp(event, AUDIT_VERIFY_PASSED) == 0)
		add_methods(r->passed, method, count);
	else if (strcmp(event, AUDIT_VERIFY_FAILED) == 0 || strcmp(event, AUDIT_CODE_WRONG) == 0 ||
		 strcmp(event, AUDIT_CODE_EXHAUSTED) == 0)
		add_methods(r->failed, method, count);
}

static int add_counts(json_object *o, const char *key, const uint64_t *v, size_t n,
		      const char *(*name)(size_t))
{
	json_object *m = json_object_new_object();
	int r = m ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && r == 0; i++)
		r = admin_json_add_int(m, name(i), (int64_t)v[i]);
	if (r < 0) {
		json_object_put(m);
		return r;
	}
	return admin_json_add(o, key, m);
}

static const char *method_at(size_t i)
{
	return method_name((enum method)i);
}

static const char *event_at(size_t i)
{
	return admin_event_names[i];
}

static json_object *users_json(const struct admin_report *r)
{
	json_object *u = json_object_new_object();
	if (!u)
		return NULL;
	int e = admin_json_add_int(u, "enabled", (int64_t)r->enabled);
	if (e == 0)
		e = admin_json_add_int(u, "registered", (int64_t)r->registered);
	if (e == 0)
		e = admin_json_add_int(u, "unregistered", (int64_t)r->unregistered);
	if (e == 0)
		e = admin_json_add_int(u, "reconfirm_due", (int64_t)r->reconfirm_due);
	if (e == 0)
		e = add_counts(u, "by_method", r->by_method, METHOD_COUNT, method_at);
	if (e < 0) {
		json_object_put(u);
		return NULL;
	}
	return u;
}

static json_object *verifications_json(const struct admin_report *r)
{
	json_object *v = json_object_new_object();
	int e = v ? 0 : -ENOMEM;
	for (unsigned m = 0; m < METHOD_COUNT && e == 0; m++) {
		json_object *pf = json_object_new_object();
		e = pf ? admin_json_add_int(pf, "passed", (int64_t)r->passed[m]) : -ENOMEM;
		if (e == 0)
			e = admin_json_add_int(pf, "failed", (int64_t)r->failed[m]);
		if (e == 0)
			e = admin_json_add(v, method_name((enum method)m), pf);
		else
			json_object_put(pf);
	}
	if (e < 0) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

json_object *admin_report_json(const struct admin_report *r)
{
	json_object *o = json_object_new_object();
	if (!o)
		return NULL;
	int e = admin_json_add_int(o, "days", r->days);
	if (e == 0)
		e = admin_json_add_time(o, "since", r->since);
	if (e == 0)
		e = admin_json_add_time(o, "until", r->until);
	if (e == 0)
		e = admin_json_add(o, "users", users_json(r));
	if (e == 0)
		e = add_counts(o, "activity", r->activity, ADMIN_EVENT_COUNT, event_at);
	if (e == 0)
		e = add_counts(o, "resets_by_method", r->resets, METHOD_COUNT, method_at);
	if (e == 0)
		e = add_counts(o, "unlocks_by_method", r->unlocks, METHOD_COUNT, method_at);
	if (e == 0)
		e = admin_json_add(o, "verifications_by_method", verifications_json(r));
	if (e < 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int count_events(void *userdata, const char *event, const char *method, unsigned count)
{
	admin_report_add_events(userdata, event, method, count);
	return 0;
}

static int gather(struct daemon_ctx *ctx, struct admin_report *rep)
{
	struct admin_users u;
	int r = admin_users_collect(ctx, &u);
	for (size_t i = 0; i < u.n && r == 0; i++) {
		struct registration reg;
		if (!u.v[i].enabled)
			continue;
		r = registration_get(ctx, u.v[i].name, rep->until, &reg);
		if (r == 0)
			admin_report_add_user(rep, true, &reg);
	}
	admin_users_free(&u);
	if (r == 0)
		r = store_events_count(ctx->store, rep->since, count_events, rep);
	return r;
}

int admin_report(struct daemon_ctx *ctx, int fd, const struct proto_msg *req)
{
	uint64_t days = 0;
	if (admin_parse_number(req->field[0], MAX_DAYS, &days) < 0 || days == 0)
		return admin_fail(fd, PROTO_STATUS_INVALID,
				  _("days must be a number from 1 to 3650."));
	struct admin_report rep = {.days = (unsigned)days, .until = (int64_t)time(NULL)};
	rep.since = rep.until - (int64_t)days * DAY_S;
	int r = gather(ctx, &rep);
	if (r == -E2BIG)
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  _("More than 100000 users: too many for a report."));
	if (r < 0) {
		log_error("report: %s", strerror(-r));
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  _("Could not read the user database or the store."));
	}
	json_object *o = admin_report_json(&rep);
	r = o ? admin_send_json(fd, o) : -ENOMEM;
	json_object_put(o);
	if (r == -ENOMEM || r == -E2BIG)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not build the report."));
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}
