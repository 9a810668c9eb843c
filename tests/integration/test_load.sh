# test_load.sh - good extracts of each kind over HTTP into a real PostgreSQL; rejects; idempotency; refusals.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
make_conf "$T/fw.conf" "$HTTP/files/queue_good.csv" "$HTTP/files/referral_good.csv" "$HTTP/files/staffing_good.csv"

out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "run of three good extracts exits 0" 0 "$rc"
assert_match "run prints a summary line per source" "^koer +ok +36 loaded +0 rejected +0 skipped" "$out"

# Expected values computed from the CSV files with awk, independently of the C parser.
q_rows=$(awk 'NR > 1' "$X/queue_good.csv" | wc -l)
q_sum=$(awk -F';' 'NR > 1 { t += $4; o += $5 } END { print t ":" o }' "$X/queue_good.csv")
q_mean=$(awk -F';' 'NR > 1 { gsub(",", ".", $6); s += $6 } END { printf "%.1f", s }' "$X/queue_good.csv")
assert_eq "queue: every row loaded" "$q_rows" "$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
assert_eq "queue: waiting totals match the file" "$q_sum" "$(sql "SELECT sum(waiting_total) || ':' || sum(waiting_over_target) FROM fragwatch.queue_facts")"
assert_eq "queue: decimal-comma means match the file" "$q_mean" "$(sql "SELECT round(sum(mean_wait_days)::numeric, 1) FROM fragwatch.queue_facts")"
assert_eq "queue: ISO week 2024-W01 is the week of Monday 2024-01-01" "2024-01-01|2024-01-22" "$(sql "SELECT min(period) || '|' || max(period) FROM fragwatch.queue_facts")"
assert_eq "queue: one fact traced to its run and line" "koer|2|101" "$(sql "SELECT f.source || '|' || f.line || '|' || f.waiting_total FROM fragwatch.queue_facts f JOIN fragwatch.runs r ON r.id = f.run_id WHERE period = '2024-01-01' AND area = 'NEURO' AND org = 'SU'")"
r_sum=$(awk -F',' 'NR > 1 { r += $4; c += $7 } END { print r ":" c }' "$X/referral_good.csv")
assert_eq "referral: received and completed match the file" "$r_sum" "$(sql "SELECT sum(received) || ':' || sum(completed) FROM fragwatch.referral_facts")"
s_sum=$(awk -F';' 'NR > 1 { gsub(",", ".", $5); gsub(",", ".", $7); sub(" %", "", $7); f += $5; s += $7 } END { printf "%.1f:%.4f", f, s / 100 }' "$X/staffing_good.csv")
assert_eq "staffing: FTE and sick leave (percent) match the file" "$s_sum" "$(sql "SELECT round(sum(fte_filled)::numeric, 1) || ':' || round(sum(sick_leave_rate)::numeric, 4) FROM fragwatch.staffing_facts")"
assert_eq "staffing: months start on the first" "2024-01-01|2024-03-01|month" "$(sql "SELECT min(period) || '|' || max(period) || '|' || min(grain) FROM fragwatch.staffing_facts")"
assert_eq "runs: three loaded runs with SHA-256 and HTTP 200" "3|3|3" "$(sql "SELECT count(*) FILTER (WHERE status = 'ok') || '|' || count(*) FILTER (WHERE length(sha256) = 64) || '|' || count(*) FILTER (WHERE http_status = 200) FROM fragwatch.runs")"
assert_eq "runs: sha256 is the file's" "$(sha256sum "$X/queue_good.csv" | cut -c1-64)" "$(sql "SELECT sha256 FROM fragwatch.runs WHERE source = 'koer'")"

# The same extracts again: nothing new (304 or same checksum), no duplicates.
before=$(facts queue_facts)
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "second run of the same extracts exits 0" 0 "$rc"
assert_match "second run reports unchanged" "^koer +unchanged" "$out"
assert_eq "second run: facts identical, no duplicates" "$before" "$(facts queue_facts)"
# Without validators (file://) the checksum is what catches a repeat.
sed -i "s|$HTTP/files/queue_good.csv|file://$T/www/queue_good.csv|" "$T/fw.conf"
"$FW" -c "$T/fw.conf" run koer >/dev/null 2>&1
assert_eq "file:// repeat is unchanged by checksum" "unchanged" "$(sql "SELECT status FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")"

# A corrected extract for the same periods replaces the values.
sed 's/^2024-W01;NEURO;SU;101;/2024-W01;NEURO;SU;555;/' "$X/queue_good.csv" > "$T/www/queue_good.csv"
"$FW" -c "$T/fw.conf" run koer >/dev/null 2>&1
assert_eq "re-run of a period replaces its rows" "$q_rows|555" "$(sql "SELECT count(*) || '|' || max(waiting_total) FILTER (WHERE period = '2024-01-01' AND area = 'NEURO' AND org = 'SU') FROM fragwatch.queue_facts")"

# Bad rows are rejected with line, column and reason; the rest load.
cp "$X/queue_bad_rows.csv" "$T/www/queue.csv"
sed -i "s|file://$T/www/queue_good.csv|$HTTP/files/queue.csv|" "$T/fw.conf"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
assert_eq "extract with some bad rows loads (exit 0)" 0 "$rc"
run=$(sql "SELECT id FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")
assert_eq "bad rows: counts read/loaded/rejected" "20|14|6" "$(sql "SELECT rows_read || '|' || rows_loaded || '|' || rows_rejected FROM fragwatch.runs WHERE id = $run")"
rejects=$(sql "SELECT line || ':' || coalesce(column_name, '') || ':' || reason FROM fragwatch.rejects WHERE run_id = $run ORDER BY line")
assert_match "reject: bad date with line and column" "^3:vecka:bad date '2024-W99'" "$rejects"
assert_match "reject: negative count" "^4:vantande:negative count '-5'" "$rejects"
assert_match "reject: unknown area code" "^5:vardomrade:unknown area code 'KARDIO'" "$rejects"
assert_match "reject: not a number" "^6:medelvantetid:'abc' is not a number" "$rejects"
assert_match "reject: over target above total" "^7:vantande_over_grans:waiting_over_target 200 is larger than waiting_total 100" "$rejects"
assert_match "reject: duplicate key names the first line" "^12::duplicate of line 2" "$rejects"
assert_eq "reject keeps the raw row" "2024-W99;NEURO;SAS;100;10;30,0;25;80;5" "$(sql "SELECT raw FROM fragwatch.rejects WHERE run_id = $run AND line = 3")"
assert_eq "null marker in an optional field loads as NULL" "t" "$(sql "SELECT mean_wait_days IS NULL FROM fragwatch.queue_facts WHERE period = '2024-01-01' AND area = 'BUP' AND org = 'NU'")"
assert_eq "the first of duplicate rows wins" "100" "$(sql "SELECT waiting_total FROM fragwatch.queue_facts WHERE period = '2024-01-01' AND area = 'NEURO' AND org = 'SU'")"

# Above max_reject_share the whole extract is refused; 20 rejects are kept.
before=$(facts queue_facts)
{ head -1 "$X/queue_good.csv"; for i in $(seq 1 30); do echo "2024-W10;NEURO;SU;x$i;1;1;1;1;1"; done; echo "2024-W10;BUP;SU;10;1;1;1;1;1"; } > "$T/www/queue.csv"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
assert_eq "too many rejects: exit 1" 1 "$rc"
assert_match "too many rejects: reason given" "refused .*30 of 31 rows rejected" "$out"
assert_eq "too many rejects: facts unchanged" "$before" "$(facts queue_facts)"
run=$(sql "SELECT id FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")
assert_eq "too many rejects: run refused, first 20 rejects kept" "refused|20|2" "$(sql "SELECT status || '|' || (SELECT count(*) FROM fragwatch.rejects WHERE run_id = $run) || '|' || (SELECT min(line) FROM fragwatch.rejects WHERE run_id = $run) FROM fragwatch.runs WHERE id = $run")"

# A header without a required column refuses the extract.
cp "$X/queue_missing_column.csv" "$T/www/queue.csv"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
assert_eq "missing column: exit 1" 1 "$rc"
assert_match "missing column: named in the error" "refused .*no column 'vantande_over_grans' for field 'waiting_over_target'" "$out"
assert_eq "missing column: facts unchanged" "$before" "$(facts queue_facts)"

# A Windows-1252 file read as UTF-8 is refused with the cause; read as
# WINDOWS-1252 its aliases with å/ä/ö map.
printf 'vecka;vardomrade;forvaltning;vantande;vantande_over_grans\n2024-W11;\326GON;S\304S;40;4\n' > "$T/www/queue.csv"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1)
assert_match "wrong encoding: refused with the cause" "refused .*invalid UTF-8 at byte [0-9]+.*WINDOWS-1252" "$out"
cat > "$T/cp1252.conf" <<EOC
database = { conninfo = "$CONNINFO"; };
@include "region-test.conf"
sources = ( { name = "koer"; kind = "queue"; url = "$HTTP/files/queue.csv"; period = "week";
	format = { encoding = "WINDOWS-1252"; delimiter = ";"; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans"; }; } );
EOC
out=$("$FW" -c "$T/cp1252.conf" run koer 2>&1)
assert_eq "WINDOWS-1252 with aliases ÖGON/SÄS loads" "40" "$(sql "SELECT waiting_total FROM fragwatch.queue_facts WHERE period = '2024-03-11' AND area = 'OGON' AND org = 'SAS'")"
