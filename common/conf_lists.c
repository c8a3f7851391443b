/* The list-valued keys of sspr.conf and the checks that span several keys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf_keys.h"
#include "common/method.h"
#include "common/phone.h"
#include "common/util.h"
#include "common/validate.h"

#define LIST_SEPS ", \t"
#define LINE_MAX_ 200

void conf_list_free(char **list, size_t n)
{
	for (size_t i = 0; i < n && list; i++) {
		free(list[i]);
		list[i] = NULL;
	}
}

static bool prefix_valid(const char *p)
{
	size_t len = strlen(p);
	return len >= 2 && len <= PHONE_MAX && p[0] == '+' && p[1] != '0' &&
	       strspn(p + 1, "0123456789") == len - 1;
}

static bool question_valid(const char *q)
{
	size_t len = strlen(q);
	return len > 0 && utf8_text_valid(q, len, CONF_QUESTION_MAX, NULL);
}

static void trim(char **s)
{
	while (**s == ' ' || **s == '\t')
		(*s)++;
	size_t n = strlen(*s);
	while (n > 0 && ((*s)[n - 1] == ' ' || (*s)[n - 1] == '\t'))
		(*s)[--n] = '\0';
}

/* Split value into a fresh NULL-terminated list of at most max - 1 items,
 * checking each; the field is replaced only when all are good. */
static int set_list(const struct conf_key *k, char **field, size_t max, const char *value,
		    char *msg, size_t msgsz)
{
	char copy[LINE_MAX_], shown[64];
	char *list[CONF_MAX_GROUPS > CONF_MAX_QUESTIONS ? CONF_MAX_GROUPS : CONF_MAX_QUESTIONS] = {
	    NULL};
	const char *seps = k->type == CT_QPOOL ? "|" : LIST_SEPS;
	size_t n = 0;
	int r = 0;
	snprintf(copy, sizeof(copy), "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(copy, seps, &save); tok; tok = strtok_r(NULL, seps, &save)) {
		trim(&tok);
		bool ok = k->type == CT_GROUPS	    ? username_valid(tok)
			  : k->type == CT_PREFIXES  ? prefix_valid(tok)
			  : k->type == CT_ADDRESSES ? email_valid(tok)
						    : question_valid(tok);
		if (!ok) {
			sanitize_for_log(tok, shown, sizeof(shown));
			snprintf(msg, msgsz, "%s '%s'",
				 k->type == CT_GROUPS	  ? "invalid group name"
				 : k->type == CT_PREFIXES ? "invalid prefix (expected + and digits)"
				 : k->type == CT_ADDRESSES ? "invalid email address"
							   : "invalid question",
				 shown);
			r = -EINVAL;
			goto out;
		}
		if (n == max - 1) {
			snprintf(msg, msgsz, "at most %zu %s", max - 1,
				 k->type == CT_GROUPS	   ? "groups"
				 : k->type == CT_PREFIXES  ? "prefixes"
				 : k->type == CT_ADDRESSES ? "addresses"
							   : "questions");
			r = -EINVAL;
			goto out;
		}
		list[n] = strdup(tok);
		if (!list[n]) {
			r = -ENOMEM;
			goto out;
		}
		n++;
	}
	for (size_t i = 0; i < max; i++) {
		free(field[i]);
		field[i] = list[i];
		list[i] = NULL;
	}
out:
	conf_list_free(list, ARRAY_SIZE(list));
	return r;
}

static int set_methods(unsigned *field, const char *value, char *msg, size_t msgsz)
{
	char copy[LINE_MAX_], shown[64];
	unsigned bits = 0;
	snprintf(copy, sizeof(copy), "%s", value);
	char *save = NULL;
	for (char *tok = strtok_r(copy, LIST_SEPS, &save); tok;
	     tok = strtok_r(NULL, LIST_SEPS, &save)) {
		enum method m;
		if (method_from_name(tok, &m) < 0) {
			sanitize_for_log(tok, shown, sizeof(shown));
			snprintf(msg, msgsz,
				 "unknown method '%s' (known: email, sms, voice_mobile, "
				 "voice_office, questions, totp, recovery_code)",
				 shown);
			return -EINVAL;
		}
		bits |= METHOD_BIT(m);
	}
	if (!bits) {
		snprintf(msg, msgsz, "at least one method is required");
		return -EINVAL;
	}
	*field = bits;
	return 0;
}

int conf_list_parse(const struct conf_key *k, void *field, const char *value, char *msg,
		    size_t msgsz)
{
	switch (k->type) {
	case CT_METHODS:
		return set_methods(field, value, msg, msgsz);
	case CT_GROUPS:
		return set_list(k, field, CONF_MAX_GROUPS, value, msg, msgsz);
	case CT_PREFIXES:
		return set_list(k, field, CONF_MAX_PREFIXES, value, msg, msgsz);
	case CT_QPOOL:
		return set_list(k, field, CONF_MAX_QUESTIONS, value, msg, msgsz);
	case CT_ADDRESSES:
		return set_list(k, field, CONF_MAX_ADMINS, value, msg, msgsz);
	default:
		return -EINVAL;
	}
}

static bool on(const struct sspr_conf *c, enum method m)
{
	return c->methods & METHOD_BIT(m);
}

int conf_check_consistency(const struct sspr_conf *c, char *msg, size_t msgsz)
{
	bool phone = on(c, METHOD_SMS) || on(c, METHOD_VOICE_MOBILE) || on(c, METHOD_VOICE_OFFICE);
	bool voice = on(c, METHOD_VOICE_MOBILE) || on(c, METHOD_VOICE_OFFICE);
	unsigned count = 0;
	for (unsigned m = 0; m < METHOD_COUNT; m++)
		count += on(c, (enum method)m);
	const char *why = NULL;
	if (c->min_length > c->max_length) {
		snprintf(msg, msgsz, "[policy] min_length (%u) is larger than max_length (%u)",
			 c->min_length, c->max_length);
		return -EINVAL;
	}
	if (c->daemon_user && !username_valid(c->daemon_user))
		why = "[daemon] user is not a valid user name";
	else if (c->codes_per_hour > c->codes_per_day)
		why = "[limits] codes_per_hour is larger than codes_per_day";
	else if (c->sends_per_hour > c->sends_per_day)
		why = "[limits] sends_per_hour is larger than sends_per_day";
	else if (!c->smtp_username != !c->smtp_password_file)
		why = "[email] username and password_file go together";
	else if (count < c->required)
		why = "[methods] required is larger than the number of enabled methods";
	else if (c->required == 1 && count == 1 && on(c, METHOD_QUESTIONS) && !c->questions_alone)
		why = "[methods] questions alone need questions_alone = yes (or required = 2)";
	else if (phone && !c->gw_auth_file)
		why = "[gateway] auth_file is required by the sms and voice methods";
	else if (phone && c->gw_provider == GATEWAY_TWILIO && (!c->gw_account_sid || !c->gw_from))
		why = "[gateway] provider twilio needs account_sid and from";
	else if (on(c, METHOD_SMS) && c->gw_provider == GATEWAY_HTTP && !c->gw_sms_url)
		why = "[gateway] provider http needs sms_url for the sms method";
	else if (voice && c->gw_provider == GATEWAY_HTTP && !c->gw_call_url)
		why = "[gateway] provider http needs call_url for the voice methods";
	else if (voice && c->voice_mode == VOICE_PRESS_POUND &&
		 (!c->voice_listen || !c->voice_callback_url))
		why = "[voice] mode press_pound needs callback_listen and callback_url";
	else if (on(c, METHOD_QUESTIONS) && !c->question_pool[0] && !c->question_pool_file &&
		 !c->questions_custom)
		why = "[questions] needs a pool, a pool_file or custom = yes";
	else if (c->questions_answer > c->questions_register)
		why = "[questions] answer is larger than register";
	else if ((c->backend == BACKEND_LDAP || c->store == STORE_LDAP) &&
		 (!c->ldap_uri || !c->ldap_base_dn))
		why = "[ldap] uri and base_dn are required by backend type ldap and store ldap";
	else if (!c->ldap_bind_dn != !c->ldap_bind_password_file)
		why = "[ldap] bind_dn and bind_password_file go together";
	else if ((c->backend == BACKEND_LDAP || c->store == STORE_LDAP) && !c->ldap_bind_dn)
		why = "[ldap] bind_dn is required: sspr writes to the directory as that account";
	else if (c->store == STORE_LDAP && (!c->ldap_enrolment_attr || !c->ldap_site_key_file))
		why = "[ldap] store ldap needs enrolment_attribute and site_key_file";
	if (!why)
		return 0;
	snprintf(msg, msgsz, "%s", why);
	return -EINVAL;
}
