/* test_digest.c - unit tests of digest.c: subject by kind, the facts an owner reads, the indicator table, escaping, webhook fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "daemon/digest.h"

/* A warning on Q1 at Södra Älvsborgs Sjukhus, as alerts.c writes it. */
static const char *warning_json =
	"{\"area\": \"OGON\", \"area_name\": \"Ögonsjukvård\", \"org\": \"SAS\","
	" \"org_name\": \"Södra Älvsborgs Sjukhus\", \"indicator\": \"Q1\","
	" \"indicator_name\": \"share waiting within the guarantee limit\","
	" \"light\": \"yellow\", \"value\": 0.7525, \"slope\": -0.012,"
	" \"periods_to_red\": 4.2, \"red_date\": \"2024-03-11\","
	" \"grain\": \"week\", \"detectors\": \"E3\", \"explanation\":"
	" \"share waiting within the guarantee limit falling 1.2 points a week;"
	" red in about 5 weeks\", \"data_from\": \"2023-09-04\","
	" \"data_end\": \"2024-02-05\", \"green\": \">= 0.8\", \"red\": \"< 0.7\","
	" \"indicators\": [{\"code\": \"Q1\", \"name\": \"share waiting\","
	" \"value\": 0.7525, \"light\": \"yellow\", \"green\": \">= 0.8\","
	" \"red\": \"< 0.7\", \"period\": \"2024-02-05\", \"source\": \"kö<r>\"},"
	" {\"code\": \"Q3\", \"name\": \"waiting pressure\", \"value\": null,"
	" \"light\": \"grey\", \"green\": \"< 0.8\", \"red\": \">= 1\","
	" \"period\": \"2024-02-05\", \"source\": \"koer\"}],"
	" \"view\": \"SELECT * FROM fragwatch.trending_fragile WHERE area ="
	" 'OGON' AND org = 'SAS'\"}";

static const char *red_json =
	"{\"area\": \"NEURO\", \"area_name\": \"Neurologi\", \"org\": \"*\","
	" \"org_name\": \"region-wide\", \"status\": \"red\", \"score\": 0.625,"
	" \"as_of\": \"2024-02-12\", \"drivers\": \"Q1 red, S2 red\","
	" \"indicators\": [], \"view\": \"SELECT 1\"}";

static const char *data_json =
	"{\"source\": \"bemanning\", \"kind\": \"staffing\", \"status\":"
	" \"refused\", \"error\": \"header lacks column 'manad'\", \"inhibits\":"
	" \"alerts on the staffing indicators wait\", \"view\": \"SELECT 2\"}";

struct fixture {
	json_t *w, *r, *d;
	struct digest_item items[3];
	struct digest dg;
};

static int
setup(void **state)
{
	static struct fixture f;
	json_error_t je;

	memset(&f, 0, sizeof(f));
	f.w = json_loads(warning_json, 0, &je);
	f.r = json_loads(red_json, 0, &je);
	f.d = json_loads(data_json, 0, &je);
	assert_non_null(f.w);
	assert_non_null(f.r);
	assert_non_null(f.d);
	f.items[0] = (struct digest_item){ 7, "red", "Red: Neurologi (NEURO), "
	    "region-wide", f.r };
	f.items[1] = (struct digest_item){ 9, "warning", "Early warning: "
	    "Ögonsjukvård <b>(OGON)</b>, Södra Älvsborgs Sjukhus: kö", f.w };
	f.items[2] = (struct digest_item){ 12, "data", "Data problem: source "
	    "bemanning refused", f.d };
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	digest_clear(&f->dg);
	json_decref(f->w);
	json_decref(f->r);
	json_decref(f->d);
	return 0;
}

static void
test_subject(void **state)
{
	struct fixture *f = *state;
	char err[128];

	assert_int_equal(digest_render(f->items, 3, &f->dg, err, sizeof(err)),
	    0);
	/* Counted by kind, urgent first: red, data, then warnings. */
	assert_string_equal(f->dg.subject, "fragwatch: 3 alerts: 1 red, 1 data "
	    "problem, 1 early warning");
	digest_clear(&f->dg);
	assert_int_equal(digest_render(f->items + 1, 1, &f->dg, err,
	    sizeof(err)), 0);
	assert_string_equal(f->dg.subject, "fragwatch: Early warning: "
	    "Ögonsjukvård <b>(OGON)</b>, Södra Älvsborgs Sjukhus: kö");
	digest_clear(&f->dg);
	assert_int_equal(digest_render(f->items, 0, &f->dg, err, sizeof(err)),
	    -EINVAL);
}

static void
test_text_facts(void **state)
{
	struct fixture *f = *state;
	char err[128];
	const char *t;

	assert_int_equal(digest_render(f->items, 3, &f->dg, err, sizeof(err)),
	    0);
	t = f->dg.text;
	/* Numbered titles in order. */
	assert_non_null(strstr(t, "1. Red: Neurologi (NEURO), region-wide\n"));
	assert_non_null(strstr(t, "2. Early warning: Ögonsjukvård"));
	assert_non_null(strstr(t, "3. Data problem: source bemanning"));
	assert_true(strstr(t, "1. Red") < strstr(t, "2. Early"));
	/* Value against thresholds, as percentages: 0.7525 -> 75.2 % (%.1f
	 * rounds half to even on the binary value 75.249999...). */
	assert_non_null(strstr(t, "Now: share waiting within the guarantee "
	    "limit 75.2 % (yellow); target (green) >= 80.0 %, red < 70.0 %"));
	assert_non_null(strstr(t, "Trend: share waiting within the guarantee "
	    "limit falling 1.2 points a week; red in about 5 weeks "
	    "(detectors E3)"));
	/* ceil(4.2) = 5 weeks. */
	assert_non_null(strstr(t, "Projected red: 2024-03-11 (in about 5 "
	    "weeks)"));
	assert_non_null(strstr(t, "Data: newest period 2024-02-05, series from "
	    "2023-09-04 (week)"));
	/* The status line: score 0.625 -> 62.5 %. */
	assert_non_null(strstr(t, "Status: red as of 2024-02-12, score 62.5 %; "
	    "driven by Q1 red, S2 red"));
	assert_non_null(strstr(t, "Source: bemanning (staffing), last run "
	    "refused: header lacks column 'manad'"));
	assert_non_null(strstr(t, "Meanwhile alerts on the staffing indicators "
	    "wait."));
	/* The indicator table: a missing value is "-"; Q3 is not a share. */
	assert_non_null(strstr(t, "Q1  75.2 %    yellow green >= 80.0 %, red "
	    "< 70.0 %; 2024-02-05, kö<r>: share waiting\n"));
	assert_non_null(strstr(t, "Q3  -         grey   green < 0.80, red >= "
	    "1; 2024-02-05, koer: waiting pressure\n"));
	assert_non_null(strstr(t, "Look: SELECT * FROM "
	    "fragwatch.trending_fragile WHERE area = 'OGON' AND org = 'SAS';"));
	assert_non_null(strstr(t, "fragwatch, alerts 7 9 12\n"));
}

static void
test_html_escaped(void **state)
{
	struct fixture *f = *state;
	char err[128];
	const char *h;

	assert_int_equal(digest_render(f->items, 3, &f->dg, err, sizeof(err)),
	    0);
	h = f->dg.html;
	/* Data never becomes markup. */
	assert_null(strstr(h, "<b>(OGON)</b>"));
	assert_non_null(strstr(h, "&lt;b&gt;(OGON)&lt;/b&gt;"));
	assert_non_null(strstr(h, "<td>kö&lt;r&gt;</td>"));
	assert_non_null(strstr(h, "area = &#39;OGON&#39;") != NULL ?
	    strstr(h, "area = &#39;OGON&#39;") : strstr(h, "area = &#x27;OGON"));
	/* One table (the red alert has no indicators, the data alert none),
	 * with the header and two rows. */
	assert_non_null(strstr(h, "<th>Code</th><th>Indicator</th><th>Value"
	    "</th><th>Light</th><th>Green</th><th>Red</th><th>Period</th>"
	    "<th>Source</th>"));
	assert_non_null(strstr(h, "<tr><td>Q1</td><td>share waiting</td><td>"
	    "75.2 %</td><td>yellow</td><td>&gt;= 80.0 %</td><td>&lt; 70.0 %"
	    "</td><td>2024-02-05</td>"));
	assert_null(strstr(strstr(h, "<table") + 1, "<table"));
	assert_non_null(strstr(h, "Ögonsjukvård"));
}

static void
test_webhook_fields(void **state)
{
	struct fixture *f = *state;
	const json_t *a, *list;
	char err[128];

	assert_int_equal(digest_render(f->items, 3, &f->dg, err, sizeof(err)),
	    0);
	assert_non_null(strstr(f->dg.chat, "*fragwatch: 3 alerts: 1 red"));
	assert_non_null(strstr(f->dg.chat, "\n*Early warning: Ögonsjukvård"));
	assert_non_null(strstr(f->dg.chat, "`SELECT 2`"));
	list = json_object_get(json_object_get(f->dg.extra, "fragwatch"),
	    "alerts");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    f->dg.extra, "fragwatch"), "count")), 3);
	assert_int_equal(json_array_size(list), 3);
	a = json_array_get(list, 1);
	assert_int_equal(json_integer_value(json_object_get(a, "id")), 9);
	assert_string_equal(json_string_value(json_object_get(a, "kind")),
	    "warning");
	assert_string_equal(json_string_value(json_object_get(a, "org_name")),
	    "Södra Älvsborgs Sjukhus");
	assert_true(fabs(json_real_value(json_object_get(a, "periods_to_red")) -
	    4.2) < 1e-12);
	/* The caller's details are not changed. */
	assert_null(json_object_get(f->w, "id"));
}

static void
test_value_and_bound(void **state)
{
	char buf[64];

	(void)state;
	digest_value("Q1", 0.8, buf, sizeof(buf));
	assert_string_equal(buf, "80.0 %");
	digest_value("S2", 2, buf, sizeof(buf));
	assert_string_equal(buf, "2");
	digest_value("Q3", 1.234, buf, sizeof(buf));
	assert_string_equal(buf, "1.23");
	digest_value("composite", 0.5, buf, sizeof(buf));
	assert_string_equal(buf, "50.0 %");
	digest_value("Q1", NAN, buf, sizeof(buf));
	assert_string_equal(buf, "-");
	digest_value(NULL, 3.5, buf, sizeof(buf));
	assert_string_equal(buf, "3.50");
	digest_bound("S1", ">= 0.95", buf, sizeof(buf));
	assert_string_equal(buf, ">= 95.0 %");
	digest_bound("S2", "<= 1", buf, sizeof(buf));
	assert_string_equal(buf, "<= 1");
	digest_bound("Q2", "> 0.1", buf, sizeof(buf));
	assert_string_equal(buf, "> 10.0 %");
	digest_bound("Q1", "about 0.8", buf, sizeof(buf));
	assert_string_equal(buf, "about 0.8");
	digest_bound("Q1", NULL, buf, sizeof(buf));
	assert_string_equal(buf, "-");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_facts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_escaped, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_webhook_fields, setup,
		    teardown),
		cmocka_unit_test(test_value_and_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
