#include "tests/unit/fixture.h"

#include <check.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

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
