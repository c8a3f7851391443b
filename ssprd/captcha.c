/* CAPTCHA challenges and their block-letter art. */
#include "ssprd/captcha.h"

#include <ctype.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>

/* Enough dots to make the art less regular, few enough that no one reads
 * them as part of a letter (they are never '#'). */
#define NOISE_DOTS 9

void captcha_new(char out[CAPTCHA_LEN + 1])
{
	static const char alphabet[] = CAPTCHA_ALPHABET;
	for (size_t i = 0; i < CAPTCHA_LEN; i++)
		out[i] = alphabet[randombytes_uniform(sizeof(alphabet) - 1)];
	out[CAPTCHA_LEN] = '\0';
}

int captcha_render(const char *text, char *out, size_t outsz)
{
	const struct captcha_glyph *g[CAPTCHA_LEN];
	if (!text || strlen(text) != CAPTCHA_LEN)
		return -EINVAL;
	for (size_t k = 0; k < CAPTCHA_LEN; k++)
		if (!(g[k] = captcha_font_glyph(text[k])))
			return -EINVAL;
	if (!out || outsz < CAPTCHA_ART_SIZE)
		return -ENOBUFS;
	char grid[CAPTCHA_ROWS][CAPTCHA_WIDTH];
	memset(grid, ' ', sizeof(grid));
	for (size_t k = 0; k < CAPTCHA_LEN; k++) {
		size_t x0 = CAPTCHA_MARGIN + k * (CAPTCHA_CELL_W + CAPTCHA_GAP);
		for (size_t r = 0; r < CAPTCHA_ROWS; r++)
			for (size_t c = 0; c < CAPTCHA_CELL_W; c++)
				if (g[k]->rows[r][c / CAPTCHA_PIXEL_W] == '#')
					grid[r][x0 + c] = CAPTCHA_INK;
	}
	static const char dots[] = ".,'`";
	for (int i = 0; i < NOISE_DOTS; i++) {
		uint32_t r = randombytes_uniform(CAPTCHA_ROWS);
		uint32_t c = randombytes_uniform(CAPTCHA_WIDTH);
		if (grid[r][c] == ' ')
			grid[r][c] = dots[randombytes_uniform(sizeof(dots) - 1)];
	}
	size_t n = 0;
	for (size_t r = 0; r < CAPTCHA_ROWS; r++) {
		memcpy(out + n, grid[r], CAPTCHA_WIDTH);
		n += CAPTCHA_WIDTH;
		out[n++] = r + 1 < CAPTCHA_ROWS ? '\n' : '\0';
	}
	sodium_memzero(grid, sizeof(grid));
	return 0;
}

bool captcha_check(const char *challenge, const char *typed)
{
	char want[CAPTCHA_LEN], got[CAPTCHA_LEN];
	size_t n = 0;
	bool ok = challenge && typed && strlen(challenge) == CAPTCHA_LEN &&
		  strnlen(typed, CAPTCHA_ANSWER_MAX + 1) <= CAPTCHA_ANSWER_MAX;
	for (const char *p = typed; ok && *p; p++) {
		if (*p == ' ' || *p == '\t')
			continue;
		if (n == CAPTCHA_LEN)
			ok = false;
		else
			got[n++] = (char)toupper((unsigned char)*p);
	}
	ok = ok && n == CAPTCHA_LEN;
	for (size_t i = 0; ok && i < CAPTCHA_LEN; i++)
		want[i] = (char)toupper((unsigned char)challenge[i]);
	ok = ok && sodium_memcmp(want, got, CAPTCHA_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	sodium_memzero(got, sizeof(got));
	return ok;
}
