/* log.c - one place that writes messages: sd_journal_send under journald, stderr otherwise. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <systemd/sd-journal.h>

#include "daemon/log.h"

/* systemd sets JOURNAL_STREAM when stderr is connected to the journal. */
static bool
under_journald(void)
{
	return getenv("JOURNAL_STREAM") != NULL;
}

void
log_msg(int priority, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (under_journald())
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
		    "SYSLOG_IDENTIFIER=fragwatch", NULL);
	else
		fprintf(stderr, "fragwatch: %s\n", msg);
}
