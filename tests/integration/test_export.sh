# test_export.sh - `fragwatch export`: every analyst view as CSV, round-tripped through Python's csv module against psql's own CSV of the view.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
D=$TOP/tests/data/indicators
cp "$D"/*.csv "$T/www/"
make_conf "$T/fw.conf" "$HTTP/files/queue.csv" "$HTTP/files/referral.csv" "$HTTP/files/staffing.csv"
# An area whose name a spreadsheet would run as a formula, with a queue
# that shrinks (Q2 = (100 - 200) / 200 = -0.5 in week 4: a plain negative
# number, which must stay a number), and one row with a negative count (a
# reject, so that reject_log has a row).
sed -i 's|^areas = ($|areas = (\n\t{ code = "EVIL"; name = "=cmd\|'"'"' /C calc'"'"'!A0"; },|' "$T/region-test.conf"
printf '%s\n' "2024-W01;EVIL;SU;200;10;30;25;60;5" "2024-W02;EVIL;SU;180;10;30;25;60;5" \
	"2024-W03;EVIL;SU;150;10;30;25;60;5" "2024-W04;EVIL;SU;100;10;30;25;60;5" \
	"2024-W04;NEURO;NU;-5;0;1;1;1;1" >> "$T/www/queue.csv"
FRAGWATCH_TODAY=2024-02-19 "$FW" -c "$T/fw.conf" run >"$T/run.out" 2>&1
assert_eq "setup: the area named like a formula is stored" "=cmd|' /C calc'!A0" "$(sql "SELECT name FROM fragwatch.areas WHERE code = 'EVIL'")"
assert_eq "setup: its Q2 in week 4 is -0.5" "-0.5" "$(sql "SELECT value FROM fragwatch.indicator_values WHERE area = 'EVIL' AND org = 'SU' AND code = 'Q2' AND period = '2024-01-22'")"
assert_eq "setup: one reject" "1" "$(sql "SELECT count(*) FROM fragwatch.rejects")"

# The round trip: psql prints the view as CSV (its own writer), the export
# is read back with Python's csv module; the two must hold the same header
# and rows, once the formula guard (csvout.h, written again here) is applied
# to psql's values. Prints "rows" or what differs.
cat > "$T/cmp.py" <<'EOF'
import csv, io, re, sys
expected, got, delim, encoding = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
number = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
def guard(v):
    if v and v[0] in "=+-@\t\r" and not number.fullmatch(v):
        return "'" + v
    return v
with open(expected, newline="", encoding="utf-8") as f:
    exp = [[guard(v) for v in r] for r in csv.reader(f)]
with open(got, newline="", encoding=encoding) as f:
    data = f.read()
if encoding == "utf-8" and data.startswith("\ufeff"):
    sys.exit("a BOM where none was asked for")
g = list(csv.reader(io.StringIO(data, newline=""), delimiter=delim))
if exp[:1] != g[:1]:
    sys.exit("header differs: %r vs %r" % (exp[:1], g[:1]))
if sorted(exp[1:]) != sorted(g[1:]):
    a, b = set(map(tuple, exp[1:])), set(map(tuple, g[1:]))
    sys.exit("rows differ (%d vs %d): only psql %r only export %r" % (len(exp) - 1, len(g) - 1, sorted(a - b)[:2], sorted(b - a)[:2]))
print(len(g) - 1)
EOF
views=$(sql "SELECT string_agg(viewname, ' ' ORDER BY viewname) FROM pg_views WHERE schemaname = 'fragwatch'")
# Each migration's views are exported below; these six are the first ones.
assert_match "the analyst views" "data_freshness indicator_series reject_log run_log status_board status_history" "$views"
for v in $views; do
	PGTZ=Europe/Stockholm psql -X --csv -h "$T/sock" -U fragwatch -d fragwatch -c "SELECT * FROM fragwatch.$v" >"$T/$v.psql.csv"
	FRAGWATCH_TODAY=2024-02-19 "$FW" -c "$T/fw.conf" export --view "$v" --format csv -o "$T/$v.csv" 2>"$T/$v.err"; rc=$?
	n=$(sql "SELECT count(*) FROM fragwatch.$v")
	assert_eq "export $v: exit 0" "0" "$rc"
	assert_eq "export $v: same header and $n rows as psql" "$n" "$($PY "$T/cmp.py" "$T/$v.psql.csv" "$T/$v.csv" , utf-8 2>&1)"
done
assert_eq "export: every row ends with CRLF (RFC 4180)" "4 4" "$($PY -c 'import sys; d = open(sys.argv[1], "rb").read(); print(d.count(b"\r\n"), d.count(b"\n"))' "$T/run_log.csv")"

# The guard, on the file itself.
assert_match "formula guard: the area name starts with a quote" "^EVIL,'=cmd\|' /C calc'!A0," "$(grep '^EVIL,' "$T/status_board.csv" | head -1)"
assert_eq "formula guard: a plain negative number stays a number" "1" "$(grep -c '^EVIL,SU,Q2,.*,2024-01-22,week,-0.5,' "$T/indicator_series.csv")"
# The rejected row's raw text has ';' in it: quoted in semicolon mode only.
"$FW" -c "$T/fw.conf" export --view reject_log --semicolon >"$T/rej.semi.csv" 2>&1
assert_eq "semicolon mode: same rows" "1" "$($PY "$T/cmp.py" "$T/reject_log.psql.csv" "$T/rej.semi.csv" ';' utf-8 2>&1)"
assert_match "semicolon mode: a field with ';' is quoted" ';"2024-W04;NEURO;NU;-5;0;1;1;1;1"' "$(cat "$T/rej.semi.csv")"
assert_match "comma mode: the same field unquoted" ',2024-W04;NEURO;NU;-5;0;1;1;1;1' "$(cat "$T/reject_log.csv")"
"$FW" -c "$T/fw.conf" export --view indicator_series --semicolon >"$T/is.semi.csv" 2>&1
assert_eq "semicolon mode: decimals keep their point" "1" "$(grep -c '^EVIL;SU;Q2;.*;-0.5;' "$T/is.semi.csv")"

# The BOM for Excel: EF BB BF first, and only with --bom.
"$FW" -c "$T/fw.conf" export --view status_board --bom >"$T/sb.bom.csv" 2>&1
assert_eq "--bom: the file starts with EF BB BF" "efbbbf" "$(head -c3 "$T/sb.bom.csv" | od -An -tx1 | tr -d ' \n')"
assert_eq "--bom: otherwise the same rows" "$(sql "SELECT count(*) FROM fragwatch.status_board")" "$($PY "$T/cmp.py" "$T/status_board.psql.csv" "$T/sb.bom.csv" , utf-8-sig 2>&1)"
assert_eq "no BOM unless asked" "617265" "$(head -c3 "$T/status_board.csv" | od -An -tx1 | tr -d ' \n')"
"$FW" -c "$T/fw.conf" export --view status_board --bom --semicolon -o - >"$T/sb.both.csv" 2>&1
assert_eq "--bom --semicolon together" "$(sql "SELECT count(*) FROM fragwatch.status_board")" "$($PY "$T/cmp.py" "$T/status_board.psql.csv" "$T/sb.both.csv" ';' utf-8-sig 2>&1)"
assert_match "Swedish letters intact (UTF-8)" "SAS,Södra Älvsborgs Sjukhus" "$(cat "$T/status_board.csv")"

# Refused: anything but an analyst view, and bad usage.
out=$("$FW" -c "$T/fw.conf" export --view nope 2>&1); rc=$?
assert_eq "unknown view: exit 2" "2" "$rc"
assert_match "unknown view: the views are listed" "no analyst view 'nope'; the views are: (.*, )?data_freshness, indicator_series, reject_log, run_log, status_board, status_history" "$out"
out=$("$FW" -c "$T/fw.conf" export --view runs 2>&1); rc=$?
assert_eq "a base table is not exported: exit 2" "2" "$rc"
out=$("$FW" -c "$T/fw.conf" export --view 'run_log; DROP TABLE fragwatch.rejects' 2>&1); rc=$?
assert_eq "SQL in the view name: exit 2, nothing run" "2|1" "$rc|$(sql "SELECT count(*) FROM fragwatch.rejects")"
out=$("$FW" -c "$T/fw.conf" export --view 'Run_Log' 2>&1); rc=$?
assert_eq "names are exact (no case folding)" "2" "$rc"
out=$("$FW" -c "$T/fw.conf" export --view run_log --format xlsx 2>&1); rc=$?
assert_eq "--format other than csv: exit 2" "2" "$rc"
out=$("$FW" -c "$T/fw.conf" export --format csv 2>&1); rc=$?
assert_eq "no --view: exit 2" "2" "$rc"
out=$("$FW" -c "$T/fw.conf" export --view run_log extra 2>&1); rc=$?
assert_eq "a stray argument: exit 2" "2" "$rc"
out=$("$FW" -c "$T/fw.conf" export --view run_log -o "$T/nodir/x.csv" 2>&1); rc=$?
assert_eq "output into a missing directory: exit 1" "1" "$rc"
# A view that fails while streaming: nothing half-written is left.
sql "CREATE VIEW fragwatch.test_failing AS SELECT g, 1 / (3 - g) AS x FROM generate_series(1, 5) g; GRANT SELECT ON fragwatch.test_failing TO fragwatch_reader" >/dev/null
out=$("$FW" -c "$T/fw.conf" export --view test_failing -o "$T/failing.csv" 2>&1); rc=$?
assert_eq "a query failing midway: exit 4, no file left" "4|no" "$rc|$([ -e "$T/failing.csv" ] && echo yes || echo no)"
assert_match "a query failing midway: the database's message" "division by zero" "$out"
pg_kill
out=$("$FW" -c "$T/fw.conf" export --view run_log 2>&1); rc=$?
assert_eq "no database: exit 4" "4" "$rc"
