/* ssprctl report: one JSON object from ssprd, shown as readable sections
 * or printed again with --json. */
#include <stdio.h>
#include <string.h>

#include "cli/ssprctl.h"
#include "common/method.h"
#include "common/util.h"

#define REPORT_DEFAULT_DAYS "30"
#define REPORT_MAX_DAYS	    3650

/* Activity lines, in the order shown; events the daemon counts that are
 * not here follow under their own names. */
static const struct {
	const char *event, *label;
} activity_labels[] = {
    {"reset", "Password resets"},
    {"unlock", "Account unlocks (password kept)"},
    {"verify_passed", "Verifications passed"},
    {"verify_failed", "Verifications failed"},
    {"code_wrong", "Wrong codes entered"},
    {"code_exhausted", "Lockouts (attempts used up)"},
    {"abandoned", "Abandoned (timeout, disconnect)"},
    {"cancelled", "Cancelled by the user"},
    {"refused", "Refused (not eligible)"},
    {"rate_limited", "Rate-limited"},
    {"code_sent", "Codes sent"},
    {"call_placed", "Calls placed"},
    {"send_failed", "Sending failures"},
    {"reset_failed", "Password writes failed"},
    {"dialogue_started", "Dialogues started"},
    {"method_chosen", "Methods chosen"},
    {"verified", "Users fully verified"},
    {"register_started", "Registrations started"},
    {"register_auth_failed", "Registration logins failed"},
    {"register_changed", "Registrations changed"},
    {"register_confirmed", "Registrations confirmed"},
    {"admin_enroll", "Enrolled by an administrator"},
    {"admin_clear", "Cleared by an administrator"},
    {"admin_unlock", "Unlocked by an administrator"},
    {"admin_test", "Test messages"},
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

static void line(const char *indent, const char *label, long long n, long long total)
{
	char p[48];
	pct(n, total, p, sizeof(p));
	printf("%s%-*s %6lld%s\n", indent, (int)(LABEL_WIDTH - strlen(indent)), label, n, p);
}

static void print_users(json_object *users)
{
	long long enabled = jv_int(users, "enabled");
	json_object *by = jv_obj(users, "by_method");
	puts("Registration coverage");
	line("  ", "Enabled users", enabled, 0);
	line("  ", "Registered (meet the requirements)", jv_int(users, "registered"), enabled);
	line("  ", "Unregistered", jv_int(users, "unregistered"), enabled);
	line("  ", "Due for reconfirmation", jv_int(users, "reconfirm_due"), enabled);
	puts("  Users with each method:");
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
	puts("Activity");
	for (size_t i = 0; i < ARRAY_SIZE(activity_labels); i++)
		line("  ", activity_labels[i].label, jv_int(activity, activity_labels[i].event), 0);
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
	puts("Resets and unlocks by method");
	printf("  %-14s %8s %8s\n", "METHOD", "RESETS", "UNLOCKS");
	for (int m = 0; m < METHOD_COUNT; m++) {
		const char *name = method_name((enum method)m);
		printf("  %-14s %8lld %8lld\n", name, (long long)jv_int(resets, name),
		       (long long)jv_int(unlocks, name));
	}
	puts("");
	puts("Verifications by method");
	printf("  %-14s %8s %8s\n", "METHOD", "PASSED", "FAILED");
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
	printf("Report for the last %lld days, %s to %s\n\n", (long long)jv_int(report, "days"),
	       since, until);
	print_users(jv_obj(report, "users"));
	puts("");
	print_activity(jv_obj(report, "activity"));
	puts("");
	print_by_method(report);
	if (fflush(stdout) == EOF) {
		perror(PROG ": cannot write the report");
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
		fprintf(stderr, PROG ": ssprd sent %s\n",
			n == 0 ? "no report" : "more than one report");
		ret = CLI_EXIT_FAILED;
	}
	if (ret == CLI_EXIT_OK) {
		json_object *report = json_object_array_get_idx(rows.array, 0);
		ret = o->json ? jv_print(report) : print_report(report);
	}
	rows_free(&rows);
	return ret;
}
