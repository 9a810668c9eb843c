# test_embedded.sh - the embedded default database, migrations, check-config and exit codes.
. "$(dirname "$0")/../lib.sh"
http_start
X=$TOP/tests/data/extracts
cp "$X"/*.csv "$T/www/"
CONNINFO= make_conf "$T/fw.conf" "$HTTP/files/queue_good.csv" "$HTTP/files/referral_good.csv" "$HTTP/files/staffing_good.csv"

out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "embedded: first run creates the cluster and loads (exit 0)" 0 "$rc"
assert_eq "embedded: cluster created in the state directory" "15" "$(cat "$T/state/pg/PG_VERSION" 2>/dev/null)"
assert_eq "embedded: cluster stopped when the command exits" "absent" "$([ -f "$T/state/pg/postmaster.pid" ] && echo present || echo absent)"
assert_eq "embedded: no TCP listener configured" "listen_addresses = ''" "$(grep -o "listen_addresses = ''" "$T/state/pg/postgresql.auto.conf")"
out=$("$FW" -c "$T/fw.conf" status 2>&1); rc=$?
assert_eq "embedded: status exits 0" 0 "$rc"
assert_match "embedded: status sees what run loaded" "^koer +queue +ok +[0-9-]+ [0-9:]+ +36 +0 +2024-01-22" "$out"
assert_match "embedded: status shows the board" "^OGON +Ögonsjukvård( +[GYR]){4}" "$out"

# Migrations: recorded with a checksum; a changed applied migration is an error.
"$FW" -c "$T/fw.conf" migrate >/dev/null 2>&1
assert_eq "migrate: idempotent (exit 0)" 0 "$?"
sock="$T/state/run"
if [ "$(id -u)" = 0 ]; then AS=$AS_PG; else AS=""; fi
$AS "$PGBIN/pg_ctl" -D "$T/state/pg" -l "$T/state/postgresql.log" -w -s start >/dev/null
n=$(psql -XAtq -h "$sock" -U fragwatch -d fragwatch -c "SELECT count(*) FROM fragwatch.schema_migrations WHERE length(checksum) = 64")
assert_eq "migrate: every migration recorded with a SHA-256" "$(ls "$TOP"/sql/[0-9][0-9][0-9]_*.sql | wc -l)" "$n"
psql -XAtq -h "$sock" -U fragwatch -d fragwatch -c "UPDATE fragwatch.schema_migrations SET checksum = 'x' WHERE name = '001_core'"
$AS "$PGBIN/pg_ctl" -D "$T/state/pg" -w -s -m fast stop >/dev/null
out=$("$FW" -c "$T/fw.conf" migrate 2>&1); rc=$?
assert_eq "migrate: changed migration exits 4" 4 "$rc"
assert_match "migrate: changed migration named" "migration '001_core' was changed after it was applied" "$out"

# check-config: every error with file:line, unknown keys included.
cat > "$T/bad.conf" <<'EOC'
database = { conninfo = "host=x password=secret"; };
areas = ( { code = "A"; name = "A"; colour = "red"; } );
organisations = ( { code = "O"; } );
sources = (
	{ name = "q"; kind = "queue"; url = "ftp://x/y.csv";
	  columns = { period = "p"; area = "a"; org = "o"; waiting_total = "t"; }; },
	{ name = "q"; kind = "queues"; url = "file:///x"; columns = {}; }
);
typo = 1;
EOC
out=$("$FW" check-config "$T/bad.conf" 2>&1); rc=$?
assert_eq "check-config: invalid file exits 3" 3 "$rc"
assert_match "check-config: password in conninfo" "bad.conf:1: no password in 'conninfo'" "$out"
assert_match "check-config: unknown key in an area" "bad.conf:2: unknown key 'colour' in areas" "$out"
assert_match "check-config: bad url scheme" "bad.conf:5: url 'ftp://x/y.csv' must start with" "$out"
assert_match "check-config: required field not mapped" "bad.conf:5: source 'q': required field 'waiting_over_target'" "$out"
assert_match "check-config: duplicate source" "bad.conf:7: source 'q' is defined twice" "$out"
assert_match "check-config: unknown kind" "bad.conf:7: unknown kind 'queues'" "$out"
assert_match "check-config: unknown top-level key" "bad.conf:9: unknown key 'typo' in the top level" "$out"
assert_match "check-config: counts the errors" "fragwatch: 7 errors in" "$out"
printf 'areas = ( { code = "A" } \n' > "$T/syntax.conf"
out=$("$FW" check-config "$T/syntax.conf" 2>&1); rc=$?
assert_eq "check-config: syntax error exits 3" 3 "$rc"
assert_match "check-config: syntax error with its line" "syntax.conf:[12]: syntax error" "$out"
out=$("$FW" -c "$T/fw.conf" check-config 2>&1); rc=$?
assert_eq "check-config: the test config is valid" "0" "$rc"
out=$("$FW" -c "$T/fw.conf" run nosuchsource 2>&1); rc=$?
assert_eq "run of an unknown source exits 2" 2 "$rc"
out=$("$FW" frobnicate 2>&1); rc=$?
assert_eq "unknown command exits 2" 2 "$rc"

# A database password comes from a file or $CREDENTIALS_DIRECTORY, never argv.
echo "s3cret" > "$T/pw"
sed -i "s|conninfo = \"\";|conninfo = \"host=$T/nosock dbname=x\"; password_file = \"$T/pw\";|" "$T/fw.conf"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
assert_eq "unreachable server exits 4" 4 "$rc"
assert_match "unreachable server is reported" "cannot connect to the database" "$out"
sed -i "s|password_file = \"$T/pw\";|password_file = \"$T/nopw\";|" "$T/fw.conf"
out=$("$FW" -c "$T/fw.conf" run koer 2>&1)
assert_match "missing password file is reported" "cannot read password file '$T/nopw'" "$out"
