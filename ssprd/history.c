#include "ssprd/history.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/cpuslot.h"
#include "ssprd/priv.h"
#include "ssprd/pwhash.h"

/* pam_pwhistory keeps a line per user; a file larger than this is not one
 * we can read with a bounded buffer. */
#define OPASSWD_MAX (4 * 1024 * 1024)

/* The hash behind lock marks ("!"), or NULL for an entry that holds no
 * password ("*", "", "!" alone). */
static const char *usable(const char *hash)
{
	while (*hash == '!')
		hash++;
	return (*hash && *hash != '*') ? hash : NULL;
}

static bool matches(const char *password, const char *hash)
{
	const char *h = usable(hash);
	if (!h)
		return false;
	cpuslot_acquire();
	bool same = pwhash_verify(password, h) == 0;
	cpuslot_release();
	return same;
}

/* "user:uid:count:hash,hash,..." lines (pam_pwhistory's format). */
static bool in_opasswd(char *buf, const char *user, const char *password)
{
	size_t ulen = strlen(user);
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, user, ulen) == 0 && line[ulen] == ':') {
			char *f = line + ulen + 1;
			/* skip uid and count */
			for (int i = 0; i < 2 && f; i++) {
				f = strchr(f, ':');
				f = f ? f + 1 : NULL;
			}
			char *save = NULL;
			for (char *h = f ? strtok_r(f, ",", &save) : NULL; h;
			     h = strtok_r(NULL, ",", &save))
				if (matches(password, h))
					return true;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

static int check_opasswd(const char *path, const char *user, const char *password, bool *hit)
{
	char *buf = NULL;
	size_t len = 0;
	*hit = false;
	int r = read_small_file(path, OPASSWD_MAX, &buf, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		/* The file is pam_pwhistory's: without it we still have ours. */
		log_warning("cannot read %s: %s", path, strerror(-r));
		return 0;
	}
	*hit = in_opasswd(buf, user, password);
	secure_zero(buf, len);
	free(buf);
	return 0;
}

int history_check(const struct sspr_conf *conf, struct store *store, const char *user,
		  const char *password, enum history_match *out)
{
	*out = HISTORY_NONE;
	if (conf->history == 0)
		return 0;
	char *current = NULL;
	int r = priv_current_hash(conf, user, &current);
	if (r < 0 && r != -ENOENT)
		return r;
	bool same = current && matches(password, current);
	if (same) {
		secret_free(current);
		*out = HISTORY_CURRENT;
		return 0;
	}
	char **hashes = NULL;
	size_t n = 0;
	r = store_history_list(store, user, conf->history + 1, &hashes, &n);
	if (r < 0) {
		secret_free(current);
		return r;
	}
	bool earlier = false;
	/* The newest stored hash is usually the current one, already
	 * checked: each yescrypt verification costs ~15 ms of CPU. */
	for (size_t i = 0; i < n && !earlier; i++)
		if (!current || strcmp(hashes[i], current) != 0)
			earlier = matches(password, hashes[i]);
	secret_free(current);
	store_history_free(hashes, n);
	if (!earlier && conf->opasswd)
		check_opasswd(conf->opasswd, user, password, &earlier);
	if (earlier)
		*out = HISTORY_EARLIER;
	return 0;
}

int history_record_current(const struct sspr_conf *conf, struct store *store, const char *user)
{
	int64_t now = (int64_t)time(NULL);
	if (conf->history == 0)
		return store_history_add(store, user, "", now, 0);
	char *hash = NULL;
	int r = priv_current_hash(conf, user, &hash);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	const char *h = usable(hash);
	if (h)
		r = store_history_add(store, user, h, now, conf->history + 1);
	secret_free(hash);
	return r;
}
