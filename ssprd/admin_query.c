/* ssprctl list and audit, and the user enumeration list and report share. */
#include <errno.h>
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/access.h"
#include "ssprd/admin_internal.h"
#include "ssprd/admin_json.h"
#include "ssprd/conn.h"

#define PW_BUF_MAX	   (1u << 20)
#define AUDIT_DEFAULT_ROWS 1000

/* getpwent_r walks one process-wide stream. */
static pthread_mutex_t pwent_lock = PTHREAD_MUTEX_INITIALIZER;

static int users_push(struct admin_users *u, const char *name, bool enabled)
{
	if (u->n >= ADMIN_MAX_USERS)
		return -E2BIG;
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 256;
		struct admin_user *v = realloc(u->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		u->v = v;
		u->cap = cap;
	}
	u->v[u->n].name = strdup(name);
	if (!u->v[u->n].name)
		return -ENOMEM;
	u->v[u->n].in_store = false;
	u->v[u->n++].enabled = enabled;
	return 0;
}

void admin_users_free(struct admin_users *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n; i++)
		free(u->v[i].name);
	free(u->v);
	memset(u, 0, sizeof(*u));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct admin_user *)a)->name, ((const struct admin_user *)b)->name);
}

/* Passwd users with uid >= min_uid (enabled not judged yet). */
static int walk_passwd(unsigned min_uid, struct admin_users *out)
{
	size_t size = 16384;
	char *buf = malloc(size);
	int r = 0;
	if (!buf)
		return -ENOMEM;
	pthread_mutex_lock(&pwent_lock);
	setpwent();
	while (r == 0) {
		struct passwd pw, *res = NULL;
		int e = getpwent_r(&pw, buf, size, &res);
		if (e == ERANGE) {
			char *bigger = size < PW_BUF_MAX ? realloc(buf, size * 2) : NULL;
			if (!bigger) {
				r = -ERANGE;
				break;
			}
			buf = bigger;
			size *= 2;
			continue;
		}
		if (e == ENOENT || (e == 0 && !res))
			break;
		if (e != 0) {
			r = -e;
			break;
		}
		if (pw.pw_uid != 0 && pw.pw_uid >= min_uid && username_valid(pw.pw_name))
			r = users_push(out, pw.pw_name, false);
	}
	endpwent();
	pthread_mutex_unlock(&pwent_lock);
	free(buf);
	return r;
}

struct registered_walk {
	struct admin_users *u;
	size_t walked; /* v[0..walked): the sorted passwd users */
};

static int add_registered(void *userdata, const char *user)
{
	struct registered_walk *w = userdata;
	size_t lo = 0, hi = w->walked;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(w->u->v[mid].name, user);
		if (c == 0) {
			w->u->v[mid].in_store = true;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	int r = users_push(w->u, user, false);
	if (r == 0)
		w->u->v[w->u->n - 1].in_store = true;
	return r;
}

/* Whether user may reset here: a known account above min_uid in an
 * enabled group. */
static int judge(const struct sspr_conf *conf, const char *user, bool *enabled)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	*enabled = false;
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (!res || pw.pw_uid == 0 || pw.pw_uid < conf->min_uid)
		return 0;
	return access_user_enabled(conf, user, enabled);
}

int admin_users_collect(struct daemon_ctx *ctx, struct admin_users *out)
{
	memset(out, 0, sizeof(*out));
	int r = walk_passwd(ctx->conf.min_uid, out);
	if (r == 0 && out->n > 0) {
		qsort(out->v, out->n, sizeof(*out->v), by_name);
		/* Several NSS sources may know the same name. */
		size_t k = 1;
		for (size_t i = 1; i < out->n; i++) {
			if (strcmp(out->v[i].name, out->v[k - 1].name) == 0)
				free(out->v[i].name);
			else
				out->v[k++] = out->v[i];
		}
		out->n = k;
	}
	for (size_t i = 0; i < out->n && r == 0; i++)
		r = access_user_enabled(&ctx->conf, out->v[i].name, &out->v[i].enabled);
	struct registered_walk w = {out, out->n};
	if (r == 0)
		r = store_registered_users(ctx->store, add_registered, &w);
	for (size_t i = w.walked; i < out->n && r == 0; i++)
		r = judge(&ctx->conf, out->v[i].name, &out->v[i].enabled);
	if (r == 0) {
		/* Passwd users who may not reset and have nothing stored are
		 * none of the admin's business here. */
		size_t k = 0;
		for (size_t i = 0; i < out->n; i++) {
			if (out->v[i].enabled || out->v[i].in_store)
				out->v[k++] = out->v[i];
			else
				free(out->v[i].name);
		}
		out->n = k;
		qsort(out->v, out->n, sizeof(*out->v), by_name);
	}
	if (r < 0)
		admin_users_free(out);
	return r;
}

static int add_methods(json_object *o, const char *key, unsigned bits)
{
	json_object *a = json_object_new_array();
	int r = a ? 0 : -ENOMEM;
	for (unsigned m = 0; m < METHOD_COUNT && r == 0; m++) {
		if (!(bits & METHOD_BIT(m)))
			continue;
		json_object *s = json_object_new_string(method_name((enum method)m));
		if (!s || json_object_array_add(a, s) != 0) {
			json_object_put(s);
			r = -ENOMEM;
		}
	}
	if (r < 0) {
		json_object_put(a);
		return r;
	}
	return admin_json_add(o, key, a);
}

/* One list row as text into *text, or *text NULL when the filter drops the
 * user. */
static int list_row(struct daemon_ctx *ctx, const struct admin_user *u, int64_t now,
		    bool unregistered, char **text)
{
	struct registration reg;
	*text = NULL;
	if (unregistered && !u->enabled)
		return 0;
	int r = registration_get(ctx, u->name, now, &reg);
	if (r < 0)
		return r;
	if (unregistered && reg.meets)
		return 0;
	json_object *o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	r = admin_json_add_str(o, "user", u->name);
	if (r == 0)
		r = admin_json_add_bool(o, "enabled", u->enabled);
	if (r == 0)
		r = add_methods(o, "registered", reg.registered);
	if (r == 0)
		r = add_methods(o, "usable", reg.usable);
	if (r == 0)
		r = admin_json_add_bool(o, "meets_requirements", reg.meets);
	if (r == 0)
		r = admin_json_add_time(o, "confirmed", reg.confirmed);
	if (r == 0)
		r = admin_json_add_bool(o, "reconfirm_due", reg.reconfirm_due);
	if (r == 0)
		r = admin_json_text(o, text);
	json_object_put(o);
	return r;
}

int admin_list(struct daemon_ctx *ctx, int fd, const struct proto_msg *req)
{
	const char *filter = req->field[0];
	bool unregistered = strcmp(filter, "unregistered") == 0;
	if (filter[0] && !unregistered)
		return admin_fail(fd, PROTO_STATUS_INVALID,
				  _("Unknown filter: use unregistered (or none for every user)."));
	struct admin_users u;
	int r = admin_users_collect(ctx, &u);
	if (r == -E2BIG)
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  _("More than 100000 users: too many to list."));
	if (r < 0) {
		log_error("listing users: %s", strerror(-r));
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  _("Could not read the user database or the store."));
	}
	int64_t now = (int64_t)time(NULL);
	int sent = 0;
	for (size_t i = 0; i < u.n && r == 0 && sent == 0; i++) {
		char *text = NULL;
		r = list_row(ctx, &u.v[i], now, unregistered, &text);
		if (r == 0 && text)
			sent = conn_send_text(fd, PROTO_DATA, text);
		free(text);
	}
	admin_users_free(&u);
	if (sent < 0)
		return sent;
	if (r < 0)
		return admin_fail(fd, PROTO_STATUS_FAILED,
				  r == -E2BIG
				      ? _("A row is too long to send: the list is incomplete.")
				      : _("Could not read the store: the list is incomplete."));
	return conn_send_end(fd, PROTO_STATUS_OK);
}

struct audit_rows {
	char **v;
	size_t n, cap;
};

static void audit_rows_free(struct audit_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		free(rows->v[i]);
	free(rows->v);
}

static int audit_json(const struct store_event *e, char **text)
{
	json_object *o = json_object_new_object();
	if (!o)
		return -ENOMEM;
	int r = admin_json_add_int(o, "id", e->id);
	if (r == 0)
		r = admin_json_add_time(o, "time", e->time);
	static const char *const keys[] = {"user",  "event", "method", "service",
					   "rhost", "tty",   "actor",  "detail"};
	const char *vals[] = {e->user,	e->event, e->method, e->service,
			      e->rhost, e->tty,	  e->actor,  e->detail};
	for (size_t i = 0; i < ARRAY_SIZE(keys) && r == 0; i++)
		r = admin_json_add_str(o, keys[i], vals[i]);
	if (r == 0)
		r = admin_json_text(o, text);
	json_object_put(o);
	return r;
}

/* Rows are gathered first: the store walk does not wait on a slow client,
 * and a row that cannot be sent stops the answer before any is sent. */
static int audit_row(void *userdata, const struct store_event *e)
{
	struct audit_rows *rows = userdata;
	if (rows->n == rows->cap) {
		size_t cap = rows->cap ? rows->cap * 2 : 64;
		char **v = realloc(rows->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		rows->v = v;
		rows->cap = cap;
	}
	char *text = NULL;
	int r = audit_json(e, &text);
	if (r == 0)
		rows->v[rows->n++] = text;
	return r;
}

int admin_audit(struct daemon_ctx *ctx, int fd, const struct proto_msg *req)
{
	const char *user = req->field[0];
	uint64_t since = 0, limit = AUDIT_DEFAULT_ROWS;
	if (user[0] && !username_valid(user))
		return admin_fail(fd, PROTO_STATUS_INVALID, _("That is not a valid user name."));
	if (req->field[1][0] && admin_parse_number(req->field[1], INT64_MAX, &since) < 0)
		return admin_fail(fd, PROTO_STATUS_INVALID,
				  _("since must be a unix time (decimal seconds)."));
	if (req->field[2][0] &&
	    (admin_parse_number(req->field[2], PROTO_MAX_AUDIT_ROWS, &limit) < 0 || limit == 0))
		return admin_fail(fd, PROTO_STATUS_INVALID,
				  _("limit must be a number from 1 to 10000."));
	struct audit_rows rows = {0};
	int r = store_events_query(ctx->store, user[0] ? user : NULL, (int64_t)since,
				   (unsigned)limit, audit_row, &rows);
	for (size_t i = 0; i < rows.n && r == 0; i++)
		r = conn_send_text(fd, PROTO_DATA, rows.v[i]);
	audit_rows_free(&rows);
	if (r == -E2BIG)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("An audit row is too long to send."));
	if (r < 0 && r != -EPIPE && r != -ECONNRESET && r != -ETIMEDOUT)
		return admin_fail(fd, PROTO_STATUS_FAILED, _("Could not read the audit trail."));
	return r < 0 ? r : conn_send_end(fd, PROTO_STATUS_OK);
}
