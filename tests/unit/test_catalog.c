/* test_catalog.c - the indicator catalogue: DESIGN.md §5's defaults, directions, weights and override rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "transforms/catalog.h"

/* DESIGN.md §5, copied by hand: code, higher is worse, weight, critical. */
static const struct {
	const char *code;
	bool higher_is_worse;
	int weight;
	bool critical;
	const char *green, *red;
} design[] = {
	{ "Q1", false, 2, true, ">= 0.80", "< 0.70" },
	{ "Q2", true, 1, false, "<= 0", "> 0.10" },
	{ "Q3", true, 2, true, "< 0.8", ">= 1.0" },
	{ "R1", true, 2, true, "< 0.95", "> 1.05" },
	{ "R2", true, 1, false, "<= 0.05", "> 0.15" },
	{ "S1", false, 2, false, ">= 0.95", "< 0.85" },
	{ "S2", false, 2, true, ">= 3", "<= 1" },
	{ "S3", true, 1, false, "< 0.02", "> 0.05" },
	{ "S4", true, 1, false, "< 0.05", "> 0.07" },
	{ "S5", true, 1, false, "< 0.10", "> 0.15" },
};

static void
test_matches_design(void **state)
{
	(void)state;
	assert_int_equal(CATALOG_COUNT, sizeof(design) / sizeof(design[0]));
	for (size_t i = 0; i < CATALOG_COUNT; i++) {
		int ci = catalog_find(design[i].code);

		assert_int_equal(ci, (int)i);
		assert_int_equal(catalog[ci].higher_is_worse, design[i].higher_is_worse);
		assert_int_equal(catalog[ci].weight, design[i].weight);
		assert_int_equal(catalog[ci].critical, design[i].critical);
		assert_string_equal(catalog[ci].green, design[i].green);
		assert_string_equal(catalog[ci].red, design[i].red);
	}
	assert_int_equal(catalog_find("Q4"), -1);
}

static void
test_defaults_are_valid(void **state)
{
	(void)state;
	for (int i = 0; i < CATALOG_COUNT; i++) {
		struct status_threshold t;
		const char *why = NULL;

		catalog_default_threshold(i, &t);
		assert_int_equal(t.higher_is_worse, catalog[i].higher_is_worse);
		assert_int_equal(status_threshold_check(&t, &why), 0);
	}
}

static void
test_families(void **state)
{
	(void)state;
	for (int i = 0; i < CATALOG_COUNT; i++) {
		enum status_family want = catalog[i].code[0] == 'Q' ?
		    STATUS_FAMILY_QUEUE : catalog[i].code[0] == 'R' ?
		    STATUS_FAMILY_REFERRAL : STATUS_FAMILY_STAFFING;
		const char *kind = catalog[i].code[0] == 'Q' ? "queue" :
		    catalog[i].code[0] == 'R' ? "referral" : "staffing";

		assert_int_equal(catalog[i].family, want);
		assert_string_equal(catalog[i].kind, kind);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_design),
		cmocka_unit_test(test_defaults_are_valid),
		cmocka_unit_test(test_families),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
