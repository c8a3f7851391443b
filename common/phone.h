/* Phone numbers in E.164 form ("+" and 8 to 15 digits, no leading zero),
 * the only form sspr stores or hands to a gateway. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define PHONE_MAX 16 /* "+" and 15 digits */

bool phone_valid(const char *number);

/* Turn what a person wrote ("+1 (555) 010-0167", "+886-912-345-678") into
 * E.164 by dropping spaces, dots, dashes and parentheses. Numbers without a
 * leading "+" are refused: sspr does not guess a country. 0 or -EINVAL. */
int phone_normalize(const char *in, char out[PHONE_MAX + 1]);

/* "+15550100167" -> "+1 *** *** **67": the country code and the last two
 * digits stay. 0, -EINVAL or -ENOBUFS. */
int phone_mask(const char *number, char *out, size_t outsz);

/* Whether number starts with one of the NULL-terminated prefixes (each
 * "+" and digits); an empty list allows every number. */
bool phone_prefix_allowed(const char *number, char *const *prefixes);

/* Length of the ITU country code at the start of digits (1 to 3). */
size_t phone_country_code_len(const char *digits);
