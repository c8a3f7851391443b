/* The table of /etc/sspr.conf keys, shared by the parser (conf.c) only. */
#pragma once

#include <stddef.h>

#include "common/conf.h"

/* Upper bound of ARRAY_SIZE(conf_keys), checked where the table is defined. */
#define CONF_MAX_KEYS 144

enum conf_type {
	CT_BOOL,
	CT_UINT,
	CT_TEXT,     /* non-empty UTF-8 without controls */
	CT_OPT_TEXT, /* same, but empty means unset */
	CT_PATH,
	CT_OPT_PATH,
	CT_GROUPS,
	CT_METHODS,
	CT_SMTP_URL,
	CT_ADDRESS,
	CT_CHOICE,	  /* one word of choices, stored as its index (an enum) */
	CT_PREFIXES,	  /* list of "+digits" */
	CT_QPOOL,	  /* questions separated by '|' */
	CT_HTTP_URL,	  /* http:// or https:// URL */
	CT_OPT_HTTP_URL,  /* same, but empty means unset */
	CT_OPT_PHONE,	  /* E.164 number or empty */
	CT_OPT_LISTEN,	  /* host:port or empty */
	CT_ADDRESSES,	  /* list of email addresses */
	CT_LANGUAGE,	  /* a catalog name: ll, ll_CC, optionally @variant */
	CT_OPT_LDAP_URL,  /* ldap:// or ldaps:// URL, or empty */
	CT_OPT_LDAP_ATTR, /* an LDAP attribute or object class name, or empty */
	CT_LDAP_FILTER,	  /* a parenthesised filter with exactly one %s */
};

struct conf_key {
	const char *section;
	const char *key;
	enum conf_type type;
	size_t offset;
	unsigned long long min, max; /* numbers: range; strings: max is bytes */
	const char *expect;	     /* overrides the generic message */
	const char *const *choices;  /* CT_CHOICE: NULL-terminated words */
	const char *def;	     /* strings: default value (NULL: unset) */
};

/* List-valued keys (CT_GROUPS, CT_METHODS, CT_PREFIXES, CT_QPOOL,
 * CT_ADDRESSES): parse
 * value into the field. On a bad value returns -EINVAL with a message
 * (without the key name) in msg; -ENOMEM. */
int conf_list_parse(const struct conf_key *k, void *field, const char *value, char *msg,
		    size_t msgsz);
/* Free a NULL-terminated list field of n slots. */
void conf_list_free(char **list, size_t n);

/* Checks across keys, once the file is read: 0 or -EINVAL with msg. */
int conf_check_consistency(const struct sspr_conf *c, char *msg, size_t msgsz);

extern const struct conf_key conf_keys[];
extern const size_t conf_key_count;
