/* A QR code drawn with text, for terminals: libqrencode encodes, each text
 * line carries two rows of modules as UTF-8 half blocks. */
#pragma once

#include <stddef.h>

/* Modules of light margin around the code. The standard asks for 4, but 2
 * scans well on a screen and keeps the code inside 80 columns. */
#define QR_TEXT_QUIET 2

/* Draw data (at most a few hundred bytes: an otpauth URI) at error
 * correction level M. *out gets the lines separated by '\n', without a
 * final one (free with secret_free: it encodes data, which may be a secret).
 * Light modules and the margin are drawn as blocks, dark ones as blanks, as
 * `qrencode -t UTF8` does: the code reads right on a dark terminal, and
 * scanners read it inverted on a light one. 0, -EINVAL, -E2BIG, -ENOMEM. */
int qr_text_render(const char *data, char **out);

/* Cut text at line ends into pieces of at most max bytes (max > one line):
 * the start offset and length of piece i into starts/lens (at most n of
 * them). Returns the number of pieces, or -ENOBUFS when n is too few or a
 * line is longer than max. */
int qr_text_split(const char *text, size_t max, size_t *starts, size_t *lens, size_t n);
