/* test_html.c - unit tests of html.c: escaping, UTF-8 passthrough, buffering, write errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/html.h"

/* Runs fn on a writer over a memory stream; returns what it wrote. */
static char *
capture(void (*fn)(struct html *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct html *h;

	assert_non_null(f);
	h = html_new(f);
	assert_non_null(h);
	fn(h);
	assert_int_equal(html_close(h), 0);
	fclose(f);
	return buf;
}

static void
write_specials(struct html *h)
{
	html_text(h, "a<b>c&d\"e'f");
}

static void
test_escapes_the_five(void **state)
{
	char *out = capture(write_specials);

	(void)state;
	assert_string_equal(out, "a&lt;b&gt;c&amp;d&quot;e&#39;f");
	free(out);
}

static void
write_swedish(struct html *h)
{
	html_text(h, "Södra Älvsborgs Sjukhus, Ögonsjukvård – “citat” €");
}

static void
test_utf8_passes_through(void **state)
{
	char *out = capture(write_swedish);

	(void)state;
	assert_string_equal(out,
	    "Södra Älvsborgs Sjukhus, Ögonsjukvård – “citat” €");
	free(out);
}

static void
write_mixed(struct html *h)
{
	html_raw(h, "<td");
	html_attr(h, "title", "<script>alert(1)</script> & co");
	html_attr(h, "data-x", NULL);        /* nothing */
	html_raw(h, ">");
	html_text(h, NULL);                  /* nothing */
	html_textf(h, "%s: %d", "Q&A", 3);
	html_rawf(h, "<b>%.1f</b>", 0.25);
	html_raw(h, "</td>");
}

static void
test_raw_attr_and_formats(void **state)
{
	char *out = capture(write_mixed);

	(void)state;
	assert_string_equal(out, "<td title=\"&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; co\">Q&amp;A: 3<b>0.2</b></td>");
	free(out);
}

/* More than the writer's buffer, and a formatted text longer than the
 * formatter's stack buffer: nothing lost, each & escaped. */
static void
write_long(struct html *h)
{
	static char s[30001];

	for (int i = 0; i < 30000; i++)
		s[i] = i % 100 == 99 ? '&' : 'x';
	s[30000] = '\0';
	html_text(h, s);
	html_textf(h, "[%s]", s + 29000);
}

static void
test_long_text_is_whole(void **state)
{
	char *out = capture(write_long);
	size_t amps = 0, xs = 0;

	(void)state;
	for (char *p = out; (p = strstr(p, "&amp;")) != NULL; p += 5)
		amps++;
	for (char *p = out; *p != '\0'; p++)
		xs += *p == 'x';
	/* 300 + 10 ampersands; 29700 + 990 x's. */
	assert_int_equal(amps, 310);
	assert_int_equal(xs, 29700 + 990);
	assert_int_equal(strlen(out), 30000 + 1000 + 2 + 310 * 4);
	free(out);
}

static void
test_escape_into_buffer(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(html_escape("a&b", buf, sizeof(buf)), 7);
	assert_string_equal(buf, "a&amp;b");
	/* "a&amp;" needs 6 + NUL: with 6 bytes the entity does not fit, so it
	 * is left out whole. */
	assert_int_equal(html_escape("a&b", buf, 6), 7);
	assert_string_equal(buf, "a");
	/* "å" is 2 bytes: never cut in half. */
	assert_int_equal(html_escape("xå", buf, 3), 3);
	assert_string_equal(buf, "x");
	assert_int_equal(html_escape("xå", buf, 4), 3);
	assert_string_equal(buf, "xå");
	assert_int_equal(html_escape("", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void
test_write_error_is_reported(void **state)
{
	FILE *f = fopen("/dev/full", "w");
	struct html *h;

	(void)state;
	if (f == NULL)
		skip();
	setvbuf(f, NULL, _IONBF, 0);
	h = html_new(f);
	assert_non_null(h);
	for (int i = 0; i < 2000; i++)
		html_text(h, "0123456789");
	assert_int_equal(html_close(h), -ENOSPC);
	fclose(f);
	assert_int_equal(html_close(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_the_five),
		cmocka_unit_test(test_utf8_passes_through),
		cmocka_unit_test(test_raw_attr_and_formats),
		cmocka_unit_test(test_long_text_is_whole),
		cmocka_unit_test(test_escape_into_buffer),
		cmocka_unit_test(test_write_error_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
