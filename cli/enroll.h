/* ssprctl enroll --questions: what the administrator types. */
#pragma once

#include "common/qa.h"

/* The questions and answers for PROTO_ADMIN_QUESTIONS under the
 * [questions] rules of config_path (NULL: CONF_DEFAULT_PATH, which may be
 * missing): asked on the terminal when standard input is one, else read as
 * QUESTION<TAB>ANSWER lines from it. Prints why on stderr and returns the
 * enum cli_exit to exit with. */
int enroll_questions_input(const char *prog, const char *config_path, struct qa_set *out);
