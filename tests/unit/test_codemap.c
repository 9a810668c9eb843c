/* test_codemap.c - unit tests of codemap.c: lookups, case and blanks, conflicts, growth, limits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "extractors/codemap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct codemap *
setup_map(void)
{
	struct codemap *m = codemap_new();

	assert_non_null(m);
	assert_int_equal(codemap_add(m, "NEURO", 0), 0);
	assert_int_equal(codemap_add(m, "  Ortopedi\t", 1), 0);
	assert_int_equal(codemap_add(m, "neu", 0), 0);        /* an alias */
	assert_int_equal(codemap_add(m, "S\xc3\x84S", 2), 0); /* "SÄS" */
	assert_int_equal(codemap_add(m, "\xc3\x96RON 2", 3), 0);
	return m;
}

static const struct {
	const char *text;
	int want;
} find_cases[] = {
	{ "NEURO", 0 },
	{ "neuro", 0 },
	{ "Neuro", 0 },
	{ " NEURO ", 0 },
	{ "\tneuro\t", 0 },
	{ "NEU", 0 },
	{ "ORTOPEDI", 1 },
	{ "ortopedi", 1 },
	{ " Ortopedi ", 1 },
	{ "S\xc3\x84S", 2 },
	{ "s\xc3\x84s", 2 },          /* ASCII letters fold, 'Ä' stays */
	{ "s\xc3\xa4s", -1 },          /* "säs": 'ä' is not ASCII */
	{ "\xc3\x96RON 2", 3 },
	{ "\xc3\x96ron 2", 3 },
	{ "\xc3\x96RON  2", -1 },       /* inner blanks count */
	{ "\xc3\x96RON2", -1 },
	{ "NEUR", -1 },
	{ "NEUROX", -1 },
	{ "CARDIO", -1 },
	{ "", -1 },
	{ "   ", -1 },
};

static void
test_find(void **state)
{
	struct codemap *m = setup_map();

	for (size_t i = 0; i < NELEM(find_cases); i++) {
		int got = codemap_find(m, find_cases[i].text);

		if (got != find_cases[i].want)
			fail_msg("find '%s': %d, want %d", find_cases[i].text,
			    got, find_cases[i].want);
	}
	codemap_free(m);
	codemap_free(NULL);
}

static void
test_conflicts(void **state)
{
	struct codemap *m = setup_map();

	/* The same text, however written, cannot mean another index. */
	assert_int_equal(codemap_add(m, "NEURO", 5), -EEXIST);
	assert_int_equal(codemap_add(m, " neuro ", 1), -EEXIST);
	assert_int_equal(codemap_add(m, "ORTOPEDI", 0), -EEXIST);
	/* Adding a mapping that exists is not an error. */
	assert_int_equal(codemap_add(m, "NEURO", 0), 0);
	assert_int_equal(codemap_add(m, "\tNeuro", 0), 0);
	assert_int_equal(codemap_add(m, "ortopedi", 1), 0);
	/* A refused add changes nothing. */
	assert_int_equal(codemap_find(m, "neuro"), 0);
	assert_int_equal(codemap_find(m, "ortopedi"), 1);
	codemap_free(m);
}

static void
test_empty(void **state)
{
	struct codemap *m = codemap_new();

	assert_non_null(m);
	assert_int_equal(codemap_find(m, "NEURO"), -1);
	assert_int_equal(codemap_find(m, ""), -1);
	codemap_free(m);
}

/* Thousands of codes: every one found after the table has grown. */
static void
test_growth(void **state)
{
	enum { N = 5000 };
	struct codemap *m = codemap_new();
	char text[32];

	assert_non_null(m);
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof(text), "K%04d", i);
		assert_int_equal(codemap_add(m, text, i), 0);
		/* The first ones stay findable while the table grows. */
		assert_int_equal(codemap_find(m, "k0000"), 0);
	}
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof(text), " k%04d ", i);
		if (codemap_find(m, text) != i)
			fail_msg("find '%s': %d, want %d", text,
			    codemap_find(m, text), i);
		snprintf(text, sizeof(text), "K%04d", i);
		assert_int_equal(codemap_add(m, text, i), 0);
		assert_int_equal(codemap_add(m, text, i + 1), -EEXIST);
	}
	assert_int_equal(codemap_find(m, "K5000"), -1);
	assert_int_equal(codemap_find(m, "K-001"), -1);
	codemap_free(m);
}

/* A code is at most 255 bytes. */
static void
test_long_text(void **state)
{
	struct codemap *m = codemap_new();
	char text[300];

	assert_non_null(m);
	memset(text, 'x', 255);
	text[255] = '\0';
	assert_int_equal(codemap_add(m, text, 7), 0);
	assert_int_equal(codemap_find(m, text), 7);
	text[0] = 'X';
	assert_int_equal(codemap_find(m, text), 7);

	memset(text, 'y', 256);
	text[256] = '\0';
	assert_int_equal(codemap_add(m, text, 8), -EINVAL);
	assert_int_equal(codemap_find(m, text), -1);
	/* Its first 255 bytes are not it either. */
	text[255] = '\0';
	assert_int_equal(codemap_find(m, text), -1);
	codemap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_long_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
