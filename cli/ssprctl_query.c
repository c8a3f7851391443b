/* ssprctl list and audit: rows of JSON from ssprd, shown as a table or
 * printed again as one JSON array. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/ssprctl.h"
#include "common/i18n.h"
#include "common/timeparse.h"
#include "common/util.h"
#include "common/validate.h"

/* --json: the rows as one array, [] when there were none. */
static int print_rows_json(struct rows *rows)
{
	if (!rows->array && !(rows->array = json_object_new_array())) {
		fprintf(stderr, _("%s: out of memory\n"), PROG);
		return CLI_EXIT_FAILED;
	}
	return jv_print(rows->array);
}

static int print_table(struct table *t)
{
	if (table_print(t, stdout) < 0 || fflush(stdout) == EOF) {
		fprintf(stderr, _("%s: cannot write the table: %s\n"), PROG, strerror(errno));
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

static int table_oom(struct table *t)
{
	fprintf(stderr, _("%s: out of memory\n"), PROG);
	table_free(t);
	return CLI_EXIT_FAILED;
}

/* The method names of a "registered" array, comma-separated. */
static void join_methods(json_object *row, char *out, size_t outsz)
{
	json_object *list = NULL;
	size_t used = 0;
	out[0] = '\0';
	if (!json_object_object_get_ex(row, "registered", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *name = json_object_get_string(json_object_array_get_idx(list, i));
		int n =
		    snprintf(out + used, outsz - used, "%s%s", used ? "," : "", name ? name : "?");
		if (n < 0 || (size_t)n >= outsz - used)
			break;
		used += (size_t)n;
	}
}

static int list_table(struct rows *rows)
{
	const char *const head[] = {_("USER"),	_("ENABLED"),	_("REGISTERED"),
				    _("MEETS"), _("CONFIRMED"), _("RECONFIRM")};
	struct table t;
	size_t n = rows->array ? json_object_array_length(rows->array) : 0;
	table_init(&t, ARRAY_SIZE(head), head);
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows->array, i);
		char methods[256], date[16];
		const char *confirmed = jv_str(row, "confirmed");
		join_methods(row, methods, sizeof(methods));
		/* The date is enough to see who is due. */
		snprintf(date, sizeof(date), "%.10s", confirmed ? confirmed : "");
		const char *cells[] = {
		    jv_str(row, "user"),
		    jv_true(row, "enabled") ? _("yes") : _("no"),
		    methods,
		    jv_true(row, "meets_requirements") ? _("yes") : _("no"),
		    confirmed ? date : _("never"),
		    jv_true(row, "reconfirm_due") ? _("due") : "-",
		};
		if (table_add(&t, cells) < 0)
			return table_oom(&t);
	}
	int ret = print_table(&t);
	table_free(&t);
	return ret;
}

int ssprctl_list(struct ssprctl_opts *o, char **args, int nargs)
{
	struct rows rows = {0};
	const char *fields[] = {o->unregistered ? "unregistered" : ""};
	(void)args, (void)nargs;
	int ret =
	    ssprctl_send(o, PROTO_ADMIN_LIST, ARRAY_SIZE(fields), fields, rows_collect, &rows);
	if (ret == CLI_EXIT_OK)
		ret = o->json ? print_rows_json(&rows) : list_table(&rows);
	rows_free(&rows);
	return ret;
}

static int audit_table(struct rows *rows)
{
	const char *const head[] = {_("TIME"),	  _("USER"),  _("EVENT"), _("METHOD"),
				    _("SERVICE"), _("RHOST"), _("ACTOR"), _("DETAIL")};
	static const char *const keys[] = {"time",    "user",  "event", "method",
					   "service", "rhost", "actor", "detail"};
	struct table t;
	size_t n = rows->array ? json_object_array_length(rows->array) : 0;
	table_init(&t, ARRAY_SIZE(head), head);
	for (size_t i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(rows->array, i);
		const char *cells[ARRAY_SIZE(keys)];
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
			cells[k] = jv_str(row, keys[k]);
		if (table_add(&t, cells) < 0)
			return table_oom(&t);
	}
	int ret = print_table(&t);
	table_free(&t);
	return ret;
}

static int parse_since(const char *s, char *out, size_t outsz)
{
	int64_t t = 0;
	int r = timeparse_since(s, (int64_t)time(NULL), &t);
	if (r < 0) {
		char shown[64];
		sanitize_for_log(s, shown, sizeof(shown));
		if (r == -ERANGE)
			fprintf(stderr, _("%s: --since \"%s\" is before 1970 or after 9999\n"),
				PROG, shown);
		else
			fprintf(stderr,
				_("%s: --since \"%s\": use YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, unix "
				  "seconds, or a span such as 7d, 24h or 2w\n"),
				PROG, shown);
		return CLI_EXIT_USAGE;
	}
	snprintf(out, outsz, "%lld", (long long)t);
	return CLI_EXIT_OK;
}

int ssprctl_audit(struct ssprctl_opts *o, char **args, int nargs)
{
	struct rows rows = {0};
	char since[24] = "", limit[16] = "";
	unsigned n;
	int ret = CLI_EXIT_OK;
	(void)args, (void)nargs;
	if (o->user)
		ret = ssprctl_check_user(o->user);
	if (ret == CLI_EXIT_OK && o->since)
		ret = parse_since(o->since, since, sizeof(since));
	if (ret == CLI_EXIT_OK && o->limit &&
	    (ret = ssprctl_parse_count("--limit", o->limit, 1, PROTO_MAX_AUDIT_ROWS, &n)) ==
		CLI_EXIT_OK)
		snprintf(limit, sizeof(limit), "%u", n);
	if (ret != CLI_EXIT_OK)
		return ret;
	const char *fields[] = {o->user ? o->user : "", since, limit};
	ret = ssprctl_send(o, PROTO_ADMIN_AUDIT, ARRAY_SIZE(fields), fields, rows_collect, &rows);
	if (ret == CLI_EXIT_OK)
		ret = o->json ? print_rows_json(&rows) : audit_table(&rows);
	rows_free(&rows);
	return ret;
}
