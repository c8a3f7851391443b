/* What a user has registered, judged against the site's configuration:
 * shared by sspr status, ssprctl list/report and the login reminders. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "ssprd/daemon.h"

struct registration {
	unsigned registered;  /* METHOD_BIT of methods with data in the store */
	unsigned usable;      /* of those, the ones enabled in [methods] */
	unsigned factors;     /* distinct factors among usable (a text and a
			       * call to one number count once) */
	bool meets;	      /* factors >= [methods] required */
	int64_t confirmed;    /* last sspr register / reconfirm; 0 never */
	int64_t reconfirm_at; /* 0: no reconfirmation due ever */
	bool reconfirm_due;   /* reconfirm_at has passed (or never confirmed) */
};

int registration_get(struct daemon_ctx *ctx, const char *user, int64_t now,
		     struct registration *out);
