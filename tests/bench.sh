#!/bin/bash
# bench.sh - `make bench`: rows/s and peak RSS of fragwatch loading a generated extract, beside psql \copy of the same file.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${BENCH_ROWS:-1000000}
FW=${FW:-$TOP/fragwatch}
PGBIN=$(pg_config --bindir)
B=$(mktemp -d /tmp/fragwatch-bench.XXXXXX)
chmod 755 "$B"
AS_PG=""
[ "$(id -u)" = 0 ] && AS_PG="runuser -u postgres --"
cleanup() {
	$AS_PG "$PGBIN/pg_ctl" -D "$B/pg" -m immediate -w -s stop >/dev/null 2>&1 || true
	[ -n "${HTTPD:-}" ] && kill "$HTTPD" 2>/dev/null
	rm -rf "$B"
}
trap cleanup EXIT

mkdir -p "$B/pg" "$B/sock" "$B/www"
[ -n "$AS_PG" ] && chown postgres "$B/pg" "$B/sock"
$AS_PG "$PGBIN/initdb" -D "$B/pg" -U fragwatch --auth=trust -E UTF8 --no-locale >/dev/null
$AS_PG "$PGBIN/pg_ctl" -D "$B/pg" -l "$B/sock/pg.log" -w -s -o "-k $B/sock -c listen_addresses=''" start
psql -XAtq -h "$B/sock" -U fragwatch -d postgres -c "CREATE DATABASE fragwatch"
/usr/bin/python3 "$TOP/tests/tools/gensample.py" --bench-rows "$ROWS" --out "$B/www" 2>/dev/null
cp "$B/www/bench_region.conf" "$B/"
/usr/bin/python3 "$TOP/tests/tools/httpd.py" --root "$B/www" --port-file "$B/port" &
HTTPD=$!
while [ ! -s "$B/port" ]; do sleep 0.05; done
bytes=$(stat -c %s "$B/www/bench_queue.csv")

write_conf() {  # write_conf URL
	cat > "$B/fw.conf" <<EOC
database = { conninfo = "host=$B/sock user=fragwatch dbname=fragwatch"; };
@include "bench_region.conf"
sources = ( { name = "bench"; kind = "queue"; url = "$1"; period = "week"; max_age_days = 3650;
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans";
		mean_wait_days = "medelvantetid"; median_wait_days = "medianvantetid";
		p90_wait_days = "p90_vantetid"; removed = "atgardade"; }; } );
EOC
}
measure() {  # measure LABEL COMMAND... -> one line of figures
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$B/time" "$@" >"$B/out" 2>"$B/err" || { cat "$B/out" "$B/err"; exit 1; }
	read -r secs kb < "$B/time"
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v n="$ROWS" \
	    'BEGIN { printf "%-34s %9d rows %7.2f s %10.0f rows/s  peak RSS %6.1f MB\n", l, n, s, n / s, kb / 1024 }'
}

echo "extract: $ROWS rows, $((bytes / 1048576)) MB ($B/www/bench_queue.csv)"
"$FW" -c /dev/null version >/dev/null
write_conf "file://$B/www/bench_queue.csv"
"$FW" -c "$B/fw.conf" migrate >/dev/null
measure "fragwatch run (file://, new table)" "$FW" -c "$B/fw.conf" run bench
psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch -c "TRUNCATE fragwatch.queue_facts"
sed 's/^\(2.*\)$/\1/' "$B/www/bench_queue.csv" > "$B/www/bench_queue2.csv" && echo >> "$B/www/bench_queue2.csv"
write_conf "http://127.0.0.1:$(cat "$B/port")/files/bench_queue2.csv"
measure "fragwatch run (http://)" "$FW" -c "$B/fw.conf" run bench
echo >> "$B/www/bench_queue2.csv"
measure "fragwatch run (http://, upsert)" "$FW" -c "$B/fw.conf" run bench
psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch -c "CREATE TABLE copy_target (vecka text, omrade text, forv text, vantande bigint, over bigint, medel text, median int, p90 int, atg bigint)"
measure "psql \\copy (text columns, no checks)" psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch \
    -c "\\copy copy_target FROM '$B/www/bench_queue.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"

# Record grain: a referral portal's extract, one row per referral.
RECORDS=${BENCH_RECORDS:-5000000}
awk -v n="$RECORDS" 'BEGIN {
	srand(1); print "id;received;area;org;status;assessed;closed"
	split("accepted rejected pending", st, " ")
	for (i = 1; i <= n; i++) {
		d = int(rand() * 1095); a = sprintf("A%02d", 1 + int(rand() * 25)); o = sprintf("O%02d", 1 + int(rand() * 40))
		s = st[1 + int(rand() * 3)]; t = d + int(rand() * 20); c = (rand() < 0.7) ? d + int(rand() * 120) : -1
		printf "%d;%s;%s;%s;%s;%s;%s\n", i, day(d), a, o, s, day(t), c < 0 ? "" : day(c)
	}
}
function day(k,   y, m, md) {   # days after 2023-01-01 as YYYY-MM-DD
	y = 2023; split("31 28 31 30 31 30 31 31 30 31 30 31", md, " ")
	while (k >= ((y % 4 == 0) ? 366 : 365)) { k -= (y % 4 == 0) ? 366 : 365; y++ }
	md[2] = (y % 4 == 0) ? 29 : 28
	for (m = 1; k >= md[m]; m++) k -= md[m]
	return sprintf("%d-%02d-%02d", y, m, k + 1)
}' > "$B/www/referrals.csv"
write_records_conf() {  # write_records_conf KEEP
	cat > "$B/fw.conf" <<EOC
database = { conninfo = "host=$B/sock user=fragwatch dbname=fragwatch"; };
@include "bench_region.conf"
sources = ( { name = "portal-$1"; kind = "referral"; grain = "record"; keep_records = $1; max_age_days = 3650;
	url = "http://127.0.0.1:$(cat "$B/port")/files/referrals.csv"; period = "week";
	format = { delimiter = ";"; };
	columns = { received = "received"; area = "area"; org = "org"; status = "status";
		assessed = "assessed"; closed = "closed"; }; } );
EOC
}
ROWS=$RECORDS
echo "extract: $RECORDS referral records, $(($(stat -c %s "$B/www/referrals.csv") / 1048576)) MB"
write_records_conf true
measure "fragwatch run (records kept)" "$FW" -c "$B/fw.conf" run portal-true
# Another source name, so that the same bytes are not "unchanged".
write_records_conf false
measure "fragwatch run (records not kept)" "$FW" -c "$B/fw.conf" run portal-false
psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch -c "CREATE TABLE copy_referrals (id bigint, received date, area text, org text, status text, assessed date, closed date)"
measure "psql \\copy (typed table)" psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch \
    -c "\\copy copy_referrals FROM '$B/www/referrals.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
