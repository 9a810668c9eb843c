/* catalog.c - the indicator catalogue of DESIGN.md §5, with its default thresholds. */
#include <string.h>

#include "transforms/catalog.h"

const struct catalog_entry catalog[CATALOG_COUNT] = {
	{ "Q1", "share waiting within the guarantee limit", "queue",
	  STATUS_FAMILY_QUEUE, false, 2, true, true, true, ">= 0.80", "< 0.70" },
	{ "Q2", "queue growth over 3 periods", "queue",
	  STATUS_FAMILY_QUEUE, true, 1, false, true, true, "<= 0", "> 0.10" },
	{ "Q3", "waiting pressure (2 x mean wait / limit)", "queue",
	  STATUS_FAMILY_QUEUE, true, 2, true, true, false, "< 0.8", ">= 1.0" },
	{ "R1", "load (referrals received / completed)", "referral",
	  STATUS_FAMILY_REFERRAL, true, 2, true, true, false, "< 0.95", "> 1.05" },
	{ "R2", "demand change vs last year", "referral",
	  STATUS_FAMILY_REFERRAL, true, 1, false, true, true, "<= 0.05", "> 0.15" },
	{ "S1", "staffing filled vs budget", "staffing",
	  STATUS_FAMILY_STAFFING, false, 2, false, false, true, ">= 0.95", "< 0.85" },
	{ "S2", "key-competence depth (key roles)", "staffing",
	  STATUS_FAMILY_STAFFING, false, 2, true, false, false, ">= 3", "<= 1" },
	{ "S3", "hired-staff dependence", "staffing",
	  STATUS_FAMILY_STAFFING, true, 1, false, false, true, "< 0.02", "> 0.05" },
	{ "S4", "sick leave (3 months)", "staffing",
	  STATUS_FAMILY_STAFFING, true, 1, false, false, true, "< 0.05", "> 0.07" },
	{ "S5", "turnover (12 months)", "staffing",
	  STATUS_FAMILY_STAFFING, true, 1, false, false, true, "< 0.10", "> 0.15" },
};

int
catalog_find(const char *code)
{
	for (int i = 0; i < CATALOG_COUNT; i++)
		if (strcmp(catalog[i].code, code) == 0)
			return i;
	return -1;
}

void
catalog_default_threshold(int i, struct status_threshold *out)
{
	out->higher_is_worse = catalog[i].higher_is_worse;
	status_bound_parse(catalog[i].green, &out->green);
	status_bound_parse(catalog[i].red, &out->red);
}
