/* ssprctl: what its command files share. main() (ssprctl.c) parses the
 * options into struct ssprctl_opts and runs one command; every command
 * returns the enum cli_exit the tool exits with, having said why on
 * stderr. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/term.h"
#include "common/phone.h"
#include "common/proto.h"

#define PROG "ssprctl"

/* The steps of `enroll`, one per option. */
enum enroll_kind {
	ENROLL_EMAIL,
	ENROLL_MOBILE,
	ENROLL_OFFICE,
	ENROLL_QUESTIONS,
	ENROLL_TOTP,
	ENROLL_RECOVERY,
	ENROLL_KINDS,
};

struct steps {
	size_t n;
	struct {
		enum enroll_kind kind;
		const char *value; /* as given; "" for the options without one */
		char phone[PHONE_MAX + 1];
	} s[ENROLL_KINDS];
};

struct ssprctl_opts {
	const char *config; /* --config, NULL: CONF_DEFAULT_PATH */
	const char *socket; /* --socket, NULL: from the configuration */
	struct steps steps; /* enroll */
	bool yes;	    /* clear: no confirmation */
	bool unregistered;  /* list */
	bool json;	    /* list, audit, report */
	const char *user;   /* audit --user */
	const char *since;  /* audit --since, as typed */
	const char *limit;  /* audit --limit, as typed */
	const char *days;   /* report --days, as typed */
};

/* ssprctl.c */
int ssprctl_usage_error(const char *msg);
/* A valid login name (a friendly local check; ssprd checks again). */
int ssprctl_check_user(const char *user);
/* A decimal option value from min to max, or a usage error naming it. */
int ssprctl_parse_count(const char *option, const char *s, unsigned min, unsigned max,
			unsigned *out);
/* Build one request and send it; data (may be NULL) gets DATA rows. */
int ssprctl_send(const struct ssprctl_opts *o, enum proto_type type, unsigned nfields,
		 const char *const *fields, cli_data_fn data, void *userdata);

/* ssprctl_enroll.c */
int enroll_add_step(struct steps *st, enum enroll_kind kind, const char *value);
const char *enroll_option(enum enroll_kind kind);
int ssprctl_enroll(struct ssprctl_opts *o, char **args, int nargs);

/* ssprctl_admin.c */
int ssprctl_show(struct ssprctl_opts *o, char **args, int nargs);
int ssprctl_clear(struct ssprctl_opts *o, char **args, int nargs);
int ssprctl_unlock(struct ssprctl_opts *o, char **args, int nargs);
int ssprctl_test_email(struct ssprctl_opts *o, char **args, int nargs);
int ssprctl_test_sms(struct ssprctl_opts *o, char **args, int nargs);

/* ssprctl_query.c */
int ssprctl_list(struct ssprctl_opts *o, char **args, int nargs);
int ssprctl_audit(struct ssprctl_opts *o, char **args, int nargs);

/* ssprctl_report.c */
int ssprctl_report(struct ssprctl_opts *o, char **args, int nargs);

/* ssprctl_config.c */
int ssprctl_check_config(struct ssprctl_opts *o, char **args, int nargs);

/* ssprctl_json.c: the DATA rows of an answer. */
struct rows {
	json_object *array; /* of the row objects, in the order received */
};
/* A cli_data_fn over struct rows: json_tokener parses each message, and
 * anything but one JSON object is an error. */
int rows_collect(void *userdata, const char *json);
void rows_free(struct rows *rows);
/* v pretty-printed and a newline on stdout; CLI_EXIT_OK or _FAILED. */
int jv_print(json_object *v);
/* Member key of o: its string (NULL when missing or not a string), its
 * integer (0 when missing), whether it is true, or the object (NULL). */
const char *jv_str(json_object *o, const char *key);
int64_t jv_int(json_object *o, const char *key);
bool jv_true(json_object *o, const char *key);
json_object *jv_obj(json_object *o, const char *key);

/* ssprctl_table.c: aligned columns of text from the daemon. */
struct table {
	size_t ncols, nrows, cap;
	const char *const *head;
	char **cells; /* nrows * ncols, sanitized copies */
};
void table_init(struct table *t, size_t ncols, const char *const *head);
/* A row of ncols cells; NULL or "" is shown as "-". 0 or -ENOMEM. */
int table_add(struct table *t, const char *const *cells);
/* Columns separated by two spaces, padded to the widest cell; the last
 * column cut to fit a terminal's width when f is one. 0 or -ENOMEM. */
int table_print(const struct table *t, FILE *f);
void table_free(struct table *t);
/* in made safe to print: control characters, C1 controls and invalid
 * UTF-8 become '?'. Returns out. */
char *display_safe(const char *in, char *out, size_t outsz);
/* Terminal columns of a string display_safe produced (text_width: CJK
 * characters take two). */
size_t display_width(const char *s);
