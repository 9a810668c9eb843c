/* progress.c - a live progress line per source on a terminal (stderr), redrawn in place. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/progress.h"

void
progress_init(struct progress *pr, FILE *f)
{
	const char *term = getenv("TERM");

	memset(pr, 0, sizeof(*pr));
	if (isatty(fileno(f)) && (term == NULL || strcmp(term, "dumb") != 0))
		pr->tty = f;
}

void
progress_update(void *arg, const struct run_progress *p)
{
	struct progress *pr = arg;
	double rate;

	/* A new phase is drawn at once: a long load must not sit under a
	 * "fetching" dropped for coming too soon after the last chunk. */
	if (pr->tty == NULL || (pr->shown && p->seconds - pr->last < 0.1 &&
	    p->seconds >= pr->last && strcmp(p->phase, pr->phase) == 0))
		return;
	pr->last = p->seconds;
	snprintf(pr->phase, sizeof(pr->phase), "%s", p->phase);
	rate = p->seconds > 0 ? (double)p->rows_read / p->seconds : 0;
	/* \r and "erase line": the line is rewritten, never scrolled. */
	fprintf(pr->tty, "\r\033[K%-12s %-10s %8.1f MB %12llu rows %10.0f rows/s"
	    " %6.1f s", p->source, p->phase, (double)p->bytes / 1e6,
	    (unsigned long long)p->rows_read, rate, p->seconds);
	fflush(pr->tty);
	pr->shown = true;
}

void
progress_clear(struct progress *pr)
{
	if (pr->tty != NULL && pr->shown) {
		fputs("\r\033[K", pr->tty);
		fflush(pr->tty);
	}
	pr->shown = false;
	pr->last = 0;
}
