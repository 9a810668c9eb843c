# test_delivery.sh - e-mail (STARTTLS, AUTH, smtps, refusals) and webhooks (status codes, timeouts) against real servers on 127.0.0.1.
. "$(dirname "$0")/../lib.sh"
FWD=$(dirname "$FW")/tests/tools/fwdeliver
SERVERS=""
trap 'for p in $SERVERS; do kill "$p" 2>/dev/null; done; cleanup' EXIT

# A self-signed certificate for 127.0.0.1; the client trusts it through --ca-file.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || { echo "openssl req failed"; exit 1; }
PASSWORD='v3ry s3cret pässwörd'
printf '%s\n' "$PASSWORD" > "$T/pw"
printf 'Wr0ngPa55\n' > "$T/badpw"

# smtp_start NAME [smtpd.py options]: a server spooling to $T/NAME; sets PORT.
smtp_start() {
	name=$1; shift
	/usr/bin/python3 "$TOP/tests/tools/smtpd.py" --spool "$T/$name" \
	    --port-file "$T/$name.port" "$@" >"$T/$name.log" 2>&1 &
	SERVERS="$SERVERS $!"
	for _ in $(seq 100); do [ -s "$T/$name.port" ] && break; sleep 0.05; done
	PORT=$(cat "$T/$name.port")
}
TLS="--tls-cert $T/cert.pem --tls-key $T/key.pem"
AUTH="--auth anna:$T/pw"

FROM='fragwatch <fragwatch@example.internal>'
TO='Åsa Öberg <asa.oberg@example.internal>'
SUBJECT='Tidig varning: Neurologi (SU) – kön växer, röd om ~6 veckor – ÅÄÖ åäö'
printf 'Hej Åsa!\n\nKön för Neurologi på SU växer: 412 väntande, 31 %% över vårdgarantin.\n.\nFrom: en rad som ser ut som en rubrik\nSlut.\n' > "$T/text"
printf '<html><body><p>Kön för <b>Neurologi</b> växer – ÅÄÖ.</p>\n<table><tr><td>Q1</td><td>0,69</td></tr></table></body></html>\n' > "$T/html"

# mail OUT_PREFIX PORT [fwdeliver options]: sends the message above.
mail() {
	out=$1; port=$2; shift 2
	"$FWD" mail --url "smtp://127.0.0.1:$port" --from "$FROM" --to "$TO" \
	    --subject "$SUBJECT" --text-file "$T/text" --html-file "$T/html" \
	    --key "alert:NEURO:SU:2024-W07" --ca-file "$T/cert.pem" --timeout 10 \
	    --save "$T/$out.sent" "$@" >"$T/$out.out" 2>&1
	echo $? >"$T/$out.rc"
}
outcome() { echo "$(cat "$T/$1.rc")|$(sed -n 's/^outcome=\([a-z]*\) rc=\(-*[0-9]*\) code=\([0-9]*\).*/\1|\2|\3/p' "$T/$1.out")"; }

# check_message FILE: the saved message parsed back with Python's email package.
check_message() {
	/usr/bin/python3 - "$1" "$SUBJECT" "$T/text" "$T/html" <<'EOF'
import sys, email
from email import policy
path, subject, textf, htmlf = sys.argv[1:5]
m = email.message_from_binary_file(open(path, "rb"), policy=policy.default)
want_text = open(textf, encoding="utf-8").read()
want_html = open(htmlf, encoding="utf-8").read()
problems = []
def check(what, want, got):
    if want != got:
        problems.append(f"{what}: want {want!r}, got {got!r}")
check("subject", subject, str(m["Subject"]))
check("from", "fragwatch@example.internal", m["From"].addresses[0].addr_spec)
check("to", "asa.oberg@example.internal", m["To"].addresses[0].addr_spec)
check("to name", "Åsa Öberg", m["To"].addresses[0].display_name)
check("type", "multipart/alternative", m.get_content_type())
parts = list(m.iter_parts())
check("parts", ["text/plain", "text/html"], [p.get_content_type() for p in parts])
check("charsets", ["utf-8", "utf-8"], [p.get_content_charset() for p in parts])
norm = lambda s: s.replace("\r\n", "\n")
check("text", want_text, norm(parts[0].get_content()))
check("html", want_html, norm(parts[1].get_content()))
check("auto-submitted", "auto-generated", str(m["Auto-Submitted"]))
raw = open(path, "rb").read()
lines = raw.split(b"\r\n")
check("bare LF or CR", 0, sum(1 for l in lines if b"\n" in l or b"\r" in l))
check("lines over 78", [], [l for l in lines if len(l) > 78])
print("; ".join(problems) if problems else "ok")
EOF
}
msgid() { sed -n 's/^Message-ID: //p' "$1" | tr -d '\r'; }
meta() { /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print("|".join(str(m[k]) for k in sys.argv[2:]))' "$@"; }

# --- SMTP --------------------------------------------------------------

# STARTTLS required by the server, AUTH PLAIN after it.
smtp_start tls $TLS $AUTH --reject nobody@example.internal --defer later@example.internal
TLSPORT=$PORT
mail plain_auth "$TLSPORT" --user anna --password-file "$T/pw"
assert_eq "smtp: STARTTLS + AUTH PLAIN: sent (exit 0, 250)" "0|sent|0|250" "$(outcome plain_auth)"
assert_match "smtp: the server's reply is recorded" 'response="250 OK queued as fw001"' "$(cat "$T/plain_auth.out")"
assert_eq "smtp: envelope, TLS and AUTH as the server saw them" \
    "fragwatch@example.internal|['asa.oberg@example.internal']|True|PLAIN|anna" \
    "$(meta "$T/tls/001.json" mail_from rcpt_tos tls auth_mechanism auth_user)"
assert_eq "smtp: message parsed back (subject, from, to, parts, UTF-8 åäö, CRLF, ≤ 78)" "ok" "$(check_message "$T/tls/001.eml")"
if cmp -s "$T/plain_auth.sent" "$T/tls/001.eml"; then ok "smtp: the server received the formatted bytes exactly (dot-stuffing undone)"
else not_ok "smtp: the server received the formatted bytes exactly" "$(diff "$T/plain_auth.sent" "$T/tls/001.eml" | head -5)"; fi

# A resend of the same alert has the same Message-ID; another alert another one.
mail resend "$TLSPORT" --user anna --password-file "$T/pw"
assert_eq "smtp: a resend carries the same Message-ID" "$(msgid "$T/tls/001.eml")" "$(msgid "$T/tls/002.eml")"
"$FWD" mail --url "smtp://127.0.0.1:$TLSPORT" --from "$FROM" --to "$TO" --subject "x" \
    --text-file "$T/text" --key "alert:NEURO:SU:2024-W08" --ca-file "$T/cert.pem" \
    --user anna --password-file "$T/pw" >"$T/other.out" 2>&1
id3=$(msgid "$T/tls/003.eml")
if [ -n "$id3" ] && [ "$id3" != "$(msgid "$T/tls/001.eml")" ]; then ok "smtp: another key, another Message-ID"
else not_ok "smtp: another key, another Message-ID" "$id3"; fi

# AUTH LOGIN when the server offers only that.
smtp_start login $TLS $AUTH --auth-mechs LOGIN
mail login "$PORT" --user anna --password-file "$T/pw"
assert_eq "smtp: AUTH LOGIN: sent" "0|sent|0|250|LOGIN|True" "$(outcome login)|$(meta "$T/login/001.json" auth_mechanism tls)"

# A wrong password: refused, transient (the config's problem, not the message's); no secret shown.
mail badpw "$TLSPORT" --user anna --password-file "$T/badpw"
assert_eq "smtp: wrong password: transient, -EACCES, 535" "1|transient|-13|535" "$(outcome badpw)"
assert_eq "smtp: no password in the tool's output" "0" "$(cat "$T"/*.out | grep -c -e "$PASSWORD" -e Wr0ngPa55)"

# The recipient rejected with 550: permanent, the server's text kept.
TO='nobody@example.internal' mail rejected "$TLSPORT" --user anna --password-file "$T/pw"
assert_eq "smtp: 550 recipient: permanent, -EREMOTEIO, 550" "2|permanent|-121|550" "$(outcome rejected)"
assert_match "smtp: 550: the server's text is recorded" 'response="550 5.1.1 <nobody@example.internal>: Recipient address rejected: User unknown' "$(cat "$T/rejected.out")"
TO='later@example.internal' mail deferred "$TLSPORT" --user anna --password-file "$T/pw"
assert_eq "smtp: 451 recipient: transient" "1|transient|-121|451" "$(outcome deferred)"
assert_eq "smtp: nothing delivered for refused recipients" "3" "$(ls "$T/tls"/*.eml | wc -l)"

# No AUTH when the server requires it: 530 to MAIL FROM is the server's policy, transient.
mail noauth "$TLSPORT"
assert_eq "smtp: AUTH required but none given: transient 530" "1|transient|-121|530" "$(outcome noauth)"

# The certificate is verified: without the CA file the session fails.
"$FWD" mail --url "smtp://127.0.0.1:$TLSPORT" --from "$FROM" --to "$TO" --subject x \
    --text-file "$T/text" --key k --user anna --password-file "$T/pw" >"$T/noca.out" 2>&1
echo $? > "$T/noca.rc"
assert_eq "smtp: an untrusted certificate fails (transient, -EPROTO)" "1|transient|-71|" "$(outcome noca | sed 's/|[0-9]*$/|/')"

# Implicit TLS (smtps://).
smtp_start smtps $TLS $AUTH --implicit-tls
"$FWD" mail --url "smtps://127.0.0.1:$PORT" --from "$FROM" --to "$TO" --subject "$SUBJECT" \
    --text-file "$T/text" --html-file "$T/html" --key k --ca-file "$T/cert.pem" \
    --user anna --password-file "$T/pw" >"$T/smtps.out" 2>&1
echo $? > "$T/smtps.rc"
assert_eq "smtps: implicit TLS + AUTH: sent" "0|sent|0|250|True" "$(outcome smtps)|$(meta "$T/smtps/001.json" tls)"
assert_eq "smtps: message parsed back" "ok" "$(check_message "$T/smtps/001.eml")"

# A server without STARTTLS: refused unless starttls = false.
smtp_start plain
mail nostarttls "$PORT"
assert_eq "smtp: STARTTLS required, not offered: refused after EHLO (transient, -EPROTO), nothing sent" \
    "1|transient|-71|250|0" "$(outcome nostarttls)|$(ls "$T/plain" | grep -c eml)"
mail starttls_off "$PORT" --no-starttls
assert_eq "smtp: starttls = false on a plain server: sent without TLS" "0|sent|0|250|False" "$(outcome starttls_off)|$(meta "$T/plain/001.json" tls)"
assert_eq "smtp: plain: message parsed back" "ok" "$(check_message "$T/plain/001.eml")"
mail cleartext_pw "$PORT" --no-starttls --user anna --password-file "$T/pw"
assert_eq "smtp: a password is never sent without TLS (-EINVAL, not sent)" "1|transient|-22|0|1" \
    "$(outcome cleartext_pw)|$(ls "$T/plain" | grep -c eml)"

# Server down: connection refused, transient. A silent server: timeout, transient.
mail down 1 --no-starttls
assert_eq "smtp: server down: transient, -ECONNREFUSED" "1|transient|-111|0" "$(outcome down)"
smtp_start stall --stall
start=$(date +%s)
mail stall "$PORT" --timeout 2
took=$(( $(date +%s) - start ))
assert_eq "smtp: a silent server times out: transient, -ETIMEDOUT" "1|transient|-110|0" "$(outcome stall)"
assert_eq "smtp: the timeout is kept (2 s, < 5 s)" "1" "$(( took >= 1 && took < 5 ))"

# Bad input never leaves the machine: header injection and bad addresses.
"$FWD" mail --url "smtp://127.0.0.1:$TLSPORT" --from "$FROM" --to "$TO" \
    --subject "$(printf 'Hej\r\nBcc: victim@example.org')" --text-file "$T/text" --key k >"$T/inject.out" 2>&1
assert_eq "smtp: CR/LF in the subject is refused before sending" "64" "$?"
"$FWD" mail --url "smtp://127.0.0.1:$TLSPORT" --from "$FROM" --to "$(printf 'a@b.se\nBcc: victim@example.org')" \
    --subject x --text-file "$T/text" --key k >"$T/inject2.out" 2>&1
assert_eq "smtp: LF in the recipient is refused before sending" "64" "$?"
assert_eq "smtp: the servers got no injected message" "0" "$(cat "$T"/*/*.eml | grep -c 'victim@')"

# --- webhooks ----------------------------------------------------------

/usr/bin/python3 "$TOP/tests/tools/hookd.py" --spool "$T/hooks" --port-file "$T/hookd.port" >"$T/hookd.log" 2>&1 &
SERVERS="$SERVERS $!"
for _ in $(seq 100); do [ -s "$T/hookd.port" ] && break; sleep 0.05; done
HOOK="http://127.0.0.1:$(cat "$T/hookd.port")"
TEXT=$(printf '*Tidig varning:* Neurologi (SU) – kön växer.\nQ1 0,69 "under målet" \\ röd om ~6 veckor. ÅÄÖ')
EXTRA='{"fragwatch":{"area":"NEURO","area_name":"Neurologi","org":"SU","indicator":"Q1","status":"yellow","value":0.69,"periods_to_red":6,"view":"fragwatch.indicator_series"}}'
printf 'hook-t0ken\n' > "$T/token"

# hook NAME URL [options]
hook() {
	name=$1; url=$2; shift 2
	"$FWD" webhook --url "$url" --text "$TEXT" --extra "$EXTRA" --timeout 10 "$@" >"$T/$name.out" 2>&1
	echo $? >"$T/$name.rc"
}
hook ok "$HOOK/auth/chat?bearer=hook-t0ken" --token-file "$T/token" --key "alert:NEURO:SU:2024-W07"
assert_eq "webhook: 200 delivered (exit 0)" "0|sent|0|200" "$(outcome ok)"
assert_eq "webhook: JSON parsed back: text and fields exact, åäö intact" "ok" "$(/usr/bin/python3 - "$T/hooks/chat.1.json" "$TEXT" "$EXTRA" <<'EOF'
import json, sys
raw = open(sys.argv[1], "rb").read()
got = json.loads(raw.decode("utf-8"))
want = {"text": sys.argv[2], **json.loads(sys.argv[3])}
print("ok" if got == want and "ÅÄÖ".encode() in raw else f"want {want!r}, got {got!r}")
EOF
)"
assert_eq "webhook: headers: JSON, bearer token, Idempotency-Key" \
    "application/json|Bearer hook-t0ken|alert:NEURO:SU:2024-W07" "$(meta "$T/hooks/chat.1.headers" Content-Type Authorization Idempotency-Key)"
hook badtoken "$HOOK/auth/chat?bearer=other" --token-file "$T/token"
assert_eq "webhook: 401 (wrong token): permanent" "2|permanent|-121|401" "$(outcome badtoken)"
assert_eq "webhook: no token in the tool's output" "0" "$(cat "$T"/*.out | grep -c t0ken)"
hook e500 "$HOOK/status/500"
assert_eq "webhook: 500: transient with the code" "1|transient|-121|500" "$(outcome e500)"
assert_match "webhook: 500: the response body is recorded" 'response="500 Internal Server Error ?"' "$(cat "$T/e500.out")"
hook e400 "$HOOK/status/400?body=invalid_payload"
assert_eq "webhook: 400: permanent" "2|permanent|-121|400" "$(outcome e400)"
assert_match "webhook: 400: the response body is recorded" 'response="invalid_payload"' "$(cat "$T/e400.out")"
hook e429 "$HOOK/status/429"
assert_eq "webhook: 429: transient" "1|transient|-121|429" "$(outcome e429)"
hook long "$HOOK/status/503?body=x%C3%A5&repeat=100"
assert_eq "webhook: a long response is cut at 200 bytes (a cut character shown as ?)" \
    "$(printf 'xå%.0s' $(seq 66))x?" "$(sed -n 's/.*response="\([^"]*\)".*/\1/p' "$T/long.out")"
start=$(date +%s)
hook slow "$HOOK/slow?delay=5" --timeout 1
took=$(( $(date +%s) - start ))
assert_eq "webhook: a slow receiver times out: transient, -ETIMEDOUT" "1|transient|-110|0" "$(outcome slow)"
assert_eq "webhook: the timeout is kept (1 s, < 4 s)" "1" "$(( took < 4 ))"
hook down "http://127.0.0.1:1/hook/x"
assert_eq "webhook: receiver down: transient, -ECONNREFUSED" "1|transient|-111|0" "$(outcome down)"
hook scheme "ftp://127.0.0.1/x"
assert_eq "webhook: a URL that is not http(s): permanent, -EINVAL" "2|permanent|-22|0" "$(outcome scheme)"
