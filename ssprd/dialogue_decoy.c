/* The steps of the verification (dialogue_verify.c) that deliver or check
 * something, each with its decoy. A decoy dialogue goes through the same
 * code paths, texts and limits as a real one; only here does it differ:
 * it sends nothing, stores no code, every answer is wrong, and it takes
 * about as long as the real step (decoy.h). */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/decoy.h"
#include "ssprd/dialogue_internal.h"
#include "ssprd/language.h"
#include "ssprd/notify.h"
#include "ssprd/questions.h"
#include "ssprd/recovery.h"

static enum decoy_kind kind_of(enum method m)
{
	return m == METHOD_EMAIL ? DECOY_MAIL : m == METHOD_SMS ? DECOY_SMS : DECOY_CALL;
}

static int deliver(struct dialogue *d, const struct dlg_option *o, const char *code)
{
	const struct sspr_conf *c = &d->ctx->conf;
	if (o->method == METHOD_EMAIL)
		return notify_send_code(d->ctx, d->user, o->dest, code);
	if (o->method == METHOD_SMS)
		return notify_sms_code(d->ctx, d->user, o->dest, code);
	struct gateway_call call = {
	    .to = o->dest, .mode = VOICE_SPEAK_CODE, .code = code, .organisation = c->organisation};
	return gateway_place_call(c, &call);
}

int dlg_deliver_code(struct dialogue *d, const struct dlg_option *o)
{
	const struct sspr_conf *c = &d->ctx->conf;
	const char *m = method_name(o->method);
	int64_t now = (int64_t)time(NULL);
	int64_t us;
	if (d->decoy && decoy_timing_failing(kind_of(o->method), &us)) {
		/* The relay or gateway is down for real users: so for decoys. */
		decoy_sleep_us(us);
		return -EIO;
	}
	if (d->decoy) {
		decoy_wait(kind_of(o->method));
		decoy_code_issue(d->user, m, d->request, c->code_ttl, now);
		log_info("reset for %s: decoy dialogue, no code sent", d->user);
		return 0;
	}
	char code[CODE_DIGITS + 1];
	/* The code's store write and the delivery: what a decoy leaves out. */
	int64_t t0 = decoy_now_us();
	int r = code_issue(d->ctx->store, d->ctx->code_key, d->user, m, d->request, c->code_ttl,
			   now, code);
	if (r == 0) {
		r = deliver(d, o, code);
		sodium_memzero(code, sizeof(code));
	}
	if (r == 0)
		decoy_timing_record(kind_of(o->method), decoy_now_us() - t0);
	else
		decoy_timing_failed(kind_of(o->method), decoy_now_us() - t0);
	return r;
}

int dlg_place_call(struct dialogue *d, const struct gateway_call *call)
{
	int64_t us;
	if (d->decoy && decoy_timing_failing(DECOY_CALL, &us)) {
		decoy_sleep_us(us);
		return -EIO;
	}
	if (d->decoy) {
		decoy_wait(DECOY_CALL);
		log_info("reset for %s: decoy dialogue, no call placed", d->user);
		return 0;
	}
	int64_t t0 = decoy_now_us();
	int r = gateway_place_call(&d->ctx->conf, call);
	if (r == 0)
		decoy_timing_record(DECOY_CALL, decoy_now_us() - t0);
	else
		decoy_timing_failed(DECOY_CALL, decoy_now_us() - t0);
	return r;
}

int dlg_check_code(struct dialogue *d, const char *typed, enum code_result *res, unsigned *left)
{
	const struct sspr_conf *c = &d->ctx->conf;
	const char *m = method_name(d->options[d->current].method);
	if (!d->decoy)
		return code_check(d->ctx->store, d->ctx->code_key, d->user, m, d->request, typed,
				  c->code_attempts, (int64_t)time(NULL), res, left);
	/* A real wrong code costs a store write (its count). */
	decoy_wait(DECOY_STORE_WRITE);
	decoy_code_check(d->user, m, d->request, c->code_attempts, (int64_t)time(NULL), res, left);
	return 0;
}

int dlg_check_totp(struct dialogue *d, const char *typed, enum totp_result *res)
{
	if (!d->decoy)
		return totp_check(d->ctx->store, d->ctx->code_key, d->user, typed,
				  (int64_t)time(NULL), res);
	*res = TOTP_WRONG;
	return 0;
}

int dlg_use_recovery(struct dialogue *d, const char *typed)
{
	if (!d->decoy)
		return recovery_use(d->ctx->store, d->ctx->code_key, d->user, typed,
				    (int64_t)time(NULL));
	return -EACCES;
}

/* The texts a decoy asks: its registered questions, else the pool's. */
static int decoy_texts(struct dialogue *d, char ***texts, size_t *n)
{
	struct store_question *q = NULL;
	size_t nq = 0;
	if (!d->decoy_real_questions)
		return questions_load_pool(&d->ctx->conf, texts, n);
	int r = store_questions_list(d->ctx->store, d->user, &q, &nq);
	char **t = r == 0 ? calloc(nq + 1, sizeof(*t)) : NULL;
	if (r == 0 && !t)
		r = -ENOMEM;
	for (size_t i = 0; r == 0 && i < nq; i++)
		if (!(t[i] = strdup(q[i].question)))
			r = -ENOMEM;
	store_questions_free(q, nq);
	if (r < 0) {
		questions_free_pool(t, nq);
		return r;
	}
	*texts = t;
	*n = nq;
	return 0;
}

static int decoy_questions(struct dialogue *d)
{
	const struct sspr_conf *c = &d->ctx->conf;
	char **texts = NULL;
	size_t n = 0;
	unsigned idx[DLG_MAX_ASKED];
	dlg_forget_questions(d);
	int r = decoy_texts(d, &texts, &n);
	size_t want = c->questions_answer < DLG_MAX_ASKED ? c->questions_answer : DLG_MAX_ASKED;
	if (r == 0 && (want == 0 || n < want))
		r = -ENOENT;
	if (r == 0)
		decoy_pick(d->ctx->code_key, d->user, n, want, idx);
	for (size_t i = 0; r == 0 && i < want; i++) {
		d->asked_text[i] = strdup(texts[idx[i]]);
		/* Not a pwhash string: questions_verify spends the full
		 * argon2 time on it and says no. */
		d->asked_hash[i] = strdup("decoy");
		if (!d->asked_text[i] || !d->asked_hash[i])
			r = -ENOMEM;
		d->nasked = (unsigned)i + 1;
	}
	questions_free_pool(texts, n);
	/* The same words as for registered questions. */
	return dlg_questions_ready(d, r);
}

int dlg_begin_questions(struct dialogue *d)
{
	return d->decoy ? decoy_questions(d) : dlg_start_questions(d);
}
