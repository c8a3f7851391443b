/* ssprctl report: one JSON object from ssprd, shown as readable sections
 * or printed again with --json. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/ssprctl.h"
#include "common/i18n.h"
#include "common/textwidth.h"
#include "common/method.h"
#include "common/util.h"

#define REPORT_DEFAULT_DAYS "30"
#define REPORT_MAX_DAYS	    3650

/* Activity lines, in the order shown; events the daemon counts that are
 * not here follow under their own names. */
static const struct {
	const char *event, *label;
} activity_labels[] = {
    {"reset", N_("Password resets")},
    {"unlock", N_("Account unlocks (password kept)")},
    {"verify_passed", N_("Verifications passed")},
    {"verify_failed", N_("Verifications failed")},
    {"code_wrong", N_("Wrong codes entered")},
    {"code_exhausted", N_("Lockouts (attempts used up)")},
    {"abandoned", N_("Abandoned (timeout, disconnect)")},
    {"cancelled", N_("Cancelled by the user")},
    {"refused", N_("Refused (not eligible)")},
    {"rate_limited", N_("Rate-limited")},
    {"code_sent", N_("Codes sent")},
    {"call_placed", N_("Calls placed")},
    {"send_failed", N_("Sending failures")},
    {"reset_failed", N_("Password writes failed")},
    {"dialogue_started", N_("Dialogues started")},
    {"method_chosen", N_("Methods chosen")},
    {"verified", N_("Users fully verified")},
    {"register_started", N_("Registrations started")},
    {"register_auth_failed", N_("Registration logins failed")},
    {"register_changed", N_("Registrations changed")},
    {"register_confirmed", N_("Registrations confirmed")},
    {"admin_enroll", N_("Enrolled by an administrator")},
    {"admin_clear", N_("Cleared by an administrator")},
    {"admin_unlock", N_("Unlocked by an administrator")},
    {"admin_test", N_("Test messages")},
};

#define LABEL_WIDTH 38

/* " 70%" of total, or nothing when there is no total. */
static void pct(long long n, long long total, char *out, size_t outsz)
{
	if (total <= 0 || n < 0)
		snprintf(out, outsz, "%s", "");
	else
		snprintf(out, outsz, "  %3.0f%%", (double)n * 100.0 / (double)total);
}

/* Labels are translated: padded by the columns they take (CJK text is
 * two columns a character), not by their bytes. */
static void line(const char *indent, const char *label, long long n, long long total)
{
	char p[48], padded[256];
	pct(n, total, p, sizeof(p));
	text_pad(padded, sizeof(padded), label, LABEL_WIDTH - strlen(indent));
	printf("%s%s %6lld%s\n", indent, padded, n, p);
}

/* text right-aligned in width columns. */
static void right(const char *text, size_t width, char *out, size_t outsz)
{
	size_t w = text_width(text), pad = w < width ? width - w : 0;
	snprintf(out, outsz, "%*s%s", (int)pad, "", text);
}

/* "  METHOD          RESETS  UNLOCKS": the heads of a by-method table. */
static void heads(const char *a, const char *b, const char *c)
{
	char pa[128], pb[128], pc[128];
	text_pad(pa, sizeof(pa), a, 14);
	right(b, 8, pb, sizeof(pb));
	right(c, 8, pc, sizeof(pc));
	printf("  %s %s %s\n", pa, pb, pc);
}

static void print_users(json_object *users)
{
	long long enabled = jv_int(users, "enabled");
	json_object *by = jv_obj(users, "by_method");
	puts(_("Registration coverage"));
	line("  ", _("Enabled users"), enabled, 0);
	line("  ", _("Registered (meet the requirements)"), jv_int(users, "registered"), enabled);
	line("  ", _("Unregistered"), jv_int(users, "unregistered"), enabled);
	line("  ", _("Due for reconfirmation"), jv_int(users, "reconfirm_due"), enabled);
	puts(_("  Users with each method:"));
	for (int m = 0; m < METHOD_COUNT; m++)
		line("    ", method_name((enum method)m), jv_int(by, method_name((enum method)m)),
		     enabled);
}

static bool known_event(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(activity_labels); i++)
		if (strcmp(activity_labels[i].event, name) == 0)
			return true;
	return false;
}

static void print_activity(json_object *activity)
{
	char shown[64];
	puts(_("Activity"));
	for (size_t i = 0; i < ARRAY_SIZE(activity_labels); i++)
		line("  ", _(activity_labels[i].label), jv_int(activity, activity_labels[i].event),
		     0);
	if (!activity)
		return;
	json_object_object_foreach(activity, key, val)
	{
		if (!known_event(key) && json_object_is_type(val, json_type_int))
			line("  ", display_safe(key, shown, sizeof(shown)),
			     json_object_get_int64(val), 0);
	}
}

static void print_by_method(json_object *report)
{
	json_object *resets = jv_obj(report, "resets_by_method");
	json_object *unlocks = jv_obj(report, "unlocks_by_method");
	json_object *verif = jv_obj(report, "verifications_by_method");
	puts(_("Resets and unlocks by method"));
	heads(_("METHOD"), _("RESETS"), _("UNLOCKS"));
	for (int m = 0; m < METHOD_COUNT; m++) {
		const char *name = method_name((enum method)m);
		printf("  %-14s %8lld %8lld\n", name, (long long)jv_int(resets, name),
		       (long long)jv_int(unlocks, name));
	}
	puts("");
	puts(_("Verifications by method"));
	heads(_("METHOD"), _("PASSED"), _("FAILED"));
	for (int m = 0; m < METHOD_COUNT; m++) {
		const char *name = method_name((enum method)m);
		json_object *v = jv_obj(verif, name);
		printf("  %-14s %8lld %8lld\n", name, (long long)jv_int(v, "passed"),
		       (long long)jv_int(v, "failed"));
	}
}

static int print_report(json_object *report)
{
	char since[32], until[32];
	display_safe(jv_str(report, "since"), since, sizeof(since));
	display_safe(jv_str(report, "until"), until, sizeof(until));
	long long days = (long long)jv_int(report, "days");
	printf(P_("Report for the last %lld day, %s to %s\n\n",
		  "Report for the last %lld days, %s to %s\n\n", (unsigned long)days),
	       days, since, until);
	print_users(jv_obj(report, "users"));
	puts("");
	print_activity(jv_obj(report, "activity"));
	puts("");
	print_by_method(report);
	if (fflush(stdout) == EOF) {
		fprintf(stderr, _("%s: cannot write the report: %s\n"), PROG, strerror(errno));
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

int ssprctl_report(struct ssprctl_opts *o, char **args, int nargs)
{
	struct rows rows = {0};
	unsigned days;
	char text[16];
	(void)args, (void)nargs;
	int ret = ssprctl_parse_count("--days", o->days ? o->days : REPORT_DEFAULT_DAYS, 1,
				      REPORT_MAX_DAYS, &days);
	if (ret != CLI_EXIT_OK)
		return ret;
	snprintf(text, sizeof(text), "%u", days);
	const char *fields[] = {text};
	ret = ssprctl_send(o, PROTO_ADMIN_REPORT, ARRAY_SIZE(fields), fields, rows_collect, &rows);
	size_t n = rows.array ? json_object_array_length(rows.array) : 0;
	if (ret == CLI_EXIT_OK && n != 1) {
		fprintf(stderr, "%s: %s\n", PROG,
			n == 0 ? _("ssprd sent no report") : _("ssprd sent more than one report"));
		ret = CLI_EXIT_FAILED;
	}
	if (ret == CLI_EXIT_OK) {
		json_object *report = json_object_array_get_idx(rows.array, 0);
		ret = o->json ? jv_print(report) : print_report(report);
	}
	rows_free(&rows);
	return ret;
}
