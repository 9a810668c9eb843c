# test_alerts.sh - alerts end to end: outbox, digests over real SMTP (STARTTLS, AUTH) and webhooks, a crash before sending, a server down then up, 550 and 500, repeats, silences, resolved notices.
. "$(dirname "$0")/../lib.sh"
SERVERS=""
trap 'for p in $SERVERS; do kill "$p" 2>/dev/null; done; cleanup' EXIT
export FRAGWATCH_TODAY=2024-02-12

pg_start
mkdir -p "$T/www"
# httpd.py serves $T/www under /files/, as etc/demo.conf expects.
$PY "$TOP/tests/tools/gensample.py" --out "$T/www" --end 2024-02-11 >/dev/null
cp "$T/www/region.conf" "$T/region.orig"
http_start

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || { echo "openssl req failed"; exit 1; }
PASSWORD='hemligt lösen åäö'
printf '%s\n' "$PASSWORD" > "$T/pw"

# start NAME SCRIPT ARGS...: a receiver; sets PORT.
start() {
	name=$1; script=$2; shift 2
	$PY "$TOP/tests/tools/$script" --port-file "$T/$name.port" "$@" >"$T/$name.log" 2>&1 &
	SERVERS="$SERVERS $!"
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/$name.port")
}
start smtp smtpd.py --spool "$T/mail" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" \
    --auth "fw:$T/pw" --reject nobody@example.internal
SMTP_UP=$PORT
start stall smtpd.py --spool "$T/stallmail" --stall
SMTP_STALL=$PORT
start hook hookd.py --spool "$T/hooks"
HOOK=$PORT
# A port with nothing listening: the mail server is down.
SMTP_DOWN=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# conf SMTP_PORT [NEURO_GREEN]: the sample region (etc/demo.conf) with owners.
# NEURO_GREEN=1 sets NEURO's thresholds so that everything is green.
conf() {
	sed "s|@HTTP@|$HTTP|g" "$TOP/etc/demo.conf" > "$T/fw.conf"
	if [ "${2:-0}" = 1 ]; then
		sed 's|{ code = "NEURO"; name = "Neurologi"; guarantee_days = 90; }|{ code = "NEURO"; name = "Neurologi"; guarantee_days = 90; thresholds = { Q1 = { green = ">= 0"; red = "< -1"; }; Q2 = { green = "<= 100"; red = "> 200"; }; Q3 = { green = "< 100"; red = ">= 200"; }; R1 = { green = "< 100"; red = "> 200"; }; R2 = { green = "<= 100"; red = "> 200"; }; S1 = { green = ">= 0"; red = "< -1"; }; S2 = { green = ">= 0"; red = "<= -1"; }; S3 = { green = "< 100"; red = "> 200"; }; S4 = { green = "< 100"; red = "> 200"; }; S5 = { green = "< 100"; red = "> 200"; }; }; }|' \
		    "$T/region.orig" > "$T/region.conf"
	else
		cp "$T/region.orig" "$T/region.conf"
	fi
	cat >> "$T/fw.conf" <<EOF
database = { conninfo = "$CONNINFO"; state_dir = "$T/state"; };
daemon = { allow_root = true; };
alerts = {
	smtp = { url = "smtp://127.0.0.1:$1"; from = "fragwatch <fragwatch@example.internal>";
		username = "fw"; password_file = "$T/pw"; ca_file = "$T/cert.pem"; timeout = 20; };
	max_attempts = 3; retry_base = 0.5; retry_cap = 1.0;
	ops = { email = ["ops@example.internal"]; };
	owners = (
		{ area = "PSYK"; email = ["Åsa Öberg <psyk@example.internal>"];
		  webhooks = ["http://127.0.0.1:$HOOK/hook/psyk"]; },
		{ area = "NEURO"; email = ["neuro@example.internal"]; },
		{ area = "BUP"; email = ["nobody@example.internal"]; },
		{ area = "ORTO"; webhooks = ["http://127.0.0.1:$HOOK/status/500"]; }
	);
};
EOF
}
fw() { "$FW" -c "$T/fw.conf" "$@"; }
# Makes the next run load the same extracts again (as if they had changed).
reload() { sql "UPDATE fragwatch.runs SET sha256 = NULL, etag = NULL, last_modified = NULL" >/dev/null; }

# received: per recipient, the messages and the alert ids in their text
# parts (the "fragwatch, alerts 5 6 7" footer), from the SMTP spool.
received() {
	$PY - "$T/mail" <<'EOF'
import email, glob, json, os, re, sys
from email import policy
out = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.eml"))):
    meta = json.load(open(path[:-4] + ".json"))
    m = email.message_from_binary_file(open(path, "rb"), policy=policy.default)
    text = m.get_body(("plain",)).get_content()
    ids = re.search(r"^fragwatch, alerts? ([0-9 ]+)$", text, re.M).group(1).split()
    for r in meta["rcpt_tos"]:
        out.setdefault(r, []).append(ids)
for r in sorted(out):
    print(r, len(out[r]), " ".join(sorted(sum(out[r], []), key=int)))
EOF
}
count_for() { received | awk -v r="$1" '$1 == r { print $2 }'; }
ids_for() { received | awk -v r="$1" '$1 == r { $1 = ""; $2 = ""; print }' | tr -s ' ' '\n' | grep . | sort -n | tr '\n' ' '; }

# --- a crash between commit and send ------------------------------------
# The mail server accepts connections but never answers; fragwatch is
# killed while it waits, after every run has committed.
conf "$SMTP_STALL"
"$FW" -c "$T/fw.conf" run >"$T/crash.out" 2>&1 &
PID=$!
for _ in $(seq 300); do
	[ "$(sql "SELECT count(*) FROM fragwatch.runs WHERE status <> 'running'" 2>/dev/null)" = 3 ] && break
	sleep 0.1
done
sleep 1.5
kill -9 $PID
wait $PID 2>/dev/null
ALERTS=$(sql "SELECT count(*) FROM fragwatch.alerts")
if [ "$ALERTS" -gt 10 ]; then ok "crash: the runs committed their alerts ($ALERTS)"; else not_ok "crash: alerts committed" "$ALERTS"; fi
assert_eq "crash: no e-mail attempt was recorded, none arrived" "0|0" \
    "$(sql "SELECT count(*) FROM fragwatch.alert_attempts WHERE channel = 'email'")|$(ls "$T/mail" 2>/dev/null | grep -c eml)"
# Dedup keys are the SHA-256 of episode|notice: check them independently.
assert_eq "outbox: every dedup key is sha256(episode|notice), unique" "0|$ALERTS" \
    "$(sql "SELECT count(*) FROM fragwatch.alerts WHERE dedup_key <> encode(sha256(convert_to(episode || '|' || notice, 'UTF8')), 'hex')")|$(sql "SELECT count(DISTINCT dedup_key) FROM fragwatch.alerts")"

# --- the server down for several runs ------------------------------------
conf "$SMTP_DOWN"
fw run >"$T/down1.out" 2>&1; sleep 1.1
fw run >"$T/down2.out" 2>&1
assert_eq "down: nothing arrived" "0" "$(ls "$T/mail" 2>/dev/null | grep -c eml)"
assert_eq "down: each e-mail recipient has 2 failed attempts, connection refused" "2|false|0" \
    "$(sql "SELECT DISTINCT count(*) OVER (PARTITION BY recipient) || '|' || bool_or(ok) OVER () || '|' || count(*) FILTER (WHERE error NOT ILIKE '%connect%') OVER () FROM fragwatch.alert_attempts WHERE channel = 'email'")"
assert_eq "down: no e-mail delivery given up" "0" \
    "$(sql "SELECT count(*) FROM fragwatch.alert_deliveries WHERE channel = 'email' AND state = 'dead'")"
assert_eq "webhook: the PSYK owner's hook got one POST while mail was down" "1" "$(ls "$T/hooks" | grep -c '^psyk\..*\.json$')"

# --- up: every alert arrives exactly once --------------------------------
conf "$SMTP_UP"
sleep 1.1 # the backoff after the second failure
fw run >"$T/up.out" 2>&1
GOT=$(received | awk '{ print $1, NF - 2 }' | sort)
WANT=$(sql "SELECT r || ' ' || count(*) FROM (SELECT CASE WHEN recipient LIKE '%<%' THEN substring(recipient from '<(.*)>') ELSE recipient END AS r FROM fragwatch.alert_deliveries WHERE channel = 'email' AND state = 'sent') x GROUP BY r ORDER BY r")
assert_eq "up: per recipient, the alert ids received are the deliveries sent" "$WANT" "$GOT"
assert_eq "up: no alert id twice for one recipient" "" \
    "$(received | while read -r r n ids; do echo "$ids" | tr ' ' '\n' | sort | uniq -d; done)"
assert_eq "up: one message each to psyk and neuro" "1|1" "$(count_for psyk@example.internal)|$(count_for neuro@example.internal)"
assert_eq "up: nothing left pending but the 500 webhook" "0" \
    "$(sql "SELECT count(*) FROM fragwatch.alert_deliveries WHERE state = 'pending' AND recipient NOT LIKE '%/status/500'")"
assert_eq "up: the server saw STARTTLS and AUTH" "True|fw" \
    "$($PY -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["tls"], m["auth_user"], sep="|")' "$T/mail/001.json")"
assert_eq "secrets: the SMTP password is in no output" "0" "$(cat "$T"/*.out | grep -c "hemligt")"

# The PSYK owner's digest: what it must hold is computed from the views:
# PSYK is not red anywhere, so each of its open warnings is one alert.
PSYK_WARN=$(sql "SELECT count(*) FROM fragwatch.trending_fragile WHERE area = 'PSYK'")
PSYK_RED=$(sql "SELECT count(*) FROM fragwatch.status_board WHERE area = 'PSYK' AND status = 'red'")
if [ "$PSYK_WARN" -gt 0 ] && [ "$PSYK_RED" = 0 ]; then ok "fixture: PSYK has $PSYK_WARN warnings and no red"; else not_ok "fixture: PSYK warnings, no red" "$PSYK_WARN $PSYK_RED"; fi
sql "SELECT org_name || '|' || lower(indicator_name) FROM fragwatch.trending_fragile WHERE area = 'PSYK'" > "$T/psyk.want"
PSYK_EML=$(grep -l 'psyk@example.internal' "$T"/mail/*.json | head -1 | sed 's/json$/eml/')
check_psyk() {
	$PY - "$PSYK_EML" "$T/psyk.want" "$PSYK_WARN" <<'EOF'
import email, re, sys
from email import policy
path, wantf, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = email.message_from_binary_file(open(path, "rb"), policy=policy.default)
problems = []
def check(what, want, got):
    if want != got:
        problems.append(f"{what}: want {want!r}, got {got!r}")
check("to name", "Åsa Öberg", m["To"].addresses[0].display_name)
check("type", "multipart/alternative", m.get_content_type())
check("subject", f"fragwatch: {n} alerts: {n} early warnings" if n > 1 else None, str(m["Subject"]) if n > 1 else None)
parts = list(m.iter_parts())
check("parts", ["text/plain", "text/html"], [p.get_content_type() for p in parts])
text, html = parts[0].get_content(), parts[1].get_content()
check("alerts in text", n, len(re.findall(r"^\d+\. Early warning: Vuxenpsykiatri \(PSYK\), ", text, re.M)))
for line in open(wantf, encoding="utf-8"):
    org, name = line.rstrip("\n").split("|", 1)
    org = "region-wide" if org == "Region" else org
    if not re.search(r"^\d+\. Early warning: Vuxenpsykiatri \(PSYK\), " + re.escape(f"{org}: {name} "), text, re.M):
        problems.append(f"missing in text: {org}: {name}")
    if f"(PSYK), {org}: {name} " not in html:
        problems.append(f"missing in html: {org}: {name}")
for want in ["Now: ", "target (green) ", "Trend: ", "Data: newest period ", "Indicators (newest period):",
             "Look: SELECT * FROM fragwatch.trending_fragile WHERE area = 'PSYK' AND org = ",
             "Närhälsan" if "Närhälsan" in open(wantf, encoding="utf-8").read() else "Vuxenpsykiatri"]:
    if want not in text:
        problems.append(f"missing in text: {want!r}")
check("html table", True, "<th>Indicator</th>" in html and html.count("<table") >= n)
raw = open(path, "rb").read()
check("no raw 8-bit", True, max(raw) < 128)
print("; ".join(problems) if problems else "ok")
EOF
}
assert_eq "content: the PSYK digest (MIME, UTF-8 åäö, one alert per warning, values, trend, data, SQL)" "ok" "$(check_psyk)"
check_hook() {
	$PY - "$T/hooks/psyk.1.json" "$PSYK_WARN" <<'EOF'
import json, sys
b = json.load(open(sys.argv[1], encoding="utf-8"))
f = b["fragwatch"]
ok = (f["count"] == int(sys.argv[2]) and len(f["alerts"]) == f["count"]
      and all(a["area"] == "PSYK" and a["kind"] == "warning" and a["area_name"] == "Vuxenpsykiatri"
              and "explanation" in a and "indicators" in a for a in f["alerts"])
      and b["text"].startswith("*fragwatch: "))
print("ok" if ok else json.dumps(b)[:400])
EOF
}
assert_eq "webhook: text plus structured fields, one per warning" "ok" "$(check_hook)"

# Rejected recipient (550): recorded, dead at once, ops told.
assert_eq "550: attempt recorded with the server's reply, permanent" "550|true|true" \
    "$(sql "SELECT code || '|' || permanent || '|' || (response LIKE '%User unknown%') FROM fragwatch.alert_attempts WHERE recipient = 'nobody@example.internal' AND NOT ok ORDER BY id DESC LIMIT 1")"
assert_eq "550: every BUP delivery dead, none sent" "dead" \
    "$(sql "SELECT string_agg(DISTINCT state, ',') FROM fragwatch.alert_deliveries WHERE recipient = 'nobody@example.internal'")"
assert_match "550: the journal line (stderr) says dead" "alert [0-9]+ to nobody@example.internal by email is dead after 3 attempts" "$(cat "$T/up.out")"

# Webhook 500: retried with backoff, then dead after max_attempts (3).
assert_eq "500: three attempts, each HTTP 500, not permanent" "3|500|false" \
    "$(sql "SELECT count(*) || '|' || min(code) || '|' || bool_or(permanent) FROM fragwatch.alert_attempts WHERE recipient LIKE '%/status/500'")"
assert_eq "500: attempts spaced by the backoff (>= 0.5 s apart)" "t" \
    "$(sql "SELECT bool_and(gap >= 0.5) FROM (SELECT extract(epoch FROM at - lag(at) OVER (ORDER BY id)) AS gap FROM fragwatch.alert_attempts WHERE recipient LIKE '%/status/500') x WHERE gap IS NOT NULL")"
assert_eq "500: the ORTO deliveries are dead (or superseded), none sent or pending" "0|1" \
    "$(sql "SELECT count(*) FILTER (WHERE state IN ('sent', 'pending')) || '|' || (bool_or(state = 'dead'))::int FROM fragwatch.alert_deliveries WHERE recipient LIKE '%/status/500'")"
fw run >"$T/after.out" 2>&1
DEAD=$(sql "SELECT count(*) FROM fragwatch.alert_deliveries WHERE state = 'dead' AND alert_id IN (SELECT id FROM fragwatch.alerts WHERE kind <> 'dead')")
assert_eq "dead letters: one ops alert per dead delivery, all sent to ops" "$DEAD|$DEAD" \
    "$(sql "SELECT count(*) || '|' || count(*) FILTER (WHERE d.state = 'sent' AND d.recipient = 'ops@example.internal') FROM fragwatch.alerts a JOIN fragwatch.alert_deliveries d ON d.alert_id = a.id WHERE a.kind = 'dead'")"
assert_match "dead letters: the ops message names the webhook host, not its path" "Undeliverable: .*ORTO" \
    "$(sql "SELECT title FROM fragwatch.alerts WHERE kind = 'dead' AND details->>'recipient' = 'http://127.0.0.1:$HOOK/...'")"

# --- no floods ----------------------------------------------------------
N=$(ls "$T/mail" | grep -c eml)
fw run >"$T/again.out" 2>&1
assert_eq "unchanged extracts: no new message" "$N" "$(ls "$T/mail" | grep -c eml)"
# A load of the same data: a warning that worsened between the sources'
# runs of the first cycle, after its first notice was written, is worse
# than what its owner was told: that one notice may come now. Not twice.
reload
fw run >"$T/reload1.out" 2>&1
N=$(ls "$T/mail" | grep -c eml)
BEFORE=$(sql "SELECT count(*) FROM fragwatch.alerts")
reload
fw run >"$T/reload.out" 2>&1
assert_eq "same data loaded again: no new alert, no new message" "$BEFORE|$N" \
    "$(sql "SELECT count(*) FROM fragwatch.alerts")|$(ls "$T/mail" | grep -c eml)"

# --- repeat interval ----------------------------------------------------
# 29 days pass for the PSYK owner's warnings (repeat_interval_days = 28).
PSYK_OPEN=$(sql "SELECT count(*) FROM fragwatch.alert_episodes WHERE area = 'PSYK' AND kind = 'warning' AND closed_at IS NULL")
sql "UPDATE fragwatch.alert_episodes SET last_notice_at = last_notice_at - interval '29 days' WHERE area = 'PSYK'" >/dev/null
PN=$(count_for psyk@example.internal)
NN=$(count_for neuro@example.internal)
reload
fw run >"$T/repeat.out" 2>&1
assert_eq "repeat: after 28 days one more message to the PSYK owner, none to NEURO's" "$((PN + 1))|$NN" \
    "$(count_for psyk@example.internal)|$(count_for neuro@example.internal)"
LAST=$(ls "$T"/mail/*.eml | tail -1)
assert_eq "repeat: it holds one 'Still trending' per open PSYK warning episode" "$PSYK_OPEN|$PSYK_OPEN" \
    "$($PY -c 'import email,re,sys; from email import policy; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=policy.default); t=m.get_body(("plain",)).get_content(); print(len(re.findall(r"^\d+\. Still trending: Vuxenpsykiatri \(PSYK\), ", t, re.M)), len(re.findall(r"^\d+\. ", t, re.M)), sep="|")' "$LAST")"
reload
fw run >"$T/repeat2.out" 2>&1
assert_eq "repeat: not again at the next load" "$((PN + 1))" "$(count_for psyk@example.internal)"

# --- CLI: alerts, resend ------------------------------------------------
fw alerts --limit 500 >"$T/alerts.out" 2>&1
# NEURO's red alerts: two attempts while the server was down, then sent.
assert_match "alerts: lists sent alerts with deliveries and attempts" "email +neuro@example.internal +sent +3 attempts" "$(cat "$T/alerts.out")"
assert_match "alerts: dead deliveries with the error, webhook URL redacted" "webhook +http://127.0.0.1:$HOOK/\.\.\. +dead +3 attempts.*HTTP 500|webhook +http://127.0.0.1:$HOOK/\.\.\. +dead +3 attempts" "$(cat "$T/alerts.out")"
assert_eq "alerts: no webhook path (token) in the listing" "0" "$(grep -c '/status/500\|/hook/psyk' "$T/alerts.out")"
NEURO_ALERT=$(sql "SELECT min(a.id) FROM fragwatch.alerts a JOIN fragwatch.alert_deliveries d ON d.alert_id = a.id WHERE d.recipient = 'neuro@example.internal'")
fw alerts --resend "$NEURO_ALERT" >"$T/resend.out" 2>&1
assert_eq "resend: one more message to neuro, with that alert alone" "$((NN + 1))|$NEURO_ALERT " \
    "$(count_for neuro@example.internal)|$(received | awk '$1 == "neuro@example.internal"' >/dev/null; $PY -c 'import email,re,sys; from email import policy; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=policy.default); print(re.search(r"^fragwatch, alerts? ([0-9 ]+)$", m.get_body(("plain",)).get_content(), re.M).group(1), end=" ")' "$(ls "$T"/mail/*.eml | tail -1)")"
"$FW" -c "$T/fw.conf" alerts --resend 999999 >/dev/null 2>&1
assert_eq "resend: an unknown alert is a usage error (exit 2)" "2" "$?"
"$FW" -c "$T/fw.conf" alerts --bogus >/dev/null 2>&1
assert_eq "alerts: a bad option is a usage error (exit 2)" "2" "$?"

# --- silences and the resolved notice after one ---------------------------
fw silence add --area NEURO --for 7d --reason "Översyn av väntelistan" --author "Åsa" >"$T/sil.out" 2>&1
assert_match "silence add: printed with author and reason" "NEURO +\(all\) .* active +Åsa: Översyn av väntelistan" "$(cat "$T/sil.out")"
SID=$(sql "SELECT max(id) FROM fragwatch.silences")
assert_eq "silence: stored with author, reason, 7 days" "NEURO||Åsa|Översyn av väntelistan|7 days" \
    "$(sql "SELECT area || '|' || coalesce(org, '') || '|' || author || '|' || reason || '|' || justify_hours(date_trunc('minute', ends_at - starts_at + interval '30 seconds')) FROM fragwatch.silences WHERE id = $SID")"
"$FW" -c "$T/fw.conf" silence add --area NOPE --for 1d --reason x >/dev/null 2>&1
assert_eq "silence add: unknown area refused (exit 2)" "2|$SID" "$?|$(sql "SELECT max(id) FROM fragwatch.silences")"
"$FW" -c "$T/fw.conf" silence add --area NEURO --until 2001-01-01 --reason x >/dev/null 2>&1
assert_eq "silence add: an end in the past refused (exit 2)" "2" "$?"
"$FW" -c "$T/fw.conf" silence add --area NEURO --for 7d >/dev/null 2>&1
assert_eq "silence add: no reason refused (exit 2)" "2" "$?"

# NEURO recovers (its thresholds now make everything green) while silenced.
NEURO_RED=$(sql "SELECT count(*) FROM fragwatch.alert_episodes WHERE area = 'NEURO' AND kind = 'status' AND closed_at IS NULL")
conf "$SMTP_UP" 1
reload
fw run >"$T/green.out" 2>&1
assert_eq "fixture: NEURO is green everywhere now" "0" "$(sql "SELECT count(*) FROM fragwatch.status_board WHERE area = 'NEURO' AND status <> 'green'")"
assert_eq "silenced: nothing to the NEURO owner" "$((NN + 1))" "$(count_for neuro@example.internal)"
assert_eq "silenced: one 'back to green' per red NEURO episode, held by the silence" "$NEURO_RED|$NEURO_RED" \
    "$(sql "SELECT count(*) || '|' || count(*) FILTER (WHERE d.silenced_by = $SID AND d.state = 'pending') FROM fragwatch.alerts a JOIN fragwatch.alert_deliveries d ON d.alert_id = a.id WHERE a.area = 'NEURO' AND a.kind = 'resolved' AND a.reason = 'back to green'")"
fw silence list >"$T/list.out" 2>&1
assert_match "silence list: the active one" "^ *$SID +NEURO" "$(cat "$T/list.out")"
fw silence expire "$SID" --author ops >"$T/expire.out" 2>&1
assert_eq "silence expire: audited (who, when)" "ops|true" "$(sql "SELECT expired_by || '|' || (expired_at IS NOT NULL) FROM fragwatch.silences WHERE id = $SID")"
"$FW" -c "$T/fw.conf" silence expire "$SID" >/dev/null 2>&1
assert_eq "silence expire: twice is an error (exit 2)" "2" "$?"
fw run >"$T/after-silence.out" 2>&1
assert_eq "after the silence: one message to the NEURO owner" "$((NN + 2))" "$(count_for neuro@example.internal)"
assert_eq "after the silence: it holds the 'Back to green' notices" "$NEURO_RED" \
    "$($PY -c 'import email,re,sys; from email import policy; m=email.message_from_binary_file(open(sys.argv[1],"rb"),policy=policy.default); t=m.get_body(("plain",)).get_content(); print(len(re.findall(r"^\d+\. Back to green: Neurologi \(NEURO\), ", t, re.M)))' "$(grep -l neuro@ "$T"/mail/*.json | tail -1 | sed 's/json$/eml/')")"
assert_eq "after the silence: nothing of NEURO pending" "0" \
    "$(sql "SELECT count(*) FROM fragwatch.alerts a JOIN fragwatch.alert_deliveries d ON d.alert_id = a.id WHERE a.area = 'NEURO' AND d.state = 'pending'")"

# --- analyst views --------------------------------------------------------
assert_eq "views: alert_log, alert_delivery_log, alert_silences readable by fragwatch_reader, documented" "3|3" \
    "$(sql "SELECT count(*) FILTER (WHERE has_table_privilege('fragwatch_reader', c.oid, 'SELECT')) || '|' || count(obj_description(c.oid)) FROM pg_class c WHERE c.relnamespace = 'fragwatch'::regnamespace AND c.relname IN ('alert_log', 'alert_delivery_log', 'alert_silences')")"
assert_eq "views: the reader cannot read the tables (webhook URLs)" "false|false" \
    "$(sql "SELECT has_table_privilege('fragwatch_reader', 'fragwatch.alert_deliveries', 'SELECT') || '|' || has_table_privilege('fragwatch_reader', 'fragwatch.alert_attempts', 'SELECT')")"
assert_eq "views: no webhook path in alert_delivery_log" "0" \
    "$(sql "SELECT count(*) FROM fragwatch.alert_delivery_log WHERE recipient LIKE '%/status/%' OR recipient LIKE '%/hook/%'")"

# --- the daemon delivers what is pending, at start ------------------------
sql "UPDATE fragwatch.alert_deliveries SET state = 'pending', attempts = 0, next_at = now(), done_at = NULL WHERE alert_id = $NEURO_ALERT" >/dev/null
NN=$(count_for neuro@example.internal)
"$FW" -c "$T/fw.conf" daemon 2>"$T/daemon.err" &
DPID=$!
for _ in $(seq 200); do [ "$(count_for neuro@example.internal)" = $((NN + 1)) ] && break; sleep 0.05; done
kill -TERM $DPID
wait $DPID
DRC=$?
assert_eq "daemon: sends the pending alert at start, stops cleanly on SIGTERM" "$((NN + 1))|0|sent" \
    "$(count_for neuro@example.internal)|$DRC|$(sql "SELECT state FROM fragwatch.alert_deliveries WHERE alert_id = $NEURO_ALERT")"
