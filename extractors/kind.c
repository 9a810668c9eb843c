/* kind.c - the table of extract kinds and their canonical fields (DESIGN.md §4). */
#include <string.h>

#include "extractors/kind.h"

static const struct kind_field queue_fields[] = {
	{ "period", KIND_PERIOD, true },
	{ "area", KIND_CODE, true },
	{ "org", KIND_CODE, true },
	{ "waiting_total", KIND_COUNT, true },
	{ "waiting_over_target", KIND_COUNT, true },
	{ "mean_wait_days", KIND_NUMBER, false },
	{ "median_wait_days", KIND_NUMBER, false },
	{ "p90_wait_days", KIND_NUMBER, false },
	{ "removed", KIND_COUNT, false },
};

static const struct kind_field referral_fields[] = {
	{ "period", KIND_PERIOD, true },
	{ "area", KIND_CODE, true },
	{ "org", KIND_CODE, true },
	{ "received", KIND_COUNT, true },
	{ "accepted", KIND_COUNT, false },
	{ "rejected", KIND_COUNT, false },
	{ "completed", KIND_COUNT, false },
	{ "triage_median_days", KIND_NUMBER, false },
};

static const struct kind_field staffing_fields[] = {
	{ "period", KIND_PERIOD, true },
	{ "area", KIND_CODE, true },
	{ "org", KIND_CODE, true },
	{ "fte_budget", KIND_NUMBER, true },
	{ "fte_filled", KIND_NUMBER, true },
	{ "hired_fte", KIND_NUMBER, false },
	{ "hired_cost_share", KIND_SHARE, false },
	{ "sick_leave_rate", KIND_SHARE, false },
	{ "leavers", KIND_COUNT, false },
	{ "headcount", KIND_COUNT, false },
	{ "key_role_count", KIND_COUNT, false },
};

/* Record grain: one waiting patient on a snapshot day. */
static const struct kind_field queue_record_fields[] = {
	{ "snapshot", KIND_DATE, true },
	{ "area", KIND_CODE, true },
	{ "org", KIND_CODE, true },
	{ "waiting_since", KIND_DATE, true },
	{ "priority", KIND_TEXT, false },
};

/* Record grain: one referral; status is accepted, rejected or pending. */
static const struct kind_field referral_record_fields[] = {
	{ "received", KIND_DATE, true },
	{ "area", KIND_CODE, true },
	{ "org", KIND_CODE, true },
	{ "status", KIND_TEXT, false },
	{ "assessed", KIND_DATE, false },
	{ "closed", KIND_DATE, false },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct kind kinds[] = {
	{ "queue", "queue_facts", false, queue_fields, NELEM(queue_fields) },
	{ "referral", "referral_facts", false, referral_fields,
	  NELEM(referral_fields) },
	{ "staffing", "staffing_facts", false, staffing_fields,
	  NELEM(staffing_fields) },
};

static const struct kind record_kinds[] = {
	{ "queue", "queue_records", true, queue_record_fields,
	  NELEM(queue_record_fields) },
	{ "referral", "referral_records", true, referral_record_fields,
	  NELEM(referral_record_fields) },
};

const struct kind *
kind_find_record(const char *name)
{
	for (size_t i = 0; i < NELEM(record_kinds); i++)
		if (strcmp(record_kinds[i].name, name) == 0)
			return &record_kinds[i];
	return NULL;
}

const struct kind *
kind_find(const char *name)
{
	for (size_t i = 0; i < NELEM(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int
kind_field_index(const struct kind *k, const char *field)
{
	for (size_t i = 0; i < k->nfields; i++)
		if (strcmp(k->fields[i].name, field) == 0)
			return (int)i;
	return -1;
}

const char *
kind_names(void)
{
	return "queue, referral, staffing";
}

const char *const kind_statuses[KIND_NSTATUSES] = { "accepted", "rejected",
	"pending" };

int
kind_date_order(const struct kind_field *f)
{
	if (strcmp(f->name, "waiting_since") == 0)
		return -1;
	if (strcmp(f->name, "assessed") == 0 || strcmp(f->name, "closed") == 0)
		return 1;
	return 0;
}
