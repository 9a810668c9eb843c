# test_daemon.sh - `fragwatch daemon` against a real notify socket and PostgreSQL: READY, STATUS, WATCHDOG, reload, stop, catch-up, HA, reconnect.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
SLOW="$HTTP/slow/queue_good.csv?chunk=100\&delay=0.3"

# conf OUT KOER_URL [EXTRA]: the test config with koer daily at 03:00,
# root allowed (tests run as root in CI), fast retries; EXTRA is appended
# to the daemon group.
conf() {
	make_conf "$1" "$2" "$HTTP/files/referral_good.csv" "$HTTP/files/staffing_good.csv"
	sed -i 's|name = "koer";|name = "koer"; schedule = "0 3 * * *";|' "$1"
	printf 'daemon = { allow_root = true; retry_base = 1.0; retry_cap = 2.0; %s };\n' "${3:-}" >> "$1"
}

# rec NAME: records datagrams sent to $T/NAME.sock into $T/NAME.log.
rec() {
	: > "$T/$1.log"
	$PY "$TOP/tests/tools/sockrec.py" "$T/$1.sock" "$T/$1.log" &
	eval "REC_$1=$!"
	wait_for "$T/$1.log" RECORDER=ready 5
}

# wait_for FILE PATTERN SECONDS: true once FILE has a line matching PATTERN.
wait_for() {
	for _ in $(seq $(($3 * 20))); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# daemon NAME CONF [VAR=VALUE...]: starts a daemon notifying $T/NAME.sock,
# its stderr in $T/NAME.err, its pid in $PID_NAME.
daemon() {
	name=$1 cfg=$2
	shift 2
	env NOTIFY_SOCKET="$T/$name.sock" "$@" "$FW" -c "$cfg" daemon 2>"$T/$name.err" &
	eval "PID_$name=$!"
}

# stopped PID SECONDS: waits for the process to exit; its status in RC.
stopped() {
	RC="still running"
	for _ in $(seq $(($2 * 20))); do
		kill -0 "$1" 2>/dev/null || { wait "$1"; RC=$?; return; }
		sleep 0.05
	done
}

# A day of downtime: koer last ran yesterday.
backdate() { sql "UPDATE fragwatch.runs SET started_at = started_at - interval '1 day', finished_at = finished_at - interval '1 day' WHERE source = 'koer'" >/dev/null; }

conf "$T/fw.conf" "$HTTP/files/queue_good.csv"
"$FW" -c "$T/fw.conf" run koer >/dev/null 2>&1 || not_ok "setup: koer loads"
backdate

# The database down at start: no READY, exit 4 with a clear message.
pg_kill
rec n0
daemon n0 "$T/fw.conf"
stopped "$PID_n0" 20
assert_eq "database down at start: exit 4" 4 "$RC"
assert_eq "database down at start: no READY" 0 "$(grep -c 'READY=1' "$T/n0.log")"
assert_match "database down at start: says why" "cannot connect to the database" "$(cat "$T/n0.err")"
pg_up

# A normal start with a watchdog of 2 s: READY, a catch-up of the latest
# missed run, STATUS, pings at the right rate.
rec n1
before=$(sql "SELECT count(*) FROM fragwatch.runs WHERE source = 'koer'")
daemon n1 "$T/fw.conf" WATCHDOG_USEC=2000000
wait_for "$T/n1.log" 'READY=1' 20 && ok "READY=1 once the database is reachable" || not_ok "READY=1" "$(cat "$T/n1.err")"
wait_for "$T/n1.log" 'STATUS=idle; next run: koer at' 20 && ok "STATUS says what runs next" || not_ok "STATUS idle" "$(cut -f2 "$T/n1.log")"
assert_eq "catch-up: the latest missed run runs once" $((before + 1)) "$(sql "SELECT count(*) FROM fragwatch.runs WHERE source = 'koer'")"
assert_match "catch-up: logged" "source koer missed its run of .*catching up" "$(cat "$T/n1.err")"
assert_match "catch-up: STATUS while running" "STATUS=running koer" "$(cut -f2 "$T/n1.log")"
t0=$(awk -F'\t' 'END { print $1 }' "$T/n1.log")
sleep 3
pings=$(awk -F'\t' -v t0="$t0" '$1 > t0 && $2 ~ /WATCHDOG=1/' "$T/n1.log" | wc -l)
# One ping per quarter interval (0.5 s): about 6 in 3 s.
[ "$pings" -ge 4 ] && [ "$pings" -le 9 ] && ok "WATCHDOG=1 every ~0.5 s for WATCHDOG_USEC=2 s ($pings in 3 s)" || not_ok "watchdog rate" "pings in 3 s: $pings"

# SIGHUP with a good config: RELOADING=1 with MONOTONIC_USEC, then READY.
cp "$T/fw.conf" "$T/good.conf"
sed -i 's|name = "remiss";|name = "remiss"; schedule = "0 7 * * *";|' "$T/fw.conf"
kill -HUP "$PID_n1"
wait_for "$T/n1.log" 'RELOADING=1.MONOTONIC_USEC=[0-9]+' 10 && ok "SIGHUP: RELOADING=1 and MONOTONIC_USEC" || not_ok "RELOADING" "$(cut -f2 "$T/n1.log" | tail -5)"
wait_for "$T/n1.err" "reloaded '.*': 3 sources, 2 scheduled" 10 && ok "SIGHUP: the new config is in force" || not_ok "reload good" "$(cat "$T/n1.err")"
readies=$(grep -c 'READY=1' "$T/n1.log")
# A bad config is logged and the running one kept.
printf 'bogus = 1;\n' >> "$T/fw.conf"
kill -HUP "$PID_n1"
wait_for "$T/n1.err" "keeping the running configuration" 10 && ok "SIGHUP with a bad config: old one kept" || not_ok "reload bad" "$(cat "$T/n1.err")"
assert_match "SIGHUP with a bad config: the error has file and line" "fw.conf:[0-9]+: unknown key 'bogus'" "$(cat "$T/n1.err")"
wait_for "$T/n1.log" 'STATUS=idle; next run' 10
[ "$(grep -c 'READY=1' "$T/n1.log")" -gt "$readies" ] && ok "SIGHUP with a bad config: READY again" || not_ok "READY after a bad reload"
kill -0 "$PID_n1" 2>/dev/null && ok "SIGHUP with a bad config: still running" || not_ok "daemon died on a bad reload"
cp "$T/good.conf" "$T/fw.conf"
kill -TERM "$PID_n1"
stopped "$PID_n1" 10
assert_eq "SIGTERM when idle: exit 0" 0 "$RC"
assert_match "SIGTERM: STOPPING=1" "STOPPING=1" "$(cut -f2 "$T/n1.log")"

# SIGTERM mid-load: rolled back, the run 'interrupted', exit 0 within a
# few seconds. The slow extract (a chunk every 0.3 s) also shows that a
# run which stops making progress stops feeding the watchdog.
conf "$T/slow.conf" "$SLOW"
backdate
good=$(facts queue_facts)
rec n2
daemon n2 "$T/slow.conf" WATCHDOG_USEC=400000
wait_for "$T/n2.log" 'STATUS=running koer: fetching' 20 || not_ok "the slow run started" "$(cat "$T/n2.err")"
sleep 1
kill -TERM "$PID_n2"
t=$(date +%s.%N)
stopped "$PID_n2" 10
assert_eq "SIGTERM mid-load: exit 0" 0 "$RC"
assert_eq "SIGTERM mid-load: within 3 s" 1 "$(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { print (b - a < 3) }')"
assert_eq "SIGTERM mid-load: run interrupted" "interrupted" "$(sql "SELECT status FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")"
assert_eq "SIGTERM mid-load: no partial data" "$good" "$(facts queue_facts)"
gap=$(awk -F'\t' '$2 ~ /WATCHDOG=1/ { if (p) { d = $1 - p; if (d > m) m = d } p = $1 } END { printf "%d", m * 1000 }' "$T/n2.log")
[ "$gap" -ge 250 ] && ok "a stalled fetch stops the pings (longest gap ${gap} ms > 100 ms quarter)" || not_ok "watchdog while stalled" "longest gap $gap ms"

# The run time limit: a run past daemon.run_timeout fails and rolls back.
conf "$T/limit.conf" "$SLOW" "run_timeout = 1;"
sed -i 's|retry_base = 1.0; retry_cap = 2.0;|retry_base = 60.0; retry_cap = 60.0;|' "$T/limit.conf"
backdate
rec n3
daemon n3 "$T/limit.conf"
wait_for "$T/n3.err" "source koer run [0-9]+ failed" 20
assert_match "run_timeout: failed, rolled back" "^failed\|timed out after 1 s" "$(sql "SELECT status || '|' || error FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1")"
assert_eq "run_timeout: no partial data" "$good" "$(facts queue_facts)"
kill -TERM "$PID_n3"; stopped "$PID_n3" 10

# Two daemons on one database (an HA pair) never run a source at once.
backdate
rec n4; rec n5
daemon n4 "$T/slow.conf"
daemon n5 "$T/slow.conf"
for _ in $(seq 600); do
	cat "$T/n4.err" "$T/n5.err" | grep -Eq "source koer run [0-9]+ (ok|unchanged)" && break
	sleep 0.05
done
overlaps=$(sql "SELECT count(*) FROM fragwatch.runs a JOIN fragwatch.runs b ON a.id < b.id AND a.source = b.source WHERE a.source = 'koer' AND a.started_at < coalesce(b.finished_at, now()) AND b.started_at < coalesce(a.finished_at, now())")
assert_eq "two daemons: no overlapping runs of a source" 0 "$overlaps"
assert_match "two daemons: the second found the source busy" "another fragwatch is running source 'koer'" "$(cat "$T/n4.err" "$T/n5.err")"
kill -TERM "$PID_n4" "$PID_n5"; stopped "$PID_n4" 10; stopped "$PID_n5" 10

# The database restarted under a running daemon: it reconnects, the lost
# run is recorded as failed, and the retry loads.
backdate
rec n6
daemon n6 "$T/slow.conf"
wait_for "$T/n6.log" 'STATUS=running koer: fetching' 20
pg_kill
wait_for "$T/n6.err" "lost the database connection" 20 && ok "database gone: noticed" || not_ok "database gone" "$(cat "$T/n6.err")"
pg_up
wait_for "$T/n6.err" "database connection restored" 30 && ok "database back: reconnected" || not_ok "reconnect" "$(cat "$T/n6.err")"
wait_for "$T/n6.err" "source koer run [0-9]+ (ok|unchanged)" 30 && ok "database back: the retry ran" || not_ok "retry after reconnect" "$(cat "$T/n6.err")"
assert_eq "database back: no run left 'running'" 0 "$(sql "SELECT count(*) FROM fragwatch.runs WHERE status = 'running'")"
assert_match "database back: the lost run recorded as failed" "failed" "$(sql "SELECT string_agg(status, ',') FROM fragwatch.runs WHERE source = 'koer' AND error LIKE '%stopped during the run%'")"
kill -0 "$PID_n6" 2>/dev/null && ok "database back: the daemon kept going" || not_ok "daemon died with the database"
kill -TERM "$PID_n6"; stopped "$PID_n6" 10

# Refusals that ops can act on.
if [ "$(id -u)" = 0 ]; then
	sed 's/allow_root = true;//' "$T/fw.conf" > "$T/root.conf"
	"$FW" -c "$T/root.conf" daemon 2>"$T/root.err"; rc=$?
	assert_eq "as root without allow_root: exit 3" 3 "$rc"
	assert_match "as root without allow_root: says why" "refusing to run the daemon as root" "$(cat "$T/root.err")"
fi
sql "INSERT INTO fragwatch.schema_migrations (name, checksum) VALUES ('999_future.sql', 'x')" >/dev/null
"$FW" -c "$T/fw.conf" daemon 2>"$T/new.err"; rc=$?
assert_eq "schema newer than the binary: exit 4" 4 "$rc"
assert_match "schema newer than the binary: says why" "schema is newer than this fragwatch.*999_future" "$(cat "$T/new.err")"
sql "DELETE FROM fragwatch.schema_migrations WHERE name = '999_future.sql'" >/dev/null
kill $REC_n0 $REC_n1 $REC_n2 $REC_n3 $REC_n4 $REC_n5 $REC_n6 2>/dev/null
