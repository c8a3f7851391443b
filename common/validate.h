/* Validation and masking of user-controlled identifiers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define EMAIL_MAX    254
#define USERNAME_MAX 32

/* An addr-spec we are willing to put in an SMTP envelope and a header:
 * local@domain, printable ASCII only (no CR, LF, NUL, controls, spaces,
 * quotes, angle brackets, commas), dot-atom local part of at most 64 bytes,
 * a domain of LDH labels with at least one dot, at most EMAIL_MAX bytes. */
bool email_valid(const char *addr);

/* A sender (From, MAIL FROM): any email_valid address, or local@localhost,
 * which a local relay accepts although it has no dot in its domain. */
bool sender_valid(const char *addr);

/* "carol@example.org" -> "c***@e***.org". Returns 0, -EINVAL for an invalid
 * address, -ENOBUFS when out is too small. */
int email_mask(const char *addr, char *out, size_t outsz);

/* A login name as shadow-utils accepts it (letters, digits, '_', '-', '.',
 * a trailing '$'; not starting with '-'; at most USERNAME_MAX bytes). */
bool username_valid(const char *name);

/* Replace anything but printable ASCII with '?' and cut to outsz-1, for
 * putting client-supplied strings (rhost, tty, service) in logs and mail. */
void sanitize_for_log(const char *in, char *out, size_t outsz);

/* A message-catalog name: ll or lll, optionally _CC, optionally @variant
 * ("en", "zh_TW", "sr@latin"), at most 15 bytes. */
bool language_name_valid(const char *lang);

/* An LDAP attribute type or object class name (RFC 4512 descr): a letter,
 * then letters, digits and '-', at most 64 bytes. */
bool ldap_attr_name_valid(const char *name);

/* A user_filter template: parenthesised, parentheses balanced, exactly one
 * "%s" and no other '%', printable ASCII, at most max bytes. */
bool ldap_filter_template_valid(const char *filter, size_t max);
