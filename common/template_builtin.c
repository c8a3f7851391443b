/* The built-in message texts: what every site gets unless it puts its own
 * <templates_dir>/<name>.txt in place. Same syntax as an override file. */
#include "common/i18n.h"
#include "common/template_internal.h"

#define ORIGIN (TV_BIT(TV_SERVICE) | TV_BIT(TV_FROM) | TV_BIT(TV_METHODS))

/* In template_names order. Each text is one msgid: translators translate
 * the whole message, Subject line included, and keep every {placeholder}.
 * The SMS texts should stay within one segment (160 GSM-7 characters, or 70
 * for Chinese and other UCS-2 text) with realistic values: a unit test
 * counts them in every catalog. */
const struct template_builtin template_builtins[] = {
    {"code", TV_BIT(TV_CODE) | TV_BIT(TV_MINUTES), false,
     N_("Subject: Your password reset code\n"
	"\n"
	"Hello {user},\n"
	"\n"
	"Your password reset code is: {code}\n"
	"\n"
	"Type it at the password reset prompt on {host}. It expires in {minutes}.\n"
	"Never give this code to anyone, not even to someone who says they work in IT.\n"
	"\n"
	"If you did not ask to reset your password, ignore this message:\n"
	"your password has not changed.\n"
	"\n"
	"{helpdesk}\n")},
    {"confirm", TV_BIT(TV_CODE) | TV_BIT(TV_MINUTES), false,
     N_("Subject: Confirm your password recovery address\n"
	"\n"
	"Hello {user},\n"
	"\n"
	"Your confirmation code is: {code}\n"
	"\n"
	"Type it in \"sspr register\" on {host} to confirm that this address is\n"
	"yours and may be used to reset your password. It expires in {minutes}.\n"
	"\n"
	"If you did not ask for this, ignore this message and tell your helpdesk:\n"
	"someone else may be using your account.\n"
	"{helpdesk}\n")},
    {"reset", ORIGIN, false,
     N_("Subject: Your password was reset\n"
	"\n"
	"Hello {user},\n"
	"\n"
	"The password of your account {user} on {host} was reset\n"
	"  when:  {time}\n"
	"  where: {service}, from {from}\n"
	"  how:   verified by {methods}\n"
	"\n"
	"If this was you, there is nothing more to do.\n"
	"\n"
	"If this was not you, someone else may have taken over your account:\n"
	"contact your helpdesk right away.\n"
	"{helpdesk}\n"
	"\n"
	"{organisation} password self-service\n")},
    {"unlock", ORIGIN, false,
     N_("Subject: Your account was unlocked\n"
	"\n"
	"Hello {user},\n"
	"\n"
	"Your account {user} on {host}, locked after failed logins, was unlocked.\n"
	"The password was kept.\n"
	"  when:  {time}\n"
	"  where: {service}, from {from}\n"
	"  how:   verified by {methods}\n"
	"\n"
	"If this was you, there is nothing more to do.\n"
	"\n"
	"If this was not you, someone else knows how to prove they are you:\n"
	"contact your helpdesk right away.\n"
	"{helpdesk}\n"
	"\n"
	"{organisation} password self-service\n")},
    {"registration_changed", TV_BIT(TV_KIND) | TV_BIT(TV_OLD) | TV_BIT(TV_NEW), false,
     N_("Subject: Your password recovery {kind} changed\n"
	"\n"
	"Hello {user},\n"
	"\n"
	"The {kind} used to reset the password of your account {user} on {host}\n"
	"was changed at {time}.\n"
	"  before: {old}\n"
	"  now:    {new}\n"
	"\n"
	"If this was you, there is nothing more to do.\n"
	"\n"
	"If this was not you, someone else may be preparing to reset your\n"
	"password: contact your helpdesk right away.\n"
	"{helpdesk}\n"
	"\n"
	"{organisation} password self-service\n")},
    {"admin_reset", ORIGIN, false,
     N_("Subject: sspr: password of {user} reset on {host}\n"
	"\n"
	"The password of {user} on {host} was reset through sspr.\n"
	"  when:  {time}\n"
	"  where: {service}, from {from}\n"
	"  how:   verified by {methods}\n"
	"\n"
	"The user was notified. \"ssprctl audit --user {user}\" shows every step.\n"
	"\n"
	"You receive this as an administrator of {organisation} ([notify] admins\n"
	"in sspr.conf).\n")},
    {"admin_unlock", ORIGIN, false,
     N_("Subject: sspr: account {user} unlocked on {host}\n"
	"\n"
	"The account {user} on {host}, locked after failed logins, was unlocked\n"
	"through sspr; the password was kept.\n"
	"  when:  {time}\n"
	"  where: {service}, from {from}\n"
	"  how:   verified by {methods}\n"
	"\n"
	"The user was notified. \"ssprctl audit --user {user}\" shows every step.\n"
	"\n"
	"You receive this as an administrator of {organisation} ([notify] admins\n"
	"in sspr.conf).\n")},
    {"admin_lockout", ORIGIN | TV_BIT(TV_EVENT), false,
     N_("Subject: sspr: password reset of {user} stopped on {host}\n"
	"\n"
	"A password reset for {user} on {host} was stopped after too many wrong\n"
	"answers ({event}).\n"
	"  when:   {time}\n"
	"  where:  {service}, from {from}\n"
	"  method: {methods}\n"
	"\n"
	"The password was not changed. The user may start again; repeated\n"
	"lockouts may mean that someone is trying to take over the account.\n"
	"\"ssprctl audit --user {user}\" shows every step.\n"
	"\n"
	"You receive this as an administrator of {organisation} ([notify] admins\n"
	"in sspr.conf).\n")},
    {"admin_failure", ORIGIN | TV_BIT(TV_EVENT), false,
     N_("Subject: sspr: failed verification for {user} on {host}\n"
	"\n"
	"A verification for a password reset of {user} on {host} failed ({event}).\n"
	"  when:   {time}\n"
	"  where:  {service}, from {from}\n"
	"  method: {methods}\n"
	"\n"
	"You receive this as an administrator of {organisation} ([notify] admins\n"
	"and admin_failures = yes in sspr.conf).\n")},
    {"admin_budget", TV_BIT(TV_EVENT), false,
     N_("Subject: sspr: text message and call budget used up on {host}\n"
	"\n"
	"ssprd on {host} refused to send a text message or place a call at {time}:\n"
	"the budget ({event} in [limits] of sspr.conf) is used up.\n"
	"\n"
	"Codes by text message and calls stay refused until the window frees up;\n"
	"email codes and the other methods still work. Many sends in a short time\n"
	"may be toll fraud: \"ssprctl audit\" shows who asked for them.\n"
	"\n"
	"You receive this as an administrator of {organisation} ([notify] admins\n"
	"in sspr.conf).\n")},
    {"test", 0, false,
     N_("Subject: sspr test message from {host}\n"
	"\n"
	"This is a test message from sspr, the {organisation} password self-service on {host},\n"
	"sent at {time}. If you can read it, delivery works.\n")},
    {"sms_reset", ORIGIN, true,
     N_("{organisation}: the password of {user} on {host} was reset at {time} from {from}. "
	"Not you? {helpdesk}\n")},
    {"sms_unlock", ORIGIN, true,
     N_("{organisation}: the account {user} on {host} was unlocked at {time} from {from}. "
	"Not you? {helpdesk}\n")},
    /* The code by text message: short, one segment in every language. */
    {"sms_code", TV_BIT(TV_CODE) | TV_BIT(TV_MINUTES), true,
     N_("Your password reset code is {code}. It expires in {minutes}.\n")},
    {"sms_confirm", TV_BIT(TV_CODE) | TV_BIT(TV_MINUTES), true,
     N_("Your {organisation} registration code is {code}. It expires in {minutes}.\n")},
};

const char *const template_names[] = {
    "code",	   "confirm",	   "reset",	    "unlock",	     "registration_changed",
    "admin_reset", "admin_unlock", "admin_lockout", "admin_failure", "admin_budget",
    "test",	   "sms_reset",	   "sms_unlock",    "sms_code",	     "sms_confirm",
    NULL,
};

_Static_assert(sizeof(template_builtins) / sizeof(template_builtins[0]) ==
		   sizeof(template_names) / sizeof(template_names[0]) - 1,
	       "a built-in text for every template name");

const char *const template_var_names[TV_COUNT] = {
    "user",    "host", "time",	  "organisation", "helpdesk", "code", "minutes",
    "service", "from", "methods", "kind",	  "old",      "new",  "event",
};
