/* The language of a request, and shared texts; see language.h. */
#include "ssprd/language.h"

#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "common/validate.h"

/* Native names are not translated: a user looks for their own language
 * whatever the menu is in. */
static const struct lang_entry languages[] = {
    {"en", "English"},
    {"zh_TW", "繁體中文 (台灣)"},
};

const struct lang_entry *lang_offered(size_t i)
{
	for (size_t k = 0; k < ARRAY_SIZE(languages); k++) {
		if (!i18n_available(languages[k].code))
			continue;
		if (i-- == 0)
			return &languages[k];
	}
	return NULL;
}

const char *lang_native_name(const char *code)
{
	for (size_t k = 0; k < ARRAY_SIZE(languages); k++)
		if (strcmp(languages[k].code, code) == 0)
			return languages[k].native;
	return code;
}

/* Whether this thread's request runs in the client's language. */
static _Thread_local bool client_chosen;

static bool usable(const char *lang)
{
	return lang && lang[0] && language_name_valid(lang) && i18n_available(lang);
}

const char *lang_choose(struct daemon_ctx *ctx, const char *client, const char *user)
{
	char saved[16] = "";
	const char *lang = "en";
	client_chosen = usable(client);
	if (client_chosen) {
		lang = client;
	} else if (user && username_valid(user) &&
		   store_language_get(ctx->store, user, saved) == 0 && usable(saved)) {
		lang = saved;
	} else if (usable(ctx->conf.language)) {
		lang = ctx->conf.language;
	}
	if (i18n_set_language(lang) < 0)
		i18n_set_language("en");
	return i18n_language();
}

const char *lang_preference_changed(struct daemon_ctx *ctx, const char *user)
{
	if (!client_chosen)
		lang_choose(ctx, NULL, user);
	return i18n_language();
}

void lang_duration(unsigned seconds, char *out, size_t outsz)
{
	if (seconds % 60 == 0)
		snprintf(out, outsz, P_("%u minute", "%u minutes", seconds / 60), seconds / 60);
	else
		snprintf(out, outsz, P_("%u second", "%u seconds", seconds), seconds);
}
