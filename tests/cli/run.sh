#!/bin/sh
# run.sh — `weargate exec` and `weargate run` with real child processes: limits, watchdog, lock, signals, records.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
# no cgroup or systemd of the machine's: the jobs say plainly that they are not throttled
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
TZ=UTC
# what would go to syslog
WEARGATE_LOG_FILE=$T/syslog
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT TZ WEARGATE_LOG_FILE

sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}

# A fake sysfs with disk sda, whose I/O counters the jobs advance: 20000 sectors read, 3000 written.
mkdir -p "$T/sys/block/sda"
stat_line() {
	printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 "$1" 50 20 0 "$2" 40 0 60 90
}
stat_line 1000 500 >"$T/sys/block/sda/stat"
cat >"$T/io.sh" <<EOF
#!/bin/sh
# the job's I/O, as the kernel would count it
printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 21000 50 20 0 3500 40 0 60 90 >"$T/sys/block/sda/stat"
EOF
chmod +x "$T/io.sh"

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"

write_conf() {
	cat >"$T/w.conf" <<CONF
database = "history.db"
watch_interval = 1s
stop_grace = 1s
drive "sda" { blob = "sda.blob" }
$1
CONF
	chmod 0644 "$T/w.conf"
}

# exited PID: the process has ended (a zombie that init has not reaped yet counts as ended).
exited() {
	[ -e "/proc/$1" ] || return 0
	case $(cut -d')' -f2 "/proc/$1/stat" 2>/dev/null) in " Z"*) return 0 ;; esac
	return 1
}
# gone PID: it ends soon
gone() {
	eventually exited "$1"
}

job() { # job NAME CLASS COMMAND [EXTRA]
	printf 'job "%s" {\n\tclass = %s\n\tdrives = {"sda"}\n\tcommand = {%s}\n%s\n}\n' "$1" "$2" "$3" "${4:-}"
}

# exec: the command's exit status, its output forwarded, what it read and wrote recorded.
write_conf "$(job backup backup '"/bin/true"')"
run 7 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c "echo hello; $T/io.sh; exit 7"
contains "$T/err" "backup: go: sda ok"
contains "$T/err" "backup| hello"
contains "$T/err" "backup: sda: read 9.8 MiB, wrote 1.5 MiB"
contains "$T/err" "backup: failed: exit status 7"
[ "$(sql "SELECT outcome || ' ' || exit_status FROM job_run")" = "failed 7" ] || fail "the run is not recorded as failed 7"
[ "$(sql "SELECT sectors_read || ' ' || sectors_written FROM job_run_drive")" = "20000 3000" ] ||
	fail "attribution: $(sql "SELECT sectors_read || ' ' || sectors_written FROM job_run_drive")"
[ "$(sql "SELECT pass_after > pass_before FROM job_run_drive")" = 1 ] || fail "no sample before and after the job"
[ "$(sql "SELECT output FROM job_run")" = "hello" ] || fail "the output is not recorded"
run 0 "$W" -c "$T/w.conf" exec -q backup /bin/true
[ -s "$T/err" ] && fail "exec -q said something: $(cat "$T/err")"

# -v: the watchdog's looks; -q: nothing when all goes well
run 0 "$W" -v -c "$T/w.conf" exec backup -- /bin/sleep 2
contains "$T/err" "backup: watchdog: sda unchanged"
run 0 "$W" -q -c "$T/w.conf" run
[ -s "$T/err" ] && fail "run -q said something when all went well: $(cat "$T/err")"
contains "$T/out" "backup: success"

# A clean environment, no inherited descriptor.
exec 7</dev/null
FOO=leak run 0 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c 'env; ls /proc/self/fd'
exec 7<&-
contains "$T/err" "backup| WEARGATE_JOB=backup"
contains "$T/err" "backup| WEARGATE_DRIVES=sda"
contains "$T/err" "backup| WEARGATE_CLASS=backup"
grep -q 'FOO=leak' "$T/err" && fail "the job inherited the caller's environment"
grep -q 'backup| 7$' "$T/err" && fail "the job inherited descriptor 7"
grep -q 'backup| 3$' "$T/err" || fail "ls should see its own directory descriptor 3: $(cat "$T/err")"

# A command that does not exist: 127, recorded.
run 127 "$W" -c "$T/w.conf" exec backup -- /nonexistent/tool
contains "$T/err" "/nonexistent/tool"

# The timeout ends the whole process group, a grandchild included.
write_conf "$(job slow maintenance '"/bin/true"' '	timeout = 2s')"
run 143 "$W" -c "$T/w.conf" exec slow -- /bin/sh -c "sleep 100 & echo \$! >$T/grandchild; sleep 100"
contains "$T/err" "slow: timeout: stopped after its timeout of 2s"
gone "$(cat "$T/grandchild")" || fail "the grandchild outlived the timeout"
[ "$(sql "SELECT outcome FROM job_run WHERE job = 'slow'")" = timeout ] || fail "the timeout is not recorded"

# The watchdog: a maintenance job is stopped when its drive gets worse under it; a backup goes on.
cat >"$T/wear.sh" <<EOF
#!/bin/sh
# the job's I/O wears the drive: pending sectors appear while it runs
sleep 1
"$WG_BLOB" set "$T/sda.blob" 197 raw=8
sleep 6
EOF
chmod +x "$T/wear.sh"
write_conf "$(job purge maintenance "\"$T/wear.sh\"")"
run 143 "$W" -c "$T/w.conf" exec purge -- "$T/wear.sh"
contains "$T/err" "purge: stopping it: sda pending sectors 0 → 8 during the run"
contains "$T/err" "purge: stopped: sda pending sectors 0 → 8 during the run"
[ "$(sql "SELECT outcome FROM job_run WHERE job = 'purge'")" = stopped ] || fail "the stop is not recorded"
# and syslog has the story: the decision, the start, the stop, the outcome
grep -Eq '^<6> job purge \(run [0-9]+\): started$' "$T/syslog" || fail "no start of the purge in syslog"
contains "$T/syslog" "<4> job purge: stopping it: sda pending sectors 0 → 8 during the run"
grep -Eq '^<4> job purge \(run [0-9]+\): stopped: sda pending sectors 0 → 8 during the run$' "$T/syslog" ||
	fail "no stop of the purge in syslog"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
write_conf "$(job backup backup "\"$T/wear.sh\"")"
run 0 "$W" -c "$T/w.conf" exec backup -- "$T/wear.sh"
contains "$T/err" "backup: sda pending sectors 0 → 8 during the run: a backup goes on"
contains "$T/err" "backup: success"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"

# run: on a degrading drive the backup goes first, then the purge waits for the cooldown;
# the notify hook hears of the state change and of nothing else.
cat >"$T/notify.sh" <<EOF
#!/bin/sh
echo "\$WEARGATE_EVENT|\$WEARGATE_DRIVE|\$WEARGATE_STATE|\$WEARGATE_MESSAGE" >>"$T/notified"
EOF
chmod +x "$T/notify.sh"
"$WG_BLOB" set "$T/sda.blob" 197 raw=8
write_conf "notify = {\"$T/notify.sh\"}
$(job purge maintenance '"/bin/echo", "purging"')
$(job backup backup '"/bin/echo", "backing up"')"
run 75 "$W" -c "$T/w.conf" run
grep -n 'backup: success\|purge: defer' "$T/err" >"$T/order"
[ "$(head -n 1 "$T/order" | cut -d: -f2-)" = "backup: success" ] || fail "the backup did not go first: $(cat "$T/err")"
contains "$T/err" "purge: defer: sda degrading: cooldown of 24h after the last heavy job"
contains "$T/out" "backup: success"
contains "$T/out" "purge: defer:"
contains "$T/notified" "state|sda|degrading|sda is degrading: pending sectors 8 at the first sample, "
[ "$(wc -l <"$T/notified")" -eq 1 ] || fail "notify ran $(wc -l <"$T/notified") times: $(cat "$T/notified")"
# a maintenance job without a backup first: refused, and the hook hears of it
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm" "$T/notified"
run 1 "$W" -c "$T/w.conf" run purge
contains "$T/notified" "refusal|sda|degrading|"
# a job that does not run is in syslog, whether run or exec held it back
: >"$T/syslog"
run 1 "$W" -c "$T/w.conf" exec purge -- /bin/true
contains "$T/syslog" "<5> job purge: refuse: sda degrading"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"

# Spacing on a worn drive: two heavy jobs 2h apart, the runner waiting within run_until.
"$WG_BLOB" set "$T/sda.blob" 5 raw=5
write_conf "run_until = \"23:00\"
$(job first maintenance '"/bin/true"')
$(job second maintenance '"/bin/true"')"
run 0 "$W" -c "$T/w.conf" run
contains "$T/err" "second: waiting until"
[ "$(sql "SELECT (SELECT started FROM job_run WHERE job = 'second') - (SELECT ended FROM job_run WHERE job = 'first')")" = 7200 ] ||
	fail "the second job did not wait exactly the worn cooldown"
# without run_until it is left for the next run
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
write_conf "$(job first maintenance '"/bin/true"')
$(job second maintenance '"/bin/true"')"
run 75 "$W" -c "$T/w.conf" run
contains "$T/out" "second: defer:"
"$WG_BLOB" set "$T/sda.blob" 5 raw=0
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"

# One runner at a time; a runner killed with -9 leaves no lock behind, and the next one stops
# the job it left running (a shell and its child here) and records it as interrupted.
write_conf "$(job long maintenance "\"/bin/sh\", \"-c\", \"sleep 30 & echo \$! >$T/leftpid; wait\"")"
"$W" -c "$T/w.conf" run >"$T/run1.out" 2>"$T/run1.err" &
runner=$!
eventually grep -q 'long: started' "$T/run1.err" 2>/dev/null
run 75 "$W" -c "$T/w.conf" run
contains "$T/err" "another weargate run (pid $runner) holds '$T/history.db.lock'"
# a job run of exec never overlaps one of the runner's either
run 75 "$W" -c "$T/w.conf" exec long -- /bin/true
contains "$T/err" "another weargate run (pid $runner) holds"
kill -9 "$runner"
wait "$runner" 2>/dev/null
[ -e "/proc/$(cat "$T/leftpid")" ] || fail "the job did not outlive its runner's SIGKILL: nothing to stop"
write_conf "$(job short maintenance '"/bin/true"')"
run 0 "$W" -c "$T/w.conf" run
contains "$T/err" "that a runner which died left running"
gone "$(cat "$T/leftpid")" || { kill "$(cat "$T/leftpid")"; fail "the job a killed runner left is still running"; }
contains "$T/err" "1 job run(s) that a runner left unfinished are recorded as interrupted"
[ "$(sql "SELECT outcome FROM job_run WHERE job = 'long'")" = interrupted ] || fail "the killed run is not interrupted"
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"

# SIGTERM to the runner stops its job cleanly, records it as interrupted, and ends the run.
write_conf "$(job long maintenance "\"/bin/sh\", \"-c\", \"echo \$\$ >$T/jobpid; exec sleep 30\"")
$(job after maintenance '"/bin/true"')"
"$W" -c "$T/w.conf" run >"$T/run2.out" 2>"$T/run2.err" &
runner=$!
eventually test -s "$T/jobpid"
kill -TERM "$runner"
wait "$runner"
rc=$?
[ "$rc" -eq 1 ] || fail "the interrupted runner exited $rc: $(cat "$T/run2.err")"
gone "$(cat "$T/jobpid")" || fail "the job survived the runner's SIGTERM"
[ "$(sql "SELECT outcome FROM job_run WHERE job = 'long'")" = interrupted ] || fail "not recorded as interrupted"
contains "$T/run2.out" "after: not run: weargate was told to stop before it"
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"

# The job runs as its user, when weargate runs as root.
if [ "$(id -u)" = 0 ]; then
	chmod 0755 "$T"
	write_conf "$(job asnobody backup '"/usr/bin/id", "-u"' '	user = "nobody"')"
	run 0 "$W" -c "$T/w.conf" run
	contains "$T/err" "asnobody| 65534"
	chmod 0700 "$T"
fi
echo "run: ok"
