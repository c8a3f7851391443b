#include "common/qa.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "common/conf.h"
#include "common/i18n.h"
#include "common/proto.h"
#include "common/util.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(const char *s, const char **start, size_t *len)
{
	size_t n = strlen(s);
	while (n > 0 && is_space(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_space(s[n - 1]))
		n--;
	*start = s;
	*len = n;
}

/* Trimmed, white space collapsed to one space, lower case. Case folding
 * beyond ASCII needs a UTF-8 locale, which the tools do not otherwise set:
 * C.UTF-8 is built into glibc. Without it only ASCII folds; ssprd has the
 * final word either way. The result may be a secret: secret_free it. */
static char *fold(const char *s)
{
	size_t len = strlen(s), o = 0;
	if (len > (SIZE_MAX - 1) / MB_LEN_MAX)
		return NULL;
	char *out = malloc(len * MB_LEN_MAX + 1);
	if (!out)
		return NULL;
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t old = loc ? uselocale(loc) : (locale_t)0;
	mbstate_t in = {0}, st = {0};
	bool space = false;
	for (const char *p = s, *end = s + len; p < end;) {
		wchar_t wc = 0;
		size_t k = loc ? mbrtowc(&wc, p, (size_t)(end - p), &in) : (size_t)-1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			/* Not a character here: the byte stands for itself. */
			memset(&in, 0, sizeof(in));
			unsigned char c = (unsigned char)*p++;
			if (is_space((char)c)) {
				space = o > 0;
				continue;
			}
			if (space)
				out[o++] = ' ';
			space = false;
			out[o++] = (char)(c < 0x80 ? tolower(c) : c);
			continue;
		}
		const char *from = p;
		p += k;
		if (iswspace((wint_t)wc)) {
			space = o > 0;
			continue;
		}
		if (space)
			out[o++] = ' ';
		space = false;
		size_t w = wcrtomb(out + o, (wchar_t)towlower((wint_t)wc), &st);
		if (w == (size_t)-1) {
			memset(&st, 0, sizeof(st));
			memcpy(out + o, from, k);
			w = k;
		}
		o += w;
	}
	out[o] = '\0';
	if (loc) {
		uselocale(old);
		freelocale(loc);
	}
	return out;
}

static size_t char_count(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

bool qa_same(const char *a, const char *b)
{
	char *fa = fold(a), *fb = fold(b);
	bool same = fa && fb && strcmp(fa, fb) == 0;
	secret_free(fa);
	secret_free(fb);
	return same;
}

void qa_set_clear(struct qa_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->question[i]);
		secret_free(s->answer[i]);
	}
	memset(s, 0, sizeof(*s));
}

int qa_check_question(const struct qa_rules *r, const struct qa_set *s, const char *q,
		      const char **canon, char *msg, size_t msgsz)
{
	const char *t, *match = NULL;
	size_t len;
	trim(q, &t, &len);
	if (len == 0) {
		snprintf(msg, msgsz, "%s", _("the question is empty"));
		return -EINVAL;
	}
	if (!utf8_text_valid(t, len, CONF_QUESTION_MAX, NULL)) {
		snprintf(msg, msgsz,
			 _("a question is text of at most %d bytes without tabs or control "
			   "characters"),
			 CONF_QUESTION_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; r->pool && r->pool[i] && !match; i++)
		if (qa_same(q, r->pool[i]))
			match = r->pool[i];
	if (!match && !r->custom) {
		snprintf(
		    msg, msgsz, "%s",
		    _("not a question of the pool ([questions] custom = no allows no others)"));
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n; i++)
		if (qa_same(q, s->question[i])) {
			snprintf(msg, msgsz, _("the same question as question %zu"), i + 1);
			return -EINVAL;
		}
	*canon = match ? match : q;
	return 0;
}

int qa_check_answer(const struct qa_rules *r, const struct qa_set *s, const char *q, const char *a,
		    char *msg, size_t msgsz)
{
	if (!utf8_text_valid(a, strlen(a), QA_ANSWER_MAX, NULL)) {
		snprintf(msg, msgsz,
			 _("an answer is text of at most %d bytes without tabs or control "
			   "characters"),
			 QA_ANSWER_MAX);
		return -EINVAL;
	}
	char *f = fold(a);
	if (!f)
		return -ENOMEM;
	size_t chars = char_count(f);
	secret_free(f);
	if (chars < r->min_length) {
		snprintf(msg, msgsz,
			 P_("the answer is shorter than %u character",
			    "the answer is shorter than %u characters", r->min_length),
			 r->min_length);
		return -EINVAL;
	}
	if (qa_same(a, q)) {
		snprintf(msg, msgsz, "%s", _("the answer repeats the question"));
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n; i++)
		if (qa_same(a, s->answer[i])) {
			snprintf(msg, msgsz, _("the same answer as for question %zu"), i + 1);
			return -EINVAL;
		}
	return 0;
}

int qa_add(struct qa_set *s, const char *q, const char *a)
{
	const char *t;
	size_t len;
	if (s->n >= QA_MAX)
		return -E2BIG;
	trim(q, &t, &len);
	char *qc = strndup(t, len), *ac = strdup(a);
	if (!qc || !ac) {
		free(qc);
		secret_free(ac);
		return -ENOMEM;
	}
	s->question[s->n] = qc;
	s->answer[s->n] = ac;
	s->n++;
	return 0;
}

/* One input line, already split at its tab. */
static int parse_one(const struct qa_rules *r, struct qa_set *out, const char *q, const char *a,
		     char *msg, size_t msgsz)
{
	const char *canon;
	if (out->n >= r->count) {
		snprintf(msg, msgsz, "more than %u questions ([questions] register)", r->count);
		return -EINVAL;
	}
	int e = qa_check_question(r, out, q, &canon, msg, msgsz);
	if (e == 0)
		e = qa_check_answer(r, out, q, a, msg, msgsz);
	if (e == 0)
		e = qa_add(out, canon, a);
	return e;
}

int qa_parse(const struct qa_rules *r, const char *text, size_t len, struct qa_set *out, char *msg,
	     size_t msgsz)
{
	char why[256] = "";
	unsigned lineno = 0;
	int e = 0;
	qa_set_clear(out);
	if (r->count == 0 || r->count > QA_MAX) {
		snprintf(msg, msgsz, "[questions] register must be 1 to %d", QA_MAX);
		return -EINVAL;
	}
	for (const char *p = text, *end = text + len; p < end && e == 0;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *t;
		size_t tl;
		lineno++;
		char *line = malloc(ll + 1);
		if (!line) {
			e = -ENOMEM;
			break;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl ? nl + 1 : end;
		if (strlen(line) != ll) {
			snprintf(why, sizeof(why), "a NUL byte");
			e = -EINVAL;
		} else {
			if (ll > 0 && line[ll - 1] == '\r')
				line[--ll] = '\0';
			char *tab = strchr(line, '\t');
			trim(line, &t, &tl);
			if (tl == 0) {
				/* blank line */
			} else if (!tab) {
				snprintf(why, sizeof(why), "expected QUESTION<TAB>ANSWER");
				e = -EINVAL;
			} else {
				*tab = '\0';
				e = parse_one(r, out, line, tab + 1, why, sizeof(why));
			}
		}
		secure_zero(line, ll);
		free(line);
	}
	if (e == 0 && out->n < r->count) {
		snprintf(msg, msgsz, "%zu questions given, [questions] register asks for %u",
			 out->n, r->count);
		e = -EINVAL;
	} else if (e == -EINVAL) {
		snprintf(msg, msgsz, "line %u: %s", lineno, why);
	} else if (e < 0) {
		snprintf(msg, msgsz, "%s", strerror(-e));
	}
	if (e < 0)
		qa_set_clear(out);
	return e;
}

int qa_join(const struct qa_set *s, bool answers, char **out)
{
	char *const *v = answers ? s->answer : s->question;
	size_t total = 0, o = 0;
	*out = NULL;
	for (size_t i = 0; i < s->n; i++)
		total += strlen(v[i]) + 1;
	if (total > PROTO_MAX_QUESTIONS_TEXT + 1)
		return -E2BIG;
	char *buf = malloc(total + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		size_t l = strlen(v[i]);
		if (i > 0)
			buf[o++] = '\n';
		memcpy(buf + o, v[i], l);
		o += l;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

static int pool_add(char ***pool, size_t *n, const char *q, size_t len)
{
	if (*n >= QA_POOL_MAX)
		return -E2BIG;
	char **grown = realloc(*pool, (*n + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	*pool = grown;
	grown[*n] = strndup(q, len);
	if (!grown[*n])
		return -ENOMEM;
	grown[++*n] = NULL;
	return 0;
}

int qa_pool_add_lines(char ***pool, size_t *n, const char *text, char *msg, size_t msgsz)
{
	unsigned lineno = 0;
	int e = 0;
	for (const char *p = text; *p && e == 0;) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char line[CONF_QUESTION_MAX * 4];
		const char *t;
		size_t tl;
		lineno++;
		if (ll >= sizeof(line)) {
			snprintf(msg, msgsz, "line %u: longer than %d bytes", lineno,
				 CONF_QUESTION_MAX);
			return -EINVAL;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl ? nl + 1 : p + ll;
		trim(line, &t, &tl);
		if (tl == 0 || t[0] == '#')
			continue;
		if (!utf8_text_valid(t, tl, CONF_QUESTION_MAX, NULL)) {
			snprintf(msg, msgsz, "line %u: not a question of at most %d bytes of text",
				 lineno, CONF_QUESTION_MAX);
			return -EINVAL;
		}
		e = pool_add(pool, n, t, tl);
		if (e == -E2BIG)
			snprintf(msg, msgsz, "line %u: more than %d questions", lineno,
				 QA_POOL_MAX);
		else if (e < 0)
			snprintf(msg, msgsz, "%s", strerror(-e));
	}
	return e;
}

int qa_pool_add(char ***pool, size_t *n, const char *q)
{
	return pool_add(pool, n, q, strlen(q));
}

void qa_pool_free(char **pool, size_t n)
{
	if (!pool)
		return;
	for (size_t i = 0; i < n; i++)
		free(pool[i]);
	free(pool);
}
