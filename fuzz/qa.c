/*
 * libFuzzer target: security questions and answers as ssprctl reads them
 * (common/qa.c): the QUESTION<TAB>ANSWER input, the answer comparison and
 * the pool file.
 *
 * Input: byte 0 sets the rules (how many questions, custom allowed, the
 * shortest answer); the rest is the text. Invariants: an accepted set has
 * exactly the asked number of different questions, each from the pool
 * unless custom questions are allowed, with valid answers that join into
 * a protocol field; qa_same is reflexive and symmetric.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto.h"
#include "common/qa.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/qa.c:%d: invariant failed: %s\n", __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static char *const pool[] = {
    "What was the name of your first pet?",
    "In which city were you born?",
    "What is your favourite book?",
    "Quel est le nom de votre école primaire ?",
    NULL,
};

static bool in_pool(const char *q)
{
	for (size_t i = 0; pool[i]; i++)
		if (strcmp(pool[i], q) == 0)
			return true;
	return false;
}

static void check_set(const struct qa_rules *r, const struct qa_set *s)
{
	CHECK(s->n == r->count);
	for (size_t i = 0; i < s->n; i++) {
		const char *q = s->question[i], *a = s->answer[i];
		CHECK(q && a && q[0] && q[0] != ' ' && q[strlen(q) - 1] != ' ');
		CHECK(utf8_text_valid(q, strlen(q), 160, NULL));
		CHECK(utf8_text_valid(a, strlen(a), QA_ANSWER_MAX, NULL));
		CHECK(r->custom || in_pool(q));
		CHECK(!qa_same(q, a));
		for (size_t j = 0; j < i; j++)
			CHECK(!qa_same(q, s->question[j]) && !qa_same(a, s->answer[j]));
	}
	char *qs = NULL, *as = NULL;
	CHECK(qa_join(s, false, &qs) == 0 && qa_join(s, true, &as) == 0);
	CHECK(strlen(qs) <= PROTO_MAX_QUESTIONS_TEXT && strlen(as) <= PROTO_MAX_QUESTIONS_TEXT);
	CHECK(!strchr(qs, '\t') && !strchr(as, '\t'));
	free(qs);
	secret_free(as);
}

static void fuzz_parse(const struct qa_rules *r, const char *text, size_t len)
{
	struct qa_set s = {0};
	char msg[256];
	msg[0] = '\0';
	int e = qa_parse(r, text, len, &s, msg, sizeof(msg));
	CHECK(e == 0 || e == -EINVAL || e == -ENOMEM);
	if (e == 0)
		check_set(r, &s);
	else
		CHECK(s.n == 0 && msg[0]);
	qa_set_clear(&s);
}

static void fuzz_same(const char *s)
{
	const char *tab = strchr(s, '\t');
	CHECK(qa_same(s, s));
	if (!tab)
		return;
	char *a = strndup(s, (size_t)(tab - s));
	if (!a)
		abort();
	const char *b = tab + 1;
	CHECK(qa_same(a, b) == qa_same(b, a));
	free(a);
}

static void fuzz_pool(const char *s)
{
	char **p = NULL;
	size_t n = 0;
	char msg[256];
	msg[0] = '\0';
	int e = qa_pool_add_lines(&p, &n, s, msg, sizeof(msg));
	CHECK(e == 0 || e == -EINVAL || e == -E2BIG || e == -ENOMEM);
	if (e == 0) {
		for (size_t i = 0; i < n; i++) {
			CHECK(p[i][0] && p[i][0] != '#');
			CHECK(utf8_text_valid(p[i], strlen(p[i]), 160, NULL));
		}
		CHECK(!p || !p[n]);
	} else {
		CHECK(msg[0]);
	}
	qa_pool_free(p, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct qa_rules r = {
	    .pool = pool,
	    .custom = data[0] & 0x80,
	    .count = 1 + (data[0] & 0x0f) % QA_MAX,
	    .min_length = 1 + ((data[0] >> 4) & 0x07),
	};
	data++;
	size--;
	/* An exact-size copy without a terminator: qa_parse takes a length. */
	char *text = malloc(size ? size : 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	fuzz_parse(&r, text, size);
	free(text);

	/* Up to the first NUL, terminated. */
	char *s = strndup((const char *)data, size);
	if (!s)
		abort();
	fuzz_same(s);
	fuzz_pool(s);
	free(s);
	return 0;
}
