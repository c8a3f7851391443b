/* Shared by template.c (the parser) and template_builtin.c (the texts). */
#pragma once

#include <stdbool.h>

#include "common/template.h"

/* The placeholders; a template may use the common ones and those its
 * entry lists. */
enum template_var_id {
	TV_USER,
	TV_HOST,
	TV_TIME,
	TV_ORGANISATION,
	TV_HELPDESK,
	TV_CODE,
	TV_MINUTES,
	TV_SERVICE,
	TV_FROM,
	TV_METHODS,
	TV_KIND,
	TV_OLD,
	TV_NEW,
	TV_EVENT,
	TV_COUNT,
};
#define TV_BIT(v) (1u << (v))
#define TV_COMMON                                                                                  \
	(TV_BIT(TV_USER) | TV_BIT(TV_HOST) | TV_BIT(TV_TIME) | TV_BIT(TV_ORGANISATION) |           \
	 TV_BIT(TV_HELPDESK))

struct template_builtin {
	const char *name;
	unsigned vars; /* TV_BIT()s beyond TV_COMMON */
	bool sms;      /* no Subject line: the whole text is the message */
	const char *text;
};

extern const struct template_builtin template_builtins[];
extern const char *const template_var_names[TV_COUNT];
