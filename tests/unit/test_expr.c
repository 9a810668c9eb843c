/* test_expr.c - the mapping language's arithmetic: parsing, precedence, columns, nulls, errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "extractors/expr.h"

/* Columns a=2, b=5, [Total > 52 weeks]=100, n=1234, value=87.5, nul=null, bad=not a number. */
static int
lookup(void *ctx, size_t i, double *v)
{
	const struct expr *e = ctx;
	const char *name = expr_column(e, i);

	if (strcmp(name, "a") == 0) *v = 2;
	else if (strcmp(name, "b") == 0) *v = 5;
	else if (strcmp(name, "Total > 52 weeks") == 0) *v = 100;
	else if (strcmp(name, "n") == 0) *v = 1234;
	else if (strcmp(name, "value") == 0) *v = 87.5;
	else if (strcmp(name, "nul") == 0) return 1;
	else return -22;
	return 0;
}

static void
test_values(void **state)
{
	/* Expected values worked out by hand. */
	static const struct { const char *text; double want; } cases[] = {
		{ "1", 1 }, { "a", 2 }, { " a + b ", 7 }, { "a + b * 2", 12 },
		{ "(a + b) * 2", 14 }, { "b - a - 1", 2 }, { "b / a", 2.5 },
		{ "-a + b", 3 }, { "--a", 2 }, { "a * -b", -10 },
		{ "[Total > 52 weeks] / 4", 25 }, { "n * (100 - value) / 100", 154.25 },
		{ "0.5 * a", 1 }, { ".5 + .25", 0.75 }, { "a*b/a*b", 25 },
		{ "((((a))))", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128];
		struct expr *e = expr_compile(cases[i].text, err, sizeof(err));
		double v = -1;

		assert_non_null(e);
		assert_int_equal(expr_eval(e, lookup, e, &v), 0);
		assert_float_equal(v, cases[i].want, 1e-12);
		expr_free(e);
	}
}

static void
test_columns_listed_once(void **state)
{
	char err[128];
	struct expr *e = expr_compile("a + [b] + a * b + [Total > 52 weeks]", err,
	    sizeof(err));

	(void)state;
	assert_non_null(e);
	assert_int_equal(expr_ncolumns(e), 3);
	assert_string_equal(expr_column(e, 0), "a");
	assert_string_equal(expr_column(e, 1), "b");
	assert_string_equal(expr_column(e, 2), "Total > 52 weeks");
	assert_null(expr_column(e, 3));
	expr_free(e);
}

static void
test_null_and_errors_at_eval(void **state)
{
	char err[128];
	struct expr *e;
	double v = 42;

	(void)state;
	e = expr_compile("a + nul", err, sizeof(err));
	assert_int_equal(expr_eval(e, lookup, e, &v), 1);
	assert_true(v == 42); /* not written */
	expr_free(e);
	e = expr_compile("a / (b - 5)", err, sizeof(err));
	assert_int_equal(expr_eval(e, lookup, e, &v), 1);
	expr_free(e);
	e = expr_compile("a + bad", err, sizeof(err));
	assert_int_equal(expr_eval(e, lookup, e, &v), -22);
	expr_free(e);
}

static void
test_syntax_errors(void **state)
{
	static const struct { const char *text; const char *msg; } cases[] = {
		{ "", "a number, a column or '(' expected at position 1" },
		{ "a +", "a number, a column or '(' expected at position 4" },
		{ "(a + b", "')' expected at position 7" },
		{ "a b", "an operator expected at position 3" },
		{ "[]", "a column name and ']' expected" },
		{ "[open", "a column name and ']' expected" },
		{ "1.2.3", "bad number" },
		{ "a % b", "an operator expected at position 3" },
		{ "4To8WeekWait", "an operator expected" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[128] = "";

		assert_null(expr_compile(cases[i].text, err, sizeof(err)));
		if (strstr(err, cases[i].msg) == NULL)
			fail_msg("'%s': got '%s', want '%s'", cases[i].text, err,
			    cases[i].msg);
	}
}

static void
test_too_deep(void **state)
{
	char text[300], err[128];
	size_t n = 0;

	(void)state;
	/* 1+(1+(1+... nests the stack beyond its 64 slots. */
	for (int i = 0; i < 70; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "1+(");
	text[n - 3] = '1';
	text[n - 2] = '\0';
	assert_null(expr_compile(text, err, sizeof(err)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_columns_listed_once),
		cmocka_unit_test(test_null_and_errors_at_eval),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
