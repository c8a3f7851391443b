/* Shared by the parts of the registration dialogue: register.c (start,
 * current password, end), register_menu.c (the menu and the confirmation),
 * register_contact.c (email address, mobile and office numbers),
 * register_questions.c and register_secrets.c (authenticator and recovery
 * codes). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/phone.h"
#include "common/validate.h"
#include "ssprd/register.h"
#include "ssprd/store.h"
#include "ssprd/totp.h"

/* Wrong answers to one prompt before the dialogue gives up on it. */
#define REG_MAX_INPUT_ERRORS 3

enum reg_state {
	REG_PASSWORD,
	REG_MENU,
	REG_CONTACT_VALUE, /* an address or number */
	REG_CONTACT_CODE,  /* the code sent to it */
	REG_Q_PICK,	   /* which question next */
	REG_Q_CUSTOM,	   /* the user's own question */
	REG_Q_ANSWER,
	REG_TOTP_CODE,
	REG_RECOVERY_REPLACE, /* replace the codes left? */
	REG_RECOVERY_ACK,     /* the new codes are written down */
	REG_LANGUAGE,	      /* which language */
	REG_DONE,
};

enum reg_mode {
	REG_MODE_MENU,
	REG_MODE_ONE,	    /* one contact from the command line, then end */
	REG_MODE_RECONFIRM, /* confirm the data as it stands, then end */
};

enum reg_contact {
	REG_EMAIL,
	REG_MOBILE,
	REG_OFFICE,
};

/* Stable menu numbers: the same choice keeps its number whatever the site
 * enables. */
enum reg_choice {
	REG_CHOICE_DONE = 0,
	REG_CHOICE_EMAIL = 1,
	REG_CHOICE_MOBILE,
	REG_CHOICE_OFFICE,
	REG_CHOICE_QUESTIONS,
	REG_CHOICE_TOTP,
	REG_CHOICE_RECOVERY,
	REG_CHOICE_CONFIRM,
	REG_CHOICE_LANGUAGE,
	REG_CHOICE_COUNT,
};

struct reg_dialogue {
	struct daemon_ctx *ctx;
	dialogue_send_fn send;
	void *userdata;
	enum reg_state state;
	enum reg_mode mode;
	enum proto_status status; /* once REG_DONE */
	char user[PROTO_MAX_USER + 1];
	uint8_t request[STORE_REQUEST_SIZE]; /* binds this dialogue's codes */
	unsigned password_failures;
	unsigned input_errors; /* at the current prompt */
	unsigned codes_sent;   /* bounds mail and texts to typed addresses */
	/* REG_MODE_ONE */
	enum reg_contact one_kind;
	char one_value[PROTO_MAX_VALUE + 1];
	/* a contact being changed */
	enum reg_contact contact;
	char pending[EMAIL_MAX + 1]; /* the address or number awaiting its code */
	/* security questions being chosen (answers are secrets) */
	char **pool;
	size_t npool;
	bool pool_taken[CONF_MAX_QUESTIONS];
	int q_from_pool[STORE_MAX_QUESTIONS]; /* pool index, -1 the user's own */
	char *q_text[STORE_MAX_QUESTIONS];
	char *q_answer[STORE_MAX_QUESTIONS];
	char *q_norm[STORE_MAX_QUESTIONS];
	unsigned nq; /* questions answered; q_text[nq] is being answered */
	unsigned q_refusals;
	/* an authenticator being confirmed */
	uint8_t totp_secret[TOTP_SECRET_SIZE];
	bool totp_pending;
	unsigned totp_failures;
	unsigned recovery_asked;
};

int reg_say(struct reg_dialogue *r, enum proto_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Text that may exceed one message (a QR code, a long question pool),
 * sent as several, cut at line ends. */
int reg_say_lines(struct reg_dialogue *r, enum proto_type type, const char *text);
/* End the dialogue with status (after any lines already sent). */
int reg_end(struct reg_dialogue *r, enum proto_status status);
/* A step is over: back to the menu, or outside REG_MODE_MENU the end with
 * status. */
int reg_step_done(struct reg_dialogue *r, enum proto_status status);
/* Audit one event of this dialogue (service "sspr"). */
void reg_audit(struct reg_dialogue *r, const char *event, const char *method, const char *detail,
	       bool failed);
/* Bookkeeping after any change: confirmed now, audited, owner told. */
void reg_changed(struct reg_dialogue *r, const char *kind, const char *detail,
		 const char *old_value, const char *new_value);
/* The name the site goes by in texts and the authenticator app. */
void reg_organisation(const struct reg_dialogue *r, char *out, size_t outsz);
bool reg_is_yes(const char *a);

/* register_menu.c */
int reg_show_menu(struct reg_dialogue *r);
int reg_menu_input(struct reg_dialogue *r, const char *answer);
/* "My information is correct", and all of sspr register --reconfirm. */
int reg_confirm(struct reg_dialogue *r);

/* register_contact.c */
bool reg_contact_enabled(const struct sspr_conf *c, enum reg_contact kind);
const char *reg_contact_kind(enum reg_contact kind); /* "email", "mobile", "office" */
int reg_contact_start(struct reg_dialogue *r, enum reg_contact kind);
/* The value given on the command line, in REG_MODE_ONE. */
int reg_contact_given(struct reg_dialogue *r);
int reg_contact_input(struct reg_dialogue *r, const char *answer);
/* Drop a code still waiting to be typed. */
void reg_contact_forget(struct reg_dialogue *r);

/* register_questions.c */
int reg_questions_start(struct reg_dialogue *r);
int reg_questions_input(struct reg_dialogue *r, const char *answer);
void reg_questions_forget(struct reg_dialogue *r);

/* register_secrets.c */
int reg_totp_start(struct reg_dialogue *r);
int reg_totp_input(struct reg_dialogue *r, const char *answer);
void reg_totp_forget(struct reg_dialogue *r);
int reg_recovery_start(struct reg_dialogue *r);
int reg_recovery_input(struct reg_dialogue *r, const char *answer);

/* register_language.c: the language of the user's dialogues and notices. */
/* Whether there is a choice (a catalog besides English). */
bool reg_language_offered(void);
/* The summary line's value: the native name of the saved choice, or the
 * site default's, said to be the default. */
void reg_language_value(struct reg_dialogue *r, char *out, size_t outsz);
int reg_language_start(struct reg_dialogue *r);
int reg_language_input(struct reg_dialogue *r, const char *answer);
