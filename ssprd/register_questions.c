/* Security questions in the registration dialogue: the user picks
 * [questions] register_count questions from the pool (or writes their own
 * when custom is allowed) and answers each. An answer that is too short,
 * repeats its question or another answer is refused with the reason and
 * the question is asked again. The set replaces the old one only when it
 * is complete. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"
#include "ssprd/questions.h"
#include "ssprd/register_internal.h"

/* questions_normalize's bound: folding and NFKC may expand the text. */
#define NORM_MAX (4 * QUESTIONS_ANSWER_MAX + 1)
/* A question is longer than an answer may be: normalised in pieces. */
#define QNORM_MAX (4 * CONF_QUESTION_MAX + 64)
/* Refused answers and questions before the step gives up. */
#define REG_MAX_Q_REFUSALS 10
#define REG_CUSTOM_MIN	   5 /* characters of a question of one's own */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Normalise a question like an answer, a piece of at most
 * QUESTIONS_ANSWER_MAX bytes at a time, cut at spaces where possible (at a
 * character boundary where not). -E2BIG when the result does not fit. */
static int normalize_long(const char *q, char *out, size_t outsz)
{
	char piece[QUESTIONS_ANSWER_MAX + 1], norm[NORM_MAX];
	size_t o = 0, len = strlen(q);
	int rc = 0;
	out[0] = '\0';
	for (size_t pos = 0; pos < len && rc == 0;) {
		size_t take = len - pos;
		if (take > QUESTIONS_ANSWER_MAX) {
			take = QUESTIONS_ANSWER_MAX;
			size_t sp = take;
			while (sp > 0 && q[pos + sp] != ' ')
				sp--;
			if (sp > 0)
				take = sp;
			while (take > 0 && ((unsigned char)q[pos + take] & 0xc0) == 0x80)
				take--;
		}
		memcpy(piece, q + pos, take);
		piece[take] = '\0';
		pos += take;
		rc = questions_normalize(piece, norm, sizeof(norm));
		if (rc == -EINVAL) { /* only white space */
			rc = 0;
			continue;
		}
		size_t k = strlen(norm);
		if (rc == 0 && o + (o > 0) + k + 1 > outsz)
			rc = -E2BIG;
		if (rc == 0) {
			if (o > 0)
				out[o++] = ' ';
			memcpy(out + o, norm, k + 1);
			o += k;
		}
	}
	return rc == 0 && o == 0 ? -EINVAL : rc;
}

void reg_questions_forget(struct reg_dialogue *r)
{
	for (unsigned i = 0; i < STORE_MAX_QUESTIONS; i++) {
		free(r->q_text[i]);
		secret_free(r->q_answer[i]);
		secret_free(r->q_norm[i]);
		r->q_text[i] = r->q_answer[i] = r->q_norm[i] = NULL;
	}
	if (r->pool)
		questions_free_pool(r->pool, r->npool);
	r->pool = NULL;
	r->npool = 0;
	memset(r->pool_taken, 0, sizeof(r->pool_taken));
	r->nq = r->q_refusals = 0;
}

static unsigned needed(const struct reg_dialogue *r)
{
	unsigned n = r->ctx->conf.questions_register;
	return n > STORE_MAX_QUESTIONS ? STORE_MAX_QUESTIONS : n;
}

/* Leave the step; nothing chosen so far is kept. */
static int give_up(struct reg_dialogue *r, enum proto_type type, const char *msg,
		   enum proto_status status)
{
	reg_questions_forget(r);
	int rc = reg_say(r, type, "%s", msg);
	return rc < 0 ? rc : reg_step_done(r, status);
}

static int pick_prompt(struct reg_dialogue *r)
{
	char text[(CONF_QUESTION_MAX + 8) * (CONF_MAX_QUESTIONS + 2)];
	int n = snprintf(text, sizeof(text), _("Choose question %u of %u:"), r->nq + 1, needed(r));
	for (size_t i = 0; i < r->npool; i++)
		if (!r->pool_taken[i])
			n += snprintf(text + n, sizeof(text) - (size_t)n, "\n  %zu) %s", i + 1,
				      r->pool[i]);
	if (r->ctx->conf.questions_custom)
		/* c stays c in every language (on_pick). */
		snprintf(text + n, sizeof(text) - (size_t)n, "\n  c) %s",
			 _("Write your own question"));
	int rc = reg_say_lines(r, PROTO_INFO, text);
	r->state = REG_Q_PICK;
	return rc < 0 ? rc
		      : reg_say(r, PROTO_PROMPT_ECHO_ON, "%s", _("Choose (Enter to go back): "));
}

static int answer_prompt(struct reg_dialogue *r)
{
	r->state = REG_Q_ANSWER;
	return reg_say(r, PROTO_PROMPT_ECHO_OFF,
		       _("%s\nAnswer (Enter alone to choose another question): "),
		       r->q_text[r->nq]);
}

int reg_questions_start(struct reg_dialogue *r)
{
	const struct sspr_conf *c = &r->ctx->conf;
	struct store_question *old = NULL;
	size_t nold = 0;
	reg_questions_forget(r);
	if (questions_load_pool(c, &r->pool, &r->npool) < 0)
		return give_up(
		    r, PROTO_ERROR,
		    _("The security questions cannot be loaded right now. Try again later."),
		    PROTO_STATUS_UNAVAILABLE);
	if (needed(r) == 0 || (!c->questions_custom && r->npool < needed(r))) {
		log_error("register %s: the question pool has %zu questions, %u needed", r->user,
			  r->npool, needed(r));
		return give_up(r, PROTO_ERROR,
			       _("This system does not offer enough security questions. Ask your "
				 "administrator."),
			       PROTO_STATUS_UNAVAILABLE);
	}
	store_questions_list(r->ctx->store, r->user, &old, &nold);
	store_questions_free(old, nold);
	char text[PROTO_MAX_TEXT];
	unsigned want = needed(r), min = c->questions_min_length;
	int n = snprintf(text, sizeof(text),
			 P_("Choose %u security question and answer it.",
			    "Choose %u security questions and answer them.", want),
			 want);
	if (nold)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s",
			      _(" They replace the ones you have now."));
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n");
	n += snprintf(text + n, sizeof(text) - (size_t)n,
		      P_("Each answer needs at least %u character and may not repeat its question "
			 "or\nanother answer. Case and spacing will not matter when you answer "
			 "them later.",
			 "Each answer needs at least %u characters and may not repeat its question "
			 "or\nanother answer. Case and spacing will not matter when you answer "
			 "them later.",
			 min),
		      min);
	if (!c->questions_alone)
		snprintf(text + n, sizeof(text) - (size_t)n, "\n%s",
			 _("On this system they count only together with another method."));
	int rc = reg_say(r, PROTO_INFO, "%s", text);
	return rc < 0 ? rc : pick_prompt(r);
}

/* A refused question or answer: say why, and ask the same again. */
static int refused(struct reg_dialogue *r, const char *why, int (*again)(struct reg_dialogue *))
{
	if (++r->q_refusals >= REG_MAX_Q_REFUSALS)
		return give_up(r, PROTO_ERROR,
			       _("Too many refused entries. Your security questions were not "
				 "changed."),
			       PROTO_STATUS_FAILED);
	int rc = reg_say(r, PROTO_ERROR, "%s", why);
	return rc < 0 ? rc : again(r);
}

static int custom_prompt(struct reg_dialogue *r)
{
	r->state = REG_Q_CUSTOM;
	return reg_say(r, PROTO_PROMPT_ECHO_ON, "%s", _("Your question (Enter to go back): "));
}

static int choose(struct reg_dialogue *r, int pool_idx, const char *text)
{
	r->q_text[r->nq] = strdup(text);
	if (!r->q_text[r->nq])
		return -ENOMEM;
	r->q_from_pool[r->nq] = pool_idx;
	if (pool_idx >= 0)
		r->pool_taken[pool_idx] = true;
	return answer_prompt(r);
}

static int on_pick(struct reg_dialogue *r, const char *a)
{
	if (!a[0])
		return give_up(r, PROTO_INFO, _("Your security questions were not changed."),
			       PROTO_STATUS_CANCELLED);
	if ((strcmp(a, "c") == 0 || strcmp(a, "C") == 0) && r->ctx->conf.questions_custom)
		return custom_prompt(r);
	char *end = NULL;
	unsigned long n = a[0] >= '1' && a[0] <= '9' ? strtoul(a, &end, 10) : 0;
	if (n > 0 && *end == '\0' && n <= r->npool && !r->pool_taken[n - 1])
		return choose(r, (int)n - 1, r->pool[n - 1]);
	return refused(r, _("Please type one of the numbers shown."), pick_prompt);
}

static bool same_question(const struct reg_dialogue *r, const char *norm)
{
	char other[QNORM_MAX];
	bool same = false;
	for (unsigned i = 0; i < r->nq && !same; i++)
		same = normalize_long(r->q_text[i], other, sizeof(other)) == 0 &&
		       strcmp(other, norm) == 0;
	return same;
}

static int on_custom(struct reg_dialogue *r, const char *a)
{
	char norm[QNORM_MAX];
	if (!a[0])
		return pick_prompt(r);
	size_t len = strlen(a);
	while (len > 0 && (a[len - 1] == ' ' || a[len - 1] == '\t'))
		len--;
	while (len > 0 && (*a == ' ' || *a == '\t'))
		a++, len--;
	if (len > CONF_QUESTION_MAX || !utf8_text_valid(a, len, CONF_QUESTION_MAX, NULL)) {
		char why[256];
		snprintf(why, sizeof(why), _("A question must be text of at most %d bytes."),
			 CONF_QUESTION_MAX);
		return refused(r, why, custom_prompt);
	}
	char *q = strndup(a, len);
	if (!q)
		return -ENOMEM;
	int rc;
	char why[256];
	if (normalize_long(q, norm, sizeof(norm)) < 0 || utf8_chars(norm) < REG_CUSTOM_MIN) {
		snprintf(why, sizeof(why),
			 P_("Write a question of at least %d character.",
			    "Write a question of at least %d characters.", REG_CUSTOM_MIN),
			 REG_CUSTOM_MIN);
		rc = refused(r, why, custom_prompt);
	} else if (same_question(r, norm)) {
		rc = refused(r, _("You chose that question already."), custom_prompt);
	} else {
		rc = choose(r, -1, q);
	}
	free(q);
	return rc;
}

/* Why the answer cannot be used (into why), or false. norm gets it
 * normalised. */
static bool answer_problem(struct reg_dialogue *r, const char *a, char *norm, size_t sz, char *why,
			   size_t whysz)
{
	char qnorm[QNORM_MAX];
	int rc = questions_normalize(a, norm, sz);
	const char *text = NULL;
	if (rc == -E2BIG) {
		snprintf(why, whysz, _("That answer is too long (at most %d bytes)."),
			 QUESTIONS_ANSWER_MAX);
		return true;
	}
	if (rc < 0)
		text = _("That answer is not valid text.");
	else if (utf8_chars(norm) < r->ctx->conf.questions_min_length)
		text = _("That answer is too short.");
	else if (normalize_long(r->q_text[r->nq], qnorm, sizeof(qnorm)) == 0 && strstr(qnorm, norm))
		text = _("An answer may not repeat the question.");
	for (unsigned i = 0; !text && i < r->nq; i++)
		if (strcmp(norm, r->q_norm[i]) == 0)
			text = _("Each answer must be different.");
	if (text)
		snprintf(why, whysz, "%s", text);
	return text != NULL;
}

static int save(struct reg_dialogue *r)
{
	struct store_question set[STORE_MAX_QUESTIONS] = {0};
	unsigned n = r->nq;
	int rc = reg_say(r, PROTO_INFO, "%s", _("Saving your answers..."));
	if (rc < 0)
		return rc;
	/* argon2id, one CPU slot at a time: a moment per answer. */
	for (unsigned i = 0; i < n && rc == 0; i++) {
		set[i].idx = i;
		set[i].question = r->q_text[i];
		rc = questions_hash(r->q_answer[i], &set[i].answer_hash);
	}
	if (rc == 0) {
		store_lock(r->ctx->store);
		rc = store_questions_set(r->ctx->store, r->user, set, n, (int64_t)time(NULL));
		store_unlock(r->ctx->store);
	}
	for (unsigned i = 0; i < n; i++)
		secret_free(set[i].answer_hash);
	if (rc < 0) {
		log_error("register %s: cannot save the questions: %s", r->user, strerror(-rc));
		return give_up(r, PROTO_ERROR,
			       _("Your security questions could not be saved. Try again later."),
			       PROTO_STATUS_UNAVAILABLE);
	}
	reg_questions_forget(r);
	char detail[64];
	snprintf(detail, sizeof(detail), "%u questions", n);
	reg_changed(r, "questions", detail, NULL, NULL);
	rc = reg_say(
	    r, PROTO_INFO,
	    P_("Your %u security question is saved.", "Your %u security questions are saved.", n),
	    n);
	return rc < 0 ? rc : reg_step_done(r, PROTO_STATUS_OK);
}

static int on_answer(struct reg_dialogue *r, const char *a)
{
	char norm[NORM_MAX];
	if (!a[0]) {
		/* Put the question back and choose again. */
		if (r->q_from_pool[r->nq] >= 0)
			r->pool_taken[r->q_from_pool[r->nq]] = false;
		free(r->q_text[r->nq]);
		r->q_text[r->nq] = NULL;
		return pick_prompt(r);
	}
	char why[256];
	if (answer_problem(r, a, norm, sizeof(norm), why, sizeof(why))) {
		sodium_memzero(norm, sizeof(norm));
		return refused(r, why, answer_prompt);
	}
	r->q_answer[r->nq] = strdup(a);
	r->q_norm[r->nq] = strdup(norm);
	sodium_memzero(norm, sizeof(norm));
	if (!r->q_answer[r->nq] || !r->q_norm[r->nq])
		return -ENOMEM;
	if (++r->nq >= needed(r))
		return save(r);
	return pick_prompt(r);
}

int reg_questions_input(struct reg_dialogue *r, const char *a)
{
	switch (r->state) {
	case REG_Q_PICK:
		return on_pick(r, a);
	case REG_Q_CUSTOM:
		return on_custom(r, a);
	case REG_Q_ANSWER:
		return on_answer(r, a);
	default:
		return -EINVAL;
	}
}
