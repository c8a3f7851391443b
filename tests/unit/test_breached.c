/* SHA-1 and the breached-list search: known vectors, every line format, a
 * list of 10 million lines generated once for the whole suite (lookups in a
 * few milliseconds, a few reads, no memory growth), and files that are not
 * sorted lists, which must end the search quickly with an error. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ssprd/breached.h"
#include "tests/unit/breached_gen.h"
#include "tests/unit/suites.h"

#define BIG_LINES   10000000ULL
#define BIG_SAMPLES 4096
#define LOOKUPS	    2000

/* Real SHA-1 digests of these are merged into the generated lists. */
static const char *const breached[] = {
    "password",
    "123456789012",
    "Summer2024!Summer2024!",
    "correct horse battery staple",
    "Tr0ub4dor&3-but-longer",
};
static const char *const clean[] = {
    "Quietly the violet heron fished beneath crooked willows",
    "pässwörd-🦉-not-in-any-list",
    "Zq8#mW2!pL4x",
};

static char big_dir[256], big_path[300];
static uint8_t big_sample[BIG_SAMPLES][SHA1_DIGEST_SIZE];
static uint64_t big_size;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *tmp_base(void)
{
	const char *t = getenv("TMPDIR");
	return t && *t ? t : "/tmp";
}

/* Once per test run: an unchecked fixture runs in the parent process. */
static void big_setup(void)
{
	snprintf(big_dir, sizeof(big_dir), "%s/sspr-breached-XXXXXX", tmp_base());
	ck_assert_ptr_nonnull(mkdtemp(big_dir));
	snprintf(big_path, sizeof(big_path), "%s/pwned.txt", big_dir);
	struct breached_gen g = {
	    .lines = BIG_LINES,
	    .seed = 20241124,
	    .passwords = breached,
	    .npasswords = sizeof(breached) / sizeof(breached[0]),
	    .sample = big_sample,
	    .nsample = BIG_SAMPLES,
	};
	double t0 = now_s();
	int r = breached_gen_write(big_path, &g, &big_size);
	ck_assert_msg(r == 0, "generating %s: %s", big_path, strerror(-r));
	fprintf(stderr, "breached: %llu lines (%.0f MB) generated in %.2f s\n", BIG_LINES,
		(double)big_size / 1e6, now_s() - t0);
}

static void big_teardown(void)
{
	unlink(big_path);
	rmdir(big_dir);
}

static int search(const char *path, const uint8_t d[SHA1_DIGEST_SIZE], bool *found,
		  struct breached_stats *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	struct stat sb;
	ck_assert_int_eq(fstat(fd, &sb), 0);
	int r = breached_search_fd(fd, (uint64_t)sb.st_size, d, found, st);
	close(fd);
	return r;
}

static void hex_to_digest(const char *hex, uint8_t d[SHA1_DIGEST_SIZE])
{
	for (int i = 0; i < SHA1_DIGEST_SIZE; i++) {
		unsigned v;
		ck_assert_int_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
		d[i] = (uint8_t)v;
	}
}

START_TEST(sha1_vectors)
{
	static const struct {
		const char *in;
		const char *hex;
	} v[] = {
	    {"", "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
	    {"abc", "A9993E364706816ABA3E25717850C26C9CD0D89D"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "84983E441C3BD26EBAAE4AA1F95129E5E54670F1"},
	    {"password", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8"},
	};
	char hex[41];
	uint8_t d[SHA1_DIGEST_SIZE];
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_int_eq(sha1(v[i].in, strlen(v[i].in), d), 0);
		breached_gen_hex(d, hex);
		ck_assert_str_eq(hex, v[i].hex);
	}
	/* A million 'a': many blocks; 55, 56 and 64 bytes: padding edges. */
	char *a = malloc(1000000);
	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	ck_assert_int_eq(sha1(a, 1000000, d), 0);
	breached_gen_hex(d, hex);
	ck_assert_str_eq(hex, "34AA973CD4C4DAA4F61EEB2BDBAD27316534016F");
	ck_assert_int_eq(sha1(a, 55, d), 0);
	breached_gen_hex(d, hex);
	ck_assert_str_eq(hex, "C1C8BBDC22796E28C0E15163D20899B65621D65A");
	ck_assert_int_eq(sha1(a, 56, d), 0);
	breached_gen_hex(d, hex);
	ck_assert_str_eq(hex, "C2DB330F6083854C99D4B5BFB6E8F29F201BE699");
	ck_assert_int_eq(sha1(a, 64, d), 0);
	breached_gen_hex(d, hex);
	ck_assert_str_eq(hex, "0098BA824B5C16427BD7A1122A5A442A25EC644D");
	free(a);
}
END_TEST

START_TEST(big_passwords)
{
	for (size_t i = 0; i < sizeof(breached) / sizeof(breached[0]); i++) {
		bool found = false;
		struct breached_stats st;
		ck_assert_int_eq(breached_check(big_path, breached[i], &found, &st), 0);
		ck_assert_msg(found, "%s not found", breached[i]);
		ck_assert_uint_le(st.probes, 8);
	}
	for (size_t i = 0; i < sizeof(clean) / sizeof(clean[0]); i++) {
		bool found = true;
		ck_assert_int_eq(breached_check(big_path, clean[i], &found, NULL), 0);
		ck_assert_msg(!found, "%s found", clean[i]);
	}
}
END_TEST

START_TEST(big_every_sampled_line)
{
	/* The samples include the first and the last line. */
	for (size_t i = 0; i < BIG_SAMPLES; i++) {
		bool found = false;
		ck_assert_int_eq(search(big_path, big_sample[i], &found, NULL), 0);
		ck_assert_msg(found, "sample %zu not found", i);
		/* A digest next to a present one is absent. */
		uint8_t d[SHA1_DIGEST_SIZE];
		memcpy(d, big_sample[i], sizeof(d));
		d[SHA1_DIGEST_SIZE - 1] ^= 1;
		ck_assert_int_eq(search(big_path, d, &found, NULL), 0);
		ck_assert_msg(!found, "neighbour of sample %zu found", i);
	}
	/* Before the first line and after the last one. */
	uint8_t lo[SHA1_DIGEST_SIZE], hi[SHA1_DIGEST_SIZE];
	memset(lo, 0, sizeof(lo));
	memset(hi, 0xff, sizeof(hi));
	bool found = true;
	ck_assert_int_eq(search(big_path, lo, &found, NULL), 0);
	ck_assert(!found);
	ck_assert_int_eq(search(big_path, hi, &found, NULL), 0);
	ck_assert(!found);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

START_TEST(big_fast_few_reads_flat_memory)
{
	static double ms[LOOKUPS];
	unsigned max_probes = 0, total_probes = 0;
	uint64_t state = 7;
	struct rusage before, after;
	int fd = open(big_path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &before), 0);
	for (int i = 0; i < LOOKUPS; i++) {
		uint8_t d[SHA1_DIGEST_SIZE];
		/* Half present lines, half random absent digests. */
		if (i % 2 == 0) {
			memcpy(d, big_sample[(size_t)i * 7919 % BIG_SAMPLES], sizeof(d));
		} else {
			for (int b = 0; b < SHA1_DIGEST_SIZE; b++) {
				state = state * 6364136223846793005ULL + 1442695040888963407ULL;
				d[b] = (uint8_t)(state >> 56);
			}
		}
		bool found = false;
		struct breached_stats st;
		double t0 = now_s();
		ck_assert_int_eq(breached_search_fd(fd, big_size, d, &found, &st), 0);
		ms[i] = (now_s() - t0) * 1000.0;
		ck_assert(found == (i % 2 == 0));
		total_probes += st.probes;
		if (st.probes > max_probes)
			max_probes = st.probes;
		ck_assert_uint_le(st.bytes, (size_t)st.probes * BREACHED_WINDOW);
	}
	ck_assert_int_eq(getrusage(RUSAGE_SELF, &after), 0);
	close(fd);
	qsort(ms, LOOKUPS, sizeof(ms[0]), cmp_double);
	double median = ms[LOOKUPS / 2], p99 = ms[LOOKUPS * 99 / 100];
	long growth_kb = after.ru_maxrss - before.ru_maxrss;
	fprintf(stderr,
		"breached: %d lookups in %llu lines: median %.3f ms, p99 %.3f ms, max %.3f ms; "
		"probes mean %.2f max %u; max RSS growth %ld kB\n",
		LOOKUPS, BIG_LINES, median, p99, ms[LOOKUPS - 1], (double)total_probes / LOOKUPS,
		max_probes, growth_kb);
	ck_assert_msg(median < 2.0, "median lookup %.3f ms", median);
	ck_assert_msg(p99 < 10.0, "p99 lookup %.3f ms", p99);
	/* Interpolation on SHA-1-like data: a few reads, never many. */
	ck_assert_uint_le(max_probes, 8);
	ck_assert_msg((double)total_probes / LOOKUPS <= 4.0, "mean probes %.2f",
		      (double)total_probes / LOOKUPS);
	/* Nothing of the 400 MB file stays in memory. (Not measurable under
	 * ASan, whose quarantine keeps freed memory: make check-asan.) */
#ifndef __SANITIZE_ADDRESS__
	ck_assert_msg(growth_kb < 1024, "max RSS grew by %ld kB", growth_kb);
#endif
}
END_TEST

/* Small files: one temp directory per test. */
static char dir[256], path[300];

static void small_setup(void)
{
	snprintf(dir, sizeof(dir), "%s/sspr-blist-XXXXXX", tmp_base());
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/list.txt", dir);
}

static void small_teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_text(const char *text, size_t len)
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(formats)
{
	/* CRLF, counts, lowercase, no count, no final newline. */
	static const char text[] = "000000005AD76BD555C1D6D771DE417A4B87E4B4:10\r\n"
				   "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:3645804\r\n"
				   "7c4a8d09ca3762af61e59520943dc26494f8941b\n"
				   "F0000000000000000000000000000000000000FF";
	write_text(text, strlen(text));
	static const char *const present[] = {
	    "000000005AD76BD555C1D6D771DE417A4B87E4B4", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8",
	    "7C4A8D09CA3762AF61E59520943DC26494F8941B", "F0000000000000000000000000000000000000FF"};
	static const char *const absent[] = {
	    "0000000000000000000000000000000000000000", "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD9",
	    "F0000000000000000000000000000000000000FE", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"};
	uint8_t d[SHA1_DIGEST_SIZE];
	bool found;
	for (size_t i = 0; i < 4; i++) {
		hex_to_digest(present[i], d);
		ck_assert_int_eq(search(path, d, &found, NULL), 0);
		ck_assert_msg(found, "%s", present[i]);
		hex_to_digest(absent[i], d);
		ck_assert_int_eq(search(path, d, &found, NULL), 0);
		ck_assert_msg(!found, "%s", absent[i]);
	}
	/* breached_check hashes the password itself: "password" is line 2,
	 * "123456" (7C4A...) line 3. */
	ck_assert_int_eq(breached_check(path, "password", &found, NULL), 0);
	ck_assert(found);
	ck_assert_int_eq(breached_check(path, "123456", &found, NULL), 0);
	ck_assert(found);
	ck_assert_int_eq(breached_check(path, "1234567", &found, NULL), 0);
	ck_assert(!found);
}
END_TEST

START_TEST(generated_crlf_list)
{
	/* Larger than a window, so the interpolation path runs on CRLF. */
	uint8_t sample[64][SHA1_DIGEST_SIZE];
	struct breached_gen g = {.lines = 20000,
				 .seed = 1,
				 .passwords = breached,
				 .npasswords = 2,
				 .sample = sample,
				 .nsample = 64,
				 .crlf = true};
	ck_assert_int_eq(breached_gen_write(path, &g, NULL), 0);
	bool found;
	for (size_t i = 0; i < 64; i++) {
		ck_assert_int_eq(search(path, sample[i], &found, NULL), 0);
		ck_assert(found);
	}
	ck_assert_int_eq(breached_check(path, breached[0], &found, NULL), 0);
	ck_assert(found);
	ck_assert_int_eq(breached_check(path, breached[2], &found, NULL), 0);
	ck_assert(!found);
}
END_TEST

START_TEST(empty_and_single_line)
{
	uint8_t d[SHA1_DIGEST_SIZE];
	bool found = true;
	struct breached_stats st;
	write_text("", 0);
	hex_to_digest("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", d);
	ck_assert_int_eq(search(path, d, &found, &st), 0);
	ck_assert(!found);
	ck_assert_uint_eq(st.probes, 0);
	write_text("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\n", 41);
	ck_assert_int_eq(search(path, d, &found, &st), 0);
	ck_assert(found);
	ck_assert_uint_eq(st.probes, 1);
}
END_TEST

START_TEST(not_a_list)
{
	uint8_t d[SHA1_DIGEST_SIZE];
	bool found;
	hex_to_digest("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8", d);
	/* A bad line, a bad count, a short digest. */
	static const char *const bad[] = {
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8\nnot a digest at all, just some words\n",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8:12x\n",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68F\n",
	    "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD9:\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_text(bad[i], strlen(bad[i]));
		hex_to_digest("5BAA61E4C9B93F3F0682250B6CF8331B7EE68FDA", d);
		ck_assert_msg(search(path, d, &found, NULL) == -EBADMSG, "case %zu", i);
	}
	/* One huge line, and binary junk without any newline. */
	char *junk = malloc(100000);
	ck_assert_ptr_nonnull(junk);
	memset(junk, 'A', 100000);
	write_text(junk, 100000);
	struct breached_stats st;
	ck_assert_int_eq(search(path, d, &found, &st), -EBADMSG);
	ck_assert_uint_le(st.probes, 2);
	for (size_t i = 0; i < 100000; i++) {
		char c = (char)(i * 131 % 251 + 1);
		junk[i] = c == '\n' ? 'x' : c;
	}
	write_text(junk, 100000);
	ck_assert_int_eq(search(path, d, &found, &st), -EBADMSG);
	free(junk);
	/* Not a regular file, not there. */
	ck_assert_int_eq(breached_check(dir, "password", &found, NULL), -EINVAL);
	ck_assert_int_eq(breached_check("/nonexistent/list", "password", &found, NULL), -ENOENT);
}
END_TEST

/* Lines i and their digests: top 64 bits from top(i), rest fixed. */
static void write_lines(uint64_t n, uint64_t (*top)(uint64_t, uint64_t))
{
	FILE *f = fopen(path, "we");
	ck_assert_ptr_nonnull(f);
	for (uint64_t i = 0; i < n; i++)
		fprintf(f, "%016llX%024X:1\n", (unsigned long long)top(i, n), 0x5a5a5a);
	ck_assert_int_eq(fclose(f), 0);
}

static uint64_t halves_swapped(uint64_t i, uint64_t n)
{
	/* Each half sorted, the upper half first. */
	uint64_t step = UINT64_MAX / n;
	return i < n / 2 ? (i + n / 2) * step : (i - n / 2) * step;
}

static uint64_t clustered(uint64_t i, uint64_t n)
{
	/* Everything crowded near zero but the last line: interpolation
	 * guesses badly at every step and bisection has to take over. */
	return i + 1 == n ? UINT64_MAX : i * 4096;
}

START_TEST(unsorted_ends_quickly)
{
	const uint64_t n = 100000;
	write_lines(n, halves_swapped);
	uint64_t step = UINT64_MAX / n;
	for (uint64_t k = 0; k < n; k += 997) {
		uint8_t d[SHA1_DIGEST_SIZE];
		char hex[64];
		snprintf(hex, sizeof(hex), "%016llX%024X", (unsigned long long)(k * step),
			 0x5a5a5a);
		hex_to_digest(hex, d);
		bool found = false;
		struct breached_stats st;
		int r = search(path, d, &found, &st);
		ck_assert_msg(r == 0 || r == -EBADMSG, "r=%d", r);
		ck_assert_uint_le(st.probes, BREACHED_MAX_PROBES);
	}
}
END_TEST

START_TEST(skewed_list_falls_back_to_bisection)
{
	const uint64_t n = 200000;
	write_lines(n, clustered);
	struct stat sb;
	ck_assert_int_eq(stat(path, &sb), 0);
	unsigned halvings = 0;
	for (uint64_t left = (uint64_t)sb.st_size; left > BREACHED_WINDOW; left /= 2)
		halvings++;
	unsigned bound = 3 * halvings + 4;
	for (uint64_t k = 1; k < n; k += 1999) {
		uint8_t d[SHA1_DIGEST_SIZE];
		char hex[64];
		snprintf(hex, sizeof(hex), "%016llX%024X", (unsigned long long)clustered(k, n),
			 0x5a5a5a);
		hex_to_digest(hex, d);
		bool found = false;
		struct breached_stats st;
		ck_assert_int_eq(search(path, d, &found, &st), 0);
		ck_assert(found);
		ck_assert_msg(st.probes <= bound, "%u probes (bound %u)", st.probes, bound);
	}
}
END_TEST

Suite *breached_suite(void)
{
	Suite *s = suite_create("breached");
	TCase *tc = tcase_create("small");
	tcase_add_checked_fixture(tc, small_setup, small_teardown);
	tcase_add_test(tc, sha1_vectors);
	tcase_add_test(tc, formats);
	tcase_add_test(tc, generated_crlf_list);
	tcase_add_test(tc, empty_and_single_line);
	tcase_add_test(tc, not_a_list);
	tcase_add_test(tc, unsorted_ends_quickly);
	tcase_add_test(tc, skewed_list_falls_back_to_bisection);
	suite_add_tcase(s, tc);
	/* One 10-million-line file for these tests, made and removed once. */
	tc = tcase_create("ten_million");
	tcase_add_unchecked_fixture(tc, big_setup, big_teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, big_passwords);
	tcase_add_test(tc, big_every_sampled_line);
	tcase_add_test(tc, big_fast_few_reads_flat_memory);
	suite_add_tcase(s, tc);
	return s;
}
