/* records.c - record grain on the database side: binary COPY into the records table, replacement of older periods, the facts' upsert. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/records.h"

int
records_copy_begin(struct copy *cp, struct db *db,
    const struct conf_source *src)
{
	const struct kind *k = src->kind;
	char sql[1024];
	size_t n;

	/* Straight into the table: a staging table would write every row
	 * twice. Column names come from the kind table, never from input. */
	n = (size_t)snprintf(sql, sizeof(sql), "COPY fragwatch.%s (run_id, "
	    "source, line", k->table);
	for (size_t f = 0; f < k->nfields && n < sizeof(sql); f++)
		n += (size_t)snprintf(sql + n, sizeof(sql) - n, ", %s",
		    k->fields[f].name);
	if (n < sizeof(sql))
		snprintf(sql + n, sizeof(sql) - n, ") FROM STDIN (FORMAT binary)");
	return copy_begin_binary(cp, db, sql);
}

void
records_row(struct copy *cp, const struct conf *c,
    const struct conf_source *src, int64_t run_id, uint64_t line,
    const struct mapping_row *row)
{
	const struct kind *k = src->kind;

	copy_int(cp, run_id);
	copy_text(cp, src->name);
	copy_int(cp, (int64_t)line);
	for (size_t f = 0; f < k->nfields; f++) {
		if (f == KIND_FIELD_AREA)
			copy_text(cp, c->areas[row->area].code);
		else if (f == KIND_FIELD_ORG)
			copy_text(cp, c->orgs[row->org].code);
		else if (!row->present[f])
			copy_null(cp);
		else if (k->fields[f].type == KIND_TEXT)
			copy_text(cp, row->texts[f]);
		else
			copy_date(cp, (int32_t)row->values[f]);
	}
	copy_row(cp);
}

int
records_exist(struct db *db, const struct conf_source *src, bool *exist,
    char *err, size_t errlen)
{
	const char *params[1] = { src->name };
	char sql[256];
	PGresult *r = NULL;
	int rc;

	snprintf(sql, sizeof(sql), "SELECT 1 FROM fragwatch.%s WHERE source = "
	    "$1 LIMIT 1", src->kind->table);
	if ((rc = db_query(db, sql, 1, params, &r, err, errlen)) == 0)
		*exist = PQntuples(r) > 0;
	PQclear(r);
	return rc;
}

int
records_replace(struct db *db, const struct conf_source *src, int64_t run_id,
    const int32_t *periods, size_t nperiods, char *err, size_t errlen)
{
	const char *day = src->kind->fields[KIND_FIELD_PERIOD].name;
	char id[32], sql[512], lo[16], hi[16], *list;
	const char *params[6] = { value_grain_name(src->period), src->name, id,
		NULL, lo, hi };
	size_t n = 0;
	int rc;

	if (nperiods == 0)
		return 0;
	/* '{2024-01-01,...}': 11 bytes a date, and the braces. */
	if ((list = malloc(11 * nperiods + 3)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	list[n++] = '{';
	for (size_t i = 0; i < nperiods; i++) {
		if (i > 0)
			list[n++] = ',';
		value_format_date(periods[i], list + n, 11);
		n += strlen(list + n);
	}
	list[n++] = '}';
	list[n] = '\0';
	params[3] = list;
	snprintf(id, sizeof(id), "%" PRId64, run_id);
	/* The range lets a table partitioned by the day (sql/citus/) skip
	 * the partitions the extract does not cover. */
	value_format_date(periods[0], lo, sizeof(lo));
	value_format_date(value_period_next(periods[nperiods - 1], src->period),
	    hi, sizeof(hi));
	snprintf(sql, sizeof(sql), "DELETE FROM fragwatch.%s WHERE source = $2 "
	    "AND run_id < $3 AND %s >= $5 AND %s < $6 AND date_trunc($1, %s)"
	    "::date = ANY ($4::date[])", src->kind->table, day, day, day);
	rc = db_query(db, sql, 6, params, NULL, err, errlen);
	free(list);
	return rc;
}

int
records_facts(struct db *db, const struct conf *c,
    const struct conf_source *src, int64_t run_id, struct rollup *r,
    uint64_t *facts, char *err, size_t errlen)
{
	const struct kind *k = kind_find(src->kind->name);
	const char *params[1] = { src->name };
	char cols[1024], sets[2048], sql[8192];
	struct rollup_fact f;
	struct copy cp;
	size_t nc = 0, ns = 0, pos = 0;
	PGresult *res = NULL;
	int rc;

	for (size_t i = KIND_FIELD_ORG + 1; i < k->nfields; i++) {
		nc += (size_t)snprintf(cols + nc, sizeof(cols) - nc, ", %s",
		    k->fields[i].name);
		ns += (size_t)snprintf(sets + ns, sizeof(sets) - ns,
		    "%s = EXCLUDED.%s, ", k->fields[i].name, k->fields[i].name);
	}
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE facts_new ON COMMIT DROP "
	    "AS SELECT period, area, org, grain%s, run_id, line FROM "
	    "fragwatch.%s WITH NO DATA", cols, k->table);
	if ((rc = db_exec(db, sql, err, errlen)) < 0)
		return rc;
	snprintf(sql, sizeof(sql), "COPY facts_new (period, area, org, grain%s, "
	    "run_id, line) FROM STDIN (FORMAT binary)", cols);
	if ((rc = copy_begin_binary(&cp, db, sql)) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		return rc;
	}
	while (rollup_next(r, &pos, &f)) {
		copy_date(&cp, f.period);
		copy_text(&cp, c->areas[f.area].code);
		copy_text(&cp, c->orgs[f.org].code);
		copy_text(&cp, value_grain_name(src->period));
		for (size_t i = KIND_FIELD_ORG + 1; i < k->nfields; i++) {
			if (!f.present[i])
				copy_null(&cp);
			else if (k->fields[i].type == KIND_COUNT)
				copy_int(&cp, (int64_t)f.values[i]);
			else
				copy_double(&cp, f.values[i]);
		}
		copy_int(&cp, run_id);
		copy_int(&cp, (int64_t)f.line);
		if (copy_row(&cp) < 0)
			break;
	}
	if ((rc = copy_end(&cp, NULL)) < 0) {
		snprintf(err, errlen, "%s", cp.err);
		return rc;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO fragwatch.%s (period, area, org, "
	    "grain%s, source, run_id, line) SELECT period, area, org, grain%s, "
	    "$1, run_id, line FROM facts_new ON CONFLICT (period, area, org) DO "
	    "UPDATE SET grain = EXCLUDED.grain, %ssource = EXCLUDED.source, "
	    "run_id = EXCLUDED.run_id, line = EXCLUDED.line", k->table, cols,
	    cols, sets);
	rc = db_query(db, sql, 1, params, &res, err, errlen);
	if (rc == 0)
		*facts = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	if (rc == 0)
		rc = db_exec(db, "DROP TABLE facts_new", err, errlen);
	return rc;
}
