/* status.h - traffic lights per indicator and the composite area status (pure). */
#ifndef FRAGWATCH_STATUS_H
#define FRAGWATCH_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ordered so that a larger value is worse; GREY means unknown. */
enum status_light {
	STATUS_GREY = 0,
	STATUS_GREEN = 1,
	STATUS_YELLOW = 2,
	STATUS_RED = 3,
};

/* A comparison that a value must satisfy to be in a band. */
enum status_op {
	STATUS_OP_LT, /* <  */
	STATUS_OP_LE, /* <= */
	STATUS_OP_GT, /* >  */
	STATUS_OP_GE, /* >= */
};

struct status_bound {
	enum status_op op;
	double value;
};

/* Green and red bands of one indicator; between them is yellow. */
struct status_threshold {
	bool higher_is_worse;     /* the indicator's direction */
	struct status_bound green; /* e.g. ">= 0.80" */
	struct status_bound red;   /* e.g. "< 0.70" */
};

/* Why a light is grey, or STATUS_WHY_NONE. */
enum status_why {
	STATUS_WHY_NONE = 0,
	STATUS_WHY_MISSING, /* no value (input missing or denominator zero) */
	STATUS_WHY_STALE,   /* inputs older than the source's max_age */
	STATUS_WHY_FEW,     /* fewer than min_n cases in the denominator */
};

/* Parses a bound written as "<op> <number>", e.g. ">= 0.80", "<0.7",
 * "> -0.05". Returns 0 or -EINVAL. */
int status_bound_parse(const char *text, struct status_bound *out);

/* Writes a bound as text, e.g. ">= 0.8". */
void status_bound_format(const struct status_bound *b, char *buf, size_t size);

/* Checks that a threshold is consistent with its direction: for
 * higher_is_worse the green bound must be an upper bound (< or <=), the
 * red one a lower bound (> or >=), and green must not overlap red (no
 * value can be both green and red); mirrored for lower-is-worse.
 * Returns 0, or -EINVAL with a static reason in *why. */
int status_threshold_check(const struct status_threshold *t, const char **why);

/* True if value satisfies the bound. */
bool status_bound_holds(const struct status_bound *b, double value);

/* The light of one indicator value: GREY when !have_value, stale, or
 * (min_n > 0 and n < min_n) - with the reason in *why if why is non-NULL;
 * else GREEN if the green bound holds, RED if the red bound holds, else
 * YELLOW. Green is tested first. */
enum status_light status_light(const struct status_threshold *t,
    bool have_value, double value, int64_t n, int64_t min_n, bool stale,
    enum status_why *why);

/* Kinds of indicator, for the composite's override rules. */
enum status_family {
	STATUS_FAMILY_QUEUE,    /* Q1..Q3 */
	STATUS_FAMILY_REFERRAL, /* R1, R2 */
	STATUS_FAMILY_STAFFING, /* S1..S5 */
};

/* One indicator's contribution to an area's composite status. */
struct status_input {
	enum status_light light;
	int weight;            /* 2 for Q1, Q3, R1, S1, S2; 1 otherwise */
	enum status_family family;
	bool critical;         /* Q1, Q3, R1, S2: a red makes the area >= yellow */
};

/* Bands of the composite score (fractions of the maximum). */
struct status_bands {
	double yellow_from; /* default 0.25 */
	double red_from;    /* default 0.50 */
};

/* The composite (OPEL-style): points green 0, yellow 1, red 2; score =
 * sum(w * p) / sum(w * 2) over the non-grey inputs; GREEN below
 * yellow_from, YELLOW below red_from, else RED; any red critical input
 * makes it at least YELLOW; a red queue input together with a red
 * staffing input makes it RED. All inputs grey (or n == 0) gives GREY
 * and *score = NaN. *score is written always. */
enum status_light status_composite(const struct status_input *inputs,
    size_t n, const struct status_bands *bands, double *score);

/* "grey", "green", "yellow", "red". */
const char *status_light_name(enum status_light light);

/* One letter for plain output: '-', 'G', 'Y', 'R'. */
char status_light_letter(enum status_light light);

/* Light from its name; returns 0 or -EINVAL. */
int status_light_from_name(const char *name, enum status_light *out);

#endif
