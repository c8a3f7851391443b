/* Which text of a template goes out, in which language. For template NAME
 * in language L the first that exists wins:
 *   <dir>/L/NAME.txt              the site's text in L
 *   the built-in text in L        (L not "en": the catalog's translation)
 *   <dir>/NAME.txt                the site's text, whatever the language
 *   the built-in English text
 * so a site that wrote its own English text still sends translated notices
 * to the users who chose another language, unless it also wrote them. */
#include "common/template.h"
#include "common/template_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/i18n.h"
#include "common/util.h"
#include "common/validate.h"

static int builtin_index(const char *name)
{
	for (int i = 0; name && template_names[i]; i++)
		if (strcmp(template_names[i], name) == 0)
			return i;
	return -1;
}

/* dir/NAME.txt, or dir/lang/NAME.txt when lang is given. */
static int path_of(const char *dir, const char *lang, const char *name, char *path, size_t pathsz)
{
	int n = lang ? snprintf(path, pathsz, "%s/%s/%s.txt", dir, lang, name)
		     : snprintf(path, pathsz, "%s/%s.txt", dir, name);
	return n < 0 || (size_t)n >= pathsz ? -ENAMETOOLONG : 0;
}

#define SAY(msg, msgsz, ...)                                                                       \
	do {                                                                                       \
		if ((msg) && (msgsz))                                                              \
			snprintf((msg), (msgsz), __VA_ARGS__);                                     \
	} while (0)

/* The site's file at path: 0 with *text, -ENOENT, or another error (in
 * p->msg). */
static int site_text(struct template_parse *p, const char *path, char **text, size_t *len)
{
	p->where = path;
	return template_load_file(p, text, len);
}

/* Render text (checked first, so a broken text is reported as such even
 * when it would not have fitted either). */
static int render_one(const struct template_parse *p, bool sms, const char *text, size_t len,
		      char *subject, size_t subjsz, char *body, size_t bodysz)
{
	struct template_out subj = {.buf = subject, .size = subjsz},
			    out = {.buf = body, .size = bodysz};
	subject[0] = body[0] = '\0';
	int r = template_parse_text(p, sms, text, len, NULL, NULL);
	if (r == 0)
		r = template_parse_text(p, sms, text, len, &subj, &out);
	if (r == 0 && (subj.overflow || out.overflow)) {
		if (p->msg && p->msgsz)
			snprintf(p->msg, p->msgsz, "%s: the message is too long", p->where);
		r = -E2BIG;
	}
	return r;
}

int template_render_lang(const char *dir, const char *lang, const char *name,
			 const struct template_var *vars, size_t nvars, char *subject,
			 size_t subjsz, char *body, size_t bodysz, char *msg, size_t msgsz)
{
	char path[PATH_MAX], where[96];
	int idx = builtin_index(name);
	if (msg && msgsz)
		msg[0] = '\0';
	if (idx < 0) {
		SAY(msg, msgsz, "no template named \"%s\"", name ? name : "");
		return -ENOENT;
	}
	if (!subject || subjsz == 0 || !body || bodysz == 0)
		return -EINVAL;
	subject[0] = body[0] = '\0';
	/* The name becomes a directory: only a catalog name may. */
	if (!lang || !language_name_valid(lang))
		lang = "en";
	const struct template_builtin *b = &template_builtins[idx];
	struct template_parse p = {.allowed = TV_COMMON | b->vars,
				   .vars = vars,
				   .nvars = nvars,
				   .msg = msg,
				   .msgsz = msgsz};
	const char *text = NULL;
	char *file = NULL;
	size_t len = 0;
	int r = -ENOENT;
	bool site = dir && dir[0];
	if (site && (r = path_of(dir, lang, b->name, path, sizeof(path))) < 0) {
		SAY(msg, msgsz, "%s: path too long", dir);
		return r;
	}
	if (site && (r = site_text(&p, path, &file, &len)) < 0 && r != -ENOENT)
		return r;
	if (r < 0 && strcmp(lang, "en") != 0) {
		const char *tr = i18n_gettext_in(lang, b->text);
		snprintf(where, sizeof(where), "built-in template %s (%s)", b->name, lang);
		p.where = where;
		/* A catalog with a broken translation falls back to English
		 * below: the notice still goes out. */
		if (tr != b->text &&
		    template_parse_text(&p, b->sms, tr, strlen(tr), NULL, NULL) == 0) {
			text = tr;
			len = strlen(tr);
			r = 0;
		}
		if (msg && msgsz)
			msg[0] = '\0';
	}
	if (r < 0 && site && (r = path_of(dir, NULL, b->name, path, sizeof(path))) == 0 &&
	    (r = site_text(&p, path, &file, &len)) < 0 && r != -ENOENT)
		return r;
	if (r < 0) {
		snprintf(where, sizeof(where), "built-in template %s", b->name);
		p.where = where;
		text = b->text;
		len = strlen(text);
	} else if (file) {
		text = file;
	}
	r = render_one(&p, b->sms, text, len, subject, subjsz, body, bodysz);
	free(file);
	if (r < 0) {
		/* The body may hold a code. */
		secure_zero(body, bodysz);
		secure_zero(subject, subjsz);
	}
	return r;
}

int template_render(const char *dir, const char *name, const struct template_var *vars,
		    size_t nvars, char *subject, size_t subjsz, char *body, size_t bodysz,
		    char *msg, size_t msgsz)
{
	return template_render_lang(dir, "en", name, vars, nvars, subject, subjsz, body, bodysz,
				    msg, msgsz);
}

static int check_one(const char *dir, const char *lang, int idx, char *msg, size_t msgsz)
{
	char path[PATH_MAX];
	const struct template_builtin *b = &template_builtins[idx];
	struct template_parse p = {
	    .where = path, .allowed = TV_COMMON | b->vars, .msg = msg, .msgsz = msgsz};
	if (path_of(dir, lang, b->name, path, sizeof(path)) < 0) {
		SAY(msg, msgsz, "%s: path too long", dir);
		return -EINVAL;
	}
	char *text = NULL;
	size_t len = 0;
	int r = template_load_file(&p, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r == 0)
		r = template_parse_text(&p, b->sms, text, len, NULL, NULL);
	free(text);
	return r < 0 ? -EINVAL : 0;
}

static bool is_dir(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;
	return (size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) < sizeof(path) &&
	       stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Every override in dir (lang NULL) or dir/lang, and no stray .txt file;
 * in dir itself, every subdirectory must be a language's. */
static int check_dir(const char *top, const char *lang, char *msg, size_t msgsz)
{
	char dir[PATH_MAX];
	if ((size_t)snprintf(dir, sizeof(dir), "%s%s%s", top, lang ? "/" : "", lang ? lang : "") >=
	    sizeof(dir)) {
		SAY(msg, msgsz, "%s: path too long", top);
		return -EINVAL;
	}
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		if (msg && msgsz)
			snprintf(msg, msgsz, "%s: cannot open: %s", dir, strerror(errno));
		return -EINVAL;
	}
	int r = 0;
	for (int i = 0; r == 0 && template_names[i]; i++)
		r = check_one(top, lang, i, msg, msgsz);
	struct dirent *e;
	while (r == 0 && (e = readdir(d))) {
		char safe[96];
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.')
			continue;
		sanitize_for_log(e->d_name, safe, sizeof(safe));
		if (!lang && is_dir(dir, e->d_name)) {
			/* A directory whose name is no language would never be
			 * read: say so instead of ignoring it. */
			if (!language_name_valid(e->d_name)) {
				SAY(msg, msgsz, "%s/%s: not a language name (such as zh_TW)", dir,
				    safe);
				r = -EINVAL;
			} else {
				r = check_dir(top, e->d_name, msg, msgsz);
			}
			continue;
		}
		if (n <= 4 || strcmp(e->d_name + n - 4, ".txt") != 0)
			continue;
		/* A misspelt file name would otherwise be ignored without a word. */
		char name[NAME_MAX + 1];
		snprintf(name, sizeof(name), "%.*s", (int)(n - 4), e->d_name);
		if (builtin_index(name) < 0) {
			SAY(msg, msgsz, "%s/%s: no template has this name", dir, safe);
			r = -EINVAL;
		}
	}
	closedir(d);
	return r;
}

int template_check_dir(const char *dir, char *msg, size_t msgsz)
{
	if (msg && msgsz)
		msg[0] = '\0';
	if (!dir || !dir[0])
		return 0;
	return check_dir(dir, NULL, msg, msgsz);
}
