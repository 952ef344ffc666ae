#!/bin/sh
# kmsg.sh — the kernel's word while a job runs: an I/O or ATA error line on one of the job's
# drives (its disk, a partition, a device stacked on it, its ATA port) stops a maintenance job
# at once and is recorded with the run; a backup goes on; lines about other disks, lines from
# before the job, and lines that are no errors change nothing; a log that cannot be read is
# said once. The log is a file the jobs append to, in /dev/kmsg's record format (WEARGATE_KMSG).
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "kmsg: python3 is needed to look into the history"; exit 77; }
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
WEARGATE_KMSG=$T/kmsg
WEARGATE_LOG_FILE=$T/syslog
TZ=UTC
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT WEARGATE_KMSG WEARGATE_LOG_FILE TZ
K=$T/kmsg
: >"$K"

sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}

# sysfs: sda with a partition, dm-0 stacked on the partition, on ATA port 3; sdb beside it
for d in sda sdb; do
	mkdir -p "$T/sys/block/$d"
	printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 1000 50 20 0 500 40 0 60 90 >"$T/sys/block/$d/stat"
done
mkdir -p "$T/sys/block/sda/sda1/holders/dm-0" "$T/sys/devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0"
: >"$T/sys/block/sda/sda1/partition"
ln -s ../../devices/pci0000:00/0000:00:1f.2/ata3/host2/target2:0:0/2:0:0:0 "$T/sys/block/sda/device"

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
sed 's/^serial .*/serial WD-SECOND-DRIVE/' "$SOURCE_ROOT/data/demo-sda.desc" | "$WG_BLOB" create "$T/sdb.blob" - ||
	fail "wg-blob create"
# A drive the kernel logs errors on is degrading for kernel_quiet: here a second, so that the
# jobs below go on as they would; the last part looks at the state with the default week.
cat >"$T/w.conf" <<CONF
database = "history.db"
stop_grace = 5s
policy { kernel_quiet = 1s }
drive "sda" { blob = "sda.blob" }
drive "sdb" { blob = "sdb.blob" }
job "purge" {
	class = maintenance
	drives = {"sda"}
}
job "backup" {
	class = backup
	drives = {"sda"}
}
job "both" {
	class = maintenance
	drives = {"sda", "sdb"}
	command = {"/bin/sh", "-c", "sleep 0.5; printf '3,901,9000,-;I/O error, dev sda, sector 77 op 0x0:(READ)\\\\n' >>$K; sleep 30"}
}
job "short" {
	class = maintenance
	drives = {"sda"}
	command = {"/bin/sleep", "0.2"}
}
job "quiet" {
	class = maintenance
	drives = {"sdb"}
	command = {"/bin/sh", "-c", "printf '6,902,9100,-;ata3: SATA link up 6.0 Gbps\\\\n' >>$K; sleep 1"}
}
CONF
chmod 0644 "$T/w.conf"
run 0 "$W" -c "$T/w.conf" sample

# seconds since $1 (date +%s.%N)
since() {
	python3 -c "import sys, time; print(int(time.time() - float(sys.argv[1])))" "$1"
}
# exec_job JOB LINE [AFTER]: exec JOB whose command logs LINE as the kernel would, then sleeps AFTER (30) seconds
exec_job() {
	start=$(date +%s.%N)
	"$W" -c "${CONF:-$T/w.conf}" exec "$1" -- /bin/sh -c 'sleep 0.3; printf "%s\n" "$1" >>"$2"; sleep "$3"' sh "$2" "$K" "${3:-30}" \
		>"$T/out" 2>"$T/err"
	code=$?
	took=$(since "$start")
}

# --- a maintenance job is stopped at once by an error line on its drive, whichever name it goes by ---
n=0
for line in \
	"3,100,5000000,-;I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x80700 phys_seg 1 prio class 2" \
	"3,101,5000001,-;blk_update_request: I/O error, dev sda, sector 2048 op 0x0:(READ) flags 0x0 phys_seg 1 prio class 0" \
	"3,102,5000002,-;Buffer I/O error on dev sda1, logical block 0, async page read" \
	"3,103,5000003,-;Buffer I/O error on dev dm-0, logical block 12, lost async page write" \
	"3,104,5000004,-;ata3.00: failed command: READ FPDMA QUEUED"; do
	msg=${line#*;}
	n=$((n + 1))
	exec_job purge "$line"
	[ "$code" -eq 143 ] || { cat "$T/err" >&2; fail "purge with '$msg' logged exited $code, not 143 (stopped by SIGTERM)"; }
	contains "$T/err" "purge: stopping it: kernel: sda: $msg"
	contains "$T/err" "purge: stopped: kernel: sda: $msg"
	# stopped on the line, not at the end of its 30 s
	[ "$took" -lt 20 ] || fail "purge ran ${took}s after '$msg' was logged"
	[ "$(sql "SELECT outcome FROM job_run ORDER BY id DESC LIMIT 1")" = stopped ] || fail "the run is not recorded as stopped"
	[ "$(sql "SELECT reason FROM job_run ORDER BY id DESC LIMIT 1")" = "kernel: sda: $msg" ] || fail "the run's reason is not the line"
	[ "$(sql "SELECT count(*) FROM kernel_error")" -eq "$n" ] || fail "the kernel's line was not recorded"
	[ "$(sql "SELECT line FROM kernel_error k JOIN job_run r ON r.id = k.run_id ORDER BY k.rowid DESC LIMIT 1")" = "$msg" ] ||
		fail "the recorded line is not the kernel's, or not with its run"
	contains "$T/syslog" "job purge: stopping it: kernel: sda: $msg"
	WEARGATE_NOW=$((WEARGATE_NOW + 2)) # the (fake) clock moves past kernel_quiet
done

# --- a backup goes on, and the lines are said with its run ---
exec_job backup "3,110,6000000,-;I/O error, dev sda, sector 4096 op 0x0:(READ)" 1
[ "$code" -eq 0 ] || { cat "$T/err" >&2; fail "the backup exited $code"; }
contains "$T/err" "backup: kernel: sda: I/O error, dev sda, sector 4096 op 0x0:(READ): a backup goes on"
contains "$T/err" "backup: success: kernel: 1 I/O error line on sda, the first: I/O error, dev sda, sector 4096 op 0x0:(READ)"
[ "$(sql "SELECT outcome FROM job_run ORDER BY id DESC LIMIT 1")" = success ] || fail "the backup is not recorded as a success"
[ "$(sql "SELECT count(*) FROM kernel_error")" -eq 6 ] || fail "the backup's kernel line was not recorded"
WEARGATE_NOW=$((WEARGATE_NOW + 2))

# --- what changes nothing: another disk, a partition of another, no error, the time before the job ---
before=$(sql "SELECT count(*) FROM kernel_error")
for line in \
	"3,120,7000000,-;I/O error, dev sdb, sector 1 op 0x0:(READ)" \
	"3,121,7000001,-;Buffer I/O error on dev sda10, logical block 0" \
	"3,122,7000002,-;ata4.00: failed command: READ FPDMA QUEUED" \
	"4,123,7000003,-;ata3.00: configured for UDMA/133" \
	"6,124,7000004,-;EXT4-fs (sda1): mounted filesystem with ordered data mode"; do
	exec_job purge "$line" 1
	[ "$code" -eq 0 ] || { cat "$T/err" >&2; fail "purge was disturbed by '${line#*;}' (exit $code)"; }
	contains "$T/err" "purge: success"
done
printf '3,130,8000000,-;I/O error, dev sda, sector 1 op 0x0:(READ)\n' >>"$K"
run 0 "$W" -c "$T/w.conf" exec purge -- /bin/sleep 1
contains "$T/err" "purge: success"
[ "$(sql "SELECT count(*) FROM kernel_error")" -eq "$before" ] || fail "a line that was not an error on sda was recorded"

# --- run: a job with two drives; the line names sda only; a job on sdb is not touched ---
run 1 "$W" -c "$T/w.conf" run both quiet
contains "$T/err" "both: stopping it: kernel: sda: I/O error, dev sda, sector 77 op 0x0:(READ)"
contains "$T/err" "quiet: success"
[ "$(sql "SELECT k.drive_id = (SELECT drive_id FROM job_run_drive WHERE run_id = r.id ORDER BY drive_id LIMIT 1) FROM kernel_error k JOIN job_run r ON r.id = k.run_id WHERE r.job = 'both'")" = 1 ] ||
	fail "the line of job both is not recorded against sda"
WEARGATE_NOW=$((WEARGATE_NOW + 2))

# --- a log that cannot be read: said once, and the jobs run as they would ---
WEARGATE_KMSG=$T/no-such-kmsg run 0 "$W" -c "$T/w.conf" run short quiet
[ "$(grep -c "kernel I/O errors on the jobs' drives are not watched" "$T/err")" -eq 1 ] ||
	{ cat "$T/err" >&2; fail "an unreadable kernel log was not said, or said more than once"; }
contains "$T/err" "weargate: cannot open '$T/no-such-kmsg': No such file or directory: kernel I/O errors on the jobs' drives are not watched"
contains "$T/err" "short: success"
contains "$T/err" "quiet: success"

# --- the kernel's word in the health model: degrading, with its first line, until kernel_quiet passes ---
WEARGATE_NOW=$((WEARGATE_NOW + 2))
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
sed '/kernel_quiet/d' "$T/w.conf" >"$T/week.conf"
CONF=$T/week.conf
run 0 "$W" -c "$T/week.conf" sample sda
exec_job purge "3,140,9500000,-;I/O error, dev sda, sector 4242 op 0x0:(READ)"
"$W" -c "$T/week.conf" exec purge -- /bin/true >"$T/out" 2>"$T/err"
[ $? -eq 1 ] || { cat "$T/err" >&2; fail "the purge was not refused after the kernel's error"; }
contains "$T/err" "sda degrading (the kernel logged I/O errors on it since"
contains "$T/err" ": \"I/O error, dev sda, sector 4242 op 0x0:(READ)\"); maintenance waits for a backup of sda"
run 0 "$W" -c "$T/week.conf" status --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["drives"][0]
assert d["state"] == "degrading" and "I/O error, dev sda, sector 4242" in d["state_reason"], d
' "$T/out" || fail "status: $(cat "$T/out")"
run 0 "$W" -c "$T/week.conf" history --events sda --format json
python3 -c '
import json, sys
e = [e for e in json.load(open(sys.argv[1]))["events"] if e["event"] == "state"]
assert [x["state"] for x in e] == ["ok", "degrading"] and "sector 4242" in e[1]["reason"], e
' "$T/out" || fail "history --events: $(cat "$T/out")"
run 0 "$W" -c "$T/week.conf" exec backup -- /bin/true
contains "$T/err" "rescue: sda degrading"
echo "kmsg: ok"
