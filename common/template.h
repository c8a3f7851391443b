/*
 * Message templates: built-in texts, translated through the catalogs, that
 * an administrator may override with files <templates_dir>/<name>.txt, or
 * per language <templates_dir>/<lang>/<name>.txt. A template is a "Subject: ..."
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
 * "admin_failure", "admin_budget", "test", "sms_reset", "sms_unlock",
 * "sms_code", "sms_confirm"), NULL-terminated. */
extern const char *const template_names[];

/* Render name in language lang (a catalog name; NULL or invalid: "en")
 * with vars. The text is the first that exists of <dir>/<lang>/<name>.txt,
 * the built-in text translated into lang (not for "en"), <dir>/<name>.txt
 * and the built-in English text; dir NULL or "" skips the site's files.
 * Subject gets no line breaks. -ENOENT unknown name; -EINVAL a broken
 * override (msg "path:line: why"); -E2BIG when out of room. */
int template_render_lang(const char *dir, const char *lang, const char *name,
			 const struct template_var *vars, size_t nvars, char *subject,
			 size_t subjsz, char *body, size_t bodysz, char *msg, size_t msgsz);
/* template_render_lang in English. */
int template_render(const char *dir, const char *name, const struct template_var *vars,
		    size_t nvars, char *subject, size_t subjsz, char *body, size_t bodysz,
		    char *msg, size_t msgsz);

/* For check-config: parse every override present in dir and in its
 * language subdirectories dir/<lang>/ (a missing dir is fine; a file or
 * subdirectory that would never be read is an error). 0, or -EINVAL with
 * the first problem in msg. */
int template_check_dir(const char *dir, char *msg, size_t msgsz);
