/* The parts of common/i18n.c that the unit tests and the fuzz target reach
 * directly: the .mo parser (common/i18n_mo.c) and the Plural-Forms
 * expression (common/i18n_plural.c). Nothing else includes this. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A catalog bigger than this is refused: ours is some tens of KiB. */
#define I18N_MO_MAX (4u << 20)
/* Most strings in one catalog. */
#define I18N_MO_MAX_STRINGS 65536u
/* Most plural forms a Plural-Forms header may declare. */
#define I18N_NPLURALS_MAX 16u

/* A compiled Plural-Forms "plural=" expression. */
struct i18n_plural;

/* Parse the C-like expression gettext uses (n, decimal numbers, ! * / % + -
 * < > <= >= == != && || ?: and parentheses), nested at most a bounded depth.
 * text ends at its NUL or at the first ';' or newline outside the
 * expression. 0, -EINVAL (malformed), -E2BIG (too long or deep), -ENOMEM. */
int i18n_plural_parse(const char *text, struct i18n_plural **out);
/* The expression's value for n; division by zero gives 0. */
unsigned long i18n_plural_eval(const struct i18n_plural *p, unsigned long n);
void i18n_plural_free(struct i18n_plural *p);

/* Parse a Plural-Forms header value ("nplurals=2; plural=(n != 1);").
 * 0 with *nplurals (1..I18N_NPLURALS_MAX) and *out, or -EINVAL, -E2BIG,
 * -ENOMEM. */
int i18n_plural_forms_parse(const char *value, unsigned *nplurals, struct i18n_plural **out);

struct i18n_catalog;

/* Parse a GNU .mo file (either byte order, revision 0 or 1; system-dependent
 * strings are ignored) of len bytes, copying what it keeps. Every offset is
 * checked; the header must declare charset UTF-8 and, if present, a valid
 * Plural-Forms; every translation must be UTF-8 text. A translation whose
 * printf directives differ from its msgid's is dropped (the English text is
 * used), so a bad catalog cannot turn into a format-string bug.
 * 0, -EINVAL (malformed), -EFBIG (too big), -ENOMEM. */
int i18n_mo_parse(const void *data, size_t len, struct i18n_catalog **out);
void i18n_catalog_free(struct i18n_catalog *c);

/* The translation of msgid (its first form for a plural entry), or NULL. */
const char *i18n_catalog_lookup(const struct i18n_catalog *c, const char *msgid);
/* The form for n of the plural entry whose msgid is singular, or NULL (no
 * entry, or the catalog lacks that form). */
const char *i18n_catalog_nlookup(const struct i18n_catalog *c, const char *singular,
				 unsigned long n);
/* Entries kept (the header excluded). */
size_t i18n_catalog_count(const struct i18n_catalog *c);

/* Whether fmt and translation have the same printf conversions (by argument
 * position, so a translation may reorder with %1$s). */
bool i18n_formats_match(const char *fmt, const char *translation);

/* Tests: read catalogs not loaded yet from dir instead (as SSPR_LOCALEDIR
 * would). Loaded catalogs stay. Call before other threads use i18n. */
int i18n_localedir_set(const char *dir);
