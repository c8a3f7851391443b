/*
 * The new-password policy ([policy] in sspr.conf), one code path for a
 * reset and for `passwd` (pam_sspr in the password stack). Each refusal
 * names its rule in plain words.
 */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "common/i18n.h"

#include "common/conf.h"
#include "ssprd/policy_text.h"
#include "ssprd/store.h"

/* pam_unix truncates longer passwords silently. */
#define POLICY_MAX_BYTES CONF_POLICY_MAX_BYTES

enum policy_path {
	POLICY_RESET,  /* the reset dialogue: min_age_hours applies */
	POLICY_CHANGE, /* a password change through PAM */
};

struct policy_request {
	const char *user;
	const char *password;
	const char *old_password; /* NULL when unknown (a reset) */
	enum policy_path path;
	/* Where the refusal goes in English, for the log; NULL: nowhere. */
	char *log_reason;
	size_t log_reason_size;
};

/* Format a refusal twice: in this thread's language for the user (out)
 * and in English for the log (log, may be NULL). The arguments are
 * evaluated once per language, so _() and P_() in them pick the text. */
#define POLICY_SAY(out, outsz, log, logsz, ...)                                                    \
	do {                                                                                       \
		char *log_ = (log);                                                                \
		snprintf(out, outsz, __VA_ARGS__);                                                 \
		if (log_) {                                                                        \
			char lang_[I18N_LANGUAGE_MAX + 1];                                         \
			snprintf(lang_, sizeof(lang_), "%s", i18n_language());                     \
			i18n_set_language("en");                                                   \
			snprintf(log_, logsz, __VA_ARGS__);                                        \
			i18n_set_language(lang_);                                                  \
		}                                                                                  \
	} while (0)

/* 0 when the password is acceptable. Otherwise a sentence for the user in
 * reason (in this thread's language; in English also in req->log_reason) and: -EINVAL, refused,
 * another password may pass; -EAGAIN, no password can pass now (min_age_hours); any other negative
 * errno, the check could not be done (logged; reason says so). store may be NULL (no history, no
 * min_age_hours). */
int policy_check(const struct sspr_conf *conf, struct store *store,
		 const struct policy_request *req, char *reason, size_t reasonsz);
