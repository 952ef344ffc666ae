#!/bin/sh
# prune.sh — retention thins old samples, keeps every change that matters, and says what it did.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
printf 'database = "history.db"\ndrive "sda" { blob = "sda.blob" }\n' >"$T/w.conf"
sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$T/history.db" "$1"
}

# six days of hourly samples; pending sectors appear once, in the middle of day 2
start=1795000000
i=0
while [ $i -lt 144 ]; do
	[ $i -eq 40 ] && "$WG_BLOB" set "$T/sda.blob" 197 raw=2
	WEARGATE_NOW=$((start + i * 3600)) "$WEARGATE_PLAIN" -c "$T/w.conf" sample -q || fail "sample $i"
	i=$((i + 1))
done
now=$((start + 144 * 3600))

# nothing to go by: no --older-than, no retention in the config
WEARGATE_NOW=$now run 64 "$W" -c "$T/w.conf" prune
contains "$T/err" "how old? give --older-than, or retention { keep_full }"
WEARGATE_NOW=$now run 64 "$W" -c "$T/w.conf" prune --older-than soon
contains "$T/err" "--older-than 'soon' is not a duration"

mkdir "$T/copy" && cp "$T/w.conf" "$T/sda.blob" "$T/copy/" &&
	python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("VACUUM INTO ?", (sys.argv[2],))' \
		"$T/history.db" "$T/copy/history.db" || fail "copy the history"
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" prune --older-than 1d
grep -Eq '^thinned [0-9]+ of the [0-9]+ samples older than .* to one per 24h and every change$' "$T/out" ||
	fail "prune said: $(cat "$T/out")"
removed=$(sed 's/^thinned \([0-9]*\) .*/\1/' "$T/out")
samples=$(sed 's/^thinned [0-9]* of the \([0-9]*\) .*/\1/' "$T/out")
[ "$removed" -gt 50 ] || fail "only $removed samples thinned"
[ "$(sql 'SELECT count(*) FROM pragma_integrity_check WHERE integrity_check = "ok"')" = 1 ] || fail "integrity"
# the sample where pending sectors appeared is still there, as are the last day's
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" history sda --attr 197 --since 7d --buckets 0 --format csv
grep -q "$(date -u -d @$((start + 40 * 3600)) +%Y-%m-%dT%H:%M:%SZ),2" "$T/out" ||
	fail "the first sample with pending sectors was thinned away: $(cat "$T/out")"
[ "$(grep -c "^sda,$(date -u -d @$((now - 3600)) +%Y-%m-%d)" "$T/out")" -ge 1 ] || fail "recent samples are missing"
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" status --json
json 'j["drives"][0]["pending_sectors"] == 2'
# --json: the same facts as the line, from the same history (a copy taken before)
WEARGATE_NOW=$now run 0 "$W" -c "$T/copy/w.conf" prune --older-than 1d --json
json 'j["removed"] == '"$removed"' and j["samples"] == '"$samples"' and j["thin_to"] == 86400'
json 'j["older_than"] == "'"$(date -u -d @$((now - 86400)) +%Y-%m-%dT%H:%M:%SZ)"'"'

# retention in the config, done by run at its end
printf 'export = "%s/weargate.prom"\nretention {\n\tkeep_full = 1d\n\tthin_to = 3d\n}\n' "$T" >>"$T/w.conf"
WEARGATE_NOW=$now WEARGATE_LOG_FILE=$T/syslog run 0 "$W" -c "$T/w.conf" run
contains "$T/syslog" "retention: thinned"
# and writes the fleet's metrics, when the config names a file
contains "$T/weargate.prom" 'weargate_drive_state{disk="sda",serial="WD-WCAPW1234567",state="degrading"} 1'
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" check-config
contains "$T/out" "	keep_full = 24h"
contains "$T/out" "	thin_to = 3d"
echo "prune: ok"
