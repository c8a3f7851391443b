/*
 * sspr register: the registration dialogue a logged-in user drives through
 * the sspr CLI (a thin terminal, like pam_sspr). Same shape as the reset
 * dialogue (dialogue.h): the transport feeds answers, the dialogue emits
 * prompts and lines through send, and ends with a status.
 */
#pragma once

#include <stdbool.h>

#include "common/proto.h"
#include "ssprd/daemon.h"
#include "ssprd/dialogue.h"

struct reg_dialogue;

/* user: the peer's account name (from SO_PEERCRED). kind and value as in
 * PROTO_REGISTER_START. -EINVAL for an unknown kind or a value where none
 * belongs (the caller answers PROTO_STATUS_INVALID). */
int reg_dialogue_new(struct daemon_ctx *ctx, const char *user, const char *kind, const char *value,
		     dialogue_send_fn send, void *userdata, struct reg_dialogue **out);
void reg_dialogue_free(struct reg_dialogue *r);

int reg_dialogue_start(struct reg_dialogue *r);
int reg_dialogue_input(struct reg_dialogue *r, const char *answer);
void reg_dialogue_cancel(struct reg_dialogue *r);
/* The client went away or timed out before the end. */
void reg_dialogue_abandoned(struct reg_dialogue *r);
bool reg_dialogue_done(const struct reg_dialogue *r);
enum proto_status reg_dialogue_status(const struct reg_dialogue *r);
