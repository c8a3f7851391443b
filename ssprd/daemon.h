/* What every part of ssprd shares while it runs. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

#include "common/conf.h"
#include "ssprd/code.h"
#include "ssprd/store.h"

struct voicecb;

struct daemon_ctx {
	struct sspr_conf conf;
	struct store *store;
	uint8_t code_key[CODE_KEY_SIZE];
	uid_t uid; /* the euid ssprd started with (root also when split): peers
		    * with it (or root) may talk to us */
	char hostname[256];
	struct voicecb *voicecb; /* press_pound calls; NULL when off */
};
