#include "ssprd/history.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/priv.h"
#include "ssprd/pwhash.h"
#include "ssprd/pwmatch.h"

/* Verifying the stored hashes one after another took ~15 ms each (over
 * 100 ms with history = 5), so they are spread over the CPUs. The caller
 * verifies the first (the current hash) itself: only then do we know
 * whether the password is the current one or an earlier one. */
#define MATCH_THREADS_MAX 8

struct match_job {
	const char *password;
	char *const *hashes;
	size_t n;
	atomic_size_t next;
	atomic_bool hit; /* some hash after the first matched */
};

static void *match_worker(void *arg)
{
	struct match_job *j = arg;
	size_t i;
	while (!atomic_load(&j->hit) && (i = atomic_fetch_add(&j->next, 1)) < j->n)
		if (pwmatch(j->password, j->hashes[i]))
			atomic_store(&j->hit, true);
	return NULL;
}

/* hashes[0] may be NULL (no current hash). */
static void match_all(const char *password, char *const *hashes, size_t n, bool *first, bool *later)
{
	struct match_job job = {.password = password, .hashes = hashes, .n = n};
	atomic_init(&job.next, 1);
	atomic_init(&job.hit, false);
	pthread_t tids[MATCH_THREADS_MAX];
	size_t started = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t want = n > 1 ? n - 1 : 0;
	if (cpus > 0 && want > (size_t)cpus)
		want = (size_t)cpus;
	if (want > MATCH_THREADS_MAX)
		want = MATCH_THREADS_MAX;
	/* A thread that cannot start only makes this slower. */
	while (started < want && pthread_create(&tids[started], NULL, match_worker, &job) == 0)
		started++;
	*first = hashes[0] && pwmatch(password, hashes[0]);
	match_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	*later = atomic_load(&job.hit);
}

int history_check(const struct sspr_conf *conf, struct store *store, const char *user,
		  const char *password, enum history_match *out)
{
	*out = HISTORY_NONE;
	if (conf->history == 0)
		return 0;
	char *current = NULL;
	int r = priv_current_hash(conf, user, &current);
	/* -EOPNOTSUPP: a backend that does not show its hashes (ldap); the
	 * stored history is all there is. */
	if (r < 0 && r != -ENOENT && r != -EOPNOTSUPP)
		return r;
	char **hashes = NULL;
	size_t n = 0;
	r = store_history_list(store, user, conf->history + 1, &hashes, &n);
	if (r < 0) {
		secret_free(current);
		return r;
	}
	/* The current hash first, then the stored ones that differ from it
	 * (the newest stored is usually the current one). */
	char *all[CONF_HISTORY_MAX + 3];
	size_t count = 0;
	all[count++] = current;
	for (size_t i = 0; i < n && count < ARRAY_SIZE(all); i++)
		if (!current || strcmp(hashes[i], current) != 0)
			all[count++] = hashes[i];
	bool same = false, earlier = false;
	match_all(password, all, count, &same, &earlier);
	secret_free(current);
	store_history_free(hashes, n);
	if (same) {
		*out = HISTORY_CURRENT;
		return 0;
	}
	/* pam_pwhistory's file is root's: the privileged side reads it. */
	if (!earlier && conf->opasswd) {
		bool hit = false;
		if (priv_opasswd_match(conf, user, password, &hit) == 0)
			earlier = hit;
	}
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
	if (r == -ENOENT || r == -EOPNOTSUPP)
		return 0;
	if (r < 0)
		return r;
	const char *h = pwmatch_usable(hash);
	if (h)
		r = store_history_add(store, user, h, now, conf->history + 1);
	secret_free(hash);
	return r;
}

int history_record_password(const struct sspr_conf *conf, struct store *store, const char *user,
			    const char *password)
{
	if (conf->history == 0)
		return 0;
	char *hash = NULL;
	int r = pwhash_make(conf->hash_method, PWHASH_LOGIN_DEFS, password, &hash);
	if (r == 0)
		r = store_history_add(store, user, hash, (int64_t)time(NULL), conf->history + 1);
	secret_free(hash);
	return r;
}
