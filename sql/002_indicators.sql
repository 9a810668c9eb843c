-- 002_indicators.sql - indicator values, area statuses and their history; the SQL that computes the values.

-- Configured sources and thresholds, synced from the config at every run so
-- that views can show them.
CREATE TABLE fragwatch.sources (
	name         text PRIMARY KEY,
	kind         text NOT NULL,
	url          text NOT NULL,
	max_age_days integer NOT NULL
);
COMMENT ON TABLE fragwatch.sources IS 'Configured sources, synced from the config at every run.';

CREATE TABLE fragwatch.indicators (
	code            text PRIMARY KEY,
	name            text NOT NULL,
	kind            text NOT NULL,
	higher_is_worse boolean NOT NULL,
	weight          integer NOT NULL
);
COMMENT ON TABLE fragwatch.indicators IS 'The indicator catalogue (DESIGN.md §5).';

CREATE TABLE fragwatch.indicator_thresholds (
	area  text NOT NULL,
	code  text NOT NULL,
	green text NOT NULL,
	red   text NOT NULL,
	PRIMARY KEY (area, code)
);
COMMENT ON TABLE fragwatch.indicator_thresholds IS
	'Green and red bounds in force per area and indicator (config defaults or the area''s overrides).';

-- org '*' is the area region-wide, recomputed from summed counts.
CREATE TABLE fragwatch.indicator_values (
	area        text NOT NULL,
	org         text NOT NULL,
	code        text NOT NULL,
	period      date NOT NULL,
	grain       text NOT NULL,
	value       double precision,
	numerator   double precision,
	denominator double precision,
	n           double precision,
	status      text NOT NULL CHECK (status IN ('green', 'yellow', 'red', 'grey')),
	grey_reason text,
	run_id      bigint NOT NULL REFERENCES fragwatch.runs,
	PRIMARY KEY (area, org, code, period)
);
COMMENT ON TABLE fragwatch.indicator_values IS
	'One indicator value per area, organisation (''*'' = region-wide), code and period, with its inputs and light.';

CREATE TABLE fragwatch.area_status (
	area        text NOT NULL,
	org         text NOT NULL,
	as_of       date NOT NULL,
	status      text NOT NULL CHECK (status IN ('green', 'yellow', 'red', 'grey')),
	score       double precision,
	drivers     text,
	grey_reason text,
	run_id      bigint NOT NULL REFERENCES fragwatch.runs,
	PRIMARY KEY (area, org, as_of)
);
COMMENT ON TABLE fragwatch.area_status IS
	'Composite status per area and organisation as known at each date (each data period, and the day of the run).';

CREATE TABLE fragwatch.area_status_history (
	area        text NOT NULL,
	org         text NOT NULL,
	as_of       date NOT NULL,
	from_status text,
	to_status   text NOT NULL,
	score       double precision,
	drivers     text,
	run_id      bigint NOT NULL REFERENCES fragwatch.runs,
	recorded_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (area, org, as_of)
);
COMMENT ON TABLE fragwatch.area_status_history IS
	'Every change of an area''s status: from, to, as of which date, recorded by which run, and the indicators that drove it.';

CREATE INDEX queue_facts_series ON fragwatch.queue_facts (area, org, period);
CREATE INDEX referral_facts_series ON fragwatch.referral_facts (area, org, period);
CREATE INDEX staffing_facts_series ON fragwatch.staffing_facts (area, org, period);

-- The length of one period of a grain.
CREATE FUNCTION fragwatch.grain_step(grain text) RETURNS interval
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT CASE grain WHEN 'day' THEN interval '1 day' WHEN 'week' THEN interval '7 days'
		WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
		ELSE interval '1 year' END
$$;

-- Every indicator value for periods >= p_from, per area x org and region-wide
-- ('*'), with numerator, denominator and n (cases in the denominator, NULL
-- where the minimum-cases rule does not apply). Rolling windows must be
-- complete, or the value is NULL (grey: missing).
CREATE FUNCTION fragwatch.indicator_inputs(p_from date)
RETURNS TABLE (area text, org text, code text, period date, grain text,
	value double precision, numerator double precision,
	denominator double precision, n double precision)
LANGUAGE sql STABLE AS $$
WITH
lookback AS (SELECT (p_from - interval '14 months')::date AS d),
q AS (
	SELECT f.period, f.grain, f.area, f.org, f.waiting_total::float8 AS total,
		f.waiting_over_target::float8 AS over, f.mean_wait_days AS mean,
		f.mean_wait_days IS NOT NULL AS has_mean
	FROM fragwatch.queue_facts f, lookback WHERE f.period >= lookback.d
	UNION ALL
	SELECT f.period, min(f.grain), f.area, '*', sum(f.waiting_total), sum(f.waiting_over_target),
		-- region-wide mean wait: weighted by the patients it describes
		sum(f.mean_wait_days * f.waiting_total) / nullif(sum(f.waiting_total) FILTER (WHERE f.mean_wait_days IS NOT NULL), 0),
		bool_or(f.mean_wait_days IS NOT NULL)
	FROM fragwatch.queue_facts f, lookback WHERE f.period >= lookback.d
	GROUP BY f.period, f.area
),
qw AS (
	SELECT q.*, a.guarantee_days,
		first_value(total) OVER (PARTITION BY q.area, q.org ORDER BY q.period
			RANGE BETWEEN interval '21 days' PRECEDING AND interval '21 days' PRECEDING) AS total_3w,
		first_value(total) OVER (PARTITION BY q.area, q.org ORDER BY q.period
			RANGE BETWEEN interval '3 months' PRECEDING AND interval '3 months' PRECEDING) AS total_3m
	FROM q JOIN fragwatch.areas a ON a.code = q.area
),
r AS (
	SELECT f.period, f.grain, f.area, f.org, f.received::float8 AS received,
		coalesce(f.completed, qf.removed)::float8 AS completed
	FROM fragwatch.referral_facts f
	LEFT JOIN fragwatch.queue_facts qf USING (period, area, org), lookback
	WHERE f.period >= lookback.d - interval '1 year'
),
r2 AS (
	SELECT period, grain, area, org, received, completed FROM r
	UNION ALL
	SELECT period, min(grain), area, '*', sum(received), sum(completed) FROM r GROUP BY period, area
),
rw AS (
	SELECT r2.*,
		sum(received) OVER w8w AS rec_8w, sum(completed) OVER w8w AS comp_8w, count(completed) OVER w8w AS n_8w,
		sum(received) OVER w2m AS rec_2m, sum(completed) OVER w2m AS comp_2m, count(completed) OVER w2m AS n_2m,
		sum(received) OVER ly8w AS rec_ly8w, count(received) OVER ly8w AS n_ly8w,
		sum(received) OVER ly2m AS rec_ly2m, count(received) OVER ly2m AS n_ly2m
	FROM r2
	WINDOW w8w AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '49 days' PRECEDING AND CURRENT ROW),
		w2m AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '1 month' PRECEDING AND CURRENT ROW),
		ly8w AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '413 days' PRECEDING AND interval '364 days' PRECEDING),
		ly2m AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '13 months' PRECEDING AND interval '12 months' PRECEDING)
),
rv AS (
	SELECT period, grain, area, org,
		CASE WHEN grain = 'week' AND n_8w = 8 THEN rec_8w WHEN grain = 'month' AND n_2m = 2 THEN rec_2m END AS rec,
		CASE WHEN grain = 'week' AND n_8w = 8 THEN comp_8w WHEN grain = 'month' AND n_2m = 2 THEN comp_2m END AS comp,
		CASE WHEN grain = 'week' AND n_ly8w = 8 THEN rec_ly8w WHEN grain = 'month' AND n_ly2m = 2 THEN rec_ly2m END AS rec_ly
	FROM rw
),
s AS (
	SELECT f.period, f.grain, f.area, f.org, f.fte_budget AS budget, f.fte_filled AS filled,
		coalesce(f.hired_fte, f.hired_cost_share * f.fte_filled) AS hired,
		f.sick_leave_rate * f.fte_filled AS sick_fte, CASE WHEN f.sick_leave_rate IS NOT NULL THEN f.fte_filled END AS sick_base,
		f.leavers::float8 AS leavers, f.headcount::float8 AS headcount, f.key_role_count::float8 AS key_roles
	FROM fragwatch.staffing_facts f, lookback WHERE f.period >= lookback.d - interval '1 year'
),
s2 AS (
	SELECT * FROM s
	UNION ALL
	SELECT period, min(grain), area, '*', sum(budget), sum(filled), sum(hired), sum(sick_fte), sum(sick_base),
		sum(leavers), sum(headcount), sum(key_roles)
	FROM s GROUP BY period, area
),
sw AS (
	SELECT s2.*,
		sum(sick_fte) OVER w3 AS sick_3m, sum(sick_base) OVER w3 AS base_3m, count(sick_base) OVER w3 AS n_3m,
		sum(leavers) OVER w12 AS leavers_12m, avg(headcount) OVER w12 AS head_12m, count(leavers) OVER w12 AS n_12m
	FROM s2
	WINDOW w3 AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '2 months' PRECEDING AND CURRENT ROW),
		w12 AS (PARTITION BY area, org ORDER BY period RANGE BETWEEN interval '11 months' PRECEDING AND CURRENT ROW)
)
SELECT area, org, 'Q1', period, grain, 1 - over / nullif(total, 0), total - over, total, total
	FROM qw WHERE period >= p_from
UNION ALL
SELECT area, org, 'Q2', period, grain, (total - prev) / nullif(prev, 0), total - prev, prev, prev
	FROM (SELECT *, CASE grain WHEN 'week' THEN total_3w ELSE total_3m END AS prev FROM qw) x WHERE period >= p_from
UNION ALL
SELECT area, org, 'Q3', period, grain, 2 * mean / guarantee_days, mean, guarantee_days / 2.0, total
	FROM qw WHERE period >= p_from
UNION ALL
SELECT area, org, 'R1', period, grain, rec / nullif(comp, 0), rec, comp, comp
	FROM rv WHERE period >= p_from
UNION ALL
SELECT area, org, 'R2', period, grain, rec / nullif(rec_ly, 0) - 1, rec - rec_ly, rec_ly, rec_ly
	FROM rv WHERE period >= p_from
UNION ALL
SELECT area, org, 'S1', period, grain, filled / nullif(budget, 0), filled, budget, NULL
	FROM sw WHERE period >= p_from
UNION ALL
SELECT area, org, 'S2', period, grain, key_roles, key_roles, NULL, NULL
	FROM sw WHERE period >= p_from
UNION ALL
SELECT area, org, 'S3', period, grain, hired / nullif(filled, 0), hired, filled, NULL
	FROM sw WHERE period >= p_from
UNION ALL
SELECT area, org, 'S4', period, grain, CASE WHEN n_3m = 3 THEN sick_3m / nullif(base_3m, 0) END, sick_3m, base_3m, NULL
	FROM sw WHERE period >= p_from
UNION ALL
SELECT area, org, 'S5', period, grain, CASE WHEN n_12m = 12 THEN leavers_12m / nullif(head_12m, 0) END, leavers_12m, head_12m, NULL
	FROM sw WHERE period >= p_from
$$;
COMMENT ON FUNCTION fragwatch.indicator_inputs(date) IS
	'Indicator values from the facts for periods >= p_from; see ARCHITECTURE.md for each definition.';
