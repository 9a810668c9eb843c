/* svg.h - an inline SVG sparkline: values over time, threshold bands, SPC lines, projection to red. */
#ifndef FRAGWATCH_SVG_H
#define FRAGWATCH_SVG_H

#include <stddef.h>

#include "daemon/html.h"
#include "transforms/status.h"

/*
 * Geometry, so that a reader (or a test) can find any value on the image:
 *
 *   The plot fills the image less SVG_PAD pixels on every side.
 *   x: period i (0 = oldest) sits at pad + i * (width - 2 pad) / span, where
 *      span = n - 1, plus periods_to_red when a projection is drawn; with
 *      span 0 the single point is centred.
 *   y: lo and hi are the least and greatest of the finite values, the
 *      green and red bounds (with t) and the finite SPC mean and limits;
 *      if hi - lo < 1e-12 both move 0.5 apart; then each moves out by
 *      SVG_MARGIN * (hi - lo). Value v sits at
 *      pad + (hi - v) / (hi - lo) * (height - 2 pad).
 *   Bands: the green band covers the values where t's green bound holds
 *      and the red band those where the red bound holds, cut to lo..hi:
 *      a bound "< b" or "<= b" covers lo..b, "> b" or ">= b" covers b..hi.
 *   Line: one <polyline class="line"> per run of consecutive finite
 *      values, so a NaN is a gap and the points of all the polylines are
 *      the finite values, in order.
 *
 * Numbers are written with two decimals.
 */
#define SVG_PAD 3
#define SVG_MARGIN 0.05

struct svg_spark {
	const double *values;   /* oldest first, one per period; NaN: no value */
	size_t n;
	int width, height;      /* of the whole image, in pixels */
	const struct status_threshold *t; /* bands; NULL: none */
	double mean, lcl, ucl;  /* SPC centre line and limits; NaN: not drawn */
	double periods_to_red;  /* > 0: a dashed line from the newest finite
	                           value to the red bound that many periods
	                           after the newest period (t needed); else none */
	enum status_light light; /* of the newest value: its dot's colour */
	const char *label;      /* title and aria-label (data: escaped) */
};

/* Writes the <svg> element for s. Errors are the writer's (html_close). */
void svg_sparkline(struct html *h, const struct svg_spark *s);

#endif
