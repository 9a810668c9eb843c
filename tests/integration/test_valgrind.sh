# test_valgrind.sh - the integration path (load with rejects, a refusal, status) under valgrind: no errors, no leaks.
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
errors=$(cat "$T"/vg.*.log)
assert_eq "valgrind: no errors or leaks reported" "" "$errors"
