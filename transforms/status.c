/* status.c - traffic lights, grey rules and the area composite (DESIGN §5). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transforms/status.h"

/*
 * How boundaries are compared.
 *
 * A value is compared with a bound by a plain comparison of doubles, with
 * no epsilon: an epsilon would only move the boundary somewhere nobody
 * wrote it down. A value exactly on a threshold is in the band or not as
 * the operator says (0.80 is green under ">= 0.80"). A threshold and a
 * value read from the same decimal text are the same double, because
 * strtod rounds correctly. A value that is not finite (0/0, x/0) has no
 * meaning as a ratio and is grey, like a missing one.
 *
 * The composite score is the ratio of two small integers, sum(w * p) and
 * sum(w * 2), divided once, and the bands are compared with that score.
 * IEEE 754 division is correctly rounded and rounding is monotonic, so
 * the score stands to a band exactly as the true ratio stands to the
 * decimal the band was written as: a ratio of exactly 1/4 gives exactly
 * 0.25 (yellow, not green), 1/2 gives exactly 0.50 (red), and 3/10 equals
 * a band written "0.3" because both round to the same double. It could
 * only go wrong for a ratio that differs from the band by less than half
 * an ulp, which needs sums of weights in the trillions. Cross-multiplying
 * integers (4 * sum_wp >= sum_w2) would be exact too, but only for the
 * default bands; comparing the score itself works for any configured band
 * and keeps the status consistent with the score that is stored.
 */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *const op_names[] = {
	[STATUS_OP_LT] = "<",
	[STATUS_OP_LE] = "<=",
	[STATUS_OP_GT] = ">",
	[STATUS_OP_GE] = ">=",
};

static const char *const light_names[] = {
	[STATUS_GREY] = "grey",
	[STATUS_GREEN] = "green",
	[STATUS_YELLOW] = "yellow",
	[STATUS_RED] = "red",
};

static const char light_letters[] = "-GYR";

static const struct status_bands default_bands = { 0.25, 0.50 };

static bool
op_valid(enum status_op op)
{
	return (unsigned)op < NELEM(op_names);
}

/* True for "<" and "<=", the bounds that a value satisfies from below. */
static bool
op_is_upper(enum status_op op)
{
	return op == STATUS_OP_LT || op == STATUS_OP_LE;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *
skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * Length of a plain decimal numeral at s ("-0.05", "+5", ".5", "1e-3"),
 * or 0 if there is none. strtod alone would also take "inf", "nan", hex
 * and leading blanks, none of which belong in a threshold.
 */
static size_t
decimal_len(const char *s)
{
	const char *p = s, *e;
	size_t digits = 0;

	if (*p == '+' || *p == '-')
		p++;
	for (; is_digit(*p); p++)
		digits++;
	if (*p == '.')
		for (p++; is_digit(*p); p++)
			digits++;
	if (digits > 0 && (*p == 'e' || *p == 'E')) {
		e = p + 1;
		if (*e == '+' || *e == '-')
			e++;
		if (is_digit(*e)) {
			while (is_digit(*e))
				e++;
			p = e;
		}
	}
	return digits > 0 ? (size_t)(p - s) : 0;
}

/*
 * The number is read with strtod, which follows LC_NUMERIC; the daemon
 * never calls setlocale, so the decimal point is '.'. Under another
 * locale strtod would stop early and the text would be rejected, not
 * misread.
 */
int
status_bound_parse(const char *text, struct status_bound *out)
{
	enum status_op op;
	const char *p;
	char *end;
	size_t len;
	double v;
	int rc = -EINVAL;

	if (text == NULL)
		goto out;
	p = skip_blanks(text);
	if (p[0] == '<')
		op = p[1] == '=' ? STATUS_OP_LE : STATUS_OP_LT;
	else if (p[0] == '>')
		op = p[1] == '=' ? STATUS_OP_GE : STATUS_OP_GT;
	else
		goto out;
	p = skip_blanks(p + strlen(op_names[op]));
	if ((len = decimal_len(p)) == 0)
		goto out;
	errno = 0;
	v = strtod(p, &end);
	if (end != p + len || errno != 0 || !isfinite(v))
		goto out;
	if (*skip_blanks(end) != '\0')
		goto out;
	out->op = op;
	out->value = v;
	rc = 0;
out:
	return rc;
}

void
status_bound_format(const struct status_bound *b, char *buf, size_t size)
{
	char num[32];
	int prec = 0;

	/* The shortest form that reads back as the same double: "0.8", not
	 * "0.80000000000000004"; 17 digits always do. */
	do {
		prec++;
		snprintf(num, sizeof(num), "%.*g", prec, b->value);
	} while (prec < 17 && strtod(num, NULL) != b->value);
	snprintf(buf, size, "%s %s", op_valid(b->op) ? op_names[b->op] : "?",
	    num);
}

/*
 * Whether some value satisfies both x below 'upper' and x above 'lower'.
 * Bounds are treated as real numbers: "< 1" and "> 0.9999" overlap even
 * if no double happened to lie between them.
 */
static bool
bounds_overlap(const struct status_bound *upper,
    const struct status_bound *lower)
{
	return lower->value < upper->value ||
	    (lower->value == upper->value && upper->op == STATUS_OP_LE &&
	    lower->op == STATUS_OP_GE);
}

int
status_threshold_check(const struct status_threshold *t, const char **why)
{
	const struct status_bound *g = &t->green, *r = &t->red;
	const char *reason = NULL;
	int rc = 0;

	if (!op_valid(g->op) || !op_valid(r->op))
		reason = "unknown comparison operator";
	else if (!isfinite(g->value) || !isfinite(r->value))
		reason = "threshold is not a finite number";
	else if (t->higher_is_worse && (!op_is_upper(g->op) ||
	    op_is_upper(r->op)))
		reason = "higher is worse, so green must be < or <= and "
		    "red > or >=";
	else if (!t->higher_is_worse && (op_is_upper(g->op) ||
	    !op_is_upper(r->op)))
		reason = "lower is worse, so green must be > or >= and "
		    "red < or <=";
	else if (t->higher_is_worse ? bounds_overlap(g, r) :
	    bounds_overlap(r, g))
		reason = "green and red overlap, a value could be both";
	if (reason != NULL) {
		rc = -EINVAL;
		if (why != NULL)
			*why = reason;
	}
	return rc;
}

bool
status_bound_holds(const struct status_bound *b, double value)
{
	bool holds = false;

	switch (b->op) {
	case STATUS_OP_LT:
		holds = value < b->value;
		break;
	case STATUS_OP_LE:
		holds = value <= b->value;
		break;
	case STATUS_OP_GT:
		holds = value > b->value;
		break;
	case STATUS_OP_GE:
		holds = value >= b->value;
		break;
	}
	return holds;
}

/* Grey reasons are tested in order: no value, stale, too few cases. */
enum status_light
status_light(const struct status_threshold *t, bool have_value, double value,
    int64_t n, int64_t min_n, bool stale, enum status_why *why)
{
	enum status_light light = STATUS_GREY;
	enum status_why reason = STATUS_WHY_NONE;

	if (!have_value || !isfinite(value))
		reason = STATUS_WHY_MISSING;
	else if (stale)
		reason = STATUS_WHY_STALE;
	else if (min_n > 0 && n < min_n)
		reason = STATUS_WHY_FEW;
	else if (status_bound_holds(&t->green, value))
		light = STATUS_GREEN;
	else if (status_bound_holds(&t->red, value))
		light = STATUS_RED;
	else
		light = STATUS_YELLOW;
	if (why != NULL)
		*why = reason;
	return light;
}

/*
 * Inputs that are grey, not a valid light, or have a weight below 1 take
 * no part: not in the score, not in the override rules. bands == NULL
 * means the defaults, 0.25 and 0.50.
 */
enum status_light
status_composite(const struct status_input *inputs, size_t n,
    const struct status_bands *bands, double *score)
{
	enum status_light light = STATUS_GREY;
	int64_t sum_wp = 0, sum_w2 = 0;
	bool red_critical = false, red_queue = false, red_staffing = false;
	double s = NAN;

	if (bands == NULL)
		bands = &default_bands;
	for (size_t i = 0; i < n; i++) {
		const struct status_input *in = &inputs[i];
		/* Points: green 0, yellow 1, red 2. */
		int points = (int)in->light - STATUS_GREEN;

		if (points < 0 || points > 2 || in->weight < 1)
			continue;
		sum_wp += (int64_t)in->weight * points;
		sum_w2 += (int64_t)in->weight * 2;
		if (in->light == STATUS_RED) {
			if (in->critical)
				red_critical = true;
			if (in->family == STATUS_FAMILY_QUEUE)
				red_queue = true;
			if (in->family == STATUS_FAMILY_STAFFING)
				red_staffing = true;
		}
	}
	if (sum_w2 > 0) {
		s = (double)sum_wp / (double)sum_w2;
		if (s >= bands->red_from)
			light = STATUS_RED;
		else if (s >= bands->yellow_from)
			light = STATUS_YELLOW;
		else
			light = STATUS_GREEN;
		if (red_critical && light < STATUS_YELLOW)
			light = STATUS_YELLOW;
		if (red_queue && red_staffing)
			light = STATUS_RED;
	}
	if (score != NULL)
		*score = s;
	return light;
}

const char *
status_light_name(enum status_light light)
{
	return (unsigned)light < NELEM(light_names) ? light_names[light] :
	    "unknown";
}

char
status_light_letter(enum status_light light)
{
	return (unsigned)light < NELEM(light_names) ? light_letters[light] :
	    '?';
}

int
status_light_from_name(const char *name, enum status_light *out)
{
	int rc = -EINVAL;

	for (size_t i = 0; name != NULL && i < NELEM(light_names); i++) {
		if (strcmp(name, light_names[i]) == 0) {
			*out = (enum status_light)i;
			rc = 0;
			break;
		}
	}
	return rc;
}
