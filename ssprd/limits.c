/* Abuse limits ([limits]): sliding windows over hits kept in the store.
 * A check and the hit it allows happen under store_lock, so concurrent
 * dialogues cannot both take the last slot. A refused attempt is not
 * counted: a flood against an account or source does not keep it refused
 * longer than the window once it stops. Failures are always counted. */
#include "ssprd/limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/validate.h"
#include "ssprd/audit.h"
#include "ssprd/limits_internal.h"
#include "ssprd/notify.h"
#include "ssprd/store.h"

#define HOUR 3600
#define DAY  86400
/* The part of an rhost or tty kept in a source key. */
#define SOURCE_TEXT_MAX 200
/* Housekeeping of old hits, at most this often. */
#define PRUNE_EVERY 60

static int64_t real_now(void)
{
	return (int64_t)time(NULL);
}

int64_t (*limits_now)(void) = real_now;

/* Under store_lock. */
static int64_t last_prune;

void limits_source(const char *rhost, const char *tty, char *out, size_t outsz)
{
	char text[SOURCE_TEXT_MAX + 1];
	const char *kind = "rhost";
	if (!outsz)
		return;
	if (rhost && rhost[0]) {
		/* Host names are case-insensitive: one host, one key. */
		sanitize_for_log(rhost, text, sizeof(text));
		for (char *p = text; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	} else if (tty && tty[0]) {
		kind = "tty";
		sanitize_for_log(strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty, text, sizeof(text));
	} else {
		snprintf(out, outsz, "local");
		return;
	}
	snprintf(out, outsz, "%s:%s", kind, text);
}

/* "<prefix>:<name>:<what>"; the fixed suffixes keep keys of different
 * names apart whatever the names contain. */
static int make_key(char *key, const char *prefix, const char *name, const char *what)
{
	size_t n = (size_t)snprintf(key, STORE_LIMIT_KEY_MAX + 1, "%s:%s:%s", prefix, name, what);
	return n > STORE_LIMIT_KEY_MAX ? -ENAMETOOLONG : 0;
}

static void prune(struct store *s, int64_t now)
{
	if (now - last_prune < PRUNE_EVERY && now >= last_prune)
		return;
	last_prune = now;
	if (store_limits_prune(s, now) < 0)
		log_warning("limits: could not drop old counts");
}

/* 0 while key has fewer than max hits within window; -EBUSY at max. */
static int below(struct store *s, const char *key, int64_t window, unsigned max, int64_t now)
{
	unsigned count;
	int r = store_limit_count(s, key, window, now, &count);
	if (r < 0)
		return r;
	return count >= max ? -EBUSY : 0;
}

static int user_locked(struct store *s, const char *user, int64_t now, int64_t *until)
{
	char key[STORE_LIMIT_KEY_MAX + 1];
	int64_t end = 0;
	int r = make_key(key, "user", user, "reset");
	if (r == 0)
		r = store_limit_locked(s, key, now, &end);
	if (until)
		*until = end;
	if (r < 0)
		return r;
	return end ? -EBUSY : 0;
}

int limits_dialogue_start(struct daemon_ctx *ctx, const char *user, const char *source,
			  int64_t *until)
{
	const struct sspr_conf *c = &ctx->conf;
	struct store *s = ctx->store;
	char ukey[STORE_LIMIT_KEY_MAX + 1], skey[STORE_LIMIT_KEY_MAX + 1];
	char sfail[STORE_LIMIT_KEY_MAX + 1];
	int64_t now = limits_now();
	int r = 0;
	if (until)
		*until = 0;
	if (user)
		r = make_key(ukey, "user", user, "dialogue");
	if (r == 0 && source)
		r = make_key(skey, "src", source, "dialogue");
	if (r == 0 && source)
		r = make_key(sfail, "src", source, "fail");
	if (r < 0)
		return r;
	store_lock(s);
	prune(s, now);
	if (user)
		r = user_locked(s, user, now, until);
	/* A source that used up its failures starts nothing new either. */
	if (r == 0 && source)
		r = below(s, sfail, HOUR, c->source_failures_per_hour, now);
	if (r == 0 && user)
		r = below(s, ukey, HOUR, c->dialogues_per_hour, now);
	if (r == 0 && source)
		r = below(s, skey, HOUR, c->source_dialogues_per_hour, now);
	if (r == 0 && user)
		r = store_limit_hit(s, ukey, now);
	if (r == 0 && source)
		r = store_limit_hit(s, skey, now);
	store_unlock(s);
	return r;
}

int limits_code_send(struct daemon_ctx *ctx, const char *user)
{
	const struct sspr_conf *c = &ctx->conf;
	char key[STORE_LIMIT_KEY_MAX + 1];
	int64_t now = limits_now();
	int r = make_key(key, "user", user ? user : "", "code");
	if (r < 0)
		return r;
	store_lock(ctx->store);
	prune(ctx->store, now);
	r = below(ctx->store, key, HOUR, c->codes_per_hour, now);
	if (r == 0)
		r = below(ctx->store, key, DAY, c->codes_per_day, now);
	if (r == 0)
		r = store_limit_hit(ctx->store, key, now);
	store_unlock(ctx->store);
	return r;
}

/* The admins hear once per window that the budget ran out: a marker lock
 * for the rest of the window, kept in the store like the counts. */
static bool first_refusal(struct store *s, const char *marker, int64_t window, int64_t now)
{
	int64_t until = 0;
	if (store_limit_locked(s, marker, now, &until) < 0 || until)
		return false;
	return store_limit_lock(s, marker, now + window) == 0;
}

int limits_gateway_send(struct daemon_ctx *ctx)
{
	const struct sspr_conf *c = &ctx->conf;
	static const char key[] = "global:send";
	int64_t now = limits_now();
	const char *which = NULL;
	unsigned budget = 0;
	bool tell = false;
	store_lock(ctx->store);
	prune(ctx->store, now);
	int r = below(ctx->store, key, HOUR, c->sends_per_hour, now);
	if (r == -EBUSY) {
		which = "sends_per_hour";
		budget = c->sends_per_hour;
		tell = first_refusal(ctx->store, "global:send:told-hour", HOUR, now);
	}
	if (r == 0) {
		r = below(ctx->store, key, DAY, c->sends_per_day, now);
		if (r == -EBUSY) {
			which = "sends_per_day";
			budget = c->sends_per_day;
			tell = first_refusal(ctx->store, "global:send:told-day", DAY, now);
		}
	}
	if (r == 0)
		r = store_limit_hit(ctx->store, key, now);
	store_unlock(ctx->store);
	if (!tell)
		return r;
	/* Outside the lock: a slow mail server holds up no dialogue's count. */
	char detail[128];
	snprintf(detail, sizeof(detail), "%s = %u reached: text messages and calls refused", which,
		 budget);
	log_warning("limits: %s", detail);
	struct audit_event e = {
	    .event = AUDIT_RATE_LIMITED, .user = "", .detail = detail, .failed = true};
	audit_record(ctx, &e);
	notify_admins_budget(ctx, which, budget);
	return r;
}

int limits_failure(struct daemon_ctx *ctx, const char *user, const char *source)
{
	const struct sspr_conf *c = &ctx->conf;
	struct store *s = ctx->store;
	char ukey[STORE_LIMIT_KEY_MAX + 1], lkey[STORE_LIMIT_KEY_MAX + 1];
	char skey[STORE_LIMIT_KEY_MAX + 1];
	int64_t now = limits_now();
	int r = 0, busy = 0;
	if (user)
		r = make_key(ukey, "user", user, "fail");
	if (r == 0 && user)
		r = make_key(lkey, "user", user, "reset");
	if (r == 0 && source)
		r = make_key(skey, "src", source, "fail");
	if (r < 0)
		return r;
	store_lock(s);
	prune(s, now);
	if (source) {
		r = store_limit_hit(s, skey, now);
		if (r == 0)
			r = below(s, skey, HOUR, c->source_failures_per_hour, now);
		if (r == -EBUSY) {
			busy = r;
			r = 0;
		}
	}
	if (r == 0 && user) {
		int64_t until;
		r = store_limit_locked(s, lkey, now, &until);
		if (r == 0 && until)
			busy = -EBUSY;
		else if (r == 0)
			r = store_limit_hit(s, ukey, now);
		/* The lock replaces the count: after it the account starts
		 * afresh rather than locking again at its first mistake. */
		int full = r == 0 && !until ? below(s, ukey, DAY, c->failures, now) : 0;
		if (full == -EBUSY) {
			busy = -EBUSY;
			r = store_limit_lock(s, lkey, now + (int64_t)c->lockout_minutes * 60);
			if (r == 0)
				r = store_limit_forget(s, ukey);
		} else if (full < 0) {
			r = full;
		}
	}
	store_unlock(s);
	return r < 0 ? r : busy;
}

bool limits_locked(struct daemon_ctx *ctx, const char *user, int64_t *until)
{
	if (until)
		*until = 0;
	if (!user)
		return false;
	int64_t now = limits_now();
	store_lock(ctx->store);
	int r = user_locked(ctx->store, user, now, until);
	store_unlock(ctx->store);
	/* A store error counts as locked: fail closed. */
	return r != 0;
}
