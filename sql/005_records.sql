-- 005_records.sql - record-grain extracts: one row per waiting patient or referral, kept for drill-down.

CREATE TABLE fragwatch.queue_records (
	run_id        bigint NOT NULL REFERENCES fragwatch.runs,
	source        text NOT NULL,
	line          bigint NOT NULL,
	snapshot      date NOT NULL,
	area          text NOT NULL REFERENCES fragwatch.areas,
	org           text NOT NULL REFERENCES fragwatch.organisations,
	waiting_since date NOT NULL CHECK (waiting_since <= snapshot),
	priority      text
);
CREATE INDEX queue_records_source ON fragwatch.queue_records (source, snapshot);
COMMENT ON TABLE fragwatch.queue_records IS
	'Waiting patients of record-grain queue extracts (kept unless the source sets keep_records = false); '
	'queue_facts holds their aggregation per period, area and organisation.';

CREATE TABLE fragwatch.referral_records (
	run_id   bigint NOT NULL REFERENCES fragwatch.runs,
	source   text NOT NULL,
	line     bigint NOT NULL,
	received date NOT NULL,
	area     text NOT NULL REFERENCES fragwatch.areas,
	org      text NOT NULL REFERENCES fragwatch.organisations,
	status   text CHECK (status IN ('accepted', 'rejected', 'pending')),
	assessed date CHECK (assessed >= received),
	closed   date CHECK (closed >= received)
);
CREATE INDEX referral_records_source ON fragwatch.referral_records (source, received);
COMMENT ON TABLE fragwatch.referral_records IS
	'Referrals of record-grain referral extracts (kept unless the source sets keep_records = false); '
	'referral_facts holds their aggregation per period, area and organisation.';
