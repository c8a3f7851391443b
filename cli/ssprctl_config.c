/* ssprctl check-config: the configuration file and the message templates,
 * read here as ssprd would read them, without asking the daemon. Errors
 * that stop ssprd exit 2; things that will only fail later are warnings. */
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/ssprctl.h"
#include "common/i18n.h"
#include "common/textwidth.h"
#include "common/conf.h"
#include "common/method.h"
#include "common/qa.h"
#include "common/template.h"
#include "common/util.h"

#define POOL_FILE_MAX (256 * 1024)

static unsigned warnings;

static void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, _("%s: warning: "), PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	warnings++;
}

/* A file ssprd reads a password or token from. */
static void check_secret_file(const char *key, const char *path)
{
	struct stat st;
	if (!path)
		return;
	if (stat(path, &st) < 0)
		warn("%s %s: %s", key, path, strerror(errno));
	else if (!S_ISREG(st.st_mode))
		warn(_("%s %s is not a regular file"), key, path);
	else if (st.st_mode & (S_IROTH | S_IWOTH))
		warn(_("%s %s is readable or writable by everyone (chmod 600 it)"), key, path);
}

/* A file or directory ssprd needs when it gets there. */
static void check_exists(const char *key, const char *path, bool dir)
{
	struct stat st;
	if (!path)
		return;
	if (stat(path, &st) < 0)
		warn("%s %s: %s", key, path, strerror(errno));
	else if (dir && !S_ISDIR(st.st_mode))
		warn(_("%s %s is not a directory"), key, path);
	else if (!dir && S_ISDIR(st.st_mode))
		warn(_("%s %s is a directory"), key, path);
}

static void check_groups(const char *key, char *const *groups)
{
	for (size_t i = 0; groups[i]; i++)
		if (!getgrnam(groups[i]))
			warn(_("%s: no group \"%s\" on this system"), key, groups[i]);
}

/* The pool questions, as ssprd will load them. -EINVAL: the questions
 * method cannot work. */
static int check_pool(const struct sspr_conf *c)
{
	char **pool = NULL, *text = NULL, msg[256];
	size_t n = 0, len;
	bool needed = c->methods & METHOD_BIT(METHOD_QUESTIONS);
	int r = 0;
	for (size_t i = 0; c->question_pool[i] && r == 0; i++)
		r = qa_pool_add(&pool, &n, c->question_pool[i]);
	if (r == 0 && c->question_pool_file) {
		r = read_small_file(c->question_pool_file, POOL_FILE_MAX, &text, &len);
		if (r < 0)
			snprintf(msg, sizeof(msg), "%s", strerror(-r));
		else
			r = qa_pool_add_lines(&pool, &n, text, msg, sizeof(msg));
		free(text);
		if (r < 0 && (!needed || r == -EACCES)) {
			warn(_("[questions] pool_file %s: %s"), c->question_pool_file, msg);
			r = 0;
		} else if (r < 0) {
			fprintf(stderr, _("[questions] pool_file %s: %s\n"), c->question_pool_file,
				msg);
		}
	}
	if (r == 0 && needed && !c->questions_custom && n < c->questions_register)
		warn(_("[questions] register asks for %u questions but the pool has %zu and custom "
		       "= no"),
		     c->questions_register, n);
	qa_pool_free(pool, n);
	return r;
}

static void check_notices(const struct sspr_conf *c)
{
	if (c->notify_admin_failures && !c->notify_admins[0])
		warn(_("[notify] admin_failures = yes, but [notify] admins is empty"));
	if (c->notify_sms && !(c->methods & METHOD_BIT(METHOD_SMS)))
		warn(_("[notify] notify_sms = yes, but the sms method is not enabled"));
	if (!c->enabled)
		warn(_("[general] enabled = no: ssprd refuses every reset"));
}

static void check_files(const struct sspr_conf *c, const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0 && (st.st_mode & S_IWOTH))
		warn(_("%s is writable by everyone"), path);
	check_secret_file("[email] password_file", c->smtp_password_file);
	check_secret_file("[gateway] auth_file", c->gw_auth_file);
	check_exists("[backend] shadow_file", c->shadow_file, false);
	check_exists("[backend] faillock_dir", c->faillock_dir, true);
	check_exists("[policy] breached_list", c->breached_list, false);
	if (c->pwquality)
		check_exists("[policy] pwquality_conf", c->pwquality_conf, false);
	if (stat(c->templates_dir, &st) == 0 && !S_ISDIR(st.st_mode))
		warn(_("[notify] templates_dir %s is not a directory"), c->templates_dir);
	check_groups("[general] enabled_groups", c->enabled_groups);
	check_groups("[general] admin_group", c->admin_groups);
}

/* How many of the built-in texts dir overrides, of how many. */
static unsigned count_overrides(const char *dir, unsigned *total)
{
	unsigned n = 0;
	char path[4096];
	struct stat st;
	*total = 0;
	for (size_t i = 0; template_names[i]; i++, (*total)++)
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.txt", dir, template_names[i]) <
			sizeof(path) &&
		    stat(path, &st) == 0)
			n++;
	return n;
}

/* "  label            value": labels padded by columns, as they may be
 * translated into CJK text. */
static void print_label(const char *label)
{
	char padded[128];
	text_pad(padded, sizeof(padded), label, 17);
	printf("  %s", padded);
}

static void print_list(const char *label, char *const *items, const char *none)
{
	print_label(label);
	for (size_t i = 0; items[i]; i++)
		printf("%s%s", i ? ", " : "", items[i]);
	printf("%s\n", items[0] ? "" : none);
}

static void summary(const struct sspr_conf *c, const char *path)
{
	char *methods[METHOD_COUNT + 1] = {0};
	size_t n = 0;
	for (int m = 0; m < METHOD_COUNT; m++)
		if (c->methods & METHOD_BIT(m))
			methods[n++] = (char *)method_name((enum method)m);
	unsigned total, overrides = count_overrides(c->templates_dir, &total);
	printf("%s:\n", path);
	print_label(_("password reset"));
	puts(c->enabled ? _("on") : _("off"));
	print_list(_("enabled methods"), methods, _("none"));
	print_label(_("required"));
	printf("%u\n", c->required);
	print_label("socket");
	puts(c->socket_path);
	print_label("state_dir");
	puts(c->state_dir);
	print_label(_("language"));
	puts(c->language ? c->language : "en");
	print_label(_("templates"));
	printf(_("%s (%u of %u texts overridden)\n"), c->templates_dir, overrides, total);
	print_list(_("admins notified"), c->notify_admins, _("none"));
	print_list(_("admin groups"), c->admin_groups, _("none (root only)"));
}

int ssprctl_check_config(struct ssprctl_opts *o, char **args, int nargs)
{
	const char *path = o->config ? o->config : CONF_DEFAULT_PATH;
	struct sspr_conf conf;
	char err[512];
	int ret = CLI_EXIT_OK;
	(void)args, (void)nargs;
	int r = conf_init_defaults(&conf);
	if (r < 0) {
		fprintf(stderr, PROG ": %s\n", strerror(-r));
		return CLI_EXIT_FAILED;
	}
	r = conf_load(&conf, path, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		ret = r == -ENOMEM ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
		goto out;
	}
	r = template_check_dir(conf.templates_dir, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "%s\n", err);
		ret = r == -ENOMEM ? CLI_EXIT_FAILED : CLI_EXIT_USAGE;
		goto out;
	}
	if (check_pool(&conf) < 0) {
		ret = CLI_EXIT_USAGE;
		goto out;
	}
	check_files(&conf, path);
	check_notices(&conf);
	summary(&conf, path);
	if (warnings)
		printf(P_("configuration OK (%u warning)\n", "configuration OK (%u warnings)\n",
			  warnings),
		       warnings);
	else
		puts(_("configuration OK"));
out:
	conf_free(&conf);
	return ret;
}
