/* ssprctl show, clear, unlock, test-email and test-sms: one request each,
 * the daemon's lines relayed as they come. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/ssprctl.h"
#include "common/i18n.h"
#include "common/util.h"
#include "common/validate.h"

/* The registration kinds PROTO_ADMIN_CLEAR takes. */
static const char *const clear_kinds[] = {
    "email", "mobile", "office", "questions", "totp", "recovery_codes",
};

int ssprctl_show(struct ssprctl_opts *o, char **args, int nargs)
{
	(void)nargs;
	int ret = ssprctl_check_user(args[0]);
	if (ret != CLI_EXIT_OK)
		return ret;
	const char *fields[] = {args[0]};
	return ssprctl_send(o, PROTO_ADMIN_SHOW, ARRAY_SIZE(fields), fields, NULL, NULL);
}

/* Ask on the terminal; only "y" or "yes" goes ahead. */
static int confirm(const char *question)
{
	char *answer = NULL;
	int r = term_prompt(true, question, &answer);
	if (r < 0) {
		if (r != -ECANCELED)
			fprintf(stderr, _("%s: cannot read the answer: %s\n"), PROG, strerror(-r));
		return CLI_EXIT_FAILED;
	}
	/* The translated word too: the question was asked in it. */
	bool yes = strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0 ||
		   strcmp(answer, _("yes")) == 0;
	secret_free(answer);
	return yes ? CLI_EXIT_OK : CLI_EXIT_FAILED;
}

int ssprctl_clear(struct ssprctl_opts *o, char **args, int nargs)
{
	const char *user = args[0], *method = nargs > 1 ? args[1] : "";
	char question[320], shown[64];
	int ret = ssprctl_check_user(user);
	if (ret != CLI_EXIT_OK)
		return ret;
	if (*method) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(clear_kinds) && !known; i++)
			known = strcmp(method, clear_kinds[i]) == 0;
		if (!known) {
			sanitize_for_log(method, shown, sizeof(shown));
			fprintf(
			    stderr,
			    _("%s: unknown method \"%s\": use email, mobile, office, questions, "
			      "totp or recovery_codes\n"),
			    PROG, shown);
			return CLI_EXIT_USAGE;
		}
	}
	if (!o->yes) {
		/* Nobody to ask: a script must say --yes, not get a silent
		 * removal or a hang. */
		if (!isatty(STDIN_FILENO)) {
			fprintf(stderr,
				_("%s: clear asks for confirmation on a terminal; give --yes to "
				  "clear without asking\n"),
				PROG);
			return CLI_EXIT_USAGE;
		}
		if (*method)
			snprintf(question, sizeof(question),
				 _("Remove %s's %s registration? [y/N] "), user, method);
		else
			snprintf(question, sizeof(question),
				 _("Remove all of %s's registrations? [y/N] "), user);
		if (confirm(question) != CLI_EXIT_OK) {
			fputs(_("Nothing removed.\n"), stderr);
			return CLI_EXIT_FAILED;
		}
	}
	const char *fields[] = {user, method};
	return ssprctl_send(o, PROTO_ADMIN_CLEAR, ARRAY_SIZE(fields), fields, NULL, NULL);
}

int ssprctl_unlock(struct ssprctl_opts *o, char **args, int nargs)
{
	(void)nargs;
	int ret = ssprctl_check_user(args[0]);
	if (ret != CLI_EXIT_OK)
		return ret;
	const char *fields[] = {args[0]};
	return ssprctl_send(o, PROTO_ADMIN_UNLOCK, ARRAY_SIZE(fields), fields, NULL, NULL);
}

int ssprctl_test_email(struct ssprctl_opts *o, char **args, int nargs)
{
	(void)nargs;
	if (!email_valid(args[0])) {
		char shown[64];
		sanitize_for_log(args[0], shown, sizeof(shown));
		fprintf(stderr, _("%s: invalid email address \"%s\"\n"), PROG, shown);
		return CLI_EXIT_USAGE;
	}
	const char *fields[] = {"email", args[0]};
	return ssprctl_send(o, PROTO_ADMIN_TEST, ARRAY_SIZE(fields), fields, NULL, NULL);
}

int ssprctl_test_sms(struct ssprctl_opts *o, char **args, int nargs)
{
	char number[PHONE_MAX + 1];
	(void)nargs;
	if (phone_normalize(args[0], number) < 0) {
		char shown[64];
		sanitize_for_log(args[0], shown, sizeof(shown));
		fprintf(stderr,
			_("%s: not an E.164 number (start with + and the country code): %s\n"),
			PROG, shown);
		return CLI_EXIT_USAGE;
	}
	const char *fields[] = {"sms", number};
	return ssprctl_send(o, PROTO_ADMIN_TEST, ARRAY_SIZE(fields), fields, NULL, NULL);
}
