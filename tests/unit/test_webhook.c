/* test_webhook.c - unit tests of webhook.c: the JSON body parsed back with jansson, status classes, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "daemon/webhook.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static char *
body_ok(const char *text, json_t *extra)
{
	char *out = NULL, err[256] = "";
	int rc;

	rc = webhook_body(text, extra, &out, err, sizeof(err));
	if (rc != 0)
		fail_msg("webhook_body: %d %s", rc, err);
	assert_non_null(out);
	return out;
}

static json_t *
parse(const char *s)
{
	json_error_t jerr;
	json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &jerr);

	if (j == NULL)
		fail_msg("not JSON (%s): %s", jerr.text, s);
	assert_true(json_is_object(j));
	return j;
}

static void
test_text_and_fields(void **state)
{
	static const char text[] = "*Tidig varning:* Neurologi (SU) – kön "
	    "växer.\nQ1 0,69 mot målet 0,80; röd om ~6 veckor. ÅÄÖ åäö";
	json_t *extra, *j, *f, *want;
	char *s;

	(void)state;
	extra = json_pack("{s:{s:s, s:s, s:s, s:s, s:s, s:f, s:i, s:n}}",
	    "fragwatch", "area", "NEURO", "area_name", "Neurologi",
	    "org", "SU", "indicator", "Q1", "status", "yellow", "value", 0.69,
	    "periods_to_red", 6, "projected_red");
	assert_non_null(extra);
	s = body_ok(text, extra);
	j = parse(s);
	assert_int_equal(json_object_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(j, "text")),
	    text);
	f = json_object_get(j, "fragwatch");
	/* The expected fields, written out independently of extra. */
	want = json_loads("{\"area\":\"NEURO\",\"area_name\":\"Neurologi\","
	    "\"org\":\"SU\",\"indicator\":\"Q1\",\"status\":\"yellow\","
	    "\"value\":0.69,\"periods_to_red\":6,\"projected_red\":null}", 0,
	    NULL);
	assert_non_null(want);
	assert_true(json_equal(f, want));
	/* "text" comes first: receivers that only skim see it at once. */
	assert_true(strncmp(s, "{\"text\":", 8) == 0);
	/* Swedish letters travel as UTF-8, not as \u escapes. */
	assert_non_null(strstr(s, "kön växer"));
	assert_non_null(strstr(s, "ÅÄÖ åäö"));
	assert_null(strstr(s, "\\u00"));
	/* extra is borrowed and left as it was. */
	assert_int_equal(json_object_size(extra), 1);
	assert_null(json_object_get(extra, "text"));
	assert_int_equal(extra->refcount, 1);
	json_decref(want);
	json_decref(j);
	json_decref(extra);
	free(s);
}

static void
test_escaping(void **state)
{
	static const char text[] = "quote \" backslash \\ newline \n tab \t "
	    "cr \r ctl \x01\x1f del \x7f slash / brace } ]";
	json_t *j;
	char *s;

	(void)state;
	s = body_ok(text, NULL);
	for (const char *p = s; *p != '\0'; p++)
		assert_true((unsigned char)*p >= 0x20);
	assert_non_null(strstr(s, "quote \\\" backslash \\\\ newline \\n tab "
	    "\\t cr \\r ctl \\u0001\\u001F"));
	j = parse(s);
	assert_string_equal(json_string_value(json_object_get(j, "text")),
	    text);
	json_decref(j);
	free(s);
}

static void
test_exact_output(void **state)
{
	json_t *extra;
	char *s;

	(void)state;
	s = body_ok("hej", NULL);
	assert_string_equal(s, "{\"text\":\"hej\"}");
	free(s);
	s = body_ok("", NULL);
	assert_string_equal(s, "{\"text\":\"\"}");
	free(s);
	extra = json_pack("{s:s, s:[i,i]}", "username", "fragwatch", "n", 1, 2);
	s = body_ok("å", extra);
	assert_string_equal(s, "{\"text\":\"å\",\"username\":\"fragwatch\","
	    "\"n\":[1,2]}");
	free(s);
	json_decref(extra);
	/* An empty object adds nothing. */
	extra = json_object();
	s = body_ok("x", extra);
	assert_string_equal(s, "{\"text\":\"x\"}");
	free(s);
	json_decref(extra);
}

static void
test_refusals(void **state)
{
	json_t *extra;
	char *out = NULL, err[256];

	(void)state;
	extra = json_pack("{s:s}", "text", "a second text");
	assert_int_equal(webhook_body("t", extra, &out, err, sizeof(err)),
	    -EINVAL);
	json_decref(extra);
	extra = json_pack("[s]", "not an object");
	assert_int_equal(webhook_body("t", extra, &out, err, sizeof(err)),
	    -EINVAL);
	json_decref(extra);
	assert_int_equal(webhook_body(NULL, NULL, &out, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(webhook_body("\xc3(", NULL, &out, err, sizeof(err)),
	    -EILSEQ);
	assert_non_null(strstr(err, "UTF-8"));
	assert_int_equal(webhook_body("a\xff", NULL, &out, err, sizeof(err)),
	    -EILSEQ);
	assert_int_equal(webhook_body("\xed\xa0\x80", NULL, &out, err,
	    sizeof(err)), -EILSEQ);
	assert_null(out);
}

static void
test_status_classes(void **state)
{
	static const struct { long status; bool permanent; } cases[] = {
		{ 200, false }, { 204, false }, { 301, true }, { 302, true },
		{ 400, true }, { 401, true }, { 403, true }, { 404, true },
		{ 408, false }, { 410, true }, { 413, true }, { 429, false },
		{ 499, true }, { 500, false }, { 502, false }, { 503, false },
		{ 504, false }, { 0, false },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		if (webhook_status_permanent(cases[i].status) != cases[i].permanent)
			fail_msg("status %ld: want permanent=%d", cases[i].status,
			    cases[i].permanent);
	}
}

/* webhook_post's refusals happen before any connection. */
static void
test_post_refusals(void **state)
{
	struct webhook_request rq = { .url = "ftp://127.0.0.1/x", .body = "{}",
	    .body_len = 2, .timeout = 5 };
	struct webhook_result res;

	(void)state;
	assert_int_equal(webhook_post(&rq, &res), -EINVAL);
	assert_true(res.permanent);
	assert_int_equal(res.http_status, 0);
	rq.url = "file:///etc/passwd";
	assert_int_equal(webhook_post(&rq, &res), -EINVAL);
	rq.url = "http://127.0.0.1:1/x";
	rq.bearer_token = "tok\r\nX-Injected: 1";
	assert_int_equal(webhook_post(&rq, &res), -EINVAL);
	assert_false(res.permanent);
	assert_null(strstr(res.error, "X-Injected"));
	rq.bearer_token = NULL;
	rq.dedup_key = "k\nX-Injected: 1";
	assert_int_equal(webhook_post(&rq, &res), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_and_fields),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_exact_output),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_status_classes),
		cmocka_unit_test(test_post_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
