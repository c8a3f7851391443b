/* Which language ssprd speaks to whom, and the few texts every dialogue
 * shares. Texts go through the thread's language (common/i18n.h); a
 * connection thread sets it for each request, since the same thread
 * serves another user next. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/i18n.h"
#include "ssprd/daemon.h"

/* The languages sspr register offers, in menu order, with their names in
 * their own language. Only those with a catalog are listed ("en" always). */
struct lang_entry {
	const char *code;
	const char *native;
};
/* The i-th language offered (i from 0), or NULL past the last. */
const struct lang_entry *lang_offered(size_t i);
/* The native name of a catalog name, or the name itself when unknown. */
const char *lang_native_name(const char *code);

/* Set this thread's language for one request: client (PROTO_LANGUAGE of
 * sspr or ssprctl; NULL or "" none) when a catalog exists, else user's
 * saved preference (user NULL: none), else [general] language, else
 * English. The chosen name is returned (static storage). */
const char *lang_choose(struct daemon_ctx *ctx, const char *client, const char *user);

/* The user saved another preference: the rest of the request follows
 * it, unless the client's locale chose (that outranks it). */
const char *lang_preference_changed(struct daemon_ctx *ctx, const char *user);

/* "10 minutes", "90 seconds" in this thread's language. */
void lang_duration(unsigned seconds, char *out, size_t outsz);
