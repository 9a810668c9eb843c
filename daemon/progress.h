/* progress.h - a live progress line per source on a terminal; nothing when output is not a terminal. */
#ifndef FRAGWATCH_PROGRESS_H
#define FRAGWATCH_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "daemon/run.h"

struct progress {
	FILE *tty;            /* where the line goes; NULL: off */
	double last;          /* seconds of the run at the last redraw */
	char phase[16];       /* the phase drawn last */
	bool shown;           /* a line is on screen, to be cleared */
};

/* Turns the line on when f is a terminal (and TERM is not "dumb"). */
void progress_init(struct progress *pr, FILE *f);

/* A run_control progress callback (arg: struct progress): redraws
 * "source  phase  12.3 MB  450,000 rows  88,000 rows/s" at most 10 times
 * a second, and at once when the phase changes. */
void progress_update(void *arg, const struct run_progress *p);

/* Clears the line before the run's summary is printed. */
void progress_clear(struct progress *pr);

#endif
