#include "common/method.h"

#include <errno.h>
#include <string.h>

static const char *const names[METHOD_COUNT] = {
    [METHOD_EMAIL] = "email",
    [METHOD_SMS] = "sms",
    [METHOD_VOICE_MOBILE] = "voice_mobile",
    [METHOD_VOICE_OFFICE] = "voice_office",
    [METHOD_QUESTIONS] = "questions",
    [METHOD_TOTP] = "totp",
    [METHOD_RECOVERY_CODE] = "recovery_code",
};

const char *method_name(enum method m)
{
	return (unsigned)m < METHOD_COUNT ? names[m] : NULL;
}

int method_from_name(const char *name, enum method *out)
{
	for (unsigned i = 0; i < METHOD_COUNT; i++) {
		if (strcmp(names[i], name) == 0) {
			*out = (enum method)i;
			return 0;
		}
	}
	return -EINVAL;
}
