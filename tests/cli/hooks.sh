#!/bin/sh
# hooks.sh — the hook protocol (gate --record, done) and a gate asked from inside a runner's job: every backup counted once.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
WEARGATE_LOG_FILE=$T/syslog
TZ=UTC
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT WEARGATE_LOG_FILE TZ

sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}
# at SECONDS CODE CMD...: run CMD that many seconds after the test's start
at() {
	when=$1
	shift
	WEARGATE_NOW=$((1795600000 + when)) run "$@"
}

# A fake sysfs: what the backup tool reads and writes on sda between its hooks.
mkdir -p "$T/sys/block/sda"
stat_line() {
	printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 "$1" 50 20 0 "$2" 40 0 60 90 >"$T/sys/block/sda/stat"
}
stat_line 1000 500

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<'CONF'
database = "history.db"
stop_grace = 1s
drive "sda" { blob = "sda.blob" }
job "backup" {
	class = backup
	drives = {"sda"}
	timeout = 1h
}
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	drives = {"sda"}
}
CONF
chmod 0644 "$T/w.conf"

# Bad input: the job's name and --status are checked as gate checks them.
at 0 64 "$W" -c "$T/w.conf" done nosuch
contains "$T/err" "weargate: no job 'nosuch' in '$T/w.conf' (see 'weargate check-config')"
at 0 64 "$W" -c "$T/w.conf" gate nosuch
contains "$T/err" "weargate: no job 'nosuch' in '$T/w.conf' (see 'weargate check-config')"
at 0 64 "$W" -c "$T/w.conf" done --status abc backup
contains "$T/err" "weargate: --status 'abc' is not an exit status (0-255)"
at 0 64 "$W" -c "$T/w.conf" done --status 256 backup
at 0 64 "$W" -c "$T/w.conf" done
contains "$T/err" "usage: weargate [-c FILE] done"
# no run to end: said on stderr, and 0, for an error hook that runs after a refusal
at 0 0 "$W" -c "$T/w.conf" done --status 1 backup
contains "$T/err" "weargate: no run of job 'backup' to end"

# A degrading drive: the purge waits for a backup.
at 0 0 "$W" -c "$T/w.conf" sample
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
at 600 0 "$W" -c "$T/w.conf" sample
at 660 1 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "maintenance waits for a backup of sda"

# A backup made through the hooks: gate --record, the tool's work, done.
at 700 0 "$W" -c "$T/w.conf" gate --record backup
contains "$T/err" "backup: go (throttled): rescue: sda degrading"
[ "$(sql "SELECT origin || ' ' || (ended IS NULL) || ' ' || verdict FROM job_run")" = "hook 1 go (throttled)" ] ||
	fail "the start is not recorded: $(sql "SELECT origin || ' ' || coalesce(ended, '-') FROM job_run")"
[ "$(sql "SELECT expires - started FROM job_run")" = 3600 ] || fail "the run does not expire after the job's timeout"
stat_line 21000 3500
at 4000 0 "$W" -c "$T/w.conf" done backup
contains "$T/err" "backup: sda: read 9.8 MiB, wrote 1.5 MiB"
contains "$T/err" "backup: success"
[ "$(sql "SELECT outcome || ' ' || exit_status || ' ' || ended FROM job_run")" = "success 0 1795604000" ] ||
	fail "the end is not recorded: $(sql "SELECT outcome || ' ' || ended FROM job_run")"
[ "$(sql "SELECT sectors_read || ' ' || sectors_written || ' ' || (pass_after > pass_before) || ' ' || pending_before || ' ' || pending_after || ' ' || backup_ok FROM job_run_drive")" = "20000 3000 1 8 8 1" ] ||
	fail "what the backup did is not recorded: $(sql "SELECT sectors_read || ' ' || sectors_written || ' ' || coalesce(pass_after, '-') FROM job_run_drive")"
contains "$T/syslog" "job backup (run 1): started, recorded by its hook"
contains "$T/syslog" "job backup (run 1): success, reported by its hook"
# the purge no longer waits for a backup: it waits for the degrading cooldown after that backup
at 4060 75 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: defer: sda degrading: cooldown of 24h after the last heavy job, 23h left"
grep -q "waits for a backup" "$T/err" && fail "the hook's backup did not count"
# and history, status and export count it as exec's runs are counted
at 4060 0 "$W" -c "$T/w.conf" history --jobs --format json
json 'len(j["runs"]) == 1 and j["runs"][0]["outcome"] == "success" and j["runs"][0]["drives"][0]["sectors_read"] == 20000'
at 4060 0 "$W" -c "$T/w.conf" export
contains "$T/out" 'weargate_job_last_run_success{job="backup"} 1'
contains "$T/out" 'weargate_job_last_success_timestamp_seconds{job="backup"} 1795604000'

# The error hook: done --status 1 is a failed backup, which does not count.
at 5000 0 "$W" -c "$T/w.conf" gate -q --record backup
[ -s "$T/err" ] && fail "gate -q --record said something on go: $(cat "$T/err")"
at 5100 0 "$W" -c "$T/w.conf" done --status 1 backup
contains "$T/err" "backup: failed: exit status 1"
[ "$(sql "SELECT outcome || ' ' || exit_status FROM job_run WHERE id = 2")" = "failed 1" ] || fail "the failure is not recorded"
# a second done finds nothing left to end
at 5200 0 "$W" -c "$T/w.conf" done backup
contains "$T/err" "no run of job 'backup' to end"
[ "$(sql "SELECT outcome FROM job_run WHERE id = 2")" = failed ] || fail "a second done changed the first's end"

# An end that never comes: the next command that writes closes the run once its timeout has passed.
at 6000 0 "$W" -c "$T/w.conf" gate -q --record backup
at 6000 0 "$W" -c "$T/w.conf" sample
[ "$(sql "SELECT ended IS NULL FROM job_run WHERE id = 3")" = 1 ] || fail "a run within its timeout was closed"
at 9700 0 "$W" -c "$T/w.conf" sample
[ "$(sql "SELECT outcome || ' ' || ended || ' ' || reason FROM job_run WHERE id = 3")" = "unreported 1795609700 no end reported within the job's timeout" ] ||
	fail "the expired run is not closed: $(sql "SELECT coalesce(outcome, '-') || ' ' || coalesce(ended, '-') FROM job_run WHERE id = 3")"
[ "$(sql "SELECT count(*) FROM job_run_drive WHERE ended IS NULL")" = 0 ] || fail "the expired run's drives are still open"
# its end, come late, is still recorded: it is the only end there is
at 9800 0 "$W" -c "$T/w.conf" done backup
contains "$T/err" "backup: success (an end that came after its timeout)"
[ "$(sql "SELECT outcome || ' ' || ended FROM job_run WHERE id = 3")" = "success 1795609800" ] || fail "the late end is not recorded"
# but not once the job was gated again: then the end may be an error hook's answer to a refusal
at 9900 0 "$W" -c "$T/w.conf" gate -q --record backup
at 13600 0 "$W" -c "$T/w.conf" sample
at 13700 0 "$W" -c "$T/w.conf" gate -q backup
at 13800 0 "$W" -c "$T/w.conf" done --status 1 backup
contains "$T/err" "no run of job 'backup' to end"
[ "$(sql "SELECT outcome FROM job_run WHERE id = 4")" = unreported ] || fail "an end after a later gate changed the run"
# a start of the job while its previous run is open closes that run: a job started again has ended
at 14000 0 "$W" -c "$T/w.conf" gate -q --record backup
at 14100 0 "$W" -c "$T/w.conf" gate -q --record backup
[ "$(sql "SELECT outcome || ' ' || reason FROM job_run WHERE id = 5")" = "unreported no end reported before the job's next start" ] ||
	fail "the superseded run is not closed"
at 14200 0 "$W" -c "$T/w.conf" done backup
[ "$(sql "SELECT outcome FROM job_run WHERE id = 6")" = success ] || fail "done did not end the newest run"
# a runner does not take a hook's open run for one of its own that died
at 14300 0 "$W" -c "$T/w.conf" gate -q --record backup
at 14400 75 "$W" -c "$T/w.conf" exec -q purge -- /bin/true
[ "$(sql "SELECT ended IS NULL FROM job_run WHERE id = 7")" = 1 ] || fail "exec closed the hook's run as interrupted"
at 14500 0 "$W" -c "$T/w.conf" done -q backup
[ -s "$T/err" ] && fail "done -q said something: $(cat "$T/err")"

# One heavy job at a time: while a runner's job runs, gate --record defers at once; a plain gate still answers.
cat >>"$T/w.conf" <<'CONF'
job "ok-backup" {
	class = backup
	drives = {"sda"}
}
CONF
WEARGATE_NOW=1795750000 "$W" -c "$T/w.conf" exec -q purge -- /bin/sh -c "touch '$T/started'; sleep 30" 2>/dev/null &
runner=$!
eventually test -e "$T/started" || fail "the runner's job did not start"
start=$(date +%s)
at 150010 75 "$W" -c "$T/w.conf" gate --record ok-backup
[ $(($(date +%s) - start)) -le 10 ] || fail "gate --record waited for the runner's job"
contains "$T/err" "ok-backup: defer: another weargate run (pid $runner) holds '$T/history.db.lock': one heavy job at a time"
at 150010 75 "$W" -c "$T/w.conf" gate --condition --record ok-backup
kill -TERM "$runner"
wait "$runner"

# Nesting: exec runs a backup tool whose own hooks gate the same job: go, and one run, exec's.
n0=$(sql "SELECT count(*) FROM job_run")
WEARGATE_NOW=1795800000 run 0 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c "
	'$W' -c '$T/w.conf' gate backup || exit 11
	'$W' -c '$T/w.conf' gate --record backup || exit 12
	echo backing up
	'$W' -c '$T/w.conf' done backup || exit 13"
contains "$T/err" "backup| backup: go: inside its run $((n0 + 1)), which its runner gated and records"
contains "$T/err" "backup| backup: inside its run $((n0 + 1)), whose runner records its end: nothing to do"
contains "$T/err" "backup: success"
[ "$(sql "SELECT count(*) FROM job_run")" = $((n0 + 1)) ] || fail "the nested hooks made a run of their own"
[ "$(sql "SELECT origin || ' ' || outcome FROM job_run ORDER BY id DESC LIMIT 1")" = "runner success" ] ||
	fail "exec's run is not the one recorded"
[ "$(sql "SELECT reason FROM decision WHERE job = 'backup' ORDER BY id DESC LIMIT 1")" = "inside its run $((n0 + 1)), which its runner gated and records" ] ||
	fail "the nested gate's answer is not recorded"
# The runner's note of the job's session is slow (strace holds each of the runner's syncs 2 s): the
# job does not start before it, and its hook is inside the run.
if command -v strace >/dev/null 2>&1 && strace -f -qq -o /dev/null true 2>/dev/null; then
	n0=$(sql "SELECT count(*) FROM job_run")
	# (LeakSanitizer cannot work under ptrace, and a job gets no ASAN_OPTIONS of its runner's)
	WEARGATE_NOW=1795850000 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 run 0 strace -f -qq -o /dev/null -e trace=fsync,fdatasync \
		-e inject=fsync,fdatasync:delay_enter=2000000 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c "
		ASAN_OPTIONS=detect_leaks=0 '$W' -c '$T/w.conf' gate --record backup || exit 12"
	contains "$T/err" "backup| backup: go: inside its run $((n0 + 1)), which its runner gated and records"
	[ "$(sql "SELECT count(*) FROM job_run")" = $((n0 + 1)) ] || fail "the early hook made a run of its own"
else
	echo "strace is not installed or cannot trace here (apt-get install strace): a hook ahead of its runner's note is not tried"
fi
# the environment says which run, but only the job's own session is inside it: from outside, or for another job, it counts for nothing
WEARGATE_NOW=1795900000 run 0 "$W" -c "$T/w.conf" exec ok-backup -- /bin/sh -c "
	WEARGATE_NOW=1795900010 WEARGATE_JOB=purge '$W' -c '$T/w.conf' gate purge; echo \"purge=\$?\"
	echo \"\$WEARGATE_RUN\" >'$T/run-id'
	sleep 5"
grep -q "inside its run" "$T/err" && fail "another job's gate was taken for part of the run: $(cat "$T/err")"
contains "$T/err" "ok-backup| purge=75"
WEARGATE_NOW=1795950000 "$W" -c "$T/w.conf" exec -q ok-backup -- /bin/sh -c "echo \"\$WEARGATE_RUN\" >'$T/run-id'; sleep 20" 2>/dev/null &
runner=$!
eventually test -s "$T/run-id" || fail "the runner's job did not start"
WEARGATE_JOB=ok-backup WEARGATE_RUN=$(cat "$T/run-id") at 350010 0 "$W" -c "$T/w.conf" gate ok-backup
grep -q "inside its run" "$T/err" && fail "a process outside the run's session was taken for part of it"
kill -TERM "$runner"
wait "$runner"
exit 0
