/* Recovery codes: ten random codes of 10 symbols from Crockford's base32
 * alphabet (exactly 50 bits each). Crockford leaves out i, l, o and u and
 * reads a typed o as 0 and i or l as 1, so misreading a printed code does
 * not matter. */
#include "ssprd/recovery.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>

#include "common/util.h"

#define RECOVERY_SYMBOLS     10
#define RECOVERY_KDF_ID	     2
#define RECOVERY_KDF_CONTEXT "ssprrcvr"
/* Longest typed input considered: a code with generous spacing. */
#define RECOVERY_TYPED_MAX 64

static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";

_Static_assert(sizeof(alphabet) - 1 == 32, "recovery alphabet must have 32 symbols");
_Static_assert(RECOVERY_CODE_LEN == RECOVERY_SYMBOLS + 1, "code is two groups of five");

/* Keyed BLAKE2b under a subkey of the code key; the user is hashed too, so
 * a row moved to another user in the database does not work there. */
static void recovery_hash(const uint8_t key[CODE_KEY_SIZE], const char *user,
			  const char code[RECOVERY_SYMBOLS], uint8_t out[STORE_HASH_SIZE])
{
	static const char tag[] = "sspr-recovery-v1";
	uint8_t k[crypto_generichash_KEYBYTES];
	crypto_generichash_state st;
	crypto_kdf_derive_from_key(k, sizeof(k), RECOVERY_KDF_ID, RECOVERY_KDF_CONTEXT, key);
	crypto_generichash_init(&st, k, sizeof(k), STORE_HASH_SIZE);
	crypto_generichash_update(&st, (const uint8_t *)tag, sizeof(tag));
	crypto_generichash_update(&st, (const uint8_t *)user, strlen(user) + 1);
	crypto_generichash_update(&st, (const uint8_t *)code, RECOVERY_SYMBOLS);
	crypto_generichash_final(&st, out, STORE_HASH_SIZE);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(k, sizeof(k));
}

/* Case, spaces and dashes do not count; Crockford's look-alikes map to
 * their digit. False for anything that cannot be a code. */
static bool normalize(const char *typed, char out[RECOVERY_SYMBOLS])
{
	size_t n = 0;
	if (strnlen(typed, RECOVERY_TYPED_MAX + 1) > RECOVERY_TYPED_MAX)
		return false;
	for (const char *p = typed; *p; p++) {
		char c = *p;
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c == 'o')
			c = '0';
		else if (c == 'i' || c == 'l')
			c = '1';
		if (!strchr(alphabet, c) || n == RECOVERY_SYMBOLS)
			return false;
		out[n++] = c;
	}
	return n == RECOVERY_SYMBOLS;
}

int recovery_issue(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		   char out[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1], int64_t now)
{
	uint8_t hashes[RECOVERY_COUNT][STORE_HASH_SIZE];
	char sym[RECOVERY_SYMBOLS];
	for (size_t i = 0; i < RECOVERY_COUNT; i++) {
		bool dup;
		/* A repeat among ten 50-bit codes is next to impossible, but
		 * two equal rows would break the store's key. */
		do {
			for (size_t j = 0; j < RECOVERY_SYMBOLS; j++)
				sym[j] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
			recovery_hash(key, user, sym, hashes[i]);
			dup = false;
			for (size_t j = 0; j < i && !dup; j++)
				dup = sodium_memcmp(hashes[i], hashes[j], STORE_HASH_SIZE) == 0;
		} while (dup);
		memcpy(out[i], sym, 5);
		out[i][5] = '-';
		memcpy(out[i] + 6, sym + 5, 5);
		out[i][RECOVERY_CODE_LEN] = '\0';
	}
	store_lock(s);
	int r = store_recovery_set(s, user, (const uint8_t(*)[STORE_HASH_SIZE])hashes,
				   RECOVERY_COUNT, now);
	store_unlock(s);
	if (r < 0)
		sodium_memzero(out, sizeof(char[RECOVERY_COUNT][RECOVERY_CODE_LEN + 1]));
	sodium_memzero(hashes, sizeof(hashes));
	sodium_memzero(sym, sizeof(sym));
	return r;
}

int recovery_use(struct store *s, const uint8_t key[CODE_KEY_SIZE], const char *user,
		 const char *typed, int64_t now)
{
	char sym[RECOVERY_SYMBOLS];
	uint8_t h[STORE_HASH_SIZE];
	int r = -EACCES;
	if (normalize(typed, sym)) {
		recovery_hash(key, user, sym, h);
		store_lock(s);
		r = store_recovery_use(s, user, h, now);
		store_unlock(s);
		if (r == -ENOENT)
			r = -EACCES;
	}
	sodium_memzero(sym, sizeof(sym));
	sodium_memzero(h, sizeof(h));
	return r;
}
