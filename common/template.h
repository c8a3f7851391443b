/*
 * Message templates: built-in texts that an administrator may override
 * with files <templates_dir>/<name>.txt. A template is a "Subject: ..."
 * line, an empty line and the body. Placeholders are {name}; "{{" is a
 * literal "{". Unknown placeholders are an error (file:line) so a typo is
 * found by `ssprctl check-config`, not by a user.
 */
#pragma once

#include <stddef.h>

#define TEMPLATE_MAX_SIZE 8192

struct template_var {
	const char *name;  /* without braces */
	const char *value; /* substituted as is; NULL is "" */
};

/* The template names ("code", "confirm", "reset", "unlock",
 * "registration_changed", "admin_reset", "admin_unlock", "admin_lockout",
 * "admin_failure", "admin_budget", "test", "sms_reset", "sms_unlock"),
 * NULL-terminated. */
extern const char *const template_names[];

/* Render name (the override under dir when it exists, else the built-in)
 * with vars. Subject gets no line breaks. -ENOENT unknown name; -EINVAL a
 * broken override (msg "path:line: why"); -E2BIG when out of room. */
int template_render(const char *dir, const char *name, const struct template_var *vars,
		    size_t nvars, char *subject, size_t subjsz, char *body, size_t bodysz,
		    char *msg, size_t msgsz);

/* For check-config: parse every override present in dir (a missing dir is
 * fine). 0, or -EINVAL with the first problem in msg. */
int template_check_dir(const char *dir, char *msg, size_t msgsz);
