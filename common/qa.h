/* Security questions and answers as an administrator enters them
 * (ssprctl enroll --questions): the checks, the tab-separated input and the
 * text of PROTO_ADMIN_QUESTIONS. ssprd checks everything again. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define QA_MAX	      10  /* [questions] register is at most 10 */
#define QA_ANSWER_MAX 128 /* bytes; ssprd's QUESTIONS_ANSWER_MAX */
#define QA_POOL_MAX   1024

struct qa_rules {
	char *const *pool;   /* NULL-terminated; may be empty */
	bool custom;	     /* questions outside the pool allowed */
	unsigned count;	     /* [questions] register: how many to give */
	unsigned min_length; /* characters of an answer */
};

struct qa_set {
	size_t n;
	char *question[QA_MAX];
	char *answer[QA_MAX]; /* secrets */
};

/* Wipe the answers and free everything; NULL-safe, leaves s empty. */
void qa_set_clear(struct qa_set *s);

/* Equal after trimming, collapsing white space and folding case. */
bool qa_same(const char *a, const char *b);

/* Whether q may be the next question of s. On success *canon points to the
 * text to store: the pool's own wording when q is a pool question. -EINVAL
 * with a message otherwise. */
int qa_check_question(const struct qa_rules *r, const struct qa_set *s, const char *q,
		      const char **canon, char *msg, size_t msgsz);

/* Whether a may answer question q, given the answers already in s:
 * min_length characters, not the question itself, not an earlier answer. */
int qa_check_answer(const struct qa_rules *r, const struct qa_set *s, const char *q, const char *a,
		    char *msg, size_t msgsz);

/* Append copies (q is trimmed). -E2BIG when s is full. */
int qa_add(struct qa_set *s, const char *q, const char *a);

/* Lines "QUESTION<TAB>ANSWER" (blank lines skipped, CRLF accepted): exactly
 * r->count of them, each passing the checks above. -EINVAL with
 * "line N: ..." in msg. out is cleared first. */
int qa_parse(const struct qa_rules *r, const char *text, size_t len, struct qa_set *out, char *msg,
	     size_t msgsz);

/* The questions, or the answers, joined with '\n'. -E2BIG over
 * PROTO_MAX_QUESTIONS_TEXT. Free answers with secret_free. */
int qa_join(const struct qa_set *s, bool answers, char **out);

/* Append the questions of a pool file (one a line, blank lines and '#'
 * comments skipped, trimmed) to the NULL-terminated *pool of *n entries.
 * -EINVAL with "line N: ..." for an invalid question, -E2BIG past
 * QA_POOL_MAX. */
int qa_pool_add_lines(char ***pool, size_t *n, const char *text, char *msg, size_t msgsz);
/* Append one question, copied as it is. */
int qa_pool_add(char ***pool, size_t *n, const char *q);
void qa_pool_free(char **pool, size_t n);
