/* csvout.h - a CSV writer for spreadsheets: RFC 4180 quoting, optional BOM and ';', a formula-injection guard. */
#ifndef FRAGWATCH_CSVOUT_H
#define FRAGWATCH_CSVOUT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Output rules:
 *   - Records end with CRLF (RFC 4180).
 *   - A field is quoted when it holds the delimiter, a double quote, CR
 *     or LF; a double quote inside is doubled. Other fields are written as
 *     they are.
 *   - Formula guard: a spreadsheet runs a cell that starts with =, +, -
 *     or @ (and some also after a leading tab or CR) as a formula, so such
 *     a field gets a single quote ' in front, which the spreadsheet shows
 *     as text. A plain number is left alone, so that -1.5 stays a number:
 *     an optional sign, digits with at most one '.', at least one digit,
 *     and an optional exponent (e/E, optional sign, digits), nothing else
 *     (no blanks, no thousands separators). So "-1.5", "+3", "-2e-05" are
 *     numbers; "-Infinity", "-1 days", "=1+1", "@SUM(A1)" are guarded.
 *   - Values are written as given (the caller's text, e.g. PostgreSQL's
 *     output); a NULL field is an empty one. In semicolon mode decimals are
 *     not rewritten: 0.85 stays 0.85 (a Swedish spreadsheet may then read
 *     it as text; the separator only keeps columns apart).
 */

struct csvout {
	FILE *f;
	char delim;       /* ',' or ';' */
	bool row_started; /* a field has been written on this row */
	int err;          /* first write error (-errno), sticky */
};

/* Starts a writer on f with delimiter delim; with bom, writes the UTF-8
 * byte-order mark (EF BB BF) first, which Excel needs to read UTF-8. */
void csvout_init(struct csvout *w, FILE *f, char delim, bool bom);

/* Writes one field (NULL: empty) of the current row. */
void csvout_field(struct csvout *w, const char *s);

/* Ends the current row. */
void csvout_end_row(struct csvout *w);

/* Flushes; returns 0 or the first write error (-errno). */
int csvout_finish(struct csvout *w);

/* True if s would get the formula guard (the rule above). */
bool csvout_needs_guard(const char *s);

/* True if s is a plain number in the sense of the rule above. */
bool csvout_is_number(const char *s);

#endif
