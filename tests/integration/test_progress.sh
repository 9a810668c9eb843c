# test_progress.sh - fragwatch run on a terminal: a live progress line on stderr, rewritten in place, at most 10 a second; plain output when stderr is a file.
. "$(dirname "$0")/../lib.sh"
pg_start
http_start
X=$TOP/tests/data/extracts
cp "$X/queue_good.csv" "$T/www/"
size=$(wc -c < "$X/queue_good.csv")
rows=$(awk 'NR > 1' "$X/queue_good.csv" | wc -l)

# conf URL: the one queue source "koer".
conf() {
	cp "$TOP/tests/data/region-test.conf" "$T/"
	cat > "$T/fw.conf" <<EOC
database = { conninfo = "$CONNINFO"; state_dir = "$T/state"; };
@include "region-test.conf"
sources = ( { name = "koer"; kind = "queue"; url = "$1"; period = "week"; timeout = 30;
	format = { delimiter = ";"; decimal = ","; date_format = "%G-W%V"; };
	columns = { period = "vecka"; area = "vardomrade"; org = "forvaltning";
		waiting_total = "vantande"; waiting_over_target = "vantande_over_grans"; }; } );
EOC
}
conf "$HTTP/files/queue_good.csv"
"$FW" -c "$T/fw.conf" migrate >/dev/null

# on_tty OUT CMD: runs CMD (a shell command line) with a pseudo-terminal
# as its stdin, stdout and stderr; everything it writes there goes to OUT.
on_tty() {
	TERM=xterm script -qfec "$2" /dev/null < /dev/null > "$1"
}
# The redraws in a typescript: each "\r\033[K" starts one; one per line.
redraws() { sed 's/\x1b\[K/\n&/g' "$1" | grep -a '^'$'\x1b''\[K' | sed 's/^\x1b\[K//; s/\r$//'; }

# 100-byte chunks 0.15 s apart: each chunk is one progress update, more
# than 0.1 s after the one before, so each is drawn.
chunks=$(( (size + 99) / 100 ))
conf "$HTTP/slow/queue_good.csv?chunk=100&delay=0.15"
on_tty "$T/tty1" "'$FW' -c '$T/fw.conf' run"
rc=$(sql "SELECT count(*) FROM fragwatch.runs WHERE status = 'ok'")
assert_eq "tty: the run loads" 1 "$rc"
redraws "$T/tty1" > "$T/lines1"
n=$(grep -c 'fetching' "$T/lines1")
assert_match "tty: several redraws while fetching $chunks chunks (got $n)" "^([5-9]|[1-9][0-9]+)$" "$n"
assert_match "tty: each redraw starts with \\r\\033[K" "^0$" \
    "$(grep -a -c $'[^\r]\x1b\\[K' "$T/tty1")"
# "koer  fetching  0.0 MB  12 rows  100 rows/s  0.3 s"
line='^koer +fetching +[0-9]+\.[0-9] MB +[0-9]+ rows +[0-9]+ rows/s +[0-9]+\.[0-9] s$'
assert_eq "tty: every fetching redraw shows source, phase, MB, rows, rows/s" \
    "$n" "$(grep -E -c "$line" "$T/lines1")"
rows_seen=$(grep -E "$line" "$T/lines1" | awk '{ print $5 }' | tr '\n' ' ')
assert_match "tty: the row count grows and stays within the file's $rows" \
    "^ok" "$(echo "$rows_seen" | awk -v max="$rows" '{ for (i = 2; i <= NF; i++) if ($i < $(i - 1)) { print "shrinks: " $0; exit } if ($NF > max || $NF == 0) { print "last " $NF; exit } print "ok" }')"
# The line is never scrolled: the summary's is the one newline.
assert_eq "tty: the progress line is never scrolled" "1" "$(wc -l < "$T/tty1")"
# A new phase is shown at once, however soon after the last redraw: a
# long load must not sit under a stale "fetching".
assert_eq "tty: the phases after fetching are drawn, in order" "loading indicators" \
    "$(redraws "$T/tty1" | awk '$2 != "fetching" && $1 == "koer" && $3 ~ /MB|^[0-9]/ { print $2 }' | grep -v '^ok$' | tr '\n' ' ' | sed 's/ $//')"
assert_match "tty: loading shows the rows read" "^koer +loading +[0-9.]+ MB +$rows rows " "$(redraws "$T/tty1" | grep -a 'loading')"
# The last redraw is cleared, then comes the plain summary line.
assert_match "tty: the progress is cleared before the summary" \
    $'\x1b\\[Kkoer +ok +'"$rows"' loaded +0 rejected' "$(tr -d '\r' < "$T/tty1")"
assert_match "tty: the output ends with the summary line" \
    "^koer +ok +$rows loaded .* s +run [0-9]+$" "$(redraws "$T/tty1" | tail -1)"

# Many small chunks close together: drawn at most 10 times a second.
chunks=$(( (size + 15) / 16 ))
conf "$HTTP/slow/queue_good.csv?chunk=16&delay=0.01"
start=$(date +%s.%N)
on_tty "$T/tty2" "'$FW' -c '$T/fw.conf' run"
secs=$(echo "$start $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }')
n=$(redraws "$T/tty2" | grep -c ' fetching ')
assert_match "tty: $chunks chunks in $secs s drawn at most 10 times a second (got $n)" "^ok" \
    "$(awk -v n="$n" -v s="$secs" -v c="$chunks" 'BEGIN { print (n >= 2 && n <= 10 * s + 2 && n < c) ? "ok" : "no" }')"
assert_match "tty: ...and ends with the summary" "^koer +unchanged" "$(redraws "$T/tty2" | tail -1)"

# stderr a file, stdout the terminal: no progress in the file at all.
sql "TRUNCATE fragwatch.queue_facts" >/dev/null
sed -i 's/;101;/;102;/' "$T/www/queue_good.csv"
conf "$HTTP/slow/queue_good.csv?chunk=100&delay=0.05"
on_tty "$T/tty3" "'$FW' -c '$T/fw.conf' run 2>'$T/err3'"
assert_eq "stderr a file: nothing there, no \\r or escape" "0|0|0" \
    "$(wc -c < "$T/err3")|$(grep -c $'\r' "$T/err3")|$(grep -c $'\x1b' "$T/err3")"
assert_match "stderr a file: the summary on the terminal, no escape" \
    "^koer +ok +$rows loaded" "$(tr -d '\r' < "$T/tty3")"
assert_eq "stderr a file: the terminal has no escape sequence" "0" "$(grep -c $'\x1b' "$T/tty3")"

# Neither a terminal: the plain summary only, the exact bytes.
sed -i 's/;102;/;103;/' "$T/www/queue_good.csv"
TERM=xterm "$FW" -c "$T/fw.conf" run > "$T/out4" 2> "$T/err4"
assert_eq "no terminal: no \\r, no escape anywhere" "0|0" \
    "$(cat "$T/out4" "$T/err4" | grep -c $'\r')|$(cat "$T/out4" "$T/err4" | grep -c $'\x1b')"
assert_match "no terminal: one plain summary line" "^koer +ok +$rows loaded +0 rejected +0 skipped +[0-9.]+ s +run [0-9]+$" "$(cat "$T/out4")"
assert_eq "no terminal: exactly one line out" "1" "$(wc -l < "$T/out4")"

# A terminal that cannot do it (TERM=dumb): no progress either.
sed -i 's/;103;/;104;/' "$T/www/queue_good.csv"
TERM=dumb script -qfec "'$FW' -c '$T/fw.conf' run" /dev/null < /dev/null > "$T/tty5"
assert_eq "TERM=dumb: no escape sequence" "0" "$(grep -c $'\x1b' "$T/tty5")"
assert_match "TERM=dumb: the summary" "^koer +ok +$rows loaded" "$(tr -d '\r' < "$T/tty5")"
