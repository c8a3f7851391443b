/* What sspr register shows and keeps for an authenticator app: the QR code
 * drawn as text (read back module by module and compared with
 * libqrencode's own matrix), the cutting of long text into messages, and
 * the confirm-before-store TOTP calls (totp_prepare, totp_check_secret,
 * totp_save). */
#include <check.h>
#include <errno.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ssprd/qr_text.h"
#include "ssprd/totp.h"
#include "tests/unit/fixture.h"
#include "tests/unit/suites.h"

#define URI                                                                                        \
	"otpauth://totp/Example%20Org:carol?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer="       \
	"Example%20Org&algorithm=SHA1&digits=6&period=30"
#define NOW 1700000010 /* 10 s into a step */

/* Read cell (the UTF-8 character at *p) as its two halves; advance *p. */
static void read_cell(const char **p, int *upper, int *lower)
{
	static const char *const cells[4] = {" ", "\xe2\x96\x84", "\xe2\x96\x80", "\xe2\x96\x88"};
	for (int i = 0; i < 4; i++) {
		size_t k = strlen(cells[i]);
		if (strncmp(*p, cells[i], k) == 0) {
			*upper = i >> 1;
			*lower = i & 1;
			*p += k;
			return;
		}
	}
	ck_abort_msg("unexpected character in the QR text");
}

START_TEST(qr_matches_libqrencode)
{
	char *text = NULL;
	ck_assert_int_eq(qr_text_render(URI, &text), 0);
	QRcode *qr = QRcode_encodeString(URI, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	ck_assert_ptr_nonnull(qr);
	int size = qr->width + 2 * QR_TEXT_QUIET, lines = 0;
	const char *p = text;
	for (int l = 0; l < (size + 1) / 2; l++) {
		for (int x = 0; x < size; x++) {
			int up, low;
			read_cell(&p, &up, &low);
			for (int half = 0; half < 2; half++) {
				int y = 2 * l + half, lightv = half ? low : up;
				int cx = x - QR_TEXT_QUIET, cy = y - QR_TEXT_QUIET;
				if (y >= size) {
					ck_assert_int_eq(lightv, 0); /* nothing below */
					continue;
				}
				bool margin =
				    cx < 0 || cy < 0 || cx >= qr->width || cy >= qr->width;
				int want = margin ? 1 : !(qr->data[cy * qr->width + cx] & 1);
				ck_assert_int_eq(lightv, want);
			}
		}
		lines++;
		if (l + 1 < (size + 1) / 2) {
			ck_assert_int_eq(*p, '\n');
			p++;
		}
	}
	ck_assert_int_eq(*p, '\0');
	ck_assert_int_eq(lines, (size + 1) / 2);
	/* Fits an 80-column terminal. */
	ck_assert_int_le(size, 80);
	QRcode_free(qr);
	secret_free(text);
}
END_TEST

START_TEST(qr_refuses_bad_input)
{
	char *text = (char *)"x";
	ck_assert_int_eq(qr_text_render("", &text), -EINVAL);
	ck_assert_ptr_null(text);
	char big[2048];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ck_assert_int_eq(qr_text_render(big, &text), -E2BIG);
}
END_TEST

START_TEST(split_at_line_ends)
{
	size_t st[8], ln[8];
	ck_assert_int_eq(qr_text_split("aaa\nbbb\ncc", 7, st, ln, 8), 2);
	ck_assert_uint_eq(st[0], 0);
	ck_assert_uint_eq(ln[0], 7); /* "aaa\nbbb" */
	ck_assert_uint_eq(st[1], 8);
	ck_assert_uint_eq(ln[1], 2);
	ck_assert_int_eq(qr_text_split("aaa\nbbb\ncc", 100, st, ln, 8), 1);
	ck_assert_uint_eq(ln[0], 10);
	ck_assert_int_eq(qr_text_split("aaaa\nb", 3, st, ln, 8), -ENOBUFS); /* a line too long */
	ck_assert_int_eq(qr_text_split("a\nb\nc", 1, st, ln, 2), -ENOBUFS); /* too few slots */
	ck_assert_int_eq(qr_text_split("", 10, st, ln, 8), 0);
}
END_TEST

START_TEST(split_real_qr_under_the_limit)
{
	char *text = NULL;
	size_t st[16], ln[16];
	ck_assert_int_eq(qr_text_render(URI, &text), 0);
	int n = qr_text_split(text, 1000, st, ln, 16);
	ck_assert_int_gt(n, 1);
	size_t total = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_uint_le(ln[i], 1000);
		total += ln[i] + 1;
	}
	ck_assert_uint_eq(total - 1, strlen(text)); /* every byte but the cut '\n's */
	secret_free(text);
}
END_TEST

static void setup(void)
{
	fixture_store_setup();
}

static void teardown(void)
{
	fixture_store_teardown();
}

START_TEST(prepare_stores_nothing)
{
	uint8_t secret[TOTP_SECRET_SIZE], back[TOTP_SECRET_SIZE];
	char b32[64], uri[512], from_uri[64];
	size_t len = 0;
	struct store_totp t;
	ck_assert_int_eq(
	    totp_prepare("Example", "carol", secret, b32, sizeof(b32), uri, sizeof(uri)), 0);
	ck_assert_int_eq(store_totp_get(fx_store, "carol", &t), -ENOENT);
	const char *p = strstr(uri, "?secret=");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(p, "?secret=%63[A-Z2-7]&", from_uri), 1);
	ck_assert_str_eq(from_uri, b32);
	ck_assert_int_eq(totp_base32_decode(b32, back, sizeof(back), &len), 0);
	ck_assert_uint_eq(len, TOTP_SECRET_SIZE);
	ck_assert_mem_eq(back, secret, TOTP_SECRET_SIZE);
	ck_assert_int_eq(totp_prepare("", "carol", secret, b32, sizeof(b32), uri, sizeof(uri)),
			 -EINVAL);
	ck_assert_int_eq(totp_prepare("Example", "carol", secret, b32, 8, uri, sizeof(uri)),
			 -ENOBUFS);
}
END_TEST

START_TEST(confirm_then_save_spends_the_step)
{
	uint8_t secret[TOTP_SECRET_SIZE];
	char b32[64], uri[512], code[TOTP_DIGITS + 1], wrong[16];
	int64_t step = 0;
	enum totp_result res;
	ck_assert_int_eq(
	    totp_prepare("Example", "carol", secret, b32, sizeof(b32), uri, sizeof(uri)), 0);
	ck_assert_int_eq(totp_generate(secret, sizeof(secret), NOW, code), 0);
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	ck_assert_int_eq(totp_check_secret(secret, sizeof(secret), wrong, NOW, &step), -EACCES);
	ck_assert_int_eq(totp_check_secret(secret, sizeof(secret), "12a456", NOW, &step), -EACCES);
	/* The code of the step before is still accepted (drift). */
	ck_assert_int_eq(totp_check_secret(secret, sizeof(secret), code, NOW + 30, &step), 0);
	ck_assert_int_eq(step, NOW / 30);
	ck_assert_int_eq(totp_check_secret(secret, sizeof(secret), code, NOW + 90, &step), -EACCES);
	ck_assert_int_eq(totp_save(fx_store, fx_key, "carol", secret, sizeof(secret), step, NOW),
			 0);
	/* The confirming code cannot be used again at a reset ... */
	ck_assert_int_eq(totp_check(fx_store, fx_key, "carol", code, NOW, &res), 0);
	ck_assert_int_eq(res, TOTP_REPLAY);
	/* ... the next one can. */
	ck_assert_int_eq(totp_generate(secret, sizeof(secret), NOW + 30, code), 0);
	ck_assert_int_eq(totp_check(fx_store, fx_key, "carol", code, NOW + 30, &res), 0);
	ck_assert_int_eq(res, TOTP_OK);
	ck_assert_int_eq(totp_save(fx_store, fx_key, "carol", secret, 5, step, NOW), -EINVAL);
}
END_TEST

Suite *qr_text_suite(void)
{
	Suite *s = suite_create("qr_text");
	TCase *tc = tcase_create("qr");
	tcase_add_test(tc, qr_matches_libqrencode);
	tcase_add_test(tc, qr_refuses_bad_input);
	tcase_add_test(tc, split_at_line_ends);
	tcase_add_test(tc, split_real_qr_under_the_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("totp_confirm");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, prepare_stores_nothing);
	tcase_add_test(tc, confirm_then_save_spends_the_step);
	suite_add_tcase(s, tc);
	return s;
}
