/* printf directives of a msgid and its translation: a translation is used
 * only when every argument it takes is one the English text takes, with the
 * same type, so a wrong or hostile catalog cannot make printf read an
 * argument that is not there (or write one, %n). */
#include "common/i18n_internal.h"

#include <stdbool.h>
#include <string.h>

#define FMT_ARGS_MAX 32

/* An argument's type: conversion class and length modifier. 0 = unused. */
enum fmt_class { FC_NONE, FC_INT, FC_DOUBLE, FC_CHAR, FC_STRING, FC_POINTER, FC_WIDE };

struct fmt_args {
	unsigned count;			   /* highest argument number used */
	unsigned short type[FMT_ARGS_MAX]; /* class * 16 + length index */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits followed by '$' (a position, 1..FMT_ARGS_MAX): the value, else 0
 * with *p unchanged. */
static unsigned parse_position(const char **p)
{
	const char *s = *p;
	unsigned v = 0;
	while (is_digit(*s) && v <= FMT_ARGS_MAX)
		v = v * 10 + (unsigned)(*s++ - '0');
	if (*s != '$' || v == 0 || v > FMT_ARGS_MAX)
		return 0;
	*p = s + 1;
	return v;
}

static bool add_arg(struct fmt_args *a, unsigned pos, unsigned short type)
{
	if (pos == 0 || pos > FMT_ARGS_MAX)
		return false;
	if (a->type[pos - 1] && a->type[pos - 1] != type)
		return false;
	a->type[pos - 1] = type;
	if (pos > a->count)
		a->count = pos;
	return true;
}

/* A '*' width or precision: an int argument, at position "*m$" or next. */
static bool parse_star(const char **p, struct fmt_args *a, unsigned *next, int *positional)
{
	if (**p != '*')
		return true;
	(*p)++;
	unsigned pos = parse_position(p);
	if ((pos != 0) != (*positional == 1))
		return false;
	return add_arg(a, pos ? pos : (*next)++, FC_INT * 16);
}

/* Every directive of s; false when one is malformed, uses %n, mixes
 * numbered and unnumbered arguments or skips one. */
static bool parse_format(const char *s, struct fmt_args *a)
{
	static const char *const lengths[] = {"hh", "h", "ll", "l", "L", "q", "j", "z", "Z", "t"};
	unsigned next = 1;
	int positional = -1; /* unknown until the first directive */
	memset(a, 0, sizeof(*a));
	for (const char *p = strchr(s, '%'); p; p = strchr(p, '%')) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		unsigned pos = parse_position(&p);
		if (positional < 0)
			positional = pos != 0;
		if ((pos != 0) != (positional == 1))
			return false;
		p += strspn(p, "-+ #0'I");
		if (!parse_star(&p, a, &next, &positional))
			return false;
		while (is_digit(*p))
			p++;
		if (*p == '.') {
			p++;
			if (!parse_star(&p, a, &next, &positional))
				return false;
			while (is_digit(*p))
				p++;
		}
		unsigned len = 0;
		for (unsigned i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
			if (strncmp(p, lengths[i], strlen(lengths[i])) == 0) {
				len = i + 1;
				p += strlen(lengths[i]);
				break;
			}
		enum fmt_class cls;
		switch (*p) {
		case 'd':
		case 'i':
		case 'o':
		case 'u':
		case 'x':
		case 'X':
			cls = FC_INT;
			break;
		case 'e':
		case 'E':
		case 'f':
		case 'F':
		case 'g':
		case 'G':
		case 'a':
		case 'A':
			cls = FC_DOUBLE;
			break;
		case 'c':
			cls = len == 4 ? FC_WIDE : FC_CHAR;
			break;
		case 's':
			cls = len == 4 ? FC_WIDE : FC_STRING;
			break;
		case 'p':
			cls = FC_POINTER;
			break;
		case 'C':
		case 'S':
			cls = FC_WIDE;
			break;
		case 'm': /* glibc: strerror(errno), no argument */
			p++;
			continue;
		default: /* %n, or not a directive */
			return false;
		}
		p++;
		if (!add_arg(a, pos ? pos : next++, (unsigned short)(cls * 16 + len)))
			return false;
	}
	/* A numbered argument skipped: printf cannot know its type. */
	for (unsigned i = 0; i < a->count; i++)
		if (!a->type[i])
			return false;
	return true;
}

bool i18n_formats_match(const char *fmt, const char *translation)
{
	struct fmt_args src, dst;
	/* Not a valid format: the caller cannot be passing it to printf. */
	if (!parse_format(fmt, &src))
		return !parse_format(translation, &dst) || dst.count == 0;
	if (!parse_format(translation, &dst))
		return false;
	/* Using fewer arguments is fine (a Chinese text need not repeat a
	 * number); a gap would make printf guess the type of the skipped one. */
	for (unsigned i = 0; i < dst.count; i++)
		if (!dst.type[i] || dst.type[i] != src.type[i])
			return false;
	return true;
}
