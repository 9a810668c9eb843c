/* mapping.h - the source mapping language: a CSV record to canonical fields, a reject, or a skip. */
#ifndef FRAGWATCH_MAPPING_H
#define FRAGWATCH_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extractors/codemap.h"
#include "extractors/csvsrc.h"
#include "extractors/expr.h"
#include "extractors/kind.h"
#include "extractors/value.h"

#define MAPPING_MAX_NULLS 16
#define MAPPING_MAX_FIELDS 16

/* A code translation target meaning "skip such rows on purpose". */
#define MAPPING_CODE_SKIP (-2)

/* How a source's file is written. */
struct mapping_format {
	char *encoding;       /* "UTF-8", "WINDOWS-1252", "ISO-8859-1" */
	char delimiter;
	char quote;
	int skip_rows;        /* records before the header row */
	struct value_numfmt numfmt;
	char *date_format;    /* value_parse_date() format of the period */
	char *nulls[MAPPING_MAX_NULLS]; /* besides the empty field */
	size_t nnulls;
};

/* A condition on one column: its trimmed text matches one of the values
 * (fnmatch(3) patterns: * and ? are wildcards). */
struct mapping_cond {
	char *column;
	char **values;
	size_t nvalues;
};

/* Where one canonical field comes from: columns, a constant, or an
 * expression over columns; optionally only when a condition holds. */
struct mapping_column {
	char **columns;      /* header names; joined with a space when several */
	size_t ncolumns;
	char *constant;      /* used when ncolumns == 0 and expr == NULL */
	struct expr *expr;   /* arithmetic over columns (also what sum means) */
	struct mapping_cond *when; /* the row gives this field only if it holds */
};

/* A wide file with one column per period: each record becomes one row per
 * column, with the virtual columns "label" (labels[i]) and value (the
 * cell of columns[i]). */
struct mapping_unpivot {
	char **columns;
	char **labels;
	size_t n;
	char *value;
};

struct mapping_spec {
	const struct kind *kind;
	enum value_grain period;              /* grain of the file's periods */
	const struct mapping_format *format;
	const struct mapping_column *fields;  /* [kind->nfields] */
	const struct codemap *areas;          /* region codes and aliases */
	const struct codemap *orgs;
	const struct codemap *area_table;     /* the source's own table, or NULL;
	                                         MAPPING_CODE_SKIP skips */
	const struct codemap *org_table;
	const struct mapping_cond *keep;      /* every one must hold */
	size_t nkeep;
	const struct mapping_cond *skip;      /* any one skips the row */
	size_t nskip;
	const struct mapping_unpivot *unpivot; /* or NULL */
	bool combine;  /* rows of one key are summed later: no per-row checks
	                  of required fields or of over <= total */
	const struct codemap *statuses;       /* record grain: a referral's
	                                         status text -> kind_statuses
	                                         index; NULL: those words */
};

/* A record mapped to the kind's canonical fields. */
struct mapping_row {
	int32_t period;   /* first day of the period, days since 1970-01-01 */
	int area, org;    /* indices into the config's areas / organisations */
	double values[MAPPING_MAX_FIELDS];  /* by kind field index; a date is
	                                       days since 1970-01-01 */
	const char *texts[MAPPING_MAX_FIELDS]; /* KIND_TEXT fields, valid
	                                          during the record's call */
	bool present[MAPPING_MAX_FIELDS];   /* false: null in the file */
};

/* Which data-quality check a reject failed, for its severity. */
enum mapping_check {
	MAPPING_CHECK_OTHER,
	MAPPING_CHECK_NEGATIVE, /* a count or number below zero */
	MAPPING_CHECK_SHARE,    /* a share outside 0..1 */
};

/* Why a record was rejected. */
struct mapping_reject {
	const char *column; /* the file's column, or NULL for the whole row */
	enum mapping_check check;
	char reason[256];
};

enum mapping_result {
	MAPPING_OK = 0,
	MAPPING_REJECT = 1, /* *rej says why; the row is kept as a reject */
	MAPPING_SKIP = 2,   /* a filter or a "-" code: left out on purpose */
};

struct mapping;

/* A mapper for spec (which must outlive it), or NULL. */
struct mapping *mapping_new(const struct mapping_spec *spec);
void mapping_free(struct mapping *m);

/* Reads the header record: finds every column the spec refers to (trimmed,
 * compared case-insensitively, in any order). Returns 0, or -EPROTO with
 * the missing or ambiguous column in err. */
int mapping_header(struct mapping *m, const struct csvsrc_record *rec,
    char *err, size_t errlen);

/* Rows each record yields: the unpivot's column count, else 1. */
size_t mapping_variants(const struct mapping *m);

/* Maps variant v (0 <= v < mapping_variants()) of one data record. */
enum mapping_result mapping_row(struct mapping *m,
    const struct csvsrc_record *rec, size_t v, struct mapping_row *row,
    struct mapping_reject *rej);

#endif
