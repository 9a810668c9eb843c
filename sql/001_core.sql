-- 001_core.sql - runs, rejects, the region's codes and one fact table per extract kind.

CREATE TABLE fragwatch.areas (
	code           text PRIMARY KEY,
	name           text NOT NULL,
	guarantee_days integer NOT NULL CHECK (guarantee_days > 0)
);
COMMENT ON TABLE fragwatch.areas IS
	'Care areas (vårdområden) as configured; synced from the config at every run.';

CREATE TABLE fragwatch.organisations (
	code text PRIMARY KEY,
	name text NOT NULL
);
COMMENT ON TABLE fragwatch.organisations IS
	'Organisations (förvaltningar) as configured; synced from the config at every run.';

CREATE TABLE fragwatch.runs (
	id            bigserial PRIMARY KEY,
	source        text NOT NULL,
	kind          text NOT NULL,
	url           text NOT NULL,
	status        text NOT NULL CHECK (status IN ('running', 'loaded',
	                  'unchanged', 'refused', 'failed', 'interrupted')),
	started_at    timestamptz NOT NULL DEFAULT now(),
	finished_at   timestamptz,
	http_status   integer,
	bytes         bigint,
	sha256        text,
	etag          text,
	last_modified text,
	rows_read     bigint NOT NULL DEFAULT 0,
	rows_loaded   bigint NOT NULL DEFAULT 0,
	rows_rejected bigint NOT NULL DEFAULT 0,
	period_from   date,
	period_to     date,
	error         text
);
CREATE INDEX runs_source_started ON fragwatch.runs (source, started_at DESC);
COMMENT ON TABLE fragwatch.runs IS
	'One row per attempt to load one source''s extract, whatever its outcome. '
	'status: running, loaded, unchanged (same SHA-256 or HTTP 304), '
	'refused (bad extract, previous data stand), failed, interrupted.';

CREATE TABLE fragwatch.rejects (
	run_id      bigint NOT NULL REFERENCES fragwatch.runs ON DELETE CASCADE,
	line        bigint,
	column_name text,
	reason      text NOT NULL,
	raw         text
);
CREATE INDEX rejects_run ON fragwatch.rejects (run_id, line);
COMMENT ON TABLE fragwatch.rejects IS
	'Rows of an extract that could not be loaded: line, column, reason and the row''s text.';

-- Facts: one row per period x area x organisation; a re-run of a period
-- replaces its rows (upsert on the natural key) and records which run and
-- line they came from.
CREATE TABLE fragwatch.queue_facts (
	period              date NOT NULL,
	area                text NOT NULL REFERENCES fragwatch.areas,
	org                 text NOT NULL REFERENCES fragwatch.organisations,
	grain               text NOT NULL,
	waiting_total       bigint NOT NULL CHECK (waiting_total >= 0),
	waiting_over_target bigint NOT NULL CHECK (waiting_over_target >= 0),
	mean_wait_days      double precision CHECK (mean_wait_days >= 0),
	median_wait_days    double precision CHECK (median_wait_days >= 0),
	p90_wait_days       double precision CHECK (p90_wait_days >= 0),
	removed             bigint CHECK (removed >= 0),
	source              text NOT NULL,
	run_id              bigint NOT NULL REFERENCES fragwatch.runs,
	line                bigint,
	PRIMARY KEY (period, area, org)
);
COMMENT ON TABLE fragwatch.queue_facts IS
	'Waiting list per period, area and organisation (aggregate grain).';

CREATE TABLE fragwatch.referral_facts (
	period             date NOT NULL,
	area               text NOT NULL REFERENCES fragwatch.areas,
	org                text NOT NULL REFERENCES fragwatch.organisations,
	grain              text NOT NULL,
	received           bigint NOT NULL CHECK (received >= 0),
	accepted           bigint CHECK (accepted >= 0),
	rejected           bigint CHECK (rejected >= 0),
	completed          bigint CHECK (completed >= 0),
	triage_median_days double precision CHECK (triage_median_days >= 0),
	source             text NOT NULL,
	run_id             bigint NOT NULL REFERENCES fragwatch.runs,
	line               bigint,
	PRIMARY KEY (period, area, org)
);
COMMENT ON TABLE fragwatch.referral_facts IS
	'Referrals per period, area and organisation (aggregate grain).';

CREATE TABLE fragwatch.staffing_facts (
	period           date NOT NULL,
	area             text NOT NULL REFERENCES fragwatch.areas,
	org              text NOT NULL REFERENCES fragwatch.organisations,
	grain            text NOT NULL,
	fte_budget       double precision NOT NULL CHECK (fte_budget >= 0),
	fte_filled       double precision NOT NULL CHECK (fte_filled >= 0),
	hired_fte        double precision CHECK (hired_fte >= 0),
	hired_cost_share double precision CHECK (hired_cost_share BETWEEN 0 AND 1),
	sick_leave_rate  double precision CHECK (sick_leave_rate BETWEEN 0 AND 1),
	leavers          bigint CHECK (leavers >= 0),
	headcount        bigint CHECK (headcount >= 0),
	key_role_count   bigint CHECK (key_role_count >= 0),
	source           text NOT NULL,
	run_id           bigint NOT NULL REFERENCES fragwatch.runs,
	line             bigint,
	PRIMARY KEY (period, area, org)
);
COMMENT ON TABLE fragwatch.staffing_facts IS
	'Staffing per period (usually month), area and organisation.';
