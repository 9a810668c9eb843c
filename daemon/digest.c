/* digest.c - one recipient's pending alerts as one message: subject, plain text, HTML table, webhook fields (pure). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/digest.h"
#include "daemon/html.h"
#include "transforms/catalog.h"
#include "transforms/status.h"

static bool
is_share(const char *code)
{
	int i;

	if (code == NULL)
		return false;
	if (strcmp(code, "composite") == 0)
		return true;
	return (i = catalog_find(code)) >= 0 && catalog[i].is_share;
}

void
digest_value(const char *code, double v, char *buf, size_t size)
{
	if (isnan(v) || isinf(v))
		snprintf(buf, size, "-");
	else if (is_share(code))
		snprintf(buf, size, "%.1f %%", 100 * v);
	else if (v == floor(v) && fabs(v) < 1e9)
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.2f", v);
}

void
digest_bound(const char *code, const char *bound, char *buf, size_t size)
{
	static const char *const ops[] = { "<", "<=", ">", ">=" };
	struct status_bound b;
	char num[32];

	if (bound == NULL) {
		snprintf(buf, size, "-");
		return;
	}
	if (status_bound_parse(bound, &b) < 0 || b.op < STATUS_OP_LT ||
	    b.op > STATUS_OP_GE) {
		snprintf(buf, size, "%s", bound);
		return;
	}
	digest_value(code, b.value, num, sizeof(num));
	snprintf(buf, size, "%s %s", ops[b.op], num);
}

/* Members of a details object; NULL / NaN when absent or null. */
static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *
kind_label(const char *kind)
{
	if (strcmp(kind, "red") == 0)
		return "red";
	if (strcmp(kind, "warning") == 0)
		return "early warning";
	if (strcmp(kind, "resolved") == 0)
		return "resolved";
	if (strcmp(kind, "data") == 0)
		return "data problem";
	if (strcmp(kind, "dead") == 0)
		return "undeliverable";
	return kind;
}

/* "3 alerts: 1 red, 2 early warnings". */
static void
subject_of(const struct digest_item *v, size_t n, char *buf, size_t size)
{
	static const char *const kinds[] = { "red", "data", "dead", "warning",
		"resolved" };
	size_t len;

	if (n == 1) {
		snprintf(buf, size, "fragwatch: %s", v[0].title);
		return;
	}
	len = (size_t)snprintf(buf, size, "fragwatch: %zu alerts:", n);
	for (size_t k = 0, first = 1; k < sizeof(kinds) / sizeof(kinds[0]);
	    k++) {
		size_t count = 0;

		for (size_t i = 0; i < n; i++)
			count += strcmp(v[i].kind, kinds[k]) == 0;
		if (count == 0 || len >= size)
			continue;
		len += (size_t)snprintf(buf + len, size - len, "%s %zu %s%s",
		    first ? "" : ",", count, kind_label(kinds[k]),
		    count > 1 && strcmp(kinds[k], "warning") == 0 ? "s" : "");
		first = 0;
	}
}

/* The lines under one alert's title: facts an owner can act on. Each
 * line goes to fn (text, chat and HTML list alike). */
static void
facts(const struct digest_item *it, void (*fn)(void *arg, const char *line),
    void *arg)
{
	const json_t *d = it->details;
	const char *code = str(d, "indicator"), *s;
	char line[1024], a[64], b[64], c[64];
	double v;

	if (code != NULL && !isnan(v = num(d, "value"))) {
		digest_value(code, v, a, sizeof(a));
		digest_bound(code, str(d, "green"), b, sizeof(b));
		digest_bound(code, str(d, "red"), c, sizeof(c));
		snprintf(line, sizeof(line), "Now: %s %s (%s); target (green) "
		    "%s, red %s", str(d, "indicator_name") ?
		    str(d, "indicator_name") : code, a, str(d, "light") ?
		    str(d, "light") : "?", b, c);
		fn(arg, line);
	}
	if (strcmp(it->kind, "resolved") != 0 &&
	    (s = str(d, "explanation")) != NULL) {
		snprintf(line, sizeof(line), "Trend: %s (detectors %s)", s,
		    str(d, "detectors") ? str(d, "detectors") : "?");
		fn(arg, line);
	}
	if (strcmp(it->kind, "warning") == 0 &&
	    !isnan(v = num(d, "periods_to_red"))) {
		snprintf(line, sizeof(line), "Projected red: %s (in about %.0f "
		    "%s%s)", str(d, "red_date") ? str(d, "red_date") : "?",
		    ceil(v), str(d, "grain") ? str(d, "grain") : "period",
		    ceil(v) == 1 ? "" : "s");
		fn(arg, line);
	}
	if ((s = str(d, "status")) != NULL && str(d, "source") == NULL) {
		char score[32];

		digest_value("composite", num(d, "score"), score, sizeof(score));
		snprintf(line, sizeof(line), "Status: %s as of %s, score %s%s%s",
		    s, str(d, "as_of") ? str(d, "as_of") : "?", score,
		    str(d, "drivers") ? "; driven by " : "",
		    str(d, "drivers") ? str(d, "drivers") : "");
		fn(arg, line);
	}
	if ((s = str(d, "data_end")) != NULL) {
		snprintf(line, sizeof(line), "Data: newest period %s, series "
		    "from %s (%s)", s, str(d, "data_from") ?
		    str(d, "data_from") : "?", str(d, "grain") ?
		    str(d, "grain") : "?");
		fn(arg, line);
	}
	if ((s = str(d, "source")) != NULL) {
		snprintf(line, sizeof(line), "Source: %s (%s), last run %s%s%s",
		    s, str(d, "kind") ? str(d, "kind") : "?", str(d, "status") ?
		    str(d, "status") : "?", str(d, "error") && *str(d, "error") ?
		    ": " : "", str(d, "error") ? str(d, "error") : "");
		fn(arg, line);
	}
	if ((s = str(d, "inhibits")) != NULL) {
		snprintf(line, sizeof(line), "Meanwhile %s.", s);
		fn(arg, line);
	}
	if ((s = str(d, "alert_title")) != NULL) {
		snprintf(line, sizeof(line), "Alert %lld to %s %s: gave up after "
		    "%lld attempt%s: %s",
		    (long long)json_integer_value(json_object_get(d, "alert_id")),
		    str(d, "channel") ? str(d, "channel") : "?",
		    str(d, "recipient") ? str(d, "recipient") : "?",
		    (long long)json_integer_value(json_object_get(d, "attempts")),
		    json_integer_value(json_object_get(d, "attempts")) == 1 ?
		    "" : "s", str(d, "error") ? str(d, "error") : "?");
		fn(arg, line);
	}
}

/* One row of the indicator table, formatted. */
struct row {
	char code[16], value[64], green[64], red[64];
	const char *name, *light, *period, *source;
};

static bool
row_of(const json_t *ind, struct row *r)
{
	const char *code = str(ind, "code");

	if (code == NULL)
		return false;
	snprintf(r->code, sizeof(r->code), "%s", code);
	digest_value(code, num(ind, "value"), r->value, sizeof(r->value));
	digest_bound(code, str(ind, "green"), r->green, sizeof(r->green));
	digest_bound(code, str(ind, "red"), r->red, sizeof(r->red));
	r->name = str(ind, "name") ? str(ind, "name") : code;
	r->light = str(ind, "light") ? str(ind, "light") : "-";
	r->period = str(ind, "period") ? str(ind, "period") : "-";
	r->source = str(ind, "source") ? str(ind, "source") : "-";
	return true;
}

static void
text_line(void *arg, const char *line)
{
	fprintf(arg, "   %s\n", line);
}

static void
chat_line(void *arg, const char *line)
{
	fprintf(arg, "%s\n", line);
}

static void
html_line(void *arg, const char *line)
{
	html_raw(arg, "<li>");
	html_text(arg, line);
	html_raw(arg, "</li>\n");
}

static void
render_text(FILE *f, const struct digest_item *v, size_t n, const char *subj)
{
	fprintf(f, "%s\n\n", subj + strlen("fragwatch: "));
	for (size_t i = 0; i < n; i++) {
		const json_t *inds = json_object_get(v[i].details, "indicators");
		const json_t *ind;
		size_t k;

		fprintf(f, "%zu. %s\n", i + 1, v[i].title);
		facts(&v[i], text_line, f);
		if (json_array_size(inds) > 0)
			fprintf(f, "   Indicators (newest period):\n");
		json_array_foreach(inds, k, ind) {
			struct row r;

			if (row_of(ind, &r))
				fprintf(f, "     %-3s %-9s %-6s green %s, red %s; "
				    "%s, %s: %s\n", r.code, r.value, r.light,
				    r.green, r.red, r.period, r.source, r.name);
		}
		if (str(v[i].details, "view") != NULL)
			fprintf(f, "   Look: %s;\n", str(v[i].details, "view"));
		fprintf(f, "\n");
	}
	fprintf(f, "-- \nfragwatch, alert%s", n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		fprintf(f, " %lld", (long long)v[i].id);
	fprintf(f, "\n");
}

static void
render_chat(FILE *f, const struct digest_item *v, size_t n, const char *subj)
{
	fprintf(f, "*%s*\n", subj);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "\n*%s*\n", v[i].title);
		facts(&v[i], chat_line, f);
		if (str(v[i].details, "view") != NULL)
			fprintf(f, "`%s`\n", str(v[i].details, "view"));
	}
}

static int
render_html(FILE *f, const struct digest_item *v, size_t n, const char *subj)
{
	struct html *h = html_new(f);

	if (h == NULL)
		return -ENOMEM;
	html_raw(h, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>");
	html_text(h, subj);
	html_raw(h, "</title></head>\n<body style=\"font-family: sans-serif\">"
	    "\n<h2>");
	html_text(h, subj + strlen("fragwatch: "));
	html_raw(h, "</h2>\n");
	for (size_t i = 0; i < n; i++) {
		const json_t *inds = json_object_get(v[i].details, "indicators");
		const json_t *ind;
		size_t k;

		html_rawf(h, "<h3 class=\"%s\">", strcmp(v[i].kind, "red") == 0 ?
		    "red" : "alert");
		html_text(h, v[i].title);
		html_raw(h, "</h3>\n<ul>\n");
		facts(&v[i], html_line, h);
		html_raw(h, "</ul>\n");
		if (json_array_size(inds) > 0)
			html_raw(h, "<table border=\"1\" cellpadding=\"3\" "
			    "style=\"border-collapse: collapse\">\n<tr><th>Code"
			    "</th><th>Indicator</th><th>Value</th><th>Light</th>"
			    "<th>Green</th><th>Red</th><th>Period</th>"
			    "<th>Source</th></tr>\n");
		json_array_foreach(inds, k, ind) {
			const char *cells[8];
			struct row r;

			if (!row_of(ind, &r))
				continue;
			cells[0] = r.code;
			cells[1] = r.name;
			cells[2] = r.value;
			cells[3] = r.light;
			cells[4] = r.green;
			cells[5] = r.red;
			cells[6] = r.period;
			cells[7] = r.source;
			html_raw(h, "<tr>");
			for (int j = 0; j < 8; j++) {
				html_raw(h, "<td>");
				html_text(h, cells[j]);
				html_raw(h, "</td>");
			}
			html_raw(h, "</tr>\n");
		}
		if (json_array_size(inds) > 0)
			html_raw(h, "</table>\n");
		if (str(v[i].details, "view") != NULL) {
			html_raw(h, "<p>Look: <code>");
			html_text(h, str(v[i].details, "view"));
			html_raw(h, "</code></p>\n");
		}
	}
	html_raw(h, "</body></html>\n");
	return html_close(h);
}

/* The structured fields: each alert's details with id, kind and title. */
static json_t *
extra_of(const struct digest_item *v, size_t n)
{
	json_t *list = json_array(), *top;

	for (size_t i = 0; i < n && list != NULL; i++) {
		json_t *a = json_deep_copy(v[i].details);

		if (a == NULL || !json_is_object(a)) {
			json_decref(a);
			a = json_object();
		}
		json_object_set_new(a, "id", json_integer(v[i].id));
		json_object_set_new(a, "kind", json_string(v[i].kind));
		json_object_set_new(a, "title", json_string(v[i].title));
		json_array_append_new(list, a);
	}
	if (list == NULL)
		return NULL;
	top = json_pack("{s:{s:I, s:o}}", "fragwatch", "count", (json_int_t)n,
	    "alerts", list);
	return top;
}

/* Runs one renderer into a malloc'd string. */
static int
capture(char **out, int (*fn)(FILE *, const struct digest_item *, size_t,
    const char *), const struct digest_item *v, size_t n, const char *subj)
{
	size_t len = 0;
	FILE *f = open_memstream(out, &len);
	int rc;

	if (f == NULL)
		return -ENOMEM;
	rc = fn(f, v, n, subj);
	if (fclose(f) != 0 && rc == 0)
		rc = -ENOMEM;
	return rc;
}

static int
text_fn(FILE *f, const struct digest_item *v, size_t n, const char *subj)
{
	render_text(f, v, n, subj);
	return ferror(f) ? -ENOMEM : 0;
}

static int
chat_fn(FILE *f, const struct digest_item *v, size_t n, const char *subj)
{
	render_chat(f, v, n, subj);
	return ferror(f) ? -ENOMEM : 0;
}

int
digest_render(const struct digest_item *items, size_t n, struct digest *out,
    char *err, size_t errlen)
{
	char subject[512];
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 0) {
		snprintf(err, errlen, "empty digest");
		return -EINVAL;
	}
	subject_of(items, n, subject, sizeof(subject));
	if ((out->subject = strdup(subject)) == NULL ||
	    (rc = capture(&out->text, text_fn, items, n, subject)) < 0 ||
	    (rc = capture(&out->chat, chat_fn, items, n, subject)) < 0 ||
	    (rc = capture(&out->html, render_html, items, n, subject)) < 0 ||
	    (out->extra = extra_of(items, n)) == NULL) {
		digest_clear(out);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

void
digest_clear(struct digest *d)
{
	free(d->subject);
	free(d->text);
	free(d->html);
	free(d->chat);
	json_decref(d->extra);
	memset(d, 0, sizeof(*d));
}
