/*
 * Abuse limits ([limits] of sspr.conf): per account, per source and global,
 * counted in the store so that a restart keeps them. Every function counts
 * what it is asked about and answers -EBUSY when that goes over a limit
 * (the caller then refuses, with the same words for every account); other
 * negative errno on a store error, which callers treat as over the limit
 * (fail closed). Limits apply to any name typed, existing or not, so they
 * reveal nothing about which accounts exist.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssprd/daemon.h"

/* The source of a dialogue as a key: "rhost:<rhost>" when there is one,
 * else "tty:<tty>", else "local". Sanitized: safe in logs. */
void limits_source(const char *rhost, const char *tty, char *out, size_t outsz);

/* A reset dialogue for user starts from source: counts toward the
 * account's and the source's dialogues per hour. -EBUSY over either, or
 * while the account's reset flow is locked (*until, may be NULL, gets the
 * unix time the lock ends; 0 when not locked). */
int limits_dialogue_start(struct daemon_ctx *ctx, const char *user, const char *source,
			  int64_t *until);

/* A code is about to be sent to user (any method, reset or registration):
 * -EBUSY over codes_per_hour or codes_per_day. */
int limits_code_send(struct daemon_ctx *ctx, const char *user);

/* An SMS or a call is about to go out (any user, any purpose): -EBUSY over
 * the global sends_per_hour / sends_per_day budget; the first refusal of a
 * window tells [notify] admins. */
int limits_gateway_send(struct daemon_ctx *ctx);

/* A failed verification (wrong code, answer, authenticator or recovery
 * code; source may be NULL) or a wrong CAPTCHA (user NULL: counts for the
 * source only). -EBUSY when this failure reached [limits] failures for the
 * account (its reset flow is now locked for lockout_minutes) or the
 * source's failures per hour. */
int limits_failure(struct daemon_ctx *ctx, const char *user, const char *source);

/* Whether the account's reset flow is locked now (*until as above). */
bool limits_locked(struct daemon_ctx *ctx, const char *user, int64_t *until);
