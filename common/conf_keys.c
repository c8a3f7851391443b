/* Every key of /etc/sspr.conf: section, name, type, limits and default. The
 * parser is driven by this table; sspr.conf(5) and conf/sspr.conf document
 * each row (the unit tests check that). */
#include "common/conf_keys.h"

#include <limits.h>
#include <sys/un.h>

#include "common/util.h"

#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

#define F(field) offsetof(struct sspr_conf, field)

static const char *const providers[] = {"twilio", "http", NULL};
static const char *const body_formats[] = {"form", "json", NULL};
static const char *const voice_modes[] = {"speak_code", "press_pound", NULL};
static const char *const office_sources[] = {"store", "gecos", NULL};
static const char *const hash_methods[] = {"yescrypt", "sha512", NULL};
static const char *const backends[] = {"shadow", "ldap", NULL};
static const char *const stores[] = {"sqlite", "ldap", NULL};
static const char *const ldap_flavors[] = {"openldap", "ad", NULL};

const struct conf_key conf_keys[] = {
    {"general", "enabled", CT_BOOL, F(enabled), 0, 0, NULL, NULL, NULL},
    {"general", "min_uid", CT_UINT, F(min_uid), 0, 4294967294ULL, NULL, NULL, NULL},
    {"general", "enabled_groups", CT_GROUPS, F(enabled_groups), 0, 0, NULL, NULL, NULL},
    {"general", "helpdesk", CT_TEXT, F(helpdesk), 0, 512, NULL, NULL,
     "Contact your system administrator."},
    {"general", "admin_group", CT_GROUPS, F(admin_groups), 0, 0, NULL, NULL, NULL},
    {"general", "captcha", CT_BOOL, F(captcha), 0, 0, NULL, NULL, NULL},
    {"general", "reveal_unregistered", CT_BOOL, F(reveal_unregistered), 0, 0, NULL, NULL, NULL},
    {"general", "language", CT_LANGUAGE, F(language), 0, CONF_LANGUAGE_MAX, NULL, NULL, "en"},
    {"daemon", "socket", CT_PATH, F(socket_path), 0, SOCKET_PATH_MAX, NULL, NULL,
     "/run/sspr/ssprd.sock"},
    {"daemon", "state_dir", CT_PATH, F(state_dir), 0, PATH_MAX - 1, NULL, NULL, "/var/lib/sspr"},
    {"daemon", "max_connections", CT_UINT, F(max_connections), 1, 1024, NULL, NULL, NULL},
    {"daemon", "dialogue_timeout", CT_UINT, F(dialogue_timeout), 30, 86400, NULL, NULL, NULL},
    {"daemon", "answer_timeout", CT_UINT, F(answer_timeout), 10, 3600, NULL, NULL, NULL},
    {"daemon", "audit_days", CT_UINT, F(audit_days), 0, 36500, NULL, NULL, NULL},
    {"daemon", "user", CT_OPT_TEXT, F(daemon_user), 0, 32, NULL, NULL, "sspr"},
    {"daemon", "store", CT_CHOICE, F(store), 0, 0, NULL, stores, NULL},
    {"backend", "type", CT_CHOICE, F(backend), 0, 0, NULL, backends, NULL},
    {"backend", "shadow_file", CT_PATH, F(shadow_file), 0, PATH_MAX - 1, NULL, NULL, "/etc/shadow"},
    {"backend", "hash_method", CT_CHOICE, F(hash_method), 0, 0, NULL, hash_methods, NULL},
    {"backend", "faillock_dir", CT_OPT_PATH, F(faillock_dir), 0, PATH_MAX - 1, NULL, NULL, NULL},
    {"methods", "enabled", CT_METHODS, F(methods), 0, 0, NULL, NULL, NULL},
    {"methods", "required", CT_UINT, F(required), 1, 2, NULL, NULL, NULL},
    {"methods", "questions_alone", CT_BOOL, F(questions_alone), 0, 0, NULL, NULL, NULL},
    {"methods", "code_ttl", CT_UINT, F(code_ttl), 1, 86400, NULL, NULL, NULL},
    {"methods", "code_attempts", CT_UINT, F(code_attempts), 1, 20, NULL, NULL, NULL},
    {"email", "smtp_url", CT_SMTP_URL, F(smtp_url), 0, 512, NULL, NULL, "smtp://localhost"},
    {"email", "username", CT_OPT_TEXT, F(smtp_username), 0, 256, NULL, NULL, NULL},
    {"email", "password_file", CT_OPT_PATH, F(smtp_password_file), 0, PATH_MAX - 1, NULL, NULL,
     NULL},
    {"email", "from", CT_ADDRESS, F(mail_from), 0, 0, NULL, NULL, "sspr@localhost"},
    {"email", "timeout", CT_UINT, F(smtp_timeout), 1, 600, NULL, NULL, NULL},
    {"email", "notify_on_reset", CT_BOOL, F(notify_on_reset), 0, 0, NULL, NULL, NULL},
    {"gateway", "provider", CT_CHOICE, F(gw_provider), 0, 0, NULL, providers, NULL},
    {"gateway", "url", CT_HTTP_URL, F(gw_url), 0, 512, NULL, NULL, "https://api.twilio.com"},
    {"gateway", "account_sid", CT_OPT_TEXT, F(gw_account_sid), 0, 64, NULL, NULL, NULL},
    {"gateway", "auth_file", CT_OPT_PATH, F(gw_auth_file), 0, PATH_MAX - 1, NULL, NULL, NULL},
    {"gateway", "from", CT_OPT_PHONE, F(gw_from), 0, 0, NULL, NULL, NULL},
    {"gateway", "timeout", CT_UINT, F(gw_timeout), 1, 120, NULL, NULL, NULL},
    {"gateway", "retries", CT_UINT, F(gw_retries), 0, 5, NULL, NULL, NULL},
    {"gateway", "allowed_prefixes", CT_PREFIXES, F(gw_allowed_prefixes), 0, 0, NULL, NULL, NULL},
    {"gateway", "sms_url", CT_OPT_HTTP_URL, F(gw_sms_url), 0, 512, NULL, NULL, NULL},
    {"gateway", "call_url", CT_OPT_HTTP_URL, F(gw_call_url), 0, 512, NULL, NULL, NULL},
    {"gateway", "body_format", CT_CHOICE, F(gw_body_format), 0, 0, NULL, body_formats, NULL},
    {"gateway", "sms_body", CT_TEXT, F(gw_sms_body), 0, 180, NULL, NULL, "to={to}&text={text}"},
    {"gateway", "call_body", CT_TEXT, F(gw_call_body), 0, 180, NULL, NULL,
     "to={to}&text={text}&callback={callback}&mode={mode}"},
    {"voice", "mode", CT_CHOICE, F(voice_mode), 0, 0, NULL, voice_modes, NULL},
    {"voice", "office_phone_source", CT_CHOICE, F(office_source), 0, 0, NULL, office_sources, NULL},
    {"voice", "callback_listen", CT_OPT_LISTEN, F(voice_listen), 0, 0, NULL, NULL, NULL},
    {"voice", "callback_url", CT_OPT_HTTP_URL, F(voice_callback_url), 0, 160, NULL, NULL, NULL},
    {"voice", "confirm_timeout", CT_UINT, F(voice_confirm_timeout), 15, 300, NULL, NULL, NULL},
    {"voice", "echo_url", CT_HTTP_URL, F(voice_echo_url), 0, 160, NULL, NULL,
     "https://twimlets.com/echo"},
    {"questions", "pool", CT_QPOOL, F(question_pool), 0, 0, NULL, NULL, NULL},
    {"questions", "pool_file", CT_OPT_PATH, F(question_pool_file), 0, PATH_MAX - 1, NULL, NULL,
     NULL},
    {"questions", "custom", CT_BOOL, F(questions_custom), 0, 0, NULL, NULL, NULL},
    {"questions", "register", CT_UINT, F(questions_register), 1, 10, NULL, NULL, NULL},
    {"questions", "answer", CT_UINT, F(questions_answer), 1, 10, NULL, NULL, NULL},
    {"questions", "min_answer_length", CT_UINT, F(questions_min_length), 1, 64, NULL, NULL, NULL},
    {"policy", "min_length", CT_UINT, F(min_length), 8, CONF_POLICY_MAX_BYTES, NULL, NULL, NULL},
    {"policy", "max_length", CT_UINT, F(max_length), 8, CONF_POLICY_MAX_BYTES, NULL, NULL, NULL},
    {"policy", "min_classes", CT_UINT, F(min_classes), 0, 4, NULL, NULL, NULL},
    {"policy", "pwquality", CT_BOOL, F(pwquality), 0, 0, NULL, NULL, NULL},
    {"policy", "pwquality_conf", CT_PATH, F(pwquality_conf), 0, PATH_MAX - 1, NULL, NULL,
     "/etc/security/pwquality.conf"},
    {"policy", "pwquality_min_score", CT_UINT, F(pwquality_min_score), 0, 100, NULL, NULL, NULL},
    {"policy", "organisation", CT_OPT_TEXT, F(organisation), 0, 190, NULL, NULL, NULL},
    {"policy", "history", CT_UINT, F(history), 0, CONF_HISTORY_MAX, NULL, NULL, NULL},
    {"policy", "opasswd", CT_OPT_PATH, F(opasswd), 0, PATH_MAX - 1, NULL, NULL,
     "/etc/security/opasswd"},
    {"policy", "breached_list", CT_OPT_PATH, F(breached_list), 0, PATH_MAX - 1, NULL, NULL, NULL},
    {"policy", "min_age_hours", CT_UINT, F(min_age_hours), 0, 8760, NULL, NULL, NULL},
    {"limits", "codes_per_hour", CT_UINT, F(codes_per_hour), 1, 1000, NULL, NULL, NULL},
    {"limits", "codes_per_day", CT_UINT, F(codes_per_day), 1, 10000, NULL, NULL, NULL},
    {"limits", "failures", CT_UINT, F(failures), 1, 1000, NULL, NULL, NULL},
    {"limits", "lockout_minutes", CT_UINT, F(lockout_minutes), 1, 10080, NULL, NULL, NULL},
    {"limits", "dialogues_per_hour", CT_UINT, F(dialogues_per_hour), 1, 1000, NULL, NULL, NULL},
    {"limits", "source_dialogues_per_hour", CT_UINT, F(source_dialogues_per_hour), 1, 100000, NULL,
     NULL, NULL},
    {"limits", "source_failures_per_hour", CT_UINT, F(source_failures_per_hour), 1, 100000, NULL,
     NULL, NULL},
    {"limits", "sends_per_hour", CT_UINT, F(sends_per_hour), 1, 1000000, NULL, NULL, NULL},
    {"limits", "sends_per_day", CT_UINT, F(sends_per_day), 1, 10000000, NULL, NULL, NULL},
    {"registration", "reconfirm_days", CT_UINT, F(reconfirm_days), 0, 3650, NULL, NULL, NULL},
    {"registration", "remind", CT_BOOL, F(remind), 0, 0, NULL, NULL, NULL},
    {"notify", "admins", CT_ADDRESSES, F(notify_admins), 0, 0, NULL, NULL, NULL},
    {"notify", "notify_sms", CT_BOOL, F(notify_sms), 0, 0, NULL, NULL, NULL},
    {"notify", "admin_failures", CT_BOOL, F(notify_admin_failures), 0, 0, NULL, NULL, NULL},
    {"notify", "templates_dir", CT_PATH, F(templates_dir), 0, PATH_MAX - 1, NULL, NULL,
     "/etc/sspr/templates"},
    {"ldap", "uri", CT_OPT_LDAP_URL, F(ldap_uri), 0, 512, NULL, NULL, NULL},
    {"ldap", "bind_dn", CT_OPT_TEXT, F(ldap_bind_dn), 0, 512, NULL, NULL, NULL},
    {"ldap", "bind_password_file", CT_OPT_PATH, F(ldap_bind_password_file), 0, PATH_MAX - 1, NULL,
     NULL, NULL},
    {"ldap", "base_dn", CT_OPT_TEXT, F(ldap_base_dn), 0, 512, NULL, NULL, NULL},
    {"ldap", "user_filter", CT_LDAP_FILTER, F(ldap_user_filter), 0, 256, NULL, NULL,
     "(&(objectClass=posixAccount)(uid=%s))"},
    {"ldap", "ca_file", CT_OPT_PATH, F(ldap_ca_file), 0, PATH_MAX - 1, NULL, NULL, NULL},
    {"ldap", "network_timeout", CT_UINT, F(ldap_network_timeout), 1, 60, NULL, NULL, NULL},
    {"ldap", "timeout", CT_UINT, F(ldap_timeout), 1, 120, NULL, NULL, NULL},
    {"ldap", "flavor", CT_CHOICE, F(ldap_flavor), 0, 0, NULL, ldap_flavors, NULL},
    {"ldap", "shadow_last_change", CT_BOOL, F(ldap_shadow_last_change), 0, 0, NULL, NULL, NULL},
    {"ldap", "mail_attribute", CT_OPT_LDAP_ATTR, F(ldap_mail_attr), 0, 64, NULL, NULL, "mail"},
    {"ldap", "mobile_attribute", CT_OPT_LDAP_ATTR, F(ldap_mobile_attr), 0, 64, NULL, NULL,
     "mobile"},
    {"ldap", "office_phone_attribute", CT_OPT_LDAP_ATTR, F(ldap_office_attr), 0, 64, NULL, NULL,
     "telephoneNumber"},
    {"ldap", "enrolment_attribute", CT_OPT_LDAP_ATTR, F(ldap_enrolment_attr), 0, 64, NULL, NULL,
     "ssprEnrolment"},
    {"ldap", "enrolment_objectclass", CT_OPT_LDAP_ATTR, F(ldap_enrolment_objectclass), 0, 64, NULL,
     NULL, "ssprUser"},
    {"ldap", "site_key_file", CT_OPT_PATH, F(ldap_site_key_file), 0, PATH_MAX - 1, NULL, NULL,
     NULL},
};

const size_t conf_key_count = ARRAY_SIZE(conf_keys);

_Static_assert(ARRAY_SIZE(conf_keys) <= CONF_MAX_KEYS, "raise CONF_MAX_KEYS");
