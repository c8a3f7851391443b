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
