/* limits.c's clock, which the unit tests (tests/unit/test_limits.c) move to
 * see windows slide and locks end. Nothing else sets it. */
#pragma once

#include <stdint.h>

extern int64_t (*limits_now)(void);
