/* The [limits] hooks of the reset dialogue's verification
 * (dialogue_verify.c): every refusal has the same words for every account,
 * existing or not, whatever limit it was; the log and the audit trail
 * (AUDIT_RATE_LIMITED) say which. */
#pragma once

#include <stdbool.h>

#include "common/i18n.h"

#include "ssprd/dialogue_internal.h"

/* The user's words. */
#define DLG_TEXT_TOO_MANY_CODES N_("Too many codes were sent recently. Try again later.")
#define DLG_TEXT_LOCKED		N_("Too many failed attempts. Password recovery is locked for a while.")

/* Audit a refusal by the limits (detail: which, never shown to the user). */
void dlg_audit_limited(struct dialogue *d, const char *detail);

/* While the account's reset flow is locked (by this or another dialogue):
 * true, with the dialogue ended and *r the result to return. */
bool dlg_limits_locked(struct dialogue *d, int *r);

/* Count a failed verification toward the account's and the source's
 * limits: true when that stops the reset flow, the dialogue ended as
 * above. */
bool dlg_limits_failure(struct dialogue *d, int *r);

/* Before a code goes out or a call is placed (gateway: by text or call).
 * 0: go ahead. -EBUSY: too many codes for the account, the dialogue ended
 * (*r its result). -ENOSPC: the budget for texts and calls is used up
 * (audited; the caller treats it as a failed delivery). */
int dlg_limits_send(struct dialogue *d, bool gateway, int *r);
