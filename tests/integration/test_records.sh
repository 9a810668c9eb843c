# test_records.sh - record-grain extracts: aggregation into facts (hand-computed), kept records, keep_records = false, re-runs.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
D=$TOP/tests/data/records
cp "$D"/*.csv "$T/www/"
records_conf() {  # records_conf OUT KEEP
	cp "$TOP/tests/data/region-test.conf" "$T/"
	sed -e "s|@CONNINFO@|$CONNINFO|" -e "s|@URL_REFERRAL@|$HTTP/files/referrals.csv|" \
	    -e "s|@URL_QUEUE@|$HTTP/files/waiting.csv|" -e "s|@KEEP@|$2|" "$TOP/tests/data/records.conf" > "$1"
}
records_conf "$T/fw.conf" true
out=$("$FW" -c "$T/fw.conf" run 2>&1); rc=$?
assert_eq "record extracts load (exit 0)" 0 "$rc"
assert_match "referral records: 5 loaded, 3 rejected" "^remissposter +ok_with_rejects +5 loaded +3 rejected" "$out"

rf() { sql "SELECT received || '|' || accepted || '|' || rejected || '|' || completed || '|' || triage_median_days FROM fragwatch.referral_facts WHERE period = '$1' AND area = 'NEURO' AND org = '$2'"; }
# Week 1 at SU: referrals 1, 2, 3 received; 1 accepted, 1 rejected (3 pending);
# closed in week 1: referral 2; triage days {2, 0}: median 1.
assert_eq "referrals W1 SU: received, accepted, rejected, completed, triage" "3|1|1|1|1" "$(rf 2024-01-01 SU)"
# Week 2 at SU: referral 4 received and accepted, triage 4; referral 1 closed on 01-10.
assert_eq "referrals W2 SU: completed counts by the week closed" "1|1|0|1|4" "$(rf 2024-01-08 SU)"
assert_eq "referrals W2 SAS" "1|1|0|1|1" "$(rf 2024-01-08 SAS)"
rejects=$(sql "SELECT line || ':' || column_name || ':' || reason FROM fragwatch.rejects r JOIN fragwatch.runs u ON u.id = r.run_id WHERE u.source = 'remissposter' ORDER BY line")
assert_match "reject: an unknown status" "^7:status:unknown status 'Okänd'" "$rejects"
assert_match "reject: assessed before received" "^8:bedomd:assessed is before received" "$rejects"
assert_match "reject: a bad date" "^9:mottagen:bad date '2024-13-01'" "$rejects"
assert_eq "referral records kept, statuses translated" "accepted:3|pending:1|rejected:1" "$(sql "SELECT string_agg(status || ':' || n, '|' ORDER BY status) FROM (SELECT status, count(*) n FROM fragwatch.referral_records GROUP BY status) s")"

# The queue snapshot of 2024-01-07 (the later one in week 1 wins over 01-02):
# waits 37, 128, 90, 220 days; over the 90-day limit: 128 and 220;
# mean 475/4 = 118.75; median (90 + 128)/2 = 109; p90 128 + 0.7 * 92 = 192.4.
assert_eq "queue snapshot W1: total, over, mean, median, p90" "4|2|118.75|109|192.4" "$(sql "SELECT waiting_total || '|' || waiting_over_target || '|' || mean_wait_days || '|' || median_wait_days || '|' || round(p90_wait_days::numeric, 4)::float8 FROM fragwatch.queue_facts WHERE period = '2024-01-01' AND area = 'NEURO' AND org = 'SU'")"
assert_eq "queue: a wait starting after the snapshot is a reject" "7:vantar_sedan:waiting_since is after snapshot" "$(sql "SELECT line || ':' || column_name || ':' || reason FROM fragwatch.rejects r JOIN fragwatch.runs u ON u.id = r.run_id WHERE u.source = 'vantande'")"
assert_eq "queue records kept with the run and line" "5|2|A" "$(sql "SELECT count(*) || '|' || min(line) || '|' || min(priority) FROM fragwatch.queue_records")"
assert_eq "indicators computed from the aggregated records (Q1 = 1 - 2/4)" "0.5" "$(sql "SELECT value FROM fragwatch.indicator_values WHERE area = 'NEURO' AND org = 'SU' AND code = 'Q1' AND period = '2024-01-01'")"

# A corrected extract for the same weeks replaces the records, never doubles them.
{ head -1 "$D/referrals.csv"; sed -n '2,6p' "$D/referrals.csv"; echo "9;2024-01-03;NEURO;SU;Godkänd;2024-01-04;"; } > "$T/www/referrals.csv"
"$FW" -c "$T/fw.conf" run remissposter >/dev/null 2>&1
assert_eq "re-run: records of the weeks replaced" "6" "$(sql "SELECT count(*) FROM fragwatch.referral_records")"
# Week 1 now: referrals 1, 2, 3, 9; accepted 1 and 9; triage {2, 0, 1}: median 1.
assert_eq "re-run: facts recomputed" "4|2|1|1|1" "$(rf 2024-01-01 SU)"

# keep_records = false: facts, but no records.
sql "TRUNCATE fragwatch.queue_records" >/dev/null
records_conf "$T/nokeep.conf" false
sed -i 's/2024-01-07,NEURO,SU,2023-06-01,/2024-01-07,NEURO,SU,2023-06-02,/' "$T/www/waiting.csv"
"$FW" -c "$T/nokeep.conf" run vantande >/dev/null 2>&1
assert_eq "keep_records = false keeps no records" "0" "$(sql "SELECT count(*) FROM fragwatch.queue_records")"
# 2023-06-02 to 2024-01-07 is 219 days: mean (37 + 128 + 90 + 219)/4 = 118.5.
assert_eq "keep_records = false still aggregates" "4|118.5" "$(sql "SELECT waiting_total || '|' || mean_wait_days FROM fragwatch.queue_facts WHERE period = '2024-01-01' AND area = 'NEURO' AND org = 'SU'")"

# Config: record-only keys are refused on aggregate sources, and the reverse.
sed 's|grain = "record";            # one row per referral, aggregated by fragwatch|combine = "sum"; grain = "record";|' "$T/fw.conf" > "$T/bad.conf"
out=$("$FW" check-config "$T/bad.conf" 2>&1)
assert_match "check-config: combine on a record source" "'combine' and 'unpivot' are for grain = \"aggregate\"" "$out"
