/* A PAM conversation for the enumeration and CAPTCHA tests
 * (test_enumeration.c): driven directly (not through libpamtest) to set
 * PAM_RHOST, with timestamps, answers read from the CAPTCHA art, and a
 * transcript normaliser that takes out what may differ between accounts
 * (masked destinations, question texts, the art). */
#pragma once

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/integration/harness.h"

/* Answers are used in order for prompts, as in harness.h; tokens:
 * "@CAPTCHA" the characters of the last art (read with the daemon's font
 * table), "@BADCAPTCHA" a wrong answer to it, "@CODE" the code of the
 * newest code mail, "@BAD" a code that is surely wrong (derived from the
 * newest code mail or text message, else any), "@BADSMS" likewise from the
 * newest text message. When the answers run out the conversation fails,
 * which cancels the dialogue. */
struct talk {
	const char *answers[40];
	size_t next;
	char transcript[32768];
	char info[4096]; /* the last INFO message */
	char challenges[8][8];
	size_t nchallenges;
	int64_t start_ms;
	int64_t code_prompt_ms; /* when the first "Enter the code" prompt came; 0 none */
};

/* pam_authenticate through SERVICE as user; rhost NULL: none. */
int talk_run(const char *user, const char *rhost, struct talk *t);

/* The transcript with masked addresses and numbers, question texts and
 * CAPTCHA art replaced by placeholders. */
void talk_normalize(const char *in, char *out, size_t outsz);

/* The menu prompt of a transcript (static buffer; "" when none). */
const char *talk_menu(const char *transcript);

int64_t talk_now_ms(void);

/* Many dialogues from one source in one test: only the limits a test is
 * about may bite. */
#define ENUM_LIMITS                                                                                \
	"[limits]\ncodes_per_hour = 1000\ncodes_per_day = 10000\nfailures = 1000\n"                \
	"dialogues_per_hour = 1000\nsource_dialogues_per_hour = 100000\n"                          \
	"source_failures_per_hour = 100000\n"

/* A made-up name ("ghostN", into name) whose decoy menu has the shape of
 * carol's: decoys vary, so probe until one matches (each does with a fair
 * chance). */
const char *talk_decoy_like_carol(char *name, size_t namesz);

/* Medians of TALK_RUNS times from the start to the code prompt after
 * choosing choice at the menu, carol's in *k and decoy's in *u (after two
 * runs of carol's, from which ssprd learns how long real deliveries
 * take). Returns the margin they must be within. */
#define TALK_RUNS 7
int64_t talk_median_times(const char *decoy, const char *choice, int64_t *k, int64_t *u);

/* The other parts of the enumeration suite (test_enumeration.c):
 * test_enumeration_methods.c and test_captcha_flow.c. */
void enum_method_tcases(Suite *s);
void captcha_tcases(Suite *s);
