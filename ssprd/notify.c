#include "ssprd/notify.h"

#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "ssprd/mail.h"

#define BODY_MAX 4096

int notify_send_code(struct daemon_ctx *ctx, const char *user, const char *to, const char *code)
{
	const struct sspr_conf *c = &ctx->conf;
	char body[BODY_MAX];
	unsigned minutes = (c->code_ttl + 59) / 60;
	snprintf(body, sizeof(body),
		 "Hello %s,\n"
		 "\n"
		 "Your password reset code is: %s\n"
		 "\n"
		 "Type it at the login prompt on %s. It expires in %u minute%s.\n"
		 "\n"
		 "If you did not ask to reset your password, ignore this message:\n"
		 "your password has not changed.\n"
		 "\n"
		 "%s\n",
		 user, code, ctx->hostname, minutes, minutes == 1 ? "" : "s", c->helpdesk);
	int r = mail_send(c, to, "Your password reset code", body);
	secure_zero(body, sizeof(body));
	return r;
}

void notify_send_outcome(struct daemon_ctx *ctx, const char *user, const char *to, bool unlocked,
			 const char *methods, const char *service, const char *rhost,
			 const char *tty)
{
	const struct sspr_conf *c = &ctx->conf;
	char when[64], from[400], body[BODY_MAX];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (rhost[0])
		snprintf(from, sizeof(from), "from %s", rhost);
	else if (tty[0])
		snprintf(from, sizeof(from), "on terminal %s", tty);
	else
		snprintf(from, sizeof(from), "from an unknown place");
	snprintf(body, sizeof(body),
		 "Hello %s,\n"
		 "\n"
		 "%s %s on %s at %s\n"
		 "through %s %s, after verification by: %s.\n"
		 "\n"
		 "If this was you, there is nothing to do.\n"
		 "If it was not you, contact your administrator right away:\n"
		 "%s\n",
		 user,
		 unlocked ? "Your account was unlocked (the password was kept):"
			  : "The password was reset for your account",
		 user, ctx->hostname, when, service[0] ? service : "an unknown service", from,
		 methods[0] ? methods : "unknown", c->helpdesk);
	if (mail_send(c, to, unlocked ? "Your account was unlocked" : "Your password was reset",
		      body) < 0)
		log_error("could not send the %s notice for %s", unlocked ? "unlock" : "reset",
			  user);
}
