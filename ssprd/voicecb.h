/* The press_pound callback server: a small HTTP server (libmicrohttpd) the
 * voice provider reports a keypress to, and the registry of calls waiting
 * for one. A dialogue expects a token, hands the provider
 * <callback_url>/<token>, and waits until the provider reports "#" with a
 * valid signature or the deadline passes. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/conf.h"

#define VOICECB_TOKEN_LEN 32 /* hex characters */

struct voicecb;

/* Listen on conf->voice_listen. The signing key is the first line of
 * conf->gw_auth_file. Tokens are taken at conf->voice_callback_url (a
 * trailing '/' dropped) + "/" + token. */
int voicecb_start(const struct sspr_conf *conf, struct voicecb **out);
/* NULL-safe; nobody may be in voicecb_wait any more. */
void voicecb_stop(struct voicecb *cb);

/* Register a new random token (out: VOICECB_TOKEN_LEN hex + NUL) and write
 * the URL the provider must call into url. -EBUSY when too many calls wait
 * (256), -ENOBUFS when url is too small. */
int voicecb_expect(struct voicecb *cb, char token[VOICECB_TOKEN_LEN + 1], char *url, size_t urlsz);
/* Wait until the token is confirmed or deadline_ms (CLOCK_MONOTONIC, as
 * now_ms()) passes. 0 confirmed, -EACCES declined (another key was pressed),
 * -ETIMEDOUT, -ENOENT unknown or forgotten token. */
int voicecb_wait(struct voicecb *cb, const char *token, int64_t deadline_ms);
/* Forget the token (after success, timeout or cancel). */
void voicecb_forget(struct voicecb *cb, const char *token);
