/* A fresh store and code key in a temporary directory, for the suites that
 * test what lives in the store (codes, questions, authenticators, recovery
 * codes). Use as a checked fixture: fixture_store_setup / _teardown. */
#pragma once

#include <stdint.h>

#include "ssprd/code.h"
#include "ssprd/store.h"

extern struct store *fx_store;
extern uint8_t fx_key[CODE_KEY_SIZE];
extern char fx_dir[64];

void fixture_store_setup(void);
void fixture_store_teardown(void);

/* A temporary directory "/tmp/sspr-<tag>-XXXXXX" into dir (64 bytes), and
 * its removal with everything in it (NULL-safe on an empty dir). */
void fixture_tmpdir_make(char dir[64], const char *tag);
void fixture_tmpdir_remove(char dir[64]);

/* A loopback TCP port nobody listens on right now (the kernel picked it). */
int fixture_free_port(void);
