/* JSON rows for ssprctl --json: the schemas are documented in ssprctl(8)
 * and are a contract with the CLI. Each row goes out as one PROTO_DATA
 * message. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

/* "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out (at least 21 bytes). */
void admin_time_iso(int64_t t, char *out, size_t outsz);

/* Add v under key, taking ownership of v; -ENOMEM (v freed) when v is NULL
 * (a failed allocation) or the add fails. */
int admin_json_add(json_object *o, const char *key, json_object *v);
/* A string field. Text that could not travel in a DATA message (invalid
 * UTF-8, DEL, C1 controls) is replaced the way logs replace it. */
int admin_json_add_str(json_object *o, const char *key, const char *s);
int admin_json_add_int(json_object *o, const char *key, int64_t v);
int admin_json_add_bool(json_object *o, const char *key, int v);
/* An admin_time_iso string, or null when t is 0. */
int admin_json_add_time(json_object *o, const char *key, int64_t t);

/* o as one compact JSON text (malloc'd) into *out; -E2BIG when it would
 * not fit in one DATA message: a row is never cut. */
int admin_json_text(json_object *o, char **out);
/* Send o as one PROTO_DATA message. */
int admin_send_json(int fd, json_object *o);
