/* How wide UTF-8 text is on a terminal, without depending on the
 * process's locale: East Asian wide and fullwidth characters take two
 * columns (CJK text in zh_TW), combining marks none. */
#pragma once

#include <stddef.h>

/* Columns text takes; invalid UTF-8 counts one column per byte. */
size_t text_width(const char *text);

/* Write text into out padded with spaces to width columns (never
 * truncated); out always NUL-terminated. Returns bytes written. */
size_t text_pad(char *out, size_t outsz, const char *text, size_t width);
