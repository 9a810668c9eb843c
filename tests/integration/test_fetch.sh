# test_fetch.sh - retries with backoff, HTTP auth from a secret file or credential, drop directories.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
# conf URL [EXTRA]: one queue source "koer" reading URL, with EXTRA keys.
conf() {
	cp "$TOP/tests/data/region-test.conf" "$T/"
	cat > "$T/fw.conf" <<EOC
database = { conninfo = "$CONNINFO"; };
@include "region-test.conf"
sources = ( { name = "koer"; kind = "queue"; url = "$1"; period = "week"; timeout = 10;
	retry_delay = 0.2; $2
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans"; }; } );
EOC
}
last() { sql "SELECT $1 FROM fragwatch.runs WHERE source = 'koer' ORDER BY id DESC LIMIT 1"; }

# Two 503s, then the file: the third attempt loads, the run notes the retries.
conf "$HTTP/flaky/queue_good.csv?fail=2" "retries = 2;"
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "retry: loads after two 503s (exit 0)" 0 "$rc"
assert_eq "retry: rows loaded once" "36" "$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
assert_match "retry: the run records each failed attempt" "attempt 1: HTTP 503; attempt 2: HTTP 503" "$(last warnings)"
# More failures than retries: failed, with the HTTP status.
conf "$HTTP/flaky/queue_good.csv?fail=5" "retries = 1;"
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "retry: gives up after its retries (exit 1)" "1|failed|HTTP 503|503" "$rc|$(last "status || '|' || error || '|' || http_status")"
# A 404 is not retried.
conf "$HTTP/files/nope.csv" "retries = 3; retry_delay = 5;"
start=$(date +%s)
"$FW" -c "$T/fw.conf" run >/dev/null 2>&1
assert_eq "retry: a 404 is not retried (no 5 s pause)" "1" "$(( $(date +%s) - start < 3 ))"

# Bearer token and basic auth, the secret read from a file or a credential.
echo "s3cret-token" > "$T/token"
conf "$HTTP/auth/queue_good.csv?bearer=s3cret-token" "auth = { type = \"bearer\"; secret_file = \"$T/token\"; };"
sql "TRUNCATE fragwatch.queue_facts" >/dev/null
sed -i 's/^2024-W01;NEURO;SU;101;/2024-W01;NEURO;SU;100;/' "$T/www/queue_good.csv"
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "auth: bearer token from a file" "0|36" "$rc|$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
conf "$HTTP/auth/queue_good.csv?bearer=other" "auth = { type = \"bearer\"; secret_file = \"$T/token\"; };"
out=$("$FW" -c "$T/fw.conf" run 2>&1)
assert_eq "auth: a wrong token is HTTP 401, not retried" "failed|HTTP 401" "$(last "status || '|' || error")"
mkdir -p "$T/creds" && printf 'pa:ss\n' > "$T/creds/koer-password"
conf "$HTTP/auth/queue_good.csv?basic=anna:pa:ss" "auth = { type = \"basic\"; username = \"anna\"; credential = \"koer-password\"; };"
sed -i 's/^2024-W01;NEURO;SU;100;/2024-W01;NEURO;SU;102;/' "$T/www/queue_good.csv"
out=$(CREDENTIALS_DIRECTORY=$T/creds "$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "auth: basic with the password from a systemd credential" "0|ok" "$rc|$(last status)"
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_match "auth: a missing credential is a clear failure" "cannot read the secret of source 'koer' from its credential" "$out"
assert_eq "auth: no secret in the config or the run log" "0" "$(sql "SELECT count(*) FROM fragwatch.runs WHERE error LIKE '%pa:ss%' OR warnings LIKE '%pa:ss%' OR url LIKE '%pa:ss%' AND url NOT LIKE '%basic=%'")"
cat > "$T/bad.conf" <<'EOC'
areas = ( { code = "A"; } ); organisations = ( { code = "O"; } );
sources = ( { name = "q"; kind = "queue"; url = "http://x/y"; auth = { type = "bearer"; token = "abc"; };
	columns = { period = "p"; area = "a"; org = "o"; waiting_total = "t"; waiting_over_target = "w"; }; } );
EOC
out=$("$FW" check-config "$T/bad.conf" 2>&1)
assert_match "auth: a token written into the config is refused" "unknown key 'token' in auth" "$out"
assert_match "auth: it must come from a file or credential" "needs one of secret_file or credential" "$out"

# A drop directory: files in name order, each one run, then done/ or failed/.
mkdir -p "$T/drop"
head -13 "$X/queue_good.csv" > "$T/drop/2024-01-a.csv"
{ head -1 "$X/queue_good.csv"; sed -n '14,37p' "$X/queue_good.csv"; } > "$T/drop/2024-01-b.csv"
printf '<html>oops</html>\n' > "$T/drop/2024-01-c.csv"
printf 'partial' > "$T/drop/.2024-01-d.csv.part"
conf "dir://$T/drop" ""
sql "TRUNCATE fragwatch.queue_facts" >/dev/null
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "drop dir: a refused file makes the exit 1" 1 "$rc"
assert_eq "drop dir: files loaded in name order, one run each" "2024-01-a.csv:ok|2024-01-b.csv:ok|2024-01-c.csv:refused" "$(sql "SELECT string_agg(regexp_replace(url, '.*/', '') || ':' || status, '|' ORDER BY id) FROM fragwatch.runs WHERE url LIKE 'file://$T/drop/%'")"
assert_eq "drop dir: all rows of both good files" "36" "$(sql "SELECT count(*) FROM fragwatch.queue_facts")"
assert_eq "drop dir: good files to done/, the bad one to failed/, partial left" "2024-01-a.csv 2024-01-b.csv|2024-01-c.csv|.2024-01-d.csv.part" "$(ls "$T/drop/done" | tr '\n' ' ' | sed 's/ $//')|$(ls "$T/drop/failed")|$(ls -A "$T/drop" | grep -v '^done$\|^failed$')"
cp "$T/drop/done/2024-01-a.csv" "$T/drop/2024-01-e.csv"
out=$("$FW" -c "$T/fw.conf" run 2>&1)
assert_match "drop dir: the same file again is unchanged, and done" "^koer +unchanged" "$out"
assert_eq "drop dir: ...and moved to done/" "yes" "$([ -f "$T/drop/done/2024-01-e.csv" ] && echo yes)"
