# lib.sh - helpers for integration tests: a throwaway PostgreSQL, the local HTTP server, assertions.
# Sourced by tests/integration/*.sh. Needs FW (the fragwatch binary) and writes
# "passed failed" to $RESULTS when the test file ends.

set -u
PGBIN=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
PY=/usr/bin/python3
# "Today" for freshness: just after the fixtures' newest periods (tests may override).
export FRAGWATCH_TODAY=${FRAGWATCH_TODAY:-2024-02-15}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PASSED=0
FAILED=0

# A temp dir that the cluster's user can reach when we are root.
T=$(mktemp -d /tmp/fragwatch-test.XXXXXX)
chmod 755 "$T"
if [ "$(id -u)" = 0 ]; then AS_PG="runuser -u postgres --"; else AS_PG=""; fi

cleanup() {
	[ -n "${HTTP_PID:-}" ] && kill "$HTTP_PID" 2>/dev/null
	if [ -f "$T/pg/postmaster.pid" ]; then
		$AS_PG "$PGBIN/pg_ctl" -D "$T/pg" -m immediate -w -s stop >/dev/null 2>&1
	fi
	for d in "$T"/*/pg; do
		[ -f "$d/postmaster.pid" ] && $AS_PG "$PGBIN/pg_ctl" -D "$d" -m immediate -w -s stop >/dev/null 2>&1
	done
	rm -rf "$T"
	[ -n "${RESULTS:-}" ] && echo "$PASSED $FAILED" > "$RESULTS"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
not_ok() { FAILED=$((FAILED + 1)); echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# assert_eq NAME EXPECTED ACTUAL
assert_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "actual:   $3"; fi
}

# assert_match NAME PATTERN TEXT (grep -E pattern)
assert_match() {
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1" "pattern: $2" "text:    $3"; fi
}

# A cluster of our own on a unix socket in $T/sock, role and db fragwatch.
pg_start() {
	mkdir -p "$T/pg" "$T/sock"
	[ -n "$AS_PG" ] && chown postgres "$T/pg" "$T/sock"
	$AS_PG "$PGBIN/initdb" -D "$T/pg" -U fragwatch --auth=trust -E UTF8 --no-locale >"$T/initdb.log" 2>&1 || { cat "$T/initdb.log"; exit 1; }
	pg_up
	psql -XAtq -h "$T/sock" -U fragwatch -d postgres -c "CREATE DATABASE fragwatch" >/dev/null
	CONNINFO="host=$T/sock user=fragwatch dbname=fragwatch"
}
pg_up() {
	$AS_PG "$PGBIN/pg_ctl" -D "$T/pg" -l "$T/sock/pg.log" -w -s -o "-k $T/sock -c listen_addresses=''" start >/dev/null || { cat "$T/sock/pg.log"; exit 1; }
}
pg_kill() { $AS_PG "$PGBIN/pg_ctl" -D "$T/pg" -m immediate -w -s stop >/dev/null 2>&1; }

# sql "SELECT ..." -> unaligned, tuples only
sql() { psql -XAtq -h "$T/sock" -U fragwatch -d fragwatch -v ON_ERROR_STOP=1 -c "$1"; }

# The test HTTP server serving $T/www on 127.0.0.1; sets HTTP (base URL).
http_start() {
	mkdir -p "$T/www"
	$PY "$TOP/tests/tools/httpd.py" --root "$T/www" --port-file "$T/http.port" >"$T/httpd.log" 2>&1 &
	HTTP_PID=$!
	for _ in $(seq 100); do [ -s "$T/http.port" ] && break; sleep 0.05; done
	HTTP="http://127.0.0.1:$(cat "$T/http.port")"
}

# make_conf OUT QUEUE_URL REFERRAL_URL STAFFING_URL: tests/data/test.conf with
# the database (CONNINFO, empty for the embedded one), state dir and URLs.
make_conf() {
	cp "$TOP/tests/data/region-test.conf" "$(dirname "$1")/"
	sed -e "s|@CONNINFO@|${CONNINFO:-}|g" -e "s|@STATE@|$T/state|g" \
	    -e "s|@DATA@|$TOP/tests/data|g" -e "s|@URL_QUEUE@|$2|g" \
	    -e "s|@URL_REFERRAL@|$3|g" -e "s|@URL_STAFFING@|$4|g" \
	    "$TOP/tests/data/test.conf" > "$1"
}

# facts TABLE: a fingerprint of a fact table's contents, to show it unchanged.
facts() { sql "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM fragwatch.$1 t"; }
