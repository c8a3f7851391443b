/* Shared by harness.c and harness_methods.c only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tests/integration/harness.h"

void write_file(const char *path, mode_t mode, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int free_port(void);
bool tcp_ready(int port);
pid_t spawn(const char *log, char *const argv[]);
void stop(pid_t *pid);
const char *build_path(void);

/* harness_methods.c: called by world_start before ssprd starts; returns
 * the extra configuration with @GW, @CB and @RUN replaced (malloc'd). */
char *methods_world_start(const struct world_opts *o);
void methods_world_stop(void);
/* Answer tokens of the other methods (@SMS, @CALL, @TOTP, @TOTPLAST,
 * @RC1..@RC10, @ANSWER, @BADANSWER): true when token was one, with the
 * answer in buf. prompt is the prompt being answered. */
bool methods_answer(const char *token, const char *prompt, char *buf, size_t bufsz);
