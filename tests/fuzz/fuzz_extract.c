/* fuzz_extract.c - libFuzzer target: option bytes, then a file through decode → csvsrc → mapping, checked at every stage. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/codemap.h"
#include "extractors/csvsrc.h"
#include "extractors/decode.h"
#include "extractors/expr.h"
#include "extractors/kind.h"
#include "extractors/mapping.h"
#include "extractors/value.h"

/*
 * Input layout: OPT_BYTES option bytes, then the file.
 *   byte 0: bit 0 encoding (UTF-8, WINDOWS-1252); bits 1-2 delimiter
 *           (',' ';' tab ','); bit 3 decimal ('.' ','); bits 4-5 thousands
 *           (none ' ' ',' '.'); bit 6 period joined from columns "p" and
 *           "p2"; bit 7 one row skipped before the header
 *   byte 1: bits 0-2 date format (date_formats[]); bits 3-5 grain (mod 5);
 *           bit 6 percent allowed; bit 7 mean_wait_days from column "m"
 *   bytes 2-3: chunk size fed to decode_feed, 1..4096 (big-endian mod 4096
 *           plus one)
 *   byte 4: bits 0-6 csvsrc_format buffer size (4..131); bit 7 org is the
 *           constant "ORG1" rather than column "o"
 *   byte 5: mapping features: bit 0 mean_wait_days from the expression
 *           "[m] * 2 / (t - w)"; bit 1 skip rows whose "a" is S08* or
 *           *Hospital; bit 2 keep only rows whose "a" is [QSEB]* or ?al*;
 *           bit 3 a source code table for areas ("S08000015" and "IGNORE"
 *           skip the row, "1" is an alias); bit 4 combine; bit 5 unpivot
 *           columns "u1" "u2" "u3" (period from "label", waiting_total
 *           from "u"); bit 6 waiting_over_target only when "a" is Q*
 * Other columns map by name: area "a", org "o", waiting_total "t",
 * waiting_over_target "w". Every option byte of 0 is the plain case.
 */
#define OPT_BYTES 6

#define MAX_RECORD_BYTES 4096
#define MAX_COLUMNS 64
/* csvsrc_format never needs more: every byte doubled, two quotes and a
 * delimiter per field, for records up to twice the cap (see on_record). */
#define BIG_FORMAT (4 * MAX_RECORD_BYTES + 3 * MAX_COLUMNS + 16)

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define CHECK(cond) \
	do { \
		if (!(cond)) \
			check_failed(__LINE__, #cond); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const date_formats[] = {
	"%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%G-W%V", "%Y %b", "%Y-Q%q",
	"%Y", "%Y-%m",
};
/* Unpivot labels: three periods in each date format. */
static const char *const period_labels[][3] = {
	{ "2023-01-01", "2023-02-01", "2023-03-01" },
	{ "01/01/2023", "01/02/2023", "1/3/2023" },
	{ "20230101", "20230201", "20230301" },
	{ "2023-W01", "2023-W05", "2020-W53" },
	{ "2023 Jan", "2023 feb", "2023 Mars" },
	{ "2023-Q1", "2023-Q2", "2023-Q4" },
	{ "2021", "2022", "2023" },
	{ "2023-01", "2023-02", "2023-3" },
};
static const char delimiters[] = { ',', ';', '\t', ',' };
static const char thousands_seps[] = { 0, ' ', ',', '.' };

/* Codes of the real extracts the seeds come from, and a few non-ASCII
 * ones (codemap folds ASCII case only). */
static const char *const area_codes[] = {
	"QE1", "QF7", "QGH", "S08000015", "S92000003", "E92000001",
	"Bantry General Hospital", "Children's University Hospital",
	"Blekinge", "Dalarna", "Örebro", "Västra Götaland",
};
static const char *const org_codes[] = {
	"Cardiology", "Dermatology", "General Medicine", "General Surgery",
	"A1", "Z9", "10", "20", "ORG1", "Totalt",
};

static void check_failed(int line, const char *what)
    __attribute__((noreturn));

static void
check_failed(int line, const char *what)
{
	fprintf(stderr, "fuzz_extract.c:%d: check failed: %s\n", line, what);
	abort();
}

struct fuzz_opts {
	const char *encoding;
	char delimiter;
	struct value_numfmt numfmt;
	const char *date_format;
	enum value_grain grain;
	bool join_period;
	bool map_mean;
	bool org_constant;
	bool mean_expr;
	bool skip, keep, area_table, combine, unpivot, over_when;
	int skip_rows;
	size_t date_index;
	size_t chunk;
	size_t format_size;
};

static void
opts_read(const uint8_t *d, struct fuzz_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->encoding = d[0] & 0x01 ? "WINDOWS-1252" : "UTF-8";
	o->delimiter = delimiters[(d[0] >> 1) & 3];
	o->numfmt.decimal = d[0] & 0x08 ? ',' : '.';
	o->numfmt.thousands = thousands_seps[(d[0] >> 4) & 3];
	o->join_period = (d[0] & 0x40) != 0;
	o->skip_rows = d[0] >> 7;
	o->date_index = d[1] & 7;
	o->date_format = date_formats[o->date_index];
	o->grain = (enum value_grain)(((d[1] >> 3) & 7) % 5);
	o->numfmt.percent = (d[1] & 0x40) != 0;
	o->map_mean = (d[1] & 0x80) != 0;
	o->chunk = (((size_t)d[2] << 8 | d[3]) % 4096) + 1;
	o->format_size = 4 + (d[4] & 0x7f);
	o->org_constant = (d[4] & 0x80) != 0;
	o->mean_expr = (d[5] & 0x01) != 0;
	o->skip = (d[5] & 0x02) != 0;
	o->keep = (d[5] & 0x04) != 0;
	o->area_table = (d[5] & 0x08) != 0;
	o->combine = (d[5] & 0x10) != 0;
	o->unpivot = (d[5] & 0x20) != 0;
	o->over_when = (d[5] & 0x40) != 0;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, surrogates or code points
 * past U+10FFFF. Written apart from decode.c so that one checks the other. */
static bool
utf8_valid(const void *buf, size_t n)
{
	const unsigned char *s = buf;
	size_t i = 0, len, k;
	unsigned char lo, hi;

	while (i < n) {
		unsigned char c = s[i];

		lo = 0x80;
		hi = 0xbf;
		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf)
			len = 2;
		else if (c == 0xe0) {
			len = 3;
			lo = 0xa0;
		} else if ((c >= 0xe1 && c <= 0xec) || c == 0xee || c == 0xef)
			len = 3;
		else if (c == 0xed) {
			len = 3;
			hi = 0x9f;
		} else if (c == 0xf0) {
			len = 4;
			lo = 0x90;
		} else if (c >= 0xf1 && c <= 0xf3)
			len = 4;
		else if (c == 0xf4) {
			len = 4;
			hi = 0x8f;
		} else
			return false;
		if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (k = 2; k < len; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

static uint64_t
fnv(uint64_t h, const void *buf, size_t n)
{
	const unsigned char *s = buf;

	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ULL;
	return h;
}

/* The spec, its strings and code maps: shared by both runs of one input.
 * The spec's strings are not const, so they are copied into strs. */
struct fuzz_map {
	char strs[48][32];
	size_t nstrs;
	char *cols[9];       /* p p2 a o t w m, and label u for an unpivot */
	char *unpivot_cols[3], *labels[3];
	char *skip_values[2], *keep_values[2], *when_values[1];
	struct mapping_format format;
	struct mapping_column fields[MAPPING_MAX_FIELDS];
	struct mapping_cond skip, keep, when;
	struct mapping_unpivot unpivot;
	struct mapping_spec spec;
	struct codemap *areas, *orgs, *area_table;
	struct expr *expr;
};

static char *
fm_str(struct fuzz_map *fm, const char *s)
{
	char *p;

	CHECK(fm->nstrs < NELEM(fm->strs) && strlen(s) < sizeof(fm->strs[0]));
	p = fm->strs[fm->nstrs++];
	memcpy(p, s, strlen(s) + 1);
	return p;
}

static void
map_column(struct fuzz_map *fm, const char *field, size_t col, size_t ncols)
{
	int f = kind_field_index(fm->spec.kind, field);

	CHECK(f >= 0);
	fm->fields[f].columns = &fm->cols[col];
	fm->fields[f].ncolumns = ncols;
}

static int
fuzz_map_init(struct fuzz_map *fm, const struct fuzz_opts *o)
{
	static const char *const names[] = { "p", "p2", "a", "o", "t", "w", "m" };
	static const char *const nulls[] = { "..", "-", "NA" };
	char err[256];
	int rc = -ENOMEM;

	memset(fm, 0, sizeof(*fm));
	fm->spec.kind = kind_find("queue");
	CHECK(fm->spec.kind != NULL &&
	    fm->spec.kind->nfields <= MAPPING_MAX_FIELDS);
	for (size_t i = 0; i < NELEM(names); i++)
		fm->cols[i] = fm_str(fm, names[i]);
	for (size_t i = 0; i < NELEM(nulls); i++)
		fm->format.nulls[i] = fm_str(fm, nulls[i]);
	fm->format.nnulls = NELEM(nulls);
	fm->format.encoding = fm_str(fm, o->encoding);
	fm->format.delimiter = o->delimiter;
	fm->format.quote = '"';
	fm->format.skip_rows = o->skip_rows;
	fm->format.numfmt = o->numfmt;
	fm->format.date_format = fm_str(fm, o->date_format);

	if (o->unpivot) {
		/* One row per column u1..u3: the period is the label. */
		for (size_t i = 0; i < 3; i++) {
			char name[4] = { 'u', (char)('1' + i), '\0', '\0' };

			fm->unpivot_cols[i] = fm_str(fm, name);
			fm->labels[i] = fm_str(fm,
			    period_labels[o->date_index][i]);
		}
		fm->unpivot.columns = fm->unpivot_cols;
		fm->unpivot.labels = fm->labels;
		fm->unpivot.n = 3;
		fm->unpivot.value = fm_str(fm, "u");
		fm->spec.unpivot = &fm->unpivot;
		fm->cols[7] = fm_str(fm, "label");
		fm->cols[8] = fm_str(fm, "u");
		map_column(fm, "period", 7, 1);
		map_column(fm, "waiting_total", 8, 1);
	} else {
		map_column(fm, "period", 0, o->join_period ? 2 : 1);
		map_column(fm, "waiting_total", 4, 1);
	}
	map_column(fm, "area", 2, 1);
	if (o->org_constant)
		fm->fields[KIND_FIELD_ORG].constant = fm_str(fm, "ORG1");
	else
		map_column(fm, "org", 3, 1);
	map_column(fm, "waiting_over_target", 5, 1);
	if (o->mean_expr) {
		fm->expr = expr_compile("[m] * 2 / (t - w)", err, sizeof(err));
		CHECK(fm->expr != NULL);
		fm->fields[kind_field_index(fm->spec.kind,
		    "mean_wait_days")].expr = fm->expr;
	} else if (o->map_mean)
		map_column(fm, "mean_wait_days", 6, 1);
	if (o->skip) {
		fm->skip.column = fm->cols[2];
		fm->skip_values[0] = fm_str(fm, "S08*");
		fm->skip_values[1] = fm_str(fm, "*Hospital");
		fm->skip.values = fm->skip_values;
		fm->skip.nvalues = 2;
		fm->spec.skip = &fm->skip;
		fm->spec.nskip = 1;
	}
	if (o->keep) {
		fm->keep.column = fm->cols[2];
		fm->keep_values[0] = fm_str(fm, "[QSEB]*");
		fm->keep_values[1] = fm_str(fm, "?al*");
		fm->keep.values = fm->keep_values;
		fm->keep.nvalues = 2;
		fm->spec.keep = &fm->keep;
		fm->spec.nkeep = 1;
	}
	if (o->over_when) {
		fm->when.column = fm->cols[2];
		fm->when_values[0] = fm_str(fm, "Q*");
		fm->when.values = fm->when_values;
		fm->when.nvalues = 1;
		fm->fields[kind_field_index(fm->spec.kind,
		    "waiting_over_target")].when = &fm->when;
	}
	fm->spec.combine = o->combine;

	if ((fm->areas = codemap_new()) == NULL ||
	    (fm->orgs = codemap_new()) == NULL)
		goto out;
	for (size_t i = 0; i < NELEM(area_codes); i++)
		CHECK(codemap_add(fm->areas, area_codes[i], (int)i) == 0);
	for (size_t i = 0; i < NELEM(org_codes); i++)
		CHECK(codemap_add(fm->orgs, org_codes[i], (int)i) == 0);
	if (o->area_table) {
		if ((fm->area_table = codemap_new()) == NULL)
			goto out;
		CHECK(codemap_add(fm->area_table, "S08000015",
		    MAPPING_CODE_SKIP) == 0);
		CHECK(codemap_add(fm->area_table, "IGNORE",
		    MAPPING_CODE_SKIP) == 0);
		CHECK(codemap_add(fm->area_table, "1", 6) == 0);
		fm->spec.area_table = fm->area_table;
	}
	fm->spec.period = o->grain;
	fm->spec.format = &fm->format;
	fm->spec.fields = fm->fields;
	fm->spec.areas = fm->areas;
	fm->spec.orgs = fm->orgs;
	rc = 0;
out:
	return rc;
}

static void
fuzz_map_free(struct fuzz_map *fm)
{
	codemap_free(fm->areas);
	codemap_free(fm->orgs);
	codemap_free(fm->area_table);
	expr_free(fm->expr);
}

/* One pass of the file through the pipeline, as daemon/run.c drives it. */
struct fuzz_run {
	const struct fuzz_opts *o;
	const struct fuzz_map *fm;
	struct mapping *map;
	struct csvsrc *csv;
	bool checks;          /* the per-record and per-field checks */
	bool header_seen;
	bool sink_failed;     /* csvsrc or the record callback stopped it */
	const unsigned char *expect; /* what decode must hand out (UTF-8) */
	size_t expect_len, expect_off;
	bool hash_lines;      /* line numbers do not depend on chunking */
	uint64_t hash;
	uint64_t records;
	char err[256];
	char small[132];
	char big[BIG_FORMAT];
};

/* Column values for an expression: numbers, and every third one null. */
static int
expr_lookup_fn(void *ctx, size_t i, double *v)
{
	size_t *calls = ctx;

	(*calls)++;
	if (i % 3 == 2)
		return 1;
	*v = (double)i - 0.5;
	return 0;
}

/* A field compiled as a mapping expression (their text is configuration,
 * but the compiler must hold against any text). */
static void
check_expr(const char *s)
{
	struct expr *e;
	char err[128];
	double out = -7.5;
	size_t calls = 0, n;
	int rc;

	if (strlen(s) > 256)
		return;
	err[0] = '\0';
	if ((e = expr_compile(s, err, sizeof(err))) == NULL) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)) != NULL);
		return;
	}
	n = expr_ncolumns(e);
	for (size_t i = 0; i < n; i++)
		CHECK(expr_column(e, i) != NULL);
	rc = expr_eval(e, expr_lookup_fn, &calls, &out);
	CHECK(rc == 0 || rc == 1);
	expr_free(e);
}

/* Checks on the values of one field: every parser, every date format. */
static void
check_field_values(const char *s, const struct fuzz_opts *o)
{
	struct value_numfmt f = o->numfmt;
	double num = -7.5, num2 = -7.5;
	int64_t count = -7;
	int32_t days = INT32_MIN, again;
	int rc, rcn;

	rc = value_parse_number(s, &f, &num);
	CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	CHECK(rc == 0 ? isfinite(num) : num == -7.5);

	f.percent = false;
	rc = value_parse_count(s, &f, &count);
	CHECK(rc == 0 || rc == -EINVAL || rc == -ERANGE);
	CHECK(rc == 0 ? count >= 0 : count == -7);
	if (rc == 0) {
		/* A count is a number of the same value. */
		rcn = value_parse_number(s, &f, &num2);
		CHECK(rcn == 0 && num2 == (double)count);
	}

	for (size_t i = 0; i < NELEM(date_formats); i++) {
		int y, m, d;
		char text[16];

		days = INT32_MIN;
		rc = value_parse_date(s, date_formats[i], &days);
		CHECK(rc == 0 || rc == -EINVAL);
		if (rc != 0) {
			CHECK(days == INT32_MIN);
			continue;
		}
		value_civil_from_days(days, &y, &m, &d);
		CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
		CHECK(value_days_from_civil(y, m, d) == days);
		for (int g = VALUE_GRAIN_DAY; g <= VALUE_GRAIN_YEAR; g++) {
			int32_t start = value_period_start(days,
			    (enum value_grain)g);

			CHECK(start <= days && days - start < 366);
			CHECK(value_period_start(start, (enum value_grain)g) ==
			    start);
		}
		if (y >= 0 && y <= 9999) {
			value_format_date(days, text, sizeof(text));
			CHECK(value_parse_date(text, "%Y-%m-%d", &again) == 0 &&
			    again == days);
		}
	}
}

/* Leading and trailing blanks are not kept by CSV for unquoted fields. */
static void
trimmed(const char *s, size_t n, const char **b, size_t *len)
{
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*b = s;
	*len = n;
}

struct round_trip {
	const struct csvsrc_record *want;
	int records;
	bool equal;
};

static int
round_trip_record(void *ctx, const struct csvsrc_record *rec)
{
	struct round_trip *rt = ctx;
	const char *a, *b;
	size_t alen, blen;

	rt->records++;
	rt->equal = rec->nfields == rt->want->nfields;
	for (size_t i = 0; rt->equal && i < rec->nfields; i++) {
		trimmed(rec->fields[i], rec->lens[i], &a, &alen);
		trimmed(rt->want->fields[i], rt->want->lens[i], &b, &blen);
		rt->equal = alen == blen && memcmp(a, b, alen) == 0;
	}
	return 0;
}

/*
 * csvsrc_format: the cut output is valid UTF-8 and a prefix of the whole
 * one, and the whole one parses back to the same fields (up to the blanks
 * CSV trims; fields with a NUL byte are not quoted reliably and a record
 * of one empty field is a blank line, so those are left out).
 */
static void
check_format(struct fuzz_run *r, const struct csvsrc_record *rec)
{
	static const struct csvsrc_limits big_limits = { 8 * BIG_FORMAT,
		MAX_COLUMNS };
	char d = r->o->delimiter;
	size_t n, nbig;
	bool nul = false;
	struct round_trip rt = { rec, 0, false };
	struct csvsrc *p;
	char err[256];
	const char *t;
	size_t tlen;
	int rc;

	nbig = csvsrc_format(rec, d, '"', r->big, sizeof(r->big));
	CHECK(nbig < sizeof(r->big) - 4 && r->big[nbig] == '\0');
	CHECK(utf8_valid(r->big, nbig));

	n = csvsrc_format(rec, d, '"', r->small, r->o->format_size);
	CHECK(n < r->o->format_size && r->small[n] == '\0');
	CHECK(utf8_valid(r->small, n));
	if (n >= 3 && memcmp(r->small + n - 3, "...", 3) == 0)
		CHECK(n - 3 <= nbig && memcmp(r->small, r->big, n - 3) == 0);
	else
		CHECK(n == nbig && memcmp(r->small, r->big, n) == 0);

	for (size_t i = 0; i < rec->nfields; i++)
		nul = nul || memchr(rec->fields[i], '\0', rec->lens[i]) != NULL;
	trimmed(rec->fields[0], rec->lens[0], &t, &tlen);
	if (nul || (rec->nfields == 1 && tlen == 0))
		return;
	p = csvsrc_new(d, '"', &big_limits, round_trip_record, &rt);
	CHECK(p != NULL);
	rc = csvsrc_feed(p, r->big, nbig, err, sizeof(err));
	if (rc == 0)
		rc = csvsrc_feed(p, "\n", 1, err, sizeof(err));
	if (rc == 0)
		rc = csvsrc_finish(p, err, sizeof(err));
	csvsrc_free(p);
	if (rc != 0 || rt.records != 1 || !rt.equal)
		fprintf(stderr, "csvsrc_format round trip: rc %d, %d records, "
		    "'%s'\n", rc, rt.records, r->big);
	CHECK(rc == 0 && rt.records == 1 && rt.equal);
}

static void
check_row(struct fuzz_run *r, enum mapping_result rc,
    const struct mapping_row *row, const struct mapping_reject *rej)
{
	const struct fuzz_opts *o = r->o;
	const struct kind *k = r->fm->spec.kind;
	int total = kind_field_index(k, "waiting_total");
	int over = kind_field_index(k, "waiting_over_target");
	int mean = kind_field_index(k, "mean_wait_days");

	CHECK(rc == MAPPING_OK || rc == MAPPING_REJECT || rc == MAPPING_SKIP);
	if (rc == MAPPING_SKIP) {
		CHECK(o->skip || o->keep || o->area_table);
		return;
	}
	if (rc == MAPPING_REJECT) {
		size_t len = strnlen(rej->reason, sizeof(rej->reason));

		CHECK(len > 0 && len < sizeof(rej->reason));
		/* Stored in a text column of a UTF8 database. */
		if (!utf8_valid(rej->reason, len))
			fprintf(stderr, "reject reason not UTF-8: '%s'\n",
			    rej->reason);
		CHECK(utf8_valid(rej->reason, len));
		CHECK(rej->column == NULL || rej->column[0] != '\0');
		return;
	}
	/* The key is in every row, combined or not. */
	CHECK(row->present[KIND_FIELD_PERIOD] && row->present[KIND_FIELD_AREA] &&
	    row->present[KIND_FIELD_ORG]);
	CHECK(row->area >= 0 && (size_t)row->area < NELEM(area_codes));
	CHECK(row->org >= 0 && (size_t)row->org < NELEM(org_codes));
	CHECK(!o->org_constant || row->org == 8);
	CHECK(value_period_start(row->period, o->grain) == row->period);
	for (size_t f = KIND_FIELD_ORG + 1; f < k->nfields; f++) {
		if (!row->present[f])
			continue;
		CHECK(isfinite(row->values[f]) && row->values[f] >= 0);
		if (k->fields[f].type == KIND_COUNT)
			CHECK(row->values[f] == floor(row->values[f]));
	}
	if (!o->combine) {
		CHECK(row->present[total] && row->present[over]);
		CHECK(row->values[over] <= row->values[total]);
	}
	CHECK(o->map_mean || o->mean_expr || !row->present[mean]);
}

static int
on_record(void *ctx, const struct csvsrc_record *rec)
{
	struct fuzz_run *r = ctx;
	struct mapping_row row;
	struct mapping_reject rej;
	enum mapping_result mr;
	size_t bytes = 0, nv;
	int rc;

	CHECK(rec->index == r->records);
	CHECK(rec->nfields >= 1 && rec->nfields <= MAX_COLUMNS);
	CHECK(rec->line >= 1);
	r->records++;
	r->hash = fnv(r->hash, &rec->nfields, sizeof(rec->nfields));
	if (r->hash_lines)
		r->hash = fnv(r->hash, &rec->line, sizeof(rec->line));
	for (size_t i = 0; i < rec->nfields; i++) {
		CHECK(rec->fields[i][rec->lens[i]] == '\0');
		r->hash = fnv(r->hash, rec->fields[i], rec->lens[i] + 1);
		bytes += rec->lens[i];
	}
	if (r->checks) {
		/*
		 * Fields come from decoded text, so they are UTF-8. Their
		 * bytes fit the record cap, but for a record begun after a
		 * bare CR in the same line (csvsrc counts per line), which can
		 * reach twice the cap.
		 */
		CHECK(bytes <= 2 * MAX_RECORD_BYTES);
		for (size_t i = 0; i < rec->nfields; i++) {
			CHECK(utf8_valid(rec->fields[i], rec->lens[i]));
			check_field_values(rec->fields[i], r->o);
			check_expr(rec->fields[i]);
		}
		check_format(r, rec);
	}

	if (rec->index < (uint64_t)r->o->skip_rows)
		return 0;
	if (!r->header_seen) {
		r->header_seen = true;
		rc = mapping_header(r->map, rec, r->err, sizeof(r->err));
		CHECK(rc == 0 || rc == -EPROTO);
		CHECK(rc == 0 || utf8_valid(r->err, strlen(r->err)));
		r->hash = fnv(r->hash, &rc, sizeof(rc));
#ifdef FUZZ_DEBUG
		if (r->checks)
			fprintf(stderr, "header: %d %s\n", rc, rc ? r->err : "");
#endif
		return rc;
	}
	nv = mapping_variants(r->map);
	CHECK(nv == (r->o->unpivot ? 3 : 1));
	for (size_t v = 0; v < nv; v++) {
		memset(&rej, 0, sizeof(rej));
		mr = mapping_row(r->map, rec, v, &row, &rej);
		r->hash = fnv(r->hash, &mr, sizeof(mr));
		if (mr == MAPPING_OK) {
			r->hash = fnv(r->hash, &row.period, sizeof(row.period));
			r->hash = fnv(r->hash, &row.area, sizeof(row.area));
			r->hash = fnv(r->hash, &row.org, sizeof(row.org));
			r->hash = fnv(r->hash, row.values, sizeof(row.values));
		} else if (mr == MAPPING_REJECT)
			r->hash = fnv(r->hash, rej.reason, strlen(rej.reason));
		if (r->checks)
			check_row(r, mr, &row, &rej);
#ifdef FUZZ_DEBUG
		if (r->checks)
			fprintf(stderr, "line %llu.%zu: %s %s\n",
			    (unsigned long long)rec->line, v, mr == MAPPING_OK ?
			    "ok" : mr == MAPPING_SKIP ? "skip" : "reject",
			    mr == MAPPING_REJECT ? rej.reason : "");
#endif
	}
	return 0;
}

static int
on_decoded(void *ctx, const char *buf, size_t len)
{
	struct fuzz_run *r = ctx;
	int rc;

	/* Each call hands out whole characters, in order, nothing else. */
	CHECK(utf8_valid(buf, len));
	if (r->expect != NULL) {
		CHECK(len <= r->expect_len - r->expect_off);
		CHECK(memcmp(buf, r->expect + r->expect_off, len) == 0);
		r->expect_off += len;
	}
	rc = csvsrc_feed(r->csv, buf, len, r->err, sizeof(r->err));
	if (rc < 0) {
		r->sink_failed = true;
		CHECK(memchr(r->err, '\0', sizeof(r->err)) != NULL);
	}
	return rc;
}

/* Feeds payload in chunks of chunk bytes; returns the first error. */
static int
run_pipeline(struct fuzz_run *r, const unsigned char *payload, size_t n,
    size_t chunk, bool *decode_failed)
{
	static const struct csvsrc_limits limits = { MAX_RECORD_BYTES,
		MAX_COLUMNS };
	struct decode *dec = NULL;
	size_t off, len;
	int rc = -ENOMEM;

	*decode_failed = false;
	r->err[0] = '\0';
	if ((r->map = mapping_new(&r->fm->spec)) == NULL ||
	    (dec = decode_new(r->o->encoding)) == NULL ||
	    (r->csv = csvsrc_new(r->o->delimiter, '"', &limits, on_record,
	    r)) == NULL)
		goto out;
	rc = 0;
	for (off = 0; off < n && rc == 0; off += len) {
		len = n - off < chunk ? n - off : chunk;
		rc = decode_feed(dec, (const char *)payload + off, len,
		    on_decoded, r, r->err, sizeof(r->err));
		CHECK(rc <= 0);
		if (rc < 0 && !r->sink_failed) {
			CHECK(rc == -EILSEQ);
			*decode_failed = true;
		}
	}
	if (rc == 0) {
		CHECK(decode_offset(dec) == n);
		if ((rc = decode_finish(dec, r->err, sizeof(r->err))) < 0) {
			CHECK(rc == -EILSEQ);
			*decode_failed = true;
		} else
			rc = csvsrc_finish(r->csv, r->err, sizeof(r->err));
	}
	CHECK(rc == 0 || strlen(r->err) > 0);
	CHECK(rc == 0 || utf8_valid(r->err, strlen(r->err)));
out:
	mapping_free(r->map);
	decode_free(dec);
	csvsrc_free(r->csv);
	r->map = NULL;
	r->csv = NULL;
	return rc;
}

/* True if payload has a CR not followed by LF. */
static bool
has_bare_cr(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char bom[] = { 0xef, 0xbb, 0xbf };
	struct fuzz_opts o;
	struct fuzz_map fm;
	struct fuzz_run *run = NULL, *ref = NULL;
	const unsigned char *payload;
	size_t n;
	bool utf8, bare_cr, dec_failed, ref_dec_failed;
	int rc, ref_rc;

	if (size < OPT_BYTES)
		return 0;
	opts_read(data, &o);
	payload = data + OPT_BYTES;
	n = size - OPT_BYTES;
	utf8 = strcmp(o.encoding, "UTF-8") == 0;
	bare_cr = has_bare_cr(payload, n);
	if (fuzz_map_init(&fm, &o) < 0)
		goto out;
	/* Large buffers live on the heap, where ASan watches them too. */
	if ((run = calloc(1, sizeof(*run))) == NULL ||
	    (ref = calloc(1, sizeof(*ref))) == NULL)
		goto out;

	CHECK(o.format_size <= sizeof(run->small));
	run->o = &o;
	run->fm = &fm;
	run->checks = true;
	run->hash_lines = !bare_cr;
	if (utf8) {
		/* UTF-8 passes through unchanged, less a BOM in a first chunk
		 * long enough to hold it. */
		run->expect = payload;
		run->expect_len = n;
		if (n >= 3 && o.chunk >= 3 && memcmp(payload, bom, 3) == 0)
			run->expect_off = 3;
	}
	rc = run_pipeline(run, payload, n, o.chunk, &dec_failed);
#ifdef FUZZ_DEBUG
	fprintf(stderr, "run: %d %s (%llu records)\n", rc, rc ? run->err : "",
	    (unsigned long long)run->records);
#endif
	if (utf8 && !run->sink_failed) {
		CHECK(dec_failed == !utf8_valid(payload, n));
		CHECK(dec_failed || run->expect_off == n);
	}

	/*
	 * The same bytes in one chunk must give the same records and outcome.
	 * Not with a first chunk too short for the BOM check (documented), nor
	 * with bare CRs: csvsrc counts the record cap and lines per LF.
	 */
	if (o.chunk < n && !bare_cr &&
	    !(o.chunk < 3 && (payload[0] == 0xef || payload[0] >= 0xfe))) {
		ref->o = &o;
		ref->fm = &fm;
		ref->hash_lines = true;
		ref_rc = run_pipeline(ref, payload, n, n, &ref_dec_failed);
		CHECK((rc == 0) == (ref_rc == 0));
		CHECK(rc != 0 || (ref->hash == run->hash &&
		    ref->records == run->records));
	}
out:
	free(run);
	free(ref);
	fuzz_map_free(&fm);
	return 0;
}
