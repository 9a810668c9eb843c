# test_bad_inputs.sh - the bad-input corpus (tests/data/bad/NNN-name/): each case's extract is
# served and run as the koer source after a good load, and its outcome checked against the
# case's `expect`; a refused or failed run leaves the facts as they were, a loaded one loses no row.
#
# A case directory holds:
#   input.csv    the bytes served, or
#   make-input   a bash script (run in the case directory) printing them, for large or binary input
#   source.conf  optional koer settings, one a line: each replaces the line with the same key in
#                tests/data/bad/koer.conf, or is added
#   expect       one expectation a line ("# comment" allowed):
#     outcome STATUS          the run's status: ok, ok_with_rejects, unchanged, refused, stale, failed
#     exit N                  fragwatch run's exit code
#     error REGEX             the run's error matches (grep -E)
#     warnings REGEX          the run's warnings (e.g. the retried attempts) match
#     url URL                 fetch this instead of /files/NAME.csv: a path on the test server
#                             (@FILE@ is NAME.csv) or a full URL
#     read N / loaded N       rows_read / rows_loaded
#     rejects N               rows in fragwatch.rejects for the run
#     reject LINE COLUMN RE   a reject on LINE in COLUMN ("-": none) whose reason matches RE
#     raw LINE TEXT           the reject on LINE keeps TEXT as the row's text
#     fact PERIOD AREA ORG COLUMN VALUE
#                             queue_facts' COLUMN of that key, written by this run, is VALUE
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
BAD=${BAD_CORPUS:-$TOP/tests/data/bad}   # another corpus (e.g. one case) for debugging
cp "$TOP/tests/data/region-test.conf" "$T/"

# make_conf URL [SOURCE_CONF]: $T/fw.conf with the koer source only, from
# koer.conf and the case's settings.
make_conf() {
	{
		printf 'database = { conninfo = "%s"; state_dir = "%s"; statement_timeout = 60; };\n' \
			"$CONNINFO" "$T/state"
		printf '@include "region-test.conf"\nsources = ( {\n'
		awk 'FILENAME == ARGV[1] { if ($0 !~ /^[ \t]*(#|$)/) { set[$1] = $0; order[++n] = $1 }; next }
		     /^[ \t]*(#|$)/ { next }
		     { if ($1 in set) { print set[$1]; delete set[$1] } else print }
		     END { for (i = 1; i <= n; i++) if (order[i] in set) print set[order[i]] }' \
			"${2:-/dev/null}" "$BAD/koer.conf" | sed "s|@URL@|$1|"
		printf '} );\n'
	} > "$T/fw.conf"
}

# read_expect FILE: the E_* variables from a case's expect file.
read_expect() {
	local line key val
	E_OUTCOME= E_EXIT= E_ERROR= E_WARNINGS= E_URL= E_READ= E_LOADED= E_REJECTS=
	E_REJECT=() E_RAW=() E_FACT=() E_BAD=()
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%[[:space:]]#*}
		line=${line%"${line##*[![:space:]]}"}
		case $line in '' | '#'*) continue ;; esac
		key=${line%%[[:space:]]*}
		val=${line#"$key"}
		val=${val#"${val%%[![:space:]]*}"}
		case $key in
		outcome) E_OUTCOME=$val ;;
		exit) E_EXIT=$val ;;
		error) E_ERROR=$val ;;
		warnings) E_WARNINGS=$val ;;
		url) E_URL=$val ;;
		read) E_READ=$val ;;
		loaded) E_LOADED=$val ;;
		rejects) E_REJECTS=$val ;;
		reject) E_REJECT+=("$val") ;;
		raw) E_RAW+=("$val") ;;
		fact) E_FACT+=("$val") ;;
		*) E_BAD+=("unknown expectation '$key'") ;;
		esac
	done < "$1"
	[ -n "$E_OUTCOME" ] || E_BAD+=("no outcome")
	[ -n "$E_EXIT" ] || E_BAD+=("no exit")
}

# want WHAT EXPECTED ACTUAL: notes a mismatch for the current case.
want() { [ "$2" = "$3" ] || PROBLEMS+=("$1: expected '$2', got '$3'"); }

# has_reject LINE COLUMN REGEX: the run kept such a reject.
has_reject() {
	local l c r
	while IFS=$'\t' read -r l c r; do
		[ "$l" = "$1" ] && [ "$c" = "$2" ] && printf '%s\n' "$r" | grep -Eq -- "$3" && return 0
	done <<< "$REJECTS"
	return 1
}

# Previous data: the good extract, loaded through the same source.
cp "$TOP/tests/data/extracts/queue_good.csv" "$T/www/"
make_conf "$HTTP/files/queue_good.csv"
"$FW" -c "$T/fw.conf" run koer >"$T/setup.out" 2>&1 || { not_ok "setup: the good extract loads" "$(cat "$T/setup.out")"; exit 1; }
assert_eq "setup: the good extract loads" "ok|36" "$(sql "SELECT status || '|' || rows_loaded FROM fragwatch.runs ORDER BY id DESC LIMIT 1")"

ncases=0
for dir in "$BAD"/[0-9]*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	ncases=$((ncases + 1))
	PROBLEMS=()
	read_expect "$dir/expect"
	PROBLEMS+=("${E_BAD[@]}")

	# The input, served as /files/NAME.csv; the case may fetch another URL.
	file=$name.csv
	if [ -f "$dir/make-input" ]; then
		(cd "$dir" && bash ./make-input) > "$T/www/$file" || PROBLEMS+=("make-input failed")
	elif [ -f "$dir/input.csv" ]; then
		cp "$dir/input.csv" "$T/www/$file"
	fi
	url=${E_URL:-/files/@FILE@}
	url=${url//@FILE@/$file}
	case $url in /*) url=$HTTP$url ;; esac
	if [ -f "$dir/source.conf" ]; then make_conf "$url" "$dir/source.conf"; else make_conf "$url"; fi

	before=$(facts queue_facts)
	last=$(sql "SELECT coalesce(max(id), 0) FROM fragwatch.runs")
	out=$("$FW" -c "$T/fw.conf" run koer 2>&1); rc=$?
	run=$(sql "SELECT coalesce(max(id), 0) FROM fragwatch.runs WHERE source = 'koer'")
	if [ "$run" -le "$last" ]; then
		not_ok "$name: no run recorded (exit $rc)" "$out"
		continue
	fi
	IFS=$'\x1f' read -r status error warnings rows_read rows_loaded rows_rejected rows_skipped <<< "$(sql \
		"SELECT concat_ws(E'\x1f', status, coalesce(replace(error, E'\n', ' '), ''), coalesce(replace(warnings, E'\n', ' '), ''), rows_read, rows_loaded, rows_rejected, rows_skipped) FROM fragwatch.runs WHERE id = $run")"
	REJECTS=$(sql "SELECT coalesce(line::text, '-') || E'\t' || coalesce(column_name, '-') || E'\t' || reason FROM fragwatch.rejects WHERE run_id = $run ORDER BY line")
	nrejects=$(sql "SELECT count(*) FROM fragwatch.rejects WHERE run_id = $run")

	# What the case expects.
	want "outcome" "$E_OUTCOME" "$status"
	want "exit code" "$E_EXIT" "$rc"
	[ -z "$E_ERROR" ] || printf '%s\n' "$error" | grep -Eq -- "$E_ERROR" || PROBLEMS+=("error: '$error' does not match /$E_ERROR/")
	[ -z "$E_WARNINGS" ] || printf '%s\n' "$warnings" | grep -Eq -- "$E_WARNINGS" || PROBLEMS+=("warnings: '$warnings' do not match /$E_WARNINGS/")
	[ -z "$E_READ" ] || want "rows_read" "$E_READ" "$rows_read"
	[ -z "$E_LOADED" ] || want "rows_loaded" "$E_LOADED" "$rows_loaded"
	[ -z "$E_REJECTS" ] || want "rejects kept" "$E_REJECTS" "$nrejects"
	for r in "${E_REJECT[@]}"; do
		read -r l c re <<< "$r"
		has_reject "$l" "$c" "$re" || PROBLEMS+=("no reject on line $l in column $c matching /$re/")
	done
	for x in "${E_RAW[@]}"; do
		want "the row's text kept by the reject on line ${x%% *}" "${x#* }" "$(sql "SELECT string_agg(raw, ' / ') FROM fragwatch.rejects WHERE run_id = $run AND line = ${x%% *}")"
	done
	for f in "${E_FACT[@]}"; do
		read -r p a o col v <<< "$f"
		want "fact $p $a $o $col" "$v" "$(sql "SELECT coalesce($col::text, 'NULL') FROM fragwatch.queue_facts WHERE period = '$p' AND area = '$a' AND org = '$o' AND run_id = $run")"
	done

	# What every case owes, whatever its outcome.
	summary_line=$(printf '%s\n' "$out" | grep -E "^koer +" | head -1)
	printf '%s\n' "$summary_line" | grep -Eq "^koer +$status( |$)" || PROBLEMS+=("the summary line does not say '$status': '$summary_line'")
	! printf '%s\n' "$out" | grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" || PROBLEMS+=("sanitizer report: $(printf '%s\n' "$out" | grep -Em1 "Sanitizer|runtime error:")")
	want "runs left running" 0 "$(sql "SELECT count(*) FROM fragwatch.runs WHERE status = 'running'")"
	case $status in
	refused | failed | interrupted | unchanged)
		want "facts after a run that loaded nothing" "$before" "$(facts queue_facts)"
		want "rows_loaded of a run that loaded nothing" 0 "$rows_loaded"
		[ "$status" = unchanged ] || [ -n "$error" ] || PROBLEMS+=("a $status run without an error")
		[ "$nrejects" -le 20 ] || PROBLEMS+=("$nrejects rejects kept for a $status run (at most 20)")
		;;
	ok | ok_with_rejects | stale)
		want "rows read = loaded + rejected + skipped" "$rows_read" "$((rows_loaded + rows_rejected + rows_skipped))"
		want "rejects kept = rows_rejected" "$rows_rejected" "$nrejects"
		want "facts written by the run = rows_loaded" "$rows_loaded" "$(sql "SELECT count(*) FROM fragwatch.queue_facts WHERE run_id = $run")"
		[ "$status" != ok ] || want "rows_rejected of an ok run" 0 "$rows_rejected"
		[ "$status" != ok_with_rejects ] || [ "$rows_rejected" -gt 0 ] || PROBLEMS+=("ok_with_rejects without rejects")
		;;
	esac

	summary="$status, exit $rc, read $rows_read, loaded $rows_loaded, rejected $rows_rejected${error:+: $error}${warnings:+ (warnings: $warnings)}"
	if [ ${#PROBLEMS[@]} -eq 0 ]; then
		ok "$name: $summary"
	else
		mapfile -t rejects <<< "$REJECTS"
		not_ok "$name: $summary" "${PROBLEMS[@]}" "output: $out" ${REJECTS:+"rejects (line, column, reason):" "${rejects[@]}"}
	fi
done
[ "$ncases" -ge 25 ] && ok "the corpus has $ncases cases" || not_ok "the corpus has $ncases cases, fewer than 25"
