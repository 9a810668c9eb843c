/* mapping.c - header → column index map, then per record: nulls, numbers, dates, codes, checks. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/mapping.h"

#define MAPPING_MAX_JOIN 8

struct mapping {
	const struct mapping_spec *spec;
	/* For each field, the record index of each of its columns. */
	int index[MAPPING_MAX_FIELDS][MAPPING_MAX_JOIN];
	size_t max_index;  /* a record needs more fields than this */
	size_t header_fields;
	int f_total, f_over; /* queue: waiting_total, waiting_over_target */
	char join[1024];     /* fields read from several columns */
};

struct mapping *
mapping_new(const struct mapping_spec *spec)
{
	struct mapping *m;

	if (spec->kind->nfields > MAPPING_MAX_FIELDS)
		return NULL;
	for (size_t i = 0; i < spec->kind->nfields; i++)
		if (spec->fields[i].ncolumns > MAPPING_MAX_JOIN)
			return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->spec = spec;
	m->f_total = kind_field_index(spec->kind, "waiting_total");
	m->f_over = kind_field_index(spec->kind, "waiting_over_target");
	return m;
}

void
mapping_free(struct mapping *m)
{
	free(m);
}

/* Compares a header cell with a configured name, ignoring blanks around
 * the cell and ASCII case. */
static bool
header_matches(const char *cell, const char *name)
{
	size_t n;

	while (*cell == ' ' || *cell == '\t')
		cell++;
	n = strlen(cell);
	while (n > 0 && (cell[n - 1] == ' ' || cell[n - 1] == '\t' ||
	    cell[n - 1] == '\r'))
		n--;
	return strlen(name) == n && strncasecmp(cell, name, n) == 0;
}

int
mapping_header(struct mapping *m, const struct csvsrc_record *rec, char *err,
    size_t errlen)
{
	const struct mapping_spec *spec = m->spec;

	m->header_fields = rec->nfields;
	m->max_index = 0;
	for (size_t f = 0; f < spec->kind->nfields; f++) {
		const struct mapping_column *col = &spec->fields[f];

		for (size_t c = 0; c < col->ncolumns; c++) {
			int found = -1;

			for (size_t i = 0; i < rec->nfields; i++) {
				if (!header_matches(rec->fields[i], col->columns[c]))
					continue;
				if (found >= 0) {
					snprintf(err, errlen, "column '%s' appears "
					    "twice in the header (columns %d and "
					    "%zu)", col->columns[c], found + 1,
					    i + 1);
					return -EPROTO;
				}
				found = (int)i;
			}
			if (found < 0) {
				snprintf(err, errlen, "header does not match: "
				    "no column '%s' for field '%s'%s",
				    col->columns[c], spec->kind->fields[f].name,
				    rec->nfields == 1 ? " (the header has one "
				    "column: is the delimiter right?)" : "");
				return -EPROTO;
			}
			m->index[f][c] = found;
			if ((size_t)found > m->max_index)
				m->max_index = (size_t)found;
		}
	}
	return 0;
}

static int
reject(struct mapping_reject *rej, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
reject(struct mapping_reject *rej, const char *column, const char *fmt, ...)
{
	va_list ap;

	rej->column = column;
	va_start(ap, fmt);
	vsnprintf(rej->reason, sizeof(rej->reason), fmt, ap);
	va_end(ap);
	return 1;
}

/* The text of field f in rec: one column, several joined by a space, or
 * the constant. */
static const char *
field_text(struct mapping *m, const struct csvsrc_record *rec, size_t f)
{
	const struct mapping_column *col = &m->spec->fields[f];
	size_t n = 0;

	if (col->ncolumns == 0)
		return col->constant;
	if (col->ncolumns == 1)
		return rec->fields[m->index[f][0]];
	for (size_t c = 0; c < col->ncolumns; c++) {
		const char *t = rec->fields[m->index[f][c]];
		int w = snprintf(m->join + n, sizeof(m->join) - n, "%s%s",
		    c > 0 ? " " : "", t);

		if (w < 0 || (size_t)w >= sizeof(m->join) - n)
			break;
		n += (size_t)w;
	}
	return m->join;
}

static const char *
column_name(const struct mapping *m, size_t f)
{
	const struct mapping_column *col = &m->spec->fields[f];

	return col->ncolumns > 0 ? col->columns[0] : m->spec->kind->fields[f].name;
}

static int
map_value(struct mapping *m, size_t f, const char *text,
    struct mapping_row *row, struct mapping_reject *rej)
{
	const struct mapping_spec *spec = m->spec;
	const struct kind_field *kf = &spec->kind->fields[f];
	const char *col = column_name(m, f);
	struct value_numfmt share_fmt;
	int64_t count;
	int32_t day;
	double v;
	int idx, rc;

	switch (kf->type) {
	case KIND_PERIOD:
		if (value_parse_date(text, spec->format->date_format, &day) < 0)
			return reject(rej, col, "bad date '%.64s' (expected "
			    "format '%s')", text, spec->format->date_format);
		row->period = value_period_start(day, spec->period);
		return 0;
	case KIND_CODE:
		idx = codemap_find(f == KIND_FIELD_AREA ? spec->areas :
		    spec->orgs, text);
		if (idx < 0)
			return reject(rej, col, "unknown %s code '%.64s'",
			    f == KIND_FIELD_AREA ? "area" : "organisation", text);
		if (f == KIND_FIELD_AREA)
			row->area = idx;
		else
			row->org = idx;
		return 0;
	case KIND_COUNT:
		rc = value_parse_count(text, &spec->format->numfmt, &count);
		if (rc == -ERANGE)
			return reject(rej, col, "'%.64s' is not a valid count "
			    "(negative or too large)", text);
		if (rc < 0)
			return reject(rej, col, "'%.64s' is not a whole number",
			    text);
		v = (double)count;
		break;
	case KIND_NUMBER:
	case KIND_SHARE:
		share_fmt = spec->format->numfmt;
		if (kf->type == KIND_SHARE)
			share_fmt.percent = true;
		if (value_parse_number(text, &share_fmt, &v) < 0)
			return reject(rej, col, "'%.64s' is not a number", text);
		if (v < 0)
			return reject(rej, col, "negative value '%.64s'", text);
		if (kf->type == KIND_SHARE && v > 1)
			return reject(rej, col, "share '%.64s' is above 100 %%",
			    text);
		break;
	}
	row->values[f] = v;
	row->present[f] = true;
	return 0;
}

int
mapping_row(struct mapping *m, const struct csvsrc_record *rec,
    struct mapping_row *row, struct mapping_reject *rej)
{
	const struct mapping_spec *spec = m->spec;
	const struct mapping_format *fmt = spec->format;

	memset(row, 0, sizeof(*row));
	if (rec->nfields <= m->max_index)
		return reject(rej, NULL, "row has %zu fields, the header has %zu",
		    rec->nfields, m->header_fields);
	for (size_t f = 0; f < spec->kind->nfields; f++) {
		const struct mapping_column *col = &spec->fields[f];
		const char *text;

		if (col->ncolumns == 0 && col->constant == NULL)
			continue;
		text = field_text(m, rec, f);
		if (value_is_null(text, (const char *const *)fmt->nulls,
		    fmt->nnulls)) {
			if (spec->kind->fields[f].required)
				return reject(rej, column_name(m, f), "missing "
				    "value for required field '%s'",
				    spec->kind->fields[f].name);
			continue;
		}
		if (map_value(m, f, text, row, rej) != 0)
			return 1;
	}
	if (m->f_total >= 0 && m->f_over >= 0 &&
	    row->values[m->f_over] > row->values[m->f_total])
		return reject(rej, column_name(m, (size_t)m->f_over),
		    "waiting_over_target %.0f is larger than waiting_total %.0f",
		    row->values[m->f_over], row->values[m->f_total]);
	return 0;
}
