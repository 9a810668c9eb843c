-- 003_views.sql - analyst views (the stable interface) and the read-only role fragwatch_reader.

CREATE VIEW fragwatch.status_board AS
SELECT s.area, a.name AS area_name, s.org,
	CASE WHEN s.org = '*' THEN 'Region' ELSE o.name END AS org_name,
	s.status, s.score, s.as_of, s.drivers, s.grey_reason, s.run_id
FROM (SELECT DISTINCT ON (area, org) * FROM fragwatch.area_status
	ORDER BY area, org, as_of DESC) s
JOIN fragwatch.areas a ON a.code = s.area
LEFT JOIN fragwatch.organisations o ON o.code = s.org;
COMMENT ON VIEW fragwatch.status_board IS
	'Current status per area and organisation (org ''*'' = region-wide): green, yellow, red or grey (unknown), '
	'the composite score (0..1), the date it is as of, the indicators that drove it, and why it is grey.';

CREATE VIEW fragwatch.indicator_series AS
SELECT v.area, v.org, v.code, i.name AS indicator, i.higher_is_worse, v.period, v.grain,
	v.value, v.numerator, v.denominator, v.n, v.status, v.grey_reason,
	t.green, t.red, v.run_id, r.source, r.sha256 AS source_sha256
FROM fragwatch.indicator_values v
JOIN fragwatch.indicators i ON i.code = v.code
LEFT JOIN fragwatch.indicator_thresholds t ON t.area = v.area AND t.code = v.code
JOIN fragwatch.runs r ON r.id = v.run_id;
COMMENT ON VIEW fragwatch.indicator_series IS
	'Every indicator value by area, organisation (''*'' = region-wide), code and period: value with its numerator, '
	'denominator and n (cases), light, thresholds in force, and the run and source file (SHA-256) it was computed in.';

CREATE VIEW fragwatch.status_history AS
SELECT h.area, a.name AS area_name, h.org, h.as_of, h.from_status, h.to_status, h.score,
	h.drivers, h.run_id, h.recorded_at
FROM fragwatch.area_status_history h JOIN fragwatch.areas a ON a.code = h.area;
COMMENT ON VIEW fragwatch.status_history IS
	'Every change of an area''s status: from, to, as of which date, the indicators that drove it, '
	'and the run that recorded it.';

CREATE VIEW fragwatch.run_log AS
SELECT id AS run_id, source, kind, url, status, started_at, finished_at,
	finished_at - started_at AS duration, http_status, bytes, sha256,
	rows_read, rows_loaded, rows_rejected, period_from, period_to, error
FROM fragwatch.runs;
COMMENT ON VIEW fragwatch.run_log IS
	'One row per attempt to load a source: outcome (loaded, unchanged, refused, failed, interrupted), '
	'timing, HTTP status, bytes and SHA-256 of the extract, row counts, the periods it covered, and the error.';

CREATE VIEW fragwatch.reject_log AS
SELECT j.run_id, r.source, r.started_at, j.line, j.column_name, j.reason, j.raw
FROM fragwatch.rejects j JOIN fragwatch.runs r ON r.id = j.run_id;
COMMENT ON VIEW fragwatch.reject_log IS
	'Rows of extracts that could not be loaded: source, run, line, column, reason and the row''s text.';

CREATE VIEW fragwatch.data_freshness AS
SELECT s.name AS source, s.kind, s.max_age_days,
	l.finished_at AS last_loaded_at, l.period_to AS data_to,
	current_date - l.period_to AS age_days,
	coalesce(current_date - l.period_to > s.max_age_days, true) AS stale,
	x.status AS last_run_status, x.finished_at AS last_run_at, x.error AS last_run_error
FROM fragwatch.sources s
LEFT JOIN LATERAL (SELECT * FROM fragwatch.runs r WHERE r.source = s.name AND r.status = 'loaded'
	ORDER BY id DESC LIMIT 1) l ON true
LEFT JOIN LATERAL (SELECT * FROM fragwatch.runs r WHERE r.source = s.name
	ORDER BY id DESC LIMIT 1) x ON true;
COMMENT ON VIEW fragwatch.data_freshness IS
	'Per source: when it last loaded, up to which period, how old that is against its max_age_days, '
	'and the outcome of its latest attempt.';

-- Analysts read the views and nothing else; views run with their owner's
-- rights, so the role needs no grant on any table.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'fragwatch_reader') THEN
		CREATE ROLE fragwatch_reader NOLOGIN;
	END IF;
END
$$;
REVOKE ALL ON ALL TABLES IN SCHEMA fragwatch FROM fragwatch_reader;
GRANT USAGE ON SCHEMA fragwatch TO fragwatch_reader;
GRANT SELECT ON fragwatch.status_board, fragwatch.indicator_series, fragwatch.status_history,
	fragwatch.run_log, fragwatch.reject_log, fragwatch.data_freshness TO fragwatch_reader;
