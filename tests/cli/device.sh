#!/bin/sh
# device.sh — drives read through the kernel's interfaces, as on a server: tests/fake-ata.c
# (LD_PRELOAD) makes a plain file answer ATA commands at the ioctl level, so that weargate's own
# commands and libatasmart's real code path both run, and logs every command the "drive" gets.
# A drive in standby or asleep gets CHECK POWER MODE and nothing else, through every access mode;
# SMART switched off is never switched on; EIO on IDENTIFY, READ DATA or RETURN STATUS makes an
# error reading; a drive that goes away is an error; a drive that hangs does not hold up the
# pass, the gate or weargate's exit.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}" "${FAKE_ATA:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "device: python3 is needed to look into the history"; exit 77; }

PRELOAD=$(fake_ata_preload)
mkdir -p "$T/dev" "$T/sys" "$T/db"
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
sed 's/^serial .*/serial WD-SECOND-DRIVE/' "$SOURCE_ROOT/data/demo-sda.desc" | "$WG_BLOB" create "$T/sdb.blob" - ||
	fail "wg-blob create"
: >"$T/dev/sda"
: >"$T/dev/sdb"

# wg ARGS...: weargate with the fake drives of $T/fake.spec under it
wg() {
	LD_PRELOAD=$PRELOAD WG_FAKE_ATA=$T/fake.spec WEARGATE_SYSFS_ROOT=$T/sys "$W" -c "$T/w.conf" "$@"
}
# spec LINES...: the fake drive sda, from its blob, logging to $T/sda.log, and these lines
spec() {
	{
		printf 'device %s\nblob %s\nlog %s\n' "$T/dev/sda" "$T/sda.blob" "$T/sda.log"
		printf '%s\n' "$@"
	} >"$T/fake.spec"
	rm -f "$T/sda.log"
}
# conf ACCESS [EXTRA]: the drive sda read through ACCESS; EXTRA goes in its section
conf() {
	cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
drive "sda" {
	device = "$T/dev/sda"
	access = "$1"
	${2:-}
}
job "purge" {
	class = maintenance
	drives = {"sda"}
}
job "backup" {
	class = backup
	drives = {"sda"}
}
CONF
}
sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$T/db/history.db" "$1"
}
# reached: the commands that reached the drive, one per line (a transport the drive does not answer refuses them)
reached() {
	grep -v ' refused \|^woken' "$T/sda.log" 2>/dev/null
}
nothing_enabled() {
	! grep -q 'SMART ENABLE' "$T/sda.log" 2>/dev/null || { cat "$T/sda.log" >&2; fail "$1: SMART ENABLE OPERATIONS reached the drive"; }
}

# --- an awake drive: read through libatasmart after weargate's own two commands ---
conf auto
spec
run 0 wg -v sample
contains "$T/out" "sda: read: WDC WD5000AAKS-00TMA0 (serial WD-WCAPW1234567), reallocated 0, pending 0"
[ "$(reached | head -n 2 | tr '\n' '|')" = "linux-ide CHECK POWER MODE|linux-ide IDENTIFY DEVICE|" ] ||
	{ cat "$T/sda.log" >&2; fail "weargate's own CHECK POWER MODE and IDENTIFY did not come first"; }
grep -q '^sat16 SMART READ DATA$' "$T/sda.log" || { cat "$T/sda.log" >&2; fail "libatasmart's own choice (sat16, as udev's parent bus says) did not read the drive"; }
nothing_enabled "an awake drive"

# --- standby and sleep: CHECK POWER MODE alone, through every access mode ---
for mode in auto linux-ide sat16 sat12; do
	conf "$mode"
	for power in standby sleep; do
		spec "power $power"
		run 0 wg sample
		contains "$T/out" "sda: skipped: $power: "
		contains "$T/out" "not woken (use --wake)"
		case $mode in auto) via=linux-ide ;; *) via=$mode ;; esac
		[ "$(reached)" = "$via CHECK POWER MODE" ] ||
			{ cat "$T/sda.log" >&2; fail "access $mode, $power: more than CHECK POWER MODE reached the drive"; }
	done
done
# under auto, a drive that only one transport reaches: the others are tried first, and refused
conf auto
spec "power standby" "transports sat12"
run 0 wg sample
contains "$T/out" "sda: skipped: standby: not woken (use --wake)"
[ "$(reached)" = "sat12 CHECK POWER MODE" ] || { cat "$T/sda.log" >&2; fail "auto, sat12 only: more than CHECK POWER MODE reached the drive"; }
[ "$(grep -c ' refused CHECK POWER MODE' "$T/sda.log")" -eq 2 ] || { cat "$T/sda.log" >&2; fail "auto did not try linux-ide and sat16 first"; }
# the standby readings are recorded, against the drive last seen under the name
[ "$(sql "SELECT count(*) FROM pass")" -eq 10 ] || fail "the standby readings were not all recorded"
run 0 wg status --json
json "j['drives'][0]['reading'] == 'standby' and j['drives'][0]['state'] == 'ok' and j['drives'][0]['pending_sectors'] == 0"

# --wake reads a drive in standby or asleep (which spins it up)
for power in standby sleep; do
	spec "power $power"
	run 0 wg sample --wake
	contains "$T/out" "sda: read: WDC WD5000AAKS-00TMA0"
	grep -q "^woken from $power by IDENTIFY DEVICE$" "$T/sda.log" || { cat "$T/sda.log" >&2; fail "--wake did not read the drive in $power"; }
done

# status: how long a drive has been skipped; past sample_max_age it is unknown, never woken for it
rm -rf "$T/db"
conf auto
spec
T0=$WEARGATE_NOW
run 0 wg sample
spec "power standby"
for h in 1 3 7; do
	WEARGATE_NOW=$((T0 + h * 3600)) run 0 wg sample
	[ "$(reached)" = "linux-ide CHECK POWER MODE" ] || { cat "$T/sda.log" >&2; fail "the drive was woken after ${h}h"; }
	rm -f "$T/sda.log"
	[ "$h" -eq 3 ] || continue
	WEARGATE_NOW=$((T0 + 3 * 3600 + 300)) run 0 wg status
	contains "$T/out" "5m (standby for 2h)"
done
WEARGATE_NOW=$((T0 + 7 * 3600 + 300)) run 0 wg status --json
json "j['drives'][0]['reading'] == 'standby' and j['drives'][0]['skipped_since'] == '2026-11-25T10:46:40Z' and j['drives'][0]['skipped_seconds'] == 6 * 3600 + 300 and j['drives'][0]['state'] == 'unknown' and 'the latest usable sample is 7h old (limit 6h)' in j['drives'][0]['state_reason']"
WEARGATE_NOW=$((T0 + 7 * 3600 + 300)) run 75 wg gate purge
contains "$T/err" "purge: defer: sda unknown (latest sample 5m ago: standby: not woken (use --wake)"
[ ! -s "$T/sda.log" ] || { cat "$T/sda.log" >&2; fail "the gate sent a command to a drive sampled 5m ago"; }
WEARGATE_NOW=$((T0 + 7 * 3600 + 300)) run 0 wg status --json
json "j['drives'][0]['skipped_since'] == '2026-11-25T10:46:40Z'"
# read awake again: no longer skipped
spec
WEARGATE_NOW=$((T0 + 8 * 3600)) run 0 wg sample
WEARGATE_NOW=$((T0 + 8 * 3600)) run 0 wg status --json
json "j['drives'][0]['skipped_since'] is None and j['drives'][0]['state'] == 'ok'"

# --- SMART switched off: not switched on, not read, unknown with the reason ---
for mode in auto linux-ide sat16; do
	rm -rf "$T/db"
	conf "$mode"
	spec "smart off"
	run 69 wg sample
	contains "$T/err" "sda: unsupported: SMART is disabled on the drive (smartctl -s on $T/dev/sda turns it on; weargate never does)"
	nothing_enabled "access $mode, SMART off"
	grep -q 'SMART READ' "$T/sda.log" && { cat "$T/sda.log" >&2; fail "access $mode: a drive with SMART off was read"; }
	run 0 wg status --json
	json "j['drives'][0]['state'] == 'unknown' and 'SMART is disabled on the drive' in j['drives'][0]['state_reason'] and j['drives'][0]['model'] == 'WDC WD5000AAKS-00TMA0'"
	run 75 wg gate purge
	contains "$T/err" "purge: defer: sda unknown"
	contains "$T/err" "SMART is disabled on the drive"
done

# --- I/O errors: an error reading that names the command, never an ok one ---
conf auto
for cmd in IDENTIFY READ_DATA RETURN_STATUS; do
	case $cmd in
	IDENTIFY) said="IDENTIFY DEVICE failed on '$T/dev/sda': Input/output error" ;;
	READ_DATA) said="SMART READ DATA failed on '$T/dev/sda': Input/output error" ;;
	RETURN_STATUS) said="SMART RETURN STATUS failed on '$T/dev/sda': Input/output error" ;;
	esac
	rm -rf "$T/db"
	spec "fail $cmd eio"
	run 69 wg sample
	contains "$T/err" "sda: error: $said"
	[ -z "$(cat "$T/out")" ] || fail "EIO on $cmd: something was reported as read: $(cat "$T/out")"
	[ "$(sql "SELECT count(*) FROM pass")" -eq 1 ] || fail "EIO on $cmd: the reading was not recorded"
	run 0 wg status --json
	json "j['drives'][0]['reading'] == 'error' and j['drives'][0]['state'] == 'unknown' and j['drives'][0]['pending_sectors'] is None"
	nothing_enabled "EIO on $cmd"
done
# a drive that refuses RETURN STATUS's answer format (no status record) is read, its self-assessment unknown
rm -rf "$T/db"
cp "$T/sda.blob" "$T/nostatus.blob"
"$WG_BLOB" status "$T/nostatus.blob" none || fail "wg-blob status"
{ printf 'device %s\nblob %s\nlog %s\n' "$T/dev/sda" "$T/nostatus.blob" "$T/sda.log"; } >"$T/fake.spec"
rm -f "$T/sda.log"
run 0 wg sample
contains "$T/out" "self-assessment unknown"
[ "$(grep -c 'SMART RETURN STATUS' "$T/sda.log")" -eq 2 ] || { cat "$T/sda.log" >&2; fail "weargate did not ask RETURN STATUS itself once libatasmart's answer was unreadable"; }

# --- the device goes away between two passes ---
rm -rf "$T/db"
spec
run 0 wg sample
rm "$T/dev/sda"
run 69 wg sample
contains "$T/err" "sda: error: cannot open '$T/dev/sda': No such file or directory"
run 0 wg status --json
json "j['drives'][0]['reading'] == 'error' and j['drives'][0]['state'] == 'ok' and j['drives'][0]['pending_sectors'] == 0"
: >"$T/dev/sda"

# --- a drive that hangs for 120 s beside a healthy one, read_timeout 2s ---
rm -rf "$T/db"
cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
read_timeout = 2s
drive "sda" { device = "$T/dev/sda" }
drive "sdb" { device = "$T/dev/sdb" }
job "purge" {
	class = maintenance
	drives = {"sda"}
}
job "backup" {
	class = backup
	drives = {"sda"}
}
job "other" {
	class = maintenance
	drives = {"sdb"}
}
CONF
hang_spec() {
	{
		printf 'device %s\nblob %s\nlog %s\n' "$T/dev/sda" "$T/sda.blob" "$T/sda.log"
		[ -n "$1" ] && printf 'hang %s 120\n' "$1"
		printf 'device %s\nblob %s\nrdev 8:16\n' "$T/dev/sdb" "$T/sdb.blob"
	} >"$T/fake.spec"
	rm -f "$T/sda.log"
}
# seconds since $1 (date +%s.%N)
since() {
	python3 -c "import sys, time; print(int(time.time() - float(sys.argv[1])))" "$1"
}
for cmd in IDENTIFY READ_DATA; do
	case $cmd in
	IDENTIFY) said="no answer to IDENTIFY DEVICE within 2s" ;;
	READ_DATA) said="no answer to SMART READ THRESHOLDS or SMART READ DATA within 2s" ;;
	esac
	hang_spec "$cmd"
	start=$(date +%s.%N)
	# the hang is 120 s: a pass that waited for it would be killed by timeout (124) long before
	run 69 timeout 100 sh -c 'LD_PRELOAD=$1 WG_FAKE_ATA=$2 WEARGATE_SYSFS_ROOT=$3 "$4" -c "$5" sample' sh \
		"$PRELOAD" "$T/fake.spec" "$T/sys" "$W" "$T/w.conf"
	took=$(since "$start")
	contains "$T/out" "sdb: read: WDC WD5000AAKS-00TMA0 (serial WD-SECOND-DRIVE)"
	contains "$T/err" "sda: timeout: $said"
	[ "$took" -lt 60 ] || fail "a pass beside a drive hung on $cmd took ${took}s with read_timeout 2s"
done
# the healthy drive's reading was committed with the timeout beside it
[ "$(sql "SELECT count(*) FROM pass")" -eq 2 ] || fail "the passes beside the hung drive were not recorded"
run 0 wg status --json
json "j['drives'][0]['reading'] == 'timeout' and 'no answer to' in j['drives'][0]['reading_reason'] and j['drives'][1]['reading'] == 'ok'"

# gate: the hung drive's newest sample is stale; the gate reads it, gives up after read_timeout
# and answers from the history (nothing usable young enough: unknown, so on_unknown decides)
for job in purge:75:defer backup:0:go; do
	name=${job%%:*} code=${job#*:} code=${code%%:*} verdict=${job##*:}
	rm -rf "$T/db"
	hang_spec ""
	WEARGATE_NOW=$((WEARGATE_NOW - 8 * 3600)) run 0 wg sample
	hang_spec IDENTIFY
	start=$(date +%s.%N)
	run "$code" timeout 100 sh -c 'LD_PRELOAD=$1 WG_FAKE_ATA=$2 WEARGATE_SYSFS_ROOT=$3 "$4" -c "$5" gate "$6"' sh \
		"$PRELOAD" "$T/fake.spec" "$T/sys" "$W" "$T/w.conf" "$name"
	took=$(since "$start")
	contains "$T/err" "$name: $verdict: sda unknown"
	contains "$T/err" "sda: no answer to IDENTIFY DEVICE within 2s: judged from its history"
	[ "$took" -lt 60 ] || fail "gate $name beside a hung drive took ${took}s with read_timeout 2s"
done
# a job on the healthy drive alone is not held up by the hung one
run 0 timeout 100 sh -c 'LD_PRELOAD=$1 WG_FAKE_ATA=$2 WEARGATE_SYSFS_ROOT=$3 "$4" -c "$5" gate other' sh \
	"$PRELOAD" "$T/fake.spec" "$T/sys" "$W" "$T/w.conf"
[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "the history is damaged"
echo "device: ok"
