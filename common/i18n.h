/* Translations. Texts are marked in the source with _(), N_() and P_();
 * xgettext collects them into po/sspr.pot and msgfmt builds one catalog
 * per language (LOCALEDIR/<lang>/LC_MESSAGES/sspr.mo). sspr reads the .mo
 * files itself instead of going through setlocale(): ssprd serves many
 * users at once, each in their own language, whatever locales the system
 * has generated, so the language is chosen per thread.
 *
 * The source language is English ("en"): it has no catalog, and a text
 * missing from a catalog comes out in English. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define I18N_DOMAIN "sspr"
/* Longest catalog name, as CONF_LANGUAGE_MAX. */
#define I18N_LANGUAGE_MAX 15

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

/* Where catalogs are read from: $SSPR_LOCALEDIR when set (tests, the
 * demo), else LOCALEDIR. Call once, before other threads start; catalogs
 * are loaded on first use and kept (they are read-only). */
void i18n_init(void);

/* Load every catalog under the catalog directory now: ssprd calls it
 * before it drops privileges, so that the engine needs no access to the
 * directory later (and reads no file during a dialogue). Catalogs not
 * found now are still looked for on first use. 0 or negative errno (the
 * directory cannot be read). */
int i18n_preload(void);

/* Whether a catalog for lang exists (always true for "en"). */
bool i18n_available(const char *lang);

/* This thread's language for _() and P_(): lang when it is "en" or a
 * catalog for it exists, else "en". Returns 0, or -ENOENT (fell back to
 * "en"), -EINVAL (not a catalog name). */
int i18n_set_language(const char *lang);
/* This thread's language ("en" unless set). */
const char *i18n_language(void);

/* msgid in this thread's language. The result lives as long as the
 * process (never free it). */
const char *i18n_gettext(const char *msgid) __attribute__((format_arg(1)));
/* The form for n (plural rules from the catalog's Plural-Forms header). */
const char *i18n_ngettext(const char *singular, const char *plural, unsigned long n)
    __attribute__((format_arg(1))) __attribute__((format_arg(2)));
/* msgid in language lang, whatever this thread's language is. */
const char *i18n_gettext_in(const char *lang, const char *msgid) __attribute__((format_arg(2)));

/* The language of the process's locale for the CLIs: the first usable
 * entry of $LANGUAGE (colon-separated), else $LC_ALL, $LC_MESSAGES,
 * $LANG, reduced to a catalog name ("zh_TW.UTF-8" -> "zh_TW"; "C" and
 * "POSIX" give none). Picks an entry with a catalog when one exists,
 * trying "ll_CC" then "ll". 0 and out, or -ENOENT when the locale names
 * no language. */
int i18n_language_from_env(char out[I18N_LANGUAGE_MAX + 1]);

#define _(s)	    i18n_gettext(s)
#define N_(s)	    (s)
#define P_(s, p, n) i18n_ngettext(s, p, n)
