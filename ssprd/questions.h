/* Security questions: answer normalisation, argon2id hashes, the site's
 * pool and the random draw of questions to ask. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/conf.h"
#include "ssprd/store.h"

#define QUESTIONS_ANSWER_MAX 128 /* bytes a user may type as one answer */

/* Trim, collapse runs of white space to one space, fold case (ASCII and,
 * through towlower, other letters), and NFKC when libunistring is at hand.
 * -EINVAL for an empty or invalid UTF-8 answer, -E2BIG when too long. out
 * is a secret: wipe it. */
int questions_normalize(const char *answer, char *out, size_t outsz);

/* crypto_pwhash_str (argon2id) of the normalised answer. */
int questions_hash(const char *answer, char **out_hash);
/* True when answer (normalised here) matches the hash. Always spends the
 * full argon2 time, also on a malformed hash. */
bool questions_verify(const char *answer, const char *hash);

/* The pool: [questions] pool entries followed by pool_file lines (blank
 * lines and '#' comments skipped). NULL-terminated list in *out. */
int questions_load_pool(const struct sspr_conf *conf, char ***out, size_t *n);
void questions_free_pool(char **pool, size_t n);

/* Pick the questions to ask: the pending set from the store when there is
 * one, else conf->questions_answer random ones of the user's registered
 * set (saved as pending). idx gets store_question.idx values. -ENOENT when
 * the user has fewer registered than conf->questions_answer. */
int questions_draw(const struct sspr_conf *conf, struct store *s, const char *user, unsigned *idx,
		   size_t max, size_t *n);
