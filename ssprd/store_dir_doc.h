/* The enrolment document kept in a user's directory entry with [daemon]
 * store = ldap: one JSON object per user, written and read whole. Parsing
 * is strict (known version, known keys, right types, every string and list
 * bounded): a document this ssprd does not fully understand is refused,
 * never half used.
 *
 *   {"v":1, "user":"carol",
 *    "contacts":[{"kind":"email","value":"...","source":"user",
 *                 "created":T,"verified":T}],
 *    "questions":[{"idx":0,"question":"...","answer_hash":"$argon2id$...",
 *                  "created":T}],
 *    "totp":{"sealed":"<base64>","last_step":N,"created":T},
 *    "recovery":[{"hash":"<base64>","created":T,"used":T}],
 *    "confirmed":T, "language":"zh_TW"}
 *
 * Every key but "v" is optional. Secrets are only ever there hashed or
 * sealed, as in the database. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ssprd/store.h"

#define SDOC_VERSION	   1
#define SDOC_MAX_SIZE	   32768 /* bytes of serialized JSON */
#define SDOC_MAX_CONTACTS  3	 /* one per kind */
#define SDOC_MAX_RECOVERY  32
#define SDOC_VALUE_MAX	   320 /* a contact's value */
#define SDOC_QUESTION_MAX  512
#define SDOC_HASH_TEXT_MAX 256 /* an answer hash string */
#define SDOC_USER_MAX	   256

struct sdoc_contact {
	char kind[16];
	char *value;
	char source[16];
	int64_t created;
	int64_t verified;
};

struct sdoc_question {
	unsigned idx;
	char *question;
	char *answer_hash;
	int64_t created;
};

struct sdoc_recovery {
	uint8_t hash[STORE_HASH_SIZE];
	int64_t created;
	int64_t used; /* 0: unused */
};

struct sdoc {
	char user[SDOC_USER_MAX + 1]; /* whose it is: store_registered_users */
	struct sdoc_contact contacts[SDOC_MAX_CONTACTS];
	size_t ncontacts;
	struct sdoc_question questions[STORE_MAX_QUESTIONS];
	size_t nquestions;
	bool has_totp;
	uint8_t totp_sealed[STORE_TOTP_SEALED_MAX];
	size_t totp_len;
	int64_t totp_last_step;
	int64_t totp_created;
	struct sdoc_recovery recovery[SDOC_MAX_RECOVERY];
	size_t nrecovery;
	int64_t confirmed;
	char language[16];
};

/* Empty (zeroed) document. */
void sdoc_init(struct sdoc *d);
/* Frees and wipes what d holds; d is empty afterwards. NULL-safe. */
void sdoc_clear(struct sdoc *d);

/* Parse len bytes (not NUL-terminated) into d (sdoc_clear it after). 0,
 * -EMSGSIZE (larger than SDOC_MAX_SIZE), -EPROTONOSUPPORT (another
 * version), -EBADMSG (anything else wrong), -ENOMEM. */
int sdoc_parse(const char *buf, size_t len, struct sdoc *d);
/* Serialize d: *out (free with sdoc_free_text, which wipes it) and *len.
 * -EMSGSIZE when it would be larger than SDOC_MAX_SIZE. */
int sdoc_format(const struct sdoc *d, char **out, size_t *len);
void sdoc_free_text(char *text);

/* Whether d holds registration data (contacts, questions, an
 * authenticator or unused recovery codes). */
bool sdoc_registered(const struct sdoc *d);

/* The contact of kind, or NULL. */
struct sdoc_contact *sdoc_contact_find(struct sdoc *d, const char *kind);
/* Set the contact of kind (copies value): 0, -ENOMEM, -E2BIG. */
int sdoc_contact_put(struct sdoc *d, const char *kind, const char *value, const char *source,
		     int64_t now);
/* Remove the contact of kind; whether there was one. */
bool sdoc_contact_remove(struct sdoc *d, const char *kind);
/* Drop every question. */
void sdoc_questions_clear(struct sdoc *d);
