/* The enrolment calls of store.h on the directory (store = ldap): each
 * reads the user's document, or edits it through sdir_update. */
#include "ssprd/store_dir.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int copy_contact(const struct sdoc_contact *c, struct store_contact *out)
{
	memset(out, 0, sizeof(*out));
	out->value = strdup(c->value);
	if (!out->value)
		return -ENOMEM;
	snprintf(out->kind, sizeof(out->kind), "%s", c->kind);
	snprintf(out->source, sizeof(out->source), "%s", c->source);
	out->created = c->created;
	out->verified = c->verified;
	return 0;
}

int store_dir_contact_get(struct store *s, const char *user, const char *kind,
			  struct store_contact *out)
{
	struct sdoc d;
	struct store_contact attr;
	memset(out, 0, sizeof(*out));
	int r = sdir_read(s, user, kind, &d, &attr);
	if (r < 0)
		return r;
	const struct sdoc_contact *c = sdoc_contact_find(&d, kind);
	/* What the user registered wins over what the directory lists. */
	if (c) {
		r = copy_contact(c, out);
		store_contact_clear(&attr);
	} else if (attr.value) {
		*out = attr;
	} else {
		r = -ENOENT;
	}
	sdoc_clear(&d);
	return r;
}

int store_dir_contact_attr(struct store *s, const char *user, const char *kind,
			   struct store_contact *out)
{
	struct sdoc d;
	int r = sdir_read(s, user, kind, &d, out);
	sdoc_clear(&d);
	/* A filter that finds several entries names no one: no contact
	 * (the backend refuses such a user anyway). */
	if ((r == 0 && !out->value) || r == -ENOTUNIQ)
		r = -ENOENT;
	return r;
}

struct contact_edit {
	const char *kind, *value, *source;
	int64_t now;
};

static int edit_contact_set(struct sdoc *d, void *arg)
{
	const struct contact_edit *e = arg;
	return sdoc_contact_put(d, e->kind, e->value, e->source, e->now);
}

int store_dir_contact_set(struct store *s, const char *user, const char *kind, const char *value,
			  const char *source, int64_t now)
{
	struct contact_edit e = {kind, value, source, now};
	return sdir_update(s, user, edit_contact_set, &e);
}

static int edit_contact_verified(struct sdoc *d, void *arg)
{
	const struct contact_edit *e = arg;
	struct sdoc_contact *c = sdoc_contact_find(d, e->kind);
	if (!c)
		return -ENOENT;
	c->verified = e->now;
	return 0;
}

int store_dir_contact_set_verified(struct store *s, const char *user, const char *kind, int64_t now)
{
	struct contact_edit e = {.kind = kind, .now = now};
	return sdir_update(s, user, edit_contact_verified, &e);
}

static int edit_contact_delete(struct sdoc *d, void *arg)
{
	const char *kind = arg;
	if (kind)
		return sdoc_contact_remove(d, kind) ? 0 : 1;
	/* Everything registered; the dates and language stay, as the
	 * database's registrations row does. */
	if (!sdoc_registered(d) && d->nrecovery == 0)
		return 1;
	while (d->ncontacts > 0)
		sdoc_contact_remove(d, d->contacts[0].kind);
	sdoc_questions_clear(d);
	d->has_totp = false;
	sodium_memzero(d->totp_sealed, sizeof(d->totp_sealed));
	d->totp_len = 0;
	d->nrecovery = 0;
	sodium_memzero(d->recovery, sizeof(d->recovery));
	return 0;
}

int store_dir_contact_delete(struct store *s, const char *user, const char *kind)
{
	int r = sdir_update(s, user, edit_contact_delete, (void *)kind);
	/* Someone not in the directory has nothing to delete. */
	return r == -ENOENT ? 0 : r;
}

struct questions_edit {
	const struct store_question *q;
	size_t n;
	int64_t now;
};

static int edit_questions(struct sdoc *d, void *arg)
{
	const struct questions_edit *e = arg;
	sdoc_questions_clear(d);
	for (size_t i = 0; i < e->n; i++) {
		struct sdoc_question *q = &d->questions[i];
		if (strlen(e->q[i].question) > SDOC_QUESTION_MAX ||
		    strlen(e->q[i].answer_hash) > SDOC_HASH_TEXT_MAX)
			return -EINVAL;
		q->idx = e->q[i].idx;
		q->created = e->now;
		q->question = strdup(e->q[i].question);
		q->answer_hash = strdup(e->q[i].answer_hash);
		d->nquestions++;
		if (!q->question || !q->answer_hash)
			return -ENOMEM;
	}
	return 0;
}

int store_dir_questions_set(struct store *s, const char *user, const struct store_question *q,
			    size_t n, int64_t now)
{
	struct questions_edit e = {q, n, now};
	if (n > STORE_MAX_QUESTIONS)
		return -E2BIG;
	return sdir_update(s, user, edit_questions, &e);
}

static int by_idx(const void *a, const void *b)
{
	unsigned x = ((const struct store_question *)a)->idx,
		 y = ((const struct store_question *)b)->idx;
	return (x > y) - (x < y);
}

int store_dir_questions_list(struct store *s, const char *user, struct store_question **out,
			     size_t *n)
{
	struct sdoc d;
	*out = NULL;
	*n = 0;
	int r = sdir_read(s, user, NULL, &d, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	struct store_question *q = calloc(STORE_MAX_QUESTIONS, sizeof(*q));
	size_t count = 0;
	if (!q)
		r = -ENOMEM;
	for (; r == 0 && count < d.nquestions; count++) {
		q[count].idx = d.questions[count].idx;
		q[count].question = strdup(d.questions[count].question);
		q[count].answer_hash = strdup(d.questions[count].answer_hash);
		if (!q[count].question || !q[count].answer_hash)
			r = -ENOMEM;
	}
	sdoc_clear(&d);
	if (r < 0) {
		store_questions_free(q, count);
		return r;
	}
	qsort(q, count, sizeof(*q), by_idx);
	*out = q;
	*n = count;
	return 0;
}

struct totp_edit {
	const uint8_t *sealed;
	size_t len;
	int64_t when;
};

static int edit_totp_set(struct sdoc *d, void *arg)
{
	const struct totp_edit *e = arg;
	memcpy(d->totp_sealed, e->sealed, e->len);
	d->totp_len = e->len;
	d->totp_last_step = 0;
	d->totp_created = e->when;
	d->has_totp = true;
	return 0;
}

int store_dir_totp_set(struct store *s, const char *user, const uint8_t *sealed, size_t len,
		       int64_t now)
{
	struct totp_edit e = {sealed, len, now};
	if (len == 0 || len > STORE_TOTP_SEALED_MAX)
		return -E2BIG;
	return sdir_update(s, user, edit_totp_set, &e);
}

int store_dir_totp_get(struct store *s, const char *user, struct store_totp *out)
{
	struct sdoc d;
	memset(out, 0, sizeof(*out));
	int r = sdir_read(s, user, NULL, &d, NULL);
	if (r == 0 && !d.has_totp)
		r = -ENOENT;
	if (r == 0) {
		memcpy(out->sealed, d.totp_sealed, d.totp_len);
		out->sealed_len = d.totp_len;
		out->last_step = d.totp_last_step;
		out->created = d.totp_created;
	}
	sdoc_clear(&d);
	return r;
}

/* The compare-and-swap makes this a replay check across hosts too: a
 * step accepted elsewhere in between shows up when the write is retried. */
static int edit_totp_step(struct sdoc *d, void *arg)
{
	const struct totp_edit *e = arg;
	if (!d->has_totp || d->totp_last_step >= e->when)
		return -EALREADY;
	d->totp_last_step = e->when;
	return 0;
}

int store_dir_totp_use_step(struct store *s, const char *user, int64_t step)
{
	struct totp_edit e = {.when = step};
	int r = sdir_update(s, user, edit_totp_step, &e);
	return r == -ENOENT ? -EALREADY : r;
}

static int edit_totp_delete(struct sdoc *d, void *arg)
{
	(void)arg;
	if (!d->has_totp)
		return 1;
	d->has_totp = false;
	sodium_memzero(d->totp_sealed, sizeof(d->totp_sealed));
	d->totp_len = 0;
	return 0;
}

int store_dir_totp_delete(struct store *s, const char *user)
{
	int r = sdir_update(s, user, edit_totp_delete, NULL);
	return r == -ENOENT ? 0 : r;
}
