/* The conversation of the enumeration tests; see enum_talk.h. */
#include "tests/integration/enum_talk.h"

#include <check.h>
#include <ctype.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ssprd/captcha_font.h"

int64_t talk_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void note(struct talk *t, const char *tag, const char *text)
{
	size_t n = strlen(t->transcript);
	snprintf(t->transcript + n, sizeof(t->transcript) - n, "%s%s\n", tag, text);
}

static void wrong_of(char code[7])
{
	code[5] = code[5] == '9' ? '0' : (char)(code[5] + 1);
}

static const char *answer(struct talk *t, const char *token)
{
	static char buf[16];
	if (strcmp(token, "@CAPTCHA") == 0 || strcmp(token, "@BADCAPTCHA") == 0) {
		ck_assert_msg(captcha_font_read(t->info, buf) == 0, "no readable art in:\n%s",
			      t->info);
		if (t->nchallenges < sizeof(t->challenges) / sizeof(t->challenges[0]))
			snprintf(t->challenges[t->nchallenges++], 8, "%.5s", buf);
		if (token[1] == 'B')
			buf[0] = buf[0] == 'A' ? 'C' : 'A';
		return buf;
	}
	if (strcmp(token, "@CODE") == 0) {
		ck_assert_int_eq(mail_code(0, buf), 0);
		return buf;
	}
	if (strcmp(token, "@BAD") == 0 || strcmp(token, "@BADSMS") == 0) {
		bool sms = token[4] == 'S';
		if ((sms ? gateway_code("sms", buf) : mail_code(0, buf)) == 0)
			wrong_of(buf);
		else
			snprintf(buf, sizeof(buf), "123456");
		return buf;
	}
	return token;
}

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *ud)
{
	struct talk *t = ud;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	if (!r)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		int style = msg[i]->msg_style;
		bool prompt = style == PAM_PROMPT_ECHO_ON || style == PAM_PROMPT_ECHO_OFF;
		note(t, prompt ? "P:" : style == PAM_ERROR_MSG ? "E:" : "I:", msg[i]->msg);
		if (style == PAM_TEXT_INFO)
			snprintf(t->info, sizeof(t->info), "%s", msg[i]->msg);
		if (!prompt)
			continue;
		if (!t->code_prompt_ms && strncmp(msg[i]->msg, "Enter the code", 14) == 0)
			t->code_prompt_ms = talk_now_ms();
		if (t->next >= sizeof(t->answers) / sizeof(t->answers[0]) || !t->answers[t->next]) {
			free(r);
			return PAM_CONV_ERR;
		}
		r[i].resp = strdup(answer(t, t->answers[t->next++]));
	}
	*resp = r;
	return PAM_SUCCESS;
}

/* libpam is loaded (pam_wrapper in front of it) but not linked directly:
 * look the calls up, as test_notify.c does. */
int talk_run(const char *user, const char *rhost, struct talk *t)
{
	int (*start)(const char *, const char *, const struct pam_conv *, pam_handle_t **);
	int (*set_item)(pam_handle_t *, int, const void *);
	int (*authenticate)(pam_handle_t *, int);
	int (*end)(pam_handle_t *, int);
	*(void **)&start = dlsym(RTLD_DEFAULT, "pam_start");
	*(void **)&set_item = dlsym(RTLD_DEFAULT, "pam_set_item");
	*(void **)&authenticate = dlsym(RTLD_DEFAULT, "pam_authenticate");
	*(void **)&end = dlsym(RTLD_DEFAULT, "pam_end");
	ck_assert(start && set_item && authenticate && end);
	struct pam_conv pc = {.conv = conv, .appdata_ptr = t};
	pam_handle_t *h = NULL;
	t->start_ms = talk_now_ms();
	ck_assert_int_eq(start(SERVICE, user, &pc, &h), PAM_SUCCESS);
	if (rhost)
		ck_assert_int_eq(set_item(h, PAM_RHOST, rhost), PAM_SUCCESS);
	int r = authenticate(h, 0);
	end(h, r);
	return r;
}

/* "c***@e***.org" at s (s[0] the first letter): its length, else 0. */
static size_t masked_email_len(const char *s)
{
	if (!s[0] || strncmp(s + 1, "***@", 4) != 0 || !s[5] || strncmp(s + 6, "***.", 4) != 0)
		return 0;
	size_t n = 10;
	while (islower((unsigned char)s[n]))
		n++;
	return n > 10 ? n : 0;
}

/* "+1 *** *** **67" at s: its length, else 0. */
static size_t masked_phone_len(const char *s)
{
	if (s[0] != '+' || !isdigit((unsigned char)s[1]))
		return 0;
	size_t n = 1;
	while (isdigit((unsigned char)s[n]))
		n++;
	size_t end = n;
	bool stars = false;
	while (s[n] == ' ' || s[n] == '*' || isdigit((unsigned char)s[n])) {
		stars = stars || s[n] == '*';
		if (s[n] != ' ')
			end = n + 1;
		n++;
	}
	return stars ? end : 0;
}

static bool art_line(const char *s, size_t len)
{
	bool ink = false;
	for (size_t i = 0; i < len; i++) {
		if (!strchr("# .,'`", s[i]))
			return false;
		ink = ink || s[i] == '#';
	}
	return ink;
}

void talk_normalize(const char *in, char *out, size_t outsz)
{
	size_t o = 0;
#define PUT(...) (o += (size_t)snprintf(out + o, o < outsz ? outsz - o : 0, __VA_ARGS__))
	for (const char *line = in; *line && o < outsz;) {
		size_t len = strcspn(line, "\n");
		const char *body = line;
		if (len >= 2 && line[1] == ':' && strchr("PIEX", line[0])) {
			PUT("%.2s", line);
			body += 2;
		}
		size_t blen = len - (size_t)(body - line);
		const char *q = strstr(body, "Question ");
		const char *colon = q && q < body + blen ? strstr(q, ": ") : NULL;
		if (art_line(body, blen)) {
			PUT("<ART>");
		} else if (q == body && colon && colon < body + blen) {
			PUT("%.*s: <Q>", (int)(colon - body), body);
		} else {
			for (size_t i = 0; i < blen;) {
				size_t m;
				if ((m = masked_email_len(body + i)) && i + m <= blen) {
					PUT("<EMAIL>");
					i += m;
				} else if ((m = masked_phone_len(body + i)) && i + m <= blen) {
					PUT("<PHONE>");
					i += m;
				} else {
					PUT("%c", body[i++]);
				}
			}
		}
		PUT("\n");
		line += len + (line[len] ? 1 : 0);
	}
#undef PUT
	ck_assert_uint_lt(o, outsz);
}

const char *talk_menu(const char *transcript)
{
	static char menu[4096];
	menu[0] = '\0';
	const char *p = strstr(transcript, "P:How should we verify it's you?");
	const char *e = p ? strstr(p, "Choose [1]: ") : NULL;
	if (e)
		snprintf(menu, sizeof(menu), "%.*s", (int)(e - p), p);
	return menu;
}

/* A made-up name whose decoy menu has the shape of carol's (decoys vary:
 * probe until one matches; each matches with a fair chance). */
const char *talk_decoy_like_carol(char *name, size_t namesz)
{
	static char want[4096], got[4096];
	struct talk c = {.answers = {"", "y"}};
	ck_assert_int_ne(talk_run("carol", NULL, &c), PAM_SUCCESS);
	talk_normalize(talk_menu(c.transcript), want, sizeof(want));
	ck_assert_str_ne(want, "\n");
	for (int i = 0; i < 100; i++) {
		snprintf(name, namesz, "ghost%d", i);
		struct talk t = {.answers = {"", "y"}};
		ck_assert_int_ne(talk_run(name, NULL, &t), PAM_SUCCESS);
		talk_normalize(talk_menu(t.transcript), got, sizeof(got));
		if (strcmp(got, want) == 0)
			return name;
	}
	ck_abort_msg("no decoy menu like carol's:\n%s", want);
	return NULL;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int64_t to_code_prompt(const char *user, const char *choice)
{
	/* The answers end at the code prompt: the dialogue is cancelled. */
	struct talk t = {.answers = {"", "y", choice}};
	ck_assert_int_ne(talk_run(user, NULL, &t), PAM_SUCCESS);
	ck_assert_msg(t.code_prompt_ms > 0, "%s: no code prompt:\n%s", user, t.transcript);
	return t.code_prompt_ms - t.start_ms;
}

int64_t talk_median_times(const char *decoy, const char *choice, int64_t *k, int64_t *u)
{
	int64_t known[TALK_RUNS], unknown[TALK_RUNS];
	/* ssprd learns how long real deliveries take from real ones. */
	to_code_prompt("carol", choice);
	to_code_prompt("carol", choice);
	for (int i = 0; i < TALK_RUNS; i++) {
		/* Alternating who goes first evens out drifts of the machine. */
		if (i % 2) {
			known[i] = to_code_prompt("carol", choice);
			unknown[i] = to_code_prompt(decoy, choice);
		} else {
			unknown[i] = to_code_prompt(decoy, choice);
			known[i] = to_code_prompt("carol", choice);
		}
	}
	qsort(known, TALK_RUNS, sizeof(known[0]), cmp64);
	qsort(unknown, TALK_RUNS, sizeof(unknown[0]), cmp64);
	*k = known[TALK_RUNS / 2];
	*u = unknown[TALK_RUNS / 2];
	/* The decoy sleeps the median of the real deliveries (plus jitter as
	 * wide as theirs), so the medians agree to a few milliseconds on a
	 * quiet machine; the margin only absorbs a loaded test machine's
	 * scheduling: 30 % of the real time, at least 150 ms. */
	int64_t margin = *k * 3 / 10 > 150 ? *k * 3 / 10 : 150;
	fprintf(stderr,
		"enumeration timing (%s): median to the code prompt %lld ms (carol), %lld ms "
		"(%s), margin %lld ms\n",
		choice, (long long)*k, (long long)*u, decoy, (long long)margin);
	return margin;
}
