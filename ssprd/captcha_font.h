/* The CAPTCHA's built-in block-letter font and art layout, shared by the
 * renderer (captcha.c) and the tests, which read the art back with the same
 * table to prove that a person (or this reader) can. Header-only: a table
 * and one small inline reader, so a test binary needs no daemon objects. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* No character that reads as another: no 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 6/G,
 * 8/B or U/V. */
#define CAPTCHA_ALPHABET "ACEFHKMNPRTWXY3479"
#define CAPTCHA_LEN	 5

#define CAPTCHA_GLYPH_ROWS 7
#define CAPTCHA_GLYPH_COLS 5
/* Each pixel is drawn two columns wide, so letters look square. */
#define CAPTCHA_PIXEL_W 2
#define CAPTCHA_CELL_W	(CAPTCHA_GLYPH_COLS * CAPTCHA_PIXEL_W)
#define CAPTCHA_GAP	2
#define CAPTCHA_MARGIN	2
#define CAPTCHA_WIDTH                                                                              \
	(CAPTCHA_MARGIN + CAPTCHA_LEN * CAPTCHA_CELL_W + (CAPTCHA_LEN - 1) * CAPTCHA_GAP)
#define CAPTCHA_ROWS CAPTCHA_GLYPH_ROWS
#define CAPTCHA_INK  '#'

struct captcha_glyph {
	char ch;
	const char *rows[CAPTCHA_GLYPH_ROWS]; /* CAPTCHA_GLYPH_COLS of '#' or '.' */
};

static const struct captcha_glyph captcha_font[] = {
    {'A', {".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'C', {".####", "#....", "#....", "#....", "#....", "#....", ".####"}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'F', {"#####", "#....", "#....", "####.", "#....", "#....", "#...."}},
    {'H', {"#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"}},
    {'K', {"#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"}},
    {'M', {"#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"}},
    {'N', {"#...#", "##..#", "##..#", "#.#.#", "#..##", "#..##", "#...#"}},
    {'P', {"####.", "#...#", "#...#", "####.", "#....", "#....", "#...."}},
    {'R', {"####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"}},
    {'T', {"#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."}},
    {'W', {"#...#", "#...#", "#...#", "#.#.#", "#.#.#", "##.##", "#...#"}},
    {'X', {"#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"}},
    {'Y', {"#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."}},
    {'3', {"####.", "....#", "....#", ".###.", "....#", "....#", "####."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'7', {"#####", "....#", "...#.", "..#..", "..#..", "..#..", "..#.."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "....#", ".###."}},
};

#define CAPTCHA_FONT_SIZE (sizeof(captcha_font) / sizeof(captcha_font[0]))

/* The glyph of ch (upper case), or NULL. */
static inline const struct captcha_glyph *captcha_font_glyph(char ch)
{
	for (size_t i = 0; i < CAPTCHA_FONT_SIZE; i++)
		if (captcha_font[i].ch == ch)
			return &captcha_font[i];
	return NULL;
}

/* Read art made by captcha_render back into text (CAPTCHA_LEN characters
 * and a NUL): every cell must match one glyph exactly; anything but ink is
 * background, so noise does not matter. 0 or -EINVAL. */
static inline int captcha_font_read(const char *art, char out[CAPTCHA_LEN + 1])
{
	const char *line[CAPTCHA_ROWS];
	size_t len[CAPTCHA_ROWS];
	const char *p = art;
	for (size_t r = 0; r < CAPTCHA_ROWS; r++) {
		if (!p)
			return -EINVAL;
		const char *nl = strchr(p, '\n');
		line[r] = p;
		len[r] = nl ? (size_t)(nl - p) : strlen(p);
		p = nl ? nl + 1 : NULL;
	}
	for (size_t k = 0; k < CAPTCHA_LEN; k++) {
		size_t x0 = CAPTCHA_MARGIN + k * (CAPTCHA_CELL_W + CAPTCHA_GAP);
		const struct captcha_glyph *found = NULL;
		for (size_t g = 0; g < CAPTCHA_FONT_SIZE && !found; g++) {
			bool same = true;
			for (size_t r = 0; r < CAPTCHA_ROWS && same; r++)
				for (size_t c = 0; c < CAPTCHA_CELL_W && same; c++) {
					size_t x = x0 + c;
					bool ink = x < len[r] && line[r][x] == CAPTCHA_INK;
					bool want =
					    captcha_font[g].rows[r][c / CAPTCHA_PIXEL_W] == '#';
					same = ink == want;
				}
			if (same)
				found = &captcha_font[g];
		}
		if (!found)
			return -EINVAL;
		out[k] = found->ch;
	}
	out[CAPTCHA_LEN] = '\0';
	return 0;
}
