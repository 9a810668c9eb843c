/* test_alerts.c - unit tests of the alerts' pure rules: no floods (alerts_rule), redaction, quiet hours, silence durations and dates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "daemon/alerts.h"
#include "daemon/sender.h"
#include "daemon/silence.h"

#define DAY 86400.0
#define REPEAT (28 * DAY)

static enum alerts_notice
rule(int notices, const char *then, double ptr_then, double age,
    const char *now, double ptr_now)
{
	struct alerts_seen s = { notices, then, ptr_then, age, false };

	return alerts_rule(&s, now, ptr_now, REPEAT);
}

static void
test_first_notice_at_once(void **state)
{
	(void)state;
	assert_int_equal(rule(0, NULL, NAN, 0, "green", 6), ALERTS_RAISE);
	assert_int_equal(rule(0, NULL, NAN, 0, NULL, NAN), ALERTS_RAISE);
}

static void
test_quiet_until_repeat_interval(void **state)
{
	(void)state;
	/* Same light, same projection: nothing for 28 days, then a repeat. */
	assert_int_equal(rule(1, "yellow", 6, 0, "yellow", 6), ALERTS_NONE);
	assert_int_equal(rule(1, "yellow", 6, 27 * DAY, "yellow", 6),
	    ALERTS_NONE);
	assert_int_equal(rule(1, "yellow", 6, REPEAT - 1, "yellow", 6),
	    ALERTS_NONE);
	assert_int_equal(rule(1, "yellow", 6, REPEAT, "yellow", 6),
	    ALERTS_REPEAT);
	assert_int_equal(rule(3, "red", NAN, 40 * DAY, "red", NAN),
	    ALERTS_REPEAT);
	/* Better is not worse. */
	assert_int_equal(rule(1, "yellow", 6, DAY, "green", 9), ALERTS_NONE);
}

static void
test_worse_light_at_once(void **state)
{
	(void)state;
	assert_int_equal(rule(1, "green", 8, DAY, "yellow", 8), ALERTS_WORSE);
	assert_int_equal(rule(1, "yellow", NAN, DAY, "red", NAN), ALERTS_WORSE);
	assert_int_equal(rule(1, "green", NAN, DAY, "red", NAN), ALERTS_WORSE);
	/* An unknown light then (grey, none) is not a basis for "worse". */
	assert_int_equal(rule(1, "grey", NAN, DAY, "yellow", NAN), ALERTS_NONE);
	assert_int_equal(rule(1, NULL, NAN, DAY, "red", NAN), ALERTS_NONE);
}

static void
test_time_to_red_halving(void **state)
{
	(void)state;
	/* 8 periods then: 4 is half (worse), 5 is not. */
	assert_int_equal(rule(1, "yellow", 8, DAY, "yellow", 4), ALERTS_WORSE);
	assert_int_equal(rule(1, "yellow", 8, DAY, "yellow", 5), ALERTS_NONE);
	/* Whole periods: 7.2 is 8 periods, 3.6 is 4: half. 7.2 -> 4.1 is 5. */
	assert_int_equal(rule(1, "yellow", 7.2, DAY, "yellow", 3.6),
	    ALERTS_WORSE);
	assert_int_equal(rule(1, "yellow", 7.2, DAY, "yellow", 4.1),
	    ALERTS_NONE);
	/* Within one period then and now: ceil 1 vs 1/2: not again. */
	assert_int_equal(rule(2, "yellow", 0.8, DAY, "yellow", 0.3),
	    ALERTS_NONE);
	/* A projection that appears or disappears is not a halving. */
	assert_int_equal(rule(1, "yellow", NAN, DAY, "yellow", 2), ALERTS_NONE);
	assert_int_equal(rule(1, "yellow", 2, DAY, "yellow", NAN), ALERTS_NONE);
}

static void
test_nothing_while_waiting(void **state)
{
	struct alerts_seen s = { 1, "green", 8, 40 * DAY, true };

	(void)state;
	/* Worse and past the repeat interval, but the notice waits. */
	assert_int_equal(alerts_rule(&s, "red", 2, REPEAT), ALERTS_NONE);
	s.waiting = false;
	assert_int_equal(alerts_rule(&s, "red", 2, REPEAT), ALERTS_WORSE);
	/* Never notified: the first notice, waiting or not. */
	s.notices = 0;
	s.waiting = true;
	assert_int_equal(alerts_rule(&s, "red", 2, REPEAT), ALERTS_RAISE);
}

static void
test_redact(void **state)
{
	char buf[128];

	(void)state;
	alerts_redact("webhook", "https://chat.example/hooks/T0K3N?x=1", buf,
	    sizeof(buf));
	assert_string_equal(buf, "https://chat.example/...");
	alerts_redact("webhook", "http://127.0.0.1:8080?token=abc", buf,
	    sizeof(buf));
	assert_string_equal(buf, "http://127.0.0.1:8080/...");
	alerts_redact("email", "Åsa <asa@example.internal>", buf, sizeof(buf));
	assert_string_equal(buf, "Åsa <asa@example.internal>");
	alerts_redact("webhook", "not a url", buf, sizeof(buf));
	assert_string_equal(buf, "not a url");
	alerts_redact("webhook", "https://h/a", buf, 8);
	assert_string_equal(buf, "https:/");
}

static void
test_quiet_hours(void **state)
{
	(void)state;
	/* 22:00-07:00 wraps midnight: 1320..1439 and 0..419. */
	assert_true(sender_quiet(22 * 60, 22 * 60, 7 * 60));
	assert_true(sender_quiet(23 * 60 + 59, 22 * 60, 7 * 60));
	assert_true(sender_quiet(0, 22 * 60, 7 * 60));
	assert_true(sender_quiet(6 * 60 + 59, 22 * 60, 7 * 60));
	assert_false(sender_quiet(7 * 60, 22 * 60, 7 * 60));
	assert_false(sender_quiet(12 * 60, 22 * 60, 7 * 60));
	assert_false(sender_quiet(21 * 60 + 59, 22 * 60, 7 * 60));
	/* 12:00-13:30 does not wrap. */
	assert_true(sender_quiet(12 * 60, 12 * 60, 13 * 60 + 30));
	assert_true(sender_quiet(13 * 60 + 29, 12 * 60, 13 * 60 + 30));
	assert_false(sender_quiet(13 * 60 + 30, 12 * 60, 13 * 60 + 30));
	assert_false(sender_quiet(11 * 60 + 59, 12 * 60, 13 * 60 + 30));
	/* None configured. */
	assert_false(sender_quiet(0, -1, -1));
	assert_false(sender_quiet(600, 600, 600));
}

static void
test_durations(void **state)
{
	long s = -1;

	(void)state;
	assert_int_equal(silence_parse_duration("90m", &s), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(silence_parse_duration("12h", &s), 0);
	assert_int_equal(s, 43200);
	assert_int_equal(silence_parse_duration("7d", &s), 0);
	assert_int_equal(s, 604800);
	assert_int_equal(silence_parse_duration("2w", &s), 0);
	assert_int_equal(s, 1209600);
	assert_int_equal(silence_parse_duration("366d", &s), 0);
	assert_int_equal(s, 366L * 86400);
	s = -1;
	assert_int_equal(silence_parse_duration("367d", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("0d", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("-1d", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("7", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("7dd", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("7y", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("d", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("", &s), -EINVAL);
	assert_int_equal(silence_parse_duration(" 7d", &s), -EINVAL);
	assert_int_equal(silence_parse_duration("99999999999999999999d", &s),
	    -EINVAL);
	assert_int_equal(s, -1);
}

static void
test_until(void **state)
{
	(void)state;
	assert_int_equal(silence_check_until("2026-03-01"), 0);
	assert_int_equal(silence_check_until("2024-02-29"), 0);
	assert_int_equal(silence_check_until("2026-03-01 07:30"), 0);
	assert_int_equal(silence_check_until("2026-03-01 23:59"), 0);
	assert_int_equal(silence_check_until("2023-02-29"), -EINVAL);
	assert_int_equal(silence_check_until("2026-13-01"), -EINVAL);
	assert_int_equal(silence_check_until("2026-03-01 24:00"), -EINVAL);
	assert_int_equal(silence_check_until("2026-03-01 7:30"), -EINVAL);
	assert_int_equal(silence_check_until("2026-03-01T07:30"), -EINVAL);
	assert_int_equal(silence_check_until("2026-03-01 07:30:00"), -EINVAL);
	assert_int_equal(silence_check_until("2026-03-01 07:3x"), -EINVAL);
	assert_int_equal(silence_check_until("tomorrow"), -EINVAL);
	assert_int_equal(silence_check_until(""), -EINVAL);
	assert_int_equal(silence_check_until(NULL), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_notice_at_once),
		cmocka_unit_test(test_quiet_until_repeat_interval),
		cmocka_unit_test(test_worse_light_at_once),
		cmocka_unit_test(test_time_to_red_halving),
		cmocka_unit_test(test_nothing_while_waiting),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_quiet_hours),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_until),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
