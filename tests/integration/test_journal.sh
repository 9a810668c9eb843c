# test_journal.sh - what fragwatch sends to the journal: MESSAGE_IDs and FRAGWATCH_* fields, captured on a journal socket of our own.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
cp "$TOP"/tests/data/extracts/*.csv "$T/www/"
make_conf "$T/fw.conf" "$HTTP/files/queue_good.csv" "$HTTP/html" "$HTTP/status/500"
sed -i 's|name = "koer";|name = "koer"; schedule = "0 3 * * *";|' "$T/fw.conf"
printf 'daemon = { allow_root = true; };\n' >> "$T/fw.conf"
# remiss gets a bearer token from a file: it must never reach the journal.
printf 's3cr3t-t0ken\n' > "$T/token"
sed -i "s|name = \"bemanning\";|name = \"bemanning\"; auth = { type = \"bearer\"; secret_file = \"$T/token\"; };|" "$T/fw.conf"
# koer last ran (and failed) yesterday: the daemon catches it up at start.
"$FW" -c "$T/fw.conf" migrate >/dev/null 2>&1
sql "INSERT INTO fragwatch.runs (source, kind, url, status, started_at, finished_at) VALUES ('koer', 'queue', 'x', 'failed', now() - interval '1 day', now() - interval '1 day')" >/dev/null

# sd_journal_send() writes to /run/systemd/journal/socket. In a private
# mount namespace a tmpfs over /run gives us that path without touching
# the host's journal.
mkdir -p "$T/journal"
cat > "$T/inside.sh" <<EOF
set -e
if [ "\${PRIVATE_RUN:-}" = 1 ]; then
	mount --make-rprivate /
	mount -t tmpfs tmpfs /run
fi
mkdir -p /run/systemd/journal
$PY "$TOP/tests/tools/sockrec.py" --journal /run/systemd/journal/socket "$T/journal.log" &
rec=\$!
for i in \$(seq 100); do [ -s "$T/journal.log" ] && break; sleep 0.05; done
export JOURNAL_STREAM=8:1
# The daemon catches up koer (started, finished) and stops on SIGTERM.
"$FW" -c "$T/fw.conf" daemon 2>"$T/daemon.err" &
d=\$!
for i in \$(seq 400); do grep -q FRAGWATCH_ROWS "$T/journal.log" && break; sleep 0.05; done
kill -TERM \$d; wait \$d || true
# One-shot runs under journald: unchanged, refused, failed.
"$FW" -c "$T/fw.conf" run koer remiss bemanning >/dev/null 2>"$T/run.err" || true
sleep 0.3
kill \$rec
EOF
if PRIVATE_RUN=1 unshare -m sh "$T/inside.sh" 2>"$T/unshare.err"; then
	ok "journal captured in a private mount namespace"
elif [ "$(id -u)" = 0 ] && [ ! -e /run/systemd/journal/socket ]; then
	# No namespaces here (an unprivileged container), but no journald
	# either: the socket can sit at the real path for the test's length.
	made=$([ -d /run/systemd/journal ] || echo yes)
	sh "$T/inside.sh" 2>>"$T/unshare.err" && ok "journal captured on the (unused) system journal socket path" || not_ok "journal capture" "$(cat "$T/unshare.err")"
	rm -f /run/systemd/journal/socket
	[ "$made" = yes ] && rmdir /run/systemd/journal 2>/dev/null
else
	not_ok "cannot make a private mount namespace for the journal socket" "$(cat "$T/unshare.err")"
fi
J=$T/journal.log
# field NAME LINE_PATTERN: the value of field NAME in the first entry matching LINE_PATTERN.
field() { grep -E -- "$2" "$J" | head -1 | tr '\037' '\n' | sed -n "s/^$1=//p" | head -1; }

run=$(sql "SELECT id FROM fragwatch.runs WHERE source = 'koer' AND status = 'ok' ORDER BY id DESC LIMIT 1")
rows=$(sql "SELECT rows_loaded FROM fragwatch.runs WHERE id = $run")
fin='MESSAGE_ID=31ffe3ea8a5e4819a95b8c286fa551c1'
assert_eq "run started: MESSAGE_ID and source" koer "$(field FRAGWATCH_SOURCE 'MESSAGE_ID=68aa664b3729462d81229489bef21530')"
assert_eq "run finished: FRAGWATCH_RUN is the run's id" "$run" "$(field FRAGWATCH_RUN "$fin")"
assert_eq "run finished: FRAGWATCH_ROWS as in the runs table" "$rows" "$(field FRAGWATCH_ROWS "$fin")"
assert_eq "run finished: FRAGWATCH_REJECTS" "$(sql "SELECT rows_rejected FROM fragwatch.runs WHERE id = $run")" "$(field FRAGWATCH_REJECTS "$fin")"
assert_match "run finished: FRAGWATCH_DURATION_USEC" '^[1-9][0-9]*$' "$(field FRAGWATCH_DURATION_USEC "$fin")"
assert_eq "run finished: PRIORITY info" 6 "$(field PRIORITY "$fin")"
assert_eq "run finished: code location" "daemon/runner.c" "$(field CODE_FILE "$fin")"
assert_eq "run finished: identifier" fragwatch "$(field SYSLOG_IDENTIFIER "$fin")"
assert_eq "unchanged: its MESSAGE_ID" koer "$(field FRAGWATCH_SOURCE 'MESSAGE_ID=71591f716ca14bb7b26eb0f8efaffeab')"
assert_eq "refused (an HTML page): its MESSAGE_ID, PRIORITY err" 3 "$(field PRIORITY 'MESSAGE_ID=5acedcce64af491584d7ad6a7ccca738.*FRAGWATCH_SOURCE=remiss')"
assert_eq "failed (HTTP 500): its MESSAGE_ID" bemanning "$(field FRAGWATCH_SOURCE 'MESSAGE_ID=0d046f5b15e242b6bd13bfe69495dc2f')"
assert_eq "failed: the run's id" "$(sql "SELECT id FROM fragwatch.runs WHERE source = 'bemanning' ORDER BY id DESC LIMIT 1")" "$(field FRAGWATCH_RUN 'MESSAGE_ID=0d046f5b15e242b6bd13bfe69495dc2f')"
assert_eq "under journald nothing goes to stderr" "" "$(cat "$T/run.err")"
assert_eq "the secret is in no journal entry" 0 "$(grep -c 's3cr3t' "$J")"
