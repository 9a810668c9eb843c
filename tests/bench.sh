#!/bin/bash
# bench.sh - `make bench`: rows/s and peak RSS of fragwatch loading a generated extract, beside psql \copy of the same file.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
ROWS=${BENCH_ROWS:-1000000}
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
sources = ( { name = "bench"; kind = "queue"; url = "$1"; period = "week";
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans";
		mean_wait_days = "medelvantetid"; median_wait_days = "medianvantetid";
		p90_wait_days = "p90_vantetid"; removed = "atgardade"; }; } );
EOC
}
measure() {  # measure LABEL COMMAND... -> one line of figures
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$B/time" "$@" >/dev/null 2>"$B/err" || { cat "$B/err"; exit 1; }
	read -r secs kb < "$B/time"
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v n="$ROWS" \
	    'BEGIN { printf "%-34s %9d rows %7.2f s %10.0f rows/s  peak RSS %6.1f MB\n", l, n, s, n / s, kb / 1024 }'
}

echo "extract: $ROWS rows, $((bytes / 1048576)) MB ($B/www/bench_queue.csv)"
"$TOP/fragwatch" -c /dev/null version >/dev/null
write_conf "file://$B/www/bench_queue.csv"
"$TOP/fragwatch" -c "$B/fw.conf" migrate >/dev/null 2>&1
measure "fragwatch run (file://, new table)" "$TOP/fragwatch" -c "$B/fw.conf" run bench
psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch -c "TRUNCATE fragwatch.queue_facts"
sed 's/^\(2.*\)$/\1/' "$B/www/bench_queue.csv" > "$B/www/bench_queue2.csv" && echo >> "$B/www/bench_queue2.csv"
write_conf "http://127.0.0.1:$(cat "$B/port")/files/bench_queue2.csv"
measure "fragwatch run (http://)" "$TOP/fragwatch" -c "$B/fw.conf" run bench
echo >> "$B/www/bench_queue2.csv"
measure "fragwatch run (http://, upsert)" "$TOP/fragwatch" -c "$B/fw.conf" run bench
psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch -c "CREATE TABLE copy_target (vecka text, omrade text, forv text, vantande bigint, over bigint, medel text, median int, p90 int, atg bigint)"
measure "psql \\copy (text columns, no checks)" psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch \
    -c "\\copy copy_target FROM '$B/www/bench_queue.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
