#include "tests/unit/fixture.h"

#include <arpa/inet.h>
#include <check.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct store *fx_store;
uint8_t fx_key[CODE_KEY_SIZE];
char fx_dir[64];

void fixture_store_setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/sspr-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx_dir));
	ck_assert_int_eq(store_open(fx_dir, &fx_store), 0);
	randombytes_buf(fx_key, sizeof(fx_key));
}

void fixture_store_teardown(void)
{
	store_close(fx_store);
	fx_store = NULL;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx_dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void fixture_tmpdir_make(char dir[64], const char *tag)
{
	snprintf(dir, 64, "/tmp/sspr-%s-XXXXXX", tag);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void fixture_tmpdir_remove(char dir[64])
{
	if (dir[0])
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	dir[0] = '\0';
}

int fixture_free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}
