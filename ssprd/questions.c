/* Security questions. An answer typed months after registration, maybe at
 * another keyboard, must still match: case, character width (NFKC) and
 * spacing do not count. */
#include "ssprd/questions.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "common/log.h"
#include "ssprd/cpuslot.h"
#include "common/util.h"

/* Case folding and NFKC can expand text (U+FDFA alone becomes 33 bytes).
 * This bounds the normalised form (NUL included); registration and login
 * use the same bound, so an answer accepted once is accepted again. */
#define NORM_MAX      (4 * QUESTIONS_ANSWER_MAX + 1)
#define POOL_FILE_MAX (64 * 1024)

/* Argon2id at libsodium's interactive cost: 64 MiB and tens of ms per
 * hash or check. Answers have little entropy, so each guess must cost; the
 * dialogue's attempt limit does the rest. */
#define Q_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define Q_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

int questions_normalize(const char *answer, char *out, size_t outsz)
{
	size_t len = strnlen(answer, QUESTIONS_ANSWER_MAX + 1);
	if (len > QUESTIONS_ANSWER_MAX)
		return -E2BIG;
	/* A tab is white space like any other; other controls are refused. */
	if (len == 0 || u8_check((const uint8_t *)answer, len) ||
	    !utf8_text_valid(answer, len, QUESTIONS_ANSWER_MAX, "\t"))
		return -EINVAL;
	size_t flen = 0;
	uint8_t *f = u8_casefold((const uint8_t *)answer, len, NULL, UNINORM_NFKC, NULL, &flen);
	if (!f)
		return errno == ENOMEM ? -ENOMEM : -EINVAL;
	/* Collapsing after NFKC also catches the spaces it produces (U+3000,
	 * U+00A0 become U+0020). */
	int r = 0;
	size_t o = 0;
	bool gap = false;
	for (size_t i = 0; i < flen;) {
		ucs4_t c;
		size_t k = (size_t)u8_mbtouc(&c, f + i, flen - i);
		if (uc_is_property_white_space(c)) {
			gap = o > 0;
			i += k;
			continue;
		}
		if (o + gap + k + 1 > outsz) {
			r = -E2BIG;
			goto out;
		}
		if (gap)
			out[o++] = ' ';
		memcpy(out + o, f + i, k);
		o += k;
		i += k;
		gap = false;
	}
	if (o == 0)
		r = -EINVAL;
	else
		out[o] = '\0';
out:
	secure_zero(f, flen);
	free(f);
	if (r < 0)
		secure_zero(out, outsz);
	return r;
}

int questions_hash(const char *answer, char **out_hash)
{
	char norm[NORM_MAX];
	int r = questions_normalize(answer, norm, sizeof(norm));
	if (r < 0)
		return r;
	char *h = malloc(crypto_pwhash_STRBYTES);
	if (!h) {
		r = -ENOMEM;
	} else {
		cpuslot_acquire();
		int rc = crypto_pwhash_str(h, norm, strlen(norm), Q_OPSLIMIT, Q_MEMLIMIT);
		cpuslot_release();
		if (rc == 0) {
			*out_hash = h;
		} else {
			free(h);
			r = -ENOMEM; /* libsodium fails only when it lacks memory */
		}
	}
	secure_zero(norm, sizeof(norm));
	return r;
}

/* Costs what a real check costs, so a broken record or answer does not
 * answer faster than a wrong one. */
static void spend_pwhash_time(void)
{
	static const uint8_t salt[crypto_pwhash_SALTBYTES];
	uint8_t sink[32];
	if (crypto_pwhash(sink, sizeof(sink), "sspr", 4, salt, Q_OPSLIMIT, Q_MEMLIMIT,
			  crypto_pwhash_ALG_ARGON2ID13) != 0)
		log_debug("questions: dummy hash failed");
	secure_zero(sink, sizeof(sink));
}

bool questions_verify(const char *answer, const char *hash)
{
	char norm[NORM_MAX];
	bool ok = false;
	bool norm_ok = answer && questions_normalize(answer, norm, sizeof(norm)) == 0;
	/* needs_rehash parses the string: -1 means it is not a pwhash string. */
	bool hash_ok = hash && strnlen(hash, crypto_pwhash_STRBYTES) < crypto_pwhash_STRBYTES &&
		       crypto_pwhash_str_needs_rehash(hash, Q_OPSLIMIT, Q_MEMLIMIT) >= 0;
	cpuslot_acquire();
	if (norm_ok && hash_ok)
		ok = crypto_pwhash_str_verify(hash, norm, strlen(norm)) == 0;
	else
		spend_pwhash_time();
	cpuslot_release();
	secure_zero(norm, sizeof(norm));
	return ok;
}

static int pool_add(char **pool, size_t *n, const char *q, size_t len)
{
	if (*n >= CONF_MAX_QUESTIONS)
		return -E2BIG;
	char *d = strndup(q, len);
	if (!d)
		return -ENOMEM;
	pool[(*n)++] = d;
	return 0;
}

static int pool_read_file(const char *path, char **pool, size_t *n)
{
	char *buf = NULL;
	size_t len = 0;
	int r = read_small_file(path, POOL_FILE_MAX, &buf, &len);
	if (r < 0) {
		log_error("%s: cannot read the question pool: %s", path, strerror(-r));
		return r;
	}
	unsigned line = 0;
	for (const char *p = buf, *end = buf + len; p < end && r == 0;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *next = nl ? nl + 1 : end;
		line++;
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		size_t l = (size_t)(e - p);
		if (l == 0 || *p == '#') {
			p = next;
			continue;
		}
		if (!utf8_text_valid(p, l, CONF_QUESTION_MAX, NULL)) {
			log_error("%s:%u: a question must be UTF-8 text without control "
				  "characters, at most %d bytes",
				  path, line, CONF_QUESTION_MAX);
			r = -EINVAL;
		} else if ((r = pool_add(pool, n, p, l)) == -E2BIG) {
			log_error("%s:%u: more than %d questions in the pool", path, line,
				  CONF_MAX_QUESTIONS);
		}
		p = next;
	}
	free(buf);
	return r;
}

int questions_load_pool(const struct sspr_conf *conf, char ***out, size_t *n)
{
	char **pool = calloc(CONF_MAX_QUESTIONS + 1, sizeof(*pool));
	size_t k = 0;
	int r = 0;
	if (!pool)
		return -ENOMEM;
	for (size_t i = 0; i < CONF_MAX_QUESTIONS && conf->question_pool[i] && r == 0; i++) {
		const char *q = conf->question_pool[i];
		size_t l = strnlen(q, CONF_QUESTION_MAX + 1);
		if (!utf8_text_valid(q, l, CONF_QUESTION_MAX, NULL)) {
			log_error("[questions] pool: question %zu is not valid", i + 1);
			r = -EINVAL;
		} else {
			r = pool_add(pool, &k, q, l);
		}
	}
	if (r == 0 && conf->question_pool_file)
		r = pool_read_file(conf->question_pool_file, pool, &k);
	if (r < 0) {
		questions_free_pool(pool, k);
		return r;
	}
	*out = pool;
	*n = k;
	return 0;
}

void questions_free_pool(char **pool, size_t n)
{
	if (!pool)
		return;
	for (size_t i = 0; i < n; i++)
		free(pool[i]);
	free(pool);
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

static bool all_registered(const unsigned *idx, size_t n, const struct store_question *reg,
			   size_t nreg)
{
	for (size_t i = 0; i < n; i++) {
		size_t j = 0;
		while (j < nreg && reg[j].idx != idx[i])
			j++;
		if (j == nreg)
			return false;
	}
	return true;
}

int questions_draw(const struct sspr_conf *conf, struct store *s, const char *user, unsigned *idx,
		   size_t max, size_t *n)
{
	size_t want = conf->questions_answer, nreg = 0, npend = 0;
	struct store_question *reg = NULL;
	unsigned pick[STORE_MAX_QUESTIONS], *all = NULL;
	*n = 0;
	if (want == 0 || want > STORE_MAX_QUESTIONS)
		return -EINVAL;
	if (want > max)
		return -ENOBUFS;
	/* Read and write of the pending set under one lock: two dialogues
	 * of the same user must not draw two different sets. */
	store_lock(s);
	int r = store_questions_list(s, user, &reg, &nreg);
	if (r == -ENOENT) {
		nreg = 0;
		r = 0;
	}
	if (r < 0)
		goto out;
	if (nreg < want) {
		r = -ENOENT;
		goto out;
	}
	r = store_questions_pending(s, user, pick, ARRAY_SIZE(pick), &npend);
	if (r == -ENOENT) {
		npend = 0;
		r = 0;
	}
	if (r < 0)
		goto out;
	/* A pending set that no longer fits (the set was replaced or the
	 * configuration changed) is drawn afresh. */
	if (npend != want || !all_registered(pick, npend, reg, nreg)) {
		all = malloc(nreg * sizeof(*all));
		if (!all) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < nreg; i++)
			all[i] = reg[i].idx;
		/* Partial Fisher-Yates: the first want slots are a uniform
		 * random subset. */
		for (size_t i = 0; i < want; i++) {
			size_t j = i + randombytes_uniform((uint32_t)(nreg - i));
			unsigned t = all[i];
			all[i] = all[j];
			all[j] = t;
		}
		memcpy(pick, all, want * sizeof(*pick));
		qsort(pick, want, sizeof(*pick), cmp_unsigned);
		r = store_questions_set_pending(s, user, pick, want);
		if (r < 0)
			goto out;
	}
	qsort(pick, want, sizeof(*pick), cmp_unsigned);
	memcpy(idx, pick, want * sizeof(*idx));
	*n = want;
out:
	store_unlock(s);
	free(all);
	store_questions_free(reg, nreg);
	return r;
}
