/* /etc/sspr.conf: an INI file parsed with libinih. See sspr.conf(5). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONF_DEFAULT_PATH "/etc/sspr.conf"
#define CONF_MAX_GROUPS	  32
/* pam_unix truncates longer passwords silently. */
#define CONF_POLICY_MAX_BYTES 511
/* Every history check verifies up to history + 2 hashes. */
#define CONF_HISTORY_MAX 50

enum hash_method {
	HASH_YESCRYPT,
	HASH_SHA512,
};

struct sspr_conf {
	/* [general] */
	bool enabled;
	unsigned min_uid;
	char *enabled_groups[CONF_MAX_GROUPS]; /* NULL-terminated; empty: all */
	char *helpdesk;
	/* [daemon] */
	char *socket_path;
	char *state_dir;
	unsigned max_connections;  /* concurrent clients */
	unsigned dialogue_timeout; /* seconds a whole dialogue may last */
	unsigned answer_timeout;   /* seconds to wait for one answer */
	/* [backend] */
	char *backend_type; /* "shadow" */
	char *shadow_file;
	enum hash_method hash_method;
	/* [methods] */
	bool method_email;
	unsigned required;
	unsigned code_ttl;
	unsigned code_attempts;
	/* [email] */
	char *smtp_url;
	char *smtp_username;
	char *smtp_password_file;
	char *mail_from;
	unsigned smtp_timeout; /* seconds for a whole SMTP transaction */
	bool notify_on_reset;
	/* [policy] */
	unsigned min_length;	      /* characters */
	unsigned max_length;	      /* characters; never more than 511 bytes */
	unsigned min_classes;	      /* 0: composition rule off */
	bool pwquality;		      /* apply libpwquality */
	char *pwquality_conf;	      /* its configuration file */
	unsigned pwquality_min_score; /* 0: off */
	char *organisation;	      /* names separated by commas; NULL: unset */
	unsigned history;	      /* earlier passwords refused; 0: off */
	char *opasswd;		      /* pam_pwhistory's file; NULL: not read */
	char *breached_list;	      /* sorted SHA-1 list; NULL: off */
	unsigned min_age_hours;	      /* between two resets; 0: off */
};

/* Set every key to its default (see sspr.conf(5)). */
int conf_init_defaults(struct sspr_conf *c);

/* Parse path over the defaults already in c. On error returns negative errno
 * and writes "path:line: message" (or "path: message") into err. */
int conf_load(struct sspr_conf *c, const char *path, char *err, size_t errsz);

/* Free every string; NULL-safe; leaves c zeroed. */
void conf_free(struct sspr_conf *c);
