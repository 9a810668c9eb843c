-- 004_outcomes.sql - explicit run outcomes, skipped rows and warnings.

ALTER TABLE fragwatch.runs DROP CONSTRAINT runs_status_check;
UPDATE fragwatch.runs SET status = CASE WHEN rows_rejected > 0 THEN 'ok_with_rejects' ELSE 'ok' END
	WHERE status = 'loaded';
ALTER TABLE fragwatch.runs ADD CONSTRAINT runs_status_check CHECK (status IN ('running', 'ok',
	'ok_with_rejects', 'unchanged', 'refused', 'stale', 'failed', 'interrupted'));
ALTER TABLE fragwatch.runs ADD COLUMN rows_skipped bigint NOT NULL DEFAULT 0;
ALTER TABLE fragwatch.runs ADD COLUMN warnings text;
ALTER TABLE fragwatch.runs ADD COLUMN data_end date;
COMMENT ON COLUMN fragwatch.runs.data_end IS
	'The first day after the newest period loaded: the data''s age is counted from it.';
COMMENT ON TABLE fragwatch.runs IS
	'One row per attempt to load one source''s extract, whatever its outcome. '
	'status: ok, ok_with_rejects, unchanged (same SHA-256 or HTTP 304), refused (bad extract, '
	'previous data stand), stale (loaded, but its newest period is older than max_age_days), '
	'failed, interrupted; running while in progress.';
COMMENT ON COLUMN fragwatch.runs.rows_skipped IS 'Rows left out on purpose by a filter or a "-" code translation.';
COMMENT ON COLUMN fragwatch.runs.warnings IS 'Data-quality checks that warned (severity warn), separated by "; ".';

CREATE OR REPLACE VIEW fragwatch.run_log AS
SELECT id AS run_id, source, kind, url, status, started_at, finished_at,
	finished_at - started_at AS duration, http_status, bytes, sha256,
	rows_read, rows_loaded, rows_rejected, period_from, period_to, error,
	rows_skipped, warnings
FROM fragwatch.runs;

CREATE OR REPLACE VIEW fragwatch.data_freshness AS
SELECT s.name AS source, s.kind, s.max_age_days,
	l.finished_at AS last_loaded_at, l.period_to AS data_to,
	greatest(0, current_date - l.data_end) AS age_days,
	coalesce(current_date - l.data_end > s.max_age_days, true) AS stale,
	x.status AS last_run_status, x.finished_at AS last_run_at, x.error AS last_run_error
FROM fragwatch.sources s
LEFT JOIN LATERAL (SELECT * FROM fragwatch.runs r WHERE r.source = s.name
	AND r.status IN ('ok', 'ok_with_rejects', 'stale') ORDER BY id DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT * FROM fragwatch.runs r WHERE r.source = s.name
	ORDER BY id DESC LIMIT 1) x ON true;
