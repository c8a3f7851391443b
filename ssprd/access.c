#include "ssprd/access.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#define MAX_USER_GROUPS 1024

int access_user_enabled(const struct sspr_conf *conf, const char *user, bool *out)
{
	struct passwd pw, *pres = NULL;
	char buf[4096];
	*out = false;
	int e = getpwnam_r(user, &pw, buf, sizeof(buf), &pres);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -e;
	if (!pres)
		return 0;
	if (!conf->enabled_groups[0]) {
		*out = true;
		return 0;
	}
	gid_t *groups = calloc(MAX_USER_GROUPS, sizeof(gid_t));
	if (!groups)
		return -ENOMEM;
	int n = MAX_USER_GROUPS;
	/* A user in more groups than we look at is judged on the first ones:
	 * failing closed for the rest. */
	if (getgrouplist(user, pw.pw_gid, groups, &n) < 0)
		n = MAX_USER_GROUPS;
	for (int i = 0; i < n && !*out; i++) {
		struct group gr, *gres = NULL;
		char gbuf[8192];
		if (getgrgid_r(groups[i], &gr, gbuf, sizeof(gbuf), &gres) != 0 || !gres)
			continue;
		for (size_t j = 0; conf->enabled_groups[j]; j++)
			if (strcmp(conf->enabled_groups[j], gr.gr_name) == 0)
				*out = true;
	}
	free(groups);
	return 0;
}
