/* log.c - one place that writes messages: sd_journal_sendv under journald, stderr otherwise. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <systemd/sd-journal.h>

#include "daemon/log.h"

/* systemd sets JOURNAL_STREAM when stderr is connected to the journal. */
bool
log_to_journal(void)
{
	return getenv("JOURNAL_STREAM") != NULL;
}

/* One "NAME=value" field in buf (of size FIELD_MAX), as an iovec. */
#define FIELD_MAX 2100
#define NFIELDS 16

struct fields {
	char buf[NFIELDS][FIELD_MAX];
	struct iovec iov[NFIELDS];
	int n;
};

static void
add(struct fields *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct fields *f, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (f->n == NFIELDS)
		return;
	va_start(ap, fmt);
	len = vsnprintf(f->buf[f->n], FIELD_MAX, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	f->iov[f->n].iov_base = f->buf[f->n];
	f->iov[f->n].iov_len = (size_t)len < FIELD_MAX ? (size_t)len :
	    FIELD_MAX - 1;
	f->n++;
}

static void
to_journal(const char *file, int line, const char *func, int priority,
    const char *message_id, const struct log_fields *lf, const char *msg)
{
	static struct fields f; /* big: not on the stack; one thread */

	f.n = 0;
	add(&f, "MESSAGE=%s", msg);
	add(&f, "PRIORITY=%d", priority);
	add(&f, "SYSLOG_IDENTIFIER=fragwatch");
	add(&f, "CODE_FILE=%s", file);
	add(&f, "CODE_LINE=%d", line);
	add(&f, "CODE_FUNC=%s", func);
	if (message_id != NULL)
		add(&f, "MESSAGE_ID=%s", message_id);
	if (lf != NULL) {
		if (lf->source != NULL)
			add(&f, "FRAGWATCH_SOURCE=%s", lf->source);
		if (lf->run > 0)
			add(&f, "FRAGWATCH_RUN=%" PRId64, lf->run);
		if (lf->counts) {
			add(&f, "FRAGWATCH_ROWS=%" PRId64, lf->rows);
			add(&f, "FRAGWATCH_REJECTS=%" PRId64, lf->rejects);
			add(&f, "FRAGWATCH_DURATION_USEC=%" PRId64,
			    lf->duration_usec);
		}
		if (lf->alert > 0)
			add(&f, "FRAGWATCH_ALERT=%" PRId64, lf->alert);
		if (lf->channel != NULL)
			add(&f, "FRAGWATCH_CHANNEL=%s", lf->channel);
	}
	sd_journal_sendv(f.iov, f.n);
}

void
log_event_at(const char *file, int line, const char *func, int priority,
    const char *message_id, const struct log_fields *fields,
    const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_to_journal())
		to_journal(file, line, func, priority, message_id, fields, msg);
	else
		fprintf(stderr, "fragwatch: %s\n", msg);
}
