-- 007_backtest.sql - stored results of `fragwatch backtest`: one row per method and area, and overall, of each backtest.

CREATE SEQUENCE fragwatch.backtest_id_seq;
COMMENT ON SEQUENCE fragwatch.backtest_id_seq IS
	'Numbers each `fragwatch backtest`; all rows of one backtest share it.';

CREATE TABLE fragwatch.backtest_results (
	backtest_id                bigint NOT NULL,
	run_at                     timestamptz NOT NULL DEFAULT now(),
	period_from                date,
	period_to                  date,
	horizon                    integer CHECK (horizon > 0),
	persistence                integer NOT NULL,
	method                     text NOT NULL CHECK (method IN ('fragwatch', 'warn_at_yellow', 'e1_alone')),
	area                       text,
	series                     integer NOT NULL,
	area_years                 double precision NOT NULL,
	onsets                     integer NOT NULL,
	warnings                   integer NOT NULL,
	hits                       integer NOT NULL,
	misses                     integer NOT NULL,
	false_alarms               integer NOT NULL,
	pending                    integer NOT NULL,
	false_alarms_per_area_year double precision,
	recall                     double precision,
	precision                  double precision,
	median_lead_periods        double precision,
	warned_while_green_share   double precision
);
CREATE UNIQUE INDEX backtest_results_key ON fragwatch.backtest_results
	(backtest_id, method, coalesce(area, ''));
COMMENT ON TABLE fragwatch.backtest_results IS
	'Results of each `fragwatch backtest` (definitions in DESIGN.md §6 and README.md): for the early warning '
	'(fragwatch) and the baselines warn_at_yellow and e1_alone, per area and overall (area NULL).';
COMMENT ON COLUMN fragwatch.backtest_results.backtest_id IS 'The backtest the row belongs to (fragwatch.backtest_id_seq).';
COMMENT ON COLUMN fragwatch.backtest_results.run_at IS 'When the backtest ran.';
COMMENT ON COLUMN fragwatch.backtest_results.period_from IS 'First period scored (--from); NULL: the start of the history.';
COMMENT ON COLUMN fragwatch.backtest_results.period_to IS 'Last period used (--to); NULL: the end of the history.';
COMMENT ON COLUMN fragwatch.backtest_results.horizon IS
	'Hit window H in periods (--horizon); NULL: by grain, 12 weeks, 3 months or 1 quarter.';
COMMENT ON COLUMN fragwatch.backtest_results.persistence IS 'Consecutive runs a signal had to last to be a warning.';
COMMENT ON COLUMN fragwatch.backtest_results.method IS
	'fragwatch (the trending-fragile rule), warn_at_yellow (a warning whenever the area is yellow) or '
	'e1_alone (the SPC detector E1 with the same persistence).';
COMMENT ON COLUMN fragwatch.backtest_results.area IS 'Area code; NULL: all areas together.';
COMMENT ON COLUMN fragwatch.backtest_results.series IS 'Area x organisation series scored (org ''*'' region-wide counts as one).';
COMMENT ON COLUMN fragwatch.backtest_results.area_years IS 'Length of those series in years (weeks / 52.18, months / 12, quarters / 4).';
COMMENT ON COLUMN fragwatch.backtest_results.onsets IS 'Red onsets: a red period after at least 3 green or yellow ones.';
COMMENT ON COLUMN fragwatch.backtest_results.warnings IS 'Warning episodes: maximal runs of consecutive periods with a warning.';
COMMENT ON COLUMN fragwatch.backtest_results.hits IS 'Onsets with an episode active 1..H periods before them.';
COMMENT ON COLUMN fragwatch.backtest_results.misses IS 'Onsets that are not hits.';
COMMENT ON COLUMN fragwatch.backtest_results.false_alarms IS 'Episodes with no red in the H periods after their end.';
COMMENT ON COLUMN fragwatch.backtest_results.pending IS
	'Episodes with no red so far whose H periods after their end go beyond the data: neither true nor false yet.';
COMMENT ON COLUMN fragwatch.backtest_results.false_alarms_per_area_year IS 'false_alarms / area_years; NULL without data.';
COMMENT ON COLUMN fragwatch.backtest_results.recall IS 'hits / onsets; NULL without onsets.';
COMMENT ON COLUMN fragwatch.backtest_results.precision IS
	'Episodes followed by red within H periods / (those + false alarms); NULL without either.';
COMMENT ON COLUMN fragwatch.backtest_results.median_lead_periods IS
	'Median over hits of onset minus the start of the earliest episode in its window, capped at 24; NULL without hits.';
COMMENT ON COLUMN fragwatch.backtest_results.warned_while_green_share IS
	'Hits whose episode began while the area was green / onsets; NULL without onsets.';

CREATE VIEW fragwatch.backtest_latest AS
SELECT r.*, a.name AS area_name
FROM fragwatch.backtest_results r
LEFT JOIN fragwatch.areas a ON a.code = r.area
WHERE r.backtest_id = (SELECT max(backtest_id) FROM fragwatch.backtest_results);
COMMENT ON VIEW fragwatch.backtest_latest IS
	'The most recent backtest: per method, per area and overall (area NULL), see fragwatch.backtest_results.';

GRANT SELECT ON fragwatch.backtest_results, fragwatch.backtest_latest TO fragwatch_reader;
