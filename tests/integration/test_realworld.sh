# test_realworld.sh - the eight real public files of ../shared/data/realworld/,
# each ingested by configuration alone (tests/realworld/*.conf).
#
# For every file: the run's outcome; rows read / loaded / rejected / skipped,
# computed here from the raw file with a few lines of Python that know the
# file's layout and the config's decisions (filters, watched codes), not
# fragwatch's code; the rejects with their reasons and lines; and figures
# read by hand from named lines of the file, written as literals. Each
# source gets a database of its own, so two sources that share (period,
# area, organisation) keys cannot overwrite each other's facts.
. "$(dirname "$0")/../lib.sh"

RW=$TOP/../shared/data/realworld       # beside the repo, in CI too
if [ ! -d "$RW" ]; then
	not_ok "the real-world files are at $RW" "missing: is ../shared beside the repo?"
	exit 0
fi
pg_start
mkdir -p "$T/data" "$T/conf"
cp "$RW"/*.csv "$T/data/"
cp "$TOP"/tests/realworld/*.conf "$T/conf/"
D=$T/data

# use_source NAME: a database rw_NAME and tests/realworld/NAME.conf with the
# placeholders filled in (next to the region files it @includes).
use_source() {
	SRC=$1
	DB=rw_$(echo "$1" | tr '-' '_')
	psql -XAtq -h "$T/sock" -U fragwatch -d postgres -c "CREATE DATABASE $DB" >/dev/null
	CONF=$T/conf/$1.test.conf
	sed -e "s|@CONNINFO@|host=$T/sock user=fragwatch dbname=$DB|g" \
	    -e "s|@DATA@|$D|g" "$T/conf/$1.conf" > "$CONF"
	out=$("$FW" check-config "$CONF" 2>&1)
	assert_match "$1: tests/realworld/$1.conf passes check-config" ": ok \(" "$out"
}
# q SQL: a query in the current source's database.
q() { psql -XAtq -h "$T/sock" -U fragwatch -d "$DB" -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
# run_it [CONFIG]: runs the current source; sets OUT, RC and RUN (its run id).
run_it() {
	OUT=$("$FW" -c "${1:-$CONF}" run "$SRC" 2>&1); RC=$?
	RUN=$(q "SELECT coalesce(max(id), 0) FROM fragwatch.runs WHERE source = '$SRC'" 2>/dev/null)
	case "$RUN" in ''|*[!0-9]*) RUN=0 ;; esac
}
# ran_ok: the run exited 0 (else show what it said).
ran_ok() { if [ "$RC" = 0 ]; then ok "$SRC: run exits 0"; else not_ok "$SRC: run exits 0" "exit $RC" "$OUT"; fi; }
# counts: status|read|loaded|rejected|skipped of the run.
counts() { q "SELECT status || '|' || rows_read || '|' || rows_loaded || '|' || rows_rejected || '|' || rows_skipped FROM fragwatch.runs WHERE id = $RUN"; }
# reasons: "column:reason:count" per distinct reject reason, sorted.
reasons() { q "SELECT coalesce(column_name, '') || ':' || reason || ':' || count(*) FROM fragwatch.rejects WHERE run_id = $RUN GROUP BY column_name, reason ORDER BY 1"; }
# reject_lines: the rejected lines, comma-separated, ascending.
reject_lines() { q "SELECT coalesce(string_agg(line::text, ',' ORDER BY line), '') FROM fragwatch.rejects WHERE run_id = $RUN"; }
# qfact PERIOD AREA ORG: total/over of a queue fact.
qfact() { q "SELECT waiting_total || '/' || waiting_over_target FROM fragwatch.queue_facts WHERE period = '$1' AND area = '$2' AND org = '$3'"; }

###########################################################################
# 1. Public Health Scotland, ongoing waits (18 bands, quarterly)
F=queue_scotland_phs_distribution_of_ongoing_waits_mar23.csv
use_source scotland-ongoing
# The watched specialty codes, as in tests/realworld/codes-scotland-specialty.conf.
exp=$($PY - "$D/$F" <<'EOF'
import csv, sys
watched = set("A1 A2 A6 A7 A9 AB AD AF AG AH AQ AR C12 C31 C5 C6 C7 C8 C9 CB F2 G1 G2 J4".split())
rd = csv.reader(open(sys.argv[1], newline=''))
h = next(rd)
bands = [c for c in h if c.endswith('Wait')]
read = loaded = skipped = 0
rej_area, rej_total = [], []
for line, row in enumerate(rd, start=2):
    x = dict(zip(h, row))
    read += 1
    if x['PatientType'] != 'New Outpatient' or x['HBT'] == 'S92000003' or x['Specialty'] == 'Z9':
        skipped += 1
    elif x['Specialty'] == '':
        rej_area.append(line)
    elif x['Specialty'] not in watched:
        skipped += 1
    elif any(x[b] == '' for b in bands):
        rej_total.append(line)
    else:
        loaded += 1
rej = sorted(rej_area + rej_total)
print("ok_with_rejects|%d|%d|%d|%d" % (read, loaded, len(rej), skipped))
print("\n".join(sorted(["Specialty:missing value for required field 'area':%d" % len(rej_area),
    "LessThan4WeekWait:missing value for required field 'waiting_total':%d" % len(rej_total)])))
print(",".join(map(str, rej)))
EOF
)
run_it
ran_ok
assert_match "scotland-ongoing: summary line" "^scotland-ongoing +ok_with_rejects +[0-9]+ loaded +[0-9]+ rejected +[0-9]+ skipped" "$OUT"
assert_eq "scotland-ongoing: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "scotland-ongoing: rejects by reason (empty Specialty; all bands empty, QF ':u' or ':')" "$(echo "$exp" | sed -n 2,3p)" "$(reasons)"
assert_eq "scotland-ongoing: the rejected lines are those of the file" "$(echo "$exp" | sed -n 4p)" "$(reject_lines)"
# Line 28013: "20170630","S08000030",,"New Outpatient","A1",,,":",... (Tayside sent nothing)
assert_eq "scotland-ongoing: line 28013 (Tayside A1, bands ':') rejected with its text" \
	"LessThan4WeekWait|missing value for required field 'waiting_total'|1" \
	"$(q "SELECT column_name || '|' || reason || '|' || (raw LIKE '%20170630%S08000030%New Outpatient%A1%')::int FROM fragwatch.rejects WHERE run_id = $RUN AND line = 28013")"
# Line 23827: "20230331","S08000024",,"New Outpatient","C8",,1537,,689,,350,,230,,392,,255,,90,,38,,19,,12,,9,,19,,6,,3,,1,,5,,0,,0,
#   total = 1537+689+350 + 1079 = 3655; over 12 weeks = 230+392+255+90+38+19+12+9+19+6+3+1+5+0+0 = 1079
assert_eq "scotland-ongoing: line 23827 Lothian C8 2023Q1 = 3655 waiting, 1079 over 12 weeks" "3655/1079|23827" \
	"$(q "SELECT waiting_total || '/' || waiting_over_target || '|' || line FROM fragwatch.queue_facts WHERE period = '2023-01-01' AND area = 'ORTO' AND org = 'LOTH'")"
# Line 29899: "20121231","S08000031",,"New Outpatient","A2",,1229,,767,,55,,0,... (all later bands 0)
assert_eq "scotland-ongoing: line 29899 Glasgow A2 2012Q4 = 2051 waiting, 0 over" "2051/0" "$(qfact 2012-10-01 KARD GGC)"
# Line 35783: "20221231","SB0801",,"New Outpatient","A2",,103,,36,,17,,6,,0,,1,,1,,1,,0,,0,,0,,0,,1,,0,... (rest 0)
assert_eq "scotland-ongoing: line 35783 Golden Jubilee A2 2022Q4 = 166 waiting, 10 over" "166/10" "$(qfact 2022-10-01 KARD GJNH)"
assert_eq "scotland-ongoing: no Scotland-wide or all-specialty row loaded; quarters 2012Q4..2023Q1" "0|2012-10-01|2023-01-01" \
	"$(q "SELECT count(*) FILTER (WHERE area = 'ALLA') || '|' || min(period) || '|' || max(period) FROM fragwatch.queue_facts")"

###########################################################################
# 2. Public Health Scotland, completed waits (inpatients / day cases)
F=queue_scotland_phs_performance_completed_waits_sep22.csv
use_source scotland-completed
exp=$($PY - "$D/$F" <<'EOF'
import csv, sys
watched = set("A1 A2 A6 A7 A9 AB AD AF AG AH AQ AR C12 C31 C5 C6 C7 C8 C9 CB F2 G1 G2 J4".split())
rd = csv.reader(open(sys.argv[1], newline=''))
h = next(rd)
read = loaded = skipped = 0
rej_area, rej_total = [], []
seen = over = 0
for line, row in enumerate(rd, start=2):
    x = dict(zip(h, row))
    read += 1
    if x['PatientType'] != 'Inpatient/Day case' or x['HBT'] == 'S92000003' or x['Specialty'] == 'Z9':
        skipped += 1
    elif x['Specialty'] == '':
        rej_area.append(line)
    elif x['Specialty'] not in watched:
        skipped += 1
    elif x['NumberSeen'] == '':
        rej_total.append(line)
    else:
        loaded += 1
        seen += int(x['NumberSeen']); over += int(x['WaitedOver12Weeks'])
rej = sorted(rej_area + rej_total)
print("ok_with_rejects|%d|%d|%d|%d" % (read, loaded, len(rej), skipped))
if rej_area:
    print("Specialty:missing value for required field 'area':%d" % len(rej_area))
print("NumberSeen:missing value for required field 'waiting_total':%d" % len(rej_total))
print(",".join(map(str, rej)))
print("%d/%d" % (seen, over))
EOF
)
run_it
ran_ok
assert_eq "scotland-completed: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "scotland-completed: rejects by reason (unavailable ':u' / ':' rows)" "$(echo "$exp" | sed -n 2p)" "$(reasons)"
assert_eq "scotland-completed: the rejected lines are those of the file" "$(echo "$exp" | sed -n 3p)" "$(reject_lines)"
assert_eq "scotland-completed: patients seen / over 12 weeks summed over the loaded rows" "$(echo "$exp" | sed -n 4p)" \
	"$(q "SELECT sum(waiting_total) || '/' || sum(waiting_over_target) FROM fragwatch.queue_facts")"
# Line 28142: "20220930","S08000024",,"Inpatient/Day case","C8",,1059,,623,,132,,476.2,
assert_eq "scotland-completed: line 28142 Lothian C8 2022Q3 = 1059 seen, 623 over, median 132, p90 476.2" "1059/623|132|476.2|1059" \
	"$(q "SELECT waiting_total || '/' || waiting_over_target || '|' || median_wait_days || '|' || p90_wait_days || '|' || removed FROM fragwatch.queue_facts WHERE period = '2022-07-01' AND area = 'ORTO' AND org = 'LOTH'")"
# Line 26016: "20121231","S08000020",,"Inpatient/Day case","C7",,420,,0,,34,,53,
assert_eq "scotland-completed: line 26016 Grampian C7 2012Q4 = 420 seen, 0 over, median 34" "420/0|34" \
	"$(q "SELECT waiting_total || '/' || waiting_over_target || '|' || median_wait_days FROM fragwatch.queue_facts WHERE period = '2012-10-01' AND area = 'OGON' AND org = 'GRA'")"
# Line 33771: "20220930","SB0801",,"Inpatient/Day case","A2",,953,,409,,57,,212.8,
assert_eq "scotland-completed: line 33771 Golden Jubilee A2 2022Q3 = 953 seen, 409 over, p90 212.8" "953/409|212.8" \
	"$(q "SELECT waiting_total || '/' || waiting_over_target || '|' || p90_wait_days FROM fragwatch.queue_facts WHERE period = '2022-07-01' AND area = 'KARD' AND org = 'GJNH'")"
# Line 22836: "20130630","S08000015",,"Inpatient/Day case","AB",,,":u",,":u",,":u",,":u"
assert_eq "scotland-completed: line 22836 (Ayrshire AB 2013Q2, ':u') is a reject" "NumberSeen|missing value for required field 'waiting_total'" \
	"$(q "SELECT column_name || '|' || reason FROM fragwatch.rejects WHERE run_id = $RUN AND line = 22836")"

###########################################################################
# 6. NHS England RTT, over 18 / over 52 weeks by STP and treatment function
F=queue_england_rtt_over18_over52_by_stp_treatment_function_2020_2022.csv
use_source england-rtt-long-waits
# Keys: the five "Other - ..." groups of a month and STP are one area (OVR);
# every other treatment function is an area of its own.
exp=$($PY - "$D/$F" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
keys = set()
for x in rows:
    tf = x['Treatment Function Name']
    keys.add((x['Year'], x['Month'], x['Provider Parent Org Code'], 'OVR' if tf.startswith('Other') else tf))
print("ok|%d|%d|0|0" % (len(rows), len(keys)))
print("%d/%d" % (sum(int(x['Total waiting > 18 weeks']) for x in rows), sum(int(x['Total waiting > 52 weeks']) for x in rows)))
EOF
)
run_it
ran_ok
assert_match "england-rtt-long-waits: summary line" "^england-rtt-long-waits +ok +[0-9]+ loaded +0 rejected" "$OUT"
assert_eq "england-rtt-long-waits: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "england-rtt-long-waits: no rejects" "" "$(reasons)"
assert_eq "england-rtt-long-waits: every row summed in (over 18 / over 52 weeks)" "$(echo "$exp" | sed -n 2p)" \
	"$(q "SELECT sum(waiting_total) || '/' || sum(waiting_over_target) FROM fragwatch.queue_facts")"
# Line 2: 2020,Apr,QE1,HEALTHIER LANCASHIRE AND SOUTH CUMBRIA,Cardiology,1,1154
assert_eq "england-rtt-long-waits: line 2 QE1 Cardiology 2020-04 = 1154 over 18 weeks, 1 over 52" "1154/1" "$(qfact 2020-04-01 KARD QE1)"
# Lines 20557-20561: 2022,Sep,QE1,...,Other - Medical / Mental Health / Other / Paediatric / Surgical Services,
#   > 52: 277, 0, 34, 75, 2128 (= 2514); > 18: 4721, 67, 296, 2729, 8955 (= 16768)
assert_eq "england-rtt-long-waits: lines 20557-20561 QE1 'Other - ...' 2022-09 combined into OVR = 16768/2514 (line 20557)" "16768/2514|20557" \
	"$(q "SELECT waiting_total || '/' || waiting_over_target || '|' || line FROM fragwatch.queue_facts WHERE period = '2022-09-01' AND area = 'OVR' AND org = 'QE1'")"
# Line 20565: 2022,Sep,QE1,NHS LANCASHIRE AND SOUTH CUMBRIA INTEGRATED CARE BOARD,Total,16852,107027
assert_eq "england-rtt-long-waits: line 20565 QE1 Total 2022-09 = ALLA 107027/16852" "107027/16852" "$(qfact 2022-09-01 ALLA QE1)"
# Taxonomy break. Line 3273: 2021,Mar,QE1,...,Trauma & Orthopaedics,5327,14745
#                 Line 4089: 2021,Apr,QE1,...,Trauma and Orthopaedic Service,4651,14324
assert_eq "england-rtt-long-waits: lines 3273/4089 old and new T&O names are one series (ORTO)" "2021-03-01:14745/5327,2021-04-01:14324/4651" \
	"$(q "SELECT string_agg(period || ':' || waiting_total || '/' || waiting_over_target, ',' ORDER BY period) FROM fragwatch.queue_facts WHERE area = 'ORTO' AND org = 'QE1' AND period IN ('2021-03-01', '2021-04-01')")"
assert_eq "england-rtt-long-waits: organisation named once per code (latest name)" "NHS LANCASHIRE AND SOUTH CUMBRIA INTEGRATED CARE BOARD" \
	"$(q "SELECT name FROM fragwatch.organisations WHERE code = 'QE1'")"

###########################################################################
# 7. NHS England RTT flow by STP (referral)
F=referral_england_rtt_flow_new_completed_incomplete_by_stp_2020_2022.csv
use_source england-rtt-flow
exp=$(awk -F',' 'NR > 1 { n++; c += $4; nw += $6 } END { print "ok|" n "|" n "|0|0"; print nw "/" c }' "$D/$F")
run_it
ran_ok
assert_eq "england-rtt-flow: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "england-rtt-flow: no rejects" "" "$(reasons)"
assert_eq "england-rtt-flow: received (New) / completed summed" "$(echo "$exp" | sed -n 2p)" \
	"$(q "SELECT sum(received) || '/' || sum(completed) FROM fragwatch.referral_facts")"
rfact() { q "SELECT received || '/' || completed FROM fragwatch.referral_facts WHERE period = '$1' AND area = 'ALLA' AND org = '$2'"; }
# Line 2: 2020,Apr,QE1,14922,134220,14582
assert_eq "england-rtt-flow: line 2 QE1 2020-04 = 14582 new, 14922 completed" "14582/14922" "$(rfact 2020-04-01 QE1)"
# Line 1058: 2021,Jan,QHM,64840,298719,80136
assert_eq "england-rtt-flow: line 1058 QHM 2021-01 = 80136 new, 64840 completed" "80136/64840" "$(rfact 2021-01-01 QHM)"
# Line 1261 (the last): 2020,Sep,QYG,60170,255196,68311
assert_eq "england-rtt-flow: line 1261 QYG 2020-09 = 68311 new, 60170 completed" "68311/60170" "$(rfact 2020-09-01 QYG)"
assert_eq "england-rtt-flow: 42 organisations x 30 months" "42|30" \
	"$(q "SELECT count(DISTINCT org) || '|' || count(DISTINCT period) FROM fragwatch.referral_facts")"

###########################################################################
# 8. NTPF Ireland, outpatient waiting list (long format, combined)
F=queue_ireland_ntpf_outpatient_waiting_by_hospital_specialty_2015-06.csv
use_source ireland-outpatient
# Which specialties share a care area (as in tests/realworld/ireland-outpatient.conf):
exp=$($PY - "$D/$F" <<'EOF'
import csv, sys
shared = {
    'KIR': ['Breast Surgery', 'Gastro-Intestinal Surgery', 'General Surgery', 'Hepato-Biliary Surgery'],
    'ENDO': ['Diabetes Mellitus', 'Endocrinology', 'Metabolic Medicine'],
    'GYN': ['Gynaecology', 'Obstetrics'],
    'INF': ['Infectious Diseases', 'Tropical'],
    'KAK': ['Dental Surgery', 'Maxillo-Facial', 'Oral Surgery'],
    'ONK': ['Oncology', 'Radiotherapy'],
    'BARN': ['Developmental Paediatrics', 'Neonatology', 'Paediatrics'],  # and every "Paed..."
    'OVR': ['Anaesthetics', 'Chemical Pathology', 'Clinical (Medical) Genetics', 'Clinical Immunology',
            'Clinical Neurophysiology', 'Clinical Pharmacology', 'Immunology', 'Other', 'Palliative Medicine',
            'Pathology', 'Radiology', 'Rehabilitation Medicine', 'Small Volume Specialities'],
}
area = {s: a for a, l in shared.items() for s in l}
def area_of(s):
    s = s.strip()
    return 'BARN' if s.startswith('Paed') else area.get(s, s)
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
keys = set((x['hid'], area_of(x['specialty'])) for x in rows)
total = sum(int(x['patients']) for x in rows if x['wait'] == 'All Waiting')
over = sum(int(x['patients']) for x in rows if x['wait'] not in ('All Waiting', '0-3 Months'))
print("ok|%d|%d|0|0" % (len(rows), len(keys)))
print("%d/%d" % (total, over))
EOF
)
run_it
ran_ok
assert_eq "ireland-outpatient: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "ireland-outpatient: no rejects" "" "$(reasons)"
assert_eq "ireland-outpatient: totals from the 'All Waiting' rows, over from the bands >= 3 months (no double count)" \
	"$(echo "$exp" | sed -n 2p)" "$(q "SELECT sum(waiting_total) || '/' || sum(waiting_over_target) FROM fragwatch.queue_facts")"
# Line 2: 1,Dermatology,Bantry General Hospital,...,A,139,All Waiting,rpt02,30/06/2015
# Lines 1076, 1613, 2150, 2687, 3224, 3761: 3-6 Months 31, 6-12 Months 1, then 0, 0, 0, 0
assert_eq "ireland-outpatient: lines 2..3761 Bantry Dermatology 2015-06 = 139 waiting, 32 over 3 months" "139/32" "$(qfact 2015-06-01 HUD BANT)"
# Lines 93, 94: 7,Diabetes Mellitus,Cork University Hospital,...,664,All Waiting / 7,Endocrinology,...,488,All Waiting
# Bands >= 3 months: Diabetes 110+108+137+112+93+8 = 568 (lines 1167..3852); Endocrinology 79+45+91+80+20+1 = 316 (lines 1168..3853)
assert_eq "ireland-outpatient: lines 93/94.. Cork Diabetes + Endocrinology summed into ENDO = 1152/884" "1152/884" "$(qfact 2015-06-01 ENDO CUH)"
# Line 441: 36,Urology ,St. John's Hospital Limerick,...,89,All Waiting (trailing blank in the specialty)
# Lines 1515, 2052: 3-6 Months 41, 6-12 Months 9; later bands 0
assert_eq "ireland-outpatient: line 441 'Urology ' (trailing blank) St. John's = 89/50" "89/50" "$(qfact 2015-06-01 URO SJOHN)"
assert_eq "ireland-outpatient: one period, 30/06/2015 read as June 2015" "2015-06-01|2015-06-01" \
	"$(q "SELECT min(period) || '|' || max(period) FROM fragwatch.queue_facts")"

###########################################################################
# 9. HSE Ireland, WTE per hospital (wide, Windows-1252, semicolons)
F=staffing_ireland_hse_wte_per_hospital_dec15_feb17.csv
use_source ireland-hse-staffing
# Five period columns: each record is five rows. "... other" rows are skipped.
exp=$(awk -F';' 'NR > 1 { sub(/\r$/, ""); n++; if ($1 ~ / other$/) { o++; next }
	for (i = 2; i <= 6; i++) { v = $i; gsub(",", "", v); s += v } }
	END { print "ok|" 5 * n "|" 5 * (n - o) "|0|" 5 * o; print s }' "$D/$F")
run_it
ran_ok
assert_eq "ireland-hse-staffing: status|read|loaded|rejected|skipped (5 rows a record)" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "ireland-hse-staffing: no rejects" "" "$(reasons)"
assert_eq "ireland-hse-staffing: WTE summed over the hospitals (thousands commas read)" "$(echo "$exp" | sed -n 2p)" \
	"$(q "SELECT round(sum(fte_filled)::numeric) FROM fragwatch.staffing_facts")"
sfact() { q "SELECT round(fte_budget::numeric, 1) || '/' || round(fte_filled::numeric, 1) FROM fragwatch.staffing_facts WHERE period = '$1' AND area = '$2' AND org = '$3'"; }
# Line 2: Children's University Hospital;1,020;1,029;1,038;1,078;1,085
assert_eq "ireland-hse-staffing: line 2 Children's University Hospital Dec 2015 = 1,020 WTE (budget = filled)" "1020.0/1020.0" "$(sfact 2015-12-01 ALLA CUHTS)"
# Line 7: Midland Regional Hospital, Portlaoise;643;652;650;670;674 (a comma in the name)
assert_eq "ireland-hse-staffing: line 7 'Midland Regional Hospital, Portlaoise' Apr 2016 = 652" "652.0/652.0" "$(sfact 2016-04-01 ALLA MRHP)"
# Line 47: South Infirmary<0xAD>Victoria University Hospital;752;739;742;729;725 (a Windows-1252 soft hyphen)
assert_eq "ireland-hse-staffing: line 47 (soft hyphen 0xAD -> U+00AD alias) Feb 2017 = 725" "725.0/725.0" "$(sfact 2017-02-01 ALLA SIVUH)"
assert_eq "ireland-hse-staffing: 49 hospitals x 5 census dates" "49|2015-12-01,2016-04-01,2016-05-01,2017-01-01,2017-02-01" \
	"$(q "SELECT count(DISTINCT org) || '|' || string_agg(DISTINCT period::text, ',' ORDER BY period::text) FROM fragwatch.staffing_facts")"

###########################################################################
# 10. DfE England, children's social work workforce (staffing, yearly)
F=staffing_england_dfe_childrens_social_work_workforce_indicators_2017_2023.csv
use_source england-dfe-social-work
exp=$($PY - "$D/$F" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
la = [x for x in rows if x['geographic_level'] == 'Local authority']
null = {'x', 'c', 'z', 'u', 'low'}
print("ok|%d|%d|0|%d" % (len(rows), len(la), len(rows) - len(la)))
print("%.1f/%.1f" % (sum(float(x['inpost_fte']) + float(x['vacancy_fte']) for x in la), sum(float(x['inpost_fte']) for x in la)))
print("%d|%d|%d" % tuple(sum(1 for x in la if x[c] in null) for c in ('agency_fte', 'absence_rate_fte', 'leavers_headcount')))
EOF
)
run_it
ran_ok
assert_eq "england-dfe-social-work: status|read|loaded|rejected|skipped (national, regional rows skipped)" "$(echo "$exp" | sed -n 1p)" "$(counts)"
assert_eq "england-dfe-social-work: no rejects" "" "$(reasons)"
assert_eq "england-dfe-social-work: budget (in post + vacancies) / filled summed" "$(echo "$exp" | sed -n 2p)" \
	"$(q "SELECT round(sum(fte_budget)::numeric, 1) || '/' || round(sum(fte_filled)::numeric, 1) FROM fragwatch.staffing_facts")"
assert_eq "england-dfe-social-work: suppressed x/c/z/u/low cells load as NULL (agency|absence|leavers)" "$(echo "$exp" | sed -n 3p)" \
	"$(q "SELECT count(*) FILTER (WHERE hired_fte IS NULL) || '|' || count(*) FILTER (WHERE sick_leave_rate IS NULL) || '|' || count(*) FILTER (WHERE leavers IS NULL) FROM fragwatch.staffing_facts")"
dfact() { q "SELECT round(fte_budget::numeric, 1) || '/' || round(fte_filled::numeric, 1) || '|' || coalesce(round(hired_fte::numeric, 1)::text, 'NULL') || '|' || coalesce(round(sick_leave_rate::numeric, 3)::text, 'NULL') || '|' || coalesce(leavers::text, 'NULL') || '|' || headcount FROM fragwatch.staffing_facts WHERE period = '$1' AND area = 'SOC' AND org = '$2'"; }
# Line 1047: 2017,...,330,E08000025,Birmingham,647.1,673,...,leavers_headcount 67,...,agency_fte 130.5,...,vacancy_fte 224.9,...,absence_rate_fte 6
assert_eq "england-dfe-social-work: line 1047 Birmingham 2017 = budget 872.0 / filled 647.1, agency 130.5, sick 6 %, 67 leavers, 673 in post" \
	"872.0/647.1|130.5|0.060|67|673" "$(dfact 2017-01-01 E08000025)"
# Line 139: 2023,...,207,E09000020,Kensington and Chelsea,173.2,179,...,25 leavers,...,agency_fte x,...,vacancy_fte 7,...,absence 2.8
assert_eq "england-dfe-social-work: line 139 Kensington and Chelsea 2023 = 180.2/173.2, agency 'x' -> NULL, sick 2.8 %" \
	"180.2/173.2|NULL|0.028|25|179" "$(dfact 2023-01-01 E09000020)"
# Line 274: 2022,...,852,E06000045,Southampton,226.9,243,...,48 leavers,...,agency 44.9,...,vacancy 65,...,absence 'low'
assert_eq "england-dfe-social-work: line 274 Southampton 2022 = 291.9/226.9, absence 'low' -> NULL" \
	"291.9/226.9|44.9|NULL|48|243" "$(dfact 2022-01-01 E06000045)"
# Line 394: 2021,...,940 / 941,E06000061 / E06000062,North Northamptonshire / West Northamptonshire,329.9,355,...,55,...,116,...,216,...,2.5
assert_eq "england-dfe-social-work: line 394 joint code 'E06000061 / E06000062' 2021 = NNWN 545.9/329.9" \
	"545.9/329.9|116.0|0.025|55|355" "$(dfact 2021-01-01 NNWN)"

###########################################################################
# 13. Socialstyrelsen, En god vård? (Windows-1252, semicolons, long table)
F=queue_sweden_socialstyrelsen_en_god_vard_indicators_datalista.csv
use_source sweden-waiting-times
exp=$($PY - "$D/$F" <<'EOF'
import csv, io, sys
text = open(sys.argv[1], 'rb').read().decode('cp1252')
rows = list(csv.DictReader(io.StringIO(text, newline=''), delimiter=';'))
kept = [(i + 2, x) for i, x in enumerate(rows)
        if x['ind_id'] in ('33', '34', '551') and x['sex_all'] == 'Totalt' and x['cat_type'] == 'LAN']
reasons, rej, n = [], [], 0
for l, x in kept:
    if x['n'] == '':
        rej.append(l); reasons.append("n:missing value for required field 'waiting_total'")
    elif float(x['value']) > 100:   # a share above 100 %: a negative count over the limit
        rej.append(l); reasons.append("n:waiting_over_target computed as %g is out of range"
                                      % round(int(x['n']) * (100 - float(x['value'])) / 100))
    else:
        n += int(x['n'])
print("ok_with_rejects|%d|%d|%d|%d" % (len(rows), len(kept) - len(rej), len(rej), len(rows) - len(kept)))
print("\n".join(sorted("%s:%d" % (r, reasons.count(r)) for r in set(reasons))))
print(",".join(map(str, rej)))
print(n)
EOF
)
run_it
ran_ok
assert_eq "sweden-waiting-times: status|read|loaded|rejected|skipped as counted from the file" "$(echo "$exp" | sed -n 1p)" "$(counts)"
nr=$(echo "$exp" | grep -c ':')
assert_eq "sweden-waiting-times: rejects by reason (no value nor n; a share above 100 %)" "$(echo "$exp" | sed -n "2,$((nr + 1))p")" "$(reasons)"
assert_eq "sweden-waiting-times: the rejected lines are those of the file" "$(echo "$exp" | sed -n "$((nr + 2))p")" "$(reject_lines)"
n_loaded=$(echo "$exp" | sed -n "$((nr + 3))p")
assert_eq "sweden-waiting-times: n summed over the loaded rows" "$n_loaded" "$(q "SELECT sum(waiting_total) FROM fragwatch.queue_facts")"
# Line 1446: 551;...;Uppsala;LAN;3;1;-1;2016;Totalt;;102.6378897;417;;
#   over = 417 * (100 - 102.6378897) / 100 = -11: more started within 30 days than counted
assert_eq "sweden-waiting-times: line 1446 (Uppsala BUP 2016, 102.6 %) rejected, not loaded as a negative count" \
	"n|waiting_over_target computed as -11 is out of range|0" \
	"$(q "SELECT column_name || '|' || reason || '|' || (SELECT count(*) FROM fragwatch.queue_facts WHERE period = '2016-01-01' AND area = 'BUP' AND org = 'C') FROM fragwatch.rejects WHERE run_id = $RUN AND line = 1446")"
# Line 1415: 551;...;Jamtland;LAN;23;1;0;2017;Totalt;Uppgift saknas;;;;
assert_eq "sweden-waiting-times: line 1415 (Jämtland BUP 2017, 'Uppgift saknas') rejected with its text" "n|1" \
	"$(q "SELECT column_name || '|' || (raw LIKE '%Jamtland%Uppgift saknas%')::int FROM fragwatch.rejects WHERE run_id = $RUN AND line = 1415")"
# Line 1488: 33;...;Stockholm;LAN;1;1;0;2017;Totalt;;96.28303019;451443;;
#   over = 451443 * (100 - 96.28303019) / 100 = 16780.00002 -> 16780
assert_eq "sweden-waiting-times: line 1488 Stockholm visits 2017 = 451443, 16780 over 90 days" "451443/16780" "$(qfact 2017-01-01 BESOK AB)"
# Line 1738: 34;...;orebro;LAN;18;1;-5;2012;Totalt;;75.18812284;9834;;  ('orebro': Ö stripped upstream)
#   over = 9834 * 24.81187716 / 100 = 2439.99999 -> 2440
assert_eq "sweden-waiting-times: line 1738 'orebro' operations 2012 = 9834, 2440 over 90 days" "9834/2440" "$(qfact 2012-01-01 OPER T)"
# Line 1459: 551;...;Jamtland;LAN;23;1;-2;2015;Totalt;;80;115;;   over = 115 * 20 / 100 = 23
assert_eq "sweden-waiting-times: line 1459 Jämtland BUP 2015 = 115, 23 over 30 days" "115/23" "$(qfact 2015-01-01 BUP Z)"
assert_eq "sweden-waiting-times: Swedish names of the config stored intact (å ä ö)" \
	"Region Örebro län|Region Jämtland Härjedalen|Region Skåne|Öron-, näs- och halssjukvård|Barn- och ungdomspsykiatri" \
	"$(q "SELECT (SELECT name FROM fragwatch.organisations WHERE code = 'T') || '|' || (SELECT name FROM fragwatch.organisations WHERE code = 'Z') || '|' || (SELECT name FROM fragwatch.organisations WHERE code = 'M') || '|' || (SELECT name FROM fragwatch.areas WHERE code = 'ONH') || '|' || (SELECT name FROM fragwatch.areas WHERE code = 'BUP')")"
assert_eq "sweden-waiting-times: 21 regions, no RIKET; years 2012..2017" "21|2012-01-01|2017-01-01" \
	"$(q "SELECT count(DISTINCT org) || '|' || min(period) || '|' || max(period) FROM fragwatch.queue_facts")"

# The same file declared UTF-8 (as `file` would suggest) is refused at its
# first non-ASCII byte, a 0xA0 about 830 KB in.
at=$($PY -c 'import sys; b = open(sys.argv[1], "rb").read(); print(next(i for i, c in enumerate(b) if c >= 0x80))' "$D/$F")
# (A source name of its own: the same bytes under the loaded source's name
# would be "unchanged" before they are read.)
SRC=sweden-utf8
sed -e 's|encoding = "WINDOWS-1252";|encoding = "UTF-8";|' \
    -e 's|name = "sweden-waiting-times";|name = "sweden-utf8";|' "$CONF" > "$T/conf/sweden-utf8.test.conf"
run_it "$T/conf/sweden-utf8.test.conf"
assert_eq "sweden as UTF-8: exit 1" 1 "$RC"
assert_match "sweden as UTF-8: refused at byte $at (0-based)" "refused .*invalid UTF-8 at byte $at\b" "$OUT"

# Windows-1252 en dashes (0x96) come through as U+2013. Indicator 571
# ("Femarsoverlevnad cancer – flera cancerformer") is reported over
# five-year ranges ("2012-2016"), which a yearly source cannot date: every
# row is a reject naming the range, the extract is refused, and the first
# 20 rejects are kept with their text, en dash included.
SRC=sweden-571
sed -e 's|\["ind_id", "33", "34", "551"\]|["ind_id", "571"]|' \
    -e 's|\["33", "BESOK"\]|["571", "BESOK"]|' \
    -e 's|name = "sweden-waiting-times";|name = "sweden-571";|' \
    "$CONF" > "$T/conf/sweden-571.test.conf"
n571=$($PY - "$D/$F" <<'EOF'
import csv, io, sys
rows = csv.DictReader(io.StringIO(open(sys.argv[1], 'rb').read().decode('cp1252'), newline=''), delimiter=';')
print(sum(1 for x in rows if x['ind_id'] == '571' and x['sex_all'] == 'Totalt' and x['cat_type'] == 'LAN'))
EOF
)
run_it "$T/conf/sweden-571.test.conf"
assert_eq "sweden 571: exit 1" 1 "$RC"
assert_match "sweden 571: refused, every row rejected" "refused .*$n571 of $n571 rows rejected" "$OUT"
assert_eq "sweden 571: 20 rejects kept, each a bad date naming its range" "20|20" \
	"$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE reason ~ '^bad date ''[0-9]{4}-[0-9]{4}''') FROM fragwatch.rejects WHERE run_id = $RUN")"
assert_eq "sweden 571: the en dash (0x96) is U+2013 in the kept text" "20|0" \
	"$(q "SELECT count(*) FILTER (WHERE raw LIKE '%cancer ' || U&'\\2013' || ' flera%') || '|' || count(*) FILTER (WHERE raw LIKE '%' || chr(150) || '%') FROM fragwatch.rejects WHERE run_id = $RUN")"
assert_eq "sweden 571: the refusal left the loaded facts alone" "$n_loaded" "$(q "SELECT sum(waiting_total) FROM fragwatch.queue_facts")"

# Windows-1252 no-break spaces (0xA0) come through as U+00A0: indicator 567
# writes its latest year as NBSP + "2017". That is not a year, so those rows
# are rejects that show the NBSP (not dropped, not silently read as 2017);
# its other rows have no n (a survey share without a count). Every row is
# rejected here, so max_reject_share = 1 keeps all the rejects.
SRC=sweden-567
sed -e 's|\["ind_id", "33", "34", "551"\]|["ind_id", "567"]|' \
    -e 's|\["33", "BESOK"\]|["567", "BESOK"]|' \
    -e 's|max_reject_share = 0.05;|max_reject_share = 1.0;|' \
    -e 's|name = "sweden-waiting-times";|name = "sweden-567";|' \
    "$CONF" > "$T/conf/sweden-567.test.conf"
exp567=$($PY - "$D/$F" <<'EOF'
import csv, io, sys
rows = csv.DictReader(io.StringIO(open(sys.argv[1], 'rb').read().decode('cp1252'), newline=''), delimiter=';')
k = [x for x in rows if x['ind_id'] == '567' and x['sex_all'] == 'Totalt' and x['cat_type'] == 'LAN']
print("%d|%d" % (sum(1 for x in k if x['period'] == '\xa02017'), sum(1 for x in k if x['period'] != '\xa02017' and x['n'] == '')))
EOF
)
run_it "$T/conf/sweden-567.test.conf"
assert_eq "sweden 567: NBSP + 2017 rejected as a bad date showing U+00A0 | the other rows lack n" "$exp567" \
	"$(q "SELECT count(*) FILTER (WHERE column_name = 'period' AND reason LIKE 'bad date ''' || U&'\\00A0' || '2017''%' AND raw LIKE '%;' || U&'\\00A0' || '2017;%') || '|' || count(*) FILTER (WHERE reason = 'missing value for required field ''waiting_total''') FROM fragwatch.rejects WHERE run_id = $RUN")"
