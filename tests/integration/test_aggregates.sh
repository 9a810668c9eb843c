# test_aggregates.sh - fragwatch's facts of a record extract equal a plain SQL GROUP BY over the same file loaded by psql \copy (keep_records true and false).
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
ROWS=${AGG_ROWS:-20000}
GEN=$(dirname "$FW")/tests/tools/genreferrals
[ -x "$GEN" ] || GEN=$TOP/build/tests/tools/genreferrals
"$GEN" "$ROWS" "$T/www/referrals.csv" "$T/region.conf"
# Rows both loaders take as they are, on top of the generated ones (which
# are received 2023-01-02..2025-12-28 and closed within 180 days): the
# same day received, assessed and closed; no status and no dates; closed
# long after, in a week nothing was received; a status in other case.
cat >> "$T/www/referrals.csv" <<'EOF'
X1;2026-08-03;A01;O1;Hudmottagning Borås;1;accepted;2026-08-03;2026-08-03;Närhälsan Lerum;L40.0
X2;2026-08-04;A01;O1;Hudmottagning Borås;2;;;;Närhälsan Lerum;L40.0
X3;2023-01-02;A25;O6;Kirurgmottagning Alingsås;3;rejected;2023-01-02;2027-06-30;Capio Lundby;K40.9
X4;2026-08-05;A01;O1;Hudmottagning Borås;1;Accepted;2026-08-06;;Närhälsan Lerum;L40.0
EOF

conf() {  # conf FILE NAME KEEP
	cat > "$1" <<EOC
database = { conninfo = "$CONNINFO"; };
@include "region.conf"
sources = ( { name = "$2"; kind = "referral"; grain = "record"; keep_records = $3;
	url = "$HTTP/files/referrals.csv"; period = "week"; max_age_days = 3650;
	format = { delimiter = ";"; };
	columns = { received = "received"; area = "area"; org = "org"; status = "status";
	            assessed = "assessed"; closed = "closed"; }; } );
EOC
}
conf "$T/keep.conf" keep true
conf "$T/nokeep.conf" nokeep false
"$FW" -c "$T/keep.conf" migrate >/dev/null 2>&1

# The reference: the same file in a plain typed table, aggregated by SQL
# alone, for the areas the region knows (fragwatch rejects area A99).
plain_load() {
	sql "SET client_min_messages = warning; DROP TABLE IF EXISTS plain CASCADE; CREATE TABLE plain (referral_id text, received date, area text, org text,
		unit text, priority integer, status text, assessed date, closed date, referrer text, diagnosis text)" >/dev/null
	psql -XAtq -h "$T/sock" -U fragwatch -d fragwatch -v ON_ERROR_STOP=1 \
	    -c "\\copy plain FROM '$T/www/referrals.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
	sql "UPDATE plain SET status = lower(status)" >/dev/null
	sql "CREATE VIEW expected AS
		WITH r AS (SELECT * FROM plain WHERE area IN (SELECT code FROM fragwatch.areas)),
		recv AS (SELECT date_trunc('week', received)::date AS period, area, org, count(*) AS received,
			CASE WHEN count(status) > 0 THEN count(*) FILTER (WHERE status = 'accepted') END AS accepted,
			CASE WHEN count(status) > 0 THEN count(*) FILTER (WHERE status = 'rejected') END AS rejected,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY assessed - received) AS triage
			FROM r GROUP BY 1, 2, 3),
		done AS (SELECT date_trunc('week', closed)::date AS period, area, org, count(*) AS completed
			FROM r WHERE closed IS NOT NULL GROUP BY 1, 2, 3)
		SELECT period, area, org, coalesce(recv.received, 0) AS received, recv.accepted, recv.rejected,
			coalesce(done.completed, 0) AS completed, recv.triage
		FROM recv FULL JOIN done USING (period, area, org)" >/dev/null
}
# Rows in one and not the other, both ways: 0 when equal, column by column.
facts_diff() {
	sql "SELECT count(*) FROM ((SELECT * FROM expected EXCEPT ALL SELECT period, area, org, received, accepted,
		rejected, completed, triage_median_days FROM fragwatch.referral_facts)
		UNION ALL (SELECT period, area, org, received, accepted, rejected, completed, triage_median_days
		FROM fragwatch.referral_facts EXCEPT ALL SELECT * FROM expected)) d"
}
# fragwatch first: its run fills fragwatch.areas from the config.
out=$("$FW" -c "$T/keep.conf" run keep 2>&1)
plain_load
known=$(sql "SELECT count(*) FROM plain WHERE area IN (SELECT code FROM fragwatch.areas)")
unknown=$(sql "SELECT count(*) FROM plain WHERE area NOT IN (SELECT code FROM fragwatch.areas)")
nfacts=$(sql "SELECT count(*) FROM expected")
assert_match "the extract has rows fragwatch must reject (area A99)" "^[1-9]" "$unknown"
assert_eq "the areas are the region's 25" "25" "$(sql "SELECT count(*) FROM fragwatch.areas")"
assert_match "keep_records = true: loaded, A99 rows rejected" "^keep +ok_with_rejects +$known loaded +$unknown rejected" "$out"
assert_eq "keep_records = true: as many facts as the GROUP BY" "$nfacts" "$(sql "SELECT count(*) FROM fragwatch.referral_facts")"
assert_eq "keep_records = true: facts equal the GROUP BY, every column" "0" "$(facts_diff)"
assert_eq "the hand-added week: 3 received, 2 accepted, triage median of {0, 1} = 0.5" \
    "3|2|0|1|0.5" "$(sql "SELECT received || '|' || accepted || '|' || rejected || '|' || completed || '|' || triage_median_days FROM fragwatch.referral_facts WHERE period = '2026-08-03' AND area = 'A01' AND org = 'O1'")"
assert_eq "a week with only a closing: completed, no received" "0|||1" \
    "$(sql "SELECT concat_ws('|', received, coalesce(accepted::text, ''), coalesce(rejected::text, ''), completed) FROM fragwatch.referral_facts WHERE period = '2027-06-28' AND area = 'A25' AND org = 'O6'")"
assert_eq "kept records equal the known rows of the file" "0" "$(sql "SELECT count(*) FROM (
	(SELECT received, area, org, status, assessed, closed FROM plain WHERE area IN (SELECT code FROM fragwatch.areas)
	 EXCEPT ALL SELECT received, area, org, status, assessed, closed FROM fragwatch.referral_records)
	UNION ALL (SELECT received, area, org, status, assessed, closed FROM fragwatch.referral_records
	 EXCEPT ALL SELECT received, area, org, status, assessed, closed FROM plain WHERE area IN (SELECT code FROM fragwatch.areas))) d")"
# Generated row R000000001 is data row 1, on line 2 (after the header);
# the four X rows are not generated.
assert_eq "kept records carry the file's line numbers" "0|$((known - 4))" "$(sql "SELECT count(*) FILTER (WHERE
	(r.received, r.area, r.org) IS DISTINCT FROM (p.received, p.area, p.org)) || '|' || count(*)
	FROM fragwatch.referral_records r JOIN plain p ON p.referral_id LIKE 'R%'
	AND substr(p.referral_id, 2)::bigint + 1 = r.line")"
assert_eq "every A99 row is in rejects with its line and reason" "$unknown" \
    "$(sql "SELECT count(*) FROM fragwatch.rejects WHERE column_name = 'area' AND reason = 'unknown area code ''A99''' AND raw LIKE '%;A99;%'")"

# The same extract changed (one status, one row less) replaces the kept
# records of its weeks: never doubled, and the facts follow.
sed -i -e '2s/;accepted;/;rejected;/; 2s/;pending;/;rejected;/' -e '3d' "$T/www/referrals.csv"
plain_load
"$FW" -c "$T/keep.conf" run keep >/dev/null 2>&1
known=$(sql "SELECT count(*) FROM plain WHERE area IN (SELECT code FROM fragwatch.areas)")
assert_eq "re-run: records replaced, not doubled" "$known" "$(sql "SELECT count(*) FROM fragwatch.referral_records")"
assert_eq "re-run: facts equal the GROUP BY of the new file" "0" "$(facts_diff)"

# keep_records = false: the same facts from the stream alone, no records.
sql "TRUNCATE fragwatch.referral_facts, fragwatch.referral_records" >/dev/null
out=$("$FW" -c "$T/nokeep.conf" run nokeep 2>&1)
assert_match "keep_records = false: loaded" "^nokeep +ok_with_rejects +$known loaded" "$out"
assert_eq "keep_records = false: facts equal the GROUP BY, every column" "0" "$(facts_diff)"
assert_eq "keep_records = false: no records kept" "0" "$(sql "SELECT count(*) FROM fragwatch.referral_records")"
assert_match "indicators computed from the facts" "^[1-9]" "$(sql "SELECT count(*) FROM fragwatch.indicator_values WHERE code = 'R1' AND value IS NOT NULL")"
