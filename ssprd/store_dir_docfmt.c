/* Formatting the enrolment document of store = ldap (store_dir_doc.h). */
#include "ssprd/store_dir_doc.h"

#include <errno.h>
#include <json-c/json.h>
#include <sodium.h>
#include <string.h>

static int add(json_object *o, const char *key, json_object *v)
{
	if (!v)
		return -ENOMEM;
	return json_object_object_add(o, key, v) == 0 ? 0 : -ENOMEM;
}

static int add_b64(json_object *o, const char *key, const uint8_t *bin, size_t len)
{
	char b64[sodium_base64_ENCODED_LEN(STORE_TOTP_SEALED_MAX, sodium_base64_VARIANT_ORIGINAL)];
	sodium_bin2base64(b64, sizeof(b64), bin, len, sodium_base64_VARIANT_ORIGINAL);
	return add(o, key, json_object_new_string(b64));
}

static json_object *new_item(json_object *list)
{
	json_object *o = json_object_new_object();
	if (o && json_object_array_add(list, o) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int format_lists(const struct sdoc *d, json_object *top)
{
	json_object *c = json_object_new_array();
	int r = add(top, "contacts", c);
	json_object *q = r == 0 ? json_object_new_array() : NULL;
	if (r == 0)
		r = add(top, "questions", q);
	json_object *rc = r == 0 ? json_object_new_array() : NULL;
	if (r == 0)
		r = add(top, "recovery", rc);
	for (size_t i = 0; r == 0 && i < d->ncontacts; i++) {
		const struct sdoc_contact *x = &d->contacts[i];
		json_object *o = new_item(c);
		r = o ? add(o, "kind", json_object_new_string(x->kind)) : -ENOMEM;
		if (r == 0)
			r = add(o, "value", json_object_new_string(x->value ? x->value : ""));
		if (r == 0)
			r = add(o, "source", json_object_new_string(x->source));
		if (r == 0)
			r = add(o, "created", json_object_new_int64(x->created));
		if (r == 0)
			r = add(o, "verified", json_object_new_int64(x->verified));
	}
	for (size_t i = 0; r == 0 && i < d->nquestions; i++) {
		const struct sdoc_question *x = &d->questions[i];
		json_object *o = new_item(q);
		r = o ? add(o, "idx", json_object_new_int64(x->idx)) : -ENOMEM;
		if (r == 0)
			r = add(o, "question", json_object_new_string(x->question));
		if (r == 0)
			r = add(o, "answer_hash", json_object_new_string(x->answer_hash));
		if (r == 0)
			r = add(o, "created", json_object_new_int64(x->created));
	}
	for (size_t i = 0; r == 0 && i < d->nrecovery; i++) {
		const struct sdoc_recovery *x = &d->recovery[i];
		json_object *o = new_item(rc);
		r = o ? add_b64(o, "hash", x->hash, sizeof(x->hash)) : -ENOMEM;
		if (r == 0)
			r = add(o, "created", json_object_new_int64(x->created));
		if (r == 0)
			r = add(o, "used", json_object_new_int64(x->used));
	}
	return r;
}

int sdoc_format(const struct sdoc *d, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	json_object *top = json_object_new_object();
	if (!top)
		return -ENOMEM;
	int r = add(top, "v", json_object_new_int(SDOC_VERSION));
	if (r == 0 && d->user[0])
		r = add(top, "user", json_object_new_string(d->user));
	if (r == 0)
		r = format_lists(d, top);
	if (r == 0 && d->has_totp) {
		json_object *t = json_object_new_object();
		r = add(top, "totp", t);
		if (r == 0)
			r = add_b64(t, "sealed", d->totp_sealed, d->totp_len);
		if (r == 0)
			r = add(t, "last_step", json_object_new_int64(d->totp_last_step));
		if (r == 0)
			r = add(t, "created", json_object_new_int64(d->totp_created));
	}
	if (r == 0 && d->confirmed)
		r = add(top, "confirmed", json_object_new_int64(d->confirmed));
	if (r == 0 && d->language[0])
		r = add(top, "language", json_object_new_string(d->language));
	if (r == 0) {
		size_t n;
		const char *s = json_object_to_json_string_length(top, JSON_C_TO_STRING_PLAIN, &n);
		if (!s)
			r = -ENOMEM;
		else if (n > SDOC_MAX_SIZE)
			r = -EMSGSIZE;
		else if (!(*out = strndup(s, n)))
			r = -ENOMEM;
		else
			*len = n;
	}
	json_object_put(top);
	return r;
}
