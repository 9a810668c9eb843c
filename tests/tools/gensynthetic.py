#!/usr/bin/python3
"""A synthetic region whose red onsets are known by construction, for the backtest.

    /usr/bin/python3 tests/tools/gensynthetic.py --out DIR [--seed 7]

Writes DIR/queue.csv (weekly waiting lists, ';', decimal comma, ISO weeks
2021-W01 .. 2023-W52, 156 weeks), DIR/region.conf (areas and organisations
to @include) and DIR/expected.json: for every area x org series, and
region-wide ('*'), the composite light of each week as DESIGN.md §5 defines
it, computed here from the very numbers written to the CSV (an independent
implementation of the lights and the composite for Q1, Q2, Q3; no staffing
or referral data, so no other indicator counts).

Each series follows a pressure p(week): p = 0.10 is healthy, and

    Q1 (share within T)   = 1 - over / total,  over = total * (0.05 + 0.35 p)
    Q3 (waiting pressure) = 2 * mean / T,      mean = 45 * (0.5 + 0.7 p), T = 90
    Q2 (queue growth)     = 0 (the list's size never changes: green)

so Q1 and Q3 turn yellow together at p > 0.4286 and red at p > 0.7143;
yellow+yellow scores 4/10 (yellow), red+red 8/10 (red). Deterministic noise
of +-0.02 (FLAT2 +-0.05) is added to p every week. The scenarios:

  DRIFT    X: p rises 0.10 -> 1.00 over weeks 40..60, holds to 70, recovers
              by 78; rises again over 105..125 and stays red.
              Red onsets at weeks 54 and 119 (yellow from about 48 and 113).
           Y: flat.  Region: yellow at most (never red).
  LATE     X: p rises 0.10 -> 1.10 over weeks 85..115, stays.  Red onset ~106.
           Y: p rises 0.10 -> 1.10 over weeks 80..110, stays.  Red onset ~101.
           Region: red too (~104).
  STEP     X: p jumps to 1.00 for weeks 100..109 with no warning sign:
              onset 100, which no method can foresee.  Y: flat.
  PLATEAU  X: p rises to 0.60 over weeks 60..75 (yellow), holds to 95, falls
              back by 100: never red.  Y: flat.
  FLAT1, FLAT2: flat, X and Y.

The same seed always gives byte-identical files (standard library only).
"""

import argparse
import datetime as dt
import json
import os
import random

START = dt.date(2021, 1, 4)  # Monday of 2021-W01
WEEKS = 156
T = 90
TOTAL = {"X": 1000, "Y": 800}
AREAS = ["DRIFT", "LATE", "STEP", "PLATEAU", "FLAT1", "FLAT2"]
ORGS = ["X", "Y"]
BASE = 0.10


def ramp(w, w0, w1, p0, p1):
    """p0 before w0, p1 after w1, linear between."""
    if w <= w0:
        return p0
    if w >= w1:
        return p1
    return p0 + (p1 - p0) * (w - w0) / (w1 - w0)


def pressure(area, org, w):
    if area == "DRIFT" and org == "X":
        if w < 78:
            return ramp(w, 40, 60, BASE, 1.0) if w < 70 else ramp(w, 70, 78, 1.0, BASE)
        return ramp(w, 105, 125, BASE, 1.0)
    if area == "LATE" and org == "X":
        return ramp(w, 85, 115, BASE, 1.1)
    if area == "LATE" and org == "Y":
        return ramp(w, 80, 110, BASE, 1.1)
    if area == "STEP" and org == "X":
        return 1.0 if 100 <= w < 110 else BASE
    if area == "PLATEAU" and org == "X":
        return ramp(w, 60, 75, BASE, 0.6) if w < 95 else ramp(w, 95, 100, 0.6, BASE)
    return BASE


def light(v, green, red):
    """green / red are (op, bound) as in the config's defaults."""
    ops = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b,
           "<=": lambda a, b: a <= b, ">": lambda a, b: a > b}
    if ops[green[0]](v, green[1]):
        return "green"
    if ops[red[0]](v, red[1]):
        return "red"
    return "yellow"


POINTS = {"green": 0, "yellow": 1, "red": 2}


def composite(total, over, mean, total_3back):
    """DESIGN.md §5 for the queue indicators alone: (status, score)."""
    inputs = []  # (light, weight, critical)
    q1 = 1 - over / total
    inputs.append((light(q1, (">=", 0.80), ("<", 0.70)), 2, True))
    if total_3back is not None:
        q2 = (total - total_3back) / total_3back
        inputs.append((light(q2, ("<=", 0), (">", 0.10)), 1, False))
    q3 = 2 * mean / T
    inputs.append((light(q3, ("<", 0.8), (">=", 1.0)), 2, True))
    score = sum(w * POINTS[l] for l, w, _ in inputs) / sum(2 * w for _, w, _ in inputs)
    status = "green" if score < 0.25 else "yellow" if score < 0.50 else "red"
    if status == "green" and any(l == "red" and c for l, _, c in inputs):
        status = "yellow"
    return status, score


def region_of(vals):
    """Summed counts and the patient-weighted mean of (total, over, mean)s."""
    tot = sum(v[0] for v in vals)
    return tot, sum(v[1] for v in vals), sum(v[2] * v[0] for v in vals) / tot


def on_bound(week):
    for total, over, mean in list(week.values()) + [region_of(list(week.values()))]:
        q1, q3 = 1 - over / total, 2 * mean / T
        if any(abs(q1 - b) < 1e-6 for b in (0.80, 0.70)) or \
                any(abs(q3 - b) < 1e-6 for b in (0.8, 1.0)):
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    rows = []
    series = {}  # "AREA/ORG" -> list of (total, over, mean)
    for area in AREAS:
        amp = 0.05 if area == "FLAT2" else 0.02
        for org in ORGS:
            series[area + "/" + org] = []
        for w in range(WEEKS):
            week = {}
            for org in ORGS:
                p = pressure(area, org, w) + rng.uniform(-amp, amp)
                total = TOTAL[org]
                week[org] = [total, round(total * (0.05 + 0.35 * p)),
                             round(45 * (0.5 + 0.7 * p), 2)]
            # Keep every value, region-wide too, off the bounds, where the
            # light would hinge on rounding: one more patient or 0.01 day.
            while on_bound(week):
                week["X"][1] += 1
                week["X"][2] = round(week["X"][2] + 0.01, 2)
            for org in ORGS:
                series[area + "/" + org].append(tuple(week[org]))
    expected = {"start": START.isoformat(), "weeks": WEEKS, "units": {}}
    for area in AREAS:
        # Region-wide from summed counts, the mean wait weighted by patients.
        region = [region_of([series[area + "/" + o][w] for o in ORGS])
                  for w in range(WEEKS)]
        for org, s in [(o, series[area + "/" + o]) for o in ORGS] + [("*", region)]:
            st = []
            for w in range(WEEKS):
                back = s[w - 3][0] if w >= 3 else None
                st.append(composite(s[w][0], s[w][1], s[w][2], back)[0])
            expected["units"][area + "/" + org] = st
    with open(os.path.join(a.out, "queue.csv"), "w", newline="") as f:
        f.write("vecka;vardomrade;forvaltning;vantande;vantande_over_grans;medelvantetid\n")
        for w in range(WEEKS):
            d = START + dt.timedelta(weeks=w)
            y, wk, _ = d.isocalendar()
            for area in AREAS:
                for org in ORGS:
                    total, over, mean = series[area + "/" + org][w]
                    f.write("%d-W%02d;%s;%s;%d;%d;%s\n" % (
                        y, wk, area, org, total, over, ("%.2f" % mean).replace(".", ",")))
    with open(os.path.join(a.out, "region.conf"), "w") as f:
        f.write("# region.conf - the synthetic region of tests/tools/gensynthetic.py\nareas = (\n")
        f.write(",\n".join('\t{ code = "%s"; name = "%s"; guarantee_days = %d; }' % (x, x.title(), T)
                           for x in AREAS))
        f.write("\n);\norganisations = (\n")
        f.write(",\n".join('\t{ code = "%s"; name = "Org %s"; }' % (o, o) for o in ORGS))
        f.write("\n);\n")
    with open(os.path.join(a.out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
