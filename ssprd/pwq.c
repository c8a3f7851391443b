#include "ssprd/pwq.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <pwquality.h>
#include <stdio.h>
#include <string.h>

#include "common/i18n.h"
#include "common/log.h"
#include "common/util.h"

#define PWQUALITY_DEFAULT_CONF "/etc/security/pwquality.conf"

/* cracklib's FascistCheck keeps static state: one check at a time. */
static pthread_mutex_t pwq_lock = PTHREAD_MUTEX_INITIALIZER;

static pwquality_settings_t *load_settings(const char *path)
{
	pwquality_settings_t *pwq = pwquality_default_settings();
	if (!pwq)
		return NULL;
	void *aux = NULL;
	/* NULL makes libpwquality read the default file and its
	 * pwquality.conf.d directory, exactly as pam_pwquality does. */
	const char *arg = strcmp(path, PWQUALITY_DEFAULT_CONF) == 0 ? NULL : path;
	int r = pwquality_read_config(pwq, arg, &aux);
	if (r != 0) {
		/* pam_pwquality goes on with what it could read; so do we, so
		 * both keep accepting the same passwords. */
		char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
		if (r == PWQ_ERROR_CFGFILE_OPEN)
			log_debug("pwquality: cannot open %s, using libpwquality defaults", path);
		else
			log_warning("pwquality: %s: %s", path,
				    pwquality_strerror(buf, sizeof(buf), r, aux));
	}
	return pwq;
}

/* Errors that say nothing about the password. */
static bool internal_error(int r, const char *aux)
{
	if (r == PWQ_ERROR_MEM_ALLOC || r == PWQ_ERROR_FATAL_FAILURE || r == PWQ_ERROR_RNG)
		return true;
	if (r != PWQ_ERROR_CRACKLIB_CHECK || !aux)
		return false;
	/* cracklib without its dictionary refuses every password, and so it
	 * does when the daemon's own uid has no passwd entry (it looks the
	 * caller up, not the user). */
	return strstr(aux, "error loading") || strstr(aux, "not registered in the password file");
}

/* cracklib's reasons, as FascistCheck gives them without a locale. */
static const char *const cracklib_reasons[][2] = {
    {"it is based on your username", N_("it is based on your user name")},
    {"it is WAY too short", N_("it is far too short")},
    {"it is too short", N_("it is too short")},
    {"it is all whitespace", N_("it is all white space")},
    {"it is based upon your password entry", N_("it is based on your account details")},
    {"it is derived from your password entry", N_("it is based on your account details")},
    {"it's derived from your password entry", N_("it is based on your account details")},
    {"it is derivable from your password entry", N_("it is based on your account details")},
    {"it's derivable from your password entry", N_("it is based on your account details")},
    {"it does not contain enough DIFFERENT characters",
     N_("it does not contain enough different characters")},
    {"it is too simplistic/systematic", N_("it is too simple or systematic")},
    {"it looks like a National Insurance number.", N_("it looks like a National Insurance number")},
    {"it is based on a dictionary word", N_("it is based on a dictionary word")},
    {"it is based on a (reversed) dictionary word",
     N_("it is based on a dictionary word spelt backwards")},
};

static const char *cracklib_reason(const char *aux)
{
	for (size_t i = 0; aux && i < ARRAY_SIZE(cracklib_reasons); i++)
		if (strcmp(aux, cracklib_reasons[i][0]) == 0)
			return cracklib_reasons[i][1];
	return NULL;
}

/* Our sentence for libpwquality's refusal r. aux is a number for the
 * errors about counts and cracklib's reason for the dictionary check
 * (libpwquality's convention); n is that number. */
static void refusal(const struct policy_request *req, int r, const void *aux, char *reason,
		    size_t reasonsz)
{
	char *log = req->log_reason;
	size_t logsz = req->log_reason_size;
	long v = (long)(intptr_t)aux;
	unsigned long n = v > 0 ? (unsigned long)v : 0;
	const char *why;
	switch (r) {
	case PWQ_ERROR_MIN_DIGITS:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains fewer than %lu digit.",
				      "The password contains fewer than %lu digits.", n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password contains too few digits."));
		return;
	case PWQ_ERROR_MIN_UPPERS:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains fewer than %lu uppercase letter.",
				      "The password contains fewer than %lu uppercase letters.", n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password contains too few uppercase letters."));
		return;
	case PWQ_ERROR_MIN_LOWERS:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains fewer than %lu lowercase letter.",
				      "The password contains fewer than %lu lowercase letters.", n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password contains too few lowercase letters."));
		return;
	case PWQ_ERROR_MIN_OTHERS:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains fewer than %lu character other than "
				      "letters and digits.",
				      "The password contains fewer than %lu characters other than "
				      "letters and digits.",
				      n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password contains too few characters other than letters "
				     "and digits."));
		return;
	case PWQ_ERROR_MIN_LENGTH:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password is shorter than %lu character.",
				      "The password is shorter than %lu characters.", n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password is too short."));
		return;
	case PWQ_ERROR_MIN_CLASSES:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains fewer than %lu kind of characters.",
				      "The password contains fewer than %lu kinds of characters.",
				      n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password does not mix enough kinds of characters."));
		return;
	case PWQ_ERROR_MAX_CONSECUTIVE:
		if (n)
			POLICY_SAY(
			    reason, reasonsz, log, logsz,
			    P_("The password repeats a character more than %lu time in a row.",
			       "The password repeats a character more than %lu times in a row.", n),
			    n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password repeats a character too many times in a row."));
		return;
	case PWQ_ERROR_MAX_CLASS_REPEAT:
		if (n)
			POLICY_SAY(
			    reason, reasonsz, log, logsz,
			    P_("The password has more than %lu character of the same kind in a "
			       "row.",
			       "The password has more than %lu characters of the same kind in a "
			       "row.",
			       n),
			    n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password has too many characters of the same kind in a "
				     "row."));
		return;
	case PWQ_ERROR_MAX_SEQUENCE:
		if (n)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   P_("The password contains a sequence (like 1234 or abcd) longer "
				      "than %lu character.",
				      "The password contains a sequence (like 1234 or abcd) longer "
				      "than %lu characters.",
				      n),
				   n);
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password contains a sequence (like 1234 or abcd) that is "
				     "too long."));
		return;
	case PWQ_ERROR_CRACKLIB_CHECK:
		why = cracklib_reason(aux);
		if (why)
			POLICY_SAY(reason, reasonsz, log, logsz,
				   _("The password fails the dictionary check - %s."), _(why));
		else
			POLICY_SAY(reason, reasonsz, log, logsz, "%s",
				   _("The password fails the dictionary check."));
		return;
	case PWQ_ERROR_SAME_PASSWORD:
		why = N_("The password is the same as the old one.");
		break;
	case PWQ_ERROR_TOO_SIMILAR:
		why = N_("The password is too similar to the old one.");
		break;
	case PWQ_ERROR_CASE_CHANGES_ONLY:
		why = N_("The password differs from the old one only in upper and lower case.");
		break;
	case PWQ_ERROR_ROTATED:
		why = N_("The password is the old one rotated.");
		break;
	case PWQ_ERROR_PALINDROME:
		why = N_("The password is a palindrome.");
		break;
	case PWQ_ERROR_USER_CHECK:
		why = N_("The password contains the user name in some form.");
		break;
	case PWQ_ERROR_GECOS_CHECK:
		why = N_("The password contains words from your real name in some form.");
		break;
	case PWQ_ERROR_BAD_WORDS:
		why = N_("The password contains forbidden words in some form.");
		break;
	case PWQ_ERROR_EMPTY_PASSWORD:
		why = N_("No password was given.");
		break;
	default:
		why = N_("The password does not meet the quality requirements.");
		break;
	}
	POLICY_SAY(reason, reasonsz, log, logsz, "%s", _(why));
}

int pwq_check(const struct sspr_conf *conf, const struct policy_request *req, char *reason,
	      size_t reasonsz)
{
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	void *aux = NULL;
	int r;
	pthread_mutex_lock(&pwq_lock);
	pwquality_settings_t *pwq = load_settings(conf->pwquality_conf);
	if (!pwq) {
		r = -ENOMEM;
		goto out;
	}
	r = pwquality_check(pwq, req->password, req->old_password, req->user, &aux);
	if (r < 0) {
		if (internal_error(r, aux)) {
			/* The sentence may be a constant rather than buf. */
			const char *msg = pwquality_strerror(buf, sizeof(buf), r, aux);
			log_error("pwquality: %s (is the cracklib dictionary installed?)", msg);
			r = -EIO;
		} else {
			refusal(req, r, aux, reason, reasonsz);
			r = -EINVAL;
		}
	} else if (conf->pwquality_min_score > 0 && (unsigned)r < conf->pwquality_min_score) {
		POLICY_SAY(reason, reasonsz, req->log_reason, req->log_reason_size,
			   _("The password is too easy to guess: its strength is %d of 100, at "
			     "least %u is required."),
			   r, conf->pwquality_min_score);
		r = -EINVAL;
	} else {
		r = 0;
	}
out:
	if (pwq)
		pwquality_free_settings(pwq);
	pthread_mutex_unlock(&pwq_lock);
	return r;
}
