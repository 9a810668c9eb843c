/* test_svg.c - unit tests of svg.c: points per value, NaN gaps, bands, SPC lines and the projection, against the geometry computed here. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/html.h"
#include "daemon/svg.h"

#define W 200
#define H 50

static char *
render(const struct svg_spark *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct html *h;

	assert_non_null(f);
	h = html_new(f);
	svg_sparkline(h, s);
	assert_int_equal(html_close(h), 0);
	fclose(f);
	return buf;
}

static int
count(const char *svg, const char *needle)
{
	int n = 0;

	for (const char *p = svg; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

/* Points in every <polyline class="line">, summed; per line in runs[]. */
static int
points(const char *svg, int *runs, int maxruns, int *nruns)
{
	int total = 0;

	*nruns = 0;
	for (const char *p = svg; (p = strstr(p, "<polyline class=\"line\"")) !=
	    NULL; p++) {
		const char *q = strstr(p, "points=\""), *end;
		int k = 0;

		assert_non_null(q);
		q += strlen("points=\"");
		end = strchr(q, '"');
		for (const char *c = q; c < end; c++)
			k += *c == ',';
		if (*nruns < maxruns)
			runs[*nruns] = k;
		(*nruns)++;
		total += k;
	}
	return total;
}

/* The numeric attribute name="..." of the first element starting with
 * tag (e.g. "<rect class=\"band-green\""). */
static double
attr(const char *svg, const char *tag, const char *name)
{
	const char *p = strstr(svg, tag), *end;
	char key[32];

	assert_non_null(p);
	end = strchr(p, '>');
	snprintf(key, sizeof(key), " %s=\"", name);
	p = strstr(p, key);
	assert_non_null(p);
	assert_true(p < end);
	return strtod(p + strlen(key), NULL);
}

/* Reference geometry, written from the rule in svg.h. */
struct ref {
	double lo, hi;
};

static double
ref_y(const struct ref *r, double v)
{
	return SVG_PAD + (r->hi - v) / (r->hi - r->lo) * (H - 2.0 * SVG_PAD);
}

static void
test_one_point_per_value(void **state)
{
	double v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct svg_spark s = { v, 10, W, H, NULL, NAN, NAN, NAN, NAN,
		STATUS_GREEN, "Q1" };
	int runs[4], nruns;
	char *out = render(&s);

	(void)state;
	assert_int_equal(points(out, runs, 4, &nruns), 10);
	assert_int_equal(nruns, 1);
	assert_int_equal(count(out, "<circle class=\"last g\""), 1);
	assert_int_equal(count(out, "<rect"), 0);
	assert_int_equal(count(out, "projection"), 0);
	assert_int_equal(count(out, "spc-"), 0);
	assert_non_null(strstr(out, "viewBox=\"0 0 200 50\""));
	/* First point at the left edge of the plot, the last at the right;
	 * values 1..10 widened by 5 % of 9 = 0.45: 10 at
	 * 3 + 0.45 / 9.9 * 44 = 5.00. */
	assert_non_null(strstr(out, "points=\"3.00,"));
	assert_non_null(strstr(out, " 197.00,5.00\""));
	free(out);
}

static void
test_nan_gaps_split_the_line(void **state)
{
	double v[8] = { 1, 2, NAN, 3, NAN, NAN, 4, 5 };
	struct svg_spark s = { v, 8, W, H, NULL, NAN, NAN, NAN, NAN,
		STATUS_RED, "gaps" };
	int runs[4], nruns;
	char *out = render(&s);

	(void)state;
	assert_int_equal(points(out, runs, 4, &nruns), 5);
	assert_int_equal(nruns, 3);
	assert_int_equal(runs[0], 2);
	assert_int_equal(runs[1], 1);
	assert_int_equal(runs[2], 2);
	/* The lone value 3 at period 3 has a dot: x = 3 + 3 * 194 / 7. */
	assert_int_equal(count(out, "<circle class=\"lone\""), 1);
	assert_true(fabs(attr(out, "<circle class=\"lone\"", "cx") -
	    (3 + 3 * 194.0 / 7)) < 0.006);
	assert_int_equal(count(out, "<circle class=\"last r\""), 1);
	free(out);
}

static void
test_trailing_gap_and_all_missing(void **state)
{
	double v[4] = { 2, 4, NAN, NAN }, none[3] = { NAN, NAN, NAN };
	struct svg_spark s = { v, 4, W, H, NULL, NAN, NAN, NAN, NAN,
		STATUS_GREY, "x" };
	int runs[4], nruns;
	char *out = render(&s);

	(void)state;
	/* The newest value is the 4 at period 1: x = 3 + 1 * 194 / 3. */
	assert_int_equal(points(out, runs, 4, &nruns), 2);
	assert_true(fabs(attr(out, "<circle class=\"last n\"", "cx") -
	    (3 + 194.0 / 3)) < 0.006);
	free(out);
	s.values = none;
	s.n = 3;
	out = render(&s);
	assert_int_equal(points(out, runs, 4, &nruns), 0);
	assert_int_equal(count(out, "<circle"), 0);
	assert_non_null(strstr(out, "</svg>"));
	free(out);
	s.n = 0;
	out = render(&s);
	assert_int_equal(count(out, "<polyline"), 0);
	free(out);
}

static void
test_single_value_is_centred(void **state)
{
	double v[1] = { 0.5 };
	struct svg_spark s = { v, 1, W, H, NULL, NAN, NAN, NAN, NAN,
		STATUS_YELLOW, "one" };
	int runs[2], nruns;
	char *out = render(&s);

	(void)state;
	assert_int_equal(points(out, runs, 2, &nruns), 1);
	/* lo = hi: moved 0.5 apart, 0.5 sits in the middle: y = 25. */
	assert_non_null(strstr(out, "points=\"100.00,25.00\""));
	free(out);
}

/* Q1-like (lower is worse): green >= 0.80, red < 0.70. */
static void
test_bands_lower_is_worse(void **state)
{
	static const struct status_threshold t = { false,
		{ STATUS_OP_GE, 0.80 }, { STATUS_OP_LT, 0.70 } };
	double v[5] = { 0.95, 0.90, 0.75, 0.66, 0.60 };
	struct svg_spark s = { v, 5, W, H, &t, NAN, NAN, NAN, NAN,
		STATUS_RED, "Q1" };
	struct ref r;
	char *out = render(&s);

	(void)state;
	/* Values and bounds span 0.60..0.95; margin 0.0175: 0.5825..0.9675. */
	r.lo = 0.60 - 0.05 * 0.35;
	r.hi = 0.95 + 0.05 * 0.35;
	/* Green band: 0.80..hi, from the top (y 3) down to y(0.80) = 22.14. */
	assert_true(fabs(ref_y(&r, 0.80) - 22.1429) < 0.001);
	assert_true(fabs(attr(out, "<rect class=\"band-green\"", "y") - 3) < 0.006);
	assert_true(fabs(attr(out, "<rect class=\"band-green\"", "height") -
	    (ref_y(&r, 0.80) - 3)) < 0.011);
	/* Red band: lo..0.70, from y(0.70) = 33.57 down to the bottom (47). */
	assert_true(fabs(attr(out, "<rect class=\"band-red\"", "y") -
	    ref_y(&r, 0.70)) < 0.006);
	assert_true(fabs(attr(out, "<rect class=\"band-red\"", "height") -
	    (47 - ref_y(&r, 0.70))) < 0.011);
	assert_true(fabs(attr(out, "<rect class=\"band-red\"", "width") - 194) <
	    0.006);
	free(out);
}

/* Q3-like (higher is worse), values well inside green: the bands reach
 * out to the bounds, which widen the domain. */
static void
test_bands_higher_is_worse(void **state)
{
	static const struct status_threshold t = { true,
		{ STATUS_OP_LT, 0.8 }, { STATUS_OP_GE, 1.0 } };
	double v[3] = { 0.3, 0.4, 0.5 };
	struct svg_spark s = { v, 3, W, H, &t, NAN, NAN, NAN, NAN,
		STATUS_GREEN, "Q3" };
	struct ref r = { 0.3 - 0.035, 1.0 + 0.035 };
	char *out = render(&s);

	(void)state;
	/* Green: lo..0.8 -> y(0.8) to the bottom; red: 1.0..hi -> top to y(1.0). */
	assert_true(fabs(attr(out, "<rect class=\"band-green\"", "y") -
	    ref_y(&r, 0.8)) < 0.006);
	assert_true(fabs(attr(out, "<rect class=\"band-green\"", "height") -
	    (47 - ref_y(&r, 0.8))) < 0.011);
	assert_true(fabs(attr(out, "<rect class=\"band-red\"", "y") - 3) < 0.006);
	assert_true(fabs(attr(out, "<rect class=\"band-red\"", "height") -
	    (ref_y(&r, 1.0) - 3)) < 0.011);
	/* The 0.5 at period 1 (x = 100). */
	assert_non_null(strstr(out, "100.00,"));
	free(out);
}

static void
test_spc_lines_and_projection(void **state)
{
	static const struct status_threshold t = { true,
		{ STATUS_OP_LT, 0.95 }, { STATUS_OP_GT, 1.05 } };
	double v[5] = { 0.80, 0.85, 0.90, 0.92, 0.97 };
	struct svg_spark s = { v, 5, W, H, &t, 0.88, 0.70, NAN, 2.0,
		STATUS_YELLOW, "R1" };
	/* Domain: 0.70 (lcl) .. 1.05 (red); margin 0.0175. */
	struct ref r = { 0.70 - 0.0175, 1.05 + 0.0175 };
	char *out = render(&s);

	(void)state;
	assert_int_equal(count(out, "<line class=\"spc-mean\""), 1);
	assert_int_equal(count(out, "<line class=\"spc-limit\""), 1); /* no ucl */
	assert_true(fabs(attr(out, "<line class=\"spc-mean\"", "y1") -
	    ref_y(&r, 0.88)) < 0.006);
	assert_true(fabs(attr(out, "<line class=\"spc-limit\"", "y1") -
	    ref_y(&r, 0.70)) < 0.006);
	/* The span is 4 periods plus 2 projected: 194 / 6 px a period; the
	 * projection runs from period 4 at 0.97 to period 6 at the red bound. */
	assert_int_equal(count(out, "<line class=\"projection\""), 1);
	assert_true(fabs(attr(out, "<line class=\"projection\"", "x1") -
	    (3 + 4 * 194.0 / 6)) < 0.006);
	assert_true(fabs(attr(out, "<line class=\"projection\"", "y1") -
	    ref_y(&r, 0.97)) < 0.006);
	assert_true(fabs(attr(out, "<line class=\"projection\"", "x2") - 197) <
	    0.006);
	assert_true(fabs(attr(out, "<line class=\"projection\"", "y2") -
	    ref_y(&r, 1.05)) < 0.006);
	free(out);
	/* No thresholds: no projection even when asked. */
	s.t = NULL;
	out = render(&s);
	assert_int_equal(count(out, "projection"), 0);
	free(out);
}

static void
test_label_is_escaped(void **state)
{
	double v[2] = { 1, 2 };
	struct svg_spark s = { v, 2, W, H, NULL, NAN, NAN, NAN, NAN,
		STATUS_GREEN, "<script>alert('x')</script> & Öga" };
	char *out = render(&s);

	(void)state;
	assert_null(strstr(out, "<script>"));
	assert_non_null(strstr(out, "<title>&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt; &amp; Öga</title>"));
	assert_non_null(strstr(out, "aria-label=\"&lt;script&gt;"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_point_per_value),
		cmocka_unit_test(test_nan_gaps_split_the_line),
		cmocka_unit_test(test_trailing_gap_and_all_missing),
		cmocka_unit_test(test_single_value_is_centred),
		cmocka_unit_test(test_bands_lower_is_worse),
		cmocka_unit_test(test_bands_higher_is_worse),
		cmocka_unit_test(test_spc_lines_and_projection),
		cmocka_unit_test(test_label_is_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
