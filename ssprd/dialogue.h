/*
 * The reset dialogue as a state machine. The transport feeds it the user's
 * answers; it emits prompts, info and error lines through the send callback
 * and, when it reaches DLG_DONE, leaves the outcome in dialogue_status().
 * Side effects (sending codes and mail, writing the password) happen inside
 * the steps; every ending that matters is shown inside a final prompt because
 * sshd drops messages sent after the last prompt of a failed authentication.
 */
#pragma once

#include <stdbool.h>

#include "common/proto.h"
#include "ssprd/daemon.h"

struct dialogue;

/* Emit one PROMPT_ECHO_ON/OFF, INFO or ERROR message. */
typedef int (*dialogue_send_fn)(void *userdata, enum proto_type type, const char *text);

struct dialogue_request {
	const char *user;
	const char *service;
	const char *rhost;
	const char *tty;
};

int dialogue_new(struct daemon_ctx *ctx, const struct dialogue_request *req, dialogue_send_fn send,
		 void *userdata, struct dialogue **out);
void dialogue_free(struct dialogue *d);

/* Emit the first prompt. */
int dialogue_start(struct dialogue *d);
/* Feed the answer to the last prompt. Negative errno on a transport error. */
int dialogue_input(struct dialogue *d, const char *answer);
/* The client gave up (PROTO_CANCEL): ends the dialogue. A cancel at the
 * final prompt keeps the outcome already reached (the password stays reset). */
void dialogue_cancel(struct dialogue *d);
/* The client went away or timed out before the end (audited). */
void dialogue_abandoned(struct dialogue *d);
bool dialogue_done(const struct dialogue *d);
enum proto_status dialogue_status(const struct dialogue *d);
