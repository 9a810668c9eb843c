# test_valgrind.sh - the integration path (load with rejects, a refusal, status, report, export, the daemon) under valgrind: no errors, no leaks.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
cp "$X/queue_bad_rows.csv" "$T/www/queue.csv"
make_conf "$T/fw.conf" "$HTTP/files/queue.csv" "$HTTP/files/referral_good.csv" "$HTTP/html"
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=$T/vg.%p.log"

$VG "$FW_PLAIN" -c "$T/fw.conf" run >"$T/run.out" 2>&1; rc=$?
assert_eq "valgrind: run exits 1 (one source refused), not 99" 1 "$rc"
assert_eq "valgrind: rows still loaded under valgrind" "14" "$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
$VG "$FW_PLAIN" -c "$T/fw.conf" status >/dev/null 2>&1; rc=$?
assert_eq "valgrind: status exits 0" 0 "$rc"
$VG "$FW_PLAIN" check-config "$TOP/tests/data/test.conf" >/dev/null 2>&1; rc=$?
assert_eq "valgrind: check-config of a bad file exits 3" 3 "$rc"
$VG "$FW_PLAIN" -c "$T/fw.conf" report -o "$T/report.html" >/dev/null 2>&1; rc=$?
assert_eq "valgrind: report exits 0" 0 "$rc"
$VG "$FW_PLAIN" -c "$T/fw.conf" export --view status_board -o "$T/board.csv" >/dev/null 2>&1; rc=$?
assert_eq "valgrind: export exits 0" 0 "$rc"

# The daemon: a catch-up run, a reload, a stop.
sed -i 's|name = "koer";|name = "koer"; schedule = "0 3 * * *";|' "$T/fw.conf"
printf 'daemon = { allow_root = true; };\n' >> "$T/fw.conf"
sql "UPDATE fragwatch.runs SET started_at = started_at - interval '1 day'" >/dev/null
$VG "$FW_PLAIN" -c "$T/fw.conf" daemon 2>"$T/daemon.err" &
pid=$!
for _ in $(seq 600); do grep -q "source koer run [0-9]* " "$T/daemon.err" && break; sleep 0.1; done
kill -HUP $pid
for _ in $(seq 300); do grep -q "reloaded" "$T/daemon.err" && break; sleep 0.1; done
kill -TERM $pid
wait $pid; rc=$?
assert_eq "valgrind: the daemon ran, reloaded and stopped with 0" "0 2" "$rc $(grep -cE 'source koer run|reloaded' "$T/daemon.err")"
errors=$(cat "$T"/vg.*.log)
assert_eq "valgrind: no errors or leaks reported" "" "$errors"
