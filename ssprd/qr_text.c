/* QR codes as terminal text. Two module rows share one character cell: the
 * upper row is the cell's top half, the lower row its bottom half. */
#include "ssprd/qr_text.h"

#include <errno.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* A version 40 code is 177 modules wide; an otpauth URI needs far fewer. */
#define QR_DATA_MAX 1024

static const char *const cell[4] = {
    /* index: (upper light) << 1 | (lower light) */
    " ",	    /* both dark */
    "\xe2\x96\x84", /* lower light: U+2584 LOWER HALF BLOCK */
    "\xe2\x96\x80", /* upper light: U+2580 UPPER HALF BLOCK */
    "\xe2\x96\x88", /* both light: U+2588 FULL BLOCK */
};

/* Whether the module at (x, y) of the drawing, margin included, is light.
 * Beyond the bottom margin (an odd last row) nothing is drawn. */
static bool light(const QRcode *qr, int x, int y, int size)
{
	if (y >= size)
		return false;
	int cx = x - QR_TEXT_QUIET, cy = y - QR_TEXT_QUIET;
	if (cx < 0 || cy < 0 || cx >= qr->width || cy >= qr->width)
		return true;
	return !(qr->data[cy * qr->width + cx] & 1);
}

int qr_text_render(const char *data, char **out)
{
	*out = NULL;
	if (!data || !*data)
		return -EINVAL;
	if (strlen(data) > QR_DATA_MAX)
		return -E2BIG;
	QRcode *qr = QRcode_encodeString(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	if (!qr)
		return errno == ERANGE ? -E2BIG : errno == ENOMEM ? -ENOMEM : -EINVAL;
	int size = qr->width + 2 * QR_TEXT_QUIET;
	int lines = (size + 1) / 2;
	/* Every cell at most 3 bytes, a '\n' per line and the NUL. */
	size_t cap = (size_t)lines * ((size_t)size * 3 + 1) + 1;
	char *text = malloc(cap);
	int r = 0;
	if (!text) {
		r = -ENOMEM;
		goto out;
	}
	size_t pos = 0;
	for (int l = 0; l < lines; l++) {
		if (l > 0)
			text[pos++] = '\n';
		for (int x = 0; x < size; x++) {
			int idx = light(qr, x, 2 * l, size) << 1 | light(qr, x, 2 * l + 1, size);
			size_t k = strlen(cell[idx]);
			memcpy(text + pos, cell[idx], k);
			pos += k;
		}
	}
	text[pos] = '\0';
	*out = text;
out:
	secure_zero(qr->data, (size_t)qr->width * (size_t)qr->width);
	QRcode_free(qr);
	return r;
}

int qr_text_split(const char *text, size_t max, size_t *starts, size_t *lens, size_t n)
{
	size_t total = strlen(text), pos = 0;
	int pieces = 0;
	while (pos < total) {
		/* Whole lines while they fit: end is the '\n' (or the end)
		 * after the last of them. */
		size_t end = 0, p = pos;
		bool any = false;
		for (;;) {
			const char *nl = memchr(text + p, '\n', total - p);
			size_t line_end = nl ? (size_t)(nl - text) : total;
			if (line_end - pos > max)
				break;
			end = line_end;
			any = true;
			if (!nl)
				break;
			p = line_end + 1;
		}
		if (!any || (size_t)pieces == n)
			return -ENOBUFS;
		starts[pieces] = pos;
		lens[pieces] = end - pos;
		pieces++;
		pos = end + 1;
	}
	return pieces;
}
