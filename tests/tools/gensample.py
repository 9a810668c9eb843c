#!/usr/bin/python3
"""Deterministic generator of a realistic sample region for fragwatch.

    /usr/bin/python3 tests/tools/gensample.py --out DIR --end YYYY-MM-DD \
        [--years 3] [--seed 1]
    /usr/bin/python3 tests/tools/gensample.py --bench-rows N --out DIR \
        [--seed 1]

The first form writes DIR/queue.csv (weekly, ';', decimal comma),
DIR/referral.csv (weekly, ',', decimal point), DIR/staffing.csv (monthly,
';', decimal comma, sick leave as "5,2 %") and DIR/region.conf (a libconfig
fragment with the areas and organisations, @included by the main config).
Weekly data cover the ISO weeks from END - YEARS to the week containing END;
staffing covers the months up to the month before END's month.  The same
arguments always give byte-identical files (standard library only, every
random draw comes from random.Random seeded with --seed).

The region: 25 care areas x 6 organisations (SU, SAS, SKAS, NU, KS, NH), of
which about 15 % of the pairs are absent (every area stays at >= 2 orgs).
Every series has a baseline scaled by organisation and area size (waiting
lists of 100..3000, referrals ~1/8 of the list per week, FTE budgets
10..200), mild stationary noise, and seasonality: fewer referrals and lower
throughput in the summer holiday weeks 27-32 and around Christmas, so the
queue and the waits rise then; more sick leave in winter; a winter peak of
referrals for LUNG, INF and BARN.  On top of that each area has a scenario:

  stable     NEURO..BARN except those below (17 areas): green throughout,
             share within the guarantee ~0.93 (mean wait ~30 days at
             T = 90), staffing filled ~0.97 of budget, hired ~1 %, sick
             leave ~4 %, turnover ~8 %/year, 3..7 key roles.
  drift      the area worsens over its last months at the organisations
             named: staffing goes first (filled/budget 0.97 -> 0.82, hired
             staff 1 % -> 7 %, sick leave 4 % -> 8 %, turnover up, key roles
             lost), the queue follows ~6-8 weeks later (list up to 2.5x,
             mean wait up to 3x, share within T 0.93 -> ~0.63), while
             referrals rise 20-30 % year on year.  Other organisations of
             the area get a faint echo (15 % of the pressure, 40 % of the
             demand rise).
               NEURO  SU, NU        from 15 months before END; red at END
               BUP    SU, SAS, SKAS from 12 months before END; red at END
               ORTO   SKAS          from 10 months before END; yellow and
                                    still trending at END (early warning)
               PSYK   SU, SAS, NU   from 7 months before END; green/yellow
                                    and trending at END (early warning)
  recover    OGON, HUD (all their organisations): bad for the first ~35 %
             of the span (queue 2.2x, share within T ~0.70, staffing
             ~0.85), improving to healthy by ~80 % of the span (staffing
             first, the queue ~8 weeks later), healthy at END.
  small      SMART: only at SU and NU, a handful of patients (the region-wide
             waiting list stays under 20), 0..3 referrals a week, so the
             queue and referral indicators are grey (too few cases).
  stale      ALL: otherwise stable, but its staffing rows stop six months
             before the last staffing month, so staffing indicators are grey.

BUP has a 30-day guarantee (everyone else 90): its waits are scaled by
T / 90, so vantande_over_grans counts waits over 30 days.

Consistency kept in every row: waiting_over_target <= waiting_total; mean,
median and p90 come from one Weibull distribution of waits fitted to the
mean, so median <= p90 and p90 >= T exactly when >= 10 % wait beyond T;
received >= accepted + rejected; the queue balances:
waiting(t) = waiting(t-1) + accepted + internal referrals - removed (the
clinic's own internal referrals, ~12 % of accepted, are not in
received); completed = referral episodes closed in the week (removed +
rejected), so a steady healthy area sits at received/completed ~0.91;
hired <= filled; leavers <= headcount; key roles 0..8.

Bench mode writes DIR/bench_queue.csv (queue.csv format, N rows, areas
A01..A25 x orgs O01..O40 = 1000 rows a week, weeks ending with 2025-12-29;
the oldest week is the partial one when N is not a multiple of 1000) and
DIR/bench_region.conf, streaming with flat memory.
"""

import argparse
import datetime as dt
import math
import os
import random
import sys

# code, name, size factor (0..1), guarantee days
AREAS = [
    ("NEURO", "Neurologi", 0.75, 90),
    ("BUP", "Barn- och ungdomspsykiatri", 0.90, 30),
    ("OGON", "Ögonsjukvård", 1.00, 90),
    ("LUNG", "Lungsjukvård", 0.55, 90),
    ("ORTO", "Ortopedi", 1.00, 90),
    ("KARD", "Kardiologi", 0.80, 90),
    ("HUD", "Hudsjukvård", 0.70, 90),
    ("ONH", "Öron-, näs- och halssjukvård", 0.70, 90),
    ("URO", "Urologi", 0.60, 90),
    ("GYN", "Gynekologi", 0.80, 90),
    ("REUM", "Reumatologi", 0.40, 90),
    ("ENDO", "Endokrinologi", 0.40, 90),
    ("GAST", "Gastroenterologi", 0.70, 90),
    ("NEFR", "Njurmedicin", 0.30, 90),
    ("ONK", "Onkologi", 0.50, 90),
    ("HEMA", "Hematologi", 0.30, 90),
    ("PSYK", "Vuxenpsykiatri", 1.00, 90),
    ("GER", "Geriatrik", 0.40, 90),
    ("REHAB", "Rehabiliteringsmedicin", 0.40, 90),
    ("SMART", "Smärtlindring", 0.05, 90),
    ("ALL", "Allergologi", 0.30, 90),
    ("INF", "Infektion", 0.40, 90),
    ("PLAST", "Plastikkirurgi", 0.40, 90),
    ("KIR", "Allmänkirurgi", 0.90, 90),
    ("BARN", "Barnmedicin", 0.60, 90),
]

# code, name, size factor, base number of key roles
ORGS = [
    ("SU", "Sahlgrenska Universitetssjukhuset", 1.00, 6),
    ("SAS", "Södra Älvsborgs Sjukhus", 0.45, 4),
    ("SKAS", "Skaraborgs Sjukhus", 0.40, 4),
    ("NU", "NU-sjukvården", 0.40, 4),
    ("KS", "Kungälvs sjukhus", 0.15, 3),
    ("NH", "Närhälsan", 0.50, 3),
]

# Scenario per area; areas not listed are stable.  Days are counted back
# from --end; "lag" is how long the queue trails the staffing.
SCENARIOS = {
    "NEURO": {"kind": "drift", "orgs": ["SU", "NU"], "start": 455,
              "lag": 56, "ps": 1.00, "pq": 1.00, "demand": 0.30,
              "key_drop": {"SU": 3, "NU": 3}, "end": "red"},
    "BUP": {"kind": "drift", "orgs": ["SU", "SAS", "SKAS"], "start": 365,
            "lag": 49, "ps": 1.00, "pq": 0.95, "demand": 0.25,
            "key_drop": {"SU": 3, "SAS": 2, "SKAS": 2}, "end": "red"},
    "ORTO": {"kind": "drift", "orgs": ["SKAS"], "start": 300, "lag": 56,
             "ps": 0.55, "pq": 0.22, "demand": 0.22,
             "key_drop": {"SKAS": 1}, "end": "yellow, trending"},
    "PSYK": {"kind": "drift", "orgs": ["SU", "SAS", "NU"], "start": 215,
             "lag": 42, "ps": 0.35, "pq": 0.13, "demand": 0.20,
             "key_drop": {}, "end": "green/yellow, trending"},
    "OGON": {"kind": "recover", "ps": 0.85, "pq": 0.80, "lag": 56},
    "HUD": {"kind": "recover", "ps": 0.85, "pq": 0.80, "lag": 56},
    "SMART": {"kind": "small", "orgs": ["SU", "NU"]},
    "ALL": {"kind": "stale", "months": 6},
}

SPILL_PRESSURE = 0.15   # share of a drift felt by the area's other orgs
SPILL_DEMAND = 0.40     # share of the demand rise felt by the other orgs
DROP_SHARE = 0.15       # share of area x org pairs that do not exist

# Seasonal factors by ISO week.  Referrals dip in the summer holidays and
# around Christmas; the queue and the waits rise in and after the summer.
REF_SEASON = {27: 0.85, 28: 0.70, 29: 0.65, 30: 0.65, 31: 0.70, 32: 0.85,
              52: 0.65, 53: 0.70, 1: 0.80}
QUEUE_SEASON = {27: 1.010, 28: 1.022, 29: 1.035, 30: 1.048, 31: 1.058,
                32: 1.065, 33: 1.058, 34: 1.045, 35: 1.030, 36: 1.018,
                37: 1.008, 52: 1.012, 53: 1.018, 1: 1.020, 2: 1.012,
                3: 1.005}
WAIT_SEASON = {28: 1.015, 29: 1.030, 30: 1.050, 31: 1.070, 32: 1.085,
               33: 1.090, 34: 1.080, 35: 1.060, 36: 1.040, 37: 1.020,
               38: 1.008, 1: 1.015, 2: 1.020, 3: 1.010}
WINTER_AREAS = ("LUNG", "INF", "BARN")
SICK_SEASON = {1: 0.006, 2: 0.005, 3: 0.003, 4: 0.001, 5: -0.001,
               6: -0.002, 7: -0.004, 8: -0.002, 9: 0.0, 10: 0.001,
               11: 0.002, 12: 0.003}

BENCH_LAST_MONDAY = dt.date(2025, 12, 29)


def comma(x, nd=1):
    return f"{x:.{nd}f}".replace(".", ",")


def iso_week(d):
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def minus_years(d, n):
    try:
        return d.replace(year=d.year - n)
    except ValueError:          # 29 February
        return d.replace(year=d.year - n, day=28)


def month_add(y, m, k):
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def ramp(t, t0, t1, shape=1.0):
    """0 before t0, 1 after t1, u**shape in between."""
    if t <= t0:
        return 0.0
    if t >= t1:
        return 1.0
    return ((t - t0) / (t1 - t0)) ** shape


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def count(rng, mean, cv=0.04):
    """A count with mild noise: Poisson when small, else lognormal cv."""
    if mean < 30:
        return poisson(rng, mean)
    return max(0, round(mean * math.exp(rng.gauss(0.0, cv))))


def wait_stats(mean, k, limit):
    """Weibull(k) waits with the given mean: (share over limit, median,
    p90)."""
    lam = mean / math.gamma(1.0 + 1.0 / k)
    over = math.exp(-((limit / lam) ** k))
    median = lam * math.log(2.0) ** (1.0 / k)
    p90 = lam * math.log(10.0) ** (1.0 / k)
    return over, median, p90


class AR1:
    """Stationary AR(1) noise: mild, no drift."""

    def __init__(self, rng, phi, sd):
        self.rng, self.phi, self.sd = rng, phi, sd
        self.x = rng.gauss(0.0, sd)

    def next(self):
        self.x = self.phi * self.x + self.rng.gauss(
            0.0, self.sd * math.sqrt(1.0 - self.phi * self.phi))
        return self.x


def choose_pairs(seed):
    """The area x org pairs that exist: drop ~15 % deterministically, more
    often at the small hospital and at primary care, never a scenario's
    named pair, never below two orgs per area."""
    rng = random.Random(f"{seed}/pairs")
    protected = set()
    for area, sc in SCENARIOS.items():
        for org in sc.get("orgs", []):
            protected.add((area, org))
    pairs = [(a[0], o[0]) for a in AREAS for o in ORGS]
    present = {a[0]: [o[0] for o in ORGS] for a in AREAS}
    small = SCENARIOS["SMART"]["orgs"]
    present["SMART"] = list(small)      # the small area is only at two orgs
    target = round(DROP_SHARE * len(pairs))
    dropped = sum(len(ORGS) - len(v) for v in present.values())
    weight = {"KS": 4.0, "NH": 4.0}
    candidates = [p for p in pairs if p[0] != "SMART" and p not in protected]
    while dropped < target and candidates:
        total = sum(weight.get(o, 1.0) for _, o in candidates)
        x = rng.random() * total
        for i, (a, o) in enumerate(candidates):
            x -= weight.get(o, 1.0)
            if x <= 0:
                break
        a, o = candidates.pop(i)
        if len(present[a]) > 2:
            present[a].remove(o)
            dropped += 1
    return [(a[0], o) for a in AREAS for o in present[a[0]]]


class Series:
    """One area x org: the scenario's pressure over time and the baseline."""

    def __init__(self, seed, area, org, span_days):
        self.area, self.org = area, org
        self.rng = random.Random(f"{seed}/{area}/{org}")
        rng = self.rng
        ainfo = next(a for a in AREAS if a[0] == area)
        oinfo = next(o for o in ORGS if o[0] == org)
        self.limit = ainfo[3]
        self.tscale = self.limit / 90.0
        self.sc = SCENARIOS.get(area, {"kind": "stable"})
        kind = self.sc["kind"]
        size = oinfo[2] * ainfo[2]
        if kind == "small":
            self.q0 = rng.uniform(5.0, 7.0)
            self.budget0 = rng.uniform(4.0, 7.0)
            self.key0 = 3
        else:
            self.q0 = min(3000.0, max(100.0, 3000.0 * size *
                                      rng.uniform(0.8, 1.2)))
            self.budget0 = min(200.0, max(10.0, 200.0 * size *
                                          rng.uniform(0.8, 1.2)))
        self.r0 = self.q0 / 8.0 * rng.uniform(0.9, 1.1)
        self.m0 = rng.uniform(27.0, 31.0)
        self.rej = rng.uniform(0.06, 0.09)
        self.triage0 = rng.uniform(3.0, 7.0)
        if kind != "small":
            self.key0 = oinfo[3] + (1 if rng.random() < 0.35 else 0)
        self.fill0 = rng.uniform(0.965, 0.978)
        self.sick0 = rng.uniform(0.035, 0.040)
        self.parttime = rng.uniform(0.86, 0.93)
        self.span = span_days
        self.key_drop = 0
        if kind == "drift":
            if org in self.sc["orgs"]:
                f, fd = 1.0, 1.0
                self.key_drop = self.sc["key_drop"].get(org, 0)
            else:
                f, fd = SPILL_PRESSURE, SPILL_DEMAND
            self.ps_max = self.sc["ps"] * f
            self.pq_max = self.sc["pq"] * f
            self.demand = self.sc["demand"] * fd
        self.qnoise = AR1(rng, 0.7, 0.015)
        self.mnoise = AR1(rng, 0.6, 0.020)
        self.fnoise = AR1(rng, 0.5, 0.005)

    # Pressures are 0 (healthy) .. 1 (fragile); t is days relative to --end.
    def staff_pressure(self, t):
        sc, kind = self.sc, self.sc["kind"]
        if kind == "drift":
            return self.ps_max * ramp(t, -sc["start"], 0, 1.5)
        if kind == "recover":
            t0 = -self.span * 0.65
            t1 = -self.span * 0.20 - sc["lag"]
            return sc["ps"] * (1.0 - ramp(t, t0, t1))
        return 0.0

    def queue_pressure(self, t):
        sc, kind = self.sc, self.sc["kind"]
        if kind == "drift":
            return self.pq_max * ramp(t, -sc["start"] + sc["lag"], 0, 1.5)
        if kind == "recover":
            t0 = -self.span * 0.65 + sc["lag"]
            t1 = -self.span * 0.20
            return sc["pq"] * (1.0 - ramp(t, t0, t1))
        return 0.0

    def demand_factor(self, t):
        # Demography: +2 % a year everywhere; a drift adds its own rise.
        d = 1.02 ** ((t + self.span) / 365.25)
        if self.sc["kind"] == "drift":
            d *= 1.0 + self.demand * ramp(t, -self.sc["start"], 0)
        return d

    def queue_level(self, t, week):
        pq = self.queue_pressure(t)
        q = self.q0 * (1.0 + 1.5 * pq) * QUEUE_SEASON.get(week, 1.0)
        q *= math.exp(self.qnoise.next())
        if self.sc["kind"] == "small":
            q = min(q, 9.0)
        return q

    def weekly(self, monday, t, qprev):
        """One week: (queue row values, referral row values, new level)."""
        rng = self.rng
        week = monday.isocalendar()[1]
        pq, ps = self.queue_pressure(t), self.staff_pressure(t)
        q = self.queue_level(t, week)
        total = max(0, round(q))

        mean = (self.tscale * (self.m0 + (90.0 - self.m0) * pq) *
                WAIT_SEASON.get(week, 1.0) * math.exp(self.mnoise.next()))
        shape = 0.75 + 0.25 * pq
        over_share, median, p90 = wait_stats(mean, shape, self.limit)
        over = round(total * over_share +
                     rng.gauss(0.0, 0.3) * math.sqrt(total * over_share *
                                                     (1.0 - over_share)))
        over = min(total, max(0, over))

        season = REF_SEASON.get(week, 1.0)
        if self.area in WINTER_AREAS and (week >= 47 or week <= 12):
            season *= 1.12
        received = count(rng, self.r0 * self.demand_factor(t) * season)
        rejected = min(received, count(rng, received * self.rej, 0.15))
        pending = min(received - rejected,
                      round(received * 0.03 * rng.random()))
        accepted = received - rejected - pending
        internal = accepted * 0.12
        removed = max(0, round(accepted + internal - (q - qprev)))
        completed = removed + rejected
        triage = self.triage0 * (1.0 + 1.6 * ps) * math.exp(
            rng.gauss(0.0, 0.08))
        if week in REF_SEASON and week not in (27, 32):
            triage *= 1.3

        qrow = (total, over, mean, round(median), round(p90), removed)
        rrow = (received, accepted, rejected, completed, triage)
        return qrow, rrow, q

    def monthly(self, y, m, t, year_index):
        """One month of staffing."""
        rng = self.rng
        ps = self.staff_pressure(t)
        budget = self.budget0 * 1.015 ** year_index
        fill = self.fill0 - 0.15 * ps + self.fnoise.next()
        filled = max(0.0, budget * fill)
        hired = filled * max(0.0, 0.008 + 0.065 * ps + rng.gauss(0.0, 0.002))
        filled_r = round(filled, 1)
        hired_r = min(round(hired, 1), filled_r)
        sick = max(0.0, self.sick0 + 0.042 * ps + SICK_SEASON[m] +
                   rng.gauss(0.0, 0.0025))
        headcount = max(1, round(filled / self.parttime))
        leavers = min(headcount, poisson(rng, headcount *
                                         (0.08 + 0.10 * ps) / 12.0))
        key = self.key0 - round(self.key_drop * ps)
        key = max(0, min(8, headcount, key))
        return (budget, filled_r, hired_r, sick, leavers, headcount, key)


def write_atomic(path, lines_iter):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for chunk in lines_iter:
            f.write(chunk)
    os.replace(tmp, path)


def region_conf(areas, orgs, header):
    out = [f"# {h}\n" for h in header]
    out.append("areas = (\n")
    for i, (code, name, days) in enumerate(areas):
        sep = "," if i + 1 < len(areas) else ""
        out.append(f'  {{ code = "{code}"; name = "{name}"; '
                   f'guarantee_days = {days}; }}{sep}\n')
    out.append(");\n")
    out.append("organisations = (\n")
    for i, (code, name) in enumerate(orgs):
        sep = "," if i + 1 < len(orgs) else ""
        out.append(f'  {{ code = "{code}"; name = "{name}"; }}{sep}\n')
    out.append(");\n")
    return "".join(out)


def generate(out, end, years, seed):
    start = minus_years(end, years)
    first_monday = start - dt.timedelta(days=start.weekday())
    last_monday = end - dt.timedelta(days=end.weekday())
    mondays = []
    d = first_monday
    while d <= last_monday:
        mondays.append(d)
        d += dt.timedelta(days=7)
    months = []
    ym = (start.year, start.month)
    last_month = month_add(end.year, end.month, -1)
    while ym <= last_month:
        months.append(ym)
        ym = month_add(ym[0], ym[1], 1)
    stale_last = month_add(last_month[0], last_month[1],
                           -SCENARIOS["ALL"]["months"])
    span = (end - first_monday).days

    pairs = sorted(choose_pairs(seed))
    series = {p: Series(seed, p[0], p[1], span) for p in pairs}

    qrows, rrows = {}, {}
    for p, s in series.items():
        t_prev = (mondays[0] - end).days - 7
        week_prev = (mondays[0] - dt.timedelta(days=7)).isocalendar()[1]
        qprev = s.queue_level(t_prev, week_prev)
        for i, mon in enumerate(mondays):
            qrow, rrow, qprev = s.weekly(mon, (mon - end).days, qprev)
            qrows[(i, p)] = qrow
            rrows[(i, p)] = rrow
    srows = {}
    for p, s in series.items():
        for j, (y, m) in enumerate(months):
            if p[0] == "ALL" and (y, m) > stale_last:
                continue
            t = (dt.date(y, m, 15) - end).days
            srows[(j, p)] = s.monthly(y, m, t, y - months[0][0])

    def queue_lines():
        yield ("vecka;vardomrade;forvaltning;vantande;vantande_over_grans;"
               "medelvantetid;medianvantetid;p90_vantetid;atgardade\n")
        for i, mon in enumerate(mondays):
            wk = iso_week(mon)
            for p in pairs:
                tot, over, mean, med, p90, rem = qrows[(i, p)]
                yield (f"{wk};{p[0]};{p[1]};{tot};{over};{comma(mean)};"
                       f"{med};{p90};{rem}\n")

    def referral_lines():
        yield ("week_start,area_code,org_code,received,accepted,rejected,"
               "completed,triage_median_days\n")
        for i, mon in enumerate(mondays):
            ds = mon.isoformat()
            for p in pairs:
                rec, acc, rej, comp, tri = rrows[(i, p)]
                yield (f"{ds},{p[0]},{p[1]},{rec},{acc},{rej},{comp},"
                       f"{tri:.1f}\n")

    def staffing_lines():
        yield ("manad;omrade;forvaltning;budget_ato;besatt_ato;inhyrd_ato;"
               "sjukfranvaro;slutat;antal_anstallda;nyckelkompetens\n")
        for j, (y, m) in enumerate(months):
            for p in pairs:
                r = srows.get((j, p))
                if r is None:
                    continue
                bud, fil, hir, sick, lea, head, key = r
                yield (f"{y:04d}-{m:02d};{p[0]};{p[1]};{comma(bud)};"
                       f"{comma(fil)};{comma(hir)};{comma(sick * 100)} %;"
                       f"{lea};{head};{key}\n")

    os.makedirs(out, exist_ok=True)
    write_atomic(os.path.join(out, "queue.csv"), queue_lines())
    write_atomic(os.path.join(out, "referral.csv"), referral_lines())
    write_atomic(os.path.join(out, "staffing.csv"), staffing_lines())

    def orgs_of(area):
        return ", ".join(o for a, o in pairs if a == area)

    def drift_line(a):
        sc = SCENARIOS[a]
        return (f"  {a} at {', '.join(sc['orgs'])} from {sc['start']} days "
                f"before the end ({sc['end']} at the end)")

    drifting = [a for a, sc in SCENARIOS.items() if sc["kind"] == "drift"]
    recovering = [a for a, sc in SCENARIOS.items() if sc["kind"] == "recover"]
    stable = [a[0] for a in AREAS if a[0] not in SCENARIOS]
    header = [
        "fragwatch sample region, generated by tests/tools/gensample.py",
        f"--end {end.isoformat()} --years {years} --seed {seed}; do not edit",
        f"weeks {iso_week(mondays[0])}..{iso_week(mondays[-1])}, staffing "
        f"months {months[0][0]:04d}-{months[0][1]:02d}.."
        f"{last_month[0]:04d}-{last_month[1]:02d}",
        "drifting:",
        *[drift_line(a) for a in drifting],
        f"recovering: {', '.join(recovering)} at all their organisations "
        "(bad for the first ~35 % of the span, healthy from ~80 %)",
        f"small: SMART at {orgs_of('SMART')} (under 20 waiting region-wide;"
        " grey)",
        f"stale: ALL (staffing rows end {stale_last[0]:04d}-"
        f"{stale_last[1]:02d})",
        f"stable: {', '.join(stable)}",
        "guarantee: BUP 30 days, all other areas 90 days",
    ]
    conf = region_conf([(a[0], a[1], a[3]) for a in AREAS],
                       [(o[0], o[1]) for o in ORGS], header)
    write_atomic(os.path.join(out, "region.conf"), [conf])
    print(f"gensample: {len(mondays)} weeks x {len(pairs)} pairs "
          f"({len(qrows)} queue, {len(rrows)} referral rows), "
          f"{len(months)} months ({len(srows)} staffing rows) in {out}",
          file=sys.stderr)


def generate_bench(out, nrows, seed):
    """A large queue.csv for throughput tests, streamed week by week."""
    rng = random.Random(f"{seed}/bench")
    areas = [f"A{i:02d}" for i in range(1, 26)]
    orgs = [f"O{i:02d}" for i in range(1, 41)]
    per_week = len(areas) * len(orgs)
    nweeks = max(1, -(-nrows // per_week))
    skip = nweeks * per_week - nrows
    base = []
    for a in areas:
        for o in orgs:
            base.append((a, o, rng.uniform(100.0, 3000.0),
                         rng.uniform(25.0, 60.0)))
    os.makedirs(out, exist_ok=True)

    def lines():
        yield ("vecka;vardomrade;forvaltning;vantande;vantande_over_grans;"
               "medelvantetid;medianvantetid;p90_vantetid;atgardade\n")
        rnd = rng.random
        first = BENCH_LAST_MONDAY - dt.timedelta(days=7 * (nweeks - 1))
        todo = skip
        for w in range(nweeks):
            wk = iso_week(first + dt.timedelta(days=7 * w))
            buf = []
            for a, o, q0, m0 in base:
                if todo:
                    todo -= 1
                    continue
                tot = int(q0 * (0.95 + 0.1 * rnd()))
                mean = m0 * (0.95 + 0.1 * rnd())
                over = int(tot * math.exp(-90.0 / mean))
                med = int(mean * 0.69)
                p90 = int(mean * 2.3)
                rem = int(tot * (0.10 + 0.04 * rnd()))
                buf.append(f"{wk};{a};{o};{tot};{over};"
                           f"{mean:.1f};{med};{p90};{rem}\n"
                           .replace(".", ","))
            yield "".join(buf)

    write_atomic(os.path.join(out, "bench_queue.csv"), lines())
    conf = region_conf([(a, f"Benchområde {a}", 90) for a in areas],
                       [(o, f"Benchförvaltning {o}") for o in orgs],
                       ["fragwatch bench region, generated by "
                        "tests/tools/gensample.py --bench-rows"])
    write_atomic(os.path.join(out, "bench_region.conf"), [conf])
    print(f"gensample: {nrows} bench rows over {nweeks} weeks in {out}",
          file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--end", help="last day covered, YYYY-MM-DD")
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bench-rows", type=int, metavar="N",
                    help="write bench_queue.csv with N rows instead")
    args = ap.parse_args(argv)
    if args.bench_rows is not None:
        if args.bench_rows < 0:
            ap.error("--bench-rows must be >= 0")
        generate_bench(args.out, args.bench_rows, args.seed)
        return 0
    if args.end is None:
        ap.error("--end is required (or --bench-rows)")
    try:
        end = dt.date.fromisoformat(args.end)
    except ValueError:
        ap.error(f"--end: not a date: '{args.end}'")
    if not 1 <= args.years <= 20:
        ap.error("--years must be 1..20")
    generate(args.out, end, args.years, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
