/* store = ldap: the enrolment document in the user's own directory entry,
 * and the directory's contact attributes (store_attach_directory). A
 * connection is opened per call, so nothing is left stale and a directory
 * that is down only fails the calls made while it is. */
#include "ssprd/store_dir.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/conf.h"
#include "common/log.h"
#include "common/phone.h"
#include "common/validate.h"
#include "ssprd/dir_conn.h"

/* Tries of a read-modify-write that lost a race with another host. */
#define SDIR_TRIES 5
/* Seconds directory calls fail at once after one timed out or found the
 * directory down. */
#define SDIR_BACKOFF 5

int store_attach_directory(struct store *s, const struct sspr_conf *conf)
{
	if (!conf->ldap_uri || !conf->ldap_base_dn)
		return -EINVAL;
	if (conf->store == STORE_LDAP && !conf->ldap_enrolment_attr)
		return -EINVAL;
	s->conf = conf;
	s->dir_store = conf->store == STORE_LDAP;
	s->dir_contacts = conf->store == STORE_LDAP || conf->backend == BACKEND_LDAP;
	return 0;
}

int sdir_open(struct store *s, struct dir_conn *c)
{
	if ((int64_t)time(NULL) < __atomic_load_n(&s->dir_down_until, __ATOMIC_RELAXED))
		return -EHOSTDOWN;
	int r = dir_open(s->conf, c);
	sdir_failed(s, r);
	return r;
}

void sdir_failed(struct store *s, int r)
{
	if (r == -ETIMEDOUT || r == -ECONNREFUSED)
		__atomic_store_n(&s->dir_down_until, (int64_t)time(NULL) + SDIR_BACKOFF,
				 __ATOMIC_RELAXED);
}

static void sdir_log(const char *user, const char *what, int r)
{
	char u[64];
	sanitize_for_log(user, u, sizeof(u));
	const char *why = r == -EPROTONOSUPPORT ? "a document of another format version"
			  : r == -EBADMSG	? "a damaged document"
			  : r == -EMSGSIZE	? "a document too large"
						: strerror(-r);
	log_error("store: directory: %s for %s: %s", what, u, why);
}

static const char *contact_attr(const struct sspr_conf *conf, const char *kind)
{
	if (!kind)
		return NULL;
	if (strcmp(kind, "email") == 0)
		return conf->ldap_mail_attr;
	if (strcmp(kind, "mobile") == 0)
		return conf->ldap_mobile_attr;
	if (strcmp(kind, "office") == 0)
		return conf->ldap_office_attr;
	return NULL;
}

/* The first usable value of the contact attribute: addresses as they are,
 * phone numbers in E.164 (others are ignored, as sspr does not guess). */
static void attr_contact(LDAP *ld, LDAPMessage *m, const char *attr, const char *kind,
			 struct store_contact *out)
{
	struct berval **v = ldap_get_values_len(ld, m, attr);
	for (int i = 0; v && v[i] && !out->value; i++) {
		char text[SDOC_VALUE_MAX + 1], phone[PHONE_MAX + 1];
		if (v[i]->bv_len > SDOC_VALUE_MAX || memchr(v[i]->bv_val, '\0', v[i]->bv_len))
			continue;
		memcpy(text, v[i]->bv_val, v[i]->bv_len);
		text[v[i]->bv_len] = '\0';
		const char *use = NULL;
		if (strcmp(kind, "email") == 0)
			use = email_valid(text) ? text : NULL;
		else if (phone_normalize(text, phone) == 0)
			use = phone;
		if (use && (out->value = strdup(use))) {
			snprintf(out->kind, sizeof(out->kind), "%s", kind);
			snprintf(out->source, sizeof(out->source), "admin");
		}
	}
	ldap_value_free_len(v);
}

struct sdir_entry {
	char *dn;
	LDAPMessage *res;
	struct berval **doc; /* the enrolment attribute's value, NULL when none */
	bool has_class;
};

static void entry_free(struct sdir_entry *e)
{
	ldap_value_free_len(e->doc);
	ldap_msgfree(e->res);
	ldap_memfree(e->dn);
	memset(e, 0, sizeof(*e));
}

static int entry_fetch(struct store *s, struct dir_conn *c, const char *user, const char *kind,
		       struct sdir_entry *e, struct sdoc *d, struct store_contact *attr)
{
	const struct sspr_conf *conf = s->conf;
	const char *cattr = attr ? contact_attr(conf, kind) : NULL;
	char *attrs[4] = {"objectClass", NULL, NULL, NULL};
	size_t n = 1;
	if (s->dir_store)
		attrs[n++] = conf->ldap_enrolment_attr;
	if (cattr)
		attrs[n++] = (char *)cattr;
	memset(e, 0, sizeof(*e));
	sdoc_init(d);
	int r = dir_find_user(c, user, attrs, &e->dn, &e->res);
	if (r < 0)
		return r;
	LDAPMessage *m = ldap_first_entry(c->ld, e->res);
	if (!m)
		return -ENOENT;
	if (cattr)
		attr_contact(c->ld, m, cattr, kind, attr);
	const char *cls = conf->ldap_enrolment_objectclass;
	struct berval **oc = ldap_get_values_len(c->ld, m, "objectClass");
	for (int i = 0; cls && oc && oc[i] && !e->has_class; i++)
		e->has_class = oc[i]->bv_len == strlen(cls) &&
			       strncasecmp(oc[i]->bv_val, cls, oc[i]->bv_len) == 0;
	ldap_value_free_len(oc);
	if (!s->dir_store)
		return 0;
	e->doc = ldap_get_values_len(c->ld, m, conf->ldap_enrolment_attr);
	if (!e->doc)
		return 0;
	/* Single-valued in sspr.schema; an existing attribute used instead
	 * might not be, and two values would be two truths. */
	if (ldap_count_values_len(e->doc) != 1)
		return -EBADMSG;
	return sdoc_parse(e->doc[0]->bv_val, e->doc[0]->bv_len, d);
}

int sdir_read(struct store *s, const char *user, const char *kind, struct sdoc *d,
	      struct store_contact *attr)
{
	struct dir_conn c = {0};
	struct sdir_entry e = {0};
	if (attr)
		memset(attr, 0, sizeof(*attr));
	sdoc_init(d);
	int r = sdir_open(s, &c);
	if (r == 0)
		r = entry_fetch(s, &c, user, kind, &e, d, attr);
	sdir_failed(s, r);
	entry_free(&e);
	dir_close(&c);
	if (r == -ENOENT)
		return r;
	if (r < 0) {
		sdoc_clear(d);
		store_contact_clear(attr);
		sdir_log(user, "reading the enrolment", r);
	}
	return r;
}

static bool doc_empty(const struct sdoc *d)
{
	return !sdoc_registered(d) && d->nrecovery == 0 && d->confirmed == 0 && !d->language[0];
}

/* One compare-and-swap: 0, -EAGAIN when another writer came first. */
static int entry_write(struct store *s, struct dir_conn *c, const struct sdir_entry *e,
		       const struct sdoc *d)
{
	const struct sspr_conf *conf = s->conf;
	char *text = NULL;
	size_t len = 0;
	int r = doc_empty(d) ? 0 : sdoc_format(d, &text, &len);
	if (r < 0)
		return r;
	struct berval nv = {.bv_len = len, .bv_val = text};
	struct berval *newv[] = {&nv, NULL}, *oldv[] = {e->doc ? e->doc[0] : NULL, NULL};
	char *clsv[] = {conf->ldap_enrolment_objectclass, NULL};
	LDAPMod del = {.mod_op = LDAP_MOD_DELETE | LDAP_MOD_BVALUES,
		       .mod_type = conf->ldap_enrolment_attr,
		       .mod_vals.modv_bvals = oldv};
	LDAPMod add = {.mod_op = LDAP_MOD_ADD | LDAP_MOD_BVALUES,
		       .mod_type = conf->ldap_enrolment_attr,
		       .mod_vals.modv_bvals = newv};
	LDAPMod cls = {
	    .mod_op = LDAP_MOD_ADD, .mod_type = "objectClass", .mod_vals.modv_strvals = clsv};
	LDAPMod *mods[4];
	size_t n = 0;
	if (e->doc)
		mods[n++] = &del;
	if (text) {
		mods[n++] = &add;
		if (clsv[0] && !e->has_class)
			mods[n++] = &cls;
	}
	mods[n] = NULL;
	int rc = n ? ldap_modify_ext_s(c->ld, e->dn, mods, NULL, NULL) : LDAP_SUCCESS;
	sdoc_free_text(text);
	/* The old value gone, or a value (or the class) there already:
	 * someone else wrote in between. */
	if (rc == LDAP_NO_SUCH_ATTRIBUTE || rc == LDAP_TYPE_OR_VALUE_EXISTS ||
	    (rc == LDAP_CONSTRAINT_VIOLATION && !e->doc))
		return -EAGAIN;
	return rc == LDAP_SUCCESS ? 0 : dir_errno(rc);
}

int sdir_update(struct store *s, const char *user, sdir_edit_fn edit, void *arg)
{
	struct dir_conn c = {0};
	int r = sdir_open(s, &c);
	for (int i = 0; r == 0 && i < SDIR_TRIES; i++) {
		struct sdir_entry e;
		struct sdoc d;
		r = entry_fetch(s, &c, user, NULL, &e, &d, NULL);
		if (r == 0)
			r = edit(&d, arg);
		if (r == 0) {
			snprintf(d.user, sizeof(d.user), "%s", user);
			r = entry_write(s, &c, &e, &d);
		}
		sdoc_clear(&d);
		entry_free(&e);
		if (r != -EAGAIN)
			break;
	}
	sdir_failed(s, r);
	dir_close(&c);
	if (r == 1)
		r = 0;
	/* -ENOENT, -EALREADY...: the edit's answer, not a failure. */
	if (r < 0 && r != -ENOENT && r != -EALREADY && r != -EINVAL && r != -E2BIG)
		sdir_log(user,
			 r == -EAGAIN ? "updating the enrolment (busy)" : "updating the enrolment",
			 r);
	return r;
}
