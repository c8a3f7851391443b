/* Aligned tables of what ssprd sent. The text is the daemon's, and some of
 * it (rhost, detail) came from elsewhere before that: it is made safe for
 * a terminal before it is measured or printed. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/ssprctl.h"
#include "common/textwidth.h"

/* A cell of the last column never gets narrower than this when cut. */
#define TABLE_MIN_LAST 16

/* Length of the valid UTF-8 sequence at s that is not a control
 * character, or 0. */
static size_t utf8_printable(const unsigned char *s)
{
	unsigned cp;
	size_t n;
	if (s[0] >= 0x20 && s[0] < 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates, beyond Unicode, and the C1 controls
	 * (some terminals act on U+009B as on ESC [). */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp > 0x10ffff || cp < 0xa0)
		return 0;
	return n;
}

char *display_safe(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)(in ? in : "");
	size_t o = 0;
	if (outsz == 0)
		return out;
	while (*s) {
		size_t n = utf8_printable(s);
		if (o + (n ? n : 1) >= outsz)
			break;
		if (n) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		} else {
			out[o++] = '?';
			s++;
		}
	}
	out[o] = '\0';
	return out;
}

size_t display_width(const char *s)
{
	return text_width(s);
}

/* Byte length of the longest prefix of s, in whole characters, that takes
 * at most max columns. */
static size_t prefix_bytes(const char *s, size_t max)
{
	size_t i = 0, cols = 0;
	while (s[i]) {
		char one[5] = "";
		size_t n = 1;
		while (n < 4 && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n++;
		memcpy(one, s + i, n);
		size_t w = text_width(one);
		if (cols + w > max)
			break;
		cols += w;
		i += n;
	}
	return i;
}

void table_init(struct table *t, size_t ncols, const char *const *head)
{
	*t = (struct table){.ncols = ncols, .head = head};
}

int table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		char **grown = realloc(t->cells, cap * t->ncols * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->cells = grown;
		t->cap = cap;
	}
	char **row = t->cells + t->nrows * t->ncols;
	for (size_t c = 0; c < t->ncols; c++) {
		const char *v = cells[c] && *cells[c] ? cells[c] : "-";
		size_t size = strlen(v) + 1;
		row[c] = malloc(size);
		if (!row[c]) {
			while (c > 0)
				free(row[--c]);
			return -ENOMEM;
		}
		display_safe(v, row[c], size);
	}
	t->nrows++;
	return 0;
}

/* Room for the last column on a terminal; 0: no limit. */
static size_t last_column_room(FILE *f, size_t used)
{
	struct winsize ws;
	if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col > used + TABLE_MIN_LAST ? ws.ws_col - used : TABLE_MIN_LAST;
}

static void print_row(FILE *f, const struct table *t, const char *const *row, const size_t *width,
		      size_t room)
{
	for (size_t c = 0; c < t->ncols; c++) {
		const char *v = row[c];
		if (c + 1 < t->ncols) {
			fprintf(f, "%s%*s  ", v, (int)(width[c] - display_width(v)), "");
			continue;
		}
		if (room && display_width(v) > room)
			fprintf(f, "%.*s...\n", (int)prefix_bytes(v, room - 3), v);
		else
			fprintf(f, "%s\n", v);
	}
}

int table_print(const struct table *t, FILE *f)
{
	size_t *width = calloc(t->ncols, sizeof(*width));
	size_t used = 0;
	if (!width)
		return -ENOMEM;
	for (size_t c = 0; c < t->ncols; c++) {
		width[c] = display_width(t->head[c]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t w = display_width(t->cells[r * t->ncols + c]);
			if (w > width[c])
				width[c] = w;
		}
		if (c + 1 < t->ncols)
			used += width[c] + 2;
	}
	size_t room = last_column_room(f, used);
	print_row(f, t, t->head, width, 0);
	for (size_t r = 0; r < t->nrows; r++)
		print_row(f, t, (const char *const *)(t->cells + r * t->ncols), width, room);
	free(width);
	return 0;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	*t = (struct table){0};
}
