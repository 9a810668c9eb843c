/* test_csvout.c - unit tests of csvout.c: RFC 4180 quoting, BOM, semicolon mode, the formula guard. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/csvout.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Writes rows of fields (a row ends at the string "\n" marker, below) and
 * returns the output. */
static const char ROW_END[] = "<end of row>";

static char *
write_csv(char delim, bool bom, const char *const *fields, size_t n,
    size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct csvout w;

	assert_non_null(f);
	csvout_init(&w, f, delim, bom);
	for (size_t i = 0; i < n; i++)
		if (fields[i] == ROW_END)
			csvout_end_row(&w);
		else
			csvout_field(&w, fields[i]);
	assert_int_equal(csvout_finish(&w), 0);
	fclose(f);
	return buf;
}

static void
test_plain_rows_and_nulls(void **state)
{
	const char *const f[] = { "area", "org", "value", ROW_END,
		"NEURO", NULL, "0.9", ROW_END, "", "x", "", ROW_END };
	size_t len;
	char *out = write_csv(',', false, f, NELEM(f), &len);

	(void)state;
	assert_string_equal(out, "area,org,value\r\nNEURO,,0.9\r\n,x,\r\n");
	free(out);
}

static void
test_quoting(void **state)
{
	const char *const f[] = { "a,b", "say \"hi\"", "two\nlines", "cr\rhere",
		"a;b", "\"", ROW_END };
	size_t len;
	char *out = write_csv(',', false, f, NELEM(f), &len);

	(void)state;
	assert_string_equal(out, "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\","
	    "\"cr\rhere\",a;b,\"\"\"\"\r\n");
	free(out);
}

static void
test_semicolon_mode(void **state)
{
	const char *const f[] = { "a,b", "a;b", "0.85", "Södra Älvsborg", ROW_END };
	size_t len;
	char *out = write_csv(';', false, f, NELEM(f), &len);

	(void)state;
	/* The comma needs no quotes now, the semicolon does; decimals stay. */
	assert_string_equal(out, "a,b;\"a;b\";0.85;Södra Älvsborg\r\n");
	free(out);
}

static void
test_bom(void **state)
{
	const char *const f[] = { "å", ROW_END };
	size_t len;
	char *out = write_csv(',', true, f, NELEM(f), &len);

	(void)state;
	assert_int_equal(len, 3 + 2 + 2);
	assert_memory_equal(out, "\xef\xbb\xbf\xc3\xa5\r\n", 7);
	free(out);
	out = write_csv(',', false, f, NELEM(f), &len);
	assert_int_equal(len, 4);
	assert_int_equal((unsigned char)out[0], 0xc3);
	free(out);
}

static void
test_formula_guard(void **state)
{
	const char *const f[] = { "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
		"\tx", "\rx", "-1.5", "+3", "-", "a=b", "1-2", "=a,b", ROW_END };
	size_t len;
	char *out = write_csv(',', false, f, NELEM(f), &len);

	(void)state;
	assert_string_equal(out, "'=cmd|' /C calc'!A0,'+1+1,'-2+3,'@SUM(A1),"
	    "'\tx,\"'\rx\",-1.5,+3,'-,a=b,1-2,\"'=a,b\"\r\n");
	free(out);
}

static void
test_plain_numbers(void **state)
{
	static const char *const yes[] = { "0", "1", "-1.5", "+3", ".5", "-.5",
		"5.", "1e5", "-2E-05", "+1.25e+3", "007" };
	static const char *const no[] = { "", "-", "+", ".", "-.", "1e", "1e+",
		"1.2.3", "1 000", "-1 days", "0x10", "inf", "-Infinity", "NaN",
		"1,5", " 1", "1 ", "--1", "+-1", "1e5x" };

	(void)state;
	for (size_t i = 0; i < NELEM(yes); i++)
		if (!csvout_is_number(yes[i]))
			fail_msg("'%s' should be a number", yes[i]);
	for (size_t i = 0; i < NELEM(no); i++)
		if (csvout_is_number(no[i]))
			fail_msg("'%s' should not be a number", no[i]);
	assert_false(csvout_needs_guard("-1.5"));
	assert_true(csvout_needs_guard("-Infinity"));
	assert_true(csvout_needs_guard("-1 days"));
	assert_false(csvout_needs_guard("1 days"));
	assert_false(csvout_needs_guard(""));
	assert_false(csvout_needs_guard(NULL));
}

static void
test_write_error(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct csvout w;

	(void)state;
	if (f == NULL)
		skip();
	csvout_init(&w, f, ',', true);
	for (int i = 0; i < 10000; i++)
		csvout_field(&w, "0123456789");
	csvout_end_row(&w);
	assert_int_equal(csvout_finish(&w), -ENOSPC);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_rows_and_nulls),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_semicolon_mode),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_formula_guard),
		cmocka_unit_test(test_plain_numbers),
		cmocka_unit_test(test_write_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
