/* test_mapping.c - unit tests of mapping.c: header matching, row values, periods, rejects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "extractors/codemap.h"
#include "extractors/csvsrc.h"
#include "extractors/kind.h"
#include "extractors/mapping.h"
#include "extractors/value.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXCELLS 12

/*
 * Days since 1970-01-01, worked out by hand: 2020-01-01 is 50 * 365 + 12
 * leap days = 18262; each later year adds 365 or 366 (2020, 2024).
 */
#define D2020_12_28 18624  /* 2021-01-01 (18628) - 4; Monday of 2020-W53 */
#define D2021_01_04 18631  /* Monday of 2021-W01 */
#define D2022_12_26 19352  /* 2023-01-01 (19358) - 6; Monday */
#define D2024_01_01 19723  /* a Monday: 2024-W01 */
#define D2024_02_01 19754  /* 19723 + 31 */
#define D2024_03_01 19783  /* 19754 + 29 */
#define D2024_05_01 19844  /* 19783 + 31 + 30 */

/* ---- fixtures ----------------------------------------------------------- */

/* A record over cells, as csvsrc hands them out. */
struct rec_buf {
	char store[1024];
	char *fields[MAXCELLS];
	size_t lens[MAXCELLS];
	struct csvsrc_record rec;
};

static const struct csvsrc_record *
make_rec(struct rec_buf *b, const char *const *cells)
{
	size_t at = 0, n = 0;

	for (; n < MAXCELLS && cells[n] != NULL; n++) {
		size_t len = strlen(cells[n]);

		assert_true(at + len < sizeof(b->store));
		memcpy(b->store + at, cells[n], len + 1);
		b->fields[n] = b->store + at;
		b->lens[n] = len;
		at += len + 1;
	}
	b->rec.fields = b->fields;
	b->rec.lens = b->lens;
	b->rec.nfields = n;
	b->rec.line = 2;
	b->rec.index = 1;
	return &b->rec;
}

/* A spec with its format, columns and code maps, all owned here. */
struct fixture {
	struct mapping_format format;
	struct mapping_column fields[MAPPING_MAX_FIELDS];
	char *names[MAPPING_MAX_FIELDS][4];
	struct mapping_spec spec;
	struct codemap *areas, *orgs;
	struct mapping *m;
};

/* Maps field to one or more header names (NULL-terminated). */
static void
map_field(struct fixture *fx, const char *field, const char *const *names)
{
	int f = kind_field_index(fx->spec.kind, field);
	size_t n = 0;

	assert_true(f >= 0);
	for (; names[n] != NULL; n++) {
		assert_true(n < NELEM(fx->names[f]));
		fx->names[f][n] = (char *)(uintptr_t)names[n];
	}
	fx->fields[f].columns = fx->names[f];
	fx->fields[f].ncolumns = n;
}

#define MAP(fx, field, ...) \
	map_field((fx), (field), (const char *const[]){ __VA_ARGS__, NULL })

static void
fixture_init(struct fixture *fx, const char *kind, enum value_grain grain,
    const char *date_format, char decimal)
{
	static char null_marker[] = "..";

	memset(fx, 0, sizeof(*fx));
	fx->spec.kind = kind_find(kind);
	assert_non_null(fx->spec.kind);
	fx->format.encoding = (char *)(uintptr_t)"UTF-8";
	fx->format.delimiter = ',';
	fx->format.quote = '"';
	fx->format.numfmt.decimal = decimal;
	fx->format.numfmt.thousands = decimal == ',' ? ' ' : 0;
	fx->format.date_format = (char *)(uintptr_t)date_format;
	fx->format.nulls[0] = null_marker;
	fx->format.nnulls = 1;
	fx->spec.period = grain;
	fx->spec.format = &fx->format;
	fx->spec.fields = fx->fields;

	/* Areas: NEURO (alias NEU) = 0, ORTO = 1. Orgs: SU (alias
	 * Sahlgrenska) = 0, SÄS = 1. */
	fx->areas = codemap_new();
	fx->orgs = codemap_new();
	assert_non_null(fx->areas);
	assert_non_null(fx->orgs);
	assert_int_equal(codemap_add(fx->areas, "NEURO", 0), 0);
	assert_int_equal(codemap_add(fx->areas, "NEU", 0), 0);
	assert_int_equal(codemap_add(fx->areas, "ORTO", 1), 0);
	assert_int_equal(codemap_add(fx->orgs, "SU", 0), 0);
	assert_int_equal(codemap_add(fx->orgs, "Sahlgrenska", 0), 0);
	assert_int_equal(codemap_add(fx->orgs, "S\xc3\x84S", 1), 0);
	fx->spec.areas = fx->areas;
	fx->spec.orgs = fx->orgs;
}

/* Creates the mapper once every field is mapped. */
static struct mapping *
fixture_mapper(struct fixture *fx)
{
	fx->m = mapping_new(&fx->spec);
	assert_non_null(fx->m);
	return fx->m;
}

static void
fixture_free(struct fixture *fx)
{
	mapping_free(fx->m);
	codemap_free(fx->areas);
	codemap_free(fx->orgs);
}

/* The queue source most tests use: decimal comma, null marker "..". */
static const char *const queue_header[] = { "Period", "Area", "Org",
    "Waiting", "Over target", "Mean days", NULL };

static void
queue_fixture(struct fixture *fx)
{
	fixture_init(fx, "queue", VALUE_GRAIN_MONTH, "%Y-%m-%d", ',');
	MAP(fx, "period", "Period");
	MAP(fx, "area", "Area");
	MAP(fx, "org", "Org");
	MAP(fx, "waiting_total", "Waiting");
	MAP(fx, "waiting_over_target", "Over target");
	MAP(fx, "mean_wait_days", "Mean days");
	fixture_mapper(fx);
}

static int
header(struct fixture *fx, const char *const *cells, char *err, size_t len)
{
	struct rec_buf b;

	err[0] = '\0';
	return mapping_header(fx->m, make_rec(&b, cells), err, len);
}

/* Maps a record (its only variant: no unpivot here). */
static enum mapping_result
row(struct fixture *fx, const char *const *cells, struct mapping_row *r,
    struct mapping_reject *rej)
{
	struct rec_buf b;

	memset(rej, 0, sizeof(*rej));
	assert_int_equal(mapping_variants(fx->m), 1);
	return mapping_row(fx->m, make_rec(&b, cells), 0, r, rej);
}

/* ---- header ------------------------------------------------------------- */

struct header_case {
	const char *name;
	const char *cells[MAXCELLS];
	int rc;
	const char *msg[3];  /* substrings of the message */
};

static const struct header_case header_cases[] = {
	{ "as configured", { "Period", "Area", "Org", "Waiting",
	  "Over target", "Mean days" }, 0, { NULL } },
	{ "any order, case and blanks, extra columns",
	  { " mean DAYS ", "extra", "ORG", "waiting\t", "Over TARGET\r",
	  "area", "\tperiod", "Comment" }, 0, { NULL } },
	{ "an unmapped column twice", { "Period", "Area", "Org", "Waiting",
	  "Over target", "Mean days", "x", "x" }, 0, { NULL } },
	{ "missing column", { "Period", "Area", "Org", "Waiting",
	  "Mean days" }, -EPROTO,
	  { "'Over target'", "waiting_over_target", NULL } },
	{ "missing first column", { "Area", "Org", "Waiting", "Over target",
	  "Mean days" }, -EPROTO, { "'Period'", NULL } },
	{ "one column: wrong delimiter",
	  { "Period;Area;Org;Waiting;Over target;Mean days" }, -EPROTO,
	  { "'Period'", "delimiter", NULL } },
	{ "mapped column twice", { "Period", "Area", "Org", "Waiting",
	  "Over target", "Mean days", " AREA " }, -EPROTO,
	  { "'Area'", "twice", NULL } },
	{ "a near miss is not a match", { "Period", "Area", "Org",
	  "Waiting list", "Over target", "Mean days" }, -EPROTO,
	  { "'Waiting'", NULL } },
};

static void
test_header(void **state)
{
	for (size_t i = 0; i < NELEM(header_cases); i++) {
		const struct header_case *tc = &header_cases[i];
		struct fixture fx;
		char err[256];
		int rc;

		queue_fixture(&fx);
		rc = header(&fx, tc->cells, err, sizeof(err));
		if (rc != tc->rc)
			fail_msg("%s: rc %d, want %d (%s)", tc->name, rc, tc->rc,
			    err);
		for (size_t k = 0; k < NELEM(tc->msg) && tc->msg[k]; k++)
			if (strstr(err, tc->msg[k]) == NULL)
				fail_msg("%s: message '%s' lacks '%s'", tc->name,
				    err, tc->msg[k]);
		/* The hint is only for a one-column header. */
		if (rc != 0 && tc->cells[1] != NULL &&
		    strstr(err, "delimiter") != NULL)
			fail_msg("%s: needless delimiter hint '%s'", tc->name,
			    err);
		fixture_free(&fx);
	}
}

/* The header's column order decides where each value is read. */
static void
test_header_order(void **state)
{
	static const char *const hdr[] = { " mean DAYS ", "extra", "ORG",
	    "waiting\t", "Over TARGET", "area", "\tperiod", NULL };
	static const char *const cells[] = { "12,5", "ignored", "SU", "40",
	    "7", "ORTO", "2024-02-29", NULL };
	struct fixture fx;
	struct mapping_row r;
	struct mapping_reject rej;
	char err[256];

	queue_fixture(&fx);
	assert_int_equal(header(&fx, hdr, err, sizeof(err)), 0);
	assert_int_equal(row(&fx, cells, &r, &rej), MAPPING_OK);
	assert_int_equal(r.period, D2024_02_01);
	assert_int_equal(r.area, 1);
	assert_int_equal(r.org, 0);
	assert_true(r.values[3] == 40 && r.present[3]);
	assert_true(r.values[4] == 7 && r.present[4]);
	assert_true(r.values[5] == 12.5 && r.present[5]);
	fixture_free(&fx);
}

/* ---- rows --------------------------------------------------------------- */

/* Queue fields by index: 3 waiting_total, 4 waiting_over_target,
 * 5 mean_wait_days (6..8 are not mapped). */
struct row_case {
	const char *name;
	const char *cells[MAXCELLS];
	enum mapping_result rc;
	/* MAPPING_OK: the row */
	int32_t period;
	int area, org;
	double total, over, mean; /* mean < 0: not present */
	/* MAPPING_REJECT: the reject */
	const char *column;       /* NULL: the whole row */
	const char *why[2];       /* substrings of the reason */
};

#define OK(p, a, o, t, v, m) MAPPING_OK, p, a, o, t, v, m, NULL, { NULL }
#define REJECT(col, w1, w2) MAPPING_REJECT, 0, 0, 0, 0, 0, 0, col, { w1, w2 }

static const struct row_case row_cases[] = {
	{ "good row", { "2024-03-15", "NEURO", "SU", "120", "30", "45,5" },
	  OK(D2024_03_01, 0, 0, 120, 30, 45.5) },
	{ "first of the month", { "2024-03-01", "ORTO", "S\xc3\x84S", "1",
	  "1", "0" }, OK(D2024_03_01, 1, 1, 1, 1, 0) },
	{ "aliases, case, blanks, thousands", { "2024-05-31", " neu ",
	  "SAHLGRENSKA", "1 200", "0", "3" },
	  OK(D2024_05_01, 0, 0, 1200, 0, 3) },
	{ "count written 12,0", { "2024-03-01", "NEURO", "SU", "12,0", "2",
	  "1" }, OK(D2024_03_01, 0, 0, 12, 2, 1) },
	{ "null marker in an optional field", { "2024-03-01", "NEURO", "SU",
	  "10", "2", ".." }, OK(D2024_03_01, 0, 0, 10, 2, -1) },
	{ "empty optional field", { "2024-03-01", "NEURO", "SU", "10", "2",
	  " " }, OK(D2024_03_01, 0, 0, 10, 2, -1) },
	{ "over target equals total", { "2024-03-01", "NEURO", "SU", "10",
	  "10", "1" }, OK(D2024_03_01, 0, 0, 10, 10, 1) },

	{ "bad date", { "2024-13-01", "NEURO", "SU", "10", "2", "1" },
	  REJECT("Period", "'2024-13-01'", "%Y-%m-%d") },
	{ "not a date", { "March", "NEURO", "SU", "10", "2", "1" },
	  REJECT("Period", "'March'", NULL) },
	{ "negative count", { "2024-03-01", "NEURO", "SU", "-5", "2", "1" },
	  REJECT("Waiting", "'-5'", NULL) },
	{ "not a number", { "2024-03-01", "NEURO", "SU", "many", "2", "1" },
	  REJECT("Waiting", "'many'", NULL) },
	{ "count with a fraction", { "2024-03-01", "NEURO", "SU", "12,5", "2",
	  "1" }, REJECT("Waiting", "'12,5'", NULL) },
	{ "decimal point under decimal comma", { "2024-03-01", "NEURO", "SU",
	  "10", "2", "4.5" }, REJECT("Mean days", "'4.5'", NULL) },
	{ "negative number", { "2024-03-01", "NEURO", "SU", "10", "2",
	  "-1,5" }, REJECT("Mean days", "'-1,5'", NULL) },
	{ "unknown area", { "2024-03-01", "CARDIO", "SU", "10", "2", "1" },
	  REJECT("Area", "'CARDIO'", "area") },
	{ "unknown org", { "2024-03-01", "NEURO", "KS", "10", "2", "1" },
	  REJECT("Org", "'KS'", "organisation") },
	{ "null marker in a required field", { "2024-03-01", "NEURO", "SU",
	  "..", "2", "1" }, REJECT("Waiting", "waiting_total", NULL) },
	{ "empty required field", { "2024-03-01", "NEURO", "SU", "10", "",
	  "1" }, REJECT("Over target", "waiting_over_target", NULL) },
	{ "empty area", { "2024-03-01", "", "SU", "10", "2", "1" },
	  REJECT("Area", "'area'", NULL) },
	{ "over target above total", { "2024-03-01", "NEURO", "SU", "10",
	  "11", "1" }, REJECT("Over target", "11", "10") },
	{ "fewer fields than the header", { "2024-03-01", "NEURO", "SU" },
	  REJECT(NULL, "3 fields", "header has 6") },
};

static void
check_row(const struct row_case *tc)
{
	struct fixture fx;
	struct mapping_row r;
	struct mapping_reject rej;
	char err[256];
	enum mapping_result rc;

	queue_fixture(&fx);
	assert_int_equal(header(&fx, queue_header, err, sizeof(err)), 0);
	rc = row(&fx, tc->cells, &r, &rej);
	if (rc != tc->rc)
		fail_msg("%s: rc %d, want %d (%s)", tc->name, rc, tc->rc,
		    rc == MAPPING_REJECT ? rej.reason : "");
	if (rc == MAPPING_OK) {
		if (r.period != tc->period || r.area != tc->area ||
		    r.org != tc->org)
			fail_msg("%s: period %d area %d org %d, want %d %d %d",
			    tc->name, r.period, r.area, r.org, tc->period,
			    tc->area, tc->org);
		if (!r.present[3] || r.values[3] != tc->total ||
		    !r.present[4] || r.values[4] != tc->over)
			fail_msg("%s: total %g over %g, want %g %g", tc->name,
			    r.values[3], r.values[4], tc->total, tc->over);
		if (r.present[5] != (tc->mean >= 0) ||
		    (tc->mean >= 0 && fabs(r.values[5] - tc->mean) > 1e-12))
			fail_msg("%s: mean %g (present %d), want %g", tc->name,
			    r.values[5], r.present[5], tc->mean);
		for (size_t f = 6; f < 9; f++)
			if (r.present[f])
				fail_msg("%s: unmapped field %zu present",
				    tc->name, f);
	} else {
		if ((tc->column == NULL) != (rej.column == NULL) ||
		    (tc->column && strcmp(rej.column, tc->column) != 0))
			fail_msg("%s: column '%s', want '%s'", tc->name,
			    rej.column ? rej.column : "(null)",
			    tc->column ? tc->column : "(null)");
		for (size_t k = 0; k < NELEM(tc->why) && tc->why[k]; k++)
			if (strstr(rej.reason, tc->why[k]) == NULL)
				fail_msg("%s: reason '%s' lacks '%s'", tc->name,
				    rej.reason, tc->why[k]);
	}
	fixture_free(&fx);
}

static void
test_rows(void **state)
{
	for (size_t i = 0; i < NELEM(row_cases); i++)
		check_row(&row_cases[i]);
}

/* A reject does not stick: the next good row maps. */
static void
test_row_after_reject(void **state)
{
	static const char *const bad[] = { "x", "NEURO", "SU", "1", "1", "1",
	    NULL };
	static const char *const good[] = { "2024-01-01", "NEURO", "SU", "1",
	    "1", "1", NULL };
	struct fixture fx;
	struct mapping_row r;
	struct mapping_reject rej;
	char err[256];

	queue_fixture(&fx);
	assert_int_equal(header(&fx, queue_header, err, sizeof(err)), 0);
	assert_int_equal(row(&fx, bad, &r, &rej), MAPPING_REJECT);
	assert_int_equal(row(&fx, good, &r, &rej), MAPPING_OK);
	assert_int_equal(r.period, D2024_01_01);
	fixture_free(&fx);
}

/*
 * A row with more fields than the header has a column shifted, e.g. a
 * decimal comma left unquoted in a comma-separated file: its values
 * cannot be trusted and it must be a reject, not a row with mean 12.
 */
static void
test_row_more_fields(void **state)
{
	static const char *const hdr[] = { "Period", "Area", "Org", "Waiting",
	    "Over target", "Mean days", NULL };
	static const char *const cells[] = { "2024-03-01", "NEURO", "SU",
	    "100", "40", "12", "5", NULL };
	struct fixture fx;
	struct mapping_row r;
	struct mapping_reject rej;
	char err[256];
	enum mapping_result rc;

	fixture_init(&fx, "queue", VALUE_GRAIN_MONTH, "%Y-%m-%d", '.');
	MAP(&fx, "period", "Period");
	MAP(&fx, "area", "Area");
	MAP(&fx, "org", "Org");
	MAP(&fx, "waiting_total", "Waiting");
	MAP(&fx, "waiting_over_target", "Over target");
	MAP(&fx, "mean_wait_days", "Mean days");
	fixture_mapper(&fx);
	assert_int_equal(header(&fx, hdr, err, sizeof(err)), 0);
	rc = row(&fx, cells, &r, &rej);
	fixture_free(&fx);
	if (rc != MAPPING_REJECT)
		fail_msg("a 7-field row under a 6-column header: rc %d, mean %g",
		    rc, r.values[5]);
	assert_null(rej.column);
	assert_non_null(strstr(rej.reason, "7 fields"));
	assert_non_null(strstr(rej.reason, "6"));
}

/* ---- periods ------------------------------------------------------------ */

struct period_case {
	enum value_grain grain;
	const char *date_format;
	const char *text;
	int32_t want;
};

static const struct period_case period_cases[] = {
	{ VALUE_GRAIN_WEEK, "%G-W%V", "2024-W01", D2024_01_01 },
	{ VALUE_GRAIN_WEEK, "%G-W%V", "2020-W53", D2020_12_28 },
	{ VALUE_GRAIN_WEEK, "%G-W%V", "2021-W01", D2021_01_04 },
	{ VALUE_GRAIN_WEEK, "%Y-%m-%d", "2024-01-03", D2024_01_01 },
	{ VALUE_GRAIN_WEEK, "%Y-%m-%d", "2023-01-01", D2022_12_26 },
	{ VALUE_GRAIN_MONTH, "%Y-%m", "2024-03", D2024_03_01 },
	{ VALUE_GRAIN_MONTH, "%Y-%m", "2024-3", D2024_03_01 },
	{ VALUE_GRAIN_MONTH, "%Y-%m-%d", "2024-02-29", D2024_02_01 },
	{ VALUE_GRAIN_MONTH, "%d/%m/%Y", "31/05/2024", D2024_05_01 },
	{ VALUE_GRAIN_YEAR, "%Y-%m-%d", "2024-05-31", D2024_01_01 },
	{ VALUE_GRAIN_QUARTER, "%Y-%m-%d", "2024-03-31", D2024_01_01 },
	{ VALUE_GRAIN_DAY, "%Y-%m-%d", "2024-03-01", D2024_03_01 },
};

static void
test_periods(void **state)
{
	for (size_t i = 0; i < NELEM(period_cases); i++) {
		const struct period_case *tc = &period_cases[i];
		const char *cells[] = { tc->text, "NEURO", "SU", "5", "1", "",
		    NULL };
		struct fixture fx;
		struct mapping_row r;
		struct mapping_reject rej;
		char err[256];
		enum mapping_result rc;

		fixture_init(&fx, "queue", tc->grain, tc->date_format, ',');
		MAP(&fx, "period", "Period");
		MAP(&fx, "area", "Area");
		MAP(&fx, "org", "Org");
		MAP(&fx, "waiting_total", "Waiting");
		MAP(&fx, "waiting_over_target", "Over target");
		MAP(&fx, "mean_wait_days", "Mean days");
		fixture_mapper(&fx);
		assert_int_equal(header(&fx, queue_header, err, sizeof(err)), 0);
		rc = row(&fx, cells, &r, &rej);
		if (rc != MAPPING_OK || r.period != tc->want)
			fail_msg("period case %zu '%s' (%s): rc %d period %d, "
			    "want %d (%s)", i, tc->text, tc->date_format, rc,
			    r.period, tc->want, rc ? rej.reason : "");
		fixture_free(&fx);
	}
}

/* The period read from two columns joined by a space. */
static void
test_period_joined(void **state)
{
	static const char *const hdr[] = { "Area", "Month", "Org", "Year",
	    "Waiting", "Over target", NULL };
	static const struct {
		const char *cells[7];
		enum mapping_result rc;
		int32_t want;
		const char *why;
	} cases[] = {
		{ { "NEURO", "Mar", "SU", "2024", "5", "1" }, MAPPING_OK,
		  D2024_03_01, NULL },
		{ { "NEURO", "maj", "SU", "2024", "5", "1" }, MAPPING_OK,
		  D2024_05_01, NULL },
		{ { "NEURO", "Foo", "SU", "2024", "5", "1" }, MAPPING_REJECT, 0,
		  "'2024 Foo'" },
		{ { "NEURO", "Mar", "SU", "", "5", "1" }, MAPPING_REJECT, 0,
		  NULL },
	};
	static const char *const short_hdr[] = { "Area", "Org", "Year",
	    "Waiting", "Over target", NULL };

	for (size_t i = 0; i < NELEM(cases); i++) {
		struct fixture fx;
		struct mapping_row r;
		struct mapping_reject rej;
		char err[256];
		enum mapping_result rc;

		fixture_init(&fx, "queue", VALUE_GRAIN_MONTH, "%Y %b", '.');
		MAP(&fx, "period", "Year", "Month");
		MAP(&fx, "area", "Area");
		MAP(&fx, "org", "Org");
		MAP(&fx, "waiting_total", "Waiting");
		MAP(&fx, "waiting_over_target", "Over target");
		fixture_mapper(&fx);
		assert_int_equal(header(&fx, hdr, err, sizeof(err)), 0);
		rc = row(&fx, cases[i].cells, &r, &rej);
		if (rc != cases[i].rc || (rc == MAPPING_OK &&
		    r.period != cases[i].want))
			fail_msg("joined case %zu: rc %d period %d (%s)", i, rc,
			    r.period, rc ? rej.reason : "");
		if (rc == MAPPING_REJECT) {
			assert_non_null(rej.column);
			assert_string_equal(rej.column, "Year");
		}
		if (cases[i].why != NULL &&
		    strstr(rej.reason, cases[i].why) == NULL)
			fail_msg("joined case %zu: reason '%s' lacks '%s'", i,
			    rej.reason, cases[i].why);
		/* Every joined column must be in the header. */
		assert_int_equal(header(&fx, short_hdr, err, sizeof(err)),
		    -EPROTO);
		assert_non_null(strstr(err, "'Month'"));
		fixture_free(&fx);
	}
}

/* ---- constants ---------------------------------------------------------- */

static void
test_constant_org(void **state)
{
	static const char *const hdr[] = { "Period", "Area", "Waiting",
	    "Over target", NULL };
	static const char *const cells[] = { "2024-03-10", "ORTO", "9", "3",
	    NULL };
	static const char *const codes[] = { "SU", "s\xc3\x84s", "KS" };
	static const int want[] = { 0, 1, -1 };

	for (size_t i = 0; i < NELEM(codes); i++) {
		struct fixture fx;
		struct mapping_row r;
		struct mapping_reject rej;
		char err[256];
		enum mapping_result rc;

		fixture_init(&fx, "queue", VALUE_GRAIN_MONTH, "%Y-%m-%d", '.');
		MAP(&fx, "period", "Period");
		MAP(&fx, "area", "Area");
		MAP(&fx, "waiting_total", "Waiting");
		MAP(&fx, "waiting_over_target", "Over target");
		fx.fields[KIND_FIELD_ORG].ncolumns = 0;
		fx.fields[KIND_FIELD_ORG].constant = (char *)(uintptr_t)codes[i];
		fixture_mapper(&fx);
		/* No org column in the header, and none needed. */
		assert_int_equal(header(&fx, hdr, err, sizeof(err)), 0);
		rc = row(&fx, cells, &r, &rej);
		if (want[i] >= 0) {
			if (rc != MAPPING_OK || r.org != want[i] || r.area != 1 ||
			    r.period != D2024_03_01)
				fail_msg("constant '%s': rc %d org %d (%s)",
				    codes[i], rc, r.org, rc ? rej.reason : "");
		} else {
			assert_int_equal(rc, MAPPING_REJECT);
			assert_non_null(rej.column);
			assert_string_equal(rej.column, "org");
			assert_non_null(strstr(rej.reason, "'KS'"));
		}
		fixture_free(&fx);
	}
}

/* ---- shares ------------------------------------------------------------- */

static const struct {
	const char *text;
	enum mapping_result rc;
	double want;
	const char *why;
} share_cases[] = {
	{ "5,2 %", MAPPING_OK, 0.052, NULL },
	{ "5,2%", MAPPING_OK, 0.052, NULL },
	{ "0,25", MAPPING_OK, 0.25, NULL },
	{ "100 %", MAPPING_OK, 1.0, NULL },
	{ "0 %", MAPPING_OK, 0.0, NULL },
	{ "1", MAPPING_OK, 1.0, NULL },
	{ "120 %", MAPPING_REJECT, 0, "'120 %'" },
	{ "100,1 %", MAPPING_REJECT, 0, "'100,1 %'" },
	{ "1,5", MAPPING_REJECT, 0, "'1,5'" },
	{ "-1 %", MAPPING_REJECT, 0, "'-1 %'" },
	{ "5.2 %", MAPPING_REJECT, 0, "'5.2 %'" },
	{ "%", MAPPING_REJECT, 0, "'%'" },
};

static void
test_shares(void **state)
{
	static const char *const hdr[] = { "Month", "Area", "Org", "Budget",
	    "Filled", "Sick", NULL };

	for (size_t i = 0; i < NELEM(share_cases); i++) {
		const char *cells[] = { "2024-03", "NEURO", "SU", "10,5", "9,5",
		    share_cases[i].text, NULL };
		int sick;
		struct fixture fx;
		struct mapping_row r;
		struct mapping_reject rej;
		char err[256];
		enum mapping_result rc;

		fixture_init(&fx, "staffing", VALUE_GRAIN_MONTH, "%Y-%m", ',');
		MAP(&fx, "period", "Month");
		MAP(&fx, "area", "Area");
		MAP(&fx, "org", "Org");
		MAP(&fx, "fte_budget", "Budget");
		MAP(&fx, "fte_filled", "Filled");
		MAP(&fx, "sick_leave_rate", "Sick");
		fixture_mapper(&fx);
		sick = kind_field_index(fx.spec.kind, "sick_leave_rate");
		assert_int_equal(header(&fx, hdr, err, sizeof(err)), 0);
		rc = row(&fx, cells, &r, &rej);
		if (rc != share_cases[i].rc)
			fail_msg("share '%s': rc %d (%s)", share_cases[i].text,
			    rc, rc ? rej.reason : "");
		if (rc == MAPPING_OK) {
			assert_true(r.present[sick]);
			if (fabs(r.values[sick] - share_cases[i].want) > 1e-12)
				fail_msg("share '%s': %.17g, want %g",
				    share_cases[i].text, r.values[sick],
				    share_cases[i].want);
			assert_true(r.values[3] == 10.5 && r.values[4] == 9.5);
		} else {
			assert_non_null(rej.column);
			assert_string_equal(rej.column, "Sick");
			if (strstr(rej.reason, share_cases[i].why) == NULL)
				fail_msg("share '%s': reason '%s'",
				    share_cases[i].text, rej.reason);
		}
		fixture_free(&fx);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_header_order),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_row_after_reject),
		cmocka_unit_test(test_row_more_fields),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_period_joined),
		cmocka_unit_test(test_constant_org),
		cmocka_unit_test(test_shares),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
