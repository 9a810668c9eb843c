-- 006_warnings.sql - early warnings: series trending fragile before they turn red, and the analyst view of them.

CREATE TABLE fragwatch.warnings (
	id             bigserial,
	area           text NOT NULL,
	org            text NOT NULL,            -- '*' = region-wide
	indicator      text NOT NULL,            -- Q1 ... S5, or 'composite'
	grain          text NOT NULL,            -- of the series: week, month, ...
	light          text NOT NULL,            -- the series' light when last seen
	detectors      text NOT NULL,            -- 'E3', 'E1+E2', 'E1+E2+E3'
	spc_rule       text,                     -- the E1 rule that fired
	value          double precision,         -- the newest value
	slope          double precision,         -- change per period
	mk_p           double precision,         -- Mann-Kendall p of the trend
	periods_to_red double precision,
	red_date       date,                     -- projected first red period
	data_from      date NOT NULL,            -- the data the detectors used
	data_end       date NOT NULL,
	points         integer NOT NULL,
	explanation    text NOT NULL,            -- in words an area owner reads
	first_seen     timestamptz NOT NULL DEFAULT now(),
	last_seen      timestamptz NOT NULL DEFAULT now(),
	cleared_at     timestamptz,              -- NULL while the warning stands
	cleared_why    text,                     -- turned red, or no longer trending
	first_run      bigint NOT NULL REFERENCES fragwatch.runs,
	last_run       bigint NOT NULL REFERENCES fragwatch.runs,
	-- area leads every key, so that the table can be distributed by area.
	PRIMARY KEY (area, id)
);
CREATE UNIQUE INDEX warnings_open ON fragwatch.warnings (area, org, indicator)
	WHERE cleared_at IS NULL;
COMMENT ON TABLE fragwatch.warnings IS
	'Early warnings (DESIGN.md section 6): a series not yet red on which E3 (time to red), or E1 (SPC) and '
	'E2 (EWMA) together, fired at the newest period and the one before. One row per episode; cleared_at '
	'is set when it no longer holds.';

CREATE VIEW fragwatch.trending_fragile AS
SELECT w.area, a.name AS area_name, w.org,
	CASE WHEN w.org = '*' THEN 'Region' ELSE o.name END AS org_name,
	w.indicator, CASE WHEN w.indicator = 'composite' THEN 'Composite fragility score'
		ELSE i.name END AS indicator_name,
	w.light, w.detectors, w.spc_rule, w.value, w.slope, w.periods_to_red, w.red_date,
	w.explanation, w.first_seen, w.last_seen, w.data_from, w.data_end, w.points, w.grain,
	w.first_run, w.last_run
FROM fragwatch.warnings w
JOIN fragwatch.areas a ON a.code = w.area
LEFT JOIN fragwatch.organisations o ON o.code = w.org
LEFT JOIN fragwatch.indicators i ON i.code = w.indicator
WHERE w.cleared_at IS NULL;
COMMENT ON VIEW fragwatch.trending_fragile IS
	'Areas trending fragile now: per area, organisation (''*'' = region-wide) and indicator (or the composite '
	'score), the detectors that fired, the newest value, the trend per period, the projected periods and '
	'date of red, and the reason in plain words. Past warnings are in the table warnings (cleared_at set).';
GRANT SELECT ON fragwatch.trending_fragile TO fragwatch_reader;
