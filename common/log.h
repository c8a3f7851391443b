/* One logging path for ssprd and the tools: the journal when stderr is the
 * journal stream (JOURNAL_STREAM), else stderr. Never pass a code, answer or
 * password to these functions. */
#pragma once

#include <syslog.h>

void log_init(const char *ident, int max_priority);
void log_set_max_priority(int max_priority);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...)	 log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...)	 log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	 log_msg(LOG_DEBUG, __VA_ARGS__)
