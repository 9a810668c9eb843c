# test_backtest.sh - `fragwatch backtest` on a synthetic region whose red onsets are known by construction; no look-ahead.
#
# tests/tools/gensynthetic.py writes three years of weekly waiting lists for
# six areas x two organisations, and the composite light of every week that
# DESIGN.md §5 gives for them (its own implementation). The scoring of the
# "warn at yellow" baseline is then recomputed here by a small reference
# implementation of DESIGN.md §6 (below, in Python) and must match the
# backtest's JSON exactly; the early warning itself is checked against
# what the construction implies. Finally the warnings up to a date must be
# the same when the history after it is deleted.
. "$(dirname "$0")/../lib.sh"
pg_start
G=$T/syn
$PY "$TOP/tests/tools/gensynthetic.py" --out "$G"
cp "$G/region.conf" "$T/"   # beside the configs that @include it
export FRAGWATCH_TODAY=2024-01-02   # the day after the last week (2023-W52)

# conf FILE DBNAME: a config reading the synthetic queue from the database DBNAME.
conf() {
	cat > "$1" <<EOF
database = { conninfo = "host=$T/sock user=fragwatch dbname=$2"; state_dir = "$T/state"; };
@include "region.conf"
sources = ( {
	name = "koer"; kind = "queue"; url = "file://$G/queue.csv"; period = "week"; max_age_days = 14;
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning"; waiting_total = "vantande";
		waiting_over_target = "vantande_over_grans"; mean_wait_days = "medelvantetid"; };
} );
EOF
}
conf "$T/fw.conf" fragwatch
out=$("$FW" -c "$T/fw.conf" run 2>&1)
assert_match "setup: the synthetic region loads" "^koer +ok +1872 loaded" "$out"

# The reference: DESIGN.md §6 written out again, on the constructed lights.
cat > "$T/ref.py" <<'EOF'
import datetime as dt, json, statistics, sys

def score(st, warn, H):
    """Onsets, episodes and their outcomes for one series (see backtest.h)."""
    n = len(st)
    onsets = [t for t in range(3, n) if st[t] == "red"
              and all(st[t - k] in ("green", "yellow") for k in (1, 2, 3))]
    eps, t = [], 0
    while t < n:
        if warn[t]:
            s = t
            while t + 1 < n and warn[t + 1]:
                t += 1
            eps.append((s, t))
        t += 1
    r = dict(onsets=len(onsets), warnings=len(eps), hits=0, true=0,
             false_alarms=0, pending=0, green=0, leads=[], years=n / 52.18)
    for s, e in eps:
        if any(st[x] == "red" for x in range(e + 1, min(e + H, n - 1) + 1)):
            r["true"] += 1
        elif e + H <= n - 1:
            r["false_alarms"] += 1
        else:
            r["pending"] += 1
    for o in onsets:
        inwin = [(s, e) for s, e in eps if e >= max(0, o - H) and s <= o - 1]
        if inwin:
            s = min(inwin)[0]
            r["hits"] += 1
            r["leads"].append(min(o - s, 24))
            r["green"] += st[s] == "green"
    return r

def summary(rs):
    tot = {k: sum(r[k] for r in rs) for k in
           ("onsets", "warnings", "hits", "true", "false_alarms", "pending", "green", "years")}
    leads = [l for r in rs for l in r["leads"]]
    div = lambda a, b: round(a / b, 6) if b else None
    return dict(onsets=tot["onsets"], warnings=tot["warnings"], hits=tot["hits"],
                misses=tot["onsets"] - tot["hits"], false_alarms=tot["false_alarms"],
                pending=tot["pending"], recall=div(tot["hits"], tot["onsets"]),
                precision=div(tot["true"], tot["true"] + tot["false_alarms"]),
                false_alarms_per_area_year=div(tot["false_alarms"], tot["years"]),
                median_lead_periods=round(statistics.median(leads), 6) if leads else None,
                warned_while_green_share=div(tot["green"], tot["onsets"]))

exp = json.load(open(sys.argv[1]))
H = int(sys.argv[3])
start = dt.date.fromisoformat(exp["start"])
first = 0
if sys.argv[4] != "-":
    first = (dt.date.fromisoformat(sys.argv[4]) - start).days // 7
per_area = {}
for unit, st in sorted(exp["units"].items()):
    st = st[first:]
    per_area.setdefault(unit.split("/")[0], []).append(
        score(st, [x == "yellow" for x in st], H))
want = {"overall": summary([r for rs in per_area.values() for r in rs])}
want.update({a: summary(rs) for a, rs in per_area.items()})
got = json.load(open(sys.argv[2]))["warn_at_yellow"]
bad = []
for area, w in want.items():
    g = got["overall"] if area == "overall" else got["areas"].get(area, {})
    for k, v in w.items():
        gv = g.get(k)
        if isinstance(gv, float):
            gv = round(gv, 6)
        if gv != v:
            bad.append("%s %s: want %s, got %s" % (area, k, v, gv))
print("; ".join(bad) if bad else "ok")
EOF

# fw_json FILE: a figure of the backtest's JSON, e.g. fw_json fragwatch.areas.DRIFT.hits
fw_json() { $PY -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[k]
print("null" if v is None else v)' "$T/bt.json" "$1"; }

###########################################################################
# 1. The lights the backtest replays are the constructed ones.
"$FW" -c "$T/fw.conf" backtest --trace > "$T/trace.tsv" 2>"$T/trace.err"
assert_eq "--trace exits 0" "0" "$?"
out=$($PY - "$G/expected.json" "$T/trace.tsv" <<'EOF'
import datetime as dt, json, sys
exp = json.load(open(sys.argv[1]))
start = dt.date.fromisoformat(exp["start"])
got = {}
for line in open(sys.argv[2]):
    a, o, d, light = line.split("\t")[:4]
    got[(a + "/" + o, (dt.date.fromisoformat(d) - start).days // 7)] = light
want = {(u, w): l for u, st in exp["units"].items() for w, l in enumerate(st)}
diff = [k for k in want if got.get(k) != want[k]] + [k for k in got if k not in want]
print("%d periods, %d differ %s" % (len(want), len(diff), sorted(diff)[:5]))
EOF
)
assert_eq "every series and week has the constructed light" "2808 periods, 0 differ []" "$out"

###########################################################################
# 2. Scores: warn at yellow recomputed by the reference; the early warning
# against the construction.
"$FW" -c "$T/fw.conf" backtest --json > "$T/bt.json" 2>"$T/bt.err"
assert_eq "--json exits 0" "0" "$?"
assert_eq "--json prints one JSON object" "dict" "$($PY -c 'import json, sys; print(type(json.load(open(sys.argv[1]))).__name__)' "$T/bt.json" 2>&1)"
assert_eq "warn at yellow matches the reference (H = 12)" "ok" "$($PY "$T/ref.py" "$G/expected.json" "$T/bt.json" 12 - 2>&1)"
# Onsets by construction: DRIFT/X weeks 54 and 119, LATE/X, LATE/Y and
# LATE/* once each, STEP/X week 100. None in PLATEAU (yellow at most) or
# the flat areas. The same for every method: they are the truth.
for m in fragwatch warn_at_yellow e1_alone; do
	got=$(for a in DRIFT LATE STEP PLATEAU FLAT1 FLAT2; do printf '%s ' "$(fw_json $m.areas.$a.onsets)"; done)
	assert_eq "$m: onsets per area as constructed" "2 3 1 0 0 0 6" "$got$(fw_json $m.overall.onsets)"
done
# warn at yellow: every onset but the step passed through yellow: 5 of 6,
# with leads of 6 (DRIFT: yellow from 48 and 113) and 9 or 10 (LATE).
assert_eq "warn at yellow: recall 5/6" "0.833333" "$($PY -c "print(round($(fw_json warn_at_yellow.overall.recall), 6))")"
assert_eq "warn at yellow: STEP is missed" "0 1" "$(fw_json warn_at_yellow.areas.STEP.hits) $(fw_json warn_at_yellow.areas.STEP.misses)"
# The early warning: a steady drift into red is what E3 exists for, so
# every drift onset is hit (the step cannot be: nothing precedes it), and
# while the pressure is still flat nothing fires: no false alarm in the
# flat areas and none in the flat organisations of the others.
assert_eq "fragwatch hits every drift onset" "2 3" "$(fw_json fragwatch.areas.DRIFT.hits) $(fw_json fragwatch.areas.LATE.hits)"
assert_eq "fragwatch misses the step" "0 1" "$(fw_json fragwatch.areas.STEP.hits) $(fw_json fragwatch.areas.STEP.misses)"
assert_eq "fragwatch: no warning in the flat areas" "0 0" "$(fw_json fragwatch.areas.FLAT1.warnings) $(fw_json fragwatch.areas.FLAT2.warnings)"
# A steady drift is projected to cross red before it even turns yellow
# (DRIFT is yellow only 6 weeks before red, LATE 9 or 10; E3 looks 12
# ahead): the early warning leads the yellow baseline and starts while
# the series is still green.
for a in DRIFT LATE; do
	fl=$(fw_json fragwatch.areas.$a.median_lead_periods)
	yl=$(fw_json warn_at_yellow.areas.$a.median_lead_periods)
	assert_eq "$a: fragwatch leads warn at yellow ($fl > $yl weeks)" "True" "$($PY -c "print($fl > $yl)")"
	assert_eq "$a: every hit first warned while green" "1.0" "$(fw_json fragwatch.areas.$a.warned_while_green_share)"
done
lead=$(fw_json fragwatch.overall.median_lead_periods)
assert_match "fragwatch warns 1..24 weeks ahead (median $lead)" "^([1-9]|1[0-9]|2[0-4])\.[0-9]+$" "$lead"
assert_eq "recall and green share are null without onsets" "null null" "$(fw_json fragwatch.areas.FLAT1.recall) $(fw_json fragwatch.areas.FLAT1.warned_while_green_share)"
for k in onsets warnings hits misses false_alarms false_alarms_per_area_year recall precision median_lead_periods warned_while_green_share; do
	for m in fragwatch warn_at_yellow e1_alone; do
		fw_json $m.overall.$k >/dev/null 2>&1 || not_ok "--json has $m.overall.$k"
		fw_json $m.areas.DRIFT.$k >/dev/null 2>&1 || not_ok "--json has $m.areas.DRIFT.$k"
	done
done
ok "--json has every key for every method, overall and per area"

# Another horizon and a later start, recomputed by the reference.
"$FW" -c "$T/fw.conf" backtest --json --horizon 4 > "$T/bt.json" 2>&1
assert_eq "warn at yellow matches the reference (--horizon 4)" "ok" "$($PY "$T/ref.py" "$G/expected.json" "$T/bt.json" 4 - 2>&1)"
"$FW" -c "$T/fw.conf" backtest --json --from 2022-11-07 > "$T/bt.json" 2>&1
assert_eq "warn at yellow matches the reference (--from week 96)" "ok" "$($PY "$T/ref.py" "$G/expected.json" "$T/bt.json" 12 2022-11-07 2>&1)"
assert_eq "--from: DRIFT's first onset (week 54) is before it" "1" "$(fw_json fragwatch.areas.DRIFT.onsets)"

# The table.
out=$("$FW" -c "$T/fw.conf" backtest 2>&1)
assert_match "the table has an overall row" "overall +fragwatch +6 " "$out"
assert_match "the table has the baselines" "warn at yellow +6 " "$out"
assert_match "the table has a row per area" "STEP +fragwatch +1 " "$out"

###########################################################################
# 3. Stored for analysts: one row per method x area and overall, per backtest.
assert_eq "results stored: 5 backtests x 3 methods x (6 areas + overall)" "105" "$(sql "SELECT count(*) FROM fragwatch.backtest_results")"
assert_eq "the latest backtest's overall rows" "e1_alone|6|fragwatch|6|warn_at_yellow|6" \
	"$(sql "SELECT string_agg(method || '|' || onsets, '|' ORDER BY method) FROM fragwatch.backtest_latest WHERE area IS NULL")"
# Backtests 3 and 4 above: --horizon 4, then --from 2022-11-07.
assert_eq "the run parameters are stored" "|4|2;2022-11-07||2" \
	"$(sql "SELECT string_agg(x, ';' ORDER BY id) FROM (SELECT DISTINCT backtest_id AS id, coalesce(period_from::text, '') || '|' || coalesce(horizon::text, '') || '|' || persistence AS x FROM fragwatch.backtest_results WHERE backtest_id IN (3, 4)) s")"
out=$(psql -XAtq -h "$T/sock" -U fragwatch -d fragwatch -c "SET ROLE fragwatch_reader; SELECT count(*) FROM fragwatch.backtest_latest" 2>&1)
assert_eq "the reader role reads the latest backtest" "21" "$out"
assert_match "the table and view are commented" "^2$" "$(sql "SELECT count(*) FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.objsubid = 0 WHERE c.relname IN ('backtest_results', 'backtest_latest')")"
assert_eq "every column of backtest_results is commented" "0" "$(sql "SELECT count(*) FROM information_schema.columns c WHERE table_schema = 'fragwatch' AND table_name = 'backtest_results' AND col_description('fragwatch.backtest_results'::regclass, c.ordinal_position) IS NULL")"

###########################################################################
# 4. No look-ahead: the warnings up to a date are the same when every value
# and status after it is deleted (a copy of the database), and with --to.
# The dates: where the early warning of DRIFT/X, LATE/Y or LATE/* turns on
# or off, since a verdict that peeks one period ahead differs from an
# honest one first at such a turn; and inside DRIFT's first drift.
cuts=$($PY - "$T/trace.tsv" <<'EOF'
import sys
prev, cuts = {}, {"2022-01-10"}   # week 53, the week before DRIFT's onset
for line in open(sys.argv[1]):
    a, o, d, light, fw = line.split("\t")[:5]
    u = a + "/" + o
    if u in ("DRIFT/X", "LATE/Y", "LATE/*") and u in prev and prev[u] != fw:
        cuts.add(d)
    prev[u] = fw
print(" ".join(sorted(cuts)[:8]))
EOF
)
fired=0
ncuts=0
for cut in $cuts; do
	db=cut_$(echo "$cut" | tr -d -)
	ncuts=$((ncuts + 1))
	psql -XAtq -h "$T/sock" -U fragwatch -d postgres -c "CREATE DATABASE $db TEMPLATE fragwatch" >/dev/null
	psql -XAtq -h "$T/sock" -U fragwatch -d "$db" -c "DELETE FROM fragwatch.indicator_values WHERE period > '$cut'; DELETE FROM fragwatch.area_status WHERE as_of > '$cut'" >/dev/null
	conf "$T/cut.conf" "$db"
	"$FW" -c "$T/cut.conf" backtest --trace > "$T/cut.tsv" 2>&1
	awk -F'\t' -v c="$cut" '$3 <= c' "$T/trace.tsv" > "$T/full.tsv"
	assert_eq "to $cut: the truncated history gives the same warnings ($(wc -l < "$T/full.tsv") periods)" "" "$(diff "$T/full.tsv" "$T/cut.tsv" | head -5)"
	"$FW" -c "$T/fw.conf" backtest --trace --to "$cut" > "$T/to.tsv" 2>&1
	assert_eq "to $cut: --to gives the same warnings" "" "$(diff "$T/full.tsv" "$T/to.tsv" | head -5)"
	fired=$((fired + $(awk -F'\t' '$5 == 1' "$T/full.tsv" | wc -l)))
done
# The check means something only if warnings turned on or off, and were
# active, before the cuts.
assert_match "warnings turned on or off at least 3 times ($ncuts cuts)" "^[4-8]$" "$ncuts"
assert_match "warnings were active before the cuts ($fired)" "^[1-9][0-9]*$" "$fired"

###########################################################################
# 5. Usage and failures.
for args in "--from 2022-13-01" "--to yesterday" "--horizon 0" "--horizon 12x" "--bogus" "extra" "--json --trace" "--from 2023-01-02 --to 2022-01-03" "--horizon"; do
	"$FW" -c "$T/fw.conf" backtest $args >/dev/null 2>"$T/usage.err"
	assert_eq "backtest $args: exit 2" "2" "$?"
done
assert_match "a bad date is named" "bad date '2022-13-01'" "$("$FW" -c "$T/fw.conf" backtest --from 2022-13-01 2>&1)"
conf "$T/none.conf" nosuchdb
"$FW" -c "$T/none.conf" backtest >/dev/null 2>&1
assert_eq "no database: exit 4" "4" "$?"
psql -XAtq -h "$T/sock" -U fragwatch -d postgres -c "CREATE DATABASE empty" >/dev/null
conf "$T/empty.conf" empty
out=$("$FW" -c "$T/empty.conf" backtest 2>&1)
assert_match "an empty history: nothing to replay, exit 0" "no history to replay" "$out"

###########################################################################
# 6. The combination rule (early_warning.combine). The synthetic region has
# queue data only: one domain, nothing to corroborate, so "domains" (the
# default) keeps every warning that "any" does. A rule not known is refused.
conf "$T/any.conf" fragwatch
echo 'early_warning = { combine = "any"; };' >> "$T/any.conf"
"$FW" -c "$T/fw.conf" backtest --json > "$T/dom.json" 2>&1
"$FW" -c "$T/any.conf" backtest --json > "$T/any.json" 2>&1
assert_eq "one domain: 'domains' and 'any' score the same" "True" \
	"$($PY -c 'import json, sys; a, b = (json.load(open(f))["fragwatch"] for f in sys.argv[1:]); print(a == b and a["overall"]["warnings"] > 0)' "$T/dom.json" "$T/any.json" 2>&1)"
conf "$T/bad.conf" fragwatch
echo 'early_warning = { combine = "two"; };' >> "$T/bad.conf"
out=$("$FW" check-config "$T/bad.conf" 2>&1)
assert_eq "combine = \"two\": check-config exits 3 (invalid)" "3" "$?"
assert_match "the key is named" "'combine' must be \"any\" or \"domains\"" "$out"
