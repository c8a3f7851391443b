/* The points in time an administrator types, as for `ssprctl audit
 * --since`; pure functions, so the unit tests reach them. */
#pragma once

#include <stdint.h>

/* 9999-12-31T23:59:59Z: the last second of four-digit years. */
#define TIMEPARSE_MAX 253402300799LL

/* "YYYY-MM-DDTHH:MM:SSZ" and its NUL. */
#define TIMEPARSE_ISO_SIZE 21

/* Parse spec into unix seconds: "YYYY-MM-DD" (midnight UTC),
 * "YYYY-MM-DDTHH:MM:SSZ" (UTC), unix seconds ("1764000000"), or a span
 * back from now: "<N>w", "<N>d" or "<N>h" ("7d", "24h"). Returns 0,
 * -EINVAL for anything malformed or an impossible date ("2026-02-30"),
 * -ERANGE for a time before 1970 or after TIMEPARSE_MAX. */
int timeparse_since(const char *spec, int64_t now, int64_t *out);

/* t (0..TIMEPARSE_MAX) as "YYYY-MM-DDTHH:MM:SSZ". 0 or -ERANGE. */
int timeparse_iso(int64_t t, char out[TIMEPARSE_ISO_SIZE]);
