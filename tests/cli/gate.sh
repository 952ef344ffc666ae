#!/bin/sh
# gate.sh — `weargate gate` end to end: exit codes, --condition, --json, --max-wait, and DESIGN.md's story.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<'CONF'
database = "history.db"
drive "sda" { blob = "sda.blob" }
drive "sdb" { blob = "missing.blob" }
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda"}
}
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	drives = {"sda"}
}
job "elsewhere" {
	class = maintenance
	drives = {"sdb"}
}
CONF
chmod 0644 "$T/w.conf"

# sql QUERY: one value from the history, as a test looks behind the tool.
sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
		"$T/history.db" "$1"
}

# A healthy drive: go, and the gate read the drive itself (no sample yet).
WEARGATE_LOG_FILE=$T/syslog run 0 "$W" -c "$T/w.conf" gate purge
contains "$T/syslog" "<6> gate purge: go: sda ok"
[ -s "$T/out" ] && fail "gate wrote to stdout without --json"
contains "$T/err" "purge: go: sda ok"
[ "$(sql 'SELECT count(*) FROM pass')" = 1 ] || fail "the gate did not record the sample it took"
[ "$(sql "SELECT verdict FROM decision WHERE job = 'purge'")" = go ] || fail "the decision was not recorded"
run 0 "$W" -c "$T/w.conf" gate --condition purge
run 0 "$W" -c "$T/w.conf" gate -q purge
[ -s "$T/err" ] && fail "gate -q said something on go: $(cat "$T/err")"
run 0 "$W" -q -c "$T/w.conf" gate purge
[ -s "$T/err" ] && fail "weargate -q gate said something on go: $(cat "$T/err")"
# -v: the facts behind the verdict
run 0 "$W" -v -c "$T/w.conf" gate purge
contains "$T/err" "  sda: ok since 2026-11-25T09:46:40Z: no reallocated, pending or uncorrectable sectors; sampled 0s ago; last heavy job ended none; last good backup started none"
# a fresh sample is used as is
run 0 "$W" -c "$T/w.conf" gate --json purge
json 'j["verdict"] == "go" and j["exit_status"] == 0 and j["sampled"] is False'
json 'j["drives"][0]["name"] == "sda" and j["drives"][0]["state"] == "ok"'

# Pending sectors appear: the purge is refused, the backup goes first, throttled.
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
WEARGATE_NOW=$((WEARGATE_NOW + 600)) run 0 "$W" -c "$T/w.conf" sample sda
WEARGATE_NOW=$((WEARGATE_NOW + 660)) run 1 "$W" -c "$T/w.conf" gate -q purge
contains "$T/err" "purge: refuse: sda degrading (pending sectors 0 → 8 since 2026-11-25 09:56 UTC); maintenance waits for a backup of sda"
WEARGATE_NOW=$((WEARGATE_NOW + 660)) run 75 "$W" -c "$T/w.conf" gate --condition purge
WEARGATE_NOW=$((WEARGATE_NOW + 660)) run 0 "$W" -c "$T/w.conf" gate backup
contains "$T/err" "backup: go (throttled): rescue: sda degrading"
[ "$(sql "SELECT count(*) FROM decision WHERE job = 'purge' AND verdict = 'refuse' AND states = 'sda=degrading'")" = 2 ] ||
	fail "refusals not recorded with the drive's state"

# The backup succeeds, recorded as a backup tool's hooks record it: the purge waits out the
# degrading cooldown of 24h from the backup's end, then goes, throttled.
start=$((WEARGATE_NOW + 700))
end=$((start + 7200))
WEARGATE_NOW=$start run 0 "$W" -c "$T/w.conf" gate --record -q backup
WEARGATE_NOW=$end run 0 "$W" -c "$T/w.conf" done -q backup
WEARGATE_NOW=$((end + 60)) run 0 "$W" -c "$T/w.conf" sample sda
WEARGATE_NOW=$((end + 60)) run 75 "$W" -c "$T/w.conf" gate --json purge
contains "$T/err" "purge: defer: sda degrading: cooldown of 24h after the last heavy job, 23h left"
json 'j["verdict"] == "defer" and j["exit_status"] == 75 and j["retry_at"] is not None'
[ -s "$T/out" ] || fail "--json printed nothing on defer"

# --max-wait: an hour before the cooldown ends, wait for it (the test clock moves as the gate sleeps).
WEARGATE_NOW=$((end + 86400 - 3600)) run 0 "$W" -c "$T/w.conf" sample sda
WEARGATE_NOW=$((end + 86400 - 3600)) run 75 "$W" -c "$T/w.conf" gate --max-wait 30m purge
WEARGATE_NOW=$((end + 86400 - 3600)) run 0 "$W" -c "$T/w.conf" gate --max-wait 2h purge
contains "$T/err" "purge: go (throttled): sda degrading"
[ "$(sql "SELECT max(t) FROM decision WHERE job = 'purge' AND verdict = 'go (throttled)'")" = $((end + 86400)) ] ||
	fail "the wait did not end when the cooldown did"

# A drive that cannot be read and was never sampled is unknown: on_unknown decides (defer for maintenance).
run 75 "$W" -c "$T/w.conf" gate elsewhere
contains "$T/err" "elsewhere: defer: sdb unknown"
contains "$T/err" "on_unknown = defer"

# An unprivileged caller answers from the recorded history: it may read it, not write it.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 0755 "$T"
	nobody() {
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	}
	decisions=$(sql 'SELECT count(*) FROM decision')
	WEARGATE_NOW=$((end + 86400 + 60)) run 0 nobody "$W" -c "$T/w.conf" gate purge
	contains "$T/err" "purge: go (throttled)"
	grep -q 'not recorded' "$T/err" && fail "an unprivileged gate complains about what it cannot write"
	[ "$(sql 'SELECT count(*) FROM decision')" = "$decisions" ] || fail "an unprivileged gate wrote to the history"
	WEARGATE_NOW=$((end + 86400 + 60)) run 0 nobody "$W" -c "$T/w.conf" status
	WEARGATE_NOW=$((end + 86400 + 60)) run 69 nobody "$W" -c "$T/w.conf" sample
	contains "$T/err" "history.db' is read-only for this user"
	chmod 0700 "$T"
fi

# Errors: usage 64, configuration 78, and 255 for each under --condition.
run 64 "$W" -c "$T/w.conf" gate
contains "$T/err" "which job?"
run 64 "$W" -c "$T/w.conf" gate nosuchjob
contains "$T/err" "no job 'nosuchjob'"
run 255 "$W" -c "$T/w.conf" gate --condition nosuchjob
run 64 "$W" -c "$T/w.conf" gate --max-wait soon purge
contains "$T/err" "--max-wait 'soon' is not a duration"
run 255 "$W" -c "$T/w.conf" gate --max-wait soon --condition purge
run 255 "$W" -c "$T/w.conf" gate --condition --bogus purge
printf 'job "x" {\n  class = sometimes\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" gate x
run 255 "$W" -c "$T/bad.conf" gate --condition x
run 255 "$W" -c "$T/missing.conf" gate --condition x
echo "gate: ok"
