#!/bin/sh
# every.sh — a job's period: `run` skips a job whose last success is younger than `every`, and
# says so; a failure does not count; each night of a simulated quarter runs a weekly job once a
# week, whatever the hour the runner starts (the clock is WEARGATE_NOW's).
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

mkdir -p "$T/db"
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
drive "sda" {
	blob = "$T/sda.blob"
}
job "weekly" {
	class = maintenance
	drives = {"sda"}
	command = {"/bin/sh", "-c", "echo \$WEARGATE_JOB >>$T/ran; test ! -e $T/fail"}
	every = 7d
}
job "nightly" {
	class = backup
	drives = {"sda"}
	command = {"/bin/sh", "-c", "echo \$WEARGATE_JOB >>$T/ran"}
}
CONF
T0=$WEARGATE_NOW
# night N [OFFSET]: the runner on night N, OFFSET seconds from its usual hour
night() {
	: >"$T/ran"
	WEARGATE_NOW=$((T0 + $1 * 86400 + ${2:-0})) "$W" -c "$T/w.conf" run >"$T/out" 2>"$T/err"
}

night 0
[ "$(cat "$T/ran" | tr '\n' ' ')" = "weekly nightly " ] || fail "the first night did not run both jobs"
night 1
[ "$(cat "$T/ran" | tr '\n' ' ')" = "nightly " ] || fail "the weekly job ran a day after its success"
contains "$T/err" "weekly: not due: every 7d: its last success started"
contains "$T/out" "weekly: not due: every 7d"
night 6 1800
grep -q weekly "$T/ran" && fail "the weekly job ran on the 6th night"
# a runner half an hour early on the 7th night: due all the same
night 7 -1800
grep -q weekly "$T/ran" || { cat "$T/err" >&2; fail "the weekly job did not run on the 7th night"; }

# a failed run is no success: the job stays due the next night
touch "$T/fail"
night 14
grep -q weekly "$T/ran" || fail "the weekly job did not run on night 14"
night 15
grep -q weekly "$T/ran" || fail "a failed weekly run put the job off a week"
rm -f "$T/fail"
night 16
grep -q weekly "$T/ran" || fail "the weekly job did not run after its failure"

# a quarter of nights at hours jittered by up to ±45 minutes: the weekly job runs every 7th night
i=17
last=16
seed=11
while [ "$i" -lt 110 ]; do
	seed=$(((seed * 1103515245 + 12345) % 2147483648))
	night "$i" $((seed % 5401 - 2700))
	if grep -q weekly "$T/ran"; then
		[ $((i - last)) -eq 7 ] || fail "the weekly job ran on night $i, $((i - last)) nights after night $last"
		last=$i
	fi
	i=$((i + 1))
done
[ "$last" -ge 103 ] || fail "the weekly job stopped running after night $last"
exit 0
