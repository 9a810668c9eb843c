/* mapping.c - header → column index map, then per record: filters, nulls, numbers, dates, codes, checks. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "extractors/mapping.h"

#define MAPPING_MAX_JOIN 8

/* Virtual columns of an unpivot; physical columns are >= 0. */
enum { COL_LABEL = -2, COL_VALUE = -3 };

struct mapping {
	const struct mapping_spec *spec;
	int index[MAPPING_MAX_FIELDS][MAPPING_MAX_JOIN]; /* joined columns */
	int *expr_index[MAPPING_MAX_FIELDS];  /* expression columns */
	int when_index[MAPPING_MAX_FIELDS];
	int *keep_index, *skip_index;
	int *unpivot_index;                   /* the unpivot's columns */
	size_t max_index;                     /* a record needs more fields */
	size_t header_fields;
	int f_total, f_over;   /* queue: waiting_total, waiting_over_target */
	int f_status;          /* record grain: the referral's status, or -1 */
	int date_order[MAPPING_MAX_FIELDS]; /* kind_date_order() by field */
	char join[1024];       /* fields read from several columns */
	char trimmed[256];     /* a field trimmed for a filter or condition */
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
	/* Looked up once: per row these strcmp() calls were 5 % of a load. */
	m->f_status = kind_field_index(spec->kind, "status");
	for (size_t f = 0; f < spec->kind->nfields; f++)
		m->date_order[f] = kind_date_order(&spec->kind->fields[f]);
	return m;
}

void
mapping_free(struct mapping *m)
{
	if (m == NULL)
		return;
	for (size_t f = 0; f < MAPPING_MAX_FIELDS; f++)
		free(m->expr_index[f]);
	free(m->keep_index);
	free(m->skip_index);
	free(m->unpivot_index);
	free(m);
}

size_t
mapping_variants(const struct mapping *m)
{
	return m->spec->unpivot != NULL ? m->spec->unpivot->n : 1;
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

/* The index of the column called name: a header cell, or one of the
 * unpivot's virtual columns. Returns 0 or -EPROTO with err. */
static int
resolve(struct mapping *m, const struct csvsrc_record *rec, const char *name,
    const char *what, int *out, char *err, size_t errlen)
{
	const struct mapping_unpivot *u = m->spec->unpivot;
	int found = -1;

	if (u != NULL && strcmp(name, "label") == 0) {
		*out = COL_LABEL;
		return 0;
	}
	if (u != NULL && strcmp(name, u->value) == 0) {
		*out = COL_VALUE;
		return 0;
	}
	for (size_t i = 0; i < rec->nfields; i++) {
		if (!header_matches(rec->fields[i], name))
			continue;
		if (found >= 0) {
			snprintf(err, errlen, "column '%s' appears twice in the "
			    "header (columns %d and %zu)", name, found + 1, i + 1);
			return -EPROTO;
		}
		found = (int)i;
	}
	if (found < 0) {
		snprintf(err, errlen, "header does not match: no column '%s' for "
		    "%s%s", name, what, rec->nfields == 1 ? " (the header has one "
		    "column: is the delimiter right?)" : "");
		return -EPROTO;
	}
	if ((size_t)found > m->max_index)
		m->max_index = (size_t)found;
	*out = found;
	return 0;
}

static int
resolve_conds(struct mapping *m, const struct csvsrc_record *rec,
    const struct mapping_cond *conds, size_t n, int **out, char *err,
    size_t errlen)
{
	int rc = 0;

	free(*out);
	if ((*out = calloc(n + 1, sizeof(**out))) == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = resolve(m, rec, conds[i].column, "a filter", &(*out)[i], err,
		    errlen);
	return rc;
}

int
mapping_header(struct mapping *m, const struct csvsrc_record *rec, char *err,
    size_t errlen)
{
	const struct mapping_spec *spec = m->spec;
	char what[128];
	int rc = 0;

	m->header_fields = rec->nfields;
	m->max_index = 0;
	for (size_t f = 0; f < spec->kind->nfields && rc == 0; f++) {
		const struct mapping_column *col = &spec->fields[f];

		snprintf(what, sizeof(what), "field '%s'", spec->kind->fields[f].name);
		for (size_t c = 0; c < col->ncolumns && rc == 0; c++)
			rc = resolve(m, rec, col->columns[c], what, &m->index[f][c],
			    err, errlen);
		if (col->expr != NULL && rc == 0) {
			size_t n = expr_ncolumns(col->expr);

			free(m->expr_index[f]);
			if ((m->expr_index[f] = calloc(n + 1, sizeof(int))) == NULL)
				return -ENOMEM;
			for (size_t c = 0; c < n && rc == 0; c++)
				rc = resolve(m, rec, expr_column(col->expr, c), what,
				    &m->expr_index[f][c], err, errlen);
		}
		if (col->when != NULL && rc == 0)
			rc = resolve(m, rec, col->when->column, what,
			    &m->when_index[f], err, errlen);
	}
	if (rc == 0)
		rc = resolve_conds(m, rec, spec->keep, spec->nkeep, &m->keep_index,
		    err, errlen);
	if (rc == 0)
		rc = resolve_conds(m, rec, spec->skip, spec->nskip, &m->skip_index,
		    err, errlen);
	if (rc == 0 && spec->unpivot != NULL) {
		free(m->unpivot_index);
		if ((m->unpivot_index = calloc(spec->unpivot->n, sizeof(int))) ==
		    NULL)
			return -ENOMEM;
		for (size_t i = 0; i < spec->unpivot->n && rc == 0; i++)
			rc = resolve(m, rec, spec->unpivot->columns[i], "the unpivot",
			    &m->unpivot_index[i], err, errlen);
	}
	return rc;
}

static enum mapping_result
reject(struct mapping_reject *rej, const char *column, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Drops incomplete UTF-8 sequences from s in place: '%.64s' and the
 * reason's size can cut a character, and reasons go to a UTF8 database.
 * (The text itself is valid UTF-8: decode.c checked it.) */
static void
utf8_scrub(char *s)
{
	unsigned char *r = (unsigned char *)s, *w = r;

	while (*r != '\0') {
		size_t len = *r < 0x80 ? 1 : (*r & 0xe0) == 0xc0 ? 2 :
		    (*r & 0xf0) == 0xe0 ? 3 : (*r & 0xf8) == 0xf0 ? 4 : 0;
		size_t i = 1;

		while (i < len && (r[i] & 0xc0) == 0x80)
			i++;
		if (len == 0 || i < len) {
			r += i;
			continue;
		}
		memmove(w, r, len);
		w += len;
		r += len;
	}
	*w = '\0';
}

static enum mapping_result
reject(struct mapping_reject *rej, const char *column, const char *fmt, ...)
{
	va_list ap;

	rej->column = column;
	rej->check = MAPPING_CHECK_OTHER;
	va_start(ap, fmt);
	vsnprintf(rej->reason, sizeof(rej->reason), fmt, ap);
	va_end(ap);
	utf8_scrub(rej->reason);
	return MAPPING_REJECT;
}

/* The text of column index i in variant v of rec. */
static const char *
cell(const struct mapping *m, const struct csvsrc_record *rec, size_t v, int i)
{
	if (i == COL_LABEL)
		return m->spec->unpivot->labels[v];
	if (i == COL_VALUE)
		i = m->unpivot_index[v];
	return rec->fields[i];
}

/* Whether the cell's text, without blanks around it, matches the
 * condition's values. */
static bool
holds(struct mapping *m, const struct csvsrc_record *rec, size_t v, int i,
    const struct mapping_cond *cond)
{
	const char *text = cell(m, rec, v, i);
	size_t n;

	while (*text == ' ' || *text == '\t')
		text++;
	n = strlen(text);
	while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t'))
		n--;
	if (n >= sizeof(m->trimmed))
		n = sizeof(m->trimmed) - 1;
	memcpy(m->trimmed, text, n);
	m->trimmed[n] = '\0';
	for (size_t k = 0; k < cond->nvalues; k++)
		if (fnmatch(cond->values[k], m->trimmed, 0) == 0)
			return true;
	return false;
}

/* The text of field f: one column, several joined by a space, or the
 * constant. */
static const char *
field_text(struct mapping *m, const struct csvsrc_record *rec, size_t v,
    size_t f)
{
	const struct mapping_column *col = &m->spec->fields[f];
	size_t n = 0;

	if (col->ncolumns == 0)
		return col->constant;
	if (col->ncolumns == 1)
		return cell(m, rec, v, m->index[f][0]);
	for (size_t c = 0; c < col->ncolumns; c++) {
		int w = snprintf(m->join + n, sizeof(m->join) - n, "%s%s",
		    c > 0 ? " " : "", cell(m, rec, v, m->index[f][c]));

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

	if (col->ncolumns > 0)
		return col->columns[0];
	if (col->expr != NULL && expr_ncolumns(col->expr) > 0)
		return expr_column(col->expr, 0);
	return m->spec->kind->fields[f].name;
}

/* Evaluation context of an expression over one record. */
struct eval {
	struct mapping *m;
	const struct csvsrc_record *rec;
	size_t v, f;
	struct mapping_reject *rej;
};

static int
expr_value(void *pv, size_t i, double *out)
{
	struct eval *e = pv;
	const struct mapping_format *fmt = e->m->spec->format;
	const char *text = cell(e->m, e->rec, e->v, e->m->expr_index[e->f][i]);

	if (value_is_null(text, (const char *const *)fmt->nulls, fmt->nnulls))
		return 1;
	if (value_parse_number(text, &fmt->numfmt, out) < 0) {
		reject(e->rej, expr_column(e->m->spec->fields[e->f].expr, i),
		    "'%.64s' is not a number", text);
		return -EINVAL;
	}
	return 0;
}

/* A value computed by an expression: null, or checked for its type. */
static enum mapping_result
map_expr(struct mapping *m, const struct csvsrc_record *rec, size_t v,
    size_t f, struct mapping_row *row, struct mapping_reject *rej)
{
	const struct kind_field *kf = &m->spec->kind->fields[f];
	struct eval e = { m, rec, v, f, rej };
	double x;
	int rc = expr_eval(m->spec->fields[f].expr, expr_value, &e, &x);

	if (rc < 0)
		return MAPPING_REJECT;
	if (rc > 0)
		return MAPPING_OK; /* null: a column is null, or / 0 */
	if (kf->type == KIND_COUNT)
		x = round(x); /* e.g. n * share: a count, to the nearest whole */
	if (!isfinite(x) || x < 0 || (kf->type == KIND_SHARE && x > 1)) {
		reject(rej, column_name(m, f), "%s computed as %g is out of "
		    "range", kf->name, x);
		rej->check = x < 0 ? MAPPING_CHECK_NEGATIVE : kf->type ==
		    KIND_SHARE && x > 1 ? MAPPING_CHECK_SHARE : MAPPING_CHECK_OTHER;
		return MAPPING_REJECT;
	}
	row->values[f] = x;
	row->present[f] = true;
	return MAPPING_OK;
}

/* Translates an area or organisation code: the source's own table first,
 * then the region's codes and aliases. */
static int
translate(const struct mapping_spec *spec, size_t f, const char *text)
{
	const struct codemap *table = f == KIND_FIELD_AREA ? spec->area_table :
	    spec->org_table;
	int idx = table != NULL ? codemap_find(table, text) : -1;

	if (idx >= 0 || idx == MAPPING_CODE_SKIP)
		return idx;
	return codemap_find(f == KIND_FIELD_AREA ? spec->areas : spec->orgs, text);
}

static enum mapping_result
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
		row->present[f] = true;
		return MAPPING_OK;
	case KIND_DATE:
		if (value_parse_date(text, spec->format->date_format, &day) < 0)
			return reject(rej, col, "bad date '%.64s' (expected "
			    "format '%s')", text, spec->format->date_format);
		if (f == KIND_FIELD_PERIOD)
			row->period = day;
		row->values[f] = day;
		row->present[f] = true;
		return MAPPING_OK;
	case KIND_TEXT:
		if ((int)f == m->f_status) {
			idx = spec->statuses != NULL ?
			    codemap_find(spec->statuses, text) : -1;
			for (int k = 0; idx < 0 && k < KIND_NSTATUSES; k++)
				if (strcasecmp(text, kind_statuses[k]) == 0)
					idx = k;
			if (idx < 0)
				return reject(rej, col, "unknown status '%.64s' "
				    "(accepted, rejected, pending, or translate it "
				    "in 'statuses')", text);
			text = kind_statuses[idx];
		}
		row->texts[f] = text;
		row->present[f] = true;
		return MAPPING_OK;
	case KIND_CODE:
		if ((idx = translate(spec, f, text)) == MAPPING_CODE_SKIP)
			return MAPPING_SKIP;
		if (idx < 0)
			return reject(rej, col, "unknown %s code '%.64s'",
			    f == KIND_FIELD_AREA ? "area" : "organisation", text);
		if (f == KIND_FIELD_AREA)
			row->area = idx;
		else
			row->org = idx;
		row->present[f] = true;
		return MAPPING_OK;
	case KIND_COUNT:
		rc = value_parse_count(text, &spec->format->numfmt, &count);
		if (rc == -ERANGE && strchr(text, '-') != NULL) {
			reject(rej, col, "negative count '%.64s'", text);
			rej->check = MAPPING_CHECK_NEGATIVE;
			return MAPPING_REJECT;
		}
		if (rc == -ERANGE)
			return reject(rej, col, "count '%.64s' is too large",
			    text);
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
		if (v < 0) {
			reject(rej, col, "negative value '%.64s'", text);
			rej->check = MAPPING_CHECK_NEGATIVE;
			return MAPPING_REJECT;
		}
		if (kf->type == KIND_SHARE && v > 1) {
			reject(rej, col, "share '%.64s' is above 100 %%", text);
			rej->check = MAPPING_CHECK_SHARE;
			return MAPPING_REJECT;
		}
		break;
	}
	row->values[f] = v;
	row->present[f] = true;
	return MAPPING_OK;
}

enum mapping_result
mapping_row(struct mapping *m, const struct csvsrc_record *rec, size_t v,
    struct mapping_row *row, struct mapping_reject *rej)
{
	const struct mapping_spec *spec = m->spec;
	const struct mapping_format *fmt = spec->format;
	enum mapping_result r;

	memset(row, 0, sizeof(*row));
	/* A row wider or narrower than the header has its values shifted
	 * (an unquoted decimal comma, a lost delimiter): never guess. */
	if (rec->nfields != m->header_fields)
		return reject(rej, NULL, "row has %zu fields, the header has %zu",
		    rec->nfields, m->header_fields);
	for (size_t i = 0; i < spec->nskip; i++)
		if (holds(m, rec, v, m->skip_index[i], &spec->skip[i]))
			return MAPPING_SKIP;
	for (size_t i = 0; i < spec->nkeep; i++)
		if (!holds(m, rec, v, m->keep_index[i], &spec->keep[i]))
			return MAPPING_SKIP;
	for (size_t f = 0; f < spec->kind->nfields; f++) {
		const struct mapping_column *col = &spec->fields[f];
		const struct kind_field *kf = &spec->kind->fields[f];
		const char *text;

		if (col->ncolumns == 0 && col->constant == NULL &&
		    col->expr == NULL)
			continue;
		/* With a condition that does not hold the row lacks the field. */
		if (col->when == NULL || holds(m, rec, v, m->when_index[f],
		    col->when)) {
			if (col->expr != NULL)
				r = map_expr(m, rec, v, f, row, rej);
			else if (!value_is_null(text = field_text(m, rec, v, f),
			    (const char *const *)fmt->nulls, fmt->nnulls))
				r = map_value(m, f, text, row, rej);
			else
				r = MAPPING_OK;
			if (r != MAPPING_OK)
				return r;
		}
		/* Rows to be combined give their measures separately; the sums
		 * are checked once combined. The key is needed in every row. */
		if (kf->required && !row->present[f] && !(spec->combine &&
		    kf->type != KIND_PERIOD && kf->type != KIND_CODE))
			return reject(rej, column_name(m, f), "missing value for "
			    "required field '%s'", kf->name);
	}
	/* A patient cannot wait from after the snapshot; a referral is not
	 * assessed or closed before it was received. */
	for (size_t f = 1; f < spec->kind->nfields; f++) {
		int order = m->date_order[f];

		if (order != 0 && row->present[f] && row->present[0] &&
		    (order < 0 ? row->values[f] > row->values[0] :
		    row->values[f] < row->values[0]))
			return reject(rej, column_name(m, f), "%s is %s %s",
			    spec->kind->fields[f].name, order < 0 ? "after" :
			    "before", spec->kind->fields[0].name);
	}
	if (!spec->combine && m->f_total >= 0 && m->f_over >= 0 &&
	    row->values[m->f_over] > row->values[m->f_total])
		return reject(rej, column_name(m, (size_t)m->f_over),
		    "waiting_over_target %.0f is larger than waiting_total %.0f",
		    row->values[m->f_over], row->values[m->f_total]);
	return MAPPING_OK;
}
