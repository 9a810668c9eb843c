# test_indicators.sh - indicator values, lights, roll-ups, composite, history, board and the reader role, against hand-computed values.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
D=$TOP/tests/data/indicators
cp "$D"/*.csv "$T/www/"
make_conf "$T/fw.conf" "$HTTP/files/queue.csv" "$HTTP/files/referral.csv" "$HTTP/files/staffing.csv"
# "Today" is fixed so that freshness is deterministic: the last referral week.
FRAGWATCH_TODAY=2024-02-19 "$FW" -c "$T/fw.conf" run >"$T/run1.out" 2>&1 || { not_ok "setup: first load" "$(cat "$T/run1.out")"; }

# iv AREA ORG CODE PERIOD -> value rounded to 4 places | status | grey reason
iv() { sql "SELECT coalesce(round(value::numeric, 4)::text, 'null') || '|' || status || '|' || coalesce(grey_reason, '') FROM fragwatch.indicator_values WHERE area = '$1' AND org = '$2' AND code = '$3' AND period = '$4'"; }
# st AREA ORG AS_OF -> status | score rounded to 4 places | drivers | grey reason
st() { sql "SELECT status || '|' || coalesce(round(score::numeric, 4)::text, 'null') || '|' || coalesce(drivers, '') || '|' || coalesce(grey_reason, '') FROM fragwatch.area_status WHERE area = '$1' AND org = '$2' AND as_of = '$3'"; }

# Q1 = 1 - over / total.  NEURO SU W1: 1 - 10/100 = 0.9 (green >= 0.80).
assert_eq "Q1 NEURO SU W1 = 1 - 10/100, green" "0.9000|green|" "$(iv NEURO SU Q1 2024-01-01)"
# W4: 1 - 40/130 = 0.692308 (red < 0.70).
assert_eq "Q1 NEURO SU W4 = 1 - 40/130, red" "0.6923|red|" "$(iv NEURO SU Q1 2024-01-22)"
# Region-wide from summed counts: 1 - (40 + 30)/(130 + 300) = 0.837209 (green);
# averaging the two ratios would give (0.6923 + 0.9)/2 = 0.796 (yellow).
assert_eq "Q1 NEURO region W4 from summed counts, green" "0.8372|green|" "$(iv NEURO '*' Q1 2024-01-22)"
assert_eq "Q1 region keeps its inputs (numerator, denominator, n)" "360|430|430" "$(sql "SELECT numerator || '|' || denominator || '|' || n FROM fragwatch.indicator_values WHERE area = 'NEURO' AND org = '*' AND code = 'Q1' AND period = '2024-01-22'")"
# Q2 = growth over 3 periods: W4 (130 - 100)/100 = 0.30 (red > 0.10); W3 has no W0: missing.
assert_eq "Q2 NEURO SU W4 = (130-100)/100, red" "0.3000|red|" "$(iv NEURO SU Q2 2024-01-22)"
assert_eq "Q2 region W4 = (430-400)/400, yellow" "0.0750|yellow|" "$(iv NEURO '*' Q2 2024-01-22)"
assert_eq "Q2 without the period 3 back is grey (missing)" "null|grey|missing" "$(iv NEURO SU Q2 2024-01-15)"
# Q3 = 2 x mean / T (T = 90): W4 2*54/90 = 1.2 (red >= 1.0); W2 2*36/90 = 0.8 exactly (yellow: green is < 0.8).
assert_eq "Q3 NEURO SU W4 = 2*54/90, red" "1.2000|red|" "$(iv NEURO SU Q3 2024-01-22)"
assert_eq "Q3 NEURO SU W2 = 0.8 exactly, yellow" "0.8000|yellow|" "$(iv NEURO SU Q3 2024-01-08)"
# Region mean wait weighted by patients: (54*130 + 30*300)/430 = 37.2558; 2*37.2558/90 = 0.827907.
assert_eq "Q3 region W4 from the patient-weighted mean, yellow" "0.8279|yellow|" "$(iv NEURO '*' Q3 2024-01-22)"
# BUP: 10 patients < 20 cases: grey, whatever the value.
assert_eq "Q1 with 10 cases is grey (too few)" "0.9000|grey|fewer than 20 cases" "$(iv BUP SU Q1 2024-01-01)"
# BUP's guarantee limit is 30 days: Q3 = 2*10/30.
assert_eq "Q3 uses the area's own limit (BUP 30 days)" "0.6667" "$(sql "SELECT round(value::numeric, 4) FROM fragwatch.indicator_values WHERE area = 'BUP' AND org = 'SU' AND code = 'Q3' AND period = '2024-01-01'")"
# R1 = received / completed over 8 weeks: W8 80/64 = 1.25 (red > 1.05); W7 has 7 weeks only.
assert_eq "R1 NEURO SU W8 = 80/64 over 8 weeks, red" "1.2500|red|" "$(iv NEURO SU R1 2024-02-19)"
assert_eq "R1 with an incomplete window is grey" "null|grey|missing" "$(iv NEURO SU R1 2024-02-12)"
assert_eq "R2 without last year's data is grey" "null|grey|missing" "$(iv NEURO SU R2 2024-02-19)"
# Staffing, January: S1 34/40 = 0.85 (yellow: red is < 0.85), S2 1 key role (red <= 1), S3 2/34 = 0.0588 (red > 0.05).
assert_eq "S1 = 34/40 exactly on the red bound, yellow" "0.8500|yellow|" "$(iv NEURO SU S1 2024-01-01)"
assert_eq "S2 = 1 key role, red" "1.0000|red|" "$(iv NEURO SU S2 2024-01-01)"
assert_eq "S3 = 2/34 hired, red" "0.0588|red|" "$(iv NEURO SU S3 2024-01-01)"
assert_eq "S4 needs 3 months: grey" "null|grey|missing" "$(iv NEURO SU S4 2024-01-01)"

# Composite: points green 0, yellow 1, red 2, weights 2 (Q1 Q3 R1 S1 S2) or 1.
# 2024-01-01: Q1 G(2) Q3 G(2) S1 Y(2) S2 R(2) S3 R(1), rest grey:
#   (0 + 0 + 2 + 4 + 2) / (4 + 4 + 4 + 4 + 2) = 8/18 = 0.4444 -> yellow.
assert_eq "composite NEURO SU 2024-01-01 = 8/18, yellow" "yellow|0.4444|S2 red, S3 red, S1 yellow|" "$(st NEURO SU 2024-01-01)"
# 2024-01-08: Q1 0.818 G, Q3 0.8 Y: (0 + 2 + 2 + 4 + 2)/18 = 10/18 = 0.5556 -> red.
assert_eq "composite NEURO SU 2024-01-08 = 10/18, red" "red|0.5556|S2 red, S3 red, Q3 yellow, S1 yellow|" "$(st NEURO SU 2024-01-08)"
# 2024-02-19: Q1 R Q2 R Q3 R (W4), R1 R, S1 Y S2 R S3 R:
#   (4 + 2 + 4 + 4 + 2 + 4 + 2)/(4 + 2 + 4 + 4 + 4 + 4 + 2) = 22/24 = 0.9167 -> red.
assert_eq "composite NEURO SU 2024-02-19 = 22/24, red" "red|0.9167|Q1 red, Q2 red, Q3 red, R1 red, S2 red, S3 red, S1 yellow|" "$(st NEURO SU 2024-02-19)"
# Region-wide W4 (2024-01-22): Q1 G, Q2 Y(1), Q3 Y(2), R1 grey (7 weeks), S1 Y, S2 R, S3 R:
#   (0 + 1 + 2 + 2 + 4 + 2)/(4 + 2 + 4 + 4 + 4 + 2) = 11/20 = 0.55 -> red.
assert_eq "composite NEURO region 2024-01-22 = 11/20, red" "red|0.5500|S2 red, S3 red, Q2 yellow, Q3 yellow, S1 yellow|" "$(st NEURO '*' 2024-01-22)"
# BUP SU: every indicator grey (too few cases): grey, no score.
assert_eq "composite with every indicator grey is grey" "grey|null||no indicator known (missing data or too few cases)" "$(st BUP SU 2024-01-01)"

# History: every change with from, to and the run that recorded it.
run1=$(sql "SELECT max(id) FROM fragwatch.runs WHERE status IN ('ok', 'ok_with_rejects')")
assert_eq "history: NEURO SU first status and the change to red" "|yellow;yellow|red" "$(sql "SELECT string_agg(coalesce(from_status, '') || '|' || to_status, ';' ORDER BY as_of) FROM fragwatch.area_status_history WHERE area = 'NEURO' AND org = 'SU' AND as_of <= '2024-01-22'")"
assert_eq "history: the change records its drivers" "S2 red, S3 red, Q3 yellow, S1 yellow" "$(sql "SELECT drivers FROM fragwatch.area_status_history WHERE area = 'NEURO' AND org = 'SU' AND as_of = '2024-01-08'")"

# A second load two months later: the data are now stale as of today.
cp "$D/queue2.csv" "$T/www/queue.csv"
FRAGWATCH_TODAY=2024-04-15 "$FW" -c "$T/fw.conf" run koer >"$T/run2.out" 2>&1
run2=$(sql "SELECT max(id) FROM fragwatch.runs WHERE source = 'koer'")
# W5: Q1 1 - 13/130 = 0.9 G, Q2 (130 - 110)/110 = 0.1818 R(1), Q3 2*30/90 G; R1 grey; S1 Y S2 R S3 R:
#   (0 + 2 + 0 + 2 + 4 + 2)/(4 + 2 + 4 + 4 + 4 + 2) = 10/20 = 0.5 -> red.
assert_eq "composite NEURO SU W5 = 10/20, red" "red|0.5000" "$(st NEURO SU 2024-01-29 | cut -d'|' -f1,2)"
assert_eq "stale inputs make the composite grey, naming them" "grey|null||stale: Q1, Q2, Q3, R1, R2, S1, S2, S3, S4, S5" "$(st NEURO SU 2024-04-15)"
assert_eq "history: the turn to grey is recorded by the second run" "red|grey|$run2" "$(sql "SELECT from_status || '|' || to_status || '|' || run_id FROM fragwatch.area_status_history WHERE area = 'NEURO' AND org = 'SU' AND as_of = '2024-04-15'")"
assert_eq "history: earlier changes keep the run that recorded them" "$run1" "$(sql "SELECT max(run_id) FROM fragwatch.area_status_history WHERE area = 'NEURO' AND org = 'SU' AND as_of <= '2024-01-08'")"
assert_eq "indicator values record the run that produced them" "$run2" "$(sql "SELECT run_id FROM fragwatch.indicator_values WHERE area = 'NEURO' AND org = 'SU' AND code = 'Q1' AND period = '2024-01-29'")"

# The board: plain letters when not a terminal, the region column, source ages.
out=$(FRAGWATCH_TODAY=2024-04-15 "$FW" -c "$T/fw.conf" status 2>&1)
assert_match "board: NEURO row with letters (SU, SAS, NU, region)" "^NEURO +Neurologi +- +- +\. +-" "$out"
assert_match "board: BUP grey where too few cases" "^BUP +Barn- och ungdomspsykiatri +- +\. +\. +-" "$out"
assert_match "board: source age and staleness" "^koer +queue +stale .* 2024-01-29 +70 d +STALE" "$out"
out=$(FRAGWATCH_TODAY=2024-02-19 "$FW" -c "$T/fw.conf" status --area neuro --org su 2>&1)
assert_match "status --area: Q1 value, light, thresholds and last periods" "^Q1 +share waiting within the guarantee limit +90.0% +G +>= 0.8 +< 0.7 +90.0% +81.8% +75.0% +69.2% +90.0%" "$out"
assert_match "status --area: the composite in words" "^status +- +grey as of 2024-04-15; stale" "$out"
out=$("$FW" -c "$T/fw.conf" status --area NOPE 2>&1); rc=$?
assert_eq "status --area of an unknown area exits 2" 2 "$rc"

# The analyst views and the read-only role.
assert_eq "view status_board: region-wide row named" "Neurologi|Region|grey" "$(sql "SELECT area_name || '|' || org_name || '|' || status FROM fragwatch.status_board WHERE area = 'NEURO' AND org = '*'")"
assert_eq "view indicator_series: traced to the source file" "koer|$(sha256sum "$D/queue2.csv" | cut -c1-64)" "$(sql "SELECT source || '|' || source_sha256 FROM fragwatch.indicator_series WHERE area = 'NEURO' AND org = 'SU' AND code = 'Q1' AND period = '2024-01-29'")"
assert_eq "view data_freshness: koer stale" "t" "$(sql "SELECT stale FROM fragwatch.data_freshness WHERE source = 'koer'")"
assert_eq "views are documented with COMMENT ON" "0" "$(sql "SELECT count(*) FROM pg_views v WHERE schemaname = 'fragwatch' AND obj_description(format('%I.%I', schemaname, viewname)::regclass) IS NULL")"
assert_eq "fragwatch_reader can read the views" "3" "$(sql "SET ROLE fragwatch_reader; SELECT count(*) FROM fragwatch.status_board WHERE area = 'NEURO'")"
out=$(sql "SET ROLE fragwatch_reader; INSERT INTO fragwatch.runs (source, kind, url, status) VALUES ('x', 'queue', 'x', 'ok')" 2>&1)
assert_match "fragwatch_reader is refused an INSERT" "permission denied for table runs" "$out"
out=$(sql "SET ROLE fragwatch_reader; SELECT count(*) FROM fragwatch.queue_facts" 2>&1)
assert_match "fragwatch_reader cannot read base tables" "permission denied for table queue_facts" "$out"

# check-config: thresholds in the wrong order for the indicator's direction.
sed 's|^database = {|indicators = { thresholds = { Q1 = { green = "<= 0.8"; red = "> 0.7"; }; R1 = { green = "< 1.2"; red = "> 1.1"; }; }; };\ndatabase = {|' "$T/fw.conf" > "$T/bad.conf"
out=$("$FW" check-config "$T/bad.conf" 2>&1); rc=$?
assert_eq "check-config: wrong-order thresholds exit 3" 3 "$rc"
assert_match "check-config: Q1 direction named" "the region's thresholds of Q1 \(Q1 is worse when lower\) are in the wrong order" "$out"
assert_match "check-config: overlapping R1 bands" "thresholds of R1 .* wrong order" "$out"
