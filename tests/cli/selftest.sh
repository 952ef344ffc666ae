#!/bin/sh
# selftest.sh — class selftest through a drive at the ioctl level (tests/fake-ata.c): the command
# and subcommand each `test =` sends, the looks while it runs (only reads, no drive woken), the
# abort on the job's timeout and on a drive getting worse, every outcome recorded, a failed test
# making the drive failing (also when the states are recorded anew), and on a degrading drive
# the long test after the backup of the same run, never before it.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}" "${FAKE_ATA:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "selftest: python3 is needed to look into the history"; exit 77; }

PRELOAD=$(fake_ata_preload)
mkdir -p "$T/dev" "$T/sys" "$T/db"
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
: >"$T/dev/sda"

wg() {
	LD_PRELOAD=$PRELOAD WG_FAKE_ATA=$T/fake.spec WEARGATE_SYSFS_ROOT=$T/sys "$W" -c "$T/w.conf" "$@"
}
# fresh: a new history, and the drive's self-test state forgotten
fresh() {
	rm -rf "$T/db" "$T/st" "$T/sda.log"
	mkdir -p "$T/db"
}
# spec LINES...: the fake drive sda, running self-tests kept in $T/st, logging to $T/sda.log
spec() {
	{
		printf 'device %s\nblob %s\nlog %s\nselftest %s\n' "$T/dev/sda" "$T/sda.blob" "$T/sda.log" "$T/st"
		printf '%s\n' "$@"
	} >"$T/fake.spec"
}
# conf JOB-LINES [MORE]: one self-test job "t" with these lines, and MORE sections after it
conf() {
	cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
watch_interval = 1m
drive "sda" {
	device = "$T/dev/sda"
}
job "t" {
	class = selftest
	drives = {"sda"}
	$1
}
${2:-}
CONF
}
# later CMD...: CMD an hour on (a run's own clock moved on while it watched the test)
later() {
	WEARGATE_NOW=$((WEARGATE_NOW + 3600)) "$@"
}
sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("|".join(map(str, r)) if r else "")' "$T/db/history.db" "$1"
}
# the commands that reached the drive after the test started, one per line
after_start() {
	sed -n '/^self-test /,$p' "$T/sda.log" | sed 1d
}

# --- each test: its subcommand sent once, looks while it runs, recorded as passed ---
for t in short long conveyance; do
	fresh
	spec "selftest_reads 2"
	conf "test = $t"
	run 0 wg run
	contains "$T/err" "t: sda: $t self-test started"
	contains "$T/out" "t: success: sda: $t self-test passed"
	[ "$(grep -c '^self-test ' "$T/sda.log")" = 1 ] || { cat "$T/sda.log" >&2; fail "$t: not exactly one self-test command"; }
	grep -q "^self-test $t\$" "$T/sda.log" || { cat "$T/sda.log" >&2; fail "$t: the drive did not get subcommand $t"; }
	# the subcommand came with SMART EXECUTE OFFLINE IMMEDIATE, the line before it
	[ "$(grep -B1 '^self-test ' "$T/sda.log" | head -n 1 | sed 's/^[^ ]* //')" = "SMART EXECUTE OFFLINE IMMEDIATE" ] ||
		{ cat "$T/sda.log" >&2; fail "$t: the self-test did not come as SMART EXECUTE OFFLINE IMMEDIATE"; }
	# seen running twice, then ended: three looks at least, each a read of the data page
	[ "$(after_start | grep -c 'SMART READ DATA$')" -ge 3 ] || { cat "$T/sda.log" >&2; fail "$t: the test was not watched until it ended"; }
	# a look during a test only reads: nothing that aborts a test, turns SMART on or wakes the drive
	after_start | grep -v ' CHECK POWER MODE$\| IDENTIFY DEVICE$\| SMART READ DATA$\| SMART READ THRESHOLDS$\| SMART RETURN STATUS$' >"$T/other"
	[ ! -s "$T/other" ] || { cat "$T/sda.log" >&2; fail "$t: a look sent more than reads: $(cat "$T/other")"; }
	[ "$(sql "SELECT test, result, status, ended IS NOT NULL FROM self_test")" = "$t|passed|0|1" ] ||
		fail "$t: recorded as $(sql "SELECT test, result, status, detail FROM self_test")"
	[ "$(sql "SELECT outcome FROM job_run WHERE job = 't'")" = success ] || fail "$t: the run is not a success"
done

# --- status, history --jobs, report and export show the result and when ---
run 0 later wg status
contains "$T/out" "sda: last self-test: conveyance passed"
run 0 later wg status --json
json "j['drives'][0]['last_self_test']['test'] == 'conveyance' and j['drives'][0]['last_self_test']['result'] == 'passed' and j['drives'][0]['last_self_test']['ended'] is not None"
run 0 later wg history --jobs --format json
json "[r['self_tests'] for r in j['runs']] == [[{'drive': 'sda', 'test': 'conveyance', 'result': 'passed', 'detail': 'completed without error', 'status': 0}]]"
run 0 later wg history --jobs
contains "$T/out" "sda: conveyance self-test passed"
run 0 later wg export
ended=$(sql "SELECT ended FROM self_test")
grep -q "^weargate_drive_last_self_test_timestamp_seconds{disk=\"[^\"]*\",test=\"conveyance\",result=\"passed\"} $ended\$" "$T/out" ||
	{ grep self_test "$T/out" >&2; fail "export has no timestamp of the last self-test"; }
grep -q '^weargate_drive_last_self_test_passed{disk="[^"]*",test="conveyance"} 1$' "$T/out" || fail "export does not say the test passed"
run 0 later wg report --output "$T/report.html"
grep -q '<th>last self-test</th><td>conveyance passed ' "$T/report.html" || fail "the report has no row for the last self-test"

# --- the drive does not offer the test: not started, said why ---
fresh
spec "selftest_tests short long"
conf "test = conveyance"
run 1 wg run
contains "$T/out" "t: failed: sda: conveyance self-test not started: the drive offers no conveyance self-test"
! grep -q '^self-test ' "$T/sda.log" || fail "a test the drive does not offer was sent"
[ "$(sql "SELECT result FROM self_test")" = "not started" ] || fail "a test never started is not recorded so"

# --- each end the status byte can say, recorded; a failure makes the drive failing ---
for end in "read:failed:read failure" "servo:failed:servo/seek failure" "electrical:failed:electrical failure" \
	"interrupted:interrupted:interrupted by a reset" "aborted:aborted:aborted by the host, not by weargate"; do
	r=${end%%:*}
	rest=${end#*:}
	result=${rest%%:*}
	detail=${rest#*:}
	fresh
	spec "selftest_reads 1" "selftest_result $r"
	conf "test = long"
	run 1 wg run
	contains "$T/out" "t: failed: sda: long self-test $result: $detail"
	[ "$(sql "SELECT result, detail FROM self_test")" = "$result|$detail" ] ||
		fail "$r: recorded as $(sql "SELECT result, detail FROM self_test")"
	run 0 later wg status --json
	if [ "$result" = failed ]; then
		json "j['drives'][0]['state'] == 'failing' and 'SMART self-test failed ($detail)' in j['drives'][0]['state_reason']"
	else
		json "j['drives'][0]['state'] == 'ok'"
	fi
done
# the failing state comes from the recorded samples: recorded anew under new numbers, it stands
fresh
spec "selftest_reads 1" "selftest_result read"
conf "test = short"
run 1 wg run
printf 'policy {\n\twindow = 9d\n}\n' >>"$T/w.conf"
run 0 later wg status --json
json "j['drives'][0]['state'] == 'failing' and 'SMART self-test failed (read failure)' in j['drives'][0]['state_reason']"
[ "$(sql "SELECT count(*) FROM sign_change WHERE sign = 261 AND to_value = 7")" = 1 ] ||
	fail "the failed self-test is not a sign in the recorded-anew sign log"
# and a failing drive gets no further self-test
run 1 later wg run
contains "$T/out" "no self-test on a failing drive"

# --- the job's timeout aborts the test: the abort sent, the run a timeout ---
fresh
spec "selftest_reads 1000"
conf "test = long
	timeout = 5m"
run 1 wg run
grep -q '^self-test abort$' "$T/sda.log" || { cat "$T/sda.log" >&2; fail "the test running past its timeout was not aborted"; }
[ "$(sql "SELECT result FROM self_test")" = aborted ] || fail "an aborted test is not recorded so"
contains "$T/out" "t: timeout: stopped after its timeout of 300s; sda: long self-test aborted"
sql "SELECT detail FROM self_test" | grep -q "after the job's timeout of 5m" || fail "the abort does not say why"
[ "$(sql "SELECT outcome FROM job_run")" = timeout ] || fail "the run is not recorded as a timeout"
# looked at every minute for five: about six looks, not one a second
n=$(grep -c 'SMART READ DATA$' "$T/sda.log")
[ "$n" -ge 6 ] && [ "$n" -le 9 ] || fail "the test was looked at $n times in 5 minutes at a 1m interval"

# --- a drive in standby is not woken by the looks, nor by an abort: the end is unknown ---
fresh
spec "selftest_reads 1000" "power standby"
conf "test = short
	on_unknown = go
	timeout = 3m"
run 1 wg run
[ "$(sed -n '/^self-test /,$p' "$T/sda.log" | grep -c '^woken')" = 0 ] || { cat "$T/sda.log" >&2; fail "a look woke the drive"; }
! grep -q '^self-test abort' "$T/sda.log" || fail "an abort was sent to a drive in standby"
[ "$(sql "SELECT result FROM self_test")" = unknown ] || fail "a test on a drive gone to standby is not unknown"

# --- a degrading drive: the long test waits for the backup, a short one goes ---
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
backup='job "backup" {
	class = backup
	drives = {"sda"}
	command = {"/bin/sh", "-c", "echo BACKUP >>'"$T"'/sda.log"}
}'
fresh
spec "selftest_reads 1"
conf "test = long
	cooldown = 0" "$backup"
run 0 wg run
grep -q '^BACKUP$' "$T/sda.log" || fail "the backup did not run"
[ "$(grep -n '^BACKUP$\|^self-test long$' "$T/sda.log" | cut -d: -f2 | tr '\n' ' ')" = "BACKUP self-test long " ] ||
	{ cat "$T/sda.log" >&2; fail "on a degrading drive the long test did not come after the backup"; }
# without a backup of it, the long test is refused; a short one goes
fresh
spec "selftest_reads 1"
conf "test = long"
run 1 wg run
contains "$T/out" "a self-test waits for a backup of sda"
! grep -q '^self-test' "$T/sda.log" || fail "a long test ran on a degrading drive never backed up"
fresh
conf "test = short"
run 0 wg run
grep -q '^self-test short$' "$T/sda.log" || fail "a short test did not go on a degrading drive"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0 || fail "wg-blob set"

# --- a drive getting worse while its test runs: the test is aborted, the run stopped ---
# on the real clock: the blob changes while weargate watches
fresh
spec "selftest_reads 100000"
conf "test = long
	watch_interval = 1s
	timeout = 2m"
(
	unset WEARGATE_NOW
	wg run >"$T/out" 2>"$T/err"
	echo $? >"$T/rc"
) &
eventually grep -q '^self-test long$' "$T/sda.log" || fail "the long test did not start"
sleep 1.5
"$WG_BLOB" set "$T/sda.blob" 5 raw=8 || fail "wg-blob set"
eventually test -s "$T/rc" || fail "weargate did not end"
wait
[ "$(cat "$T/rc")" = 1 ] || { cat "$T/err" >&2; fail "run exited $(cat "$T/rc")"; }
grep -q '^self-test abort$' "$T/sda.log" || { cat "$T/sda.log" >&2; fail "the test on a drive getting worse was not aborted"; }
[ "$(sql "SELECT outcome FROM job_run")" = stopped ] || fail "the run is not recorded as stopped"
sql "SELECT detail FROM self_test" | grep -q "aborted by weargate: sda reallocated sectors 0 → 8" ||
	fail "the abort does not say why: $(sql "SELECT detail FROM self_test")"
exit 0
