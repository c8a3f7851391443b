/* The JSON rows of list, audit and report: parsed with json-c as they
 * arrive, printed again with json-c for --json. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/ssprctl.h"
#include "common/i18n.h"

int rows_collect(void *userdata, const char *json)
{
	struct rows *rows = userdata;
	size_t len = strlen(json);
	json_tokener *tok = json_tokener_new();
	json_object *v = NULL;
	int r = -EPROTO;
	if (!tok) {
		fprintf(stderr, _("%s: out of memory\n"), PROG);
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	v = json_tokener_parse_ex(tok, json, (int)len);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	/* One whole object: an incomplete text, trailing bytes or any other
	 * type is not what ssprd promises. */
	if (jerr == json_tokener_continue)
		fprintf(stderr, _("%s: ssprd sent incomplete JSON\n"), PROG);
	else if (jerr != json_tokener_success)
		fprintf(stderr, _("%s: ssprd sent invalid JSON: %s\n"), PROG,
			json_tokener_error_desc(jerr));
	else if (json_tokener_get_parse_end(tok) != len)
		fprintf(stderr, _("%s: ssprd sent invalid JSON: text after the object\n"), PROG);
	else if (!json_object_is_type(v, json_type_object))
		fprintf(stderr, _("%s: ssprd sent JSON that is not an object\n"), PROG);
	else if (!rows->array && !(rows->array = json_object_new_array()))
		fprintf(stderr, _("%s: out of memory\n"), PROG);
	else if (json_object_array_add(rows->array, v) < 0)
		fprintf(stderr, _("%s: out of memory\n"), PROG);
	else {
		v = NULL; /* the array owns it now */
		r = 0;
	}
	json_object_put(v);
	json_tokener_free(tok);
	return r;
}

void rows_free(struct rows *rows)
{
	if (!rows)
		return;
	json_object_put(rows->array);
	rows->array = NULL;
}

int jv_print(json_object *v)
{
	const char *text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY |
								 JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!text) {
		fprintf(stderr, _("%s: out of memory\n"), PROG);
		return CLI_EXIT_FAILED;
	}
	if (puts(text) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, _("%s: cannot write the output: %s\n"), PROG, strerror(errno));
		return CLI_EXIT_FAILED;
	}
	return CLI_EXIT_OK;
}

const char *jv_str(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int64_t jv_int(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_int64(v);
}

bool jv_true(json_object *o, const char *key)
{
	json_object *v = NULL;
	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
	       json_object_get_boolean(v);
}

json_object *jv_obj(json_object *o, const char *key)
{
	json_object *v = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}
