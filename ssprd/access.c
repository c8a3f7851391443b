/* Group membership checks for [general] enabled_groups and admin_group.
 * Configured group names are resolved to gids and compared with the
 * user's group list, so a user's other (maybe huge) groups are never read;
 * lookups grow their buffer for large directory groups. */
#include "ssprd/access.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

/* Group lookups grow their buffer up to this (large LDAP groups). */
#define GROUP_BUF_MAX  (1u << 20)
#define USER_GROUP_MAX 65536

/* gid of group name; -ENOENT when there is none. */
static int group_gid(const char *name, gid_t *out)
{
	size_t size = 16384;
	for (;;) {
		char *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		struct group gr, *res = NULL;
		int e = getgrnam_r(name, &gr, buf, size, &res);
		int r = -ENOENT;
		if (e == 0 && res) {
			*out = gr.gr_gid;
			r = 0;
		} else if (e != 0 && e != ENOENT && e != ESRCH && e != ERANGE) {
			r = -e;
		}
		free(buf);
		if (e != ERANGE)
			return r;
		if (size >= GROUP_BUF_MAX)
			return -ERANGE;
		size *= 2;
	}
}

/* Every group of user (primary and supplementary) into *out (malloc'd). */
static int user_groups(const char *user, gid_t primary, gid_t **out, int *n_out)
{
	int n = 64;
	for (;;) {
		gid_t *g = calloc((size_t)n, sizeof(gid_t));
		if (!g)
			return -ENOMEM;
		int want = n;
		if (getgrouplist(user, primary, g, &want) >= 0) {
			*out = g;
			*n_out = want;
			return 0;
		}
		free(g);
		/* Fail closed rather than judge on a partial list. */
		if (want <= n || want > USER_GROUP_MAX)
			return -E2BIG;
		n = want;
	}
}

int access_user_in_groups(const char *user, gid_t primary, char *const *groups, bool *out)
{
	gid_t *mine = NULL;
	int n = 0;
	*out = false;
	int r = user_groups(user, primary, &mine, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; groups[i] && !*out; i++) {
		gid_t gid = (gid_t)-1;
		if (group_gid(groups[i], &gid) < 0)
			continue;
		for (int j = 0; j < n && !*out; j++)
			*out = mine[j] == gid;
	}
	free(mine);
	return 0;
}

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
	return access_user_in_groups(user, pw.pw_gid, conf->enabled_groups, out);
}
