/* The verification methods a site can enable and a user can register. The
 * names are the words of sspr.conf's [methods] enabled and of the store. */
#pragma once

#include <stdbool.h>

enum method {
	METHOD_EMAIL,
	METHOD_SMS,
	METHOD_VOICE_MOBILE,
	METHOD_VOICE_OFFICE,
	METHOD_QUESTIONS,
	METHOD_TOTP,
	METHOD_RECOVERY_CODE,
	METHOD_COUNT,
};

#define METHOD_BIT(m) (1u << (m))

/* "email", "sms", ...; NULL for an out-of-range value. */
const char *method_name(enum method m);
/* -EINVAL for an unknown name. */
int method_from_name(const char *name, enum method *out);
