/*
 * Decoys against user enumeration ([general] reveal_unregistered = no): an
 * account that cannot reset (unknown, disabled, locked, system, not or not
 * enough registered) gets a made-up registration, derived from a keyed hash
 * of the name, so its menu looks like a real one and is the same each time
 * the name is asked. Nothing here reads the store: the same key and name
 * give the same decoy on any machine.
 *
 * And the timing half: real deliveries (mail, SMS, call) and store writes
 * report how long they took; a decoy waits about as long instead of doing
 * them, so a stopwatch does not tell the two apart either.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/phone.h"
#include "common/validate.h"
#include "ssprd/code.h"
#include "ssprd/store.h"

/* A registration as the reset menu sees it (real or made up). */
struct decoy_profile {
	char email[EMAIL_MAX + 1];  /* "" none */
	char mobile[PHONE_MAX + 1]; /* E.164; "" none */
	char office[PHONE_MAX + 1];
	bool questions;
	bool totp;
	bool recovery;
};

/* The made-up registration of name under key (the daemon's code key; the
 * decoy key is a subkey of it): only methods the site offers, at least
 * conf->required different ones when the site's settings allow that, an
 * address at the site's mail domain or a common provider, numbers with a
 * country code from allowed_prefixes (else the gateway's own, else a
 * common one). */
void decoy_profile(const struct sspr_conf *conf, const uint8_t key[CODE_KEY_SIZE], const char *name,
		   struct decoy_profile *out);

/* Which want of total items (total >= want, want <= 64) the decoy of name
 * asks, as indexes in idx, always the same ones in the same order. */
void decoy_pick(const uint8_t key[CODE_KEY_SIZE], const char *name, size_t total, size_t want,
		unsigned *idx);

/* The number of questions the pool offers to decoys (0 when it cannot be
 * read). */
size_t decoy_pool_size(const struct sspr_conf *conf);

enum decoy_kind {
	DECOY_MAIL,
	DECOY_SMS,
	DECOY_CALL,
	DECOY_STORE_WRITE, /* one audit row */
	DECOY_KIND_COUNT,
};

/* Microseconds on the monotonic clock. */
int64_t decoy_now_us(void);
/* A real one of kind took us microseconds (successful ones only). */
void decoy_timing_record(enum decoy_kind kind, int64_t us);
/* A real one of kind failed after us microseconds (the relay or gateway
 * is down, say). */
void decoy_timing_failed(enum decoy_kind kind, int64_t us);
/* Whether a decoy of kind fails now, as real ones do: the last real one
 * failed, less than 10 minutes ago, with no success since. *us: how long
 * that failure took. */
bool decoy_timing_failing(enum decoy_kind kind, int64_t *us);
/* How long a decoy of kind waits now: the median of the recent real ones
 * (a fixed estimate before the first) plus jitter as wide as their median
 * absolute deviation. */
int64_t decoy_timing_delay(enum decoy_kind kind);
/* Sleep decoy_timing_delay(kind), or us microseconds. */
void decoy_wait(enum decoy_kind kind);
void decoy_sleep_us(int64_t us);
/* Forget every sample (tests). */
void decoy_timing_reset(void);

/* A decoy's codes: nothing is sent and no code exists, but a decoy's code
 * prompt must count wrong tries, expire and be replaced exactly as
 * code_issue and code_check do for a real one (a resend keeps the tries
 * of a live code, across dialogues too; a newer request voids an older
 * one). Kept in memory, per name and method; the oldest entries make room
 * when the table is full. */
void decoy_code_issue(const char *user, const char *method,
		      const uint8_t request[STORE_REQUEST_SIZE], unsigned ttl, int64_t now);
/* As code_check, for a code that no typed text matches. */
void decoy_code_check(const char *user, const char *method,
		      const uint8_t request[STORE_REQUEST_SIZE], unsigned max_attempts, int64_t now,
		      enum code_result *result, unsigned *left);
/* Forget every decoy code (tests). */
void decoy_code_reset(void);
