/* The table of /etc/sspr.conf keys, shared by the parser (conf.c) only. */
#pragma once

#include <stddef.h>

#include "common/conf.h"

/* Upper bound of ARRAY_SIZE(conf_keys), checked where the table is defined. */
#define CONF_MAX_KEYS 64

enum conf_type {
	CT_BOOL,
	CT_UINT,
	CT_TEXT,     /* non-empty UTF-8 without controls */
	CT_OPT_TEXT, /* same, but empty means unset */
	CT_PATH,
	CT_OPT_PATH,
	CT_GROUPS,
	CT_METHODS,
	CT_BACKEND,
	CT_HASH,
	CT_SMTP_URL,
	CT_ADDRESS,
};

struct conf_key {
	const char *section;
	const char *key;
	enum conf_type type;
	size_t offset;
	unsigned long long min, max; /* numbers: range; strings: max is bytes */
	const char *expect;	     /* overrides the generic message */
};

extern const struct conf_key conf_keys[];
extern const size_t conf_key_count;
