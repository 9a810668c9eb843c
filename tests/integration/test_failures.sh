# test_failures.sh - extracts and conditions that must be refused or fail without touching the data.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
make_conf "$T/fw.conf" "$HTTP/files/queue_good.csv" "$HTTP/files/referral_good.csv" "$HTTP/files/staffing_good.csv"
"$FW" -c "$T/fw.conf" run >/dev/null 2>&1 || not_ok "setup: the good extracts load"
good=$(facts queue_facts)

# expect_kept NAME URL STATUS ERROR_PATTERN: runs koer from URL and checks
# the exit code, the run's status and error, and that the facts stand.
expect_kept() {
	sed -i "s|^\(\t\turl = \)\"[^\"]*\";\(.*\)# koer$|\1\"$2\";\2# koer|" "$T/fw.conf"
	out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
	row=$(sql "SELECT status || '|' || coalesce(error, '') FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")
	assert_eq "$1: exit 1" 1 "$rc"
	assert_match "$1: run $3 with reason" "^$3\|.*$4" "$row"
	assert_eq "$1: previous data stand" "$good" "$(facts queue_facts)"
}
# Mark koer's url line so that expect_kept can swap it.
awk '/name = "koer"/ { k = 1 } k && /url = / { sub(/;$/, "; # koer"); k = 0 } { print }' "$T/fw.conf" > "$T/fw.tmp" && mv "$T/fw.tmp" "$T/fw.conf"

expect_kept "HTTP 500" "$HTTP/status/500" failed "HTTP 500"
assert_eq "HTTP 500: status code recorded" 500 "$(sql "SELECT http_status FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")"
expect_kept "HTTP 404" "$HTTP/files/nope.csv" failed "HTTP 404"
expect_kept "truncated transfer" "$HTTP/truncate/queue_good.csv" refused "transfer truncated"
expect_kept "empty body" "$HTTP/empty" refused "the extract is empty"
expect_kept "HTML page served as 200" "$HTTP/html" refused "HTML page"
printf '<!DOCTYPE html>\n<html><body>Maintenance</body></html>\n' > "$T/www/page.csv"
expect_kept "HTML body with a CSV content type" "$HTTP/files/page.csv" refused "HTML or XML, not CSV"
printf '{"error": "not found"}\n' > "$T/www/err.csv"
expect_kept "JSON body" "$HTTP/files/err.csv" refused "JSON, not CSV"
head -c 3000 /dev/urandom | tr -d '<{[' | sed '1s/^/PK\x03\x04\x00/' > "$T/www/zip.csv"
expect_kept "binary body" "$HTTP/files/zip.csv" refused "binary"
head -1 "$X/queue_good.csv" > "$T/www/header.csv"
expect_kept "header only" "$HTTP/files/header.csv" refused "header but no rows"
{ head -1 "$X/queue_good.csv"; printf '2024-W09;NEURO;SU;1;1;"'; head -c 1100000 /dev/zero | tr '\0' 'a'; printf '";1;1;1\n'; } > "$T/www/huge.csv"
expect_kept "huge field" "$HTTP/files/huge.csv" refused "line 2 is longer than 1048576 bytes"
{ head -1 "$X/queue_good.csv"; printf '2024-W09;NEURO;SU;1;1;"unterminated\n'; } > "$T/www/open.csv"
expect_kept "unterminated quote (truncated file)" "$HTTP/files/open.csv" refused "ends inside a quoted field"
{ head -1 "$X/queue_good.csv"; printf '2024-W09;NEURO;SU;1;1;a"b;1;1;1\n'; } > "$T/www/badquote.csv"
expect_kept "malformed quoting" "$HTTP/files/badquote.csv" refused "malformed CSV on line 2"
sed -i 's|timeout = 20;|timeout = 20; max_body_bytes = 5000;|' "$T/fw.conf"
expect_kept "body over max_body_bytes" "$HTTP/big/queue_good.csv?repeat=100" refused "exceeds max_body_bytes"
sed -i 's|timeout = 20; max_body_bytes = 5000;|timeout = 1;|' "$T/fw.conf"
expect_kept "transfer over its time limit" "$HTTP/slow/queue_good.csv?chunk=100\&delay=0.3" failed "timed out"
sed -i 's|timeout = 1;|timeout = 20;|' "$T/fw.conf"
expect_kept "connection refused" "http://127.0.0.1:1/x.csv" failed "(Couldn't connect|Failed to connect)"

# SIGTERM mid-run: rolled back, the audit row says interrupted.
sed -i "s|^\(\t\turl = \)\"[^\"]*\";\(.*\)# koer$|\1\"$HTTP/slow/queue_good.csv?chunk=100\&delay=0.3\";\2# koer|" "$T/fw.conf"
"$FW" -c "$T/fw.conf" run koer >"$T/sigterm.out" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid; rc=$?
assert_eq "SIGTERM mid-run: exit 1" 1 "$rc"
assert_eq "SIGTERM mid-run: run interrupted" "interrupted" "$(sql "SELECT status FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")"
assert_eq "SIGTERM mid-run: previous data stand" "$good" "$(facts queue_facts)"

# The database killed mid-run: no partial data; the run is recorded as
# failed once the database is back.
"$FW" -c "$T/fw.conf" run koer >"$T/kill.out" 2>&1 &
pid=$!
sleep 1
pg_kill
wait $pid; rc=$?
assert_eq "database killed mid-run: exit 4" 4 "$rc"
assert_match "database killed mid-run: says so" "(lost the database|server closed the connection|terminat)" "$(cat "$T/kill.out")"
pg_up
assert_eq "database killed mid-run: previous data stand" "$good" "$(facts queue_facts)"
sed -i "s|^\(\t\turl = \)\"[^\"]*\";\(.*\)# koer$|\1\"$HTTP/files/queue_good.csv\";\2# koer|" "$T/fw.conf"
"$FW" -c "$T/fw.conf" run koer >/dev/null 2>&1
assert_eq "database killed mid-run: recorded as failed on the next run" "failed|did not finish" "$(sql "SELECT status || '|' || left(error, 14) FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC OFFSET 1 LIMIT 1")"
assert_eq "no run left running" 0 "$(sql "SELECT count(*) FROM fragwatch.runs WHERE status = 'running'")"
