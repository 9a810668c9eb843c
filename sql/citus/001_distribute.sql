-- 001_distribute.sql - optional: fragwatch's schema on a Citus cluster, distributed by care area (ARCHITECTURE.md, "National scale").
--
-- Not applied by `fragwatch migrate` (only sql/NNN_*.sql are). Run it once,
-- on the coordinator, as the schema's owner, after `fragwatch migrate` has
-- created the schema (migrations up to at least 010_perf) and before the
-- first load: the record tables are recreated as partitioned tables, which
-- needs them empty.
--
--   psql -v ON_ERROR_STOP=1 -d fragwatch -f sql/citus/001_distribute.sql
--
-- Written against the Citus documentation for Citus 11-12 on PostgreSQL
-- 15: create_reference_table(), create_distributed_table(... colocate_with
-- => ...), foreign keys only from distributed to reference tables or between
-- co-located tables on the distribution column, primary keys including the
-- distribution column, window functions partitioned by it, and the time
-- partition helpers create_time_partitions() / drop_old_time_partitions()
-- (Citus 10.2+). It has not been run against a cluster here (Citus is not
-- packaged in Debian 12); the checks below fail loudly rather than leave
-- half a distribution.

CREATE EXTENSION IF NOT EXISTS citus;

BEGIN;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM fragwatch.schema_migrations WHERE name = '010_perf') THEN
		RAISE EXCEPTION 'apply the migrations first (fragwatch migrate), up to 010_perf';
	END IF;
	IF EXISTS (SELECT 1 FROM fragwatch.referral_records) OR EXISTS (SELECT 1 FROM fragwatch.queue_records) THEN
		RAISE EXCEPTION 'the record tables must be empty: they are recreated partitioned by day';
	END IF;
END
$$;

-- Record tables: partitioned by month of the record's own day, so that
-- retention drops whole partitions instead of deleting rows, and the
-- replacement of an extract's periods (records.c, which bounds the day)
-- touches only the partitions it covers. No primary key (none before
-- either), so nothing has to include the partition column.
DROP TABLE fragwatch.referral_records;
CREATE TABLE fragwatch.referral_records (
	run_id   bigint NOT NULL,
	source   text NOT NULL,
	line     bigint NOT NULL,
	received date NOT NULL,
	area     text NOT NULL,
	org      text NOT NULL,
	status   text CHECK (status IN ('accepted', 'rejected', 'pending')),
	assessed date CHECK (assessed >= received),
	closed   date CHECK (closed >= received)
) PARTITION BY RANGE (received);
CREATE INDEX referral_records_source ON fragwatch.referral_records
	USING brin (source, run_id) WITH (autosummarize = on);

DROP TABLE fragwatch.queue_records;
CREATE TABLE fragwatch.queue_records (
	run_id        bigint NOT NULL,
	source        text NOT NULL,
	line          bigint NOT NULL,
	snapshot      date NOT NULL,
	area          text NOT NULL,
	org           text NOT NULL,
	waiting_since date NOT NULL CHECK (waiting_since <= snapshot),
	priority      text
) PARTITION BY RANGE (snapshot);
CREATE INDEX queue_records_source ON fragwatch.queue_records
	USING brin (source, run_id) WITH (autosummarize = on);

COMMIT;

-- Reference tables, a copy on every node: the dimensions and the
-- catalogue (small, joined by almost every query), and runs (the audit:
-- one row per attempt, referenced by rejects). runs.id stays a bigserial:
-- its sequence is a bigint, which Citus allows on reference tables.
SELECT create_reference_table('fragwatch.areas');
SELECT create_reference_table('fragwatch.organisations');
SELECT create_reference_table('fragwatch.sources');
SELECT create_reference_table('fragwatch.indicators');
SELECT create_reference_table('fragwatch.indicator_thresholds');
SELECT create_reference_table('fragwatch.runs');

-- Everything about one care area in one co-location group, hashed on
-- area: facts, indicator values, statuses, their history and the records
-- behind them. Every primary key includes area; the remaining foreign keys
-- (facts to areas and organisations) point at reference tables.
SELECT create_distributed_table('fragwatch.referral_facts', 'area', colocate_with => 'none');
SELECT create_distributed_table('fragwatch.queue_facts', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.staffing_facts', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.indicator_values', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.area_status', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.area_status_history', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.referral_records', 'area', colocate_with => 'fragwatch.referral_facts');
SELECT create_distributed_table('fragwatch.queue_records', 'area', colocate_with => 'fragwatch.referral_facts');

-- Rejects have no area to go by (an unknown area is a common reason for
-- one): distributed by run, in a group of their own; their foreign key to
-- runs points at a reference table.
SELECT create_distributed_table('fragwatch.rejects', 'run_id', colocate_with => 'none');

-- Record partitions: one a month, from five years back to three months
-- ahead. A record older than the oldest partition fails its load (the
-- run is 'failed' and says which day); extend the range with the same
-- call. Creating next months and dropping old ones is a monthly job, e.g.
-- with pg_cron on the coordinator:
--   SELECT create_time_partitions('fragwatch.referral_records', INTERVAL '1 month', now() + INTERVAL '3 months');
--   CALL drop_old_time_partitions('fragwatch.referral_records', now() - INTERVAL '5 years');
-- (and the same for queue_records).
SELECT create_time_partitions('fragwatch.referral_records', INTERVAL '1 month',
	date_trunc('month', now()) + INTERVAL '3 months', date_trunc('month', now()) - INTERVAL '5 years');
SELECT create_time_partitions('fragwatch.queue_records', INTERVAL '1 month',
	date_trunc('month', now()) + INTERVAL '3 months', date_trunc('month', now()) - INTERVAL '5 years');
