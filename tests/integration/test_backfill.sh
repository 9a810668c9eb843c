# test_backfill.sh - fragwatch backfill: dated URLs over HTTP and a drop directory's done/ files, one run each, idempotent; bad arguments.
. "$(dirname "$0")/../lib.sh"
# The extracts below are of weeks 5-10 of 2024: "today" just after them.
export FRAGWATCH_TODAY=2024-03-10
pg_start
http_start
X=$TOP/tests/data/extracts

# One dated extract per week, from the 2024-W01 rows of queue_good.csv:
# week W with its period column relabelled and the waiting totals + W,
# so that each week's rows are told apart by their sums.
# dated WEEK DATE: writes $T/www/queue-DATE.csv
dated() {
	awk -F';' -v OFS=';' -v w="$1" 'NR == 1 { print; next }
	    $1 == "2024-W01" { $1 = sprintf("2024-W%02d", w); $4 += w; print }' \
	    "$X/queue_good.csv" > "$T/www/queue-$2.csv"
}
dated 5 2024-01-29
dated 6 2024-02-05
dated 7 2024-02-12
rows_per_file=$(awk -F';' '$1 == "2024-W01"' "$X/queue_good.csv" | wc -l)
# Expected sum of waiting_total per week, from the files with awk.
sums=$(for d in 2024-01-29 2024-02-05 2024-02-12; do
	awk -F';' -v d="$d" 'NR > 1 { s += $4 } END { printf "%s:%d ", d, s }' "$T/www/queue-$d.csv"
done | sed 's/ $//')

# conf URL [EXTRA]: one weekly queue source "koer" reading URL, with EXTRA keys.
conf() {
	cp "$TOP/tests/data/region-test.conf" "$T/"
	cat > "$T/fw.conf" <<EOC
database = { conninfo = "$CONNINFO"; state_dir = "$T/state"; };
@include "region-test.conf"
sources = ( { name = "koer"; kind = "queue"; url = "$1"; period = "week"; timeout = 10;
	$2
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans"; }; },
	{ name = "plain"; kind = "queue"; url = "$HTTP/files/queue_good.csv"; period = "week";
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans"; }; } );
EOC
}
runs() { sql "SELECT coalesce(string_agg(regexp_replace(url, '.*/', '') || ':' || status, ' ' ORDER BY id), '') FROM fragwatch.runs WHERE source = 'koer' AND id > $1"; }
last_id() { sql "SELECT coalesce(max(id), 0) FROM fragwatch.runs"; }
week_sums() { sql "SELECT coalesce(string_agg(period || ':' || s, ' ' ORDER BY period), '') FROM (SELECT period, sum(waiting_total) s FROM fragwatch.queue_facts GROUP BY period) p"; }

conf "$HTTP/files/queue.csv" "backfill_url = \"$HTTP/files/queue-%Y-%m-%d.csv\";"
"$FW" -c "$T/fw.conf" migrate >/dev/null

# Three weeks: Wednesday 2024-01-31 is in the week of Monday 01-29, and
# Sunday 02-18 ends the week of 02-12.
before=$(last_id)
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-01-31 --to 2024-02-18 2>&1); rc=$?
assert_eq "backfill: three dated extracts load (exit 0)" 0 "$rc"
assert_eq "backfill: one run per dated URL, oldest first, each ok" \
    "queue-2024-01-29.csv:ok queue-2024-02-05.csv:ok queue-2024-02-12.csv:ok" "$(runs "$before")"
assert_eq "backfill: the runs fetched the pattern's URLs" \
    "$HTTP/files/queue-2024-01-29.csv|$HTTP/files/queue-2024-02-12.csv" \
    "$(sql "SELECT min(url) || '|' || max(url) FROM fragwatch.runs WHERE source = 'koer'")"
assert_match "backfill: a summary line per run" "^koer +ok +$rows_per_file loaded" "$out"
assert_eq "backfill: $rows_per_file rows per file, 3 files" "$((3 * rows_per_file))" "$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
assert_eq "backfill: each week holds its own file's rows" "$sums" "$(week_sums)"
assert_eq "backfill: each run loaded its own week" "2024-01-29|2024-02-05|2024-02-12" \
    "$(sql "SELECT string_agg(period_from || '', '|' ORDER BY id) FROM fragwatch.runs WHERE source = 'koer' AND period_from = period_to")"

# The same range again: nothing new, nothing duplicated.
facts_before=$(facts queue_facts)
before=$(last_id)
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-01-29 --to 2024-02-12 2>&1); rc=$?
assert_eq "backfill again: exit 0" 0 "$rc"
assert_eq "backfill again: each run unchanged" \
    "queue-2024-01-29.csv:unchanged queue-2024-02-05.csv:unchanged queue-2024-02-12.csv:unchanged" "$(runs "$before")"
assert_eq "backfill again: facts identical" "$facts_before" "$(facts queue_facts)"

# A corrected extract of one week is new: it loads and replaces that week.
sed -i 's/^\(2024-W06;NEURO;SU;\)[0-9]*;/\1999;/' "$T/www/queue-2024-02-05.csv"
before=$(last_id)
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-02-05 --to 2024-02-05 2>&1); rc=$?
assert_eq "backfill of a corrected week: loads it alone" "0|queue-2024-02-05.csv:ok" "$rc|$(runs "$before")"
assert_eq "backfill of a corrected week: its value replaced, no duplicate" "999|$((3 * rows_per_file))" \
    "$(sql "SELECT waiting_total FROM fragwatch.queue_facts WHERE period = '2024-02-05' AND area = 'NEURO' AND org = 'SU'")|$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
sums=$(for d in 2024-01-29 2024-02-05 2024-02-12; do
	awk -F';' -v d="$d" 'NR > 1 { s += $4 } END { printf "%s:%d ", d, s }' "$T/www/queue-$d.csv"
done | sed 's/ $//')
assert_eq "backfill of a corrected week: the other weeks as they were" "$sums" "$(week_sums)"

# A week whose file is missing (404): that run fails, the others load, exit 1.
dated 8 2024-02-19
dated 10 2024-03-04
before=$(last_id)
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-02-19 --to 2024-03-04 2>&1); rc=$?
assert_eq "backfill with a 404: exit 1" 1 "$rc"
assert_eq "backfill with a 404: the missing week fails, the others load" \
    "queue-2024-02-19.csv:ok queue-2024-02-26.csv:failed queue-2024-03-04.csv:ok" "$(runs "$before")"
assert_match "backfill with a 404: the failure says why" "^koer +failed .*404" "$out"
assert_eq "backfill with a 404: weeks 8 and 10 are in, 9 is not" "2024-02-19|2024-03-04" \
    "$(sql "SELECT string_agg(DISTINCT period::text, '|') FROM fragwatch.queue_facts WHERE period >= '2024-02-19'")"

# Bad arguments: usage errors (exit 2), and no run is started.
before=$(last_id)
usage() { # NAME EXPECTED-MESSAGE ARGS...
	local name=$1 msg=$2 out rc
	shift 2
	out=$("$FW" -c "$T/fw.conf" backfill "$@" 2>&1); rc=$?
	assert_eq "backfill $name: exit 2" 2 "$rc"
	assert_match "backfill $name: says why" "$msg" "$out"
}
usage "without --to" "usage: fragwatch backfill" koer --from 2024-01-01
usage "without --from" "usage: fragwatch backfill" koer --to 2024-01-01
usage "without a source" "usage: fragwatch backfill" --from 2024-01-01 --to 2024-02-01
usage "with a bad date" "--from '2024-13-01' is not a date" koer --from 2024-13-01 --to 2024-12-31
usage "with a date in another form" "--to '01/02/2024' is not a date" koer --from 2024-01-01 --to 01/02/2024
usage "with --from after --to" "--from is after --to" koer --from 2024-02-01 --to 2024-01-01
usage "of an unknown source" "no source 'koeer'" koeer --from 2024-01-01 --to 2024-02-01
usage "of a source without backfill_url" "source 'plain' has neither a backfill_url nor a drop directory" plain --from 2024-01-01 --to 2024-02-01
usage "with an unknown option" "unrecognized option|usage" koer --form 2024-01-01 --to 2024-02-01
assert_eq "bad arguments start no run" "$before" "$(last_id)"

# A drop directory: its loaded files wait in done/. Backfill re-runs those
# of a range, e.g. to rebuild a new database from them.
mkdir -p "$T/drop"
cp "$T/www/queue-2024-01-29.csv" "$T/drop/koer-2024-01-29.csv"
cp "$T/www/queue-2024-02-05.csv" "$T/drop/koer-20240205.csv"
cp "$T/www/queue-2024-02-12.csv" "$T/drop/koer-2024-W07.csv"
cp "$T/www/queue-2024-02-19.csv" "$T/drop/koer 2024-02-19.csv"
conf "dir://$T/drop" ""
out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
assert_eq "drop dir: four files load and go to done/" \
    "0|koer 2024-02-19.csv koer-2024-01-29.csv koer-2024-W07.csv koer-20240205.csv" \
    "$rc|$(ls "$T/drop/done" | tr '\n' ' ' | sed 's/ $//')"
# Not extracts of a date: never backfilled.
printf 'notes\n' > "$T/drop/done/notes.csv"
cp "$T/www/queue-2024-02-05.csv" "$T/drop/done/koer-latest.csv"

# A new, empty database: backfill 2024-02-07..2024-02-19 from done/. The
# week of Wednesday 02-07 starts Monday 02-05, so 20240205 is in.
psql -XAtq -h "$T/sock" -U fragwatch -d postgres -c "DROP DATABASE fragwatch" -c "CREATE DATABASE fragwatch" >/dev/null
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-02-07 --to 2024-02-19 2>&1); rc=$?
assert_eq "drop dir backfill: exit 0" 0 "$rc"
assert_eq "drop dir backfill: the dated files of the range, in name order, each loaded" \
    "koer%202024-02-19.csv:ok koer-2024-W07.csv:ok koer-20240205.csv:ok" "$(runs 0)"
assert_eq "drop dir backfill: read from done/" "3" \
    "$(sql "SELECT count(*) FROM fragwatch.runs WHERE url LIKE 'file://$T/drop/done/koer%'")"
assert_eq "drop dir backfill: the three weeks' rows" \
    "$(echo "$sums" | cut -d' ' -f2-3) 2024-02-19:$(awk -F';' 'NR > 1 { s += $4 } END { print s }' "$T/www/queue-2024-02-19.csv")" "$(week_sums)"
assert_eq "drop dir backfill: the files stay in done/, nothing waits" "6|" \
    "$(ls "$T/drop/done" | wc -l)|$(ls -A "$T/drop" | grep -v '^done$')"
facts_before=$(facts queue_facts)
before=$(last_id)
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2024-02-07 --to 2024-02-19 2>&1); rc=$?
assert_eq "drop dir backfill again: unchanged, exit 0" \
    "0|koer%202024-02-19.csv:unchanged koer-2024-W07.csv:unchanged koer-20240205.csv:unchanged" "$rc|$(runs "$before")"
assert_eq "drop dir backfill again: facts identical" "$facts_before" "$(facts queue_facts)"
# A range with no dated file: nothing to do, said so, exit 0.
out=$("$FW" -c "$T/fw.conf" backfill koer --from 2023-01-01 --to 2023-12-31 2>&1); rc=$?
assert_eq "drop dir backfill of an empty range: exit 0" 0 "$rc"
assert_match "drop dir backfill of an empty range: says so" "nothing to backfill for 'koer'" "$out"
