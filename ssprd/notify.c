/* Every message ssprd sends people, rendered from templates. A site's
 * broken override never silences a security notice: the built-in text
 * goes out instead, and the problem is logged. */
#include "ssprd/notify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/method.h"
#include "common/phone.h"
#include "common/template.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/audit.h"
#include "ssprd/gateway.h"
#include "ssprd/language.h"
#include "ssprd/limits.h"
#include "ssprd/mail.h"

#define SUBJECT_MAX 512
#define BODY_MAX    16384
#define VARS_MAX    16

/* The variables of one message, and its language: the user's saved
 * preference, else [general] language (administrators' notices: the
 * latter). The thread's language is switched to it while the message is
 * built, so the texts put into it match, and switched back after. */
struct vars {
	char lang[I18N_LANGUAGE_MAX + 1];
	char prev[I18N_LANGUAGE_MAX + 1];
	struct template_var v[VARS_MAX];
	size_t n;
	char time[64];
	char org[256];
	char from[320];
	char methods[400];
};

static void var(struct vars *vs, const char *name, const char *value)
{
	if (vs->n < VARS_MAX)
		vs->v[vs->n++] = (struct template_var){.name = name, .value = value};
}

/* The first name of [policy] organisation, else this host's name. */
static void organisation(const struct daemon_ctx *ctx, char *out, size_t outsz)
{
	const char *o = ctx->conf.organisation;
	if (o) {
		while (*o == ' ' || *o == '\t')
			o++;
		size_t n = strcspn(o, ",");
		while (n > 0 && (o[n - 1] == ' ' || o[n - 1] == '\t'))
			n--;
		if (n > 0) {
			snprintf(out, outsz, "%.*s", (int)n, o);
			return;
		}
	}
	snprintf(out, outsz, "%s", ctx->hostname);
}

static void notice_language(const struct daemon_ctx *ctx, const char *user, char *out, size_t outsz)
{
	char saved[16] = "";
	if (user && user[0] && ctx->store && store_language_get(ctx->store, user, saved) == 0 &&
	    saved[0] && language_name_valid(saved))
		snprintf(out, outsz, "%s", saved);
	else if (ctx->conf.language && language_name_valid(ctx->conf.language))
		snprintf(out, outsz, "%s", ctx->conf.language);
	else
		snprintf(out, outsz, "en");
}

/* user NULL: an administrators' notice, in the site's language. Every
 * vars_init is paired with a vars_done. */
static void vars_init(struct vars *vs, const struct daemon_ctx *ctx, const char *user,
		      const char *lang_of)
{
	vs->n = 0;
	notice_language(ctx, lang_of, vs->lang, sizeof(vs->lang));
	snprintf(vs->prev, sizeof(vs->prev), "%s", i18n_language());
	i18n_set_language(vs->lang);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(vs->time, sizeof(vs->time), "%Y-%m-%d %H:%M:%S UTC", &tm);
	organisation(ctx, vs->org, sizeof(vs->org));
	var(vs, "user", user);
	var(vs, "host", ctx->hostname);
	var(vs, "time", vs->time);
	var(vs, "organisation", vs->org);
	var(vs, "helpdesk", ctx->conf.helpdesk);
}

static void vars_done(struct vars *vs)
{
	i18n_set_language(vs->prev);
}

static const char *method_text(const char *name)
{
	static const char *const text[METHOD_COUNT] = {
	    [METHOD_EMAIL] = N_("a code by email"),
	    [METHOD_SMS] = N_("a code by text message"),
	    [METHOD_VOICE_MOBILE] = N_("a call to the mobile phone"),
	    [METHOD_VOICE_OFFICE] = N_("a call to the office phone"),
	    [METHOD_QUESTIONS] = N_("security questions"),
	    [METHOD_TOTP] = N_("an authenticator app"),
	    [METHOD_RECOVERY_CODE] = N_("a recovery code"),
	};
	enum method m;
	return method_from_name(name, &m) == 0 ? _(text[m]) : NULL;
}

/* "email+sms" -> "a code by email and a code by text message". */
static void methods_text(const char *methods, char *out, size_t outsz)
{
	size_t n = 0;
	out[0] = '\0';
	for (const char *p = methods ? methods : ""; *p;) {
		size_t len = strcspn(p, "+,");
		char name[32];
		snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : 0), p);
		const char *t = method_text(name);
		if (t && n < outsz)
			n += (size_t)snprintf(out + n, outsz - n, "%s%s",
					      /* TRANSLATORS: between two methods in a notice */
					      n ? _(" and ") : "", t);
		p += len + (p[len] != '\0');
	}
	if (!out[0])
		snprintf(out, outsz, "%s", _("an unknown method"));
}

static void vars_origin(struct vars *vs, const struct notify_origin *o)
{
	const char *service =
	    o && o->service && o->service[0] ? o->service : _("an unknown service");
	if (o && o->rhost && o->rhost[0])
		snprintf(vs->from, sizeof(vs->from), _("remote host %s"), o->rhost);
	else if (o && o->tty && o->tty[0])
		snprintf(vs->from, sizeof(vs->from), _("terminal %s"), o->tty);
	else
		snprintf(vs->from, sizeof(vs->from), "%s", _("an unknown place"));
	methods_text(o ? o->methods : NULL, vs->methods, sizeof(vs->methods));
	var(vs, "service", service);
	var(vs, "from", vs->from);
	var(vs, "methods", vs->methods);
}

/* The site's template, else (logged) the built-in one. */
static int render(const struct daemon_ctx *ctx, const char *name, const struct vars *vs,
		  char *subject, char *body)
{
	char msg[512];
	int r = template_render_lang(ctx->conf.templates_dir, vs->lang, name, vs->v, vs->n, subject,
				     SUBJECT_MAX, body, BODY_MAX, msg, sizeof(msg));
	if (r == 0 || r == -ENOENT)
		return r;
	log_error("template: %s; sending the built-in text", msg);
	return template_render_lang(NULL, vs->lang, name, vs->v, vs->n, subject, SUBJECT_MAX, body,
				    BODY_MAX, msg, sizeof(msg));
}

static int send_mail(const struct daemon_ctx *ctx, const char *to, const char *name,
		     const struct vars *vs)
{
	char subject[SUBJECT_MAX], body[BODY_MAX];
	int r = render(ctx, name, vs, subject, body);
	if (r == 0)
		r = mail_send(&ctx->conf, to, subject, body);
	secure_zero(body, sizeof(body));
	return r;
}

static int send_sms(const struct daemon_ctx *ctx, const char *to, const char *name,
		    const struct vars *vs)
{
	char subject[SUBJECT_MAX], body[BODY_MAX];
	int r = render(ctx, name, vs, subject, body);
	if (r == 0)
		r = gateway_send_sms(&ctx->conf, to, body);
	secure_zero(body, sizeof(body));
	return r;
}

static int send_code(struct daemon_ctx *ctx, const char *template, bool sms, const char *user,
		     const char *to, const char *code)
{
	struct vars vs;
	char minutes[64];
	vars_init(&vs, ctx, user, user);
	lang_duration(ctx->conf.code_ttl, minutes, sizeof(minutes));
	var(&vs, "code", code);
	var(&vs, "minutes", minutes);
	int r = sms ? send_sms(ctx, to, template, &vs) : send_mail(ctx, to, template, &vs);
	vars_done(&vs);
	return r;
}

int notify_send_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code)
{
	return send_code(ctx, "code", false, user, to, code);
}

int notify_send_confirm_code(struct daemon_ctx *ctx, const char *user, const char *to,
			     const char *code)
{
	return send_code(ctx, "confirm", false, user, to, code);
}

int notify_sms_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code)
{
	return send_code(ctx, "sms_code", true, user, to, code);
}

int notify_sms_confirm_code(struct daemon_ctx *ctx, const char *user, const char *to,
			    const char *code)
{
	return send_code(ctx, "sms_confirm", true, user, to, code);
}

/* The user's contact of this kind when it is a usable destination. */
static bool contact(struct daemon_ctx *ctx, const char *user, const char *kind, char *out,
		    size_t outsz)
{
	struct store_contact c = {0};
	bool ok = store_contact_get(ctx->store, user, kind, &c) == 0 &&
		  (strcmp(kind, "email") == 0 ? email_valid(c.value) : phone_valid(c.value));
	if (ok)
		snprintf(out, outsz, "%s", c.value);
	store_contact_clear(&c);
	return ok;
}

static void mail_admins(struct daemon_ctx *ctx, const char *template, const char *user,
			const struct vars *vs)
{
	for (size_t i = 0; i < CONF_MAX_ADMINS && ctx->conf.notify_admins[i]; i++)
		if (send_mail(ctx, ctx->conf.notify_admins[i], template, vs) < 0)
			log_error("could not send the %s notice for %s to an administrator",
				  template, user);
}

void notify_outcome(struct daemon_ctx *ctx, const char *user, bool unlocked,
		    const struct notify_origin *o)
{
	struct vars vs;
	char to[EMAIL_MAX + 1];
	const char *what = unlocked ? "unlock" : "reset";
	vars_init(&vs, ctx, user, user);
	vars_origin(&vs, o);
	if (ctx->conf.notify_on_reset && contact(ctx, user, "email", to, sizeof(to)) &&
	    send_mail(ctx, to, what, &vs) < 0)
		log_error("could not send the %s notice for %s", what, user);
	if (ctx->conf.notify_sms && contact(ctx, user, "mobile", to, sizeof(to)) &&
	    send_sms(ctx, to, unlocked ? "sms_unlock" : "sms_reset", &vs) < 0)
		log_error("could not send the %s notice for %s by text message", what, user);
	vars_done(&vs);
	if (!ctx->conf.notify_admins[0])
		return;
	vars_init(&vs, ctx, user, NULL);
	vars_origin(&vs, o);
	mail_admins(ctx, unlocked ? "admin_unlock" : "admin_reset", user, &vs);
	vars_done(&vs);
}

static const char *kind_text(const char *kind)
{
	static const char *const kinds[][2] = {
	    {"email", N_("email address")},    {"mobile", N_("mobile number")},
	    {"office", N_("office number")},   {"questions", N_("security questions")},
	    {"totp", N_("authenticator app")}, {"recovery_codes", N_("recovery codes")},
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i][0]) == 0)
			return _(kinds[i][1]);
	return kind;
}

/* Addresses and numbers only ever appear masked. */
static void masked(const char *kind, const char *value, char *out, size_t outsz)
{
	bool email = strcmp(kind, "email") == 0;
	if (!email && strcmp(kind, "mobile") != 0 && strcmp(kind, "office") != 0)
		snprintf(out, outsz, "%s", _("(not shown)"));
	else if (!value || !value[0])
		snprintf(out, outsz, "%s", _("(none)"));
	else if ((email ? email_mask(value, out, outsz) : phone_mask(value, out, outsz)) < 0)
		snprintf(out, outsz, "%s", _("(not shown)"));
}

void notify_registration_change(struct daemon_ctx *ctx, const char *user, const char *kind,
				const char *old_value, const char *new_value)
{
	struct vars vs;
	char old_m[EMAIL_MAX + 8], new_m[EMAIL_MAX + 8], to[EMAIL_MAX + 1];
	if (!kind)
		return;
	vars_init(&vs, ctx, user, user);
	masked(kind, old_value, old_m, sizeof(old_m));
	masked(kind, new_value, new_m, sizeof(new_m));
	var(&vs, "kind", kind_text(kind));
	var(&vs, "old", old_m);
	var(&vs, "new", new_m);
	const char *recipients[2] = {NULL, NULL};
	if (strcmp(kind, "email") == 0) {
		/* The old address hears that it no longer receives codes; the
		 * new one, that it now does. */
		if (old_value && email_valid(old_value))
			recipients[0] = old_value;
		if (new_value && email_valid(new_value) &&
		    !(recipients[0] && strcasecmp(new_value, recipients[0]) == 0))
			recipients[1] = new_value;
	} else if (contact(ctx, user, "email", to, sizeof(to))) {
		recipients[0] = to;
	}
	for (size_t i = 0; i < ARRAY_SIZE(recipients); i++)
		if (recipients[i] && send_mail(ctx, recipients[i], "registration_changed", &vs) < 0)
			log_error("could not send the registration notice for %s", user);
	vars_done(&vs);
}

void notify_admins_event(struct daemon_ctx *ctx, const char *event, const char *user,
			 const struct notify_origin *o)
{
	const char *template = NULL;
	if (!ctx->conf.notify_admins[0] || !event)
		return;
	if (strcmp(event, AUDIT_CODE_EXHAUSTED) == 0)
		template = "admin_lockout";
	else if (ctx->conf.notify_admin_failures &&
		 (strcmp(event, AUDIT_VERIFY_FAILED) == 0 || strcmp(event, AUDIT_CODE_WRONG) == 0))
		template = "admin_failure";
	if (!template)
		return;
	struct vars vs;
	vars_init(&vs, ctx, user, NULL);
	vars_origin(&vs, o);
	var(&vs, "event", event);
	mail_admins(ctx, template, user, &vs);
	vars_done(&vs);
}

void notify_admins_budget(struct daemon_ctx *ctx, const char *which, unsigned budget)
{
	char what[64];
	if (!ctx->conf.notify_admins[0])
		return;
	struct vars vs;
	snprintf(what, sizeof(what), "%s = %u", which ? which : "budget", budget);
	vars_init(&vs, ctx, "", NULL);
	var(&vs, "event", what);
	mail_admins(ctx, "admin_budget", "the gateway budget", &vs);
	vars_done(&vs);
}

int notify_test_email(struct daemon_ctx *ctx, const char *to)
{
	if (!to || !email_valid(to))
		return -EINVAL;
	struct vars vs;
	vars_init(&vs, ctx, "", NULL);
	int r = send_mail(ctx, to, "test", &vs);
	vars_done(&vs);
	return r;
}

int notify_test_sms(struct daemon_ctx *ctx, const char *to)
{
	if (!to || !phone_valid(to))
		return -EINVAL;
	/* A test costs like any other text: it must not open a way around
	 * the toll-fraud budget. */
	int r = limits_gateway_send(ctx);
	if (r < 0) {
		log_error("test text message refused: the [limits] budget for text messages and "
			  "calls is used up");
		return r == -EBUSY ? r : -EIO;
	}
	struct vars vs;
	vars_init(&vs, ctx, "", NULL);
	r = send_sms(ctx, to, "test", &vs);
	vars_done(&vs);
	return r;
}
