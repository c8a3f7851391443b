#include "ssprd/admin_json.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/proto.h"
#include "common/util.h"
#include "common/validate.h"
#include "ssprd/conn.h"

void admin_time_iso(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, outsz, "1970-01-01T00:00:00Z");
}

int admin_json_add(json_object *o, const char *key, json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

int admin_json_add_str(json_object *o, const char *key, const char *s)
{
	char *clean = NULL;
	size_t len;
	if (!s)
		s = "";
	len = strlen(s);
	/* The store holds sanitized text; anything else is shown, not sent
	 * raw, and never cut: the copy is as long as the original. */
	if (!utf8_text_valid(s, len, len, "")) {
		clean = malloc(len + 1);
		if (!clean)
			return -ENOMEM;
		sanitize_for_log(s, clean, len + 1);
		s = clean;
	}
	int r = admin_json_add(o, key, json_object_new_string(s));
	free(clean);
	return r;
}

int admin_json_add_int(json_object *o, const char *key, int64_t v)
{
	return admin_json_add(o, key, json_object_new_int64(v));
}

int admin_json_add_bool(json_object *o, const char *key, int v)
{
	return admin_json_add(o, key, json_object_new_boolean(v ? 1 : 0));
}

int admin_json_add_time(json_object *o, const char *key, int64_t t)
{
	char iso[32];
	if (t == 0)
		return json_object_object_add(o, key, NULL) == 0 ? 0 : -ENOMEM;
	admin_time_iso(t, iso, sizeof(iso));
	return admin_json_add(o, key, json_object_new_string(iso));
}

int admin_json_text(json_object *o, char **out)
{
	*out = NULL;
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s)
		return -ENOMEM;
	return strdup_bounded(s, PROTO_MAX_TEXT, out);
}

int admin_send_json(int fd, json_object *o)
{
	char *text = NULL;
	int r = admin_json_text(o, &text);
	if (r == 0)
		r = conn_send_text(fd, PROTO_DATA, text);
	free(text);
	return r;
}
