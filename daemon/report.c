/* report.c - `fragwatch report`: the status board, sparklines, warnings and freshness as one static HTML page. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "daemon/assess.h"
#include "daemon/html.h"
#include "daemon/log.h"
#include "daemon/report.h"
#include "daemon/svg.h"
#include "extractors/value.h"
#include "transforms/catalog.h"
#include "transforms/status.h"
#include "transforms/warning.h"

#define REGION "*"
#define SPARK_W 220
#define SPARK_H 48
#define MAX_REFUSALS 20

/* What the sections share: the queries' results and the day. */
struct report {
	struct db *db;
	const struct conf *c;
	struct html *h;
	char today[16];
	char *area_order, *org_order; /* the config's order, as text[] literals */
	PGresult *trend;              /* trending_fragile rows, or NULL */
	PGresult *board;
	char *err;
	size_t errlen;
};

/* Columns of the trending_fragile query below. */
enum {
	TF_AREA, TF_AREA_NAME, TF_ORG, TF_ORG_NAME, TF_INDICATOR,
	TF_INDICATOR_NAME, TF_LIGHT, TF_DETECTORS, TF_VALUE, TF_SLOPE,
	TF_PERIODS, TF_RED_DATE, TF_EXPLANATION, TF_FIRST, TF_LAST, TF_DATA_END,
};

/* Columns of the board query. */
enum {
	B_AREA, B_AREA_NAME, B_ORG, B_ORG_NAME, B_STATUS, B_SCORE, B_AS_OF,
	B_DRIVERS, B_GREY,
};

static const char CSS[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1a1a1a;margin:24px;max-width:1400px}"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;"
    "border-bottom:1px solid #ccc;padding-bottom:2px}"
    "h3{font-size:15px;margin:18px 0 4px}"
    ".meta,.note{color:#555;font-size:12px}"
    "table{border-collapse:collapse}"
    "th,td{padding:3px 6px;text-align:left;vertical-align:top}"
    "table.list td,table.list th{border-bottom:1px solid #e2e2e2}"
    "table.board th.org{writing-mode:vertical-rl;transform:rotate(180deg);"
    "font-weight:600;white-space:nowrap;padding:4px 2px}"
    "table.board th.area{font-weight:normal;white-space:nowrap}"
    "td.cell{width:30px;height:24px;text-align:center;font-weight:700;"
    "border:1px solid #fff;font-family:ui-monospace,Menlo,Consolas,monospace}"
    "td.region{border-left:3px solid #333}"
    ".s-green{background:#1b7a2e;color:#fff}"
    ".s-yellow{background:#f2c12e;color:#000}"
    ".s-red{background:#c62828;color:#fff}"
    ".s-grey{background:#bdbdbd;color:#000}"
    ".s-none{background:#f4f4f4;color:#888}"
    ".warn{font-size:10px;vertical-align:super}"
    "span.light{display:inline-block;min-width:18px;text-align:center;"
    "font-weight:700;font-family:ui-monospace,Menlo,Consolas,monospace}"
    ".sparks{display:flex;flex-wrap:wrap;gap:10px 18px}"
    "figure{margin:0}figcaption{font-size:12px;color:#333;max-width:230px}"
    ".stale{color:#b00020;font-weight:700}"
    ".legend span.light{margin-right:4px}.legend{margin:8px 0}"
    "@media print{body{margin:8mm}h2{break-after:avoid}}";

/* A text[] literal of the codes, each quoted, for array_position(). */
static char *
array_literal(const struct conf_code *v, size_t n)
{
	size_t len = 3;
	char *s, *p;

	for (size_t i = 0; i < n; i++)
		len += 2 * strlen(v[i].code) + 3;
	if ((p = s = malloc(len)) == NULL)
		return NULL;
	*p++ = '{';
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		*p++ = '"';
		for (const char *q = v[i].code; *q != '\0'; q++) {
			if (*q == '"' || *q == '\\')
				*p++ = '\\';
			*p++ = *q;
		}
		*p++ = '"';
	}
	*p++ = '}';
	*p = '\0';
	return s;
}

static int
query(struct report *r, const char *sql, int n, const char *const *params,
    PGresult **out)
{
	return db_query(r->db, sql, n, params, out, r->err, r->errlen) < 0 ?
	    -EREMOTEIO : 0;
}

static const char *
value_or_null(PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static enum status_light
light_of(const char *name)
{
	enum status_light l;

	if (name == NULL || status_light_from_name(name, &l) < 0)
		return STATUS_GREY;
	return l;
}

/* A coloured, lettered light; the letter and the label carry the meaning
 * without the colour. */
static void
light_span(struct html *h, const char *status)
{
	enum status_light l = light_of(status);

	html_rawf(h, "<span class=\"light s-%s\" title=\"%s\">%c</span>",
	    status_light_name(l), status_light_name(l), status_light_letter(l));
}

/* A value in the indicator's unit: shares as percentages. */
static void
put_value(struct html *h, const char *code, const char *text)
{
	int ci = code != NULL ? catalog_find(code) : -1;
	bool share = ci < 0 ? code != NULL && strcmp(code, "composite") == 0 :
	    catalog[ci].is_share;

	if (text == NULL || text[0] == '\0')
		html_raw(h, "–");
	else if (share)
		html_textf(h, "%.1f %%", 100 * strtod(text, NULL));
	else
		html_textf(h, "%.2f", strtod(text, NULL));
}

static bool
is_warned(const struct report *r, const char *area, const char *org)
{
	if (r->trend == NULL)
		return false;
	for (int i = 0; i < PQntuples(r->trend); i++)
		if (strcmp(PQgetvalue(r->trend, i, TF_AREA), area) == 0 &&
		    strcmp(PQgetvalue(r->trend, i, TF_ORG), org) == 0)
			return true;
	return false;
}

static int
load_trending(struct report *r)
{
	const char *params[1] = { r->c->timezone };
	PGresult *res = NULL;
	bool exists;
	int rc;

	rc = query(r, "SELECT to_regclass('fragwatch.trending_fragile') IS NOT "
	    "NULL", 0, NULL, &res);
	if (rc < 0)
		return rc;
	exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!exists)
		return 0;
	return query(r, "SELECT area, area_name, org, org_name, indicator, "
	    "indicator_name, light, detectors, value, slope, periods_to_red, "
	    "red_date, explanation, to_char(first_seen AT TIME ZONE $1, "
	    "'YYYY-MM-DD HH24:MI'), to_char(last_seen AT TIME ZONE $1, "
	    "'YYYY-MM-DD HH24:MI'), data_end FROM fragwatch.trending_fragile "
	    "ORDER BY periods_to_red NULLS LAST, area, org, indicator", 1, params,
	    &r->trend);
}

static void
cell_label(struct report *r, int i, char *buf, size_t size)
{
	PGresult *b = r->board;
	const char *st = value_or_null(b, i, B_STATUS);
	int len;

	if (st == NULL) {
		snprintf(buf, size, "%s, %s: no data", PQgetvalue(b, i, B_AREA_NAME),
		    PQgetvalue(b, i, B_ORG_NAME));
		return;
	}
	len = snprintf(buf, size, "%s, %s: %s", PQgetvalue(b, i, B_AREA_NAME),
	    PQgetvalue(b, i, B_ORG_NAME), st);
	if (!PQgetisnull(b, i, B_SCORE) && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len, ", score %.0f %%",
		    100 * strtod(PQgetvalue(b, i, B_SCORE), NULL));
	if (len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len, ", as of %s",
		    PQgetvalue(b, i, B_AS_OF));
	if (!PQgetisnull(b, i, B_DRIVERS) && len > 0 && (size_t)len < size)
		len += snprintf(buf + len, size - (size_t)len, "; worse: %s",
		    PQgetvalue(b, i, B_DRIVERS));
	if (!PQgetisnull(b, i, B_GREY) && len > 0 && (size_t)len < size)
		snprintf(buf + len, size - (size_t)len, "; %s",
		    PQgetvalue(b, i, B_GREY));
}

/* The board: one row per area, one cell per organisation and region-wide,
 * from one query over areas x (organisations + region). */
static int
section_board(struct report *r)
{
	const char *params[2] = { r->area_order, r->org_order };
	struct html *h = r->h;
	PGresult *b;
	int rc, n, ncols = 0;
	char label[1024];

	rc = query(r, "SELECT a.code, a.name, o.code, o.name, s.status, s.score, "
	    "s.as_of, s.drivers, s.grey_reason FROM fragwatch.areas a CROSS JOIN "
	    "(SELECT code, name, 0 AS k FROM fragwatch.organisations UNION ALL "
	    "SELECT '*', 'Region', 1) o LEFT JOIN fragwatch.status_board s ON "
	    "s.area = a.code AND s.org = o.code ORDER BY "
	    "array_position($1::text[], a.code) NULLS LAST, a.code, o.k, "
	    "array_position($2::text[], o.code) NULLS LAST, o.code", 2, params,
	    &r->board);
	if (rc < 0)
		return rc;
	b = r->board;
	n = PQntuples(b);
	/* The columns are the first area's cells. */
	while (ncols < n && strcmp(PQgetvalue(b, ncols, B_AREA),
	    PQgetvalue(b, 0, B_AREA)) == 0)
		ncols++;
	html_raw(h, "<h2 id=\"board\">Status board</h2>\n");
	html_raw(h, "<p class=\"legend\"><span class=\"light s-green\">G</span>"
	    "green: target met &nbsp; <span class=\"light s-yellow\">Y</span>"
	    "yellow: partly met &nbsp; <span class=\"light s-red\">R</span>red: "
	    "not met &nbsp; <span class=\"light s-grey\">-</span>grey: unknown "
	    "(missing, stale or too few cases) &nbsp; <span class=\"light "
	    "s-none\">·</span>no data &nbsp; ▲ trending fragile (an early "
	    "warning is active)</p>\n");
	if (n == 0) {
		html_raw(h, "<p>No areas yet: run <code>fragwatch run</code> "
		    "first.</p>\n");
		return 0;
	}
	html_raw(h, "<table class=\"board\"><thead><tr><th>Area</th>");
	for (int j = 0; j < ncols; j++) {
		html_raw(h, "<th class=\"org\" scope=\"col\"");
		html_attr(h, "title", PQgetvalue(b, j, B_ORG_NAME));
		html_raw(h, ">");
		html_text(h, strcmp(PQgetvalue(b, j, B_ORG), REGION) == 0 ?
		    "Region" : PQgetvalue(b, j, B_ORG));
		html_raw(h, "</th>");
	}
	html_raw(h, "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < n; i++) {
		const char *area = PQgetvalue(b, i, B_AREA);
		const char *org = PQgetvalue(b, i, B_ORG);
		const char *st = value_or_null(b, i, B_STATUS);
		bool region = strcmp(org, REGION) == 0;
		bool first = i == 0 || strcmp(PQgetvalue(b, i - 1, B_AREA), area) != 0;

		if (first) {
			html_raw(h, "<tr><th class=\"area\" scope=\"row\">");
			html_text(h, PQgetvalue(b, i, B_AREA_NAME));
			html_raw(h, " <span class=\"meta\">");
			html_text(h, area);
			html_raw(h, "</span></th>");
		}
		cell_label(r, i, label, sizeof(label));
		html_rawf(h, "<td class=\"cell s-%s%s\"", st == NULL ? "none" :
		    status_light_name(light_of(st)), region ? " region" : "");
		html_attr(h, "data-area", area);
		html_attr(h, "data-org", org);
		html_attr(h, "data-status", st != NULL ? st : "none");
		html_attr(h, "title", label);
		html_attr(h, "aria-label", label);
		html_rawf(h, ">%s", st == NULL ? "·" :
		    (char[2]){ status_light_letter(light_of(st)), '\0' });
		if (is_warned(r, area, org))
			html_raw(h, "<span class=\"warn\" title=\"trending "
			    "fragile\">▲</span>");
		html_raw(h, "</td>");
		if (i + 1 == n || strcmp(PQgetvalue(b, i + 1, B_AREA), area) != 0)
			html_raw(h, "</tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
	return 0;
}

static void
section_trending(struct report *r)
{
	struct html *h = r->h;
	PGresult *t = r->trend;

	html_raw(h, "<h2 id=\"trending\">Trending fragile</h2>\n");
	if (t == NULL) {
		html_raw(h, "<p class=\"note\">Early warnings are not in this "
		    "database yet.</p>\n");
		return;
	}
	if (PQntuples(t) == 0) {
		html_raw(h, "<p>No area is trending fragile.</p>\n");
		return;
	}
	html_raw(h, "<table class=\"list trending\"><thead><tr><th>Area</th>"
	    "<th>Organisation</th><th>Indicator</th><th>Now</th><th>Value</th>"
	    "<th>Change per period</th><th>Red in</th><th>Why</th>"
	    "<th>Detectors</th><th>Warned since</th><th>Data to</th>"
	    "</tr></thead>\n<tbody>\n");
	for (int i = 0; i < PQntuples(t); i++) {
		const char *code = PQgetvalue(t, i, TF_INDICATOR);
		const char *slope = value_or_null(t, i, TF_SLOPE);
		int ci = catalog_find(code);
		bool share = ci < 0 || catalog[ci].is_share;

		html_raw(h, "<tr");
		html_attr(h, "data-area", PQgetvalue(t, i, TF_AREA));
		html_attr(h, "data-org", PQgetvalue(t, i, TF_ORG));
		html_raw(h, "><td>");
		html_text(h, PQgetvalue(t, i, TF_AREA_NAME));
		html_raw(h, "</td><td>");
		html_text(h, PQgetvalue(t, i, TF_ORG_NAME));
		html_raw(h, "</td><td>");
		html_text(h, code);
		html_raw(h, " ");
		html_text(h, PQgetvalue(t, i, TF_INDICATOR_NAME));
		html_raw(h, "</td><td>");
		light_span(h, value_or_null(t, i, TF_LIGHT));
		html_raw(h, "</td><td>");
		put_value(h, code, value_or_null(t, i, TF_VALUE));
		html_raw(h, "</td><td>");
		if (slope == NULL)
			html_raw(h, "–");
		else if (share)
			html_textf(h, "%+.2f points", 100 * strtod(slope, NULL));
		else
			html_textf(h, "%+.3f", strtod(slope, NULL));
		html_raw(h, "</td><td>");
		if (PQgetisnull(t, i, TF_PERIODS))
			html_raw(h, "–");
		else
			html_textf(h, "%.1f periods",
			    strtod(PQgetvalue(t, i, TF_PERIODS), NULL));
		if (!PQgetisnull(t, i, TF_RED_DATE)) {
			html_raw(h, "<br>around ");
			html_text(h, PQgetvalue(t, i, TF_RED_DATE));
		}
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(t, i, TF_EXPLANATION));
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(t, i, TF_DETECTORS));
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(t, i, TF_FIRST));
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(t, i, TF_DATA_END));
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
}

/* The active warning's periods to red of one region-wide series, or NaN. */
static double
projection(const struct report *r, const char *area, const char *code)
{
	if (r->trend == NULL)
		return NAN;
	for (int i = 0; i < PQntuples(r->trend); i++)
		if (strcmp(PQgetvalue(r->trend, i, TF_AREA), area) == 0 &&
		    strcmp(PQgetvalue(r->trend, i, TF_ORG), REGION) == 0 &&
		    strcmp(PQgetvalue(r->trend, i, TF_INDICATOR), code) == 0 &&
		    !PQgetisnull(r->trend, i, TF_PERIODS))
			return strtod(PQgetvalue(r->trend, i, TF_PERIODS), NULL);
	return NAN;
}

/* Thresholds in force: the database's (as synced), else the config's. */
static void
threshold(const struct report *r, PGresult *s, int row, const char *area,
    int ci, struct status_threshold *t)
{
	catalog_default_threshold(ci, t);
	for (size_t a = 0; a < r->c->nareas; a++)
		if (strcmp(r->c->areas[a].code, area) == 0)
			*t = r->c->areas[a].thresholds[ci];
	if (!PQgetisnull(s, row, 4) && !PQgetisnull(s, row, 5)) {
		struct status_threshold db = *t;

		if (status_bound_parse(PQgetvalue(s, row, 4), &db.green) == 0 &&
		    status_bound_parse(PQgetvalue(s, row, 5), &db.red) == 0)
			*t = db;
	}
}

/* SPC centre line and limits of the detectors (E1), over the newest run
 * of values without a gap: the detectors take no gaps. */
static void
spc(const double *v, size_t n, const struct status_threshold *t,
    struct svg_spark *s)
{
	struct warning_params p;
	struct warning_verdict w;
	size_t start = n;

	s->mean = s->lcl = s->ucl = NAN;
	while (start > 0 && isfinite(v[start - 1]))
		start--;
	warning_params_default(&p);
	if (n - start < (size_t)p.baseline_min)
		return;
	if (warning_evaluate(v + start, n - start, t, &p, &w) == 0 &&
	    w.enough_data) {
		s->mean = w.mean;
		s->lcl = w.lcl;
		s->ucl = w.ucl;
	}
}

static void
spark(struct report *r, PGresult *s, int from, int to, const char *area,
    int ci, const char *area_name)
{
	struct html *h = r->h;
	struct status_threshold t;
	struct svg_spark sp = { 0 };
	double *v = NULL;
	char label[512];
	int n = to - from;

	html_raw(h, "<figure class=\"spark\"");
	html_attr(h, "data-area", area);
	html_attr(h, "data-code", catalog[ci].code);
	html_rawf(h, " data-periods=\"%d\">", n);
	if (n > 0 && (v = calloc((size_t)n, sizeof(*v))) == NULL)
		n = 0;
	if (n == 0) {
		html_raw(h, "<figcaption>");
		html_text(h, catalog[ci].code);
		html_raw(h, " ");
		html_text(h, catalog[ci].name);
		html_raw(h, ": no data</figcaption></figure>\n");
		free(v);
		return;
	}
	for (int i = 0; i < n; i++)
		v[i] = PQgetisnull(s, from + i, 2) ? NAN :
		    strtod(PQgetvalue(s, from + i, 2), NULL);
	threshold(r, s, from, area, ci, &t);
	sp.values = v;
	sp.n = (size_t)n;
	sp.width = SPARK_W;
	sp.height = SPARK_H;
	sp.t = &t;
	spc(v, (size_t)n, &t, &sp);
	sp.periods_to_red = projection(r, area, catalog[ci].code);
	sp.light = light_of(PQgetvalue(s, to - 1, 3));
	snprintf(label, sizeof(label), "%s region-wide, %s %s, %s to %s", area_name,
	    catalog[ci].code, catalog[ci].name, PQgetvalue(s, from, 6),
	    PQgetvalue(s, to - 1, 6));
	sp.label = label;
	svg_sparkline(h, &sp);
	html_raw(h, "<figcaption>");
	light_span(h, PQgetvalue(s, to - 1, 3));
	html_raw(h, " <b>");
	html_text(h, catalog[ci].code);
	html_raw(h, "</b> ");
	html_text(h, catalog[ci].name);
	html_raw(h, ": ");
	put_value(h, catalog[ci].code, value_or_null(s, to - 1, 2));
	html_raw(h, " (");
	html_text(h, PQgetvalue(s, to - 1, 6));
	html_raw(h, ")");
	if (isfinite(sp.periods_to_red))
		html_textf(h, "; red in about %.1f periods", sp.periods_to_red);
	html_raw(h, "</figcaption></figure>\n");
	free(v);
}

/* Per area, a sparkline of each weighted-2 indicator region-wide over the
 * last two years: one query, rows ordered by area, code and period. */
static int
section_sparks(struct report *r)
{
	char codes[64] = "{";
	const char *params[2] = { codes, r->today };
	struct html *h = r->h;
	PGresult *s = NULL, *b = r->board;
	int rc, n, row = 0;

	for (int ci = 0; ci < CATALOG_COUNT; ci++)
		if (catalog[ci].weight == 2) {
			if (codes[1] != '\0')
				strncat(codes, ",", sizeof(codes) - strlen(codes) - 1);
			strncat(codes, catalog[ci].code, sizeof(codes) -
			    strlen(codes) - 1);
		}
	strncat(codes, "}", sizeof(codes) - strlen(codes) - 1);
	rc = query(r, "SELECT area, code, value, status, green, red, period FROM "
	    "fragwatch.indicator_series WHERE org = '*' AND code = ANY($1::text[]) "
	    "AND period >= $2::date - interval '2 years' AND period <= $2::date "
	    "ORDER BY area, code, period", 2, params, &s);
	if (rc < 0)
		return rc;
	n = PQntuples(s);
	html_raw(h, "<h2 id=\"areas\">Areas over the last two years</h2>\n"
	    "<p class=\"note\">Region-wide, one point per period. Green and red "
	    "bands: the thresholds; grey lines: the SPC centre line (solid) and "
	    "limits (dashed); red dashes: the projection to red of an active "
	    "warning; the last point's colour is its light.</p>\n");
	for (int i = 0; i < PQntuples(b); i++) {
		const char *area = PQgetvalue(b, i, B_AREA);

		if (i > 0 && strcmp(PQgetvalue(b, i - 1, B_AREA), area) == 0)
			continue;
		html_raw(h, "<section class=\"area\"");
		html_attr(h, "data-area", area);
		html_raw(h, "><h3>");
		html_text(h, PQgetvalue(b, i, B_AREA_NAME));
		html_raw(h, " <span class=\"meta\">");
		html_text(h, area);
		html_raw(h, "</span></h3><div class=\"sparks\">\n");
		for (int ci = 0; ci < CATALOG_COUNT; ci++) {
			int from, to;

			if (catalog[ci].weight != 2)
				continue;
			/* Rows are sorted, but by the database's collation:
			 * look for the block rather than assume our order. */
			for (row = 0; row < n && !(strcmp(PQgetvalue(s, row, 0),
			    area) == 0 && strcmp(PQgetvalue(s, row, 1),
			    catalog[ci].code) == 0); row++)
				;
			for (from = to = row; to < n && strcmp(PQgetvalue(s, to,
			    0), area) == 0 && strcmp(PQgetvalue(s, to, 1),
			    catalog[ci].code) == 0; to++)
				;
			spark(r, s, from, to, area, ci, PQgetvalue(b, i,
			    B_AREA_NAME));
		}
		html_raw(h, "</div></section>\n");
	}
	PQclear(s);
	return 0;
}

/* Freshness against the region's today (not the server's), as `status`. */
static int
section_freshness(struct report *r)
{
	const char *params[2] = { r->today, r->c->timezone };
	struct html *h = r->h;
	PGresult *s = NULL;
	int rc;

	rc = query(r, "SELECT s.name, s.kind, s.max_age_days, x.status, "
	    "to_char(x.finished_at AT TIME ZONE $2, 'YYYY-MM-DD HH24:MI'), "
	    "l.period_to, greatest(0, $1::date - l.data_end), "
	    "coalesce($1::date - l.data_end > s.max_age_days, true), x.error "
	    "FROM fragwatch.sources s LEFT JOIN LATERAL (SELECT period_to, "
	    "data_end FROM fragwatch.runs r WHERE r.source = s.name AND r.status "
	    "IN ('ok', 'ok_with_rejects', 'stale') ORDER BY id DESC LIMIT 1) l ON "
	    "true LEFT JOIN LATERAL (SELECT status, finished_at, error FROM "
	    "fragwatch.runs r WHERE r.source = s.name ORDER BY id DESC LIMIT 1) x "
	    "ON true ORDER BY s.name", 2, params, &s);
	if (rc < 0)
		return rc;
	html_raw(h, "<h2 id=\"freshness\">Data freshness</h2>\n<table "
	    "class=\"list freshness\"><thead><tr><th>Source</th><th>Kind</th>"
	    "<th>Last run</th><th>Outcome</th><th>Newest period</th><th>Age</th>"
	    "<th></th><th>Error</th></tr></thead>\n<tbody>\n");
	for (int i = 0; i < PQntuples(s); i++) {
		bool stale = strcmp(PQgetvalue(s, i, 7), "t") == 0;

		html_raw(h, "<tr");
		html_attr(h, "data-source", PQgetvalue(s, i, 0));
		html_raw(h, "><td>");
		html_text(h, PQgetvalue(s, i, 0));
		html_raw(h, "</td><td>");
		html_text(h, PQgetvalue(s, i, 1));
		html_raw(h, "</td><td>");
		html_text(h, PQgetisnull(s, i, 4) ? "never" : PQgetvalue(s, i, 4));
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(s, i, 3));
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(s, i, 5));
		html_raw(h, "</td><td>");
		if (!PQgetisnull(s, i, 6)) {
			html_text(h, PQgetvalue(s, i, 6));
			html_raw(h, " d (max ");
			html_text(h, PQgetvalue(s, i, 2));
			html_raw(h, ")");
		}
		html_raw(h, "</td><td>");
		if (stale)
			html_raw(h, "<span class=\"stale\" title=\"older than the "
			    "source's max_age_days: its indicators are grey\">⚠ "
			    "STALE</span>");
		html_raw(h, "</td><td>");
		html_text(h, value_or_null(s, i, 8));
		html_raw(h, "</td></tr>\n");
	}
	html_raw(h, "</tbody></table>\n");
	PQclear(s);
	return 0;
}

static int
section_refusals(struct report *r)
{
	char limit[16];
	const char *params[2] = { r->c->timezone, limit };
	struct html *h = r->h;
	PGresult *s = NULL;
	int rc;

	snprintf(limit, sizeof(limit), "%d", MAX_REFUSALS);
	rc = query(r, "SELECT run_id, source, to_char(started_at AT TIME ZONE $1, "
	    "'YYYY-MM-DD HH24:MI'), error FROM fragwatch.run_log WHERE status = "
	    "'refused' ORDER BY run_id DESC LIMIT $2::int", 2, params, &s);
	if (rc < 0)
		return rc;
	html_raw(h, "<h2 id=\"refusals\">Latest refusals</h2>\n");
	if (PQntuples(s) == 0)
		html_raw(h, "<p>No extract has been refused.</p>\n");
	else {
		html_rawf(h, "<p class=\"note\">Extracts refused whole (the "
		    "previous data stand); the newest %d.</p>\n<table class=\"list "
		    "refusals\"><thead><tr><th>Run</th><th>Source</th><th>Started"
		    "</th><th>Why</th></tr></thead>\n<tbody>\n", MAX_REFUSALS);
		for (int i = 0; i < PQntuples(s); i++) {
			html_raw(h, "<tr><td>");
			html_text(h, PQgetvalue(s, i, 0));
			html_raw(h, "</td><td>");
			html_text(h, PQgetvalue(s, i, 1));
			html_raw(h, "</td><td>");
			html_text(h, PQgetvalue(s, i, 2));
			html_raw(h, "</td><td>");
			html_text(h, value_or_null(s, i, 3));
			html_raw(h, "</td></tr>\n");
		}
		html_raw(h, "</tbody></table>\n");
	}
	PQclear(s);
	return 0;
}

int
report_html(struct db *db, const struct conf *c, FILE *f, char *err,
    size_t errlen)
{
	struct report r = { .db = db, .c = c, .err = err, .errlen = errlen };
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int rc = -ENOMEM, wrc;

	value_format_date(assess_today(c), r.today, sizeof(r.today));
	r.area_order = array_literal(c->areas, c->nareas);
	r.org_order = array_literal(c->orgs, c->norgs);
	if (r.area_order == NULL || r.org_order == NULL ||
	    (r.h = html_new(f)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((rc = load_trending(&r)) < 0)
		goto out;
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M %Z", localtime_r(&now, &tm));
	html_raw(r.h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-"
	    "width, initial-scale=1\"><title>fragwatch report ");
	html_text(r.h, r.today);
	html_raw(r.h, "</title><style>");
	html_raw(r.h, CSS);
	html_raw(r.h, "</style></head>\n<body>\n<h1>Fragility of the care areas"
	    "</h1>\n<p class=\"meta\">As of ");
	html_text(r.h, r.today);
	html_raw(r.h, " · written ");
	html_text(r.h, stamp);
	html_raw(r.h, " by fragwatch ");
	html_text(r.h, FRAGWATCH_VERSION);
	html_raw(r.h, " · <a href=\"#board\">board</a> · <a href=\"#trending\">"
	    "trending fragile</a> · <a href=\"#areas\">areas</a> · <a href="
	    "\"#freshness\">freshness</a> · <a href=\"#refusals\">refusals</a>"
	    "</p>\n");
	if ((rc = section_board(&r)) < 0)
		goto out;
	section_trending(&r);
	if ((rc = section_sparks(&r)) < 0 || (rc = section_freshness(&r)) < 0 ||
	    (rc = section_refusals(&r)) < 0)
		goto out;
	html_raw(r.h, "</body></html>\n");
out:
	wrc = html_close(r.h);
	if (rc == 0 && wrc < 0) {
		rc = wrc;
		snprintf(err, errlen, "%s", strerror(-wrc));
	}
	PQclear(r.trend);
	PQclear(r.board);
	free(r.area_order);
	free(r.org_order);
	return rc;
}

int
report_write(struct db *db, const struct conf *c, const char *path,
    char *err, size_t errlen)
{
	char *tmp = NULL, *copy = NULL;
	FILE *f = NULL;
	int fd = -1, rc;
	char msg[512];

	if ((copy = strdup(path)) == NULL ||
	    asprintf(&tmp, "%s/.%s.XXXXXX", dirname(copy), "report") < 0) {
		tmp = NULL;
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0644) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		rc = -errno;
		snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	rc = report_html(db, c, f, msg, sizeof(msg));
	if (rc < 0)
		snprintf(err, errlen, "%s", msg);
	if (fclose(f) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, path,
		    strerror(errno));
	}
	if (rc < 0)
		unlink(tmp);
out:
	free(tmp);
	free(copy);
	return rc;
}

static void
report_usage(void)
{
	fprintf(stderr, "usage: fragwatch report -o FILE.html   (-o - for "
	    "standard output)\n");
}

int
report_command(struct db *db, const struct conf *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL;
	char err[512];
	int ch, rc;

	optind = 0; /* getopt_long is reset for the subcommand's arguments */
	opterr = 1;
	while ((ch = getopt_long(argc + 1, argv - 1, "o:", longopts, NULL)) !=
	    -1) {
		if (ch != 'o') {
			report_usage();
			return 2;
		}
		out = optarg;
	}
	if (out == NULL || optind != argc + 1) {
		report_usage();
		return 2;
	}
	if (strcmp(out, "-") == 0)
		rc = report_html(db, c, stdout, err, sizeof(err));
	else
		rc = report_write(db, c, out, err, sizeof(err));
	if (rc == -EREMOTEIO) {
		log_msg(LOG_ERR, "cannot read the report's data: %s", err);
		return 4;
	}
	if (rc < 0) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	return 0;
}
