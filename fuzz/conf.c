/*
 * libFuzzer target: the sspr.conf parser (common/conf*.c), which runs as
 * root in ssprd and in every tool. conf_load reads a path, so the input is
 * written to a memfd and loaded through /proc/self/fd/N: no file system
 * traffic, nothing left behind.
 *
 * Invariants: a refused file always comes with a message, and the message
 * is printable ASCII (it quotes the file, and ends up in logs and on
 * terminals); an accepted one passes the cross-key checks.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz/conf.c:%d: invariant failed: %s\n", __LINE__,        \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int memfd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (memfd < 0) {
		memfd = memfd_create("sspr-fuzz-conf", MFD_CLOEXEC);
		if (memfd < 0) {
			perror("memfd_create");
			abort();
		}
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) < 0 || pwrite(memfd, data, size, 0) != (ssize_t)size) {
		perror("memfd write");
		abort();
	}

	struct sspr_conf c;
	char err[512];
	CHECK(conf_init_defaults(&c) == 0);
	memset(err, 'x', sizeof(err));
	int r = conf_load(&c, path, err, sizeof(err));
	if (r < 0) {
		CHECK(r == -EINVAL || r == -ENOMEM || r == -EFBIG);
		CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		CHECK(err[0] != '\0');
		for (const char *p = err; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
	} else {
		CHECK(r == 0);
		CHECK(c.min_length <= c.max_length);
		CHECK(c.codes_per_hour <= c.codes_per_day);
		CHECK(c.sends_per_hour <= c.sends_per_day);
		CHECK(c.required >= 1 && c.methods != 0);
	}
	conf_free(&c);
	return 0;
}
