/* The audit trail: the store's events table, the journal with structured
 * fields, and the Linux audit log for changes to accounts. */
#include "ssprd/audit.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/priv.h"

#define PRUNE_INTERVAL 3600
#define FIELD_MAX      1024

static _Atomic int64_t last_prune;

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The Linux audit log's operation for events that change an account
 * (NULL: not written there). */
static const char *audit_op(const char *event)
{
	static const struct {
		const char *event, *op;
	} ops[] = {
	    {AUDIT_RESET, "sspr-reset-password"},
	    {AUDIT_RESET_FAILED, "sspr-reset-password"},
	    {AUDIT_UNLOCK, "sspr-unlock"},
	    {AUDIT_REGISTER_CHANGED, "sspr-change-registration"},
	    {AUDIT_ADMIN_ENROLL, "sspr-admin-enroll"},
	    {AUDIT_ADMIN_CLEAR, "sspr-admin-clear"},
	    {AUDIT_ADMIN_UNLOCK, "sspr-admin-unlock"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(event, ops[i].event) == 0)
			return ops[i].op;
	return NULL;
}

static bool is_failure(const struct audit_event *e)
{
	return e->failed || strcmp(e->event, AUDIT_RESET_FAILED) == 0;
}

static int priority(const struct audit_event *e)
{
	static const char *const warn[] = {AUDIT_VERIFY_FAILED,	 AUDIT_CODE_WRONG,
					   AUDIT_CODE_EXHAUSTED, AUDIT_RESET_FAILED,
					   AUDIT_RATE_LIMITED,	 AUDIT_REGISTER_AUTH_FAIL};
	for (size_t i = 0; i < ARRAY_SIZE(warn); i++)
		if (strcmp(e->event, warn[i]) == 0)
			return LOG_WARNING;
	return audit_op(e->event) ? LOG_NOTICE : LOG_INFO;
}

/* Like pam_unix: a USER_CHAUTHTOK record. Written by the privileged side
 * (priv.h), which alone keeps CAP_AUDIT_WRITE once ssprd has split. */
static void linux_audit(const struct audit_event *e, const char *op)
{
	int r = priv_linux_audit(op, e->user, e->rhost, e->tty, !is_failure(e));
	if (r < 0)
		log_warning("audit: no Linux audit record for %s: %s", e->event, strerror(-r));
}

static void add_field(struct iovec *iov, int *n, char bufs[][FIELD_MAX], const char *name,
		      const char *value)
{
	if (!value || !value[0])
		return;
	int len = snprintf(bufs[*n], FIELD_MAX, "%s=%s", name, value);
	iov[*n].iov_base = bufs[*n];
	iov[*n].iov_len = len < FIELD_MAX ? (size_t)len : FIELD_MAX - 1;
	(*n)++;
}

static void journal(const struct audit_event *e)
{
	char msg[FIELD_MAX], prio[16];
	int m = snprintf(msg, sizeof(msg), "audit: %s for %s", e->event, nz(e->user));
	static const struct {
		const char *label;
		size_t off;
	} parts[] = {
	    {"by", offsetof(struct audit_event, actor)},
	    {"method", offsetof(struct audit_event, method)},
	    {"service", offsetof(struct audit_event, service)},
	    {"rhost", offsetof(struct audit_event, rhost)},
	    {"tty", offsetof(struct audit_event, tty)},
	};
	for (size_t i = 0; i < ARRAY_SIZE(parts) && m > 0 && (size_t)m < sizeof(msg); i++) {
		const char *v = *(const char *const *)((const char *)e + parts[i].off);
		if (v && v[0])
			m +=
			    snprintf(msg + m, sizeof(msg) - (size_t)m, " %s %s", parts[i].label, v);
	}
	if (e->detail && e->detail[0] && m > 0 && (size_t)m < sizeof(msg))
		snprintf(msg + m, sizeof(msg) - (size_t)m, ": %s", e->detail);
	snprintf(prio, sizeof(prio), "%d", priority(e));

	struct iovec iov[12];
	char bufs[12][FIELD_MAX];
	int n = 0;
	add_field(iov, &n, bufs, "MESSAGE", msg);
	add_field(iov, &n, bufs, "PRIORITY", prio);
	add_field(iov, &n, bufs, "SSPR_EVENT", e->event);
	add_field(iov, &n, bufs, "SSPR_USER", e->user);
	add_field(iov, &n, bufs, "SSPR_METHOD", e->method);
	add_field(iov, &n, bufs, "SSPR_SERVICE", e->service);
	add_field(iov, &n, bufs, "SSPR_RHOST", e->rhost);
	add_field(iov, &n, bufs, "SSPR_TTY", e->tty);
	add_field(iov, &n, bufs, "SSPR_ACTOR", e->actor);
	add_field(iov, &n, bufs, "SSPR_DETAIL", e->detail);
	/* Without journald (a test, a container) there is only the store. */
	sd_journal_sendv(iov, n);
}

static void prune_rows(struct daemon_ctx *ctx, int64_t now)
{
	unsigned days = ctx->conf.audit_days, deleted = 0;
	if (days == 0)
		return;
	if (store_events_prune(ctx->store, now - (int64_t)days * 86400, &deleted) < 0)
		log_warning("audit: could not delete rows older than %u days", days);
	else if (deleted > 0)
		log_info("audit: deleted %u row%s older than %u days", deleted,
			 deleted == 1 ? "" : "s", days);
}

void audit_prune(struct daemon_ctx *ctx, int64_t now)
{
	atomic_store(&last_prune, now);
	prune_rows(ctx, now);
}

void audit_record(struct daemon_ctx *ctx, const struct audit_event *e)
{
	if (!e || !e->event)
		return;
	int64_t now = (int64_t)time(NULL);
	struct store_event row = {.time = now,
				  .user = e->user,
				  .event = e->event,
				  .method = e->method,
				  .service = e->service,
				  .rhost = e->rhost,
				  .tty = e->tty,
				  .actor = e->actor,
				  .detail = e->detail};
	if (!ctx->store || store_event_insert(ctx->store, &row, NULL) < 0)
		log_error("audit: could not store the %s event for %s", e->event, nz(e->user));
	journal(e);
	const char *op = audit_op(e->event);
	if (op)
		linux_audit(e, op);
	/* One thread wins the hour's prune; the others go on. */
	int64_t last = atomic_load(&last_prune);
	if (ctx->store && now - last >= PRUNE_INTERVAL &&
	    atomic_compare_exchange_strong(&last_prune, &last, now))
		prune_rows(ctx, now);
}
