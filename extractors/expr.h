/* expr.h - arithmetic over a row's columns for the mapping language: + - * / ( ), numbers, column names (pure). */
#ifndef FRAGWATCH_EXPR_H
#define FRAGWATCH_EXPR_H

#include <stdbool.h>
#include <stddef.h>

struct expr;

/* Compiles text, e.g. "n * (100 - value) / 100" or "[Total > 52 weeks] +
 * x". A column is a bare name [A-Za-z_][A-Za-z0-9_]* or any text in
 * [brackets]; numbers are plain decimals with a '.'. Returns the
 * expression, or NULL with a message in err (position and what was
 * expected). */
struct expr *expr_compile(const char *text, char *err, size_t errlen);
void expr_free(struct expr *e);

/* The columns the expression refers to, in order of first use. */
size_t expr_ncolumns(const struct expr *e);
const char *expr_column(const struct expr *e, size_t i);

/* Gives the value of column i (as numbered by expr_column): returns 0 with
 * *v, 1 when the value is null, or a negative value when it is not a
 * number (evaluation stops with that value). */
typedef int (*expr_lookup)(void *ctx, size_t i, double *v);

/* Evaluates e. Returns 0 with *out, 1 when a column is null or a division
 * by zero occurs (the result is null), or the lookup's negative value. */
int expr_eval(const struct expr *e, expr_lookup lookup, void *ctx,
    double *out);

#endif
