/*
 * The work behind priv.h, done where root is: in the privileged process
 * (privsep_server.c) when ssprd splits, or in ssprd itself when it does
 * not. One implementation for both, so the checks are the same ones.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/conf.h"
#include "ssprd/priv.h"
#include "ssprd/privsep_msg.h"

/* What the engine reported about one of its threads: which user passed
 * verification, and when (monotonic ms). A request channel of the
 * privileged process has one; in-process, each thread has one. */
struct privsep_session {
	bool marked;
	int64_t marked_at_ms;
	char user[PRIVSEP_MAX_USER + 1];
};

int privop_account_state(const struct sspr_conf *conf, const char *user, enum account_state *out);
int privop_current_hash(const struct sspr_conf *conf, const char *user, char **out);
int privop_verify_password(const struct sspr_conf *conf, const char *user, const char *password);
int privop_mark_verified(const struct sspr_conf *conf, struct privsep_session *s, const char *user);
/* -EACCES unless s holds user's verification, no older than
 * conf->dialogue_timeout; the verification is used up either way once it
 * matched. Then as priv_set_password. */
int privop_set_password(const struct sspr_conf *conf, struct privsep_session *s, const char *user,
			const char *password);
int privop_faillock_records(const struct sspr_conf *conf, const char *user, unsigned *records);
int privop_unlock(const struct sspr_conf *conf, const char *user);
/* -EINVAL for an op not in the list sspr writes. */
int privop_linux_audit(const char *op, const char *user, const char *rhost, const char *tty,
		       bool ok);
int privop_opasswd_match(const struct sspr_conf *conf, const char *user, const char *password,
			 bool *match);
