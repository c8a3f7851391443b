/* The sqlite store under state_dir: enrolled contact data, live codes, the
 * password history and an event log. One connection shared by all dialogue
 * threads; store_lock makes a read-modify-write sequence atomic. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define STORE_DB_NAME	   "sspr.db"
#define STORE_REQUEST_SIZE 16
#define STORE_HASH_SIZE	   32
/* Longest crypt(5) string kept in the password history. */
#define STORE_HASH_TEXT_MAX 512

struct store;

int store_open(const char *state_dir, struct store **out);

struct sspr_conf;
/* With [backend] type = ldap or [daemon] store = ldap: contacts the user
 * has not registered come from the directory's contact attributes; with
 * store = ldap, every enrolment call (contacts, questions, authenticator,
 * recovery codes, registration dates, language, store_registered_users)
 * reads and writes the user's directory entry instead of the database
 * (store_dir.c). conf must outlive s. Codes, pending questions, limits,
 * events, notices and the password history stay in the database. */
int store_attach_directory(struct store *s, const struct sspr_conf *conf);
void store_close(struct store *s);
int store_schema_version(struct store *s);

void store_lock(struct store *s);
void store_unlock(struct store *s);

struct store_contact {
	char kind[16];	  /* "email", "mobile" or "office" */
	char *value;	  /* the address */
	char source[16];  /* "admin" or "user" */
	int64_t created;  /* unix time */
	int64_t verified; /* unix time, 0 when never */
};
void store_contact_clear(struct store_contact *c);

/* Set user's contact of this kind (one per kind for now), replacing any. */
int store_contact_set(struct store *s, const char *user, const char *kind, const char *value,
		      const char *source, int64_t now);
/* -ENOENT when none. */
int store_contact_get(struct store *s, const char *user, const char *kind,
		      struct store_contact *out);

struct store_code {
	uint8_t request[STORE_REQUEST_SIZE];
	uint8_t hash[STORE_HASH_SIZE];
	int64_t expires;
	unsigned attempts;
};

/* Replace user's live code for method: older codes stop working. */
int store_code_put(struct store *s, const char *user, const char *method,
		   const struct store_code *c);
int store_code_get(struct store *s, const char *user, const char *method, struct store_code *out);
int store_code_set_attempts(struct store *s, const char *user, const char *method,
			    unsigned attempts);
int store_code_delete(struct store *s, const char *user, const char *method);

/* --- The audit trail (store_audit.c) --- */
/* Append to the event log (never secrets: the caller passes sanitized text). */
int store_event_add(struct store *s, const char *user, const char *event, const char *detail,
		    int64_t now);
/* Time of the user's most recent event of this kind, 0 when none. */
int store_event_last(struct store *s, const char *user, const char *event, int64_t *when);

/* One audit row. Strings are "" rather than NULL when read back. */
struct store_event {
	int64_t id; /* assigned by the store */
	int64_t time;
	const char *user;
	const char *event;
	const char *method;
	const char *service;
	const char *rhost;
	const char *tty;
	const char *actor; /* "" the user, "uid N" an administrator */
	const char *detail;
};
/* Insert e (id ignored); NULL strings are stored as "". *id_out (may be
 * NULL) gets the new row's id. */
int store_event_insert(struct store *s, const struct store_event *e, int64_t *id_out);
/* Rows newest first: user NULL for any, time >= since, at most limit.
 * fn gets each row (valid during the call only); a nonzero return stops
 * the walk and is returned. */
typedef int (*store_event_fn)(void *userdata, const struct store_event *e);
int store_events_query(struct store *s, const char *user, int64_t since, unsigned limit,
		       store_event_fn fn, void *userdata);
/* The user's newest event of this kind into fn (not called when none). */
int store_event_newest(struct store *s, const char *user, const char *event, store_event_fn fn,
		       void *userdata);
/* Delete rows older than before; *deleted (may be NULL) gets the count. */
int store_events_prune(struct store *s, int64_t before, unsigned *deleted);
/* For reports: fn(event, method, count) for every (event, method) pair of
 * rows with time >= since. */
typedef int (*store_count_fn)(void *userdata, const char *event, const char *method,
			      unsigned count);
int store_events_count(struct store *s, int64_t since, store_count_fn fn, void *userdata);

/* --- Registration bookkeeping (store_registration.c) --- */
/* When the user last registered or reconfirmed their data through sspr
 * register; 0 when never. */
int store_registration_confirmed(struct store *s, const char *user, int64_t *when);
int store_registration_confirm(struct store *s, const char *user, int64_t now);
/* The id of the newest reset event already announced at login (0: none). */
int store_notice_shown(struct store *s, const char *user, int64_t *event_id);
int store_notice_set_shown(struct store *s, const char *user, int64_t event_id);
/* Mark the user's contact of this kind as confirmed by a code at now;
 * -ENOENT when there is none. */
int store_contact_set_verified(struct store *s, const char *user, const char *kind, int64_t now);
/* Every user with any registration data (contacts, questions, an
 * authenticator, recovery codes), sorted by name; fn as above. */
typedef int (*store_user_fn)(void *userdata, const char *user);
int store_registered_users(struct store *s, store_user_fn fn, void *userdata);

/* The user's preferred language, asked by sspr register: a catalog name
 * ("zh_TW") into out, "" when none was chosen. */
int store_language_get(struct store *s, const char *user, char out[16]);
/* lang "" forgets the preference. */
int store_language_set(struct store *s, const char *user, const char *lang, int64_t now);

/* Password history: crypt(5) strings of a user's passwords, newest first.
 * Adding a hash already stored for the user changes nothing; then only the
 * newest keep entries stay (keep = 0 forgets the user's history). */
int store_history_add(struct store *s, const char *user, const char *hash, int64_t now,
		      unsigned keep);
/* At most max hashes, newest first, into *out (free with
 * store_history_free, which wipes them). */
int store_history_list(struct store *s, const char *user, unsigned max, char ***out, size_t *n);
void store_history_free(char **hashes, size_t n);

/* Security questions: the user's registered set, answers as argon2id
 * strings (crypto_pwhash_str). */
#define STORE_MAX_QUESTIONS 10
struct store_question {
	unsigned idx;
	char *question;
	char *answer_hash;
};
/* Replace user's whole set (n = 0 removes it). */
int store_questions_set(struct store *s, const char *user, const struct store_question *q, size_t n,
			int64_t now);
/* Every registered question, by idx (free with store_questions_free). */
int store_questions_list(struct store *s, const char *user, struct store_question **out, size_t *n);
void store_questions_free(struct store_question *q, size_t n);
/* The questions asked in the pending (not yet passed) challenge: idx values
 * into out (at most max). Until store_questions_clear_pending, the same
 * ones are asked again, so a restart does not fish for easier questions. */
int store_questions_pending(struct store *s, const char *user, unsigned *out, size_t max,
			    size_t *n);
int store_questions_set_pending(struct store *s, const char *user, const unsigned *idx, size_t n);
int store_questions_clear_pending(struct store *s, const char *user);

/* Authenticator app: the secret as sealed by totp.c, and the last time
 * step accepted (a step is never accepted twice). -ENOENT when none. */
#define STORE_TOTP_SEALED_MAX 128
struct store_totp {
	uint8_t sealed[STORE_TOTP_SEALED_MAX];
	size_t sealed_len;
	int64_t last_step;
	int64_t created;
};
int store_totp_set(struct store *s, const char *user, const uint8_t *sealed, size_t len,
		   int64_t now);
int store_totp_get(struct store *s, const char *user, struct store_totp *out);
/* Record step as used unless a step >= it was used already: 0, or -EALREADY
 * for a replay. */
int store_totp_use_step(struct store *s, const char *user, int64_t step);
int store_totp_delete(struct store *s, const char *user);

/* Recovery codes: keyed hashes; each usable once. */
int store_recovery_set(struct store *s, const char *user, const uint8_t (*hashes)[STORE_HASH_SIZE],
		       size_t n, int64_t now);
/* Mark the unused code with this hash as used: 0, or -ENOENT when there is
 * no such unused code. */
int store_recovery_use(struct store *s, const char *user, const uint8_t hash[STORE_HASH_SIZE],
		       int64_t now);
/* How many unused codes the user has left. */
int store_recovery_left(struct store *s, const char *user, unsigned *left);

/* Remove one contact kind, or with kind NULL every registration of user. */
int store_contact_delete(struct store *s, const char *user, const char *kind);

/* --- Abuse limits (store_limits.c) --- */
/* A limit key names what is counted ("user:<name>:code", "src:<source>:fail",
 * "global:send"...); longer keys are refused with -ENAMETOOLONG. */
#define STORE_LIMIT_KEY_MAX 400
/* Hits are kept this long: no window may be longer. */
#define STORE_LIMIT_KEEP 86400
/* Hits of key at times after now - window (later ones too: a clock that
 * went back counts them, failing closed) into *count. */
int store_limit_count(struct store *s, const char *key, int64_t window, int64_t now,
		      unsigned *count);
/* Count one hit of key at now. */
int store_limit_hit(struct store *s, const char *key, int64_t now);
/* Forget every hit of key. */
int store_limit_forget(struct store *s, const char *key);
/* Lock key until then (a longer lock already there stays). */
int store_limit_lock(struct store *s, const char *key, int64_t until);
/* *until the end of key's lock, 0 when there is none or it ended by now. */
int store_limit_locked(struct store *s, const char *key, int64_t now, int64_t *until);
/* Drop hits older than STORE_LIMIT_KEEP and locks that ended by now. */
int store_limits_prune(struct store *s, int64_t now);
