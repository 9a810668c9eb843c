/* mapping.h - the source mapping language: a CSV record to canonical fields, or a reject. */
#ifndef FRAGWATCH_MAPPING_H
#define FRAGWATCH_MAPPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extractors/codemap.h"
#include "extractors/csvsrc.h"
#include "extractors/kind.h"
#include "extractors/value.h"

#define MAPPING_MAX_NULLS 16
#define MAPPING_MAX_FIELDS 16

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

/* Where one canonical field comes from: columns, or a constant. */
struct mapping_column {
	char **columns;  /* header names; joined with a space when several */
	size_t ncolumns;
	char *constant;  /* used when ncolumns == 0 */
};

struct mapping_spec {
	const struct kind *kind;
	enum value_grain period;              /* grain of the file's periods */
	const struct mapping_format *format;
	const struct mapping_column *fields;  /* [kind->nfields] */
	const struct codemap *areas;          /* source code -> area index */
	const struct codemap *orgs;           /* source code -> org index */
};

/* A record mapped to the kind's canonical fields. */
struct mapping_row {
	int32_t period;   /* first day of the period, days since 1970-01-01 */
	int area, org;    /* indices into the config's areas / organisations */
	double values[MAPPING_MAX_FIELDS];  /* by kind field index */
	bool present[MAPPING_MAX_FIELDS];   /* false: null in the file */
};

/* Why a record was rejected. */
struct mapping_reject {
	const char *column; /* the file's column, or NULL for the whole row */
	char reason[256];
};

struct mapping;

/* A mapper for spec (which must outlive it), or NULL. */
struct mapping *mapping_new(const struct mapping_spec *spec);
void mapping_free(struct mapping *m);

/* Reads the header record: finds every mapped column (trimmed, compared
 * case-insensitively, in any order). Returns 0, or -EPROTO with the
 * missing or ambiguous column in err. */
int mapping_header(struct mapping *m, const struct csvsrc_record *rec,
    char *err, size_t errlen);

/* Maps one data record. Returns 0 with *row filled, or 1 with *rej filled
 * (the row is rejected, not lost). */
int mapping_row(struct mapping *m, const struct csvsrc_record *rec,
    struct mapping_row *row, struct mapping_reject *rej);

#endif
