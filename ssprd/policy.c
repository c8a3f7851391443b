/* The rules in the order a user can best act on them: cheap text rules,
 * then the breached list and libpwquality, then the history, whose hash
 * comparisons cost the most. */
#include "ssprd/policy.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/breached.h"
#include "ssprd/history.h"
#include "ssprd/pwq.h"

#define GECOS_MAX 512

/* In functions with req, reason and reasonsz. */
#define refuse(...)                                                                                \
	do {                                                                                       \
		POLICY_SAY(reason, reasonsz, req->log_reason, req->log_reason_size, __VA_ARGS__);  \
		return -EINVAL;                                                                    \
	} while (0)

static int cannot_check(const struct policy_request *req, int r, char *reason, size_t reasonsz)
{
	POLICY_SAY(reason, reasonsz, req->log_reason, req->log_reason_size, "%s",
		   _("The password could not be checked right now."));
	return r < 0 ? r : -EIO;
}

static int check_min_age(const struct sspr_conf *conf, struct store *store,
			 const struct policy_request *req, char *reason, size_t reasonsz)
{
	const char *user = req->user;
	int64_t last = 0, now = (int64_t)time(NULL);
	if (store_event_last(store, user, "reset", &last) < 0)
		return cannot_check(req, -EIO, reason, reasonsz);
	int64_t wait = last + (int64_t)conf->min_age_hours * 3600 - now;
	if (last > 0 && wait > 0) {
		unsigned long hours = (unsigned long)((wait + 3599) / 3600);
		unsigned min = conf->min_age_hours;
		/* Two sentences, each with its own number (plural forms). */
		char first[160], first_log[160];
		POLICY_SAY(first, sizeof(first), req->log_reason ? first_log : NULL,
			   sizeof(first_log),
			   P_("Your password was reset less than %u hour ago.",
			      "Your password was reset less than %u hours ago.", min),
			   min);
		POLICY_SAY(reason, reasonsz, req->log_reason, req->log_reason_size,
			   P_("%s It can be reset again in %lu hour.",
			      "%s It can be reset again in %lu hours.", hours),
			   /* the English pass takes the English sentence */
			   req->log_reason && strcmp(i18n_language(), "en") == 0 ? first_log
										 : first,
			   hours);
		return -EAGAIN;
	}
	return 0;
}

static int check_text(const struct sspr_conf *conf, const struct policy_request *req, char *reason,
		      size_t reasonsz)
{
	const char *pw = req->password;
	size_t chars = utf8_length(pw);
	if (strlen(pw) > POLICY_MAX_BYTES)
		refuse(_("The password is too long (at most %d bytes; some characters take "
			 "several)."),
		       POLICY_MAX_BYTES);
	if (chars > conf->max_length)
		refuse(P_("The password is too long (at most %u character).",
			  "The password is too long (at most %u characters).", conf->max_length),
		       conf->max_length);
	if (chars < conf->min_length)
		refuse(P_("The password must have at least %u character.",
			  "The password must have at least %u characters.", conf->min_length),
		       conf->min_length);
	if (conf->min_classes > 0 && policy_classes(pw) < conf->min_classes)
		refuse(P_("The password must mix at least %u kind of characters (lowercase "
			  "letters, uppercase letters, digits, others).",
			  "The password must mix at least %u kinds of characters (lowercase "
			  "letters, uppercase letters, digits, others).",
			  conf->min_classes),
		       conf->min_classes);

	struct passwd pwent, *res = NULL;
	char buf[4096], gecos[GECOS_MAX] = "";
	if (getpwnam_r(req->user, &pwent, buf, sizeof(buf), &res) == 0 && res && res->pw_gecos)
		snprintf(gecos, sizeof(gecos), "%s", res->pw_gecos);
	switch (policy_find_name(req->user, gecos, conf->organisation, pw)) {
	case POLICY_NAME_USER:
		refuse("%s", _("The password must not contain your user name."));
	case POLICY_NAME_REAL:
		refuse("%s", _("The password must not contain your name."));
	case POLICY_NAME_ORGANISATION:
		refuse("%s", _("The password must not contain the name of the organisation."));
	case POLICY_NAME_NONE:
		break;
	}
	return 0;
}

int policy_check(const struct sspr_conf *conf, struct store *store,
		 const struct policy_request *req, char *reason, size_t reasonsz)
{
	int r;
	reason[0] = '\0';
	if (req->path == POLICY_RESET && conf->min_age_hours > 0 && store) {
		r = check_min_age(conf, store, req, reason, reasonsz);
		if (r < 0)
			return r;
	}
	r = check_text(conf, req, reason, reasonsz);
	if (r < 0)
		return r;
	if (conf->breached_list) {
		bool found = false;
		r = breached_check(conf->breached_list, req->password, &found, NULL);
		if (r < 0) {
			log_error("breached_list %s: %s", conf->breached_list,
				  r == -EBADMSG ? "not a sorted list of SHA-1 digests"
						: strerror(-r));
			return cannot_check(req, r, reason, reasonsz);
		}
		if (found)
			refuse("%s", _("The password is on a list of passwords exposed in data "
				       "breaches, so attackers try it first."));
	}
	if (conf->pwquality) {
		r = pwq_check(conf, req, reason, reasonsz);
		if (r == -EINVAL)
			return r;
		if (r < 0)
			return cannot_check(req, r, reason, reasonsz);
	}
	if (store && conf->history > 0) {
		enum history_match m;
		r = history_check(conf, store, req->user, req->password, &m);
		if (r < 0) {
			log_error("password history of %s: %s", req->user, strerror(-r));
			return cannot_check(req, r, reason, reasonsz);
		}
		if (m == HISTORY_CURRENT)
			refuse("%s", _("The password is the same as the current one."));
		if (m == HISTORY_EARLIER)
			refuse("%s", _("You used this password recently; choose one you have not "
				       "used before."));
	}
	return 0;
}
