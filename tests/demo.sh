#!/bin/sh
# demo.sh - `make demo`: a sample region served on 127.0.0.1, one cycle into the embedded database, the board.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
STATE=${FRAGWATCH_STATE_DIR:-$TOP/var}
# As root the embedded cluster runs as 'postgres', which must reach the
# state directory; a checkout under /root is not reachable, so fall back.
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$TOP" 2>/dev/null; then
	STATE=/var/tmp/fragwatch-demo
	echo "note: '$TOP' is not reachable by user postgres; the demo's state is in $STATE"
fi
export FRAGWATCH_STATE_DIR=$STATE
DEMO=$STATE/demo
mkdir -p "$DEMO/data"
chmod 755 "$STATE" "$DEMO" "$DEMO/data" 2>/dev/null || true

# The sample region ends today, so its freshest data is current.
/usr/bin/python3 "$TOP/tests/tools/gensample.py" --out "$DEMO/data" --end "$(date +%F)"
cp "$DEMO/data/region.conf" "$DEMO/region.conf"

rm -f "$DEMO/http.port"
/usr/bin/python3 "$TOP/tests/tools/httpd.py" --root "$DEMO/data" --port-file "$DEMO/http.port" &
HTTPD=$!
trap 'kill $HTTPD 2>/dev/null' EXIT INT TERM
i=0
while [ ! -s "$DEMO/http.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sed "s|@HTTP@|http://127.0.0.1:$(cat "$DEMO/http.port")|g" "$TOP/etc/demo.conf" > "$DEMO/fragwatch.conf"

echo "== fragwatch run (sample region, embedded database in $STATE)"
"$TOP/fragwatch" -c "$DEMO/fragwatch.conf" run
echo
echo "== fragwatch status"
"$TOP/fragwatch" -c "$DEMO/fragwatch.conf" status
echo
echo "== fragwatch backtest (would the early warning have helped on this history?)"
"$TOP/fragwatch" -c "$DEMO/fragwatch.conf" backtest > "$DEMO/backtest.txt"
sed -n '1,/^$/p;/^area /p;/^overall/,/^$/p' "$DEMO/backtest.txt"
echo "(per area: $DEMO/backtest.txt, or fragwatch backtest --json)"
"$TOP/fragwatch" -c "$DEMO/fragwatch.conf" report -o "$DEMO/report.html"
echo
echo "== the HTML report: file://$DEMO/report.html"
