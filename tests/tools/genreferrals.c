/* genreferrals.c - a deterministic record-level referral extract for make bench and the aggregate test. */
/*
 * usage: genreferrals ROWS CSV REGION_CONF [SEED]
 *
 * Writes ROWS referrals (semicolon-separated, UTF-8, about 120 bytes a
 * row) to CSV and the region they belong to (areas A01..A25, organisations
 * O1..O6, as a libconfig fragment for @include) to REGION_CONF. The same
 * arguments always give the same bytes: one xorshift generator seeded with
 * SEED (default 1), no clock, no locale.
 *
 * Columns: referral_id;received;area;org;unit;priority;status;assessed;
 * closed;referrer;diagnosis. Received days are spread over the 156 ISO
 * weeks from 2023-01-02 to 2025-12-28. About 70 % are accepted, 10 %
 * rejected and 20 % pending; 85 % have an assessed date 0..30 days after
 * receipt, 70 % a closed date 1..180 days after. One row in 20,000 names
 * the unknown area A99 (fragwatch rejects it; a plain typed table takes
 * it), and one in 1,000 has a referrer with the delimiter inside quotes.
 * Every row is valid for a typed table (dates, integers), so that psql
 * \copy loads the same file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractors/value.h"

#define NAREAS 25
#define NORGS 6

static const char *const units[] = {
	"Ortopedmottagning", "Hudmottagning", "Ögonmottagning",
	"Psykiatrisk öppenvård", "Barn- och ungdomsklinik", "Neurologen",
	"Lungmottagningen", "Infektionskliniken", "Smärtmottagningen",
	"Rehabiliteringsenheten", "Geriatriska kliniken", "Kirurgmottagning",
};
static const char *const referrers[] = {
	"Vårdcentralen Hässleholm", "Vårdcentralen Kungsbacka",
	"Närhälsan Lerum", "Närhälsan Öckerö", "Capio Lundby",
	"Akutmottagningen SU", "Företagshälsan Väst", "Skolhälsovården",
	"Privatläkare Dr Ström", "Vårdcentralen Åmål",
};
static const char *const diagnoses[] = {
	"M17.1", "L40.0", "H40.1", "F32.1", "F90.0", "G40.9", "J45.9",
	"A46.9", "R52.2", "Z50.1", "F03.9", "K40.9",
};
static const char *const sites[NORGS] = { "Sahlgrenska", "Borås",
	"Skövde", "Trollhättan", "Kungälv", "Alingsås" };
static const char *const statuses[] = { "accepted", "rejected", "pending" };

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t state;

/* xorshift64*: small, fast and the same everywhere. */
static uint64_t
next(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 2685821657736338717ULL;
}

/* A uniform integer in 0..n-1. */
static unsigned
pick(unsigned n)
{
	return (unsigned)((next() >> 32) % n);
}

static int
write_region(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fprintf(f, "# bench region, written by tests/tools/genreferrals\n"
	    "areas = (\n");
	for (int a = 1; a <= NAREAS; a++)
		fprintf(f, "  { code = \"A%02d\"; name = \"Benchområde %02d\"; "
		    "guarantee_days = %d; }%s\n", a, a, a == 2 ? 30 : 90,
		    a < NAREAS ? "," : "");
	fprintf(f, ");\norganisations = (\n");
	for (int o = 1; o <= NORGS; o++)
		fprintf(f, "  { code = \"O%d\"; name = \"Benchförvaltning %d\"; "
		    "}%s\n", o, o, o < NORGS ? "," : "");
	fprintf(f, ");\n");
	return fclose(f) == 0 ? 0 : -1;
}

int
main(int argc, char **argv)
{
	int32_t first = value_days_from_civil(2023, 1, 2);
	char recv[16], assessed[16], closed[16];
	unsigned long long rows;
	FILE *out;
	char *end;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: genreferrals ROWS CSV REGION_CONF "
		    "[SEED]\n");
		return 2;
	}
	rows = strtoull(argv[1], &end, 10);
	if (*end != '\0' || argv[1][0] == '-') {
		fprintf(stderr, "genreferrals: bad row count '%s'\n", argv[1]);
		return 2;
	}
	state = 0x9e3779b97f4a7c15ULL ^ (argc == 5 ? strtoull(argv[4], NULL,
	    10) : 1);
	if (write_region(argv[3]) < 0 || (out = fopen(argv[2], "w")) == NULL) {
		perror("genreferrals");
		return 1;
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	fputs("referral_id;received;area;org;unit;priority;status;assessed;"
	    "closed;referrer;diagnosis\n", out);
	for (unsigned long long i = 1; i <= rows; i++) {
		int32_t day = first + (int32_t)pick(156 * 7);
		unsigned area = 1 + pick(NAREAS), org = 1 + pick(NORGS);
		unsigned s = pick(10), u = pick(NELEM(units));
		const char *status = statuses[s < 7 ? 0 : s < 8 ? 1 : 2];
		const char *referrer = referrers[pick(NELEM(referrers))];
		bool quoted = pick(1000) == 0;

		if (pick(20000) == 0)
			area = 99;
		value_format_date(day, recv, sizeof(recv));
		assessed[0] = closed[0] = '\0';
		if (pick(100) < 85)
			value_format_date(day + (int32_t)pick(31), assessed,
			    sizeof(assessed));
		if (pick(100) < 70)
			value_format_date(day + 1 + (int32_t)pick(180), closed,
			    sizeof(closed));
		fprintf(out, "R%09llu;%s;A%02u;O%u;%s %s;%u;%s;%s;%s;%s%s%s;%s\n",
		    i, recv, area, org, units[u], sites[org - 1], 1 + pick(3),
		    status, assessed, closed, quoted ? "\"" : "", referrer,
		    quoted ? "; filial\"" : "", diagnoses[(u + pick(3)) %
		    NELEM(diagnoses)]);
	}
	if (fclose(out) != 0) {
		perror("genreferrals");
		return 1;
	}
	return 0;
}
