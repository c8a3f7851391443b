/* store = ldap: recovery codes, registration dates, the language, and the
 * list of registered users (a search for entries with a document). */
#include "ssprd/store_dir.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/log.h"
#include "ssprd/dir_conn.h"

/* Entries per page of the registered-users search. */
#define SDIR_PAGE 200
/* Registered users listed at most: a bound on memory, far above a site. */
#define SDIR_LIST_MAX 1000000

struct recovery_edit {
	const uint8_t (*hashes)[STORE_HASH_SIZE];
	size_t n;
	int64_t now;
};

static int edit_recovery_set(struct sdoc *d, void *arg)
{
	const struct recovery_edit *e = arg;
	sodium_memzero(d->recovery, sizeof(d->recovery));
	for (size_t i = 0; i < e->n; i++) {
		memcpy(d->recovery[i].hash, e->hashes[i], STORE_HASH_SIZE);
		d->recovery[i].created = e->now;
	}
	d->nrecovery = e->n;
	return 0;
}

int store_dir_recovery_set(struct store *s, const char *user,
			   const uint8_t (*hashes)[STORE_HASH_SIZE], size_t n, int64_t now)
{
	struct recovery_edit e = {hashes, n, now};
	if (n > SDOC_MAX_RECOVERY)
		return -E2BIG;
	return sdir_update(s, user, edit_recovery_set, &e);
}

static int edit_recovery_use(struct sdoc *d, void *arg)
{
	const struct recovery_edit *e = arg;
	for (size_t i = 0; i < d->nrecovery; i++) {
		struct sdoc_recovery *c = &d->recovery[i];
		if (c->used == 0 && sodium_memcmp(c->hash, e->hashes[0], STORE_HASH_SIZE) == 0) {
			c->used = e->now > 0 ? e->now : 1;
			return 0;
		}
	}
	return -ENOENT;
}

/* Used once across every host: a use elsewhere in between makes the
 * compare-and-swap fail, and the retry no longer finds the code unused. */
int store_dir_recovery_use(struct store *s, const char *user, const uint8_t hash[STORE_HASH_SIZE],
			   int64_t now)
{
	struct recovery_edit e = {(const uint8_t(*)[STORE_HASH_SIZE])hash, 1, now};
	return sdir_update(s, user, edit_recovery_use, &e);
}

int store_dir_recovery_left(struct store *s, const char *user, unsigned *left)
{
	struct sdoc d;
	*left = 0;
	int r = sdir_read(s, user, NULL, &d, NULL);
	for (size_t i = 0; r == 0 && i < d.nrecovery; i++)
		if (d.recovery[i].used == 0)
			(*left)++;
	sdoc_clear(&d);
	return r == -ENOENT ? 0 : r;
}

int store_dir_registration_confirmed(struct store *s, const char *user, int64_t *when)
{
	struct sdoc d;
	*when = 0;
	int r = sdir_read(s, user, NULL, &d, NULL);
	if (r == 0)
		*when = d.confirmed;
	sdoc_clear(&d);
	return r == -ENOENT ? 0 : r;
}

static int edit_confirm(struct sdoc *d, void *arg)
{
	d->confirmed = *(const int64_t *)arg;
	return 0;
}

int store_dir_registration_confirm(struct store *s, const char *user, int64_t now)
{
	return sdir_update(s, user, edit_confirm, &now);
}

int store_dir_language_get(struct store *s, const char *user, char out[16])
{
	struct sdoc d;
	out[0] = '\0';
	int r = sdir_read(s, user, NULL, &d, NULL);
	if (r == 0)
		snprintf(out, 16, "%s", d.language);
	sdoc_clear(&d);
	return r == -ENOENT ? 0 : r;
}

static int edit_language(struct sdoc *d, void *arg)
{
	const char *lang = arg;
	if (strcmp(d->language, lang) == 0)
		return 1;
	snprintf(d->language, sizeof(d->language), "%s", lang);
	return 0;
}

int store_dir_language_set(struct store *s, const char *user, const char *lang, int64_t now)
{
	(void)now;
	return sdir_update(s, user, edit_language, (void *)lang);
}

/* --- store_registered_users --- */

struct name_list {
	char **names;
	size_t n, cap;
};

static int list_add(struct name_list *l, const char *name)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		if (cap > SDIR_LIST_MAX)
			return -E2BIG;
		char **p = realloc(l->names, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		l->names = p;
		l->cap = cap;
	}
	if (!(l->names[l->n] = strdup(name)))
		return -ENOMEM;
	l->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int page_entries(struct store *s, LDAP *ld, LDAPMessage *res, struct name_list *l)
{
	const char *attr = s->conf->ldap_enrolment_attr;
	int r = 0;
	for (LDAPMessage *m = ldap_first_entry(ld, res); m && r == 0; m = ldap_next_entry(ld, m)) {
		struct berval **v = ldap_get_values_len(ld, m, attr);
		struct sdoc d;
		/* A document that does not parse is not listed; reading it
		 * for that user fails and is logged then. */
		if (ldap_count_values_len(v) == 1 &&
		    sdoc_parse(v[0]->bv_val, v[0]->bv_len, &d) == 0) {
			if (d.user[0] && sdoc_registered(&d))
				r = list_add(l, d.user);
			sdoc_clear(&d);
		}
		ldap_value_free_len(v);
	}
	return r;
}

/* Every entry below base_dn with a document, a page at a time (servers
 * cap a plain search's size). */
static int search_all(struct store *s, LDAP *ld, struct name_list *l)
{
	const struct sspr_conf *conf = s->conf;
	char filter[96];
	snprintf(filter, sizeof(filter), "(%s=*)", conf->ldap_enrolment_attr);
	char *attrs[] = {conf->ldap_enrolment_attr, NULL};
	struct berval *cookie = NULL;
	struct timeval tv = {.tv_sec = conf->ldap_timeout};
	int r = 0;
	do {
		LDAPControl *page = NULL, *ctrls[2] = {NULL, NULL}, **back = NULL;
		LDAPMessage *res = NULL;
		int rc = ldap_create_page_control(ld, SDIR_PAGE, cookie, 0, &page);
		ber_bvfree(cookie);
		cookie = NULL;
		ctrls[0] = page;
		if (rc == LDAP_SUCCESS)
			rc = ldap_search_ext_s(ld, conf->ldap_base_dn, LDAP_SCOPE_SUBTREE, filter,
					       attrs, 0, ctrls, NULL, &tv, LDAP_NO_LIMIT, &res);
		int err = rc;
		if (rc == LDAP_SUCCESS)
			rc = ldap_parse_result(ld, res, &err, NULL, NULL, NULL, &back, 0);
		if (rc == LDAP_SUCCESS && err == LDAP_SUCCESS) {
			r = page_entries(s, ld, res, l);
			LDAPControl *pr = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, back, NULL);
			ber_int_t est;
			struct berval next = {0};
			if (r == 0 && pr &&
			    ldap_parse_pageresponse_control(ld, pr, &est, &next) == LDAP_SUCCESS &&
			    next.bv_len > 0)
				cookie = ber_bvdup(&next);
			ber_memfree(next.bv_val);
		} else {
			r = dir_errno(rc != LDAP_SUCCESS ? rc : err);
		}
		ldap_controls_free(back);
		ldap_control_free(page);
		ldap_msgfree(res);
	} while (r == 0 && cookie);
	ber_bvfree(cookie);
	return r;
}

int store_dir_registered_users(struct store *s, store_user_fn fn, void *userdata)
{
	struct dir_conn c = {0};
	struct name_list l = {0};
	int r = sdir_open(s, &c);
	if (r == 0)
		r = search_all(s, c.ld, &l);
	sdir_failed(s, r);
	dir_close(&c);
	if (r < 0)
		log_error("store: directory: listing registered users: %s", strerror(-r));
	if (r == 0)
		qsort(l.names, l.n, sizeof(*l.names), by_name);
	for (size_t i = 0; r == 0 && i < l.n; i++)
		if (i == 0 || strcmp(l.names[i], l.names[i - 1]) != 0)
			r = fn(userdata, l.names[i]);
	for (size_t i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return r;
}
