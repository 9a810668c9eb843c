-- 008_alerts.sql - alerts to owners and ops: episodes, the outbox, deliveries, attempts, silences, and their analyst views.

-- What the notices are about: an early warning, a red area x organisation,
-- a source with a data problem, or a dead delivery. The episode carries the
-- state that the no-floods rules need (how many notices, when the last one
-- was, how bad it was then).
CREATE TABLE fragwatch.alert_episodes (
	episode          text PRIMARY KEY,      -- e.g. 'warning|17', 'status|NEURO|SU|2024-02-05', 'source|koer|42'
	kind             text NOT NULL CHECK (kind IN ('warning', 'status', 'source', 'dead')),
	area             text,                  -- NULL for ops episodes
	org              text,                  -- '*' = region-wide
	indicator        text,
	source           text,
	opened_at        timestamptz NOT NULL DEFAULT now(),
	closed_at        timestamptz,
	closed_why       text,
	notices          integer NOT NULL DEFAULT 0,
	last_notice_at   timestamptz,
	last_light       text,                  -- at the last notice: the worsening rule
	last_periods_to_red double precision
);
CREATE UNIQUE INDEX alert_episodes_open_status ON fragwatch.alert_episodes (area, org)
	WHERE kind = 'status' AND closed_at IS NULL;
COMMENT ON TABLE fragwatch.alert_episodes IS
	'What alerts are about: an early warning (warnings.id), a red area x organisation, a source with a data '
	'problem, or a dead delivery; open until it ends, with the count and time of its notices.';

-- The outbox: one row per notice, written in the transaction that found it.
CREATE TABLE fragwatch.alerts (
	id             bigserial PRIMARY KEY,
	dedup_key      text NOT NULL UNIQUE,     -- hex SHA-256 of episode|notice
	episode        text NOT NULL REFERENCES fragwatch.alert_episodes,
	notice         text NOT NULL,            -- '1', '2', ... or 'end'
	kind           text NOT NULL CHECK (kind IN ('warning', 'red', 'resolved', 'data', 'dead')),
	reason         text NOT NULL,
	ops            boolean NOT NULL DEFAULT false,
	area           text,
	org            text,
	indicator      text,
	title          text NOT NULL,
	details        jsonb NOT NULL,           -- what the message shows
	run_id         bigint REFERENCES fragwatch.runs,
	created_at     timestamptz NOT NULL DEFAULT now(),
	resends        integer NOT NULL DEFAULT 0
);
CREATE INDEX alerts_episode ON fragwatch.alerts (episode);
COMMENT ON TABLE fragwatch.alerts IS
	'The outbox: one row per notice (raised, repeated, worse, red, resolved, data problem, dead letter), '
	'written in the same transaction as the statuses and warnings it is about.';

-- One row per alert and recipient (channel + address or webhook URL).
CREATE TABLE fragwatch.alert_deliveries (
	alert_id         bigint NOT NULL REFERENCES fragwatch.alerts ON DELETE CASCADE,
	channel          text NOT NULL CHECK (channel IN ('email', 'webhook')),
	recipient        text NOT NULL,
	state            text NOT NULL DEFAULT 'pending'
	                     CHECK (state IN ('pending', 'sent', 'dead', 'superseded')),
	attempts         integer NOT NULL DEFAULT 0,
	next_at          timestamptz NOT NULL DEFAULT now(),
	first_attempt_at timestamptz,
	last_error       text,
	silenced_by      bigint,                 -- the silence that held it
	done_at          timestamptz,
	PRIMARY KEY (alert_id, channel, recipient)
);
CREATE INDEX alert_deliveries_pending ON fragwatch.alert_deliveries (channel, recipient)
	WHERE state = 'pending';

-- Every message sent or tried: one digest to one recipient.
CREATE TABLE fragwatch.alert_attempts (
	id        bigserial PRIMARY KEY,
	at        timestamptz NOT NULL DEFAULT now(),
	channel   text NOT NULL,
	recipient text NOT NULL,
	alert_ids bigint[] NOT NULL,
	ok        boolean NOT NULL,
	permanent boolean NOT NULL DEFAULT false,
	code      integer,                       -- SMTP reply code or HTTP status
	response  text,
	error     text
);
CREATE INDEX alert_attempts_at ON fragwatch.alert_attempts (at);

CREATE TABLE fragwatch.silences (
	id         bigserial PRIMARY KEY,
	area       text NOT NULL,
	org        text,                         -- NULL: every organisation and region-wide
	starts_at  timestamptz NOT NULL DEFAULT now(),
	ends_at    timestamptz NOT NULL,
	reason     text NOT NULL CHECK (reason <> ''),
	author     text NOT NULL CHECK (author <> ''),
	created_at timestamptz NOT NULL DEFAULT now(),
	expired_at timestamptz,                  -- ended early by `fragwatch silence expire`
	expired_by text,
	CHECK (ends_at > starts_at)
);
COMMENT ON TABLE fragwatch.silences IS
	'Operator silences of an area (or area x organisation): alerts are held while one is active, with who, '
	'why, until when, and who ended it early.';

-- Analyst views. Webhook URLs often hold a token: the views show only
-- their scheme and host.
CREATE VIEW fragwatch.alert_log AS
SELECT a.id AS alert_id, a.created_at, a.kind, a.reason, a.ops, a.area, ar.name AS area_name, a.org,
	CASE WHEN a.org = '*' THEN 'Region' ELSE o.name END AS org_name, a.indicator, a.title,
	CASE WHEN d.total = 0 THEN 'no recipient'
		WHEN d.pending > 0 THEN 'pending'
		WHEN d.dead > 0 THEN 'dead'
		WHEN d.sent > 0 THEN 'sent'
		ELSE 'superseded' END AS state,
	d.total AS recipients, d.sent, d.pending, d.dead, d.attempts, d.last_error,
	a.episode, a.notice, a.dedup_key, a.run_id, a.details
FROM fragwatch.alerts a
LEFT JOIN fragwatch.areas ar ON ar.code = a.area
LEFT JOIN fragwatch.organisations o ON o.code = a.org
CROSS JOIN LATERAL (SELECT count(*) AS total,
	count(*) FILTER (WHERE x.state = 'sent') AS sent,
	count(*) FILTER (WHERE x.state = 'pending') AS pending,
	count(*) FILTER (WHERE x.state = 'dead') AS dead,
	coalesce(sum(x.attempts), 0) AS attempts,
	max(x.last_error) AS last_error
	FROM fragwatch.alert_deliveries x WHERE x.alert_id = a.id) d;
COMMENT ON VIEW fragwatch.alert_log IS
	'Every alert (the outbox): kind (warning, red, resolved, data, dead), why, area, organisation, indicator, '
	'its title, and where its delivery stands: pending, sent, dead (gave up), superseded (raised and resolved '
	'while silenced) or no recipient; details holds the values the message showed.';

CREATE VIEW fragwatch.alert_delivery_log AS
SELECT t.id AS attempt_id, t.at, t.channel, CASE WHEN t.channel = 'webhook'
		THEN regexp_replace(t.recipient, '^([a-z]+://[^/?#]+).*$', '\1/...') ELSE t.recipient END AS recipient,
	t.alert_ids, t.ok, t.permanent, t.code, t.response, t.error
FROM fragwatch.alert_attempts t;
COMMENT ON VIEW fragwatch.alert_delivery_log IS
	'Every delivery attempt: one message (a digest of alert_ids) to one recipient, when, the SMTP reply '
	'code or HTTP status, the server''s response, and the error; permanent means retrying could not help.';

CREATE VIEW fragwatch.alert_silences AS
SELECT s.id AS silence_id, s.area, s.org, s.starts_at, s.ends_at, s.reason, s.author, s.created_at,
	s.expired_at, s.expired_by,
	s.expired_at IS NULL AND now() >= s.starts_at AND now() < s.ends_at AS active
FROM fragwatch.silences s;
COMMENT ON VIEW fragwatch.alert_silences IS
	'Silences of alerts per area (and organisation): who, why, from and until when, whether one is active now.';

GRANT SELECT ON fragwatch.alert_log, fragwatch.alert_delivery_log, fragwatch.alert_silences
	TO fragwatch_reader;

-- The newest value of every indicator of one area x organisation, with its
-- light, thresholds, period and source: the table an alert shows.
CREATE FUNCTION fragwatch.alert_indicators(p_area text, p_org text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('code', s.code, 'name', s.indicator,
		'value', s.value, 'light', s.status, 'green', s.green, 'red', s.red,
		'period', s.period, 'grain', s.grain, 'source', s.source) ORDER BY s.code), '[]'::jsonb)
	FROM (SELECT DISTINCT ON (code) * FROM fragwatch.indicator_series
		WHERE area = p_area AND org = p_org ORDER BY code, period DESC) s
$$;
