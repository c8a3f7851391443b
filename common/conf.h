/* /etc/sspr.conf: an INI file parsed with libinih. See sspr.conf(5). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define CONF_DEFAULT_PATH "/etc/sspr.conf"
#define CONF_MAX_GROUPS	  32
/* pam_unix truncates longer passwords silently. */
#define CONF_POLICY_MAX_BYTES 511
/* Every history check verifies up to history + 2 hashes. */
#define CONF_HISTORY_MAX   50
#define CONF_MAX_PREFIXES  32
#define CONF_MAX_QUESTIONS 32
/* Longest security question, in bytes. */
#define CONF_QUESTION_MAX 160
/* Addresses in [notify] admins. */
#define CONF_MAX_ADMINS 8

enum gateway_provider {
	GATEWAY_TWILIO,
	GATEWAY_HTTP,
};

enum body_format {
	BODY_FORM, /* application/x-www-form-urlencoded */
	BODY_JSON, /* application/json */
};

enum voice_mode {
	VOICE_SPEAK_CODE,  /* the call reads a code the user types */
	VOICE_PRESS_POUND, /* the user presses # on the phone */
};

enum office_source {
	OFFICE_FROM_STORE,
	OFFICE_FROM_GECOS, /* the work-phone field of GECOS */
};

enum hash_method {
	HASH_YESCRYPT,
	HASH_SHA512,
};

enum backend_type {
	BACKEND_SHADOW, /* /etc/shadow (and pam_faillock) */
	BACKEND_LDAP,	/* a directory, through [ldap] */
};

enum store_type {
	STORE_SQLITE, /* enrolments in state_dir/sspr.db, this host only */
	STORE_LDAP,   /* enrolments in the user's directory entry, every host */
};

enum ldap_flavor {
	LDAP_FLAVOR_OPENLDAP, /* ppolicy overlay attributes */
	LDAP_FLAVOR_AD,	      /* Active Directory: lockoutTime */
};

/* Longest language name in [general] language ("zh_TW", "en@pseudo"). */
#define CONF_LANGUAGE_MAX 15

struct sspr_conf {
	/* [general] */
	bool enabled;
	unsigned min_uid;
	char *enabled_groups[CONF_MAX_GROUPS]; /* NULL-terminated; empty: all */
	char *helpdesk;
	char *admin_groups[CONF_MAX_GROUPS]; /* NULL-terminated: may run ssprctl */
	bool captcha;			     /* a typed challenge before anything is sent */
	bool reveal_unregistered;	     /* no decoys: refuse unregistered users at once */
	char *language;			     /* site default for texts: "en", "zh_TW"... */
	/* [daemon] */
	char *socket_path;
	char *state_dir;
	unsigned max_connections;  /* concurrent clients */
	unsigned dialogue_timeout; /* seconds a whole dialogue may last */
	unsigned answer_timeout;   /* seconds to wait for one answer */
	unsigned audit_days;	   /* audit rows kept; 0: forever */
	char *daemon_user;	   /* the engine runs as this user; NULL: no drop */
	enum store_type store;	   /* where enrolments live */
	/* [backend] */
	enum backend_type backend;
	char *shadow_file;
	enum hash_method hash_method;
	char *faillock_dir; /* NULL: from /etc/security/faillock.conf */
	/* [methods] */
	unsigned methods;  /* METHOD_BIT(enum method) of each enabled one */
	unsigned required; /* 1 or 2 different methods */
	bool questions_alone;
	unsigned code_ttl;
	unsigned code_attempts;
	/* [gateway]: SMS and voice calls */
	enum gateway_provider gw_provider;
	char *gw_url;	      /* twilio: API base URL */
	char *gw_account_sid; /* twilio */
	char *gw_auth_file;   /* twilio: auth token; http: Authorization value */
	char *gw_from;	      /* E.164 sender / caller id */
	unsigned gw_timeout;  /* seconds per HTTP request */
	unsigned gw_retries;  /* extra attempts after a 5xx, 429 or network error */
	char *gw_allowed_prefixes[CONF_MAX_PREFIXES]; /* NULL-terminated; empty: all */
	char *gw_sms_url;			      /* http provider */
	char *gw_call_url;			      /* http provider */
	enum body_format gw_body_format;
	char *gw_sms_body;  /* template: {to} {text} {code} */
	char *gw_call_body; /* template: {to} {text} {code} {callback} {mode} */
	/* [voice] */
	enum voice_mode voice_mode;
	enum office_source office_source;
	char *voice_listen;	  /* host:port of the press_pound callback server */
	char *voice_callback_url; /* public base URL the provider calls */
	unsigned voice_confirm_timeout;
	char *voice_echo_url; /* twilio speak_code: TwiML echo service */
	/* [questions] */
	char *question_pool[CONF_MAX_QUESTIONS]; /* NULL-terminated */
	char *question_pool_file;
	bool questions_custom;
	unsigned questions_register;
	unsigned questions_answer;
	unsigned questions_min_length;
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
	/* [limits]: per account, per source (rhost or tty), global */
	unsigned codes_per_hour;
	unsigned codes_per_day;
	unsigned failures; /* verification failures before the reset flow locks */
	unsigned lockout_minutes;
	unsigned dialogues_per_hour;
	unsigned source_dialogues_per_hour;
	unsigned source_failures_per_hour;
	unsigned sends_per_hour; /* SMS and calls, all users together */
	unsigned sends_per_day;
	/* [registration] */
	unsigned reconfirm_days; /* 0: never */
	bool remind;		 /* pam_sspr account/session reminders */
	/* [notify] */
	char *notify_admins[CONF_MAX_ADMINS]; /* NULL-terminated */
	bool notify_sms;		      /* outcome notices by SMS too */
	bool notify_admin_failures;	      /* admins hear of every failed verification */
	char *templates_dir;
	/* [ldap]: the directory, for [backend] type = ldap and [daemon] store = ldap */
	char *ldap_uri;	    /* ldap:// (StartTLS unless loopback) or ldaps:// */
	char *ldap_bind_dn; /* NULL: anonymous (then no writes) */
	char *ldap_bind_password_file;
	char *ldap_base_dn;
	char *ldap_user_filter;	       /* one %s: the escaped user name */
	char *ldap_ca_file;	       /* NULL: the system's CA store */
	unsigned ldap_network_timeout; /* seconds to connect */
	unsigned ldap_timeout;	       /* seconds per operation */
	enum ldap_flavor ldap_flavor;
	bool ldap_shadow_last_change; /* also set shadowLastChange on a reset */
	char *ldap_mail_attr;	      /* NULL: not read */
	char *ldap_mobile_attr;
	char *ldap_office_attr;
	char *ldap_enrolment_attr;	  /* store = ldap: holds the enrolment document */
	char *ldap_enrolment_objectclass; /* added to the entry when missing; NULL: none */
	char *ldap_site_key_file; /* store = ldap: seals TOTP secrets, keys recovery hashes */
};

/* Set every key to its default (see sspr.conf(5)). */
int conf_init_defaults(struct sspr_conf *c);

/* Parse path over the defaults already in c. On error returns negative errno
 * and writes "path:line: message" (or "path: message") into err. */
int conf_load(struct sspr_conf *c, const char *path, char *err, size_t errsz);

/* Free every string; NULL-safe; leaves c zeroed. */
void conf_free(struct sspr_conf *c);
