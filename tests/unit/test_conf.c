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

/* ---- the service's groups: daemon, early_warning, alerts, report -------- */

/* A queue source on one line, for configs that need a source. */
#define SOURCE(name, url) \
	"{ name = \"" name "\"; kind = \"queue\"; url = \"" url "\"; " COLUMNS

/* Absent groups give the documented defaults (DESIGN.md §6, §9). */
static void
test_service_defaults(void **state)
{
	static const char *const lines[] = {
		/* 1 */ CODES,
		/* 3 */ "sources = ( " SOURCE("koer", "file:///a") " } );",
		NULL,
	};
	struct conf *c = load_ok(lines, NULL);
	const struct warning_params *p = &c->early_warning.params;

	assert_int_equal(c->daemon.run_timeout, 1800);
	assert_int_equal(c->daemon.late_after, 3600);
	assert_true(c->daemon.retry_base == 60);
	assert_true(c->daemon.retry_cap == 3600);
	assert_false(c->daemon.allow_root);

	assert_int_equal(c->early_warning.horizon_weeks, 12);
	assert_int_equal(c->early_warning.horizon_months, 3);
	assert_int_equal(p->persistence, 2);
	assert_int_equal(p->run_length, 7);
	assert_int_equal(p->baseline_min, 12);
	assert_int_equal(p->baseline_max, 20);
	assert_true(p->ewma_lambda == 0.2);
	assert_true(p->ewma_L == 2.962);
	assert_int_equal(p->trend_min, 12);
	assert_int_equal(p->trend_max, 26);
	assert_true(p->mk_alpha == 0.05);

	assert_null(c->alerts.smtp.url);
	assert_null(c->alerts.smtp.from);
	assert_null(c->alerts.smtp.username);
	assert_null(c->alerts.smtp.password_file);
	assert_null(c->alerts.smtp.ca_file);
	assert_true(c->alerts.smtp.starttls);
	assert_int_equal(c->alerts.smtp.timeout, 30);
	assert_int_equal(c->alerts.repeat_interval_days, 28);
	assert_int_equal(c->alerts.max_attempts, 12);
	assert_int_equal(c->alerts.max_age_hours, 48);
	assert_true(c->alerts.retry_base == 60);
	assert_true(c->alerts.retry_cap == 3600);
	assert_int_equal(c->alerts.quiet_from, -1);
	assert_int_equal(c->alerts.quiet_to, -1);
	assert_int_equal(c->alerts.ops.nemail, 0);
	assert_int_equal(c->alerts.ops.nwebhooks, 0);
	assert_int_equal(c->alerts.nowners, 0);

	assert_null(c->report_path);
	assert_null(c->sources[0].schedule);
	assert_null(c->sources[0].backfill_url);
	conf_free(c);
}

/* Every key of the service's groups given: each lands where it should. */
static void
test_service_every_option(void **state)
{
	static const char *const lines[] = {
		/* 1 */ CODES,
		/* 3 */ "daemon = { run_timeout = 600; late_after = 0; "
		        "retry_base = 5.5; retry_cap = 120; allow_root = true; };",
		/* 4 */ "early_warning = { horizon_weeks = 8; horizon_months = 6; "
		        "persistence = 3; run_length = 8;",
		/* 5 */ "	baseline_min = 15; baseline_max = 30; ewma_lambda = 0.3; "
		        "ewma_L = 3.0; trend_min = 10; trend_max = 40; "
		        "mk_alpha = 0.01; };",
		/* 6 */ "alerts = {",
		/* 7 */ "	smtp = { url = \"smtps://mail.example.org:465\"; "
		        "from = \"fragwatch@example.org\"; username = \"fw\";",
		/* 8 */ "		password_file = \"/run/smtp\"; starttls = false; "
		        "ca_file = \"/etc/ca.pem\"; timeout = 12; };",
		/* 9 */ "	repeat_interval_days = 7; max_attempts = 5; "
		        "max_age_hours = 24; retry_base = 30; retry_cap = 600;",
		/* 10 */ "	quiet_hours = \"22:30-06:45\";",
		/* 11 */ "	ops = { email = \"ops@example.org\"; webhooks = "
		         "[\"https://hooks.example.org/ops\", \"http://127.0.0.1:9/x\"]; };",
		/* 12 */ "	owners = ( { area = \"NEURO\"; email = "
		         "[\"anna@example.org\", \"bo.ek@sub.example.org\"]; },",
		/* 13 */ "		{ area = \"ORTO\"; org = \"SU\"; "
		         "webhooks = \"https://hooks.example.org/orto\"; } );",
		/* 14 */ "};",
		/* 15 */ "report = { path = \"/srv/www/fragwatch.html\"; };",
		/* 16 */ "sources = ( " SOURCE("koer", "https://x/q.csv"),
		/* 17 */ "	period = \"week\"; schedule = \"15 6 * * 1-5\"; "
		         "backfill_url = \"https://x/q-%G-W%V.csv\"; },",
		/* 18 */ "	" SOURCE("drop", "dir:///srv/drop") " schedule = \"@daily\"; } );",
		NULL,
	};
	struct conf *c = load_ok(lines, NULL);
	const struct warning_params *p = &c->early_warning.params;
	const struct conf_alerts *a = &c->alerts;

	assert_int_equal(c->daemon.run_timeout, 600);
	assert_int_equal(c->daemon.late_after, 0);
	assert_true(c->daemon.retry_base == 5.5);
	assert_true(c->daemon.retry_cap == 120);
	assert_true(c->daemon.allow_root);

	assert_int_equal(c->early_warning.horizon_weeks, 8);
	assert_int_equal(c->early_warning.horizon_months, 6);
	assert_int_equal(p->persistence, 3);
	assert_int_equal(p->run_length, 8);
	assert_int_equal(p->baseline_min, 15);
	assert_int_equal(p->baseline_max, 30);
	assert_true(p->ewma_lambda == 0.3);
	assert_true(p->ewma_L == 3.0);
	assert_int_equal(p->trend_min, 10);
	assert_int_equal(p->trend_max, 40);
	assert_true(p->mk_alpha == 0.01);

	assert_string_equal(a->smtp.url, "smtps://mail.example.org:465");
	assert_string_equal(a->smtp.from, "fragwatch@example.org");
	assert_string_equal(a->smtp.username, "fw");
	assert_string_equal(a->smtp.password_file, "/run/smtp");
	assert_string_equal(a->smtp.ca_file, "/etc/ca.pem");
	assert_false(a->smtp.starttls);
	assert_int_equal(a->smtp.timeout, 12);
	assert_int_equal(a->repeat_interval_days, 7);
	assert_int_equal(a->max_attempts, 5);
	assert_int_equal(a->max_age_hours, 24);
	assert_true(a->retry_base == 30);
	assert_true(a->retry_cap == 600);
	assert_int_equal(a->quiet_from, 22 * 60 + 30);
	assert_int_equal(a->quiet_to, 6 * 60 + 45);

	assert_null(a->ops.area);
	assert_int_equal(a->ops.nemail, 1);
	assert_string_equal(a->ops.email[0], "ops@example.org");
	assert_int_equal(a->ops.nwebhooks, 2);
	assert_string_equal(a->ops.webhooks[0], "https://hooks.example.org/ops");
	assert_string_equal(a->ops.webhooks[1], "http://127.0.0.1:9/x");
	assert_int_equal(a->nowners, 2);
	assert_string_equal(a->owners[0].area, "NEURO");
	assert_null(a->owners[0].org);
	assert_int_equal(a->owners[0].nemail, 2);
	assert_string_equal(a->owners[0].email[1], "bo.ek@sub.example.org");
	assert_int_equal(a->owners[0].nwebhooks, 0);
	assert_string_equal(a->owners[1].area, "ORTO");
	assert_string_equal(a->owners[1].org, "SU");
	assert_int_equal(a->owners[1].nemail, 0);
	assert_int_equal(a->owners[1].nwebhooks, 1);
	assert_string_equal(a->owners[1].webhooks[0],
	    "https://hooks.example.org/orto");

	assert_string_equal(c->report_path, "/srv/www/fragwatch.html");
	assert_string_equal(c->sources[0].schedule, "15 6 * * 1-5");
	assert_string_equal(c->sources[0].backfill_url,
	    "https://x/q-%G-W%V.csv");
	assert_string_equal(c->sources[1].schedule, "@daily");
	assert_null(c->sources[1].backfill_url);
	conf_free(c);
}

/* Empty strings mean "none" or "the default"; webhooks need no smtp. */
static void
test_service_empty_values(void **state)
{
	static const char *const lines[] = {
		/* 1 */ CODES,
		/* 3 */ "alerts = { quiet_hours = \"\";",
		/* 4 */ "	smtp = { url = \"smtp://mail\"; from = \"fw@x.org\"; "
		        "password_file = \"\"; };",
		/* 5 */ "	owners = ( { area = \"NEURO\"; org = \"SU\"; "
		        "webhooks = [\"https://h/1\"]; } ); };",
		/* 6 */ "report = { path = \"\"; };",
		NULL,
	};
	static const char *const hooks_only[] = {
		/* 1 */ CODES,
		/* 3 */ "alerts = { ops = { webhooks = \"http://h/ops\"; }; };",
		NULL,
	};
	struct conf *c = load_ok(lines, NULL);

	assert_int_equal(c->alerts.quiet_from, -1);
	assert_int_equal(c->alerts.quiet_to, -1);
	assert_null(c->alerts.smtp.password_file);  /* the credential */
	assert_true(c->alerts.smtp.starttls);
	assert_null(c->report_path);
	assert_int_equal(c->alerts.nowners, 1);
	conf_free(c);

	c = load_ok(hooks_only, NULL);
	assert_null(c->alerts.smtp.url);
	assert_int_equal(c->alerts.ops.nwebhooks, 1);
	conf_free(c);
}

static const struct err_case service_cases[] = {
	{ "bad daemon values", {
		/* 1 */ CODES,
		/* 3 */ "daemon = {",
		/* 4 */ "	run_timeout = 0;",
		/* 5 */ "	late_after = -1;",
		/* 6 */ "	retry_base = \"soon\";",
		/* 7 */ "	allow_root = 1;",
		/* 8 */ "	colour = 1;",
		/* 9 */ "};",
	  }, { NULL }, {
		{ false, 4, "'run_timeout' must be between 1 and 86400" },
		{ false, 5, "'late_after' must be between 0 and 604800" },
		{ false, 6, "'retry_base' must be a number" },
		{ false, 7, "'allow_root' must be true or false" },
		{ false, 8, "unknown key 'colour' in daemon" },
	} },
	{ "daemon retry_cap below retry_base", {
		/* 1 */ CODES,
		/* 3 */ "daemon = {",
		/* 4 */ "	retry_base = 600;",
		/* 5 */ "	retry_cap = 60;",
		/* 6 */ "};",
	  }, { NULL }, {
		{ false, 3, "'retry_cap' (60) is below 'retry_base' (600)" },
	} },
	{ "alerts retry_cap below retry_base", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	retry_base = 7200;",
		/* 5 */ "};",
	  }, { NULL }, {
		{ false, 3, "'retry_cap' (3600) is below 'retry_base' (7200)" },
	} },
	{ "bad early_warning values", {
		/* 1 */ CODES,
		/* 3 */ "early_warning = {",
		/* 4 */ "	baseline_min = 30;",
		/* 5 */ "	baseline_max = 20;",
		/* 6 */ "	ewma_lambda = 0;",
		/* 7 */ "	horizon_weeks = 0;",
		/* 8 */ "	horizon_wekes = 4;",
		/* 9 */ "	mk_alpha = \"5%\";",
		/* 10 */ "};",
	  }, { NULL }, {
		{ false, 3, "'baseline_max' is below 'baseline_min'" },
		{ false, 6, "'ewma_lambda' must be between 0.01 and 1" },
		{ false, 7, "'horizon_weeks' must be between 1 and 104" },
		{ false, 8, "unknown key 'horizon_wekes' in early_warning" },
		{ false, 9, "'mk_alpha' must be a number" },
	} },
	{ "early_warning trend_max below trend_min", {
		/* 1 */ CODES,
		/* 3 */ "early_warning = { trend_min = 20;",
		/* 4 */ "	trend_max = 19; persistence = 0; };",
	  }, { NULL }, {
		{ false, 3, "'trend_max' is below 'trend_min'" },
		{ false, 4, "'persistence' must be between 1 and 12" },
	} },
	{ "owners of unknown areas, bad recipients", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	smtp = { url = \"smtp://mail\"; from = \"fw@x.org\"; };",
		/* 5 */ "	owners = (",
		/* 6 */ "		{ area = \"KARDIO\"; email = \"a@x.org\"; },",
		/* 7 */ "		{ area = \"NEURO\"; org = \"XX\"; email = \"a@x.org\"; },",
		/* 8 */ "		{ area = \"NEURO\"; email = [\"anna.example.org\", "
		        "\"bo @x.org\"]; },",
		/* 9 */ "		{ area = \"ORTO\"; webhooks = \"ftp://x/hook\"; },",
		/* 10 */ "		{ area = \"ORTO\"; },",
		/* 11 */ "		{ org = \"SU\"; email = \"a@x.org\"; },",
		/* 12 */ "		{ area = \"ORTO\"; phone = \"123\"; email = \"a@x.org\"; }",
		/* 13 */ "	);",
		/* 14 */ "};",
	  }, { NULL }, {
		{ false, 6, "owner of unknown area 'KARDIO'" },
		{ false, 7, "owner of unknown organisation 'XX'" },
		{ false, 8, "'anna.example.org' is not an e-mail address" },
		{ false, 8, "'bo @x.org' is not an e-mail address" },
		{ false, 9, "webhook 'ftp://x/hook' must start with http:// or "
		    "https://" },
		{ false, 10, "owner of 'ORTO' without 'email' or 'webhooks'" },
		{ false, 11, "owner without 'area'" },
		{ false, 12, "unknown key 'phone' in owner" },
	} },
	{ "bad ops recipients", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	smtp = { url = \"smtp://mail\"; from = \"fw@x.org\"; };",
		/* 5 */ "	ops = {",
		/* 6 */ "		email = [\"@x.org\", \"a@\", \"a@x.org,b@y.org\", "
		        "\"a@x.org\\r\\nBcc: c@y.org\"];",
		/* 7 */ "		webhooks = [\"hooks.example.org\"];",
		/* 8 */ "		pager = \"x\";",
		/* 9 */ "	};",
		/* 10 */ "};",
	  }, { NULL }, {
		{ false, 6, "'@x.org' is not an e-mail address" },
		{ false, 6, "'a@' is not an e-mail address" },
		{ false, 6, "'a@x.org,b@y.org' is not an e-mail address" },
		{ false, 6, "is not an e-mail address" },
		{ false, 7, "webhook 'hooks.example.org' must start with http://" },
		{ false, 8, "unknown key 'pager' in ops" },
	} },
	{ "bad smtp", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	smtp = {",
		/* 5 */ "		url = \"http://mail\";",
		/* 6 */ "		timeout = 0;",
		/* 7 */ "		starttls = \"yes\";",
		/* 8 */ "		host = \"mail\";",
		/* 9 */ "	};",
		/* 10 */ "};",
	  }, { NULL }, {
		{ false, 4, "smtp without 'from'" },
		{ false, 5, "smtp url 'http://mail' must start with smtp:// or "
		    "smtps://" },
		{ false, 6, "'timeout' must be between 1 and 600" },
		{ false, 7, "'starttls' must be true or false" },
		{ false, 8, "unknown key 'host' in smtp" },
	} },
	{ "ops e-mail without smtp", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	ops = { email = \"ops@x.org\"; };",
		/* 5 */ "};",
	  }, { NULL }, {
		{ false, 3, "e-mail recipients but no 'smtp'" },
	} },
	{ "owner e-mail with smtp but no url", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	smtp = { from = \"fw@x.org\"; };",
		/* 5 */ "	owners = ( { area = \"NEURO\"; email = \"a@x.org\"; } );",
		/* 6 */ "};",
	  }, { NULL }, {
		{ false, 3, "e-mail recipients but no 'smtp'" },
	} },
	{ "bad alerts values, unknown keys in alerts and report", {
		/* 1 */ CODES,
		/* 3 */ "alerts = {",
		/* 4 */ "	quiet = \"22:00-07:00\";",
		/* 5 */ "	max_attempts = 0; repeat_interval_days = 366;",
		/* 6 */ "	max_age_hours = 2161;",
		/* 7 */ "};",
		/* 8 */ "report = { path = \"/x.html\"; format = \"pdf\"; };",
	  }, { NULL }, {
		{ false, 4, "unknown key 'quiet' in alerts" },
		{ false, 5, "'max_attempts' must be between 1 and 1000" },
		{ false, 5, "'repeat_interval_days' must be between 1 and 365" },
		{ false, 6, "'max_age_hours' must be between 1 and 2160" },
		{ false, 8, "unknown key 'format' in report" },
	} },
	{ "groups of the wrong type", {
		/* 1 */ CODES,
		/* 3 */ "daemon = 5;",
		/* 4 */ "early_warning = \"on\";",
		/* 5 */ "report = [\"x\"];",
		/* 6 */ "alerts = { owners = { area = \"NEURO\"; "
		        "webhooks = \"http://h/\"; }; ops = \"ops@x.org\"; };",
	  }, { NULL }, {
		{ false, 3, "'daemon' must be a group" },
		{ false, 4, "'early_warning' must be a group" },
		{ false, 5, "'report' must be a group" },
		{ false, 6, "'owners' must be a list" },
		{ false, 6, "'ops' must be a group" },
	} },
	{ "bad schedules and a backfill_url without a date", {
		/* 1 */ CODES,
		/* 3 */ "sources = (",
		/* 4 */ "	" SOURCE("koer", "file:///a"),
		/* 5 */ "		schedule = \"61 * * * *\"; },",
		/* 6 */ "	" SOURCE("koer2", "file:///b"),
		/* 7 */ "		schedule = \"0 6 * *\"; "
		        "backfill_url = \"https://x/q.csv\"; },",
		/* 8 */ "	" SOURCE("koer3", "file:///c"),
		/* 9 */ "		schedule = 6; backfill_url = \"\"; }",
		/* 10 */ ");",
	  }, { NULL }, {
		{ false, 5, "bad schedule '61 * * * *': minute 61 out of range" },
		{ false, 7, "bad schedule '0 6 * *': too few fields" },
		{ false, 7, "backfill_url 'https://x/q.csv' has no date pattern" },
		{ false, 9, "'schedule' must be a string" },
		{ false, 9, "backfill_url '' has no date pattern" },
	} },
	{ "a time zone that tzdata does not know", {
		/* 1 */ CODES,
		/* 3 */ "region = { timezone = \"Europe/Stokholm\"; };",
	  }, { NULL }, {
		{ false, 3, "unknown time zone 'Europe/Stokholm'" },
	} },
};

static void
test_service_errors(void **state)
{
	for (size_t i = 0; i < NELEM(service_cases); i++) {
		const struct err_case *tc = &service_cases[i];

		check_errors(tc->name, tc->lines, NULL, tc->want);
	}
}

/* Each malformed quiet_hours is refused on its line with the format. */
static void
test_quiet_hours_refused(void **state)
{
	static const char *const bad[] = {
		"22:00", "22-07", "2200-0700", "24:00-07:00", "22:60-07:00",
		"22:00-07:00x", "22:00 - 07:00", "22:00-22:00", "ab:cd-ef:gh",
		"22:00-07", "-1:00-07:00", "22:00-07:00-08:00", "22:00/07:00",
	};

	for (size_t i = 0; i < NELEM(bad); i++) {
		char line[128], text[128];
		const char *lines[] = {
			/* 1 */ CODES,
			/* 3 */ "alerts = {",
			/* 4 */ line,
			/* 5 */ "};",
			NULL,
		};
		struct want want[] = {
			{ false, 4, text },
			{ false, 0, NULL },
		};

		snprintf(line, sizeof(line), "	quiet_hours = \"%s\";", bad[i]);
		snprintf(text, sizeof(text), "quiet_hours '%s' must be "
		    "\"HH:MM-HH:MM\"", bad[i]);
		check_errors(bad[i], lines, NULL, want);
	}
}

/* Both ends of the clock, either way round midnight. */
static void
test_quiet_hours_read(void **state)
{
	static const struct {
		const char *text;
		int from, to;
	} good[] = {
		{ "22:00-07:00", 22 * 60, 7 * 60 },
		{ "00:00-23:59", 0, 23 * 60 + 59 },
		{ "12:15-13:45", 12 * 60 + 15, 13 * 60 + 45 },
		{ "23:59-00:00", 23 * 60 + 59, 0 },
	};

	for (size_t i = 0; i < NELEM(good); i++) {
		char line[128];
		const char *lines[] = {
			/* 1 */ CODES,
			/* 3 */ line,
			NULL,
		};
		struct conf *c;

		snprintf(line, sizeof(line), "alerts = { quiet_hours = \"%s\"; };",
		    good[i].text);
		c = load_ok(lines, NULL);
		assert_int_equal(c->alerts.quiet_from, good[i].from);
		assert_int_equal(c->alerts.quiet_to, good[i].to);
		conf_free(c);
	}
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
		cmocka_unit_test(test_service_defaults),
		cmocka_unit_test(test_service_every_option),
		cmocka_unit_test(test_service_empty_values),
		cmocka_unit_test(test_service_errors),
		cmocka_unit_test(test_quiet_hours_refused),
		cmocka_unit_test(test_quiet_hours_read),
	};

	/* The default state directory must not depend on where we run. */
	setenv("FRAGWATCH_STATE_DIR", "/tmp/fragwatch-unit-state", 1);
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
