/* Shared by dialogue.c (the flow, the new password, unlock) and
 * dialogue_verify.c (the verification methods). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/method.h"
#include "common/phone.h"
#include "common/validate.h"
#include "ssprd/code.h"
#include "ssprd/dialogue.h"
#include "ssprd/gateway.h"
#include "ssprd/store.h"
#include "ssprd/totp.h"
#include "ssprd/voicecb.h"

enum dlg_state {
	DLG_CONFIRM,
	DLG_CAPTCHA,
	DLG_METHOD,
	DLG_CODE,     /* a code sent by email, SMS or a call */
	DLG_QUESTION, /* one security question after another */
	DLG_TOTP,
	DLG_RECOVERY,
	DLG_VOICE_WAIT, /* press_pound: waiting for the keypress report */
	DLG_ACTION,	/* reset, or only unlock */
	DLG_NEW_PASSWORD,
	DLG_CONFIRM_PASSWORD,
	DLG_FINAL,
	DLG_DONE,
};

/* One way this user can verify, as offered in the menu. */
struct dlg_option {
	enum method method;
	char dest[EMAIL_MAX + 1];   /* address or E.164 number; "" for others */
	char masked[EMAIL_MAX + 8]; /* dest as shown (email_mask, phone_mask) */
	char label[EMAIL_MAX + 256];
	bool passed;
};

#define DLG_MAX_ASKED STORE_MAX_QUESTIONS
/* CAPTCHA_LEN + 1 (checked where the CAPTCHA is shown) */
#define DLG_CAPTCHA_SIZE 8

struct dialogue {
	struct daemon_ctx *ctx;
	dialogue_send_fn send;
	void *userdata;
	enum dlg_state state;
	enum proto_status status;	/* outcome once DLG_DONE */
	enum proto_status final_status; /* outcome shown in the final prompt */
	char user[PROTO_MAX_USER + 1];	/* sanitized when not a valid name */
	bool user_invalid;
	char service[PROTO_MAX_SERVICE + 1]; /* sanitized: safe for logs and mail */
	char rhost[PROTO_MAX_RHOST + 1];
	char tty[PROTO_MAX_TTY + 1];
	uint8_t request[STORE_REQUEST_SIZE];
	/* the CAPTCHA ([general] captcha): a secret-ish value, never logged */
	char captcha[DLG_CAPTCHA_SIZE];
	unsigned captcha_failures;
	/* A decoy dialogue (reveal_unregistered = no): an account that cannot
	 * reset gets a menu like a real one, nothing is sent and every answer
	 * is wrong; its steps are not audited, only its refusal (why). */
	bool decoy;
	bool decoy_refusal_pending; /* the refused row is not written yet */
	bool decoy_real_questions;  /* its questions are the registered ones */
	char decoy_why[96];
	/* verification */
	struct dlg_option options[METHOD_COUNT];
	unsigned noptions;
	unsigned menu[METHOD_COUNT]; /* menu number - 1 -> options index */
	unsigned nmenu;
	int current;	   /* options index being tried, -1 none */
	unsigned passed;   /* methods passed */
	unsigned failures; /* wrong answers, TOTP and recovery codes */
	unsigned send_failures;
	unsigned menu_errors;
	/* questions being asked */
	unsigned asked[DLG_MAX_ASKED];
	char *asked_text[DLG_MAX_ASKED];
	char *asked_hash[DLG_MAX_ASKED];
	char *answers[DLG_MAX_ASKED]; /* secrets */
	unsigned nasked, next_question;
	/* press_pound */
	char voice_token[VOICECB_TOKEN_LEN + 1];
	int64_t voice_deadline_ms;
	/* after verification */
	unsigned policy_refusals;
	char *new_password;	/* between the two password prompts */
	char methods_used[128]; /* for logs and the notice */
};

int dlg_say(struct dialogue *d, enum proto_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show text inside a last prompt and end with status once it is answered. */
int dlg_finish(struct dialogue *d, enum proto_status status, const char *text);
/* The helpdesk ending for refused or failed requests. */
int dlg_finish_helpdesk(struct dialogue *d, enum proto_status status, const char *first);
int dlg_cancel(struct dialogue *d);
/* Audit a step (a decoy dialogue's are replaced by a pause as long as a
 * real audit write, see dialogue.c). */
void dlg_event(struct dialogue *d, const char *what);
/* Audit one row as it is. detail: free text, never a code, answer or
 * password. */
void dlg_audit(struct dialogue *d, const char *event, const char *method, const char *detail,
	       bool failed);

/* dialogue_start.c: from "Continue?" to the menu: the CAPTCHA, the
 * dialogue limits, who may reset, and the decoy for who may not. */
int dlg_on_confirm(struct dialogue *d, const char *answer);
int dlg_on_captcha(struct dialogue *d, const char *answer);

/* dialogue_options.c */
/* Collect the methods the user can use; -EPERM (logged) when too few. */
int dlg_collect_options(struct dialogue *d);
/* The options of a decoy: the account's own registration when it has one
 * (nothing will be sent to it), completed or replaced by the made-up one
 * of its name; -EPERM when the site's settings let nobody reset. */
int dlg_collect_decoy_options(struct dialogue *d);
/* A text and a call to one number are one factor. */
bool dlg_same_factor(const struct dlg_option *a, const struct dlg_option *b);

/* dialogue_verify.c */
int dlg_show_methods(struct dialogue *d);
int dlg_on_method(struct dialogue *d, const char *answer);
int dlg_on_verify_answer(struct dialogue *d, const char *answer);
void dlg_verify_cleanup(struct dialogue *d);

/* The current method passed, or failed (counting toward code_attempts;
 * back_to_menu: offer the menu again, else ask the same again). */
int dlg_passed(struct dialogue *d, const char *msg);
int dlg_failed(struct dialogue *d, const char *msg, bool back_to_menu);

/* dialogue_decoy.c: the steps of dialogue_verify.c that deliver or check
 * something, each with its decoy: the same words and outcome, nothing
 * sent, every answer wrong, about the same time taken. */
/* Issue a code for o and deliver it. 0 or negative errno. */
int dlg_deliver_code(struct dialogue *d, const struct dlg_option *o);
/* Place a press_pound call (a decoy places none, and so is never
 * confirmed). 0 or negative errno. */
int dlg_place_call(struct dialogue *d, const struct gateway_call *call);
int dlg_check_code(struct dialogue *d, const char *typed, enum code_result *res, unsigned *left);
int dlg_check_totp(struct dialogue *d, const char *typed, enum totp_result *res);
/* As recovery_use: 0 accepted, -EACCES wrong. */
int dlg_use_recovery(struct dialogue *d, const char *typed);
/* dlg_start_questions, or a decoy's questions. */
int dlg_begin_questions(struct dialogue *d);

/* dialogue_questions.c */
int dlg_start_questions(struct dialogue *d);
/* The questions to ask are in asked_text/asked_hash (r: how loading
 * them went): announce them and ask the first. */
int dlg_questions_ready(struct dialogue *d, int r);
int dlg_ask_question(struct dialogue *d);
int dlg_on_question_answer(struct dialogue *d, const char *answer);
void dlg_forget_questions(struct dialogue *d);

/* dialogue.c: every required method passed. */
int dlg_verified(struct dialogue *d);
