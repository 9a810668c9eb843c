#!/bin/bash
# bench.sh - `make bench`: fragwatch end to end on record-level referral extracts beside psql \copy of the same file, alternating; the assessment step alone.
#
#   BENCH_SIZES="1000000 5000000"  extract sizes (rows), each its own file
#   BENCH_REPEAT=3                 runs of each contender per size
#
# Each size: genreferrals writes the extract (deterministic, ~115 bytes a
# row, semicolon-separated); httpd.py serves it on 127.0.0.1. Then, REPEAT
# times in turn: fragwatch run with keep_records = true, with false, and
# psql \copy into an equivalent typed table. Every contender starts from
# the same state: the tables it writes emptied and a CHECKPOINT, so that no
# run pays for another's dirty pages. Wall time and peak RSS come from
# /usr/bin/time. The last line is the ratio of the medians of fragwatch
# (keep_records = true) and psql \copy at the largest size.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${BENCH_SIZES:-1000000 5000000}
REPEAT=${BENCH_REPEAT:-3}
FW=${FW:-$TOP/fragwatch}
TOOLS=${TOOLS:-$TOP/build/tests/tools}
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

mkdir -p "$B/pg" "$B/sock" "$B/www" "$B/sample"
[ -n "$AS_PG" ] && chown postgres "$B/pg" "$B/sock"
$AS_PG "$PGBIN/initdb" -D "$B/pg" -U fragwatch --auth=trust -E UTF8 --no-locale >/dev/null
$AS_PG "$PGBIN/pg_ctl" -D "$B/pg" -l "$B/sock/pg.log" -w -s -o "-k $B/sock -c listen_addresses=''" start
psql -XAtq -h "$B/sock" -U fragwatch -d postgres -c "CREATE DATABASE fragwatch" -c "CREATE DATABASE sample"
/usr/bin/python3 "$TOP/tests/tools/httpd.py" --root "$B/www" --port-file "$B/port" >/dev/null 2>&1 &
HTTPD=$!
while [ ! -s "$B/port" ]; do sleep 0.05; done
HTTP="http://127.0.0.1:$(cat "$B/port")"
sql() { psql -XAtq -h "$B/sock" -U fragwatch -d "${DB:-fragwatch}" -v ON_ERROR_STOP=1 "$@"; }

write_conf() {  # write_conf FILE -> sources "keep" and "nokeep" reading $B/www/referrals.csv
	{
		echo "database = { conninfo = \"host=$B/sock user=fragwatch dbname=fragwatch\"; };"
		echo "@include \"region.conf\""
		echo "sources = ("
		for keep in true false; do
			name=keep; [ $keep = false ] && name=nokeep
			cat <<EOC
	{ name = "$name"; kind = "referral"; grain = "record"; keep_records = $keep;
	  url = "$HTTP/files/referrals.csv"; period = "week"; max_age_days = 3650;
	  format = { delimiter = ";"; };
	  columns = { received = "received"; area = "area"; org = "org"; status = "status";
	              assessed = "assessed"; closed = "closed"; }; }$([ $keep = true ] && echo ,)
EOC
		done
		echo ");"
	} > "$1"
}

# Every contender starts from empty target tables, with nothing dirty, and
# fragwatch does not find the same bytes as its last load ("unchanged").
reset() {
	sql -c "TRUNCATE fragwatch.referral_records, fragwatch.referral_facts, fragwatch.indicator_values,
		fragwatch.area_status, fragwatch.area_status_history, fragwatch.rejects, copy_referrals" \
	    -c "UPDATE fragwatch.runs SET sha256 = NULL, etag = NULL, last_modified = NULL" -c "CHECKPOINT"
}

# measure LABEL ROWS COMMAND... -> appends "label rows seconds kb" to $B/results, prints a line
measure() {
	local label=$1 rows=$2; shift 2
	/usr/bin/time -f "%e %M" -o "$B/time" "$@" >"$B/out" 2>"$B/err" || { cat "$B/out" "$B/err"; exit 1; }
	if grep -qE "failed|refused|unchanged" "$B/out"; then cat "$B/out" "$B/err"; exit 1; fi
	read -r secs kb < "$B/time"
	printf '%s\t%s\t%s\t%s\n' "$label" "$rows" "$secs" "$kb" >> "$B/results"
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v n="$rows" \
	    'BEGIN { printf "  %-28s %8d rows %7.2f s %9.0f rows/s  peak RSS %6.1f MB\n", l, n, s, n / s, kb / 1024 }'
}

echo "fragwatch bench: sizes $SIZES, $REPEAT runs each, alternating; $(nproc) cores; PostgreSQL $(pg_config --version | cut -d' ' -f2) with default settings"
: > "$B/results"
write_conf "$B/fw.conf"
for n in $SIZES; do
	"$TOOLS/genreferrals" "$n" "$B/www/referrals.csv" "$B/region.conf"
	echo "extract: $n referral records, $(($(stat -c %s "$B/www/referrals.csv") / 1048576)) MB, $(( $(stat -c %s "$B/www/referrals.csv") / (n > 0 ? n : 1) )) bytes a row"
	"$FW" -c "$B/fw.conf" migrate >/dev/null 2>&1
	sql -c "SET client_min_messages = warning" -c "CREATE TABLE IF NOT EXISTS copy_referrals (referral_id text, received date, area text, org text,
		unit text, priority integer, status text, assessed date, closed date, referrer text, diagnosis text)"
	for i in $(seq "$REPEAT"); do
		reset
		measure "fragwatch keep_records=true" "$n" "$FW" -c "$B/fw.conf" run keep
		reset
		measure "fragwatch keep_records=false" "$n" "$FW" -c "$B/fw.conf" run nokeep
		reset
		measure "psql \\copy (typed table)" "$n" psql -XAtq -h "$B/sock" -U fragwatch -d fragwatch \
		    -c "\\copy copy_referrals FROM '$B/www/referrals.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
	done
	# The same aggregates from both loads: a cheap check that the fast
	# path computed what SQL computes (tests/integration/test_aggregates.sh
	# checks every column).
	reset
	"$FW" -c "$B/fw.conf" run keep >/dev/null 2>&1
	sql -c "\\copy copy_referrals FROM '$B/www/referrals.csv' WITH (FORMAT csv, DELIMITER ';', HEADER true)"
	diff=$(sql -c "SELECT count(*) FROM (SELECT date_trunc('week', received)::date, area, org, count(*)
		FROM copy_referrals WHERE area IN (SELECT code FROM fragwatch.areas) GROUP BY 1, 2, 3
		EXCEPT SELECT period, area, org, received FROM fragwatch.referral_facts WHERE received > 0) d")
	echo "  check: $diff (period, area, org) received counts differ from SQL GROUP BY over the psql-loaded rows"
	[ "$diff" = 0 ] || exit 1
done
rm -f "$B/www/referrals.csv"

# The assessment alone (indicators, lights, statuses, status history, early warnings) for
# the sample region: 25 areas x 6 organisations x 3 years, loaded once.
/usr/bin/python3 "$TOP/tests/tools/gensample.py" --out "$B/www" --end 2025-12-28 2>/dev/null
cp "$B/www/region.conf" "$B/sample/"
{ echo "database = { conninfo = \"host=$B/sock user=fragwatch dbname=sample\"; };"
  sed "s|@HTTP@|$HTTP|g" "$TOP/etc/demo.conf"; } > "$B/sample/fw.conf"
export FRAGWATCH_TODAY=2025-12-29
"$FW" -c "$B/sample/fw.conf" migrate >/dev/null 2>&1
"$FW" -c "$B/sample/fw.conf" run >"$B/out" 2>&1 || { cat "$B/out"; exit 1; }
facts=$(DB=sample sql -c "SELECT (SELECT count(*) FROM fragwatch.queue_facts) + (SELECT count(*) FROM fragwatch.referral_facts) + (SELECT count(*) FROM fragwatch.staffing_facts)")
from=$(DB=sample sql -c "SELECT least((SELECT min(period) FROM fragwatch.queue_facts), (SELECT min(period) FROM fragwatch.staffing_facts))")
"$TOOLS/benchassess" "$B/sample/fw.conf" "$from" "$REPEAT" > "$B/assess"
sort -n "$B/assess" | awk -v f="$facts" -v r="$REPEAT" '{ t[NR] = $1 } END {
	printf "indicators + statuses + early warning, sample region (%d facts, all periods from scratch): median %.2f s (min %.2f, max %.2f, %d runs)\n",
	    f, t[int((NR + 1) / 2)], t[1], t[NR], r }'

echo
echo "summary (median, min..max over $REPEAT runs; rows/s at the median; largest peak RSS):"
awk -F'\t' '{ key = $2 "|" $1; cnt[key]++; t[key, cnt[key]] = $3; if ($4 > kb[key]) kb[key] = $4
	if (!(key in seen)) { seen[key] = 1; order[++no] = key } }
END {
	for (o = 1; o <= no; o++) {
		key = order[o]; c = cnt[key]
		for (i = 1; i <= c; i++) v[i] = t[key, i]
		for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
		med = (c % 2) ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
		split(key, p, "|")
		printf "  %8d rows  %-28s %7.2f s (%.2f..%.2f)  %9.0f rows/s  peak RSS %6.1f MB\n", p[1], p[2], med, v[1], v[c], p[1] / med, kb[key] / 1024
		m[p[1], p[2]] = med; last = p[1]
	}
	printf "ratio fragwatch/psql_copy: %.2f\n", m[last, "fragwatch keep_records=true"] / m[last, "psql \\copy (typed table)"]
}' "$B/results"
