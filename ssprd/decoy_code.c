/* The attempt counting of decoy codes, in memory (see decoy.h). */
#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "ssprd/decoy.h"

#define TABLE_SIZE 2048

struct entry {
	uint8_t id[16]; /* hash of user and method; all zero: free */
	uint8_t request[STORE_REQUEST_SIZE];
	int64_t expires;
	unsigned attempts;
};

static struct {
	pthread_mutex_t lock;
	struct entry e[TABLE_SIZE];
} table = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const uint8_t zero_id[16];

static void entry_id(const char *user, const char *method, uint8_t id[16])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 16);
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)method, strlen(method) + 1);
	crypto_generichash_final(&st, id, 16);
	/* All zero marks a free slot. */
	if (memcmp(id, zero_id, 16) == 0)
		id[0] = 1;
}

static struct entry *find(const uint8_t id[16])
{
	for (size_t i = 0; i < TABLE_SIZE; i++)
		if (memcmp(table.e[i].id, id, 16) == 0)
			return &table.e[i];
	return NULL;
}

static void drop(struct entry *e)
{
	memset(e, 0, sizeof(*e));
}

/* A free slot, else an expired one, else the one expiring first. */
static struct entry *make_room(int64_t now)
{
	struct entry *best = &table.e[0];
	for (size_t i = 0; i < TABLE_SIZE; i++) {
		struct entry *e = &table.e[i];
		if (memcmp(e->id, zero_id, 16) == 0 || e->expires <= now)
			return e;
		if (e->expires < best->expires)
			best = e;
	}
	return best;
}

void decoy_code_issue(const char *user, const char *method,
		      const uint8_t request[STORE_REQUEST_SIZE], unsigned ttl, int64_t now)
{
	uint8_t id[16];
	entry_id(user, method, id);
	pthread_mutex_lock(&table.lock);
	struct entry *e = find(id);
	unsigned attempts = e && now < e->expires ? e->attempts : 0;
	if (!e)
		e = make_room(now);
	memcpy(e->id, id, 16);
	memcpy(e->request, request, STORE_REQUEST_SIZE);
	e->expires = now + ttl;
	e->attempts = attempts;
	pthread_mutex_unlock(&table.lock);
}

void decoy_code_check(const char *user, const char *method,
		      const uint8_t request[STORE_REQUEST_SIZE], unsigned max_attempts, int64_t now,
		      enum code_result *result, unsigned *left)
{
	uint8_t id[16];
	entry_id(user, method, id);
	*left = 0;
	pthread_mutex_lock(&table.lock);
	struct entry *e = find(id);
	if (!e || memcmp(e->request, request, STORE_REQUEST_SIZE) != 0) {
		*result = CODE_MISSING;
	} else if (now >= e->expires) {
		*result = CODE_EXPIRED;
		drop(e);
	} else if (e->attempts >= max_attempts || ++e->attempts >= max_attempts) {
		*result = CODE_EXHAUSTED;
		drop(e);
	} else {
		*result = CODE_WRONG;
		*left = max_attempts - e->attempts;
	}
	pthread_mutex_unlock(&table.lock);
}

void decoy_code_reset(void)
{
	pthread_mutex_lock(&table.lock);
	memset(table.e, 0, sizeof(table.e));
	pthread_mutex_unlock(&table.lock);
}
