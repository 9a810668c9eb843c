-- 010_perf.sql - no per-row foreign-key checks on the tables a load writes in bulk; a BRIN index on the record tables.
--
-- Measured on 1,000,000 referral records (binary COPY, 2 cores, see
-- ARCHITECTURE.md "Performance"): 13.4 s with the three foreign keys and
-- the btree on (source, received), 2.5 s without the foreign keys, 0.8 s
-- with neither; a BRIN index costs nothing measurable. PostgreSQL checks a
-- foreign key with one query per inserted row, so at millions of rows
-- they were 80 % of a load.
--
-- What the foreign keys guaranteed still holds: the loader writes only the
-- run's own id, and area and org codes that the mapping found in the
-- configured codes; every kept record's (area, org) is also the key of a
-- fact row of the same run, and the fact tables keep their foreign keys
-- (one check per fact, not per record).
ALTER TABLE fragwatch.referral_records
	DROP CONSTRAINT referral_records_run_id_fkey,
	DROP CONSTRAINT referral_records_area_fkey,
	DROP CONSTRAINT referral_records_org_fkey;
ALTER TABLE fragwatch.queue_records
	DROP CONSTRAINT queue_records_run_id_fkey,
	DROP CONSTRAINT queue_records_area_fkey,
	DROP CONSTRAINT queue_records_org_fkey;

-- A run's records are appended together, so block ranges hold one source
-- and one run: BRIN finds a source's older records (the replacement of
-- the periods an extract covers) for the cost of a few summaries, where
-- the btree on (source, received) doubled the time of the COPY.
DROP INDEX fragwatch.referral_records_source;
DROP INDEX fragwatch.queue_records_source;
CREATE INDEX referral_records_source ON fragwatch.referral_records
	USING brin (source, run_id) WITH (autosummarize = on);
CREATE INDEX queue_records_source ON fragwatch.queue_records
	USING brin (source, run_id) WITH (autosummarize = on);

-- The run that wrote a row: always the writing run's own id, and runs are
-- never deleted (they are the audit). Checking it cost one query per row:
-- 0.38 s of 0.48 s to upsert 27,168 facts with their three foreign keys
-- (0.10 s without), 0.22 s of 0.50 s to write 63,428 indicator values.
-- Facts keep their foreign keys to areas and organisations: those are the
-- dimensions, and facts are few (one per period, area and organisation).
ALTER TABLE fragwatch.queue_facts DROP CONSTRAINT queue_facts_run_id_fkey;
ALTER TABLE fragwatch.referral_facts DROP CONSTRAINT referral_facts_run_id_fkey;
ALTER TABLE fragwatch.staffing_facts DROP CONSTRAINT staffing_facts_run_id_fkey;
ALTER TABLE fragwatch.indicator_values DROP CONSTRAINT indicator_values_run_id_fkey;
ALTER TABLE fragwatch.area_status DROP CONSTRAINT area_status_run_id_fkey;
ALTER TABLE fragwatch.area_status_history DROP CONSTRAINT area_status_history_run_id_fkey;
