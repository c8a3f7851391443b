/* Every key of /etc/sspr.conf: section, name, type and limits. The parser
 * is driven by this table; sspr.conf(5) and conf/sspr.conf document each row
 * (the unit tests check that). */
#include "common/conf_keys.h"

#include <limits.h>
#include <sys/un.h>

#include "common/util.h"

#define SOCKET_PATH_MAX (sizeof(((struct sockaddr_un *)0)->sun_path) - 1)

#define F(field) offsetof(struct sspr_conf, field)

const struct conf_key conf_keys[] = {
    {"general", "enabled", CT_BOOL, F(enabled), 0, 0, NULL},
    {"general", "min_uid", CT_UINT, F(min_uid), 0, 4294967294ULL, NULL},
    {"general", "enabled_groups", CT_GROUPS, F(enabled_groups), 0, 0, NULL},
    {"general", "helpdesk", CT_TEXT, F(helpdesk), 0, 512, NULL},
    {"daemon", "socket", CT_PATH, F(socket_path), 0, SOCKET_PATH_MAX, NULL},
    {"daemon", "state_dir", CT_PATH, F(state_dir), 0, PATH_MAX - 1, NULL},
    {"daemon", "max_connections", CT_UINT, F(max_connections), 1, 1024, NULL},
    {"daemon", "dialogue_timeout", CT_UINT, F(dialogue_timeout), 30, 86400, NULL},
    {"daemon", "answer_timeout", CT_UINT, F(answer_timeout), 10, 3600, NULL},
    {"backend", "type", CT_BACKEND, F(backend_type), 0, 0, NULL},
    {"backend", "shadow_file", CT_PATH, F(shadow_file), 0, PATH_MAX - 1, NULL},
    {"backend", "hash_method", CT_HASH, F(hash_method), 0, 0, NULL},
    {"methods", "enabled", CT_METHODS, F(method_email), 0, 0, NULL},
    {"methods", "required", CT_UINT, F(required), 1, 1,
     "expected 1 (only one method is available)"},
    {"methods", "code_ttl", CT_UINT, F(code_ttl), 1, 86400, NULL},
    {"methods", "code_attempts", CT_UINT, F(code_attempts), 1, 20, NULL},
    {"email", "smtp_url", CT_SMTP_URL, F(smtp_url), 0, 512, NULL},
    {"email", "username", CT_OPT_TEXT, F(smtp_username), 0, 256, NULL},
    {"email", "password_file", CT_OPT_PATH, F(smtp_password_file), 0, PATH_MAX - 1, NULL},
    {"email", "from", CT_ADDRESS, F(mail_from), 0, 0, NULL},
    {"email", "timeout", CT_UINT, F(smtp_timeout), 1, 600, NULL},
    {"email", "notify_on_reset", CT_BOOL, F(notify_on_reset), 0, 0, NULL},
    {"policy", "min_length", CT_UINT, F(min_length), 8, CONF_POLICY_MAX_BYTES, NULL},
    {"policy", "max_length", CT_UINT, F(max_length), 8, CONF_POLICY_MAX_BYTES, NULL},
    {"policy", "min_classes", CT_UINT, F(min_classes), 0, 4, NULL},
    {"policy", "pwquality", CT_BOOL, F(pwquality), 0, 0, NULL},
    {"policy", "pwquality_conf", CT_PATH, F(pwquality_conf), 0, PATH_MAX - 1, NULL},
    {"policy", "pwquality_min_score", CT_UINT, F(pwquality_min_score), 0, 100, NULL},
    {"policy", "organisation", CT_OPT_TEXT, F(organisation), 0, 190, NULL},
    {"policy", "history", CT_UINT, F(history), 0, CONF_HISTORY_MAX, NULL},
    {"policy", "opasswd", CT_OPT_PATH, F(opasswd), 0, PATH_MAX - 1, NULL},
    {"policy", "breached_list", CT_OPT_PATH, F(breached_list), 0, PATH_MAX - 1, NULL},
    {"policy", "min_age_hours", CT_UINT, F(min_age_hours), 0, 8760, NULL},
};

const size_t conf_key_count = ARRAY_SIZE(conf_keys);

_Static_assert(ARRAY_SIZE(conf_keys) <= CONF_MAX_KEYS, "raise CONF_MAX_KEYS");
