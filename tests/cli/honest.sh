#!/bin/sh
# honest.sh — what a run records is what happened: a closed reader, the job's environment, NUL bytes, long texts.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
TZ=UTC
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT TZ
mkdir -p "$T/sys"

sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
write_conf() {
	cat >"$T/w.conf" <<CONF
database = "history.db"
stop_grace = 1s
drive "sda" { blob = "sda.blob" }
job "backup" {
	class = backup
	drives = {"sda"}
$1
}
CONF
	chmod 0644 "$T/w.conf"
}
write_conf ""

# SIGPIPE: the reader of weargate's output goes away; the job goes on, ends, and is recorded.
{
	"$W" -c "$T/w.conf" exec backup -- /bin/sh -c 'i=0; while [ $i -lt 3000 ]; do echo "line $i"; i=$((i + 1)); done; echo finished' 2>&1
	echo $? >"$T/rc"
} | head -n 1 >"$T/first"
[ "$(cat "$T/rc")" = 0 ] || fail "exec piped into head exited $(cat "$T/rc"): it died with its reader"
[ "$(sql "SELECT outcome FROM job_run ORDER BY id DESC LIMIT 1")" = success ] || fail "the run piped into head is not recorded as a success"
sql "SELECT output FROM job_run ORDER BY id DESC LIMIT 1" | grep -q '^finished$' || fail "the job did not go on to its end"

# NUL bytes in the output: shown escaped in the forwarded line, kept in the record, not an end of it.
run 0 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c 'printf "a\\000b\\n"; head -c 100000 /dev/zero; echo; echo done'
contains "$T/err" 'backup| a\0b'
contains "$T/err" 'backup| done'
run 0 "$W" -c "$T/w.conf" history --jobs --format json
json 'j["runs"][-1]["output"].endswith("\x00\ndone\n") and len(j["runs"][-1]["output"]) == 4096 and j["runs"][-1]["recorded_by"] == "runner"'

# Long texts: a gate's reason and its drives' states are recorded and given by --json whole,
# however many drives (45 here: 10 KiB of reason, 700 bytes of states).
drives=""
conf45=$T/45.conf
printf 'database = "%s/h45.db"\n' "$T" >"$conf45"
i=0
while [ "$i" -lt 45 ]; do
	cp "$T/sda.blob" "$T/d$i.blob"
	printf 'drive "disk%02d" { blob = "d%d.blob" }\n' "$i" "$i" >>"$conf45"
	drives="$drives${drives:+, }\"disk$(printf %02d "$i")\""
	i=$((i + 1))
done
printf 'job "purge" {\n\tclass = maintenance\n\tdrives = {%s}\n}\n' "$drives" >>"$conf45"
chmod 0644 "$conf45"
run 1 "$W" -c "$conf45" gate --json purge
json 'len(j["reason"]) > 4096 and all(("disk%02d" % i) in j["reason"] for i in range(45)) and "…" not in j["reason"]'
python3 -c 'import sqlite3, sys; r, s = sqlite3.connect(sys.argv[1]).execute("SELECT reason, states FROM decision").fetchone(); sys.exit(0 if len(r) > 4096 and "disk44" in r and len(s) > 512 and s.endswith("disk44=unknown") else 1)' "$T/h45.db" ||
	fail "the long reason or states are not recorded whole"
run 0 "$W" -c "$conf45" history --events --format json
json 'len(j["events"][-1]["reason"]) > 4096 and j["events"][-1]["states"].endswith("disk44=unknown")'

# The environment cron gives: from the passwd entry of the job's user, root's too.
expect_env() { # USER
	entry=$(getent passwd "$1") || fail "no passwd entry for '$1'"
	home=$(printf '%s' "$entry" | cut -d: -f6)
	shell=$(printf '%s' "$entry" | cut -d: -f7)
	contains "$T/err" "backup| HOME=$home USER=$1 LOGNAME=$1 SHELL=${shell:-/bin/sh} PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}
HOME=/elsewhere SHELL=/bin/false run 0 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c 'echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME SHELL=$SHELL PATH=$PATH"'
expect_env "$(id -un)"
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	write_conf '	user = "nobody"'
	run 0 "$W" -c "$T/w.conf" exec backup -- /bin/sh -c 'echo "HOME=$HOME USER=$USER LOGNAME=$LOGNAME SHELL=$SHELL PATH=$PATH"'
	expect_env nobody
	write_conf ""
fi
# A full disk during `run`: the job that filled it ran, and its end is kept for the next runner;
# the next job could not be recorded, so it was not started, and nothing says it succeeded.
mnt=$T/full
if [ "$(id -u)" -eq 0 ] && mkdir -p "$mnt" && mount -t tmpfs -o size=1m,mode=0755 weargate-full "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
	cp "$T/sda.blob" "$mnt/sda.blob"
	cat >"$T/full.conf" <<CONF
database = "$mnt/history.db"
drive "sda" { blob = "$mnt/sda.blob" }
job "fill" {
	class = backup
	drives = {"sda"}
	command = {"/bin/sh", "-c", "dd if=/dev/zero of=$mnt/fill bs=4k 2>/dev/null; echo filled"}
}
job "second" {
	class = backup
	drives = {"sda"}
	command = {"/bin/true"}
}
CONF
	chmod 0644 "$T/full.conf"
	run 1 "$W" -c "$T/full.conf" run
	contains "$T/out" "second: not started: its run could not be recorded"
	grep -q "second: success" "$T/out" "$T/err" && fail "a job that never started was called a success"
	contains "$T/out" "fill: success"
	contains "$T/err" "weargate: fill: the end of run 1 is kept in the lock file for the next runner to record"
	rm -f "$mnt/fill"
	T_DB=$mnt/history.db
	[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM job_run").fetchone()[0])' "$T_DB")" = 1 ] ||
		fail "the job that was not started is in the history"
	run 0 "$W" -c "$T/full.conf" exec second -- /bin/true
	contains "$T/err" "weargate: recorded the end of run 1 of 'fill' (success), which its runner could not"
	[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT outcome FROM job_run WHERE id = 1").fetchone()[0])' "$T_DB")" = success ] ||
		fail "the kept end was not recorded as it was"
	umount "$mnt"
else
	echo "honest: SKIP a full disk during run (needs root and a tmpfs mount)"
fi
exit 0
