#include "ssprd/pwmatch.h"

#include "ssprd/cpuslot.h"
#include "ssprd/pwhash.h"

const char *pwmatch_usable(const char *hash)
{
	while (*hash == '!')
		hash++;
	return (*hash && *hash != '*') ? hash : NULL;
}

bool pwmatch(const char *password, const char *hash)
{
	const char *h = pwmatch_usable(hash);
	if (!h)
		return false;
	cpuslot_acquire();
	bool same = pwhash_verify(password, h) == 0;
	cpuslot_release();
	return same;
}
