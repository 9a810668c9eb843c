/* test_conf.c - unit tests of conf.c: defaults, every option read, every error with its file and line. */
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
#include <unistd.h>

#include "daemon/conf.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXLINES 32
#define MAXERRS 8

/* The temp dir holding the files of the test being run. */
static char dir[64];
static char conf_path[128];
static char inc_path[128];

/* Writes lines (up to a NULL), one per line, to path. */
static void
write_lines(const char *path, const char *const *lines)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < MAXLINES && lines[i] != NULL; i++)
		fprintf(f, "%s\n", lines[i]);
	assert_int_equal(fclose(f), 0);
}

static int
setup_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/fragwatch-conf.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(conf_path, sizeof(conf_path), "%s/fragwatch.conf", dir);
	snprintf(inc_path, sizeof(inc_path), "%s/areas.inc", dir);
	return 0;
}

static int
teardown_dir(void **state)
{
	unlink(conf_path);
	unlink(inc_path);
	return rmdir(dir);
}

static void
dump_errors(const struct conf_errors *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		print_message("  %s\n", errs->msgs[i]);
}

/* Every problem a file should produce: where and what. */
struct want {
	bool inc;          /* in areas.inc rather than fragwatch.conf */
	int line;
	const char *text;  /* a substring of the message after "file:line: " */
};

/*
 * True if msg is "FILE:LINE: ...TEXT...". An included file may be named as
 * the @include directive wrote it, relative to the config's directory.
 */
static bool
error_is(const char *msg, const char *file, int line, const char *text)
{
	const char *base = strrchr(file, '/') + 1;
	char tail[64];
	size_t n;

	snprintf(tail, sizeof(tail), ":%d: ", line);
	if (strncmp(msg, file, strlen(file)) == 0)
		n = strlen(file);
	else if (strcmp(file, inc_path) == 0 &&
	    strncmp(msg, base, strlen(base)) == 0)
		n = strlen(base);
	else
		return false;
	return strncmp(msg + n, tail, strlen(tail)) == 0 &&
	    strstr(msg + n + strlen(tail), text) != NULL;
}

/*
 * Loads fragwatch.conf (and areas.inc when inc is not NULL) and checks
 * that it fails with exactly the wanted errors, in any order.
 */
static void
check_errors(const char *name, const char *const *lines,
    const char *const *inc, const struct want *want)
{
	struct conf_errors errs = { NULL, 0 };
	bool used[MAXERRS] = { false };
	struct conf *c;
	size_t nwant = 0;

	write_lines(conf_path, lines);
	if (inc != NULL)
		write_lines(inc_path, inc);
	c = conf_load(conf_path, &errs);
	while (nwant < MAXERRS && want[nwant].text != NULL)
		nwant++;
	if (c != NULL || errs.n != nwant) {
		size_t n = errs.n;

		dump_errors(&errs);
		conf_free(c);
		conf_errors_clear(&errs);
		fail_msg("%s: %s, %zu errors, want %zu", name,
		    n == 0 ? "loaded" : "refused", n, nwant);
	}
	for (size_t w = 0; w < nwant; w++) {
		char prefix[256];
		size_t i;

		snprintf(prefix, sizeof(prefix), "%s:%d: ",
		    want[w].inc ? inc_path : conf_path, want[w].line);
		for (i = 0; i < errs.n; i++)
			if (!used[i] && error_is(errs.msgs[i], want[w].inc ?
			    inc_path : conf_path, want[w].line, want[w].text))
				break;
		if (i == errs.n) {
			dump_errors(&errs);
			conf_errors_clear(&errs);
			fail_msg("%s: no error '%s%s'", name, prefix,
			    want[w].text);
		}
		used[i] = true;
	}
	conf_errors_clear(&errs);
	assert_null(errs.msgs);
	assert_int_equal(errs.n, 0);
	unlink(inc_path);
}

/* A config that loads; the caller frees it. */
static struct conf *
load_ok(const char *const *lines, const char *const *inc)
{
	struct conf_errors errs = { NULL, 0 };
	struct conf *c;

	write_lines(conf_path, lines);
	if (inc != NULL)
		write_lines(inc_path, inc);
	c = conf_load(conf_path, &errs);
	if (c == NULL || errs.n != 0) {
		size_t n = errs.n;

		dump_errors(&errs);
		conf_errors_clear(&errs);
		conf_free(c);
		fail_msg("config refused with %zu errors", n);
	}
	unlink(inc_path);
	return c;
}

/* ---- valid configs ------------------------------------------------------ */

static void
test_minimal(void **state)
{
	static const char *const lines[] = {
		/* 1 */ "# a minimal config: everything else is a default",
		/* 2 */ "areas = (",
		/* 3 */ "	{ code = \"NEURO\"; name = \"Neurologi\"; "
		            "aliases = [\"NEU\", \"Neurology\"]; },",
		/* 4 */ "	{ code = \"ORTO\"; guarantee_days = 60; }",
		/* 5 */ ");",
		/* 6 */ "organisations = ( { code = \"SU\"; name = \"Sahlgrenska\"; },"
		            " { code = \"S\xc3\x84S\"; } );",
		/* 7 */ "sources = (",
		/* 8 */ "	{",
		/* 9 */ "		name = \"koer\";",
		/* 10 */ "		kind = \"queue\";",
		/* 11 */ "		url = \"file:///srv/koer.csv\";",
		/* 12 */ "		columns = { period = \"Period\"; area = \"Area\"; "
		             "org = \"Org\"; waiting_total = \"Waiting\"; "
		             "waiting_over_target = \"Over target\"; };",
		/* 13 */ "	}",
		/* 14 */ ");",
		NULL,
	};
	const struct kind *queue = kind_find("queue");
	const struct conf_source *s;
	struct conf *c = load_ok(lines, NULL);

	/* Database: the embedded cluster. */
	assert_null(c->conninfo);
	assert_null(c->password_file);
	assert_string_equal(c->state_dir, "/tmp/fragwatch-unit-state");
	assert_string_equal(c->timezone, "Europe/Stockholm");
	assert_string_equal(c->path, conf_path);

	/* Areas and organisations. */
	assert_int_equal(c->nareas, 2);
	assert_string_equal(c->areas[0].code, "NEURO");
	assert_string_equal(c->areas[0].name, "Neurologi");
	assert_int_equal(c->areas[0].naliases, 2);
	assert_string_equal(c->areas[0].aliases[0], "NEU");
	assert_string_equal(c->areas[0].aliases[1], "Neurology");
	assert_int_equal(c->areas[0].guarantee_days, 90); /* 0-3-90-90 */
	assert_string_equal(c->areas[1].code, "ORTO");
	assert_string_equal(c->areas[1].name, "ORTO");    /* name = code */
	assert_int_equal(c->areas[1].naliases, 0);
	assert_int_equal(c->areas[1].guarantee_days, 60);
	assert_int_equal(c->norgs, 2);
	assert_string_equal(c->orgs[0].name, "Sahlgrenska");
	assert_string_equal(c->orgs[1].code, "S\xc3\x84S");
	assert_string_equal(c->orgs[1].name, "S\xc3\x84S");

	/* The source and its format's defaults. */
	assert_int_equal(c->nsources, 1);
	s = conf_source_find(c, "koer");
	assert_ptr_equal(s, &c->sources[0]);
	assert_null(conf_source_find(c, "remiss"));
	assert_ptr_equal(s->kind, queue);
	assert_string_equal(s->url, "file:///srv/koer.csv");
	assert_int_equal(s->line, 8);
	assert_int_equal(s->period, VALUE_GRAIN_MONTH);
	assert_true(s->max_reject_share == 0.05);
	assert_true(s->max_age_days > 0);
	assert_true(s->max_body_bytes > 0 && s->max_record_bytes > 0);
	assert_true(s->max_columns > 0);
	assert_true(s->connect_timeout > 0 && s->timeout > 0);
	assert_string_equal(s->format.encoding, "UTF-8");
	assert_int_equal(s->format.delimiter, ',');
	assert_int_equal(s->format.quote, '"');
	assert_int_equal(s->format.skip_rows, 0);
	assert_int_equal(s->format.numfmt.decimal, '.');
	assert_int_equal(s->format.numfmt.thousands, 0);
	assert_false(s->format.numfmt.percent);
	assert_string_equal(s->format.date_format, "%Y-%m-%d");
	assert_int_equal(s->format.nnulls, 0);

	/* Columns by the kind's field index; unmapped fields are empty. */
	assert_int_equal(s->fields[KIND_FIELD_PERIOD].ncolumns, 1);
	assert_string_equal(s->fields[KIND_FIELD_PERIOD].columns[0], "Period");
	assert_string_equal(s->fields[kind_field_index(queue,
	    "waiting_over_target")].columns[0], "Over target");
	for (size_t i = 5; i < queue->nfields; i++) {
		assert_int_equal(s->fields[i].ncolumns, 0);
		assert_null(s->fields[i].constant);
	}
	conf_free(c);
	conf_free(NULL);
}

/* Every option given: each lands where it should. */
static void
test_every_option(void **state)
{
	static const char *const lines[] = {
		/* 1 */ "database = { conninfo = \"host=db user=fw dbname=fw\"; "
		        "password_file = \"/run/pw\"; state_dir = \"/srv/fw\"; "
		        "embedded_user = \"pg\"; statement_timeout = 30; };",
		/* 2 */ "region = { timezone = \"Europe/Oslo\"; };",
		/* 3 */ "areas = ( { code = \"NEURO\"; } );",
		/* 4 */ "organisations = ( { code = \"SU\"; aliases = \"SAHL\"; } );",
		/* 5 */ "sources = ( {",
		/* 6 */ "	name = \"bemanning_2\"; kind = \"staffing\"; "
		        "grain = \"aggregate\";",
		/* 7 */ "	url = \"https://example.org/s.csv\"; period = \"week\";",
		/* 8 */ "	max_age_days = 10; max_reject_share = 0.2; "
		        "max_body_bytes = 5000000000L;",
		/* 9 */ "	max_record_bytes = 4096; max_columns = 50; "
		        "connect_timeout = 5; timeout = 60;",
		/* 10 */ "	format = { encoding = \"WINDOWS-1252\"; delimiter = \"tab\"; "
		         "quote = \"'\"; skip_rows = 2;",
		/* 11 */ "		decimal = \",\"; thousands = \" \"; percent = true; "
		         "date_format = \"%Y %b\"; null = [\"..\", \"-\"]; };",
		/* 12 */ "	columns = { period = [\"Year\", \"Month\"]; area = \"Area\"; "
		         "fte_budget = \"Budget\"; fte_filled = \"Filled\"; };",
		/* 13 */ "	constants = { org = \"SU\"; };",
		/* 14 */ "} );",
		NULL,
	};
	const struct kind *staffing = kind_find("staffing");
	const struct conf_source *s;
	struct conf *c = load_ok(lines, NULL);

	assert_string_equal(c->conninfo, "host=db user=fw dbname=fw");
	assert_string_equal(c->password_file, "/run/pw");
	assert_string_equal(c->state_dir, "/srv/fw");
	assert_string_equal(c->embedded_user, "pg");
	assert_int_equal(c->statement_timeout, 30);
	assert_string_equal(c->timezone, "Europe/Oslo");
	assert_int_equal(c->orgs[0].naliases, 1);
	assert_string_equal(c->orgs[0].aliases[0], "SAHL");

	s = conf_source_find(c, "bemanning_2");
	assert_non_null(s);
	assert_ptr_equal(s->kind, staffing);
	assert_string_equal(s->url, "https://example.org/s.csv");
	assert_int_equal(s->period, VALUE_GRAIN_WEEK);
	assert_int_equal(s->max_age_days, 10);
	assert_true(s->max_reject_share == 0.2);
	assert_true(s->max_body_bytes == 5000000000LL);
	assert_int_equal(s->max_record_bytes, 4096);
	assert_int_equal(s->max_columns, 50);
	assert_int_equal(s->connect_timeout, 5);
	assert_int_equal(s->timeout, 60);
	assert_string_equal(s->format.encoding, "WINDOWS-1252");
	assert_int_equal(s->format.delimiter, '\t');
	assert_int_equal(s->format.quote, '\'');
	assert_int_equal(s->format.skip_rows, 2);
	assert_int_equal(s->format.numfmt.decimal, ',');
	assert_int_equal(s->format.numfmt.thousands, ' ');
	assert_true(s->format.numfmt.percent);
	assert_string_equal(s->format.date_format, "%Y %b");
	assert_int_equal(s->format.nnulls, 2);
	assert_string_equal(s->format.nulls[0], "..");
	assert_string_equal(s->format.nulls[1], "-");
	assert_int_equal(s->fields[KIND_FIELD_PERIOD].ncolumns, 2);
	assert_string_equal(s->fields[KIND_FIELD_PERIOD].columns[0], "Year");
	assert_string_equal(s->fields[KIND_FIELD_PERIOD].columns[1], "Month");
	assert_int_equal(s->fields[KIND_FIELD_ORG].ncolumns, 0);
	assert_string_equal(s->fields[KIND_FIELD_ORG].constant, "SU");
	assert_string_equal(s->fields[kind_field_index(staffing,
	    "fte_filled")].columns[0], "Filled");
	conf_free(c);
}

/* Areas read from an included file, relative to the config's directory. */
static void
test_include(void **state)
{
	static const char *const lines[] = {
		/* 1 */ "# areas come from their own file",
		/* 2 */ "@include \"areas.inc\"",
		/* 3 */ "organisations = ( { code = \"SU\"; } );",
		NULL,
	};
	static const char *const inc[] = {
		/* 1 */ "# areas.inc",
		/* 2 */ "areas = (",
		/* 3 */ "	{ code = \"NEURO\"; },",
		/* 4 */ "	{ code = \"ORTO\"; guarantee_days = 30; }",
		/* 5 */ ");",
		NULL,
	};
	struct conf *c = load_ok(lines, inc);

	assert_int_equal(c->nareas, 2);
	assert_string_equal(c->areas[1].code, "ORTO");
	assert_int_equal(c->areas[1].guarantee_days, 30);
	assert_int_equal(c->norgs, 1);
	conf_free(c);
}

/* ---- errors ------------------------------------------------------------- */

/* Two lines of valid areas and organisations. */
#define CODES \
	"areas = ( { code = \"NEURO\"; aliases = [\"NEU\"]; }, " \
	    "{ code = \"ORTO\"; } );", \
	"organisations = ( { code = \"SU\"; } );"
/* A queue source's required columns, on one line. */
#define COLUMNS \
	"columns = { period = \"P\"; area = \"A\"; org = \"O\"; " \
	    "waiting_total = \"W\"; waiting_over_target = \"T\"; };"

struct err_case {
	const char *name;
	const char *lines[MAXLINES];
	const char *inc[MAXLINES];  /* areas.inc, if lines[0] is set */
	struct want want[MAXERRS];
};

static const struct err_case err_cases[] = {
	{ "unknown key at the top level", {
		/* 1 */ CODES,
		/* 3 */ "colour = \"blue\";",
	  }, { NULL }, {
		{ false, 3, "unknown key 'colour' in the top level" },
	} },
	{ "unknown key in a source", {
		/* 1 */ CODES,
		/* 3 */ "sources = (",
		/* 4 */ "	{",
		/* 5 */ "		name = \"koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 6 */ "		max_rows = 5;",
		/* 7 */ "		" COLUMNS,
		/* 8 */ "	}",
		/* 9 */ ");",
	  }, { NULL }, {
		{ false, 6, "unknown key 'max_rows' in source" },
	} },
	{ "unknown key in format", {
		/* 1 */ CODES,
		/* 3 */ "sources = ( {",
		/* 4 */ "	name = \"koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 5 */ "	format = {",
		/* 6 */ "		decimal = \",\";",
		/* 7 */ "		delimitr = \";\";",
		/* 8 */ "	};",
		/* 9 */ "	" COLUMNS,
		/* 10 */ "} );",
	  }, { NULL }, {
		{ false, 7, "unknown key 'delimitr' in format" },
	} },
	{ "unknown keys in database, region, areas and organisations", {
		/* 1 */ "database = {",
		/* 2 */ "	pool = 4;",
		/* 3 */ "};",
		/* 4 */ "region = { tz = \"UTC\"; };",
		/* 5 */ "areas = ( { code = \"NEURO\";",
		/* 6 */ "	colour = \"red\"; } );",
		/* 7 */ "organisations = ( { code = \"SU\"; guarantee_days = 3; } );",
	  }, { NULL }, {
		{ false, 2, "unknown key 'pool' in database" },
		{ false, 4, "unknown key 'tz' in region" },
		{ false, 6, "unknown key 'colour' in areas" },
		{ false, 7, "unknown key 'guarantee_days' in organisations" },
	} },
	{ "several errors, all reported", {
		/* 1 */ CODES,
		/* 3 */ "colour = 1;",
		/* 4 */ "sources = (",
		/* 5 */ "	{",
		/* 6 */ "		name = \"koer\"; kind = \"queue\";",
		/* 7 */ "		url = \"ftp://srv/koer.csv\";",
		/* 8 */ "		max_rows = 5;",
		/* 9 */ "		max_age_days = \"ten\";",
		/* 10 */ "		" COLUMNS,
		/* 11 */ "	},",
		/* 12 */ "	{",
		/* 13 */ "		name = \"remiss\"; url = \"file:///r\";",
		/* 14 */ "		kind = \"referals\";",
		/* 15 */ "	}",
		/* 16 */ ");",
	  }, { NULL }, {
		{ false, 3, "unknown key 'colour' in the top level" },
		{ false, 7, "url 'ftp://srv/koer.csv' must start with http://" },
		{ false, 8, "unknown key 'max_rows' in source" },
		{ false, 9, "'max_age_days' must be a whole number" },
		{ false, 14, "unknown kind 'referals' (queue, referral, "
		    "staffing)" },
	} },
	{ "syntax error", {
		/* 1 */ CODES,
		/* 3 */ "database = {",
		/* 4 */ "	conninfo = \"host=db\";",
		/* 5 */ "	statement_timeout = = 60;",
		/* 6 */ "};",
	  }, { NULL }, {
		{ false, 5, "syntax error" },
	} },
	{ "queue without waiting_over_target", {
		/* 1 */ CODES,
		/* 3 */ "sources = (",
		/* 4 */ "	{",
		/* 5 */ "		name = \"koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 6 */ "		columns = { period = \"P\"; area = \"A\"; org = \"O\";",
		/* 7 */ "			waiting_total = \"W\"; };",
		/* 8 */ "	}",
		/* 9 */ ");",
	  }, { NULL }, {
		{ false, 4, "required field 'waiting_over_target' of kind "
		    "'queue' is not mapped" },
	} },
	{ "unknown field in columns", {
		/* 1 */ CODES,
		/* 3 */ "sources = ( { name = \"koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 4 */ "	" COLUMNS,
		/* 5 */ "	constants = { received = \"1\"; }; } );",
	  }, { NULL }, {
		{ false, 5, "unknown field 'received' for kind 'queue'" },
	} },
	{ "duplicate source names", {
		/* 1 */ CODES,
		/* 3 */ "sources = (",
		/* 4 */ "	{ name = \"koer\"; kind = \"queue\"; url = \"file:///a\"; "
		        COLUMNS " },",
		/* 5 */ "	{ name = \"koer\"; kind = \"queue\"; url = \"file:///b\"; "
		        COLUMNS " }",
		/* 6 */ ");",
	  }, { NULL }, {
		{ false, 5, "source 'koer' is defined twice" },
	} },
	{ "duplicate codes and aliases", {
		/* 1 */ "areas = (",
		/* 2 */ "	{ code = \"NEURO\"; aliases = [\"NEU\"]; },",
		/* 3 */ "	{ code = \"ORTO\"; aliases = [\"NEU\"]; },",
		/* 4 */ "	{ code = \"NEURO\"; }",
		/* 5 */ ");",
		/* 6 */ "organisations = ( { code = \"SU\"; aliases = [\"SAHL\"]; },",
		/* 7 */ "	{ code = \"SAHL\"; } );",
	  }, { NULL }, {
		{ false, 3, "area code or alias 'NEU' is used twice" },
		{ false, 4, "area code or alias 'NEURO' is used twice" },
		{ false, 7, "organisation code or alias 'SAHL' is used twice" },
	} },
	{ "password in conninfo", {
		/* 1 */ CODES,
		/* 3 */ "database = { conninfo = \"host=db password=secret\"; };",
	  }, { NULL }, {
		{ false, 3, "no password in 'conninfo'" },
	} },
	{ "decimal and thousands equal", {
		/* 1 */ CODES,
		/* 3 */ "sources = ( { name = \"koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 4 */ "	format = { decimal = \",\";",
		/* 5 */ "		thousands = \",\"; };",
		/* 6 */ "	" COLUMNS " },",
		/* 7 */ "	{ name = \"remiss\"; kind = \"referral\"; url = \"file:///b\";",
		/* 8 */ "	format = {",
		/* 9 */ "		thousands = \".\"; };",
		/* 10 */ "	columns = { period = \"P\"; area = \"A\"; org = \"O\"; "
		         "received = \"R\"; }; } );",
	  }, { NULL }, {
		{ false, 5, "'thousands' and 'decimal' must differ" },
		{ false, 9, "'thousands' and 'decimal' must differ" },
	} },
	{ "bad values", {
		/* 1 */ CODES,
		/* 3 */ "sources = ( { name = \"Koer\"; kind = \"queue\"; url = \"file:///a\";",
		/* 4 */ "	max_reject_share = 1.5;",
		/* 5 */ "	period = \"fortnight\";",
		/* 6 */ "	format = { encoding = \"UTF-16\"; delimiter = \";;\"; "
		        "decimal = \"x\"; };",
		/* 7 */ "	" COLUMNS " } );",
	  }, { NULL }, {
		{ false, 3, "source name 'Koer' must be" },
		{ false, 4, "'max_reject_share' must be between 0 and 1" },
		{ false, 5, "unknown period 'fortnight'" },
		{ false, 6, "unknown encoding 'UTF-16'" },
		{ false, 6, "'delimiter' must be one ASCII character" },
		{ false, 6, "'decimal' must be \".\" or \",\"" },
	} },
	{ "no areas, no organisations", {
		/* 1 */ "region = { timezone = \"UTC\"; };",
	  }, { NULL }, {
		{ false, 0, "no 'areas' defined" },
		{ false, 0, "no 'organisations' defined" },
	} },
	{ "an error inside an included file", {
		/* 1 */ "# areas come from their own file",
		/* 2 */ "@include \"areas.inc\"",
		/* 3 */ "organisations = ( { code = \"SU\"; } );",
		/* 4 */ "colour = 1;",
	  }, {
		/* 1 */ "# areas.inc",
		/* 2 */ "areas = (",
		/* 3 */ "	{ code = \"NEURO\"; },",
		/* 4 */ "	{ code = \"ORTO\"; colour = \"red\"; }",
		/* 5 */ ");",
	  }, {
		{ true, 4, "unknown key 'colour' in areas" },
		{ false, 4, "unknown key 'colour' in the top level" },
	} },
	{ "a syntax error inside an included file", {
		/* 1 */ "# areas come from their own file",
		/* 2 */ "@include \"areas.inc\"",
		/* 3 */ "organisations = ( { code = \"SU\"; } );",
	  }, {
		/* 1 */ "# areas.inc",
		/* 2 */ "areas = (",
		/* 3 */ "	{ code = \"NEURO\"; },",
		/* 4 */ "	{ code = = \"ORTO\"; }",
		/* 5 */ ");",
	  }, {
		{ true, 4, "syntax error" },
	} },
};

static void
test_errors(void **state)
{
	for (size_t i = 0; i < NELEM(err_cases); i++) {
		const struct err_case *tc = &err_cases[i];

		check_errors(tc->name, tc->lines, tc->inc[0] ? tc->inc : NULL,
		    tc->want);
	}
}

/* A file that cannot be read is one error naming it. */
static void
test_missing_file(void **state)
{
	struct conf_errors errs = { NULL, 0 };
	char path[160];

	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_null(conf_load(path, &errs));
	assert_int_equal(errs.n, 1);
	assert_true(strncmp(errs.msgs[0], path, strlen(path)) == 0);
	assert_non_null(strstr(errs.msgs[0], "cannot read"));
	conf_errors_clear(&errs);
}

/*
 * Codes are matched in extracts without case and surrounding blanks
 * (codemap), so codes that differ only so are the same code and must
 * clash here too, as must a password in a URI conninfo.
 */
static const struct err_case strict_cases[] = {
	{ "codes equal but for case and blanks", {
		/* 1 */ "areas = (",
		/* 2 */ "	{ code = \"NEURO\"; },",
		/* 3 */ "	{ code = \"ORTO\"; aliases = [\"neuro\"]; }",
		/* 4 */ ");",
		/* 5 */ "organisations = ( { code = \"SU\"; },",
		/* 6 */ "	{ code = \" SU \"; } );",
	  }, { NULL }, {
		{ false, 3, "area code or alias 'neuro' is used twice" },
		{ false, 6, "is used twice" },
	} },
	{ "password in a URI conninfo", {
		/* 1 */ CODES,
		/* 3 */ "database = { conninfo = "
		        "\"postgresql://fw:secret@db/fragwatch\"; };",
	  }, { NULL }, {
		{ false, 3, "no password in 'conninfo'" },
	} },
};

static void
test_codes_clash_without_case(void **state)
{
	check_errors(strict_cases[0].name, strict_cases[0].lines, NULL,
	    strict_cases[0].want);
}

static void
test_password_in_uri(void **state)
{
	check_errors(strict_cases[1].name, strict_cases[1].lines, NULL,
	    strict_cases[1].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_codes_clash_without_case),
		cmocka_unit_test(test_password_in_uri),
	};

	/* The default state directory must not depend on where we run. */
	setenv("FRAGWATCH_STATE_DIR", "/tmp/fragwatch-unit-state", 1);
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
