/* svg.c - the sparkline of one indicator series as inline SVG (no script, no external assets). */
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "daemon/html.h"
#include "daemon/svg.h"

struct scale {
	double x0, dx;          /* pixel of period 0, pixels per period */
	double lo, hi;          /* value domain */
	double top, bottom;     /* pixels of hi and lo */
	double left, right;     /* the plot's edges */
};

static void
widen(double v, double *lo, double *hi)
{
	if (!isfinite(v))
		return;
	if (v < *lo)
		*lo = v;
	if (v > *hi)
		*hi = v;
}

static bool
projecting(const struct svg_spark *s)
{
	return s->t != NULL && isfinite(s->periods_to_red) &&
	    s->periods_to_red > 0;
}

static void
make_scale(const struct svg_spark *s, struct scale *sc)
{
	double lo = INFINITY, hi = -INFINITY, span, w, m;

	for (size_t i = 0; i < s->n; i++)
		widen(s->values[i], &lo, &hi);
	if (s->t != NULL) {
		widen(s->t->green.value, &lo, &hi);
		widen(s->t->red.value, &lo, &hi);
	}
	widen(s->mean, &lo, &hi);
	widen(s->lcl, &lo, &hi);
	widen(s->ucl, &lo, &hi);
	if (!isfinite(lo)) {        /* nothing finite at all */
		lo = 0;
		hi = 1;
	}
	if (hi - lo < 1e-12) {
		lo -= 0.5;
		hi += 0.5;
	}
	m = SVG_MARGIN * (hi - lo);
	sc->lo = lo - m;
	sc->hi = hi + m;
	sc->top = SVG_PAD;
	sc->bottom = s->height - SVG_PAD;
	sc->left = SVG_PAD;
	sc->right = s->width - SVG_PAD;
	w = sc->right - sc->left;
	span = s->n > 0 ? (double)(s->n - 1) : 0;
	if (projecting(s))
		span += s->periods_to_red;
	if (span > 0) {
		sc->x0 = SVG_PAD;
		sc->dx = w / span;
	} else {
		sc->x0 = s->width / 2.0;
		sc->dx = 0;
	}
}

static double
xpos(const struct scale *sc, double i)
{
	return sc->x0 + i * sc->dx;
}

static double
ypos(const struct scale *sc, double v)
{
	return sc->top + (sc->hi - v) / (sc->hi - sc->lo) *
	    (sc->bottom - sc->top);
}

/* Presentation attributes inline rather than in the page's CSS, so that
 * the image looks the same where a mail reader drops <style>. */
static const char *
paint(const char *cls)
{
	static const struct {
		const char *cls, *attrs;
	} paints[] = {
		{ "band-green", "fill=\"#cfe8d0\"" },
		{ "band-red", "fill=\"#f4cfcf\"" },
		{ "spc-mean", "stroke=\"#666\" stroke-width=\"0.8\"" },
		{ "spc-limit", "stroke=\"#666\" stroke-width=\"0.8\" "
		    "stroke-dasharray=\"2 2\"" },
		{ "line", "fill=\"none\" stroke=\"#1d3557\" stroke-width=\"1.4\" "
		    "stroke-linejoin=\"round\"" },
		{ "lone", "fill=\"#1d3557\"" },
		{ "projection", "stroke=\"#b00020\" stroke-width=\"1.4\" "
		    "stroke-dasharray=\"4 3\"" },
		{ "last g", "fill=\"#1b7a2e\" stroke=\"#000\" stroke-width=\"0.5\"" },
		{ "last y", "fill=\"#e0a800\" stroke=\"#000\" stroke-width=\"0.5\"" },
		{ "last r", "fill=\"#c62828\" stroke=\"#000\" stroke-width=\"0.5\"" },
		{ "last n", "fill=\"#9e9e9e\" stroke=\"#000\" stroke-width=\"0.5\"" },
	};

	for (size_t i = 0; i < sizeof(paints) / sizeof(paints[0]); i++)
		if (strcmp(paints[i].cls, cls) == 0)
			return paints[i].attrs;
	return "";
}

/* The band of values where b holds, cut to the domain. */
static void
band(struct html *h, const struct scale *sc, const struct status_bound *b,
    const char *cls)
{
	double from, to;

	if (b->op == STATUS_OP_LT || b->op == STATUS_OP_LE) {
		from = sc->lo;
		to = fmin(b->value, sc->hi);
	} else {
		from = fmax(b->value, sc->lo);
		to = sc->hi;
	}
	if (to <= from)
		return;
	html_rawf(h, "<rect class=\"%s\" %s x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
	    "height=\"%.2f\"/>", cls, paint(cls), sc->left, ypos(sc, to),
	    sc->right - sc->left, ypos(sc, from) - ypos(sc, to));
}

static void
hline(struct html *h, const struct scale *sc, double v, const char *cls)
{
	if (!isfinite(v))
		return;
	html_rawf(h, "<line class=\"%s\" %s x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" "
	    "y2=\"%.2f\"/>", cls, paint(cls), sc->left, ypos(sc, v), sc->right, ypos(sc, v));
}

/* One polyline per run of finite values; a lone value also gets a dot,
 * as a one-point line is invisible. */
static void
series(struct html *h, const struct scale *sc, const struct svg_spark *s)
{
	size_t i = 0;

	while (i < s->n) {
		size_t start;

		for (; i < s->n && !isfinite(s->values[i]); i++)
			;
		if (i == s->n)
			break;
		start = i;
		html_rawf(h, "<polyline class=\"line\" %s points=\"",
		    paint("line"));
		for (; i < s->n && isfinite(s->values[i]); i++)
			html_rawf(h, "%s%.2f,%.2f", i == start ? "" : " ",
			    xpos(sc, (double)i), ypos(sc, s->values[i]));
		html_raw(h, "\"/>");
		if (i - start == 1)
			html_rawf(h, "<circle class=\"lone\" %s cx=\"%.2f\" "
			    "cy=\"%.2f\" r=\"1.5\"/>", paint("lone"), xpos(sc, (double)start),
			    ypos(sc, s->values[start]));
	}
}

static const char *
light_class(enum status_light l)
{
	switch (l) {
	case STATUS_GREEN:
		return "last g";
	case STATUS_YELLOW:
		return "last y";
	case STATUS_RED:
		return "last r";
	default:
		return "last n";
	}
}

void
svg_sparkline(struct html *h, const struct svg_spark *s)
{
	struct scale sc;
	size_t last = s->n;

	make_scale(s, &sc);
	for (size_t i = s->n; i-- > 0;)
		if (isfinite(s->values[i])) {
			last = i;
			break;
		}
	html_rawf(h, "<svg class=\"spark\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"",
	    s->width, s->height, s->width, s->height);
	html_attr(h, "aria-label", s->label);
	html_raw(h, "><title>");
	html_text(h, s->label);
	html_raw(h, "</title>");
	if (s->t != NULL) {
		band(h, &sc, &s->t->green, "band-green");
		band(h, &sc, &s->t->red, "band-red");
	}
	hline(h, &sc, s->mean, "spc-mean");
	hline(h, &sc, s->lcl, "spc-limit");
	hline(h, &sc, s->ucl, "spc-limit");
	series(h, &sc, s);
	if (last < s->n) {
		if (projecting(s))
			html_rawf(h, "<line class=\"projection\" %s x1=\"%.2f\" "
			    "y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>",
			    paint("projection"), xpos(&sc, (double)last), ypos(&sc, s->values[last]),
			    xpos(&sc, (double)(s->n - 1) + s->periods_to_red),
			    ypos(&sc, s->t->red.value));
		html_rawf(h, "<circle class=\"%s\" %s cx=\"%.2f\" cy=\"%.2f\" "
		    "r=\"2.5\"/>", light_class(s->light),
		    paint(light_class(s->light)), xpos(&sc, (double)last),
		    ypos(&sc, s->values[last]));
	}
	html_raw(h, "</svg>");
}
