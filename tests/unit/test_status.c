/* test_status.c - unit tests of status.c: bounds, lights, grey, composite. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "transforms/status.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

#define LT STATUS_OP_LT
#define LE STATUS_OP_LE
#define GT STATUS_OP_GT
#define GE STATUS_OP_GE

#define GREY STATUS_GREY
#define GREEN STATUS_GREEN
#define YELLOW STATUS_YELLOW
#define RED STATUS_RED

/* The indicators of DESIGN.md §5, in this order everywhere below. */
enum ind { Q1, Q2, Q3, R1, R2, S1, S2, S3, S4, S5, NIND };

static const char *const ind_names[NIND] = {
	"Q1", "Q2", "Q3", "R1", "R2", "S1", "S2", "S3", "S4", "S5",
};

/* The default thresholds of DESIGN.md §5, as text and as structs. */
static const char *const default_text[NIND][2] = {
	[Q1] = { ">= 0.80", "< 0.70" },
	[Q2] = { "<= 0", "> 0.10" },
	[Q3] = { "< 0.8", ">= 1.0" },
	[R1] = { "< 0.95", "> 1.05" },
	[R2] = { "<= 0.05", "> 0.15" },
	[S1] = { ">= 0.95", "< 0.85" },
	[S2] = { ">= 3", "<= 1" },
	[S3] = { "< 0.02", "> 0.05" },
	[S4] = { "< 0.05", "> 0.07" },
	[S5] = { "< 0.10", "> 0.15" },
};

static const struct status_threshold defaults[NIND] = {
	[Q1] = { false, { GE, 0.80 }, { LT, 0.70 } },
	[Q2] = { true, { LE, 0 }, { GT, 0.10 } },
	[Q3] = { true, { LT, 0.8 }, { GE, 1.0 } },
	[R1] = { true, { LT, 0.95 }, { GT, 1.05 } },
	[R2] = { true, { LE, 0.05 }, { GT, 0.15 } },
	[S1] = { false, { GE, 0.95 }, { LT, 0.85 } },
	[S2] = { false, { GE, 3 }, { LE, 1 } },
	[S3] = { true, { LT, 0.02 }, { GT, 0.05 } },
	[S4] = { true, { LT, 0.05 }, { GT, 0.07 } },
	[S5] = { true, { LT, 0.10 }, { GT, 0.15 } },
};

/* Weight, family and critical flag of each indicator (DESIGN.md §5). */
static const struct status_input ind_inputs[NIND] = {
	[Q1] = { GREY, 2, STATUS_FAMILY_QUEUE, true },
	[Q2] = { GREY, 1, STATUS_FAMILY_QUEUE, false },
	[Q3] = { GREY, 2, STATUS_FAMILY_QUEUE, true },
	[R1] = { GREY, 2, STATUS_FAMILY_REFERRAL, true },
	[R2] = { GREY, 1, STATUS_FAMILY_REFERRAL, false },
	[S1] = { GREY, 2, STATUS_FAMILY_STAFFING, false },
	[S2] = { GREY, 2, STATUS_FAMILY_STAFFING, true },
	[S3] = { GREY, 1, STATUS_FAMILY_STAFFING, false },
	[S4] = { GREY, 1, STATUS_FAMILY_STAFFING, false },
	[S5] = { GREY, 1, STATUS_FAMILY_STAFFING, false },
};

/* Reports a failed table row before cmocka stops the test. */
#define CHECK(cond, ...) do {						\
	bool check_ok_ = (cond);					\
									\
	if (!check_ok_)							\
		print_error(__VA_ARGS__);				\
	assert_true(check_ok_);						\
} while (0)

static void
test_bound_parse(void **state)
{
	static const struct {
		const char *text;
		int rc;
		enum status_op op;
		double value;
	} cases[] = {
		{ ">= 0.80", 0, GE, 0.80 },
		{ ">=0.80", 0, GE, 0.80 },
		{ "  >=   0.80  ", 0, GE, 0.80 },
		{ "\t<\t0.7\t", 0, LT, 0.7 },
		{ "<0.7", 0, LT, 0.7 },
		{ "<= 0", 0, LE, 0 },
		{ "> 0.10", 0, GT, 0.10 },
		{ "> -0.05", 0, GT, -0.05 },
		{ ">-0.05", 0, GT, -0.05 },
		{ "<= +0.05", 0, LE, 0.05 },
		{ ">= 3", 0, GE, 3 },
		{ "> 1.05", 0, GT, 1.05 },
		{ "< .5", 0, LT, 0.5 },
		{ "< 5.", 0, LT, 5 },
		{ "< 1e-3", 0, LT, 0.001 },
		{ "< 2.5E+1", 0, LT, 25 },
		{ "> -0", 0, GT, 0 },
		/* Rejected. */
		{ "", -EINVAL, 0, 0 },
		{ "   ", -EINVAL, 0, 0 },
		{ "0.8", -EINVAL, 0, 0 },
		{ " 0.8 ", -EINVAL, 0, 0 },
		{ "-0.8", -EINVAL, 0, 0 },
		{ "= 0.8", -EINVAL, 0, 0 },
		{ "== 0.8", -EINVAL, 0, 0 },
		{ "=> 0.8", -EINVAL, 0, 0 },
		{ "=< 0.8", -EINVAL, 0, 0 },
		{ "<> 0.8", -EINVAL, 0, 0 },
		{ "<< 0.8", -EINVAL, 0, 0 },
		{ ">=> 0.8", -EINVAL, 0, 0 },
		{ "> = 0.8", -EINVAL, 0, 0 },
		{ "!= 0.8", -EINVAL, 0, 0 },
		{ ">=", -EINVAL, 0, 0 },
		{ ">= ", -EINVAL, 0, 0 },
		{ "<", -EINVAL, 0, 0 },
		{ ">= abc", -EINVAL, 0, 0 },
		{ ">= 0.8x", -EINVAL, 0, 0 },
		{ ">= 0.8 junk", -EINVAL, 0, 0 },
		{ ">= 0.8.1", -EINVAL, 0, 0 },
		{ ">= 0.8 0.9", -EINVAL, 0, 0 },
		{ ">= 0,8", -EINVAL, 0, 0 },
		{ ">= 80%", -EINVAL, 0, 0 },
		{ ">= - 1", -EINVAL, 0, 0 },
		{ ">= --1", -EINVAL, 0, 0 },
		{ ">= .", -EINVAL, 0, 0 },
		{ ">= -", -EINVAL, 0, 0 },
		{ ">= 1e", -EINVAL, 0, 0 },
		{ ">= 1e+", -EINVAL, 0, 0 },
		{ ">= inf", -EINVAL, 0, 0 },
		{ ">= -infinity", -EINVAL, 0, 0 },
		{ ">= nan", -EINVAL, 0, 0 },
		{ ">= 0x10", -EINVAL, 0, 0 },
		{ ">= 1e999", -EINVAL, 0, 0 },
		{ "0.8 >=", -EINVAL, 0, 0 },
	};
	const struct status_bound sentinel = { LT, 42.0 };
	struct status_bound b;
	int rc;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		b = sentinel;
		rc = status_bound_parse(cases[i].text, &b);
		CHECK(rc == cases[i].rc, "'%s': rc %d, want %d\n",
		    cases[i].text, rc, cases[i].rc);
		if (cases[i].rc == 0) {
			CHECK(b.op == cases[i].op && b.value == cases[i].value,
			    "'%s': got op %d value %.17g\n", cases[i].text,
			    (int)b.op, b.value);
		} else {
			/* The out-parameter is written only on success. */
			CHECK(b.op == sentinel.op && b.value == sentinel.value,
			    "'%s': out written on failure\n", cases[i].text);
		}
	}
	assert_int_equal(status_bound_parse(NULL, &b), -EINVAL);
}

static void
test_bound_parse_defaults(void **state)
{
	struct status_bound b;

	(void)state;
	for (int i = 0; i < NIND; i++) {
		const struct status_bound *want[2] = {
			&defaults[i].green, &defaults[i].red,
		};

		for (int j = 0; j < 2; j++) {
			assert_int_equal(status_bound_parse(default_text[i][j],
			    &b), 0);
			CHECK(b.op == want[j]->op && b.value == want[j]->value,
			    "%s: '%s' parsed wrong\n", ind_names[i],
			    default_text[i][j]);
		}
	}
}

static void
test_bound_format(void **state)
{
	static const struct {
		struct status_bound b;
		const char *want;
	} cases[] = {
		{ { GE, 0.80 }, ">= 0.8" },
		{ { LT, 0.70 }, "< 0.7" },
		{ { LE, 0 }, "<= 0" },
		{ { GT, -0.05 }, "> -0.05" },
		{ { GT, 1.05 }, "> 1.05" },
		{ { GE, 3 }, ">= 3" },
		{ { LE, 1 }, "<= 1" },
		{ { LT, 0.02 }, "< 0.02" },
		{ { GT, 1234.5 }, "> 1234.5" },
		/* 0.1 + 0.2 is not 0.3; 17 digits are needed to say so. */
		{ { LT, 0.1 + 0.2 }, "< 0.30000000000000004" },
	};
	char buf[64];
	struct status_bound b;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		status_bound_format(&cases[i].b, buf, sizeof(buf));
		CHECK(strcmp(buf, cases[i].want) == 0, "got '%s', want '%s'\n",
		    buf, cases[i].want);
		/* What is written reads back as the same bound. */
		assert_int_equal(status_bound_parse(buf, &b), 0);
		assert_int_equal(b.op, cases[i].b.op);
		assert_true(b.value == cases[i].b.value);
	}

	/* A short buffer is truncated and terminated; size 0 writes nothing. */
	memset(buf, 'x', sizeof(buf));
	status_bound_format(&cases[0].b, buf, 4);
	assert_string_equal(buf, ">= ");
	assert_int_equal(buf[4], 'x');
	status_bound_format(&cases[0].b, buf, 0);
	assert_string_equal(buf, ">= ");
}

static void
test_bound_holds(void **state)
{
	static const struct {
		enum status_op op;
		double value;
		bool below, on, above;
	} cases[] = {
		{ LT, 0.8, true, false, false },
		{ LE, 0.8, true, true, false },
		{ GT, 0.8, false, false, true },
		{ GE, 0.8, false, true, true },
		{ LT, -0.05, true, false, false },
		{ GE, 0, false, true, true },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct status_bound b = { cases[i].op, cases[i].value };
		double v = cases[i].value;

		assert_int_equal(status_bound_holds(&b,
		    nextafter(v, -INFINITY)), cases[i].below);
		assert_int_equal(status_bound_holds(&b, v), cases[i].on);
		assert_int_equal(status_bound_holds(&b,
		    nextafter(v, INFINITY)), cases[i].above);
		/* NaN satisfies no bound. */
		assert_false(status_bound_holds(&b, NAN));
	}
}

static void
test_threshold_check(void **state)
{
	static const struct {
		const char *what;
		struct status_threshold t;
		int rc;
	} cases[] = {
		/* Lower is worse: green a lower bound, red an upper one. */
		{ "Q1 default", { false, { GE, 0.80 }, { LT, 0.70 } }, 0 },
		{ "equal, >= and <", { false, { GE, 0.8 }, { LT, 0.8 } }, 0 },
		{ "equal, > and <=", { false, { GT, 0.8 }, { LE, 0.8 } }, 0 },
		{ "equal, > and <", { false, { GT, 0.8 }, { LT, 0.8 } }, 0 },
		{ "equal, >= and <=", { false, { GE, 0.8 }, { LE, 0.8 } },
		    -EINVAL },
		{ "overlap 0.5-0.7", { false, { GE, 0.5 }, { LT, 0.7 } },
		    -EINVAL },
		{ "overlap, strict", { false, { GT, 0.5 }, { LT, 0.7 } },
		    -EINVAL },
		{ "overlap, negative", { false, { GT, -0.2 }, { LE, -0.1 } },
		    -EINVAL },
		{ "green <", { false, { LT, 0.8 }, { LT, 0.7 } }, -EINVAL },
		{ "green <=", { false, { LE, 0.8 }, { LT, 0.7 } }, -EINVAL },
		{ "red >", { false, { GE, 0.8 }, { GT, 0.7 } }, -EINVAL },
		{ "red >=", { false, { GE, 0.8 }, { GE, 0.7 } }, -EINVAL },
		{ "Q3 bounds, lower worse", { false, { LT, 0.8 }, { GE, 1.0 } },
		    -EINVAL },
		/* Higher is worse: green an upper bound, red a lower one. */
		{ "Q3 default", { true, { LT, 0.8 }, { GE, 1.0 } }, 0 },
		{ "Q2 default", { true, { LE, 0 }, { GT, 0.10 } }, 0 },
		{ "equal, < and >=", { true, { LT, 1 }, { GE, 1 } }, 0 },
		{ "equal, <= and >", { true, { LE, 1 }, { GT, 1 } }, 0 },
		{ "equal, < and >", { true, { LT, 1 }, { GT, 1 } }, 0 },
		{ "equal, <= and >=", { true, { LE, 1 }, { GE, 1 } }, -EINVAL },
		{ "overlap 1.0-1.2", { true, { LT, 1.2 }, { GT, 1.0 } },
		    -EINVAL },
		{ "overlap, negative", { true, { LE, 0 }, { GT, -0.1 } },
		    -EINVAL },
		{ "green >", { true, { GT, 0.8 }, { GE, 1.0 } }, -EINVAL },
		{ "green >=", { true, { GE, 0.8 }, { GE, 1.0 } }, -EINVAL },
		{ "red <", { true, { LT, 0.8 }, { LT, 1.0 } }, -EINVAL },
		{ "red <=", { true, { LT, 0.8 }, { LE, 1.0 } }, -EINVAL },
		{ "Q1 bounds, higher worse", { true, { GE, 0.80 },
		    { LT, 0.70 } }, -EINVAL },
		/* Not numbers. */
		{ "green NaN", { true, { LT, NAN }, { GE, 1.0 } }, -EINVAL },
		{ "red inf", { true, { LT, 0.8 }, { GE, INFINITY } }, -EINVAL },
	};
	const char *why;
	int rc;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		why = NULL;
		rc = status_threshold_check(&cases[i].t, &why);
		CHECK(rc == cases[i].rc, "%s: rc %d, want %d\n", cases[i].what,
		    rc, cases[i].rc);
		if (rc != 0)
			CHECK(why != NULL && why[0] != '\0',
			    "%s: no reason\n", cases[i].what);
		/* why may be NULL. */
		assert_int_equal(status_threshold_check(&cases[i].t, NULL),
		    cases[i].rc);
	}
	for (int i = 0; i < NIND; i++)
		CHECK(status_threshold_check(&defaults[i], NULL) == 0,
		    "%s default rejected\n", ind_names[i]);
}

/* Value on a threshold, or the neighbouring double below or above it. */
enum step { BELOW = -1, ON = 0, ABOVE = 1 };

static void
test_light_boundaries(void **state)
{
	/* Expected lights worked out by hand from DESIGN.md §5. */
	static const struct {
		enum ind ind;
		double at;
		enum step step;
		enum status_light want;
	} cases[] = {
		/* Q1 lower worse: green >= 0.80, red < 0.70. */
		{ Q1, 0.80, BELOW, YELLOW }, { Q1, 0.80, ON, GREEN },
		{ Q1, 0.80, ABOVE, GREEN },
		{ Q1, 0.70, BELOW, RED }, { Q1, 0.70, ON, YELLOW },
		{ Q1, 0.70, ABOVE, YELLOW },
		{ Q1, 1.0, ON, GREEN }, { Q1, 0.75, ON, YELLOW },
		{ Q1, 0.0, ON, RED },
		/* Q2 higher worse: green <= 0, red > 0.10. */
		{ Q2, 0, BELOW, GREEN }, { Q2, 0, ON, GREEN },
		{ Q2, 0, ABOVE, YELLOW },
		{ Q2, 0.10, BELOW, YELLOW }, { Q2, 0.10, ON, YELLOW },
		{ Q2, 0.10, ABOVE, RED },
		{ Q2, -0.25, ON, GREEN }, { Q2, 0.05, ON, YELLOW },
		/* Q3 higher worse: green < 0.8, red >= 1.0. */
		{ Q3, 0.8, BELOW, GREEN }, { Q3, 0.8, ON, YELLOW },
		{ Q3, 0.8, ABOVE, YELLOW },
		{ Q3, 1.0, BELOW, YELLOW }, { Q3, 1.0, ON, RED },
		{ Q3, 1.0, ABOVE, RED },
		/* R1 higher worse: green < 0.95, red > 1.05. */
		{ R1, 0.95, BELOW, GREEN }, { R1, 0.95, ON, YELLOW },
		{ R1, 0.95, ABOVE, YELLOW },
		{ R1, 1.05, BELOW, YELLOW }, { R1, 1.05, ON, YELLOW },
		{ R1, 1.05, ABOVE, RED },
		{ R1, 1.0, ON, YELLOW },
		/* R2 higher worse: green <= 0.05, red > 0.15. */
		{ R2, 0.05, BELOW, GREEN }, { R2, 0.05, ON, GREEN },
		{ R2, 0.05, ABOVE, YELLOW },
		{ R2, 0.15, BELOW, YELLOW }, { R2, 0.15, ON, YELLOW },
		{ R2, 0.15, ABOVE, RED },
		{ R2, -0.10, ON, GREEN },
		/* S1 lower worse: green >= 0.95, red < 0.85. */
		{ S1, 0.95, BELOW, YELLOW }, { S1, 0.95, ON, GREEN },
		{ S1, 0.95, ABOVE, GREEN },
		{ S1, 0.85, BELOW, RED }, { S1, 0.85, ON, YELLOW },
		{ S1, 0.85, ABOVE, YELLOW },
		/* S2 lower worse: green >= 3, red <= 1. */
		{ S2, 3, BELOW, YELLOW }, { S2, 3, ON, GREEN },
		{ S2, 3, ABOVE, GREEN },
		{ S2, 1, BELOW, RED }, { S2, 1, ON, RED },
		{ S2, 1, ABOVE, YELLOW },
		{ S2, 0, ON, RED }, { S2, 2, ON, YELLOW }, { S2, 4, ON, GREEN },
		/* S3 higher worse: green < 0.02, red > 0.05. */
		{ S3, 0.02, BELOW, GREEN }, { S3, 0.02, ON, YELLOW },
		{ S3, 0.02, ABOVE, YELLOW },
		{ S3, 0.05, BELOW, YELLOW }, { S3, 0.05, ON, YELLOW },
		{ S3, 0.05, ABOVE, RED },
		{ S3, 0, ON, GREEN },
		/* S4 higher worse: green < 0.05, red > 0.07. */
		{ S4, 0.05, BELOW, GREEN }, { S4, 0.05, ON, YELLOW },
		{ S4, 0.05, ABOVE, YELLOW },
		{ S4, 0.07, BELOW, YELLOW }, { S4, 0.07, ON, YELLOW },
		{ S4, 0.07, ABOVE, RED },
		/* S5 higher worse: green < 0.10, red > 0.15. */
		{ S5, 0.10, BELOW, GREEN }, { S5, 0.10, ON, YELLOW },
		{ S5, 0.10, ABOVE, YELLOW },
		{ S5, 0.15, BELOW, YELLOW }, { S5, 0.15, ON, YELLOW },
		{ S5, 0.15, ABOVE, RED },
	};
	enum status_light got;
	enum status_why why;
	double v;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		v = cases[i].at;
		if (cases[i].step != ON)
			v = nextafter(v, cases[i].step * INFINITY);
		why = STATUS_WHY_STALE;
		got = status_light(&defaults[cases[i].ind], true, v, 20, 20,
		    false, &why);
		CHECK(got == cases[i].want, "%s at %.17g: got %s, want %s\n",
		    ind_names[cases[i].ind], v, status_light_name(got),
		    status_light_name(cases[i].want));
		/* A light that is not grey has no reason. */
		assert_int_equal(why, STATUS_WHY_NONE);
	}
}

static void
test_light_grey(void **state)
{
	/* Q1 with value 0.9 would be green; 0.5 would be red. */
	static const struct {
		const char *what;
		bool have;
		double value;
		int64_t n, min_n;
		bool stale;
		enum status_light want;
		enum status_why why;
	} cases[] = {
		{ "fresh", true, 0.9, 100, 20, false, GREEN, STATUS_WHY_NONE },
		{ "missing", false, 0.9, 100, 20, false, GREY,
		    STATUS_WHY_MISSING },
		{ "missing, red value", false, 0.5, 100, 20, false, GREY,
		    STATUS_WHY_MISSING },
		{ "NaN", true, NAN, 100, 20, false, GREY, STATUS_WHY_MISSING },
		{ "inf", true, INFINITY, 100, 20, false, GREY,
		    STATUS_WHY_MISSING },
		{ "-inf", true, -INFINITY, 100, 20, false, GREY,
		    STATUS_WHY_MISSING },
		{ "stale", true, 0.9, 100, 20, true, GREY, STATUS_WHY_STALE },
		{ "stale, red value", true, 0.5, 100, 20, true, GREY,
		    STATUS_WHY_STALE },
		{ "n 19 < min_n 20", true, 0.9, 19, 20, false, GREY,
		    STATUS_WHY_FEW },
		{ "n 0 < min_n 20", true, 0.5, 0, 20, false, GREY,
		    STATUS_WHY_FEW },
		{ "n 20 == min_n 20", true, 0.9, 20, 20, false, GREEN,
		    STATUS_WHY_NONE },
		{ "n 20 == min_n 20, red", true, 0.5, 20, 20, false, RED,
		    STATUS_WHY_NONE },
		{ "n 21 > min_n 20", true, 0.75, 21, 20, false, YELLOW,
		    STATUS_WHY_NONE },
		{ "min_n 0", true, 0.9, 0, 0, false, GREEN, STATUS_WHY_NONE },
		{ "min_n -1", true, 0.9, -5, -1, false, GREEN,
		    STATUS_WHY_NONE },
		{ "min_n 1, n 0", true, 0.9, 0, 1, false, GREY,
		    STATUS_WHY_FEW },
		/* Several reasons: missing, then stale, then few. */
		{ "missing, stale, few", false, 0.9, 0, 20, true, GREY,
		    STATUS_WHY_MISSING },
		{ "stale and few", true, 0.9, 0, 20, true, GREY,
		    STATUS_WHY_STALE },
	};
	enum status_light got;
	enum status_why why;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		why = (enum status_why)99;
		got = status_light(&defaults[Q1], cases[i].have, cases[i].value,
		    cases[i].n, cases[i].min_n, cases[i].stale, &why);
		CHECK(got == cases[i].want && why == cases[i].why,
		    "%s: got %s/%d, want %s/%d\n", cases[i].what,
		    status_light_name(got), (int)why,
		    status_light_name(cases[i].want), (int)cases[i].why);
		/* why may be NULL. */
		assert_int_equal(status_light(&defaults[Q1], cases[i].have,
		    cases[i].value, cases[i].n, cases[i].min_n, cases[i].stale,
		    NULL), cases[i].want);
	}
}

/* Inputs of Q1..S5 from a string of letters G, Y, R, '-' (grey). */
static size_t
make_inputs(const char *lights, struct status_input *in)
{
	size_t n = 0;

	for (int i = 0; i < NIND; i++) {
		in[n] = ind_inputs[i];
		switch (lights[i]) {
		case 'G':
			in[n].light = GREEN;
			break;
		case 'Y':
			in[n].light = YELLOW;
			break;
		case 'R':
			in[n].light = RED;
			break;
		default:
			in[n].light = GREY;
			break;
		}
		n++;
	}
	return n;
}

static void
test_composite(void **state)
{
	/*
	 * Lights in the order Q1 Q2 Q3 R1 R2 S1 S2 S3 S4 S5, weights
	 * 2 1 2 2 1 2 2 1 1 1; wp = sum(w * points) and w2 = sum(w * 2) over
	 * the non-grey ones, added up by hand. All ten non-grey: w2 = 30.
	 */
	static const struct {
		const char *lights;
		int wp, w2;
		enum status_light want;
	} cases[] = {
		{ "GGGGGGGGGG", 0, 30, GREEN },
		{ "YYYYYYYYYY", 15, 30, RED },		/* 0.50 */
		{ "RRRRRRRRRR", 30, 30, RED },
		{ "GGGGGGGGGY", 1, 30, GREEN },
		{ "GYGYGGGGGY", 4, 30, GREEN },	/* Q2 1 R1 2 S5 1 */
		/* Q2 grey, w2 = 28: R1 2 R2 1 S1 2 S4 1 S5 1 = 7, 0.25. */
		{ "G-GYYYGGYY", 7, 28, YELLOW },
		{ "G-GYYYGGYG", 6, 28, GREEN },	/* just below 0.25 */
		/* Q2 grey, all the rest yellow: 14 / 28 = 0.50. */
		{ "Y-YYYYYYYY", 14, 28, RED },
		{ "Y-YYYYYGYY", 13, 28, YELLOW },	/* just below 0.50 */
		/* One red critical among greens: 4 / 30 < 0.25, yet yellow. */
		{ "RGGGGGGGGG", 4, 30, YELLOW },
		{ "GGRGGGGGGG", 4, 30, YELLOW },
		{ "GGGRGGGGGG", 4, 30, YELLOW },
		{ "GGGGGGRGGG", 4, 30, YELLOW },
		/* A red that is not critical does not lift the status. */
		{ "GGGGGRGGGG", 4, 30, GREEN },		/* S1 */
		{ "GRGGGGGGGG", 2, 30, GREEN },		/* Q2 */
		{ "GGGGRGGGGG", 2, 30, GREEN },		/* R2 */
		/* Red queue with red staffing: red, even at 4 / 30. */
		{ "GRGGGGGRGG", 4, 30, RED },		/* Q2 S3 */
		{ "RGGGGGRGGG", 8, 30, RED },		/* Q1 S2 */
		{ "GGRGGRGGGG", 8, 30, RED },		/* Q3 S1 */
		{ "GRGGRGGGGG", 4, 30, GREEN },	/* Q2 R2: no staffing */
		{ "GGGGGGGRRG", 4, 30, GREEN },	/* S3 S4: no queue */
		{ "GGGRGRGGGG", 8, 30, YELLOW },	/* R1 S1: not queue */
		/* A red queue and a yellow staffing: no override. */
		{ "GRGGGGGYGG", 3, 30, GREEN },
		/* Weighted mix, Q2 S1 grey: 2+0+4+1+2+0+2+0 = 11,
		 * w2 = 2 * (2+2+2+1+2+1+1+1) = 24. */
		{ "Y-GRY-YGRG", 11, 24, YELLOW },
		/* Grey inputs are not in the denominator. */
		{ "-Y-----G--", 1, 4, YELLOW },	/* 0.25, not 1/30 */
		{ "--------Y-", 1, 2, RED },		/* 0.50 */
		{ "R----G----", 4, 8, RED },		/* 0.50 */
		{ "------G---", 0, 4, GREEN },
	};
	struct status_input in[NIND];
	enum status_light got;
	double score, want;
	size_t n;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		n = make_inputs(cases[i].lights, in);
		want = (double)cases[i].wp / cases[i].w2;
		score = -1;
		got = status_composite(in, n, NULL, &score);
		CHECK(got == cases[i].want, "%s: got %s, want %s\n",
		    cases[i].lights, status_light_name(got),
		    status_light_name(cases[i].want));
		CHECK(fabs(score - want) < 1e-12,
		    "%s: score %.17g, want %d/%d\n", cases[i].lights, score,
		    cases[i].wp, cases[i].w2);
	}

	/* The bands themselves are exact: 0.25 and 0.50 to the bit. */
	n = make_inputs("G-GYYYGGYY", in);
	assert_int_equal(status_composite(in, n, NULL, &score), YELLOW);
	assert_true(score == 0.25);
	n = make_inputs("Y-YYYYYYYY", in);
	assert_int_equal(status_composite(in, n, NULL, &score), RED);
	assert_true(score == 0.50);
}

static void
test_composite_grey(void **state)
{
	struct status_input in[NIND];
	double score;
	size_t n;

	(void)state;
	/* All grey. */
	n = make_inputs("----------", in);
	score = 0;
	assert_int_equal(status_composite(in, n, NULL, &score), GREY);
	assert_true(isnan(score));

	/* No inputs at all. */
	score = 0;
	assert_int_equal(status_composite(NULL, 0, NULL, &score), GREY);
	assert_true(isnan(score));

	/* Inputs with a weight below 1 take no part, red or not. */
	n = make_inputs("R-----R---", in);
	in[Q1].weight = 0;
	in[S2].weight = -2;
	score = 0;
	assert_int_equal(status_composite(in, n, NULL, &score), GREY);
	assert_true(isnan(score));
	/* With S5 green beside them: 0 / 2, and no override. */
	in[S5].light = GREEN;
	assert_int_equal(status_composite(in, n, NULL, &score), GREEN);
	assert_true(score == 0);
}

static void
test_composite_weights(void **state)
{
	struct status_input in[2] = {
		{ YELLOW, 2, STATUS_FAMILY_QUEUE, false },
		{ GREEN, 1, STATUS_FAMILY_REFERRAL, false },
	};
	double score;

	(void)state;
	/* 2*1 / (2*2 + 1*2) = 2/6. */
	assert_int_equal(status_composite(in, 2, NULL, &score), YELLOW);
	assert_true(fabs(score - 2.0 / 6) < 1e-12);
	/* Swapped weights: 1*1 / 6 = 1/6. */
	in[0].weight = 1;
	in[1].weight = 2;
	assert_int_equal(status_composite(in, 2, NULL, &score), GREEN);
	assert_true(fabs(score - 1.0 / 6) < 1e-12);
	/* Weight 3, red: 3*2 / (3*2 + 2*2) = 6/10. */
	in[0].weight = 3;
	in[0].light = RED;
	assert_int_equal(status_composite(in, 2, NULL, &score), RED);
	assert_true(fabs(score - 0.6) < 1e-12);
}

static void
test_composite_bands(void **state)
{
	/* Five inputs of weight 1, so w2 = 10 and the score is k / 10. */
	static const struct {
		const char *lights;
		enum status_light want;
	} cases[] = {
		{ "GGGGG", GREEN },	/* 0.0 */
		{ "YYGGG", GREEN },	/* 0.2 */
		{ "YYYGG", YELLOW },	/* 0.3, on the band written 0.3 */
		{ "RYYGG", YELLOW },	/* 0.4 */
		{ "RYYYG", YELLOW },	/* 0.5 */
		{ "RRYYG", RED },	/* 0.6, on the band written 0.6 */
		{ "RRRRR", RED },	/* 1.0 */
	};
	const struct status_bands bands = { 0.3, 0.6 };
	struct status_input in[5];
	double score;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		for (size_t j = 0; j < 5; j++) {
			in[j] = ind_inputs[R2];
			in[j].light = cases[i].lights[j] == 'R' ? RED :
			    cases[i].lights[j] == 'Y' ? YELLOW : GREEN;
		}
		CHECK(status_composite(in, 5, &bands, &score) == cases[i].want,
		    "%s with bands 0.3/0.6\n", cases[i].lights);
	}
	/* The same 0.5 is red with the default bands. */
	for (size_t j = 0; j < 5; j++)
		in[j].light = j < 1 ? RED : j < 4 ? YELLOW : GREEN;
	assert_int_equal(status_composite(in, 5, &bands, &score), YELLOW);
	assert_int_equal(status_composite(in, 5, NULL, &score), RED);
	assert_true(score == 0.5);
}

static void
test_light_names(void **state)
{
	static const struct {
		enum status_light light;
		const char *name;
		char letter;
	} cases[] = {
		{ GREY, "grey", '-' },
		{ GREEN, "green", 'G' },
		{ YELLOW, "yellow", 'Y' },
		{ RED, "red", 'R' },
	};
	static const char *const bad[] = {
		"", "Red", "RED", "gray", "re", "redd", " red", "red ",
		"purple",
	};
	enum status_light l;

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		assert_string_equal(status_light_name(cases[i].light),
		    cases[i].name);
		assert_int_equal(status_light_letter(cases[i].light),
		    cases[i].letter);
		l = (enum status_light)99;
		assert_int_equal(status_light_from_name(cases[i].name, &l), 0);
		assert_int_equal(l, cases[i].light);
	}
	for (size_t i = 0; i < NELEM(bad); i++) {
		l = (enum status_light)99;
		CHECK(status_light_from_name(bad[i], &l) == -EINVAL,
		    "'%s' accepted\n", bad[i]);
		assert_int_equal(l, 99);
	}
	assert_int_equal(status_light_from_name(NULL, &l), -EINVAL);
	assert_string_equal(status_light_name((enum status_light)7),
	    "unknown");
	assert_int_equal(status_light_letter((enum status_light)7), '?');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bound_parse),
		cmocka_unit_test(test_bound_parse_defaults),
		cmocka_unit_test(test_bound_format),
		cmocka_unit_test(test_bound_holds),
		cmocka_unit_test(test_threshold_check),
		cmocka_unit_test(test_light_boundaries),
		cmocka_unit_test(test_light_grey),
		cmocka_unit_test(test_composite),
		cmocka_unit_test(test_composite_grey),
		cmocka_unit_test(test_composite_weights),
		cmocka_unit_test(test_composite_bands),
		cmocka_unit_test(test_light_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
