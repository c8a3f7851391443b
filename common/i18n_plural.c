/* The Plural-Forms expression of a catalog header, e.g.
 * "plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);". Catalogs are
 * installed files, but the parser is still bounded (length, nodes, depth) so
 * a broken one is refused instead of recursing or looping. */
#include "common/i18n_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PLURAL_TEXT_MAX	 512
#define PLURAL_NODES_MAX 128
#define PLURAL_DEPTH_MAX 32

enum plural_op {
	OP_NUM,
	OP_N,
	OP_NOT,
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_ADD,
	OP_SUB,
	OP_LT,
	OP_GT,
	OP_LE,
	OP_GE,
	OP_EQ,
	OP_NE,
	OP_AND,
	OP_OR,
	OP_COND,
};

struct plural_node {
	enum plural_op op;
	uint8_t kid[3];
	unsigned long num;
};

struct i18n_plural {
	unsigned count;
	uint8_t root;
	struct plural_node node[PLURAL_NODES_MAX];
};

struct plural_parser {
	const char *p;
	unsigned depth;
	int err;
	struct i18n_plural *out;
};

static void skip_space(struct plural_parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* Consume tok when it comes next (and, for "<" or ">", is not "<=" or
 * ">="; "!" is not "!="). */
static int accept(struct plural_parser *ps, const char *tok)
{
	skip_space(ps);
	size_t len = strlen(tok);
	if (strncmp(ps->p, tok, len) != 0)
		return 0;
	if (len == 1 && strchr("<>!", tok[0]) && ps->p[1] == '=')
		return 0;
	ps->p += len;
	return 1;
}

static int new_node(struct plural_parser *ps, enum plural_op op, int a, int b, int c)
{
	if (ps->err || a < 0 || (op != OP_NOT && b < 0) || (op == OP_COND && c < 0)) {
		if (!ps->err)
			ps->err = -EINVAL;
		return -1;
	}
	if (ps->out->count >= PLURAL_NODES_MAX) {
		ps->err = -E2BIG;
		return -1;
	}
	struct plural_node *nd = &ps->out->node[ps->out->count];
	nd->op = op;
	nd->kid[0] = (uint8_t)a;
	nd->kid[1] = (uint8_t)(b < 0 ? 0 : b);
	nd->kid[2] = (uint8_t)(c < 0 ? 0 : c);
	nd->num = 0;
	return (int)ps->out->count++;
}

static int parse_cond(struct plural_parser *ps);

static int parse_primary(struct plural_parser *ps)
{
	skip_space(ps);
	if (accept(ps, "(")) {
		int e = parse_cond(ps);
		if (e < 0 || !accept(ps, ")")) {
			if (!ps->err)
				ps->err = -EINVAL;
			return -1;
		}
		return e;
	}
	if (accept(ps, "n")) {
		if (ps->out->count >= PLURAL_NODES_MAX) {
			ps->err = -E2BIG;
			return -1;
		}
		ps->out->node[ps->out->count].op = OP_N;
		return (int)ps->out->count++;
	}
	if (*ps->p >= '0' && *ps->p <= '9') {
		unsigned long v = 0;
		while (*ps->p >= '0' && *ps->p <= '9') {
			if (v > 100000000ul) {
				ps->err = -E2BIG;
				return -1;
			}
			v = v * 10 + (unsigned long)(*ps->p++ - '0');
		}
		if (ps->out->count >= PLURAL_NODES_MAX) {
			ps->err = -E2BIG;
			return -1;
		}
		ps->out->node[ps->out->count].op = OP_NUM;
		ps->out->node[ps->out->count].num = v;
		return (int)ps->out->count++;
	}
	if (!ps->err)
		ps->err = -EINVAL;
	return -1;
}

static int parse_unary(struct plural_parser *ps)
{
	if (accept(ps, "!")) {
		if (++ps->depth > PLURAL_DEPTH_MAX) {
			ps->err = -E2BIG;
			return -1;
		}
		int e = parse_unary(ps);
		ps->depth--;
		return new_node(ps, OP_NOT, e, -1, -1);
	}
	return parse_primary(ps);
}

/* One level of left-associative binary operators: tokens[i] gives ops[i]. */
static int parse_binary(struct plural_parser *ps, int level);

static const struct {
	const char *tok[4];
	enum plural_op op[4];
} levels[] = {
    {{"||"}, {OP_OR}},
    {{"&&"}, {OP_AND}},
    {{"==", "!="}, {OP_EQ, OP_NE}},
    {{"<=", ">=", "<", ">"}, {OP_LE, OP_GE, OP_LT, OP_GT}},
    {{"+", "-"}, {OP_ADD, OP_SUB}},
    {{"*", "/", "%"}, {OP_MUL, OP_DIV, OP_MOD}},
};

static int parse_binary(struct plural_parser *ps, int level)
{
	if (level == (int)(sizeof(levels) / sizeof(levels[0])))
		return parse_unary(ps);
	int left = parse_binary(ps, level + 1);
	for (;;) {
		if (left < 0)
			return -1;
		int found = -1;
		for (int i = 0; i < 4 && levels[level].tok[i]; i++)
			if (accept(ps, levels[level].tok[i])) {
				found = i;
				break;
			}
		if (found < 0)
			return left;
		int right = parse_binary(ps, level + 1);
		left = new_node(ps, levels[level].op[found], left, right, -1);
	}
}

static int parse_cond(struct plural_parser *ps)
{
	if (++ps->depth > PLURAL_DEPTH_MAX) {
		ps->err = -E2BIG;
		return -1;
	}
	int e = parse_binary(ps, 0);
	if (e >= 0 && accept(ps, "?")) {
		int a = parse_cond(ps);
		if (a >= 0 && !accept(ps, ":")) {
			if (!ps->err)
				ps->err = -EINVAL;
			a = -1;
		}
		int b = a < 0 ? -1 : parse_cond(ps);
		e = b < 0 ? -1 : new_node(ps, OP_COND, e, a, b);
	}
	ps->depth--;
	return e;
}

int i18n_plural_parse(const char *text, struct i18n_plural **out)
{
	*out = NULL;
	if (!text)
		return -EINVAL;
	size_t len = strcspn(text, ";\n");
	if (len > PLURAL_TEXT_MAX)
		return -E2BIG;
	char buf[PLURAL_TEXT_MAX + 1];
	memcpy(buf, text, len);
	buf[len] = '\0';
	struct plural_parser ps = {.p = buf, .out = calloc(1, sizeof(struct i18n_plural))};
	if (!ps.out)
		return -ENOMEM;
	int root = parse_cond(&ps);
	skip_space(&ps);
	if (!ps.err && (root < 0 || *ps.p != '\0'))
		ps.err = -EINVAL;
	if (ps.err) {
		free(ps.out);
		return ps.err;
	}
	ps.out->root = (uint8_t)root;
	*out = ps.out;
	return 0;
}

static unsigned long eval_node(const struct i18n_plural *p, unsigned idx, unsigned long n)
{
	const struct plural_node *nd = &p->node[idx];
	unsigned long a = 0, b = 0;
	switch (nd->op) {
	case OP_NUM:
		return nd->num;
	case OP_N:
		return n;
	case OP_NOT:
		return !eval_node(p, nd->kid[0], n);
	case OP_AND:
		return eval_node(p, nd->kid[0], n) && eval_node(p, nd->kid[1], n);
	case OP_OR:
		return eval_node(p, nd->kid[0], n) || eval_node(p, nd->kid[1], n);
	case OP_COND:
		return eval_node(p, nd->kid[0], n) ? eval_node(p, nd->kid[1], n)
						   : eval_node(p, nd->kid[2], n);
	default:
		a = eval_node(p, nd->kid[0], n);
		b = eval_node(p, nd->kid[1], n);
		break;
	}
	switch (nd->op) {
	case OP_MUL:
		return a * b;
	case OP_DIV:
		return b ? a / b : 0;
	case OP_MOD:
		return b ? a % b : 0;
	case OP_ADD:
		return a + b;
	case OP_SUB:
		return a - b;
	case OP_LT:
		return a < b;
	case OP_GT:
		return a > b;
	case OP_LE:
		return a <= b;
	case OP_GE:
		return a >= b;
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	default:
		return 0;
	}
}

/* Children always have lower indices than their parent (they are built
 * first), so evaluation terminates and recurses at most PLURAL_NODES_MAX deep. */
unsigned long i18n_plural_eval(const struct i18n_plural *p, unsigned long n)
{
	return eval_node(p, p->root, n);
}

void i18n_plural_free(struct i18n_plural *p)
{
	free(p);
}

int i18n_plural_forms_parse(const char *value, unsigned *nplurals, struct i18n_plural **out)
{
	*out = NULL;
	const char *np = strstr(value, "nplurals=");
	const char *pl = strstr(value, "plural=");
	/* "nplurals=" contains "plural=": find the one that is not inside it. */
	while (pl && pl > value && pl[-1] == 'n')
		pl = strstr(pl + 1, "plural=");
	if (!np || !pl)
		return -EINVAL;
	np += strlen("nplurals=");
	unsigned long v = 0;
	if (*np < '1' || *np > '9')
		return -EINVAL;
	while (*np >= '0' && *np <= '9' && v <= I18N_NPLURALS_MAX)
		v = v * 10 + (unsigned long)(*np++ - '0');
	if (v > I18N_NPLURALS_MAX)
		return -E2BIG;
	int r = i18n_plural_parse(pl + strlen("plural="), out);
	if (r < 0)
		return r;
	*nplurals = (unsigned)v;
	return 0;
}
