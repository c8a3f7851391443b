/* The CAPTCHA: its alphabet, its font, the art and the answer check. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "ssprd/captcha.h"
#include "tests/unit/suites.h"

START_TEST(alphabet_has_no_ambiguous_characters)
{
	static const char ambiguous[] = "0Oo1IilLjJ2Zz5Ss8B6GbUuVvDQq";
	for (const char *p = CAPTCHA_ALPHABET; *p; p++) {
		ck_assert_msg(strchr(ambiguous, *p) == NULL, "ambiguous %c in the alphabet", *p);
		ck_assert_msg((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'), "%c", *p);
		ck_assert_msg(strchr(p + 1, *p) == NULL, "%c twice", *p);
	}
	ck_assert_uint_ge(strlen(CAPTCHA_ALPHABET), 16);
}
END_TEST

START_TEST(every_character_has_a_distinct_glyph)
{
	for (const char *p = CAPTCHA_ALPHABET; *p; p++) {
		const struct captcha_glyph *g = captcha_font_glyph(*p);
		ck_assert_msg(g != NULL, "no glyph for %c", *p);
		for (int r = 0; r < CAPTCHA_GLYPH_ROWS; r++) {
			ck_assert_uint_eq(strlen(g->rows[r]), CAPTCHA_GLYPH_COLS);
			ck_assert_uint_eq(strspn(g->rows[r], "#."), CAPTCHA_GLYPH_COLS);
		}
		/* Every other glyph differs in at least three pixels, so one
		 * misread pixel never turns a letter into another. */
		for (const char *q = p + 1; *q; q++) {
			const struct captcha_glyph *h = captcha_font_glyph(*q);
			int diff = 0;
			for (int r = 0; r < CAPTCHA_GLYPH_ROWS; r++)
				for (int c = 0; c < CAPTCHA_GLYPH_COLS; c++)
					diff += g->rows[r][c] != h->rows[r][c];
			ck_assert_msg(diff >= 3, "%c and %c differ in %d pixels", *p, *q, diff);
		}
	}
	ck_assert_uint_eq(CAPTCHA_FONT_SIZE, strlen(CAPTCHA_ALPHABET));
	ck_assert_ptr_null(captcha_font_glyph('O'));
	ck_assert_ptr_null(captcha_font_glyph('a'));
}
END_TEST

START_TEST(challenges_are_random_and_from_the_alphabet)
{
	char first[CAPTCHA_LEN + 1], c[CAPTCHA_LEN + 1];
	bool differs = false;
	captcha_new(first);
	for (int i = 0; i < 200; i++) {
		captcha_new(c);
		ck_assert_uint_eq(strlen(c), CAPTCHA_LEN);
		ck_assert_uint_eq(strspn(c, CAPTCHA_ALPHABET), CAPTCHA_LEN);
		differs = differs || strcmp(c, first) != 0;
	}
	ck_assert(differs);
}
END_TEST

START_TEST(art_has_the_size_and_reads_back)
{
	char text[CAPTCHA_LEN + 1], art[CAPTCHA_ART_SIZE], back[CAPTCHA_LEN + 1];
	int noisy = 0;
	for (int i = 0; i < 300; i++) {
		captcha_new(text);
		ck_assert_int_eq(captcha_render(text, art, sizeof(art)), 0);
		/* CAPTCHA_ROWS lines of CAPTCHA_WIDTH, no trailing newline. */
		ck_assert_uint_eq(strlen(art), CAPTCHA_ROWS * (CAPTCHA_WIDTH + 1) - 1);
		const char *p = art;
		for (int r = 0; r < CAPTCHA_ROWS; r++) {
			size_t len = strcspn(p, "\n");
			ck_assert_uint_eq(len, CAPTCHA_WIDTH);
			p += len + (p[len] ? 1 : 0);
		}
		ck_assert_int_eq(captcha_font_read(art, back), 0);
		ck_assert_str_eq(back, text);
		/* Only ink, blanks, newlines and noise dots. */
		ck_assert_uint_eq(strspn(art, "# \n.,'`"), strlen(art));
		noisy += strpbrk(art, ".,'`") != NULL;
	}
	ck_assert_int_gt(noisy, 250);
	ck_assert_uint_le(CAPTCHA_WIDTH, 78); /* fits an 80-column terminal */
}
END_TEST

START_TEST(render_refuses_bad_input)
{
	char art[CAPTCHA_ART_SIZE];
	ck_assert_int_eq(captcha_render("AC3", art, sizeof(art)), -EINVAL);
	ck_assert_int_eq(captcha_render("AC3O7", art, sizeof(art)), -EINVAL);
	ck_assert_int_eq(captcha_render("ac347", art, sizeof(art)), -EINVAL);
	ck_assert_int_eq(captcha_render(NULL, art, sizeof(art)), -EINVAL);
	ck_assert_int_eq(captcha_render("AC347", art, sizeof(art) - 1), -ENOBUFS);
	/* A damaged letter does not read as another one. */
	ck_assert_int_eq(captcha_render("AC347", art, sizeof(art)), 0);
	char *ink = strchr(art, '#');
	*ink = ' ';
	char back[CAPTCHA_LEN + 1];
	ck_assert_int_eq(captcha_font_read(art, back), -EINVAL);
	ck_assert_int_eq(captcha_font_read("##\n##", back), -EINVAL);
}
END_TEST

START_TEST(answer_check)
{
	ck_assert(captcha_check("AC3X7", "AC3X7"));
	ck_assert(captcha_check("AC3X7", "ac3x7"));
	ck_assert(captcha_check("AC3X7", " ac3 x7 "));
	ck_assert(!captcha_check("AC3X7", "AC3X"));
	ck_assert(!captcha_check("AC3X7", "AC3X77"));
	ck_assert(!captcha_check("AC3X7", "AC3Y7"));
	ck_assert(!captcha_check("AC3X7", ""));
	ck_assert(!captcha_check("AC3X7", NULL));
	ck_assert(!captcha_check("", ""));
	ck_assert(!captcha_check(NULL, "AC3X7"));
	char longer[CAPTCHA_ANSWER_MAX + 10];
	memset(longer, ' ', sizeof(longer));
	memcpy(longer, "AC3X7", 5);
	longer[sizeof(longer) - 1] = '\0';
	ck_assert(!captcha_check("AC3X7", longer));
}
END_TEST

Suite *captcha_suite(void)
{
	Suite *s = suite_create("captcha");
	TCase *tc = tcase_create("captcha");
	tcase_add_test(tc, alphabet_has_no_ambiguous_characters);
	tcase_add_test(tc, every_character_has_a_distinct_glyph);
	tcase_add_test(tc, challenges_are_random_and_from_the_alphabet);
	tcase_add_test(tc, art_has_the_size_and_reads_back);
	tcase_add_test(tc, render_refuses_bad_input);
	tcase_add_test(tc, answer_check);
	suite_add_tcase(s, tc);
	return s;
}
