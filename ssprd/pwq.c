#include "ssprd/pwq.h"

#include <errno.h>
#include <pthread.h>
#include <pwquality.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"

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
	/* cracklib without its dictionary refuses every password. */
	return r == PWQ_ERROR_CRACKLIB_CHECK && aux && strstr(aux, "error loading");
}

int pwq_check(const struct sspr_conf *conf, const char *user, const char *password, const char *old,
	      char *reason, size_t reasonsz)
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
	r = pwquality_check(pwq, password, old, user, &aux);
	if (r < 0) {
		/* The sentence may be a constant rather than buf. */
		const char *msg = pwquality_strerror(buf, sizeof(buf), r, aux);
		if (internal_error(r, aux)) {
			log_error("pwquality: %s (is the cracklib dictionary installed?)", msg);
			r = -EIO;
		} else {
			size_t n = strlen(msg);
			snprintf(reason, reasonsz, "%s%s", msg,
				 n > 0 && msg[n - 1] == '.' ? "" : ".");
			r = -EINVAL;
		}
	} else if (conf->pwquality_min_score > 0 && (unsigned)r < conf->pwquality_min_score) {
		snprintf(reason, reasonsz,
			 "The password is too easy to guess: its strength is %d of 100, at least "
			 "%u is required.",
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
