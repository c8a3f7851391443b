/* Shared by the store's source files only: the handle and the statement
 * helpers, which log errors once so callers only pass the code on. */
#pragma once

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "ssprd/store.h"

struct sspr_conf;

struct store {
	sqlite3 *db;
	pthread_mutex_t lock;
	/* Set by store_attach_directory. */
	const struct sspr_conf *conf;
	bool dir_store;	   /* [daemon] store = ldap: enrolments in the directory */
	bool dir_contacts; /* contacts fall back to the directory's attributes */
	/* Until then (unix time, atomic) directory calls fail at once: after
	 * a timeout, each call of a dialogue would wait as long again. */
	int64_t dir_down_until;
};

int store_sql_err(struct store *s, const char *what);
int store_prepare(struct store *s, const char *sql, sqlite3_stmt **st);
/* Step a statement expected to finish without rows, then finalize it. */
int store_step_done(struct store *s, sqlite3_stmt *st, const char *what);
int store_exec(struct store *s, const char *sql);

/* The enrolment functions of store.h as they run on the directory
 * (store_dir*.c), same contracts; called when s->dir_store. */
int store_dir_contact_set(struct store *s, const char *user, const char *kind, const char *value,
			  const char *source, int64_t now);
int store_dir_contact_get(struct store *s, const char *user, const char *kind,
			  struct store_contact *out);
/* The admin-populated contact of kind from the directory's mail, mobile
 * or office attribute: -ENOENT when not configured, absent or invalid. */
int store_dir_contact_attr(struct store *s, const char *user, const char *kind,
			   struct store_contact *out);
int store_dir_contact_set_verified(struct store *s, const char *user, const char *kind,
				   int64_t now);
int store_dir_contact_delete(struct store *s, const char *user, const char *kind);
int store_dir_questions_set(struct store *s, const char *user, const struct store_question *q,
			    size_t n, int64_t now);
int store_dir_questions_list(struct store *s, const char *user, struct store_question **out,
			     size_t *n);
int store_dir_totp_set(struct store *s, const char *user, const uint8_t *sealed, size_t len,
		       int64_t now);
int store_dir_totp_get(struct store *s, const char *user, struct store_totp *out);
int store_dir_totp_use_step(struct store *s, const char *user, int64_t step);
int store_dir_totp_delete(struct store *s, const char *user);
int store_dir_recovery_set(struct store *s, const char *user,
			   const uint8_t (*hashes)[STORE_HASH_SIZE], size_t n, int64_t now);
int store_dir_recovery_use(struct store *s, const char *user, const uint8_t hash[STORE_HASH_SIZE],
			   int64_t now);
int store_dir_recovery_left(struct store *s, const char *user, unsigned *left);
int store_dir_registration_confirmed(struct store *s, const char *user, int64_t *when);
int store_dir_registration_confirm(struct store *s, const char *user, int64_t now);
int store_dir_registered_users(struct store *s, store_user_fn fn, void *userdata);
int store_dir_language_get(struct store *s, const char *user, char out[16]);
int store_dir_language_set(struct store *s, const char *user, const char *lang, int64_t now);
