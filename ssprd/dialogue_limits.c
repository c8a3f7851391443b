/* The [limits] hooks of the reset dialogue; see dialogue_limits.h. */
#include "ssprd/dialogue_limits.h"

#include <errno.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "ssprd/audit.h"
#include "ssprd/limits.h"

#define SOURCE_MAX (PROTO_MAX_RHOST + 16)

void dlg_audit_limited(struct dialogue *d, const char *detail)
{
	struct audit_event e = {
	    .event = AUDIT_RATE_LIMITED,
	    .user = d->user,
	    .method = d->current >= 0 ? method_name(d->options[d->current].method) : "",
	    .service = d->service,
	    .rhost = d->rhost,
	    .tty = d->tty,
	    .detail = detail,
	    .failed = true,
	};
	audit_record(d->ctx, &e);
}

static int end_locked(struct dialogue *d, const char *why)
{
	log_info("reset for %s stopped: %s", d->user, why);
	dlg_audit_limited(d, why);
	dlg_verify_cleanup(d);
	return dlg_finish_helpdesk(d, PROTO_STATUS_FAILED, _(DLG_TEXT_LOCKED));
}

bool dlg_limits_locked(struct dialogue *d, int *r)
{
	if (!limits_locked(d->ctx, d->user, NULL))
		return false;
	*r = end_locked(d, "reset flow locked");
	return true;
}

bool dlg_limits_failure(struct dialogue *d, int *r)
{
	char source[SOURCE_MAX];
	const char *why;
	limits_source(d->rhost, d->tty, source, sizeof(source));
	int rc = limits_failure(d->ctx, d->user, source);
	if (rc == 0)
		return false;
	/* A failure that cannot be counted stops the flow: fail closed. */
	if (rc != -EBUSY) {
		log_error("reset for %s: could not count a failure: %s", d->user, strerror(-rc));
		why = "the failure could not be counted";
	} else if (limits_locked(d->ctx, d->user, NULL)) {
		why = "reset flow locked: too many failed verifications";
	} else {
		why = "too many failed verifications from this source";
	}
	*r = end_locked(d, why);
	return true;
}

int dlg_limits_send(struct dialogue *d, bool gateway, int *r)
{
	int rc = limits_code_send(d->ctx, d->user);
	if (rc < 0) {
		log_info("reset for %s: no code sent: [limits] codes per account", d->user);
		dlg_audit_limited(d, rc == -EBUSY ? "codes_per_hour or codes_per_day reached"
						  : "the code could not be counted");
		dlg_verify_cleanup(d);
		*r = dlg_finish_helpdesk(d, PROTO_STATUS_FAILED, _(DLG_TEXT_TOO_MANY_CODES));
		return -EBUSY;
	}
	if (gateway && limits_gateway_send(d->ctx) < 0) {
		dlg_audit_limited(d, "text message and call budget used up");
		return -ENOSPC;
	}
	return 0;
}
