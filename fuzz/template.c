/*
 * libFuzzer target: message templates (common/template.c). An override file
 * is admin input, but the values put into it (user names, hosts, services)
 * come from users, so both are fuzzed.
 *
 * Input: byte 0 picks the template, byte 1 the output buffer sizes (small
 * ones reach the overflow paths); the rest up to the first NUL is the
 * override file, what follows the NUL is the value of every placeholder.
 *
 * Invariants: a rendered subject is one line of UTF-8 text without control
 * characters; a rendered body is UTF-8 text whose only controls are line
 * breaks and tabs; on failure both buffers are wiped (the body may hold a
 * code); template_check_dir accepts exactly the files template_render can
 * parse; messages are printable ASCII.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/template.h"
#include "common/template_internal.h"
#include "common/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/template.c:%d: invariant failed: %s\n", __LINE__,    \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static char dir[PATH_MAX];
static size_t ntemplates;

static void remove_dir(void)
{
	char path[PATH_MAX + 64];
	for (size_t i = 0; i < ntemplates; i++) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir, template_names[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/sspr-fuzz-template.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		abort();
	}
	while (template_names[ntemplates])
		ntemplates++;
	atexit(remove_dir);
}

static void write_override(const char *path, const uint8_t *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	close(fd);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

#define FILL 0xa5

/* After a failure a buffer holds nothing rendered: it is wiped, or it was
 * never written (only its first byte cleared). */
static bool nothing_left(const char *p, size_t n)
{
	bool zero = true, untouched = p[0] == '\0';
	for (size_t i = 0; i < n; i++) {
		zero = zero && p[i] == 0;
		untouched = untouched && (i == 0 || (unsigned char)p[i] == FILL);
	}
	return zero || untouched;
}

/* A value as hostile as a client can make one when the input has none. */
static const char default_value[] = "a\nSubject: x\r\n\t{code}\x1b[2J\xc3\x28\xff\xe2\x82";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ntemplates)
		setup();
	if (size < 2)
		return 0;
	const char *name = template_names[data[0] % ntemplates];
	bool small = data[1] & 0x80;
	size_t subjsz = small ? 1 + (data[1] & 0x0f) * 4 : 512;
	size_t bodysz = small ? 1 + ((data[1] >> 4) & 0x07) * 64 : TEMPLATE_MAX_SIZE * 2;
	data += 2;
	size -= 2;
	const uint8_t *nul = memchr(data, '\0', size);
	size_t text_len = nul ? (size_t)(nul - data) : size;
	char *value = NULL;
	if (nul) {
		size_t n = size - text_len - 1;
		value = malloc(n + 1);
		if (!value)
			abort();
		memcpy(value, nul + 1, n);
		value[n] = '\0';
	}

	char path[PATH_MAX + 64];
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	write_override(path, data, text_len);

	struct template_var vars[TV_COUNT];
	for (size_t i = 0; i < TV_COUNT; i++)
		vars[i] =
		    (struct template_var){template_var_names[i], value ? value : default_value};

	char *subject = malloc(subjsz), *body = malloc(bodysz), msg[PATH_MAX + 256];
	if (!subject || !body)
		abort();
	memset(subject, FILL, subjsz);
	memset(body, FILL, bodysz);
	int r = template_render(dir, name, vars, TV_COUNT, subject, subjsz, body, bodysz, msg,
				sizeof(msg));
	CHECK(r == 0 || r == -EINVAL || r == -E2BIG || r == -ENOMEM);
	if (r == 0) {
		size_t sl = strnlen(subject, subjsz), bl = strnlen(body, bodysz);
		CHECK(sl < subjsz && bl < bodysz);
		CHECK(utf8_text_valid(subject, sl, sl, NULL));
		CHECK(utf8_text_valid(body, bl, bl, "\n\t"));
	} else {
		CHECK(nothing_left(subject, subjsz) && nothing_left(body, bodysz));
		CHECK(msg[0] != '\0' || r == -ENOMEM);
		CHECK(printable(msg));
	}

	char cmsg[PATH_MAX + 256];
	int c = template_check_dir(dir, cmsg, sizeof(cmsg));
	if (r != -ENOMEM && c != -ENOMEM)
		CHECK((c == 0) == (r == 0 || r == -E2BIG));
	CHECK(printable(cmsg));

	unlink(path);
	free(subject);
	free(body);
	free(value);
	return 0;
}
