#include "common/log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <systemd/sd-journal.h>

static const char *log_ident = "sspr";
static int log_max = LOG_INFO;
static bool log_to_journal;

/* systemd sets JOURNAL_STREAM to the device:inode of the stream it connected
 * to stderr; only then does stderr end in the journal, so structured
 * priorities are worth sending. Without journald sd_journal_print drops
 * messages silently, hence the check rather than sd_booted(). */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, int max_priority)
{
	log_ident = ident;
	log_max = max_priority;
	log_to_journal = stderr_is_journal();
}

void log_set_max_priority(int max_priority)
{
	log_max = max_priority;
}

void log_msg(int priority, const char *fmt, ...)
{
	if (priority > log_max)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_to_journal && sd_journal_print(priority, "%s", buf) >= 0)
		return;
	static const char *const names[] = {"emerg",   "alert",	 "crit", "error",
					    "warning", "notice", "info", "debug"};
	fprintf(stderr, "%s: %s: %s\n", log_ident, names[priority & 7], buf);
}
