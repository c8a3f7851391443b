/* The CAPTCHA shown before anything is sent ([general] captcha = yes): a
 * random challenge from an unambiguous alphabet, drawn as large block
 * letters with light noise for a terminal. The challenge is a secret-ish
 * value: never log it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "ssprd/captcha_font.h"

/* Lines of CAPTCHA_WIDTH characters joined by '\n', no trailing newline. */
#define CAPTCHA_ART_SIZE (CAPTCHA_ROWS * (CAPTCHA_WIDTH + 1))
/* Answers longer than this are wrong without looking further. */
#define CAPTCHA_ANSWER_MAX 64

/* A fresh random challenge (libsodium's uniform generator). */
void captcha_new(char out[CAPTCHA_LEN + 1]);

/* Draw text (CAPTCHA_LEN characters of CAPTCHA_ALPHABET) into out: 0,
 * -EINVAL for another length or a character without a glyph, -ENOBUFS
 * when outsz < CAPTCHA_ART_SIZE. A few random dots go into blank cells;
 * they never touch the letters' shapes. */
int captcha_render(const char *text, char *out, size_t outsz);

/* Whether typed is the challenge: letter case and spaces do not count. */
bool captcha_check(const char *challenge, const char *typed);
