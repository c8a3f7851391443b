/* The enrolment document of store = ldap (store_dir_doc.h): strict JSON
 * parsing and formatting with json-c. */
#include "ssprd/store_dir_doc.h"

#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "common/validate.h"

#define SDOC_DEPTH 4 /* object > list > object > value */

static const char *const sdoc_kinds[] = {"email", "mobile", "office"};

void sdoc_init(struct sdoc *d)
{
	memset(d, 0, sizeof(*d));
}

void sdoc_questions_clear(struct sdoc *d)
{
	for (size_t i = 0; i < d->nquestions; i++) {
		free(d->questions[i].question);
		secret_free(d->questions[i].answer_hash);
	}
	memset(d->questions, 0, sizeof(d->questions));
	d->nquestions = 0;
}

void sdoc_clear(struct sdoc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ncontacts; i++)
		free(d->contacts[i].value);
	sdoc_questions_clear(d);
	sodium_memzero(d, sizeof(*d));
}

void sdoc_free_text(char *text)
{
	secret_free(text);
}

bool sdoc_registered(const struct sdoc *d)
{
	if (d->ncontacts > 0 || d->nquestions > 0 || d->has_totp)
		return true;
	for (size_t i = 0; i < d->nrecovery; i++)
		if (d->recovery[i].used == 0)
			return true;
	return false;
}

struct sdoc_contact *sdoc_contact_find(struct sdoc *d, const char *kind)
{
	for (size_t i = 0; i < d->ncontacts; i++)
		if (strcmp(d->contacts[i].kind, kind) == 0)
			return &d->contacts[i];
	return NULL;
}

static bool known_kind(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(sdoc_kinds); i++)
		if (strcmp(kind, sdoc_kinds[i]) == 0)
			return true;
	return false;
}

int sdoc_contact_put(struct sdoc *d, const char *kind, const char *value, const char *source,
		     int64_t now)
{
	if (!known_kind(kind) || strlen(value) > SDOC_VALUE_MAX || strlen(source) >= 16)
		return -EINVAL;
	char *v = strdup(value);
	if (!v)
		return -ENOMEM;
	struct sdoc_contact *c = sdoc_contact_find(d, kind);
	if (!c) {
		if (d->ncontacts >= SDOC_MAX_CONTACTS) {
			free(v);
			return -E2BIG;
		}
		c = &d->contacts[d->ncontacts++];
		snprintf(c->kind, sizeof(c->kind), "%s", kind);
	}
	free(c->value);
	c->value = v;
	snprintf(c->source, sizeof(c->source), "%s", source);
	c->created = now;
	c->verified = 0;
	return 0;
}

bool sdoc_contact_remove(struct sdoc *d, const char *kind)
{
	struct sdoc_contact *c = sdoc_contact_find(d, kind);
	if (!c)
		return false;
	free(c->value);
	size_t i = (size_t)(c - d->contacts);
	memmove(c, c + 1, (d->ncontacts - i - 1) * sizeof(*c));
	d->ncontacts--;
	memset(&d->contacts[d->ncontacts], 0, sizeof(*c));
	return true;
}

/* --- Parsing --- */

/* Exactly these keys (and "v" at the top), none missing from required. */
static int keys_known(json_object *o, const char *const *keys, size_t n)
{
	json_object_object_foreach(o, k, v)
	{
		(void)v;
		bool ok = false;
		for (size_t i = 0; i < n && !ok; i++)
			ok = strcmp(k, keys[i]) == 0;
		if (!ok)
			return -EBADMSG;
	}
	return 0;
}

static int get_int(json_object *o, const char *key, bool required, int64_t *out)
{
	json_object *v;
	*out = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return required ? -EBADMSG : 0;
	if (!json_object_is_type(v, json_type_int))
		return -EBADMSG;
	errno = 0;
	int64_t x = json_object_get_int64(v);
	if (errno != 0 || x < 0)
		return -EBADMSG;
	*out = x;
	return 0;
}

/* A string of at most max bytes, no NUL, no control character (UTF-8
 * validity is the tokener's). */
static int get_str(json_object *o, const char *key, bool required, size_t max, const char **out)
{
	json_object *v;
	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return required ? -EBADMSG : 0;
	if (!json_object_is_type(v, json_type_string))
		return -EBADMSG;
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	if (len > max || strlen(s) != len)
		return -EBADMSG;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return -EBADMSG;
	*out = s;
	return 0;
}

static int get_b64(json_object *o, const char *key, uint8_t *out, size_t max, size_t *len)
{
	const char *s;
	int r = get_str(o, key, true,
			sodium_base64_ENCODED_LEN(max, sodium_base64_VARIANT_ORIGINAL), &s);
	if (r < 0)
		return r;
	if (sodium_base642bin(out, max, s, strlen(s), NULL, len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    *len == 0)
		return -EBADMSG;
	return 0;
}

/* The list under key (absent: none), at most max items, each an object. */
static int get_list(json_object *o, const char *key, size_t max, json_object **out, size_t *n)
{
	json_object *v;
	*out = NULL;
	*n = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > max)
		return -EBADMSG;
	for (size_t i = 0; i < json_object_array_length(v); i++)
		if (!json_object_is_type(json_object_array_get_idx(v, i), json_type_object))
			return -EBADMSG;
	*out = v;
	*n = json_object_array_length(v);
	return 0;
}

static int parse_contact(json_object *o, struct sdoc *d)
{
	static const char *const keys[] = {"kind", "value", "source", "created", "verified"};
	const char *kind, *value, *source;
	int64_t created, verified;
	int r = keys_known(o, keys, ARRAY_SIZE(keys));
	if (r == 0)
		r = get_str(o, "kind", true, 15, &kind);
	if (r == 0)
		r = get_str(o, "value", true, SDOC_VALUE_MAX, &value);
	if (r == 0)
		r = get_str(o, "source", true, 15, &source);
	if (r == 0)
		r = get_int(o, "created", false, &created);
	if (r == 0)
		r = get_int(o, "verified", false, &verified);
	if (r < 0)
		return r;
	if (!known_kind(kind) || sdoc_contact_find(d, kind) ||
	    (strcmp(source, "user") != 0 && strcmp(source, "admin") != 0))
		return -EBADMSG;
	r = sdoc_contact_put(d, kind, value, source, created);
	if (r == 0)
		sdoc_contact_find(d, kind)->verified = verified;
	return r;
}

static int parse_question(json_object *o, struct sdoc *d)
{
	static const char *const keys[] = {"idx", "question", "answer_hash", "created"};
	const char *question, *hash;
	int64_t idx, created;
	int r = keys_known(o, keys, ARRAY_SIZE(keys));
	if (r == 0)
		r = get_int(o, "idx", true, &idx);
	if (r == 0)
		r = get_str(o, "question", true, SDOC_QUESTION_MAX, &question);
	if (r == 0)
		r = get_str(o, "answer_hash", true, SDOC_HASH_TEXT_MAX, &hash);
	if (r == 0)
		r = get_int(o, "created", false, &created);
	if (r < 0)
		return r;
	if (idx > 1000 || !question[0] || !hash[0])
		return -EBADMSG;
	for (size_t i = 0; i < d->nquestions; i++)
		if (d->questions[i].idx == (unsigned)idx)
			return -EBADMSG;
	struct sdoc_question *q = &d->questions[d->nquestions];
	q->idx = (unsigned)idx;
	q->created = created;
	q->question = strdup(question);
	q->answer_hash = strdup(hash);
	d->nquestions++;
	return q->question && q->answer_hash ? 0 : -ENOMEM;
}

static int parse_totp(json_object *top, struct sdoc *d)
{
	static const char *const keys[] = {"sealed", "last_step", "created"};
	json_object *o;
	if (!json_object_object_get_ex(top, "totp", &o))
		return 0;
	if (!json_object_is_type(o, json_type_object))
		return -EBADMSG;
	int r = keys_known(o, keys, ARRAY_SIZE(keys));
	if (r == 0)
		r = get_b64(o, "sealed", d->totp_sealed, sizeof(d->totp_sealed), &d->totp_len);
	if (r == 0)
		r = get_int(o, "last_step", false, &d->totp_last_step);
	if (r == 0)
		r = get_int(o, "created", false, &d->totp_created);
	d->has_totp = r == 0;
	return r;
}

static int parse_recovery(json_object *o, struct sdoc *d)
{
	static const char *const keys[] = {"hash", "created", "used"};
	struct sdoc_recovery *c = &d->recovery[d->nrecovery];
	size_t len;
	int r = keys_known(o, keys, ARRAY_SIZE(keys));
	if (r == 0)
		r = get_b64(o, "hash", c->hash, sizeof(c->hash), &len);
	if (r == 0 && len != STORE_HASH_SIZE)
		r = -EBADMSG;
	if (r == 0)
		r = get_int(o, "created", false, &c->created);
	if (r == 0)
		r = get_int(o, "used", false, &c->used);
	if (r == 0)
		d->nrecovery++;
	return r;
}

static int parse_top(json_object *top, struct sdoc *d)
{
	static const char *const keys[] = {"v",	   "user",     "contacts",  "questions",
					   "totp", "recovery", "confirmed", "language"};
	int64_t v;
	const char *s;
	if (!json_object_is_type(top, json_type_object))
		return -EBADMSG;
	int r = get_int(top, "v", true, &v);
	if (r < 0)
		return r;
	if (v != SDOC_VERSION)
		return -EPROTONOSUPPORT;
	r = keys_known(top, keys, ARRAY_SIZE(keys));
	if (r == 0)
		r = get_str(top, "user", false, SDOC_USER_MAX, &s);
	if (r == 0 && s) {
		if (!username_valid(s))
			return -EBADMSG;
		snprintf(d->user, sizeof(d->user), "%s", s);
	}
	if (r == 0)
		r = get_str(top, "language", false, 15, &s);
	if (r == 0 && s && s[0]) {
		if (!language_name_valid(s))
			return -EBADMSG;
		snprintf(d->language, sizeof(d->language), "%s", s);
	}
	if (r == 0)
		r = get_int(top, "confirmed", false, &d->confirmed);
	json_object *list;
	size_t n;
	if (r == 0)
		r = get_list(top, "contacts", SDOC_MAX_CONTACTS, &list, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = parse_contact(json_object_array_get_idx(list, i), d);
	if (r == 0)
		r = get_list(top, "questions", STORE_MAX_QUESTIONS, &list, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = parse_question(json_object_array_get_idx(list, i), d);
	if (r == 0)
		r = get_list(top, "recovery", SDOC_MAX_RECOVERY, &list, &n);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = parse_recovery(json_object_array_get_idx(list, i), d);
	if (r == 0)
		r = parse_totp(top, d);
	return r;
}

int sdoc_parse(const char *buf, size_t len, struct sdoc *d)
{
	sdoc_init(d);
	if (len > SDOC_MAX_SIZE)
		return -EMSGSIZE;
	if (len == 0 || memchr(buf, '\0', len))
		return -EBADMSG;
	json_tokener *tok = json_tokener_new_ex(SDOC_DEPTH);
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	json_object *top = json_tokener_parse_ex(tok, buf, (int)len);
	int r = 0;
	if (!top || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)
		r = -EBADMSG;
	json_tokener_free(tok);
	if (r == 0)
		r = parse_top(top, d);
	json_object_put(top);
	if (r < 0)
		sdoc_clear(d);
	return r;
}
