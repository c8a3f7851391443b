#include "cli/enroll.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/term.h"
#include "common/conf.h"
#include "common/i18n.h"
#include "common/util.h"

/* Ten questions and answers take a few KiB; anything much larger is not
 * what --questions expects on its input. */
#define ENROLL_INPUT_MAX     65536
#define ENROLL_POOL_FILE_MAX (256 * 1024)

struct rules {
	struct sspr_conf conf;
	char **pool;
	size_t npool;
	struct qa_rules qa;
};

static void rules_free(struct rules *r)
{
	conf_free(&r->conf);
	qa_pool_free(r->pool, r->npool);
	r->pool = NULL;
	r->npool = 0;
}

static int load_pool_file(const char *prog, struct rules *r)
{
	const char *path = r->conf.question_pool_file;
	char *text = NULL, msg[256];
	size_t len;
	int e = read_small_file(path, ENROLL_POOL_FILE_MAX, &text, &len);
	if (e < 0) {
		fprintf(stderr, _("%s: cannot read the question pool %s: %s\n"), prog, path,
			strerror(-e));
		return e == -EACCES ? CLI_EXIT_DENIED : CLI_EXIT_USAGE;
	}
	e = qa_pool_add_lines(&r->pool, &r->npool, text, msg, sizeof(msg));
	free(text);
	if (e < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, msg);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static int load_rules(const char *prog, const char *config_path, struct rules *r)
{
	char err[512];
	int e = conf_init_defaults(&r->conf);
	if (e < 0) {
		fprintf(stderr, "%s: %s\n", prog, strerror(-e));
		return CLI_EXIT_FAILED;
	}
	/* Without a system configuration the defaults apply: any questions the
	 * administrator writes. An unreadable one would hide the site's pool. */
	e = conf_load(&r->conf, config_path ? config_path : CONF_DEFAULT_PATH, err, sizeof(err));
	if (e < 0 && !(!config_path && e == -ENOENT)) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return e == -EACCES ? CLI_EXIT_DENIED : CLI_EXIT_USAGE;
	}
	for (size_t i = 0; r->conf.question_pool[i]; i++)
		if (qa_pool_add(&r->pool, &r->npool, r->conf.question_pool[i]) < 0) {
			fprintf(stderr, "%s: %s\n", prog, strerror(ENOMEM));
			return CLI_EXIT_FAILED;
		}
	if (r->conf.question_pool_file) {
		e = load_pool_file(prog, r);
		if (e != CLI_EXIT_OK)
			return e;
	}
	r->qa = (struct qa_rules){
	    .pool = r->pool,
	    .custom = r->conf.questions_custom,
	    .count = r->conf.questions_register,
	    .min_length = r->conf.questions_min_length,
	};
	if (!r->qa.custom && r->npool < r->qa.count) {
		fprintf(stderr,
			_("%s: [questions] register asks for %u questions, the pool has %zu and "
			  "custom = no\n"),
			prog, r->qa.count, r->npool);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

static bool taken(const struct qa_set *s, const char *q)
{
	for (size_t i = 0; i < s->n; i++)
		if (qa_same(q, s->question[i]))
			return true;
	return false;
}

/* A list number: digits only, at most the pool size. */
static size_t list_index(const char *in, size_t npool)
{
	size_t v = 0, len = strlen(in);
	if (len == 0 || len > 4 || strspn(in, "0123456789") != len)
		return SIZE_MAX;
	for (size_t i = 0; i < len; i++)
		v = v * 10 + (size_t)(in[i] - '0');
	return v >= 1 && v <= npool ? v - 1 : SIZE_MAX;
}

static int ask_question(const struct rules *r, const struct qa_set *s, FILE *out, char **q_out)
{
	char msg[256];
	size_t avail = 0;
	fprintf(out, _("\nQuestion %zu of %u\n"), s->n + 1, r->qa.count);
	for (size_t i = 0; i < r->npool; i++)
		if (!taken(s, r->pool[i])) {
			fprintf(out, "%4zu. %s\n", i + 1, r->pool[i]);
			avail++;
		}
	fflush(out);
	const char *prompt = !avail	    ? _("Your question: ")
			     : r->qa.custom ? _("Number, or a question of your own: ")
					    : _("Number: ");
	for (;;) {
		char *in = NULL;
		const char *canon;
		int e = term_prompt(true, prompt, &in);
		if (e == -E2BIG) {
			fprintf(out, _("Not accepted: longer than %d bytes.\n"), CONF_QUESTION_MAX);
			continue;
		}
		if (e < 0)
			return e;
		/* Digits pick from the list; anything else is a question's text. */
		const char *cand = in;
		if (avail && in[0] && strspn(in, "0123456789") == strlen(in)) {
			size_t idx = list_index(in, r->npool);
			cand = idx == SIZE_MAX ? NULL : r->pool[idx];
		}
		if (cand)
			e = qa_check_question(&r->qa, s, cand, &canon, msg, sizeof(msg));
		else {
			snprintf(msg, sizeof(msg), "%s", _("no such number in the list"));
			e = -EINVAL;
		}
		if (e == 0)
			*q_out = strdup(canon);
		free(in);
		if (e == 0)
			return *q_out ? 0 : -ENOMEM;
		if (e != -EINVAL)
			return e;
		fprintf(out, _("Not accepted: %s.\n"), msg);
	}
}

static int ask_answer(const struct rules *r, const struct qa_set *s, const char *q, FILE *out,
		      char **a_out)
{
	char msg[256];
	for (;;) {
		char *a = NULL, *again = NULL;
		int e = term_prompt(false, _("Answer: "), &a);
		if (e == 0)
			e = qa_check_answer(&r->qa, s, q, a, msg, sizeof(msg));
		else if (e == -E2BIG)
			snprintf(msg, sizeof(msg), _("longer than %d bytes"), QA_ANSWER_MAX);
		if (e == 0)
			e = term_prompt(false, _("Answer again: "), &again);
		if (e == 0 && strcmp(a, again) != 0) {
			snprintf(msg, sizeof(msg), "%s", _("the two answers differ"));
			e = -EINVAL;
		}
		secret_free(again);
		if (e == 0) {
			*a_out = a;
			return 0;
		}
		secret_free(a);
		if (e != -EINVAL && e != -E2BIG)
			return e;
		fprintf(out, _("Not accepted: %s.\n"), msg);
	}
}

static int ask_all(const struct rules *r, struct qa_set *set)
{
	FILE *tty = fopen("/dev/tty", "we");
	FILE *out = tty ? tty : stderr;
	int e = 0;
	fprintf(out,
		P_("Choose %u security question and give it an answer of at least %u "
		   "characters.\nAnswers are not shown; letter case and extra spaces do not "
		   "matter.\n",
		   "Choose %u security questions and give each an answer of at least %u "
		   "characters.\nAnswers are not shown; letter case and extra spaces do not "
		   "matter.\n",
		   r->qa.count),
		r->qa.count, r->qa.min_length);
	while (set->n < r->qa.count && e == 0) {
		char *q = NULL, *a = NULL;
		e = ask_question(r, set, out, &q);
		if (e == 0)
			e = ask_answer(r, set, q, out, &a);
		if (e == 0)
			e = qa_add(set, q, a);
		free(q);
		secret_free(a);
	}
	if (tty)
		fclose(tty);
	return e;
}

/* All of standard input, bounded; a secret (it holds the answers). */
static int read_input(char **out, size_t *len_out)
{
	size_t len = 0;
	int e = 0;
	char *buf = malloc(ENROLL_INPUT_MAX + 2);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (len > ENROLL_INPUT_MAX) {
			e = -EFBIG;
			break;
		}
		ssize_t k = read(STDIN_FILENO, buf + len, ENROLL_INPUT_MAX + 1 - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			e = -errno;
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	if (e < 0) {
		secure_zero(buf, len);
		free(buf);
		return e;
	}
	buf[len] = '\0';
	*out = buf;
	*len_out = len;
	return 0;
}

static int read_all(const char *prog, const struct rules *r, struct qa_set *set)
{
	char *text = NULL, msg[320];
	size_t len = 0;
	int e = read_input(&text, &len);
	if (e < 0) {
		if (e == -EFBIG)
			fprintf(stderr, _("%s: standard input: more than %d bytes\n"), prog,
				ENROLL_INPUT_MAX);
		else
			fprintf(stderr, _("%s: cannot read standard input: %s\n"), prog,
				strerror(-e));
		return CLI_EXIT_USAGE;
	}
	e = qa_parse(&r->qa, text, len, set, msg, sizeof(msg));
	secure_zero(text, len);
	free(text);
	if (e < 0) {
		fprintf(stderr, _("%s: standard input: %s\n"), prog, msg);
		return e == -EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

int enroll_questions_input(const char *prog, const char *config_path, struct qa_set *out)
{
	struct rules r = {0};
	int ret = load_rules(prog, config_path, &r);
	if (ret == CLI_EXIT_OK && !isatty(STDIN_FILENO)) {
		ret = read_all(prog, &r, out);
	} else if (ret == CLI_EXIT_OK) {
		int e = ask_all(&r, out);
		if (e == -ECANCELED)
			fprintf(stderr, _("%s: cancelled\n"), prog);
		else if (e < 0)
			fprintf(stderr, _("%s: cannot ask for the questions: %s\n"), prog,
				strerror(-e));
		if (e < 0) {
			qa_set_clear(out);
			ret = CLI_EXIT_FAILED;
		}
	}
	rules_free(&r);
	return ret;
}
