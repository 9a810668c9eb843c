# test_packaging.sh - make install, the systemd unit (verify, security score), sysusers, tmpfiles, example config, man pages.
# Works without systemd as PID 1: systemd-analyze verify/security --offline,
# systemd-sysusers --root and systemd-tmpfiles --root all work on files.
. "$(dirname "$0")/../lib.sh"
R=$T/root
# The build that make check made; -o: install it as it is, never rebuild.
B=$(dirname "${FW_PLAIN:-$FW}")
minst() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" -o "$B/fragwatch" \
	    BUILD="$B" install "$@"
}

# --- make install ---------------------------------------------------------
out=$(minst DESTDIR="$R" PREFIX=/usr 2>&1); rc=$?
assert_eq "install: make install DESTDIR PREFIX=/usr exits 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" | sed 's/^/#   /'
missing=""
for f in usr/bin/fragwatch usr/lib/systemd/system/fragwatch.service \
    usr/lib/sysusers.d/fragwatch.conf usr/lib/tmpfiles.d/fragwatch.conf \
    etc/fragwatch/fragwatch.conf.example usr/share/man/man8/fragwatch.8 \
    usr/share/man/man5/fragwatch.conf.5; do
	[ -f "$R/$f" ] || missing="$missing $f"
done
assert_eq "install: binary, unit, sysusers, tmpfiles, example, man pages in place" "" "$missing"
assert_eq "install: the binary is executable, the rest is 0644" "755 644 644 644 644 644" \
    "$(cd "$R" && stat -c %a usr/bin/fragwatch usr/lib/systemd/system/fragwatch.service \
    usr/lib/sysusers.d/fragwatch.conf etc/fragwatch/fragwatch.conf.example \
    usr/share/man/man8/fragwatch.8 usr/share/man/man5/fragwatch.conf.5 2>&1 | tr '\n' ' ' | sed 's/ $//')"
assert_eq "install: the installed binary is the build's" "$(cmp -s "$B/fragwatch" "$R/usr/bin/fragwatch" && echo same)" "same"
assert_eq "install: no real config is installed (only the example)" "absent" \
    "$([ -e "$R/etc/fragwatch/fragwatch.conf" ] && echo present || echo absent)"
U=$R/usr/lib/systemd/system/fragwatch.service
assert_eq "install: no @PLACEHOLDER@ left in the unit" "0" "$(grep -c '@[A-Z]*@' "$U")"
assert_eq "install: ExecStart from PREFIX and SYSCONFDIR" \
    "ExecStart=/usr/bin/fragwatch -c /etc/fragwatch/fragwatch.conf daemon" "$(grep '^ExecStart=' "$U")"
assert_eq "install: credentials from SYSCONFDIR" \
    "LoadCredential=db-password:/etc/fragwatch/db-password LoadCredential=smtp-password:/etc/fragwatch/smtp-password" \
    "$(grep '^LoadCredential=' "$U" | tr '\n' ' ' | sed 's/ $//')"
out=$(minst DESTDIR="$T/root2" PREFIX=/opt/fw SYSCONFDIR=/opt/fw/etc 2>&1)
assert_eq "install: another PREFIX and SYSCONFDIR land in the unit" \
    "ExecStart=/opt/fw/bin/fragwatch -c /opt/fw/etc/fragwatch/fragwatch.conf daemon|yes|yes" \
    "$(grep '^ExecStart=' "$T/root2/opt/fw/lib/systemd/system/fragwatch.service")|$([ -x "$T/root2/opt/fw/bin/fragwatch" ] && echo yes)|$([ -f "$T/root2/opt/fw/share/man/man8/fragwatch.8" ] && echo yes)"
assert_match "install: the installed binary runs" "^fragwatch " "$("$R/usr/bin/fragwatch" version 2>&1)"

# --- the unit -------------------------------------------------------------
# verify checks every ExecStart binary exists on this host: point a copy of
# the unit at the binary in DESTDIR (the only change), and let man(1) find
# the installed pages for Documentation=.
sed "s|^ExecStart=/usr/bin/|ExecStart=$R/usr/bin/|" "$U" > "$T/fragwatch.service"
out=$(MANPATH=$R/usr/share/man systemd-analyze verify "$T/fragwatch.service" 2>&1); rc=$?
assert_eq "unit: systemd-analyze verify is silent and exits 0" "0|" "$rc|$out"
# It must be able to fail: a misspelt directive and a missing binary.
sed 's/^ProtectSystem=/ProtectSytem=/' "$T/fragwatch.service" > "$T/typo.service"
out=$(MANPATH=$R/usr/share/man systemd-analyze verify "$T/typo.service" 2>&1)
assert_match "unit: verify catches a misspelt directive (control)" "Unknown key( name)? '?ProtectSytem" "$out"
out=$(MANPATH=$R/usr/share/man systemd-analyze verify "$U" 2>&1)
assert_match "unit: verify catches a missing binary (control)" "/usr/bin/fragwatch is not executable" "$out"

# The exposure score, offline (no systemd needed); target 2.0 or lower.
exposure() {
	systemd-analyze security --offline=yes --no-pager "$1" 2>&1 |
	    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
score=$(exposure "$U")
echo "# exposure: systemd-analyze security --offline=yes fragwatch.service: ${score:-none}"
assert_eq "unit: systemd-analyze security exposure <= 2.0 (got ${score:-none})" "yes" \
    "$(awk -v s="${score:-99}" 'BEGIN { print (s != "" && s + 0 <= 2.0) ? "yes" : "no" }')"
# Control: the same unit without its sandboxing section scores far worse, so
# the score above is read from the right line and earned by the hardening.
sed '/^# Sandboxing/,/^\[Install\]/{/^\[Install\]/!d}' "$U" > "$T/bare.service"
bare=$(exposure "$T/bare.service")
assert_eq "unit: without the sandboxing it scores above 5 (control, got ${bare:-none})" "yes" \
    "$(awk -v s="${bare:-0}" 'BEGIN { print (s + 0 > 5.0) ? "yes" : "no" }')"
# What the daemon's design relies on.
for want in Type=notify NotifyAccess=main WatchdogSec= Restart=on-failure \
    KillMode=mixed User=fragwatch StateDirectory=fragwatch \
    ConfigurationDirectory=fragwatch 'ExecReload=/bin/kill -HUP $MAINPID'; do
	assert_eq "unit: $want" "1" "$(grep -c "^$want" "$U")"
done
assert_eq "unit: the user is the one sysusers creates" \
    "$(awk '$1 == "u" { print $2 }' "$R/usr/lib/sysusers.d/fragwatch.conf")" \
    "$(sed -n 's/^User=//p' "$U")"

# --- sysusers and tmpfiles, offline on the DESTDIR -----------------------
# (as root, as in CI: tmpfiles must chown to the new user)
if [ "$(id -u)" = 0 ]; then
	out=$(systemd-sysusers --root="$R" 2>&1); rc=$?
	assert_eq "sysusers: accepted (exit 0)" 0 "$rc"
	pw=$(grep '^fragwatch:' "$R/etc/passwd")
	assert_match "sysusers: system user fragwatch, home the state dir, no login" \
	    "^fragwatch:x:[0-9]+:[0-9]+:fragwatch daemon:/var/lib/fragwatch:/usr/sbin/nologin$" "$pw"
	uid=$(echo "$pw" | cut -d: -f3)
	gid=$(grep '^fragwatch:' "$R/etc/group" | cut -d: -f3)
	assert_eq "sysusers: a system uid (below 1000)" "yes" "$([ -n "$uid" ] && [ "$uid" -lt 1000 ] && echo yes)"
	out=$(systemd-tmpfiles --root="$R" --create 2>&1); rc=$?
	assert_eq "tmpfiles: accepted (exit 0, no warnings)" "0|" "$rc|$out"
	assert_eq "tmpfiles: state dir 0750 fragwatch" "750 $uid $gid" "$(stat -c '%a %u %g' "$R/var/lib/fragwatch")"
	assert_eq "tmpfiles: empty credential files 0600 root" "600 0 0 0|600 0 0 0" \
	    "$(stat -c '%a %u %g %s' "$R/etc/fragwatch/db-password")|$(stat -c '%a %u %g %s' "$R/etc/fragwatch/smtp-password")"
	# A real config gets 0640 root:fragwatch; a password already there is left alone.
	cp "$R/etc/fragwatch/fragwatch.conf.example" "$R/etc/fragwatch/fragwatch.conf"
	chmod 0644 "$R/etc/fragwatch/fragwatch.conf"
	printf 's3cret\n' > "$R/etc/fragwatch/db-password"
	chmod 0640 "$R/etc/fragwatch/db-password"
	systemd-tmpfiles --root="$R" --create >/dev/null 2>&1
	assert_eq "tmpfiles: the config becomes 0640 root:fragwatch" "640 0 $gid" "$(stat -c '%a %u %g' "$R/etc/fragwatch/fragwatch.conf")"
	assert_eq "tmpfiles: an existing password keeps its content and mode" "640|s3cret" \
	    "$(stat -c %a "$R/etc/fragwatch/db-password")|$(cat "$R/etc/fragwatch/db-password")"

else
	echo "# not root: systemd-sysusers/-tmpfiles --root checks skipped"
fi

# --- the example configuration -------------------------------------------
EX=$TOP/etc/fragwatch.conf
# Keys this binary's parser may not know yet (issue 5, 6, 7, 8): whole
# top-level groups, and two keys of a source.
NEWGROUPS='daemon|early_warning|alerts|report'
NEWKEYS='schedule|backfill_url'
strip_new() {
	awk -v g="^($NEWGROUPS) = [{]" -v k="^[ \t]*#?($NEWKEYS)[ \t]*=" '
	    $0 ~ g { skip = 1 } skip { if ($0 == "};") skip = 0; next }
	    $0 ~ k { next } { print }' "$1"
}
only_new_keys_unknown() {
	printf '%s\n' "$1" | grep -v "^fragwatch: [0-9]* errors\? in " |
	    grep -Evq "unknown key '($NEWGROUPS)' in the top level|unknown key '($NEWKEYS)' in source"
	[ $? = 1 ]
}
# Every "#key = default;" line uncommented: each documented default is a
# real key with a valid value.
sed -E 's/^([[:space:]]*)#([^[:space:]#])/\1\2/' "$EX" > "$T/uncommented.conf"
assert_eq "example: uncommenting changes many lines (the convention holds)" "yes" \
    "$([ "$(diff "$EX" "$T/uncommented.conf" | grep -c '^>')" -gt 50 ] && echo yes)"
for variant in "$EX" "$T/uncommented.conf"; do
	name=$([ "$variant" = "$EX" ] && echo "as shipped" || echo "every default uncommented")
	out=$("$FW" check-config "$variant" 2>&1); rc=$?
	if [ "$rc" = 0 ]; then
		ok "example ($name): check-config accepts it, new keys included"
	elif only_new_keys_unknown "$out"; then
		# TODO(lead): once conf.c knows daemon, early_warning, alerts,
		# report, schedule and backfill_url, the branch above is taken and
		# the whole file is checked; nothing to change here.
		echo "# TODO: this binary does not know the new keys yet; checking the example without them"
		strip_new "$variant" > "$T/stripped.conf"
		out=$("$FW" check-config "$T/stripped.conf" 2>&1); rc=$?
		assert_eq "example ($name, new keys stripped): check-config exits 0" "0" "$rc"
		[ "$rc" = 0 ] || echo "$out" | sed 's/^/#   /'
	else
		not_ok "example ($name): check-config" "$out"
	fi
done
assert_eq "example: 4 sources, 3 areas, 2 organisations" "yes" \
    "$(strip_new "$EX" > "$T/s.conf"; "$FW" check-config "$T/s.conf" 2>&1 | grep -q 'ok (3 areas, 2 organisations, 4 sources)' && echo yes)"
# Every key the parser knows (the *keys[] tables of daemon/conf.c, so a key
# added there must be documented) is in the example and in fragwatch.conf(5).
keys=$(tr '\n' ' ' < "$TOP/daemon/conf.c" | grep -o '[a-z_]*keys\[\] = {[^}]*}' |
    grep -o '"[^"]*"' | tr -d '"' | sort -u)
assert_eq "example: the key tables of conf.c were found" "yes" \
    "$([ "$(echo "$keys" | wc -w)" -gt 60 ] && echo yes)"
notex="" notman=""
for k in $keys; do
	grep -Eq "(^[[:space:]]*#?|[{;][[:space:]]*)$k[[:space:]]*=" "$EX" || notex="$notex $k"
	grep -Eq "^\.BR? (.*\", \" )?$k([ \"]|$)" "$TOP/man/fragwatch.conf.5" || notman="$notman $k"
done
assert_eq "example: every key of conf.c appears as a setting" "" "$notex"
assert_eq "fragwatch.conf(5): every key of conf.c is documented" "" "$notman"
# The new keys (CONFIG.md) are in both already, whether conf.c knows them or not.
notex="" notman=""
for k in daemon early_warning alerts report schedule backfill_url run_timeout \
    late_after retry_base retry_cap allow_root horizon_weeks horizon_months \
    persistence run_length baseline_min baseline_max ewma_lambda ewma_L \
    trend_min trend_max mk_alpha smtp url from username password_file \
    starttls ca_file timeout repeat_interval_days max_attempts max_age_hours \
    quiet_hours ops owners email webhooks path; do
	grep -Eq "(^[[:space:]]*#?|[{;][[:space:]]*)$k[[:space:]]*=" "$EX" || notex="$notex $k"
	grep -Eq "^\.BR? (.*\", \" )?$k([ \"]|$)" "$TOP/man/fragwatch.conf.5" || notman="$notman $k"
done
assert_eq "example: every new key appears as a setting" "" "$notex"
assert_eq "fragwatch.conf(5): every new key is documented" "" "$notman"

# --- man pages ------------------------------------------------------------
for m in fragwatch.8 fragwatch.conf.5; do
	out=$(groff -man -ww -z "$TOP/man/$m" 2>&1); rc=$?
	assert_eq "man: $m lints clean (groff -man -ww -z)" "0|" "$rc|$out"
	if command -v mandoc >/dev/null; then
		out=$(mandoc -Tlint -Wwarning "$TOP/man/$m" 2>&1); rc=$?
		assert_eq "man: $m lints clean (mandoc -Tlint)" "0|" "$rc|$out"
	fi
done
printf '.TH X 8\n.SH NAME\n.BX bad\n.TP\n' > "$T/bad.8"
assert_match "man: the lint reports a bad macro (control)" "macro 'BX' not defined" \
    "$(groff -man -ww -z "$T/bad.8" 2>&1)"
# Every command of main.c's table, and those of the daemon's issues, is a
# tag in fragwatch(8) (a line of its own after .TP or .TQ).
cmds=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", \(cmd_[a-z_]*\|NULL\), .*/\1/p' "$TOP/daemon/main.c")
assert_eq "man: the command table of main.c was found" "yes" "$(echo "$cmds" | grep -qx run && echo yes)"
tags=$(awk 'p { print; p = 0 } /^\.T[PQ]/ { p = 1 }' "$TOP/man/fragwatch.8" | sed 's/\\f[BIR]//g; s/\\-/-/g; s/^\.B[IR]* //; s/"//g')
undoc=""
for c in $cmds run daemon backfill status backtest report export alerts silence migrate check-config version; do
	echo "$tags" | grep -Eq "^$c( |$)" || undoc="$undoc $c"
done
assert_eq "man: fragwatch(8) documents every command" "" "$undoc"
for sect in SYNOPSIS OPTIONS COMMANDS SIGNALS "EXIT STATUS" ENVIRONMENT FILES JOURNAL "SEE ALSO"; do
	grep -q "^\.SH \"*$sect\"*$" "$TOP/man/fragwatch.8" || undoc="$undoc [$sect]"
done
for v in FRAGWATCH_CONF FRAGWATCH_STATE_DIR CREDENTIALS_DIRECTORY NOTIFY_SOCKET WATCHDOG_USEC JOURNAL_STREAM SIGHUP SIGTERM; do
	grep -Eq "^\.BR? $v( |$)" "$TOP/man/fragwatch.8" || undoc="$undoc $v"
done
for c in 0 1 2 3 4; do
	awk '/^\.SH EXIT STATUS/ { s = 1; next } /^\.SH/ { s = 0 } s' "$TOP/man/fragwatch.8" |
	    grep -qx "\.B $c" || undoc="$undoc exit$c"
done
assert_eq "man: sections, environment, signals and exit codes 0-4 documented" "" "$undoc"
