/* Catalogs by language, loaded on first use and kept for the life of the
 * process; each thread has its own language (a daemon thread serves one
 * user's dialogue at a time). See common/i18n.h. */
#include "common/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/i18n_internal.h"
#include "common/util.h"
#include "common/validate.h"

/* Languages with a loaded catalog. Missing catalogs are not remembered: a
 * client may name any valid language, and must not be able to fill the
 * table before a real catalog is first used. */
#define I18N_SLOTS_MAX 32
/* Longest entry of $LANGUAGE or value of LC_ALL/LC_MESSAGES/LANG looked at. */
#define I18N_ENV_ENTRY_MAX 64

struct i18n_slot {
	char name[I18N_LANGUAGE_MAX + 1];
	struct i18n_catalog *catalog;
};

static pthread_once_t i18n_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t i18n_lock = PTHREAD_MUTEX_INITIALIZER;
static char i18n_localedir[PATH_MAX - 64];
static struct i18n_slot i18n_slots[I18N_SLOTS_MAX];
static unsigned i18n_nslots;

/* NULL: English, the source language. */
static __thread const struct i18n_slot *i18n_current;

static void i18n_init_once(void)
{
	const char *dir = secure_getenv("SSPR_LOCALEDIR");
	if (!dir || !*dir || strlen(dir) >= sizeof(i18n_localedir))
		dir = LOCALEDIR;
	snprintf(i18n_localedir, sizeof(i18n_localedir), "%s", dir);
}

void i18n_init(void)
{
	pthread_once(&i18n_once, i18n_init_once);
}

int i18n_localedir_set(const char *dir)
{
	i18n_init();
	if (!dir || !*dir || strlen(dir) >= sizeof(i18n_localedir))
		return -EINVAL;
	pthread_mutex_lock(&i18n_lock);
	snprintf(i18n_localedir, sizeof(i18n_localedir), "%s", dir);
	pthread_mutex_unlock(&i18n_lock);
	return 0;
}

static struct i18n_catalog *i18n_load(const char *lang)
{
	char path[PATH_MAX];
	char *data = NULL;
	size_t len = 0;
	struct i18n_catalog *c = NULL;
	snprintf(path, sizeof(path), "%s/%s/LC_MESSAGES/%s.mo", i18n_localedir, lang, I18N_DOMAIN);
	if (read_small_file(path, I18N_MO_MAX, &data, &len) < 0)
		return NULL;
	/* A broken catalog is as good as none: its texts come out in English. */
	if (i18n_mo_parse(data, len, &c) < 0)
		c = NULL;
	free(data);
	return c;
}

/* The slot of lang's catalog, loading it if needed; NULL when there is none
 * (or lang is not a catalog name, or is English). */
static const struct i18n_slot *i18n_slot(const char *lang)
{
	if (!language_name_valid(lang) || strcmp(lang, "en") == 0)
		return NULL;
	i18n_init();
	const struct i18n_slot *found = NULL;
	pthread_mutex_lock(&i18n_lock);
	for (unsigned i = 0; i < i18n_nslots; i++)
		if (strcmp(i18n_slots[i].name, lang) == 0) {
			found = &i18n_slots[i];
			goto out;
		}
	if (i18n_nslots >= I18N_SLOTS_MAX)
		goto out;
	struct i18n_catalog *c = i18n_load(lang);
	if (!c)
		goto out;
	struct i18n_slot *s = &i18n_slots[i18n_nslots++];
	snprintf(s->name, sizeof(s->name), "%s", lang);
	s->catalog = c;
	found = s;
out:
	pthread_mutex_unlock(&i18n_lock);
	return found;
}

int i18n_preload(void)
{
	i18n_init();
	DIR *d = opendir(i18n_localedir);
	if (!d)
		return -errno;
	struct dirent *e;
	while ((e = readdir(d)))
		if (language_name_valid(e->d_name))
			(void)i18n_slot(e->d_name);
	closedir(d);
	return 0;
}

bool i18n_available(const char *lang)
{
	return (lang && strcmp(lang, "en") == 0) || i18n_slot(lang) != NULL;
}

int i18n_set_language(const char *lang)
{
	i18n_current = NULL;
	if (!language_name_valid(lang))
		return -EINVAL;
	if (strcmp(lang, "en") == 0)
		return 0;
	i18n_current = i18n_slot(lang);
	return i18n_current ? 0 : -ENOENT;
}

const char *i18n_language(void)
{
	return i18n_current ? i18n_current->name : "en";
}

const char *i18n_gettext(const char *msgid)
{
	const char *t = i18n_current ? i18n_catalog_lookup(i18n_current->catalog, msgid) : NULL;
	return t ? t : msgid;
}

const char *i18n_ngettext(const char *singular, const char *plural, unsigned long n)
{
	const char *t =
	    i18n_current ? i18n_catalog_nlookup(i18n_current->catalog, singular, n) : NULL;
	return t ? t : n == 1 ? singular : plural;
}

const char *i18n_gettext_in(const char *lang, const char *msgid)
{
	const struct i18n_slot *s = i18n_slot(lang);
	const char *t = s ? i18n_catalog_lookup(s->catalog, msgid) : NULL;
	return t ? t : msgid;
}

/* A locale name ("zh_TW.UTF-8", "sr_RS@latin", "de") reduced to catalog
 * names, most specific first: ll_CC@mod, ll_CC, ll@mod, ll. The first with
 * a catalog (English counts) goes to out with *catalog set; else the first
 * valid one without. false when the entry names no language ("C", "POSIX"). */
static bool i18n_env_entry(const char *entry, size_t len, char out[I18N_LANGUAGE_MAX + 1],
			   bool *catalog)
{
	char buf[I18N_ENV_ENTRY_MAX + 1], variant[4][2 * I18N_ENV_ENTRY_MAX + 2];
	if (len == 0 || len > I18N_ENV_ENTRY_MAX)
		return false;
	memcpy(buf, entry, len);
	buf[len] = '\0';
	if (strcmp(buf, "C") == 0 || strcmp(buf, "POSIX") == 0 || strncmp(buf, "C.", 2) == 0)
		return false;
	char *at = strchr(buf, '@');
	const char *mod = at ? at + 1 : NULL;
	if (at)
		*at = '\0';
	buf[strcspn(buf, ".")] = '\0';
	size_t ll = strcspn(buf, "_");
	snprintf(variant[0], sizeof(variant[0]), "%s@%s", buf, mod ? mod : "");
	snprintf(variant[1], sizeof(variant[1]), "%s", buf);
	snprintf(variant[2], sizeof(variant[2]), "%.*s@%s", (int)ll, buf, mod ? mod : "");
	snprintf(variant[3], sizeof(variant[3]), "%.*s", (int)ll, buf);
	bool any = false;
	for (int i = 0; i < 4; i++) {
		if ((!mod && (i == 0 || i == 2)) || !language_name_valid(variant[i]))
			continue;
		if (i18n_available(variant[i])) {
			memcpy(out, variant[i], strlen(variant[i]) + 1); /* valid: at most 15 */
			*catalog = true;
			return true;
		}
		if (!any)
			memcpy(out, variant[i], strlen(variant[i]) + 1); /* valid: at most 15 */
		any = true;
	}
	*catalog = false;
	return any;
}

int i18n_language_from_env(char out[I18N_LANGUAGE_MAX + 1])
{
	char first[I18N_LANGUAGE_MAX + 1] = "", cand[I18N_LANGUAGE_MAX + 1];
	bool catalog;
	const char *list = getenv("LANGUAGE");
	for (const char *p = list ? list : ""; *p;) {
		size_t len = strcspn(p, ":");
		if (i18n_env_entry(p, len, cand, &catalog)) {
			if (catalog) {
				memcpy(out, cand, sizeof(cand));
				return 0;
			}
			if (!*first)
				memcpy(first, cand, sizeof(cand));
		}
		p += len + (p[len] == ':');
	}
	/* POSIX precedence: the first of these that is set and not empty. */
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);
		if (!v || !*v)
			continue;
		if (i18n_env_entry(v, strlen(v), cand, &catalog) && (catalog || !*first))
			memcpy(first, cand, sizeof(cand));
		break;
	}
	if (!*first)
		return -ENOENT;
	memcpy(out, first, sizeof(first));
	return 0;
}
