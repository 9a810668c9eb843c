# test_report.sh - `fragwatch report` on the sample region, rendered in headless Chromium: board, sparklines, warnings, freshness, escaping.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start

# The sample region ends on "today" (2024-02-15, lib.sh), so it is fresh.
$PY "$TOP/tests/tools/gensample.py" --out "$T/www" --end "$FRAGWATCH_TODAY" >/dev/null
# An area whose name is markup and an ampersand (and Swedish letters): it
# must come out as text. It has no data, so its cells say "no data".
sed -i 's|^areas = ($|areas = (\n  { code = "XSS"; name = "<script>alert(1)</script> Ärr \& Co"; guarantee_days = 90; },|' "$T/www/region.conf"
cp "$T/www/region.conf" "$T/region.conf"
{
	printf 'database = { conninfo = "%s"; state_dir = "%s"; statement_timeout = 120; };\n' "$CONNINFO" "$T/state"
	sed "s|@HTTP@|$HTTP|g" "$TOP/etc/demo.conf"
} > "$T/fw.conf"
"$FW" -c "$T/fw.conf" run >"$T/run1.out" 2>&1
assert_eq "setup: the sample region loads (3 sources ok)" 3 "$(grep -cE '^(koer|remiss|bemanning) +ok' "$T/run1.out")"

# A refusal: an HTML error page served in place of the queue extract (the
# previous data stand). Its error is shown in the report, escaped.
mv "$T/www/queue.csv" "$T/www/queue.good"
printf '<html><body>Service unavailable</body></html>\n' > "$T/www/queue.csv"
"$FW" -c "$T/fw.conf" run koer >"$T/run2.out" 2>&1
assert_eq "setup: the HTML page is refused" 1 "$(sql "SELECT count(*) FROM fragwatch.runs WHERE source = 'koer' AND status = 'refused'")"
mv "$T/www/queue.good" "$T/www/queue.csv"

# TEST ONLY: the early-warning view that migration 006 adds (same columns),
# with hand-made rows, so that the trending-fragile section is tested now.
sql "SET client_min_messages = warning; DROP VIEW IF EXISTS fragwatch.trending_fragile CASCADE;
CREATE TABLE fragwatch.test_trending (area text, area_name text, org text, org_name text,
	indicator text, indicator_name text, light text, detectors text, value double precision,
	slope double precision, periods_to_red double precision, red_date date, explanation text,
	first_seen timestamptz, last_seen timestamptz, data_end date);
CREATE VIEW fragwatch.trending_fragile AS SELECT * FROM fragwatch.test_trending;
INSERT INTO fragwatch.test_trending VALUES
 ('ORTO', 'Ortopedi', 'SKAS', 'Skaraborgs Sjukhus', 'Q1', 'share waiting within the guarantee limit',
  'yellow', 'E3', 0.74, -0.012, 3.5, '2024-03-11', 'Fewer are seen within 90 days <img src=x onerror=alert(2)> & falling',
  '2024-02-01 08:00+01', '2024-02-12 08:00+01', '2024-02-12'),
 ('PSYK', 'Psykiatri', '*', 'Region', 'Q3', 'waiting pressure (2 x mean wait / limit)',
  'green', 'E1+E2', 0.71, 0.02, 5.5, '2024-03-25', 'Waits are growing', '2024-02-05 08:00+01', '2024-02-12 08:00+01', '2024-02-12'),
 ('PSYK', 'Psykiatri', 'SU', 'Sahlgrenska Universitetssjukhuset', 'composite', 'composite score',
  'yellow', 'E1+E2', 0.3, 0.01, NULL, NULL, 'Several indicators worsen together', '2024-02-05 08:00+01', '2024-02-12 08:00+01', '2024-02-12');" >/dev/null

out=$("$FW" -c "$T/fw.conf" report -o "$T/out/report.html" 2>&1); rc=$?
assert_eq "report into a missing directory exits 1" 1 "$rc"
out=$("$FW" -c "$T/fw.conf" report 2>&1); rc=$?
assert_eq "report without -o exits 2" 2 "$rc"
out=$("$FW" -c "$T/fw.conf" report -o "$T/x.html" extra 2>&1); rc=$?
assert_eq "report with a stray argument exits 2" 2 "$rc"
mkdir -p "$T/site"
"$FW" -c "$T/fw.conf" report -o "$T/site/report.html" >"$T/report.out" 2>&1; rc=$?
assert_eq "report -o FILE exits 0" 0 "$rc"
assert_eq "report: written atomically, no temporary file left" "report.html" "$(ls -A "$T/site")"
assert_eq "report: readable by others (0644)" "644" "$(stat -c %a "$T/site/report.html")"
"$FW" -c "$T/fw.conf" report -o - >"$T/stdout.html" 2>&1
assert_eq "report -o - writes the same page to standard output" \
	"$(grep -v 'written' "$T/site/report.html" | md5sum)" "$(grep -v 'written' "$T/stdout.html" | md5sum)"

# Render it. Chromium loads the file as a browser would and dumps the DOM
# it built; console messages go to its log.
CHROME=$(command -v chromium || command -v chromium-browser || true)
mkdir -p "$TOP/build"
if [ -n "$CHROME" ]; then
	CH="--headless --no-sandbox --disable-gpu --user-data-dir=$T/chrome --enable-logging=stderr --v=0"
	timeout 120 "$CHROME" $CH --dump-dom "file://$T/site/report.html" >"$T/dom.html" 2>"$T/chrome.log"
	assert_eq "chromium renders the page" 0 "$?"
	assert_eq "no console messages or errors while loading" "" \
		"$(grep -E 'CONSOLE|Uncaught|Failed to load|net::ERR' "$T/chrome.log")"
	timeout 120 "$CHROME" $CH --hide-scrollbars --window-size=1400,3000 \
		--screenshot="$T/report.png" "file://$T/site/report.html" >/dev/null 2>>"$T/chrome.log"
	assert_eq "a screenshot is written (PNG)" "89504e47" "$(head -c4 "$T/report.png" | od -An -tx1 | tr -d ' \n')"
	cp "$T/report.png" "$TOP/build/report-screenshot.png"
	cp "$T/site/report.html" "$TOP/build/report-sample.html"
	echo "# screenshot: $TOP/build/report-screenshot.png"
else
	echo "# chromium is not installed: the DOM checks below parse the file itself"
	cp "$T/site/report.html" "$T/dom.html"
fi

# Expected figures, from SQL on the tables (not the report's queries).
cells=$(sql "SELECT (SELECT count(*) FROM fragwatch.areas) * ((SELECT count(*) FROM fragwatch.organisations) + 1)")
areas=$(sql "SELECT count(*) FROM fragwatch.areas")
# gensample: NEURO drifts at SU to red at the end.
assert_eq "setup: NEURO at SU is red now" "red" "$(sql "SELECT status FROM fragwatch.area_status WHERE area = 'NEURO' AND org = 'SU' ORDER BY as_of DESC LIMIT 1")"
# The region-wide Q1 of NEURO over the last two years: its values that are not NULL.
q1=$(sql "SELECT count(value) FROM fragwatch.indicator_values WHERE area = 'NEURO' AND org = '*' AND code = 'Q1' AND period BETWEEN date '2022-02-15' AND date '2024-02-15'")
q1_periods=$(sql "SELECT count(*) FROM fragwatch.indicator_values WHERE area = 'NEURO' AND org = '*' AND code = 'Q1' AND period BETWEEN date '2022-02-15' AND date '2024-02-15'")
s1=$(sql "SELECT count(value) FROM fragwatch.indicator_values WHERE area = 'ALL' AND org = '*' AND code = 'S1' AND period BETWEEN date '2022-02-15' AND date '2024-02-15'")
assert_match "setup: about two years of weekly Q1 (104..105 periods)" "^10[45]$" "$q1_periods"

# The DOM, read with Python's html.parser: prints one "key value" per line.
cat > "$T/dom.py" <<'EOF'
import html.parser, re, sys

class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []
        self.tags = {}
        self.cells = []          # (attrs, text)
        self.cur_cell = None
        self.figs = {}           # (area, code) -> {"points": n, "lines": n, "projection": n}
        self.cur_fig = None
        self.text = []
        self.external = []
        self.th_area = []
        self.cur_th = None
        self.table = None
        self.rows = {}
        self.cur_row = None
    def handle_starttag(self, tag, a):
        a = dict(a)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        for k in ("src", "href", "srcset", "action", "data", "xlink:href"):
            v = a.get(k)
            if v is not None and not (k == "href" and v.startswith("#")):
                self.external.append(tag + " " + k + "=" + v)
        cls = a.get("class", "")
        if tag == "td" and "cell" in cls.split():
            self.cur_cell = [a, ""]
        if tag == "figure":
            self.cur_fig = (a.get("data-area"), a.get("data-code"))
            self.figs[self.cur_fig] = {"points": 0, "lines": 0, "projection": 0, "ys": [], "mean": [], "limits": 0}
        if self.cur_fig and tag == "polyline" and cls == "line":
            self.figs[self.cur_fig]["points"] += len(a["points"].split())
            self.figs[self.cur_fig]["lines"] += 1
            self.figs[self.cur_fig]["ys"] += [float(p.split(",")[1]) for p in a["points"].split()]
        if self.cur_fig and tag == "line" and cls == "spc-mean":
            self.figs[self.cur_fig]["mean"].append(float(a["y1"]))
        if self.cur_fig and tag == "line" and cls == "spc-limit":
            self.figs[self.cur_fig]["limits"] += 1
        if self.cur_fig and tag == "line" and cls == "projection":
            self.figs[self.cur_fig]["projection"] += 1
        if tag == "th" and "area" in cls.split():
            self.cur_th = ""
        if tag == "table":
            self.table = next((c for c in cls.split() if c != "list"), cls)
            self.rows.setdefault(self.table, [])
        if tag == "tr" and self.table:
            self.cur_row = []
        if tag in ("td",) and self.cur_row is not None:
            self.cur_row.append("")
    def handle_endtag(self, tag):
        if tag == "td" and self.cur_cell is not None:
            self.cells.append(tuple(self.cur_cell))
            self.cur_cell = None
        if tag == "figure":
            self.cur_fig = None
        if tag == "th" and self.cur_th is not None:
            self.th_area.append(self.cur_th.strip())
            self.cur_th = None
        if tag == "tr" and self.cur_row is not None:
            if self.cur_row:
                self.rows[self.table].append(self.cur_row)
            self.cur_row = None
        if tag == "table":
            self.table = None
    def handle_data(self, d):
        self.text.append(d)
        if self.cur_cell is not None:
            self.cur_cell[1] += d
        if self.cur_th is not None:
            self.cur_th += d
        if self.cur_row:
            self.cur_row[-1] += d

p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
text = "".join(p.text)
def out(k, v): print(k, v)
out("cells", len(p.cells))
def cell(area, org):
    c = [x for x in p.cells if x[0].get("data-area") == area and x[0].get("data-org") == org]
    return c[0] if c else ({}, "")
for area, org in (("NEURO", "SU"), ("ORTO", "SKAS"), ("PSYK", "*"), ("NEURO", "*"), ("XSS", "SU")):
    a, t = cell(area, org)
    out("cell:%s:%s" % (area, org), "%s|%s|%s|%s" % (a.get("class"), t.strip(), a.get("title", "")[:80], a.get("aria-label") == a.get("title")))
out("unlettered", sum(1 for a, t in p.cells if t.strip()[:1] not in ("G", "Y", "R", "-", "·")))
out("marked", ",".join(sorted("%s:%s" % (a["data-area"], a["data-org"]) for a, t in p.cells if "▲" in t)))
for k in (("NEURO", "Q1"), ("PSYK", "Q3"), ("ALL", "S1")):
    f = p.figs.get(k, {})
    out("fig:%s:%s" % k, "%s|%s" % (f.get("points"), f.get("projection")))
out("figures", len(p.figs))
f = p.figs.get(("NEURO", "Q1"), {"ys": [], "mean": [], "limits": 0})
out("spc:NEURO:Q1", "%d|%d|%s" % (len(f["mean"]), f["limits"], bool(f["mean"]) and min(f["ys"]) <= f["mean"][0] <= max(f["ys"])))
out("script", p.tags.get("script", 0))
out("img", p.tags.get("img", 0))
out("svg", p.tags.get("svg", 0))
out("external", ";".join(p.external) or "none")
out("xss-th", [t for t in p.th_area if "script" in t])
a, t = cell("OGON", "SAS")
out("swedish", "Ögonsjukvård" in text and a.get("title", "").startswith("Ögonsjukvård, Södra Älvsborgs Sjukhus: "))
out("trending", len(p.rows.get("trending", [])))
out("trending-img-text", any("<img src=x onerror=alert(2)>" in c for r in p.rows.get("trending", []) for c in r))
fr = p.rows.get("freshness", [])
out("freshness", len(fr))
out("freshness-koer", "|".join(c.strip() for c in next((r for r in fr if r[0] == "koer"), [])[:4][3:]))
out("stale", sum(1 for r in fr if "STALE" in "".join(r)))
rf = p.rows.get("refusals", [])
out("refusals", "%d|%s" % (len(rf), rf[0][1] if rf else ""))
EOF
$PY "$T/dom.py" "$T/dom.html" >"$T/dom.txt" 2>&1 || cat "$T/dom.txt"
get() { sed -n "s/^$1 //p" "$T/dom.txt"; }

assert_eq "board: one cell per area x (organisation + region) ($cells)" "$cells" "$(get cells)"
assert_eq "board: every cell lettered (G/Y/R/-/·)" "0" "$(get unlettered)"
assert_match "board: NEURO at SU is red and lettered R, with a label" "^cell s-red\|R\|Neurologi, Sahlgrenska Universitetssjukhuset: red" "$(get cell:NEURO:SU)"
assert_match "board: the label is also the aria-label" "\|True$" "$(get cell:NEURO:SU)"
assert_match "board: a region-wide cell is marked as such" "^cell s-[a-z]+ region\|" "$(get 'cell:NEURO:\*')"
assert_eq "board: trending-fragile markers where warnings are active" "ORTO:SKAS,PSYK:*,PSYK:SU" "$(get marked)"
assert_match "board: the markup-named area's cells say no data" "^cell s-none\|·\|" "$(get cell:XSS:SU)"
assert_eq "sparklines: five weighted-2 indicators per area" "$((areas * 5))" "$(get figures)"
assert_eq "sparkline NEURO Q1: one point per value in SQL ($q1), no projection" "$q1|0" "$(get fig:NEURO:Q1)"
assert_eq "sparkline ALL S1: monthly points from SQL ($s1)" "$s1|0" "$(get fig:ALL:S1)"
assert_eq "sparkline NEURO Q1: SPC centre line within the values, two limits" "1|2|True" "$(get spc:NEURO:Q1)"
assert_match "sparkline PSYK Q3: the active warning's projection to red" "\|1$" "$(get fig:PSYK:Q3)"
assert_eq "escaping: no script element in the page" "0" "$(get script)"
assert_eq "escaping: no injected img element" "0" "$(get img)"
assert_eq "escaping: the markup-named area reads as text" "['<script>alert(1)</script> Ärr & Co XSS']" "$(get xss-th)"
assert_eq "escaping: the warning's explanation reads as text" "True" "$(get trending-img-text)"
assert_eq "Swedish names intact" "True" "$(get swedish)"
assert_eq "self-contained: no external asset or link" "none" "$(get external)"
assert_eq "trending-fragile list: one row per warning" "3" "$(get trending)"
assert_eq "freshness: one row per source" "3" "$(get freshness)"
assert_eq "freshness: koer's last run was refused" "refused" "$(get freshness-koer)"
assert_eq "freshness: nothing stale on the day the data end" "0" "$(get stale)"
assert_eq "refusals: the refused run with its source" "1|koer" "$(get refusals)"
grep -q 'id="refusals"' "$T/site/report.html" && grep -q "Service unavailable\|HTML\|html" "$T/site/report.html"
assert_eq "refusals: the error is shown" 0 "$?"
assert_match "page: UTF-8 declared first in the head" '^<!DOCTYPE html>.<html lang="en"><head><meta charset="utf-8">' "$(head -c 200 "$T/site/report.html" | tr '\n' '.')"

# Two months on, every source is older than its max_age_days.
FRAGWATCH_TODAY=2024-04-15 "$FW" -c "$T/fw.conf" report -o "$T/late.html" >/dev/null 2>&1
$PY "$T/dom.py" "$T/late.html" >"$T/dom.txt" 2>&1
assert_eq "freshness: stale sources marked two months later" "3" "$(get stale)"

# Without the early-warning view the section says so, and the board has no markers.
sql "DROP VIEW fragwatch.trending_fragile" >/dev/null
"$FW" -c "$T/fw.conf" report -o "$T/nowarn.html" >/dev/null 2>&1; rc=$?
$PY "$T/dom.py" "$T/nowarn.html" >"$T/dom.txt" 2>&1
assert_eq "without trending_fragile: written, no markers" "0|" "$rc|$(get marked)"
assert_match "without trending_fragile: the section says why" "Early warnings are not in this database yet" "$(cat "$T/nowarn.html")"

# The database gone: exit 4.
pg_kill
out=$("$FW" -c "$T/fw.conf" report -o "$T/x.html" 2>&1); rc=$?
assert_eq "report without a database exits 4" 4 "$rc"
