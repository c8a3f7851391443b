#include "ssprd/policy.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if ((*p & 0xc0) != 0x80)
			n++;
	return n;
}

int policy_check(const struct sspr_conf *conf, const char *user, const char *password, char *reason,
		 size_t reasonsz)
{
	if (strlen(password) > POLICY_MAX_BYTES) {
		snprintf(reason, reasonsz, "The password is too long (at most %d bytes).",
			 POLICY_MAX_BYTES);
		return -EINVAL;
	}
	if (utf8_length(password) < conf->min_length) {
		snprintf(reason, reasonsz, "The password must have at least %u characters.",
			 conf->min_length);
		return -EINVAL;
	}
	if (strcasestr(password, user)) {
		snprintf(reason, reasonsz, "The password must not contain your user name.");
		return -EINVAL;
	}
	return 0;
}
