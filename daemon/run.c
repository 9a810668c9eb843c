/* run.c - one run of one source: fetch → decode → CSV → map → COPY to staging → upsert, in one transaction. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "daemon/alerts.h"
#include "daemon/assess.h"
#include "daemon/copy.h"
#include "daemon/records.h"
#include "daemon/run.h"
#include "daemon/trending.h"
#include "extractors/codemap.h"
#include "extractors/csvsrc.h"
#include "extractors/decode.h"
#include "extractors/fetch.h"
#include "extractors/mapping.h"
#include "extractors/rollup.h"
#include "transforms/catalog.h"

/* Rejects kept for the operator when a whole extract is refused. */
#define RUN_KEEP_REJECTS 20

/* Everything one run's stream passes through. */
struct pipeline {
	const struct conf *c;
	const struct conf_source *src;
	const struct run_control *ctl;
	double started;       /* now_seconds() at the start of the run */
	uint64_t bytes;       /* fetched so far */
	struct codemap *areas, *orgs;          /* the region's codes, aliases */
	struct codemap *area_table, *org_table; /* the source's translations */
	struct codemap *statuses;              /* record grain: status texts */
	struct mapping_spec spec;
	struct mapping *map;
	struct decode *dec;
	struct csvsrc *csv;
	struct copy copy;
	bool copying;         /* copy is open (staging, or kept records) */
	/* Record grain: facts summed while streaming, records COPYed
	 * straight into their table (keep_records), rejects spooled to a
	 * temporary file until the stream ends. */
	struct rollup *rollup;
	FILE *spool;
	struct copy rejects;
	int64_t run_id;
	EVP_MD_CTX *sha;
	bool sniffed;         /* the first bytes were checked for non-CSV */
	bool header_seen;
	uint64_t rows_read;     /* data rows, skipped ones included */
	uint64_t rows_rejected;
	uint64_t rows_skipped;  /* left out on purpose by a filter or code */
	int32_t period_min, period_max;
	bool have_period;     /* period_min/max hold a loaded row's period */
	int error;            /* refusal or failure found while streaming */
	bool refuse;          /* error is the extract's fault, not ours */
	char err[512];
	char raw[8192];
};

const char *
run_status_name(enum run_status s)
{
	static const char *const names[] = { "ok", "ok_with_rejects", "stale",
		"unchanged", "refused", "failed", "interrupted", "busy" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

bool
run_status_loaded(enum run_status s)
{
	return s == RUN_OK || s == RUN_OK_WITH_REJECTS || s == RUN_STALE;
}

static int
pipe_fail(struct pipeline *p, int rc, bool refuse, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
pipe_fail(struct pipeline *p, int rc, bool refuse, const char *fmt, ...)
{
	va_list ap;

	if (p->error != 0)
		return p->error;
	p->error = rc;
	p->refuse = refuse;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return rc;
}

/* A record-grain reject, spooled as a row of fragwatch.rejects. */
static void
spool_reject(struct pipeline *p, const struct csvsrc_record *rec,
    const char *column, const char *reason)
{
	if (p->spool == NULL) {
		if ((p->spool = tmpfile()) == NULL) {
			pipe_fail(p, -errno, false, "cannot create a temporary "
			    "file for rejects: %s", strerror(errno));
			return;
		}
		copy_spool(&p->rejects, p->spool);
	}
	copy_int(&p->rejects, p->run_id);
	copy_int(&p->rejects, (int64_t)rec->line);
	if (column != NULL)
		copy_text(&p->rejects, column);
	else
		copy_null(&p->rejects);
	copy_text(&p->rejects, reason);
	copy_text(&p->rejects, p->raw);
	if (copy_row(&p->rejects) < 0)
		pipe_fail(p, p->rejects.error, false, "%s", p->rejects.err);
	p->rows_rejected++;
}

static void
stage_reject(struct pipeline *p, const struct csvsrc_record *rec,
    const char *column, const char *reason)
{
	const struct kind *k = p->src->kind;

	csvsrc_format(rec, p->src->format.delimiter, p->src->format.quote,
	    p->raw, sizeof(p->raw));
	if (k->record) {
		spool_reject(p, rec, column, reason);
		return;
	}
	copy_int(&p->copy, (int64_t)rec->line);
	if (column != NULL)
		copy_text(&p->copy, column);
	else
		copy_null(&p->copy);
	copy_text(&p->copy, reason);
	copy_text(&p->copy, p->raw);
	for (size_t f = 0; f < k->nfields; f++)
		copy_null(&p->copy);
	p->rows_rejected++;
}

static void
stage_row(struct pipeline *p, const struct csvsrc_record *rec,
    const struct mapping_row *row)
{
	const struct kind *k = p->src->kind;
	int32_t period = value_period_start(row->period, p->src->period);
	int rc;

	if (k->record) {
		if ((rc = rollup_add(p->rollup, row, rec->line)) < 0)
			pipe_fail(p, rc, false, "cannot sum the records: %s",
			    strerror(-rc));
		if (p->src->keep_records)
			records_row(&p->copy, p->c, p->src, p->run_id, rec->line,
			    row);
		goto periods;
	}
	copy_int(&p->copy, (int64_t)rec->line);
	copy_null(&p->copy);
	copy_null(&p->copy);
	copy_null(&p->copy);
	copy_date(&p->copy, row->period);
	copy_text(&p->copy, p->c->areas[row->area].code);
	copy_text(&p->copy, p->c->orgs[row->org].code);
	for (size_t f = KIND_FIELD_ORG + 1; f < k->nfields; f++) {
		if (!row->present[f])
			copy_null(&p->copy);
		else if (k->fields[f].type == KIND_COUNT)
			copy_int(&p->copy, (int64_t)row->values[f]);
		else if (k->fields[f].type == KIND_DATE)
			copy_date(&p->copy, (int32_t)row->values[f]);
		else if (k->fields[f].type == KIND_TEXT)
			copy_text(&p->copy, row->texts[f]);
		else
			copy_double(&p->copy, row->values[f]);
	}
periods:
	/* A record's day stands for its period (a referral closed later
	 * touches a later one, which the assessment reaches from here on). */
	if (!p->have_period || period < p->period_min)
		p->period_min = period;
	if (!p->have_period || period > p->period_max)
		p->period_max = period;
	p->have_period = true;
}

static int
on_record(void *ctx, const struct csvsrc_record *rec)
{
	struct pipeline *p = ctx;
	struct mapping_row row;
	struct mapping_reject rej;
	char err[512];
	int rc;

	if (rec->index < (uint64_t)p->src->format.skip_rows)
		return 0;
	if (!p->header_seen) {
		p->header_seen = true;
		if ((rc = mapping_header(p->map, rec, err, sizeof(err))) < 0)
			return pipe_fail(p, rc, true, "%s", err);
		return 0;
	}
	/* A wide file's record is several rows, one per period column. */
	for (size_t v = 0; v < mapping_variants(p->map); v++) {
		p->rows_read++;
		switch (mapping_row(p->map, rec, v, &row, &rej)) {
		case MAPPING_SKIP:
			p->rows_skipped++;
			continue;
		case MAPPING_REJECT:
			if ((rej.check == MAPPING_CHECK_NEGATIVE &&
			    p->src->checks.negative_counts == CONF_REFUSE) ||
			    (rej.check == MAPPING_CHECK_SHARE &&
			    p->src->checks.share_range == CONF_REFUSE))
				return pipe_fail(p, -EBADMSG, true, "line %llu: %s "
				    "(checks.%s = \"refuse\")",
				    (unsigned long long)rec->line, rej.reason,
				    rej.check == MAPPING_CHECK_SHARE ?
				    "share_range" : "negative_counts");
			stage_reject(p, rec, rej.column, rej.reason);
			break;
		case MAPPING_OK:
			stage_row(p, rec, &row);
			break;
		}
		if (p->src->kind->record) {
			/* records_row() ended its row; a failure stops here. */
			if (p->copying && p->copy.error != 0)
				return pipe_fail(p, p->copy.error, false, "%s",
				    p->copy.err);
			if (p->error != 0)
				return p->error;
		} else if (copy_row(&p->copy) < 0)
			return pipe_fail(p, p->copy.error, false, "%s",
			    p->copy.err);
	}
	return 0;
}

static int
on_decoded(void *ctx, const char *buf, size_t len)
{
	struct pipeline *p = ctx;
	char err[512];
	int rc;

	/* Fields are C strings: a NUL would silently cut one short. */
	if (memchr(buf, '\0', len) != NULL)
		return pipe_fail(p, -EMEDIUMTYPE, true, "the body contains a NUL "
		    "byte: binary data, not CSV");
	rc = csvsrc_feed(p->csv, buf, len, err, sizeof(err));

	if (rc < 0 && p->error == 0)
		pipe_fail(p, rc, true, "%s", err);
	return rc < 0 ? p->error : 0;
}

/* Refuses what is plainly not CSV before it reaches the parser: an HTML
 * error page served with 200, JSON, or binary data. */
static int
sniff(struct pipeline *p, const char *buf, size_t len)
{
	const unsigned char *u = (const unsigned char *)buf;
	size_t i = 0, scan = len < 1024 ? len : 1024;

	if (len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		i = 3;
	while (i < len && (u[i] == ' ' || u[i] == '\t' || u[i] == '\r' ||
	    u[i] == '\n'))
		i++;
	if (i < len && u[i] == '<')
		return pipe_fail(p, -EMEDIUMTYPE, true, "the body is HTML or "
		    "XML, not CSV (an error page?)");
	if (i < len && (u[i] == '{' || u[i] == '['))
		return pipe_fail(p, -EMEDIUMTYPE, true, "the body is JSON, not "
		    "CSV");
	if (memchr(buf, '\0', scan) != NULL &&
	    !(len >= 2 && (u[0] == 0xff || u[0] == 0xfe)))
		return pipe_fail(p, -EMEDIUMTYPE, true, "the body is binary, "
		    "not CSV");
	return 0;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
report_progress(const struct pipeline *p, const char *phase,
    uint64_t rows_loaded)
{
	struct run_progress rp;

	if (p->ctl == NULL || p->ctl->progress == NULL)
		return;
	rp.source = p->src->name;
	rp.phase = phase;
	rp.bytes = p->bytes;
	rp.rows_read = p->rows_read;
	rp.rows_loaded = rows_loaded;
	rp.seconds = now_seconds() - p->started;
	p->ctl->progress(p->ctl->arg, &rp);
}

static int
on_body(void *ctx, const char *buf, size_t len)
{
	struct pipeline *p = ctx;
	char err[512];
	int rc;

	if (p->error != 0)
		return p->error;
	if (!p->sniffed && len > 0) {
		p->sniffed = true;
		if ((rc = sniff(p, buf, len)) < 0)
			return rc;
	}
	EVP_DigestUpdate(p->sha, buf, len);
	p->bytes += len;
	report_progress(p, "fetching", 0);
	rc = decode_feed(p->dec, buf, len, on_decoded, p, err, sizeof(err));
	if (rc < 0 && p->error == 0)
		pipe_fail(p, rc, true, "%s", err);
	return rc < 0 ? p->error : 0;
}

/* A source's translation table (pairs text, code) as a codemap to
 * indices of codes, "-" to MAPPING_CODE_SKIP. conf checked the codes. */
static struct codemap *
code_table(char **pairs, size_t npairs, const struct conf_code *codes,
    size_t ncodes)
{
	struct codemap *m = codemap_new();

	for (size_t i = 0; m != NULL && i < npairs; i++) {
		int idx = MAPPING_CODE_SKIP;

		for (size_t k = 0; k < ncodes; k++)
			if (strcmp(codes[k].code, pairs[2 * i + 1]) == 0)
				idx = (int)k;
		codemap_add(m, pairs[2 * i], idx);
	}
	return m;
}

static int
pipeline_init(struct pipeline *p, const struct conf *c,
    const struct conf_source *src, const struct run_control *ctl,
    double started)
{
	struct csvsrc_limits limits = { (size_t)src->max_record_bytes,
		(size_t)src->max_columns };

	memset(p, 0, sizeof(*p));
	p->c = c;
	p->src = src;
	p->ctl = ctl;
	p->started = started;
	if ((p->areas = codemap_new()) == NULL ||
	    (p->orgs = codemap_new()) == NULL)
		return -ENOMEM;
	/* Configured codes and aliases were checked for clashes by conf. */
	for (size_t i = 0; i < c->nareas; i++) {
		codemap_add(p->areas, c->areas[i].code, (int)i);
		for (size_t j = 0; j < c->areas[i].naliases; j++)
			codemap_add(p->areas, c->areas[i].aliases[j], (int)i);
	}
	for (size_t i = 0; i < c->norgs; i++) {
		codemap_add(p->orgs, c->orgs[i].code, (int)i);
		for (size_t j = 0; j < c->orgs[i].naliases; j++)
			codemap_add(p->orgs, c->orgs[i].aliases[j], (int)i);
	}
	if ((p->area_table = code_table(src->area_codes, src->narea_codes,
	    c->areas, c->nareas)) == NULL ||
	    (p->org_table = code_table(src->org_codes, src->norg_codes,
	    c->orgs, c->norgs)) == NULL)
		return -ENOMEM;
	p->spec.kind = src->kind;
	p->spec.period = src->period;
	p->spec.format = &src->format;
	p->spec.fields = src->fields;
	p->spec.areas = p->areas;
	p->spec.orgs = p->orgs;
	p->spec.area_table = p->area_table;
	p->spec.org_table = p->org_table;
	p->spec.keep = src->keep;
	p->spec.nkeep = src->nkeep;
	p->spec.skip = src->skip;
	p->spec.nskip = src->nskip;
	p->spec.unpivot = src->unpivot;
	p->spec.combine = src->combine;
	if (src->nstatuses > 0) {
		if ((p->statuses = codemap_new()) == NULL)
			return -ENOMEM;
		for (size_t i = 0; i < src->nstatuses; i++)
			for (int k = 0; k < KIND_NSTATUSES; k++)
				if (strcmp(src->statuses[2 * i + 1],
				    kind_statuses[k]) == 0)
					codemap_add(p->statuses,
					    src->statuses[2 * i], k);
		p->spec.statuses = p->statuses;
	}
	if ((p->map = mapping_new(&p->spec)) == NULL ||
	    (p->dec = decode_new(src->format.encoding)) == NULL ||
	    (p->csv = csvsrc_new(src->format.delimiter, src->format.quote,
	    &limits, on_record, p)) == NULL ||
	    (p->sha = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(p->sha, EVP_sha256(), NULL) != 1)
		return -ENOMEM;
	if (src->kind->record) {
		int *days = calloc(c->nareas + 1, sizeof(int));

		for (size_t i = 0; days != NULL && i < c->nareas; i++)
			days[i] = c->areas[i].guarantee_days;
		p->rollup = days == NULL ? NULL : rollup_new(src->kind,
		    kind_find(src->kind->name), src->period, days, c->nareas);
		free(days);
		if (p->rollup == NULL)
			return -ENOMEM;
	}
	return 0;
}

static void
pipeline_free(struct pipeline *p)
{
	mapping_free(p->map);
	decode_free(p->dec);
	csvsrc_free(p->csv);
	codemap_free(p->areas);
	codemap_free(p->orgs);
	codemap_free(p->area_table);
	codemap_free(p->org_table);
	codemap_free(p->statuses);
	EVP_MD_CTX_free(p->sha);
	free(p->copy.buf);
	rollup_free(p->rollup);
	free(p->rejects.buf);
	if (p->spool != NULL)
		fclose(p->spool);
}

/* The staging table has the kind's fields plus the line and, for a
 * rejected row, its column, reason and text. Column names come from the
 * kind table, never from input. */
static const char *
stage_type(enum kind_type t)
{
	switch (t) {
	case KIND_PERIOD:
	case KIND_DATE:
		return "date";
	case KIND_COUNT:
		return "bigint";
	case KIND_NUMBER:
	case KIND_SHARE:
		return "double precision";
	default:
		return "text";
	}
}

static int
create_stage(struct db *db, const struct kind *k, char *err, size_t errlen)
{
	char sql[2048];
	size_t n;

	n = (size_t)snprintf(sql, sizeof(sql), "CREATE TEMP TABLE stage ("
	    "line bigint, reject_column text, reject_reason text, raw text");
	for (size_t f = 0; f < k->nfields && n < sizeof(sql); f++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s %s",
		    k->fields[f].name, stage_type(k->fields[f].type));
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n, ") ON COMMIT DROP");
	return db_exec(db, sql, err, errlen);
}

/* Duplicates of a (period, area, org) key within one extract: the first
 * row counts, later ones are rejects that say which line they repeat. */
static int
move_rejects(struct db *db, int64_t run_id, bool find_dups, uint64_t *dups,
    char *err, size_t errlen)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *r = NULL;
	int rc;

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	rc = db_query(db, "INSERT INTO fragwatch.rejects (run_id, line, "
	    "column_name, reason, raw) SELECT $1, line, reject_column, "
	    "reject_reason, raw FROM stage WHERE reject_reason IS NOT NULL",
	    1, params, NULL, err, errlen);
	if (rc < 0 || !find_dups)
		return rc;
	rc = db_query(db, "INSERT INTO fragwatch.rejects (run_id, line, "
	    "column_name, reason, raw) SELECT $1, line, NULL, 'duplicate of "
	    "line ' || first || ' (same period, area and organisation)', "
	    "concat_ws(' ', period, area, org) FROM (SELECT line, period, "
	    "area, org, first_value(line) OVER w AS first, row_number() OVER "
	    "w AS n FROM stage WHERE reject_reason IS NULL WINDOW w AS "
	    "(PARTITION BY period, area, org ORDER BY line)) d WHERE n > 1",
	    1, params, &r, err, errlen);
	if (rc == 0)
		*dups = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

/* Combined sources (long format): the rows of one key are summed, then
 * a key without a required measure, or with more waiting over the limit
 * than in total, is a reject. The result replaces the staged rows. */
static int
combine_rows(struct db *db, const struct kind *k, int64_t run_id,
    uint64_t *rejected, char *err, size_t errlen)
{
	char sums[2048], checks[2048], sql[6144], id[32];
	const char *params[1] = { id };
	size_t ns = 0, nc = 0;
	PGresult *r = NULL;
	int rc;

	for (size_t f = KIND_FIELD_ORG + 1; f < k->nfields; f++) {
		ns += (size_t)snprintf(sums + ns, sizeof(sums) - ns, ", sum(%s)%s "
		    "AS %s", k->fields[f].name, k->fields[f].type == KIND_COUNT ?
		    "::bigint" : "", k->fields[f].name);
		if (k->fields[f].required)
			nc += (size_t)snprintf(checks + nc, sizeof(checks) - nc,
			    "WHEN %s IS NULL THEN 'no row gave required field "
			    "%s' ", k->fields[f].name, k->fields[f].name);
	}
	if (kind_field_index(k, "waiting_over_target") >= 0)
		nc += (size_t)snprintf(checks + nc, sizeof(checks) - nc, "WHEN "
		    "waiting_over_target > waiting_total THEN "
		    "'waiting_over_target ' || waiting_over_target || ' is "
		    "larger than waiting_total ' || waiting_total ");
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE combined ON COMMIT DROP "
	    "AS SELECT period, area, org, min(line) AS line%s, NULL::text AS "
	    "reason FROM stage WHERE reject_reason IS NULL GROUP BY period, "
	    "area, org; UPDATE combined SET reason = CASE %s END", sums, checks);
	snprintf(id, sizeof(id), "%" PRId64, run_id);
	if ((rc = db_exec(db, sql, err, errlen)) < 0)
		return rc;
	rc = db_query(db, "INSERT INTO fragwatch.rejects (run_id, line, "
	    "column_name, reason, raw) SELECT $1, line, NULL, 'after combining "
	    "the rows of the key: ' || reason, concat_ws(' ', period, area, org) "
	    "FROM combined WHERE reason IS NOT NULL", 1, params, &r, err, errlen);
	if (rc == 0)
		*rejected = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

static int
upsert(struct db *db, const struct conf_source *src, int64_t run_id,
    uint64_t *loaded, char *err, size_t errlen)
{
	const struct kind *k = src->kind;
	char cols[1024], sets[2048], sql[8192], id[32];
	const char *params[3] = { value_grain_name(src->period), src->name, id };
	size_t nc = 0, ns = 0;
	PGresult *r = NULL;
	int rc;

	for (size_t f = KIND_FIELD_ORG + 1; f < k->nfields; f++) {
		nc += (size_t)snprintf(cols + nc, sizeof(cols) - nc, ", %s",
		    k->fields[f].name);
		ns += (size_t)snprintf(sets + ns, sizeof(sets) - ns,
		    "%s = EXCLUDED.%s, ", k->fields[f].name, k->fields[f].name);
	}
	/* From the combined keys, or the first row of each key. */
	snprintf(sql, sizeof(sql), "INSERT INTO fragwatch.%s (period, area, "
	    "org, grain%s, source, run_id, line) SELECT %s period, area, org, "
	    "$1%s, $2, $3, line FROM %s ORDER BY period, area, org, line "
	    "ON CONFLICT (period, area, org) DO UPDATE SET grain = "
	    "EXCLUDED.grain, %ssource = EXCLUDED.source, run_id = "
	    "EXCLUDED.run_id, line = EXCLUDED.line", k->table, cols,
	    src->combine ? "" : "DISTINCT ON (period, area, org)", cols,
	    src->combine ? "combined WHERE reason IS NULL" :
	    "stage WHERE reject_reason IS NULL", sets);
	snprintf(id, sizeof(id), "%" PRId64, run_id);
	rc = db_query(db, sql, 3, params, &r, err, errlen);
	if (rc == 0)
		*loaded = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return rc;
}

/* Inserts the run's audit row, committed at once so that it survives
 * whatever happens to the run. */
static int
audit_start(struct db *db, const struct conf_source *src, const char *url,
    int64_t *run_id, char *err, size_t errlen)
{
	const char *params[3] = { src->name, src->kind->name, url };
	PGresult *r = NULL;
	int rc;

	rc = db_query(db, "INSERT INTO fragwatch.runs (source, kind, url, "
	    "status) VALUES ($1, $2, $3, 'running') RETURNING id", 3, params,
	    &r, err, errlen);
	if (rc == 0)
		*run_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static void
print_u64(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "%" PRIu64, v);
}

static int
audit_finish(struct db *db, const struct pipeline *p,
    const struct run_outcome *out, const struct fetch_result *fr,
    const char *sha, char *err, size_t errlen)
{
	char id[32], status_code[16], bytes[32], rread[32], rloaded[32],
	    rrej[32], rskip[32], pmin[16], pmax[16], dend[16];
	const char *params[16];
	bool periods = p != NULL && p->have_period;

	snprintf(id, sizeof(id), "%" PRId64, out->run_id);
	snprintf(status_code, sizeof(status_code), "%ld", fr->http_status);
	print_u64(bytes, sizeof(bytes), out->bytes);
	print_u64(rread, sizeof(rread), out->rows_read);
	print_u64(rloaded, sizeof(rloaded), out->rows_loaded);
	print_u64(rrej, sizeof(rrej), out->rows_rejected);
	print_u64(rskip, sizeof(rskip), out->rows_skipped);
	if (periods) {
		value_format_date(p->period_min, pmin, sizeof(pmin));
		value_format_date(p->period_max, pmax, sizeof(pmax));
		value_format_date(value_period_next(p->period_max,
		    p->src->period), dend, sizeof(dend));
	}
	params[0] = id;
	params[1] = run_status_name(out->status);
	params[2] = fr->http_status > 0 ? status_code : NULL;
	params[3] = bytes;
	params[4] = sha;
	params[5] = fr->etag;
	params[6] = fr->last_modified;
	params[7] = rread;
	params[8] = rloaded;
	params[9] = rrej;
	params[10] = periods ? pmin : NULL;
	params[11] = periods ? pmax : NULL;
	params[12] = out->error[0] ? out->error : NULL;
	params[13] = rskip;
	params[14] = out->warnings[0] ? out->warnings : NULL;
	params[15] = periods ? dend : NULL;
	return db_query(db, "UPDATE fragwatch.runs SET status = $2, "
	    "finished_at = clock_timestamp(), http_status = $3, bytes = $4, "
	    "sha256 = $5, etag = $6, last_modified = $7, rows_read = $8, "
	    "rows_loaded = $9, rows_rejected = $10, period_from = $11, "
	    "period_to = $12, error = $13, rows_skipped = $14, warnings = $15, "
	    "data_end = $16 WHERE id = $1", 16, params, NULL, err, errlen);
}

int
run_sync_config(struct db *db, const struct conf *c, char *err, size_t errlen)
{
	char num[32], green[32], red[32];
	int rc = db_exec(db, "BEGIN", err, errlen);

	for (size_t i = 0; i < c->nareas && rc == 0; i++) {
		const char *params[3] = { c->areas[i].code, c->areas[i].name, num };

		snprintf(num, sizeof(num), "%d", c->areas[i].guarantee_days);
		rc = db_query(db, "INSERT INTO fragwatch.areas (code, name, "
		    "guarantee_days) VALUES ($1, $2, $3) ON CONFLICT (code) DO "
		    "UPDATE SET name = EXCLUDED.name, guarantee_days = "
		    "EXCLUDED.guarantee_days", 3, params, NULL, err, errlen);
		for (int k = 0; k < CATALOG_COUNT && rc == 0; k++) {
			const char *tp[4] = { c->areas[i].code, catalog[k].code,
				green, red };

			status_bound_format(&c->areas[i].thresholds[k].green, green,
			    sizeof(green));
			status_bound_format(&c->areas[i].thresholds[k].red, red,
			    sizeof(red));
			rc = db_query(db, "INSERT INTO fragwatch.indicator_thresholds"
			    " (area, code, green, red) VALUES ($1, $2, $3, $4) ON "
			    "CONFLICT (area, code) DO UPDATE SET green = "
			    "EXCLUDED.green, red = EXCLUDED.red", 4, tp, NULL, err,
			    errlen);
		}
	}
	for (size_t i = 0; i < c->norgs && rc == 0; i++) {
		const char *params[2] = { c->orgs[i].code, c->orgs[i].name };

		rc = db_query(db, "INSERT INTO fragwatch.organisations (code, "
		    "name) VALUES ($1, $2) ON CONFLICT (code) DO UPDATE SET "
		    "name = EXCLUDED.name", 2, params, NULL, err, errlen);
	}
	for (int k = 0; k < CATALOG_COUNT && rc == 0; k++) {
		const char *params[5] = { catalog[k].code, catalog[k].name,
			catalog[k].kind, catalog[k].higher_is_worse ? "t" : "f", num };

		snprintf(num, sizeof(num), "%d", catalog[k].weight);
		rc = db_query(db, "INSERT INTO fragwatch.indicators (code, name, "
		    "kind, higher_is_worse, weight) VALUES ($1, $2, $3, $4, $5) "
		    "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = "
		    "EXCLUDED.kind, higher_is_worse = EXCLUDED.higher_is_worse, "
		    "weight = EXCLUDED.weight", 5, params, NULL, err, errlen);
	}
	for (size_t i = 0; i < c->nsources && rc == 0; i++) {
		const struct conf_source *src = &c->sources[i];
		const char *params[4] = { src->name, src->kind->name, src->url,
			num };

		snprintf(num, sizeof(num), "%d", src->max_age_days);
		rc = db_query(db, "INSERT INTO fragwatch.sources (name, kind, url, "
		    "max_age_days) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO "
		    "UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url, "
		    "max_age_days = EXCLUDED.max_age_days", 4, params, NULL, err,
		    errlen);
	}
	if (rc == 0)
		return db_exec(db, "COMMIT", err, errlen);
	(void)db_exec(db, "ROLLBACK", NULL, 0);
	return rc;
}

/* Takes the source's advisory lock (two daemons never run one source at
 * once) and marks runs left 'running' by a process that died as failed. */
static int
lock_source(struct db *db, const struct conf_source *src, bool *got,
    char *err, size_t errlen)
{
	const char *params[1] = { src->name };
	PGresult *r = NULL;
	int rc;

	rc = db_query(db, "SELECT pg_try_advisory_lock(hashtext("
	    "'fragwatch:source:' || $1))", 1, params, &r, err, errlen);
	if (rc < 0)
		return rc;
	*got = PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	if (!*got)
		return 0;
	return db_query(db, "UPDATE fragwatch.runs SET status = 'failed', "
	    "finished_at = coalesce(finished_at, now()), error = 'did not "
	    "finish: the process or the database stopped during the run' "
	    "WHERE source = $1 AND status = 'running'", 1, params, NULL, err,
	    errlen);
}

static void
unlock_source(struct db *db, const struct conf_source *src)
{
	const char *params[1] = { src->name };

	if (!db_lost(db))
		(void)db_query(db, "SELECT pg_advisory_unlock(hashtext("
		    "'fragwatch:source:' || $1))", 1, params, NULL, NULL, 0);
}

/* The validators and checksum of the source's last load. Validators are
 * only meaningful for the same URL; the checksum is compared whatever the
 * URL, since the same bytes are the same extract. */
static int
last_load(struct db *db, const struct conf_source *src, const char *url,
    char **etag, char **last_modified, char **sha, char *err, size_t errlen)
{
	const char *params[2] = { src->name, url };
	PGresult *r = NULL;
	int rc;

	rc = db_query(db, "SELECT etag, last_modified, sha256, url = $2 FROM "
	    "fragwatch.runs WHERE source = $1 AND status IN ('ok', "
	    "'ok_with_rejects', 'stale') ORDER BY id DESC LIMIT 1", 2, params,
	    &r, err, errlen);
	if (rc == 0 && PQntuples(r) == 1 && PQgetvalue(r, 0, 3)[0] == 't') {
		if (!PQgetisnull(r, 0, 0))
			*etag = strdup(PQgetvalue(r, 0, 0));
		if (!PQgetisnull(r, 0, 1))
			*last_modified = strdup(PQgetvalue(r, 0, 1));
	}
	if (rc == 0 && PQntuples(r) == 1 && !PQgetisnull(r, 0, 2))
		*sha = strdup(PQgetvalue(r, 0, 2));
	PQclear(r);
	return rc;
}

/* Keeps the first rejects of a refused extract after its rollback: they
 * are copied out of the transaction, then written back. */
static PGresult *
first_rejects(struct db *db, int64_t run_id)
{
	char id[32];
	const char *params[1] = { id };
	PGresult *r = NULL;

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	if (db_query(db, "SELECT line, column_name, reason, raw FROM "
	    "fragwatch.rejects WHERE run_id = $1 ORDER BY line LIMIT "
	    "20", 1, params, &r, NULL, 0) < 0)
		return NULL;
	return r;
}

static void
keep_rejects(struct db *db, int64_t run_id, const PGresult *r)
{
	char id[32];

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	for (int i = 0; r != NULL && i < PQntuples(r); i++) {
		const char *params[5] = { id,
			PQgetisnull(r, i, 0) ? NULL : PQgetvalue(r, i, 0),
			PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1),
			PQgetvalue(r, i, 2),
			PQgetisnull(r, i, 3) ? NULL : PQgetvalue(r, i, 3) };

		(void)db_query(db, "INSERT INTO fragwatch.rejects (run_id, line, "
		    "column_name, reason, raw) VALUES ($1, $2, $3, $4, $5)", 5,
		    params, NULL, NULL, 0);
	}
}

static void
outcome(struct run_outcome *out, enum run_status status, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
outcome(struct run_outcome *out, enum run_status status, const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	va_start(ap, fmt);
	vsnprintf(out->error, sizeof(out->error), fmt, ap);
	va_end(ap);
}

/* The streaming part: fetch into the staging COPY. */
static int
stream(struct db *db, struct pipeline *p, const struct conf_source *src,
    const char *url, const char *etag, const char *last_modified,
    volatile sig_atomic_t *stop, struct fetch_result *fr, char *err,
    size_t errlen)
{
	struct fetch_request rq = { 0 };
	char *secret = NULL;
	int rc, crc;

	/* Record grain: the records go straight into their table, or
	 * nowhere when not kept (only the rollup's facts reach the server). */
	if (!src->kind->record)
		rc = copy_begin(&p->copy, db, "COPY stage FROM STDIN");
	else if (src->keep_records)
		rc = records_copy_begin(&p->copy, db, src);
	else
		rc = 0;
	if (rc < 0) {
		snprintf(err, errlen, "%s", p->copy.err);
		return rc;
	}
	p->copying = !src->kind->record || src->keep_records;
	/* Read at each run so that a rotated secret is picked up. */
	if (src->auth.type != CONF_AUTH_NONE && (secret = db_read_secret(
	    src->auth.secret_file, src->auth.credential)) == NULL) {
		snprintf(err, errlen, "cannot read the secret of source '%s' "
		    "from %s: %s", src->name, src->auth.secret_file ?
		    src->auth.secret_file : "its credential", strerror(errno));
		if (p->copying)
			(void)copy_end(&p->copy, "no secret");
		p->copying = false;
		return -EACCES;
	}
	rq.url = url;
	rq.bearer_token = src->auth.type == CONF_AUTH_BEARER ? secret : NULL;
	rq.username = src->auth.type == CONF_AUTH_BASIC ? src->auth.username :
	    NULL;
	rq.password = src->auth.type == CONF_AUTH_BASIC ? secret : NULL;
	rq.client_cert = src->auth.client_cert;
	rq.client_key = src->auth.client_key;
	rq.ca_file = src->auth.ca_file;
	rq.etag = etag;
	rq.last_modified = last_modified;
	rq.connect_timeout = src->connect_timeout;
	rq.timeout = src->timeout;
	rq.max_body_bytes = src->max_body_bytes;
	rq.sink = on_body;
	rq.ctx = p;
	rq.stop = stop;
	rc = fetch_run(&rq, fr, err, errlen);
	if (secret != NULL) {
		explicit_bzero(secret, strlen(secret));
		free(secret);
	}
	if (p->error != 0) {
		rc = p->error;
		snprintf(err, errlen, "%s", p->err);
	}
	if (rc == 0 && !fr->not_modified) {
		char e[512];

		if ((rc = decode_finish(p->dec, e, sizeof(e))) < 0 ||
		    (rc = csvsrc_finish(p->csv, e, sizeof(e))) < 0 ||
		    (rc = p->error) < 0) {
			pipe_fail(p, rc, true, "%s", p->error ? p->err : e);
			snprintf(err, errlen, "%s", p->err);
		} else if (fr->bytes == 0 || !p->header_seen)
			rc = pipe_fail(p, -ENODATA, true, "the extract is empty");
		else if (p->rows_read == 0)
			rc = pipe_fail(p, -ENODATA, true, "the extract has a "
			    "header but no rows");
		if (rc < 0)
			snprintf(err, errlen, "%s", p->err);
	}
	crc = !p->copying ? 0 : copy_end(&p->copy, rc < 0 ||
	    fr->not_modified ? "run abandoned" : NULL);
	p->copying = false;
	if (rc == 0 && p->spool != NULL && (crc = copy_end(&p->rejects,
	    NULL)) < 0) {
		snprintf(err, errlen, "%s", p->rejects.err);
		rc = crc;
	}
	if (rc == 0 && crc < 0) {
		snprintf(err, errlen, "%s", p->copy.err);
		rc = crc;
	}
	return rc;
}

static void
warn(struct run_outcome *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
warn(struct run_outcome *out, const char *fmt, ...)
{
	size_t n = strlen(out->warnings);
	va_list ap;

	if (n > 0 && n + 2 < sizeof(out->warnings)) {
		memcpy(out->warnings + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out->warnings + n, sizeof(out->warnings) - n, fmt, ap);
	va_end(ap);
}

/* Rows read by the source's last load, or -1 if none. */
static int64_t
previous_rows(struct db *db, const struct conf_source *src, int64_t run_id)
{
	char id[32];
	const char *params[2] = { src->name, id };
	PGresult *r = NULL;
	int64_t n = -1;

	snprintf(id, sizeof(id), "%" PRId64, run_id);
	if (db_query(db, "SELECT rows_read FROM fragwatch.runs WHERE source = "
	    "$1 AND id < $2 AND status IN ('ok', 'ok_with_rejects', 'stale') "
	    "ORDER BY id DESC LIMIT 1", 2, params, &r, NULL, 0) == 0 &&
	    PQntuples(r) == 1)
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* After a complete stream: rejects and checks, then the facts and the
 * indicators. Sets the outcome; 0 means commit, negative roll back (with
 * *kept holding the first rejects of a refused extract). */
static int
load_staged(struct db *db, const struct conf *c, const struct conf_source *src,
    const struct pipeline *p, bool had_records, struct run_outcome *out,
    PGresult **kept, char *err, size_t errlen)
{
	const struct conf_checks *ck = &src->checks;
	uint64_t dups = 0, combined = 0, considered;
	int64_t before;
	int32_t today;
	int rc;

	if (src->kind->record)
		rc = p->spool == NULL ? 0 : copy_send(db, "COPY fragwatch.rejects "
		    "(run_id, line, column_name, reason, raw) FROM STDIN",
		    p->spool, err, errlen);
	else
		rc = move_rejects(db, out->run_id, !src->combine, &dups, err,
		    errlen);
	if (rc < 0 || (src->combine && (rc = combine_rows(db, src->kind,
	    out->run_id, &combined, err, errlen)) < 0)) {
		outcome(out, RUN_FAILED, "%s", err);
		return rc;
	}
	out->rows_rejected += dups + combined;
	considered = out->rows_read - out->rows_skipped;
	if (dups > 0 && ck->duplicate_keys == CONF_REFUSE) {
		outcome(out, RUN_REFUSED, "%" PRIu64 " rows repeat a (period, "
		    "area, organisation) already in the extract "
		    "(checks.duplicate_keys = \"refuse\")", dups);
		*kept = first_rejects(db, out->run_id);
		return -EBADMSG;
	}
	if (dups > 0)
		warn(out, "%" PRIu64 " duplicate keys rejected", dups);
	if ((double)out->rows_rejected > src->max_reject_share *
	    (double)considered) {
		outcome(out, RUN_REFUSED, "%" PRIu64 " of %" PRIu64 " rows "
		    "rejected (%.1f %%), above max_reject_share %.1f %%",
		    out->rows_rejected, considered, considered ? 100.0 *
		    (double)out->rows_rejected / (double)considered : 100.0,
		    100.0 * src->max_reject_share);
		*kept = first_rejects(db, out->run_id);
		return -EBADMSG;
	}
	before = previous_rows(db, src, out->run_id);
	if (ck->row_count_change > 0 && before > 0 &&
	    fabs((double)out->rows_read - (double)before) > ck->row_count_change *
	    (double)before) {
		if (ck->row_count == CONF_REFUSE) {
			outcome(out, RUN_REFUSED, "%" PRIu64 " rows where the last "
			    "load had %" PRId64 " (more than %.0f %% change, "
			    "checks.row_count_severity = \"refuse\")",
			    out->rows_read, before, 100 * ck->row_count_change);
			return -EBADMSG;
		}
		warn(out, "%" PRIu64 " rows where the last load had %" PRId64,
		    out->rows_read, before);
	}
	report_progress(p, "loading", 0);
	if (src->kind->record) {
		uint64_t facts = 0;
		size_t nperiods = 0;
		int32_t *periods = NULL;

		rc = had_records ? rollup_periods(p->rollup, &periods,
		    &nperiods) : 0;
		if (rc < 0)
			snprintf(err, errlen, "out of memory");
		if (rc == 0 && nperiods > 0)
			rc = records_replace(db, src, out->run_id, periods,
			    nperiods, err, errlen);
		free(periods);
		if (rc == 0)
			rc = records_facts(db, c, src, out->run_id, p->rollup,
			    &facts, err, errlen);
		out->rows_loaded = considered - out->rows_rejected;
	} else
		rc = upsert(db, src, out->run_id, &out->rows_loaded, err, errlen);
	if (rc < 0) {
		outcome(out, RUN_FAILED, "%s", err);
		return rc;
	}
	today = assess_today(c);
	report_progress(p, "indicators", out->rows_loaded);
	if (out->rows_loaded > 0 && (rc = assess_run(db, c, out->run_id,
	    p->period_min, today, err, errlen)) < 0) {
		outcome(out, RUN_FAILED, "cannot compute indicators: %s", err);
		return rc;
	}
	if (out->rows_loaded > 0 && (rc = trending_run(db, c, out->run_id, err,
	    errlen)) < 0) {
		outcome(out, RUN_FAILED, "cannot evaluate early warnings: %s",
		    err);
		return rc;
	}
	/* Freshness is judged on the data's own newest period, not on
	 * arrival: a new file with old data is stale. */
	if (p->have_period && today - value_period_next(p->period_max,
	    src->period) > src->max_age_days)
		outcome(out, RUN_STALE, "newest period %d days old, above "
		    "max_age_days %d", today - value_period_next(p->period_max,
		    src->period), src->max_age_days);
	else if (!p->have_period)
		outcome(out, RUN_STALE, "no row could be loaded");
	else
		out->status = out->rows_rejected > 0 ? RUN_OK_WITH_REJECTS : RUN_OK;
	/* Alerts: the outbox rows commit with the statuses they are about. */
	if (out->rows_loaded > 0 && (rc = alerts_collect(db, c, src, out, err,
	    errlen)) < 0) {
		outcome(out, RUN_FAILED, "cannot write alerts: %s", err);
		return rc;
	}
	return 0;
}

/* A drop directory's file or a backfilled period's extract is a new
 * extract unless the same bytes were loaded before, in whichever file (a
 * URL source's own extract compares with its last load only: content that
 * changes back is a change). */
static bool
loaded_before(struct db *db, const struct conf_source *src, const char *sha)
{
	const char *params[2] = { src->name, sha };
	PGresult *r = NULL;
	bool seen = false;

	if (db_query(db, "SELECT 1 FROM fragwatch.runs WHERE source = $1 AND "
	    "sha256 = $2 AND status IN ('ok', 'ok_with_rejects', 'stale') LIMIT "
	    "1", 2, params, &r, NULL, 0) == 0)
		seen = PQntuples(r) > 0;
	PQclear(r);
	return seen;
}

/* The outcome of a run stopped by the caller: interrupted by a signal,
 * or failed when its time was up. */
static void
stopped(const struct run_control *ctl, struct run_outcome *out,
    const struct conf *c)
{
	if (ctl->timed_out != NULL && *ctl->timed_out)
		outcome(out, RUN_FAILED, "timed out after %d s (daemon."
		    "run_timeout); rolled back", c->daemon.run_timeout);
	else
		outcome(out, RUN_INTERRUPTED, "interrupted by a signal; "
		    "rolled back");
}

/* Sleeps for seconds, or less if stop is set. */
static void
backoff(double seconds, volatile sig_atomic_t *stop)
{
	struct timespec step = { 0, 100 * 1000 * 1000 };

	for (double slept = 0; slept < seconds && !(stop && *stop); slept += 0.1)
		nanosleep(&step, NULL);
}

int
run_source(struct db *db, const struct conf *c, const struct conf_source *src,
    const char *url, const struct run_control *ctl, struct run_outcome *out)
{
	volatile sig_atomic_t *stop = ctl != NULL ? ctl->stop : NULL;
	struct pipeline p;
	struct fetch_result fr = { 0 };
	char *etag = NULL, *last_modified = NULL, *last_sha = NULL;
	char sha[65] = "", err[512] = "";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	PGresult *kept = NULL;
	double t0 = now_seconds();
	bool locked = false, in_tx = false, had_records = false, dated;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = pipeline_init(&p, c, src, ctl, t0)) < 0) {
		outcome(out, RUN_FAILED, "cannot set up the run: %s",
		    strerror(-rc));
		goto out;
	}
	if ((rc = lock_source(db, src, &locked, err, sizeof(err))) < 0) {
		outcome(out, RUN_FAILED, "%s", err);
		goto out;
	}
	if (!locked) {
		outcome(out, RUN_BUSY, "another fragwatch is running source '%s'",
		    src->name);
		rc = -EBUSY;
		goto out;
	}
	/* A drop-directory file or a backfilled period: one dated extract. */
	dated = url != NULL;
	if (url == NULL)
		url = src->url;
	if ((rc = audit_start(db, src, url, &out->run_id, err,
	    sizeof(err))) < 0 || (rc = last_load(db, src, url, &etag,
	    &last_modified, &last_sha, err, sizeof(err))) < 0) {
		outcome(out, RUN_FAILED, "%s", err);
		goto out;
	}
	/* A transient failure (5xx, timeout, a connection cut) starts the
	 * stream again from scratch after a growing pause. */
	for (int attempt = 0;; attempt++) {
		p.run_id = out->run_id;
		if ((rc = db_exec(db, "BEGIN", err, sizeof(err))) < 0 ||
		    (in_tx = true, !src->kind->record && (rc = create_stage(db,
		    src->kind, err, sizeof(err))) < 0) ||
		    (src->kind->record && src->keep_records &&
		    (rc = records_exist(db, src, &had_records, err,
		    sizeof(err))) < 0)) {
			outcome(out, RUN_FAILED, "%s", err);
			goto finish;
		}
		rc = stream(db, &p, src, url, etag, last_modified, stop, &fr, err,
		    sizeof(err));
		if (rc == 0 || p.refuse || attempt >= src->retries ||
		    (stop != NULL && *stop) || !fetch_transient(rc,
		    fr.http_status) || db_lost(db))
			break;
		warn(out, "attempt %d: %s", attempt + 1, err);
		(void)db_exec(db, "ROLLBACK", NULL, 0);
		in_tx = false;
		backoff(src->retry_delay * (double)(1 << attempt), stop);
		pipeline_free(&p);
		fetch_result_clear(&fr);
		if ((rc = pipeline_init(&p, c, src, ctl, t0)) < 0) {
			outcome(out, RUN_FAILED, "cannot set up the run: %s",
			    strerror(-rc));
			goto finish;
		}
	}
	out->bytes = fr.bytes;
	out->rows_read = p.rows_read;
	out->rows_rejected = p.rows_rejected;
	out->rows_skipped = p.rows_skipped;
	EVP_DigestFinal_ex(p.sha, md, &mdlen);
	for (unsigned int i = 0; i < mdlen && i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", md[i]);
	if (rc == -EINTR || (stop != NULL && *stop)) {
		stopped(ctl, out, c);
		rc = -EINTR;
		goto finish;
	}
	if (rc < 0) {
		/* An extract that arrived but is not what we can load is
		 * refused; one that could not be fetched has failed. */
		bool refused = p.refuse || rc == -EMEDIUMTYPE || rc == -EFBIG ||
		    rc == -EPIPE;

		outcome(out, refused ? RUN_REFUSED : RUN_FAILED, "%s", err);
		goto finish;
	}
	if (fr.not_modified || (last_sha != NULL && strcmp(sha, last_sha) == 0) ||
	    (dated && loaded_before(db, src, sha))) {
		outcome(out, RUN_UNCHANGED, "%s", "");
		out->rows_rejected = 0;
		goto finish;
	}
	if ((rc = load_staged(db, c, src, &p, had_records, out, &kept, err,
	    sizeof(err))) < 0)
		goto finish;
	out->seconds = now_seconds() - t0;
	if ((rc = audit_finish(db, &p, out, &fr, sha, err, sizeof(err))) < 0 ||
	    (rc = db_exec(db, "COMMIT", err, sizeof(err))) < 0) {
		in_tx = false;
		outcome(out, RUN_FAILED, "cannot commit: %s", err);
		goto finish;
	}
	in_tx = false;
	goto out;

finish:
	/* A query cancelled by the stop (PQcancel from the signal handler)
	 * fails; the run was stopped, not broken. */
	if (stop != NULL && *stop && out->status == RUN_FAILED)
		stopped(ctl, out, c);
	/* Nothing of the run stays but its audit row (and kept rejects). */
	if (in_tx)
		(void)db_exec(db, "ROLLBACK", NULL, 0);
	if (!run_status_loaded(out->status))
		out->rows_loaded = 0;
	if (!db_lost(db)) {
		keep_rejects(db, out->run_id, kept);
		if (audit_finish(db, &p, out, &fr, sha[0] ? sha : NULL, err,
		    sizeof(err)) < 0 && out->error[0] == '\0')
			snprintf(out->error, sizeof(out->error), "%s", err);
	} else if (out->status == RUN_FAILED || run_status_loaded(out->status)) {
		out->status = RUN_FAILED;
		if (out->error[0] == '\0')
			snprintf(out->error, sizeof(out->error),
			    "lost the database connection");
	}
	if (out->status == RUN_UNCHANGED)
		rc = 0;
out:
	out->seconds = now_seconds() - t0;
	PQclear(kept);
	if (locked)
		unlock_source(db, src);
	fetch_result_clear(&fr);
	pipeline_free(&p);
	free(etag);
	free(last_modified);
	free(last_sha);
	return rc;
}
