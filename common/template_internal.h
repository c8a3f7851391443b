/* Shared by template.c (the parser), template_lookup.c (which text in
 * which language) and template_builtin.c (the texts). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

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

/* Output under construction; overflow is reported once at the end. */
struct template_out {
	char *buf;
	size_t size, len;
	bool overflow;
};

struct template_parse {
	const char *where; /* the file, or "built-in template NAME" */
	unsigned allowed;  /* TV_BIT()s */
	const struct template_var *vars;
	size_t nvars;
	char *msg; /* "where:line: why", printable ASCII (logged, not translated) */
	size_t msgsz;
};

/* Write "where:line: why" into p->msg; returns -EINVAL. */
int template_fail(const struct template_parse *p, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Check (subj and body NULL) or render text: a "Subject:" line, an empty
 * line and the body; or, for an SMS template, only the body. */
int template_parse_text(const struct template_parse *p, bool sms, const char *text, size_t len,
			struct template_out *subj, struct template_out *body);
/* The file p->where, cleaned (CRLF, BOM) into *out (malloc'd): 0, -ENOENT
 * when there is none, else negative errno with the reason in p->msg. */
int template_load_file(const struct template_parse *p, char **out, size_t *len);
