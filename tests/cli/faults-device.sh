#!/bin/sh
# faults-device.sh — readings that go wrong end to end: every corruption of a saved reading, a device
# that vanishes, an I/O error, a reader without permission, a clock set back. Each reading is recorded
# for what it is (exit 69 when a drive could not be read), the values shown stay the last usable
# ones, nothing recorded before is lost, and the gate answers from the history.
# (test-blob and test-smart try the parser and the checks one by one; this is what an admin sees.)
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "faults-device: python3 is needed to damage the readings"; exit 77; }

"$WG_BLOB" create "$T/good.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cp "$T/good.blob" "$T/sda.blob"
# conf SOURCE: the drive sda read from SOURCE ("blob = ..." or "device = ..."), always the same history
conf() {
	cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
drive "sda" { $1 }
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
conf "blob = \"$T/sda.blob\""
T0=$WEARGATE_NOW
run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "sda: read:"

# --- every way a saved reading can be damaged (IDFY at 0, SMST at 520, SMDT at 532, SMTH at 1052) ---
cases=$(cat <<'CASES'
unusable	empty blob	b = b''
unusable	truncated record header at offset 0: 8 bytes needed, 4 present	b = b[:4]
unusable	truncated record 'SMTH' at offset 1052: 512 bytes announced, 100 present	b = b[:1052 + 8 + 100]
unusable	no 'IDFY' record	b[0:4] = b'IDFX'
unusable	record 'SMST' at offset 520 has length 5, expected 4	b[524:528] = (5).to_bytes(4, 'big')
unusable	record 'SMST' at offset 520 holds 2, expected 0 or 1	b[531] = 2
unusable	duplicate record 'SMDT' at offset 1572 (first at offset 532)	b += b[532:1052]
unusable	identify page checksum mismatch	b[8 + 200] ^= 0x10
unusable	SMART data page checksum mismatch	b[540 + 100] ^= 0x10
unusable	SMART threshold page checksum mismatch	b[1060 + 100] ^= 0x10
unusable	attribute table corrupt: slot 1 holds id 1, thresholds say 3	b[540 + 2 + 12] = b[540 + 2]; b[540 + 511] = (-sum(b[540:540 + 511])) & 0xff
unusable	SMART data page lists no attributes	b[540 + 2:540 + 2 + 360] = bytes(360); b[540 + 511] = (-sum(b[540:540 + 511])) & 0xff; b = b[:1052]
unusable	is larger than 65536 bytes: not a SMART blob	b += bytes(70000)
unsupported	no SMART data in the reading	b = b[:532]
CASES
)
i=0
n=1
printf '%s\n' "$cases" | while IFS='	' read -r status reason edit; do
	i=$((i + 1))
	python3 -c "import sys; b = bytearray(open(sys.argv[1], 'rb').read()); $edit; open(sys.argv[2], 'wb').write(b)" \
		"$T/good.blob" "$T/sda.blob" || fail "cannot damage the reading: $edit"
	now=$((T0 + i * 60))
	n=$((n + 1))
	WEARGATE_NOW=$now run 69 "$W" -c "$T/w.conf" sample
	contains "$T/err" "sda: $status: "
	contains "$T/err" "$reason"
	# the gate answers from the usable sample, young enough, without reading the drive again
	WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" gate purge
	contains "$T/err" "purge: go: sda ok"
	[ "$(sql 'SELECT count(*) FROM pass')" -eq "$n" ] || fail "the $status reading was not recorded, or the gate read the drive again"
	# status: this reading, and the values of the last usable one, with its time
	WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" status --json
	json "j['drives'][0]['reading'] == '$status' and j['drives'][0]['state'] == 'ok' and j['drives'][0]['pending_sectors'] == 0 and j['drives'][0]['values_sampled_at'] == '2026-11-25T09:46:40Z'"
done || exit 1
n=$(sql 'SELECT count(*) FROM pass')

# --- what is there is not a saved reading, or cannot be read ---
cp "$T/good.blob" "$T/sda.blob"
mkfifo "$T/fifo.blob"
mkdir "$T/dir.blob"
for what in fifo dir eio missing; do
	case $what in
	fifo) src=$T/fifo.blob reason="cannot read '$T/fifo.blob': a FIFO, not a saved reading" ;;
	dir) src=$T/dir.blob reason="cannot read '$T/dir.blob': Is a directory" ;;
	eio) src=/proc/self/mem reason="cannot read '/proc/self/mem': Input/output error" ;; # address 0: EIO
	missing) src=$T/gone.blob reason="cannot read '$T/gone.blob': No such file or directory" ;;
	esac
	conf "blob = \"$src\""
	n=$((n + 1))
	# (timeout: a FIFO once hung the sampler for ever)
	WEARGATE_NOW=$((T0 + 1800)) run 69 timeout 20 "$W" -c "$T/w.conf" sample
	contains "$T/err" "sda: error: $reason"
	[ "$(sql 'SELECT count(*) FROM pass')" -eq "$n" ] || fail "the $what reading was not recorded"
	WEARGATE_NOW=$((T0 + 1800)) run 0 "$W" -c "$T/w.conf" status --json
	json "j['drives'][0]['reading'] == 'error' and j['drives'][0]['pending_sectors'] == 0"
done

# --- the device vanishes between samples (the history follows the drive by its name here) ---
conf "device = \"$T/dev/disk/by-id/ata-WDC_WD5000AAKS-00TMA0_WD-WCAPW1234567\""
n=$((n + 1))
WEARGATE_NOW=$((T0 + 3600)) run 69 "$W" -c "$T/w.conf" sample
contains "$T/err" "sda: error: cannot open '$T/dev/disk/by-id/ata-WDC_WD5000AAKS-00TMA0_WD-WCAPW1234567': No such file or directory"
# still young, the usable sample decides; once it is older than sample_max_age (6h), the drive is unknown
WEARGATE_NOW=$((T0 + 3600)) run 0 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: go: sda ok"
WEARGATE_NOW=$((T0 + 7 * 3600)) run 75 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: defer: sda unknown"
WEARGATE_NOW=$((T0 + 7 * 3600)) run 0 "$W" -c "$T/w.conf" gate backup
contains "$T/err" "backup: go: sda unknown"
WEARGATE_NOW=$((T0 + 7 * 3600)) run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda   unknown"
# a file or a character device where the disk was
: >"$T/not-a-disk"
conf "device = \"$T/not-a-disk\""
WEARGATE_NOW=$((T0 + 7 * 3600)) run 69 "$W" -c "$T/w.conf" sample
contains "$T/err" "sda: error: cannot read '$T/not-a-disk': not a block device"
conf 'device = "/dev/null"'
WEARGATE_NOW=$((T0 + 7 * 3600)) run 69 "$W" -c "$T/w.conf" sample
contains "$T/err" "sda: error: cannot read '/dev/null': not a block device"

# --- a user who may not read the drive: as root, sampled as nobody into a history nobody may write ---
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
	chmod 0755 "$T"
	chown -R nobody "$T/db"
	cp "$T/good.blob" "$T/secret.blob"
	chmod 0600 "$T/secret.blob"
	conf "blob = \"$T/secret.blob\""
	WEARGATE_NOW=$((T0 + 8 * 3600)) run 69 nobody "$W" -c "$T/w.conf" sample
	contains "$T/err" "sda: error: cannot read '$T/secret.blob': Permission denied"
	# a device node only root may open (major 7: a loop device; the open is refused before any driver)
	mkdir -p "$T/dev"
	if mknod "$T/dev/sdq" b 7 250 2>/dev/null; then
		chmod 0600 "$T/dev/sdq"
		conf "device = \"$T/dev/sdq\""
		WEARGATE_NOW=$((T0 + 8 * 3600)) run 69 nobody "$W" -c "$T/w.conf" sample
		contains "$T/err" "sda: error: cannot open '$T/dev/sdq': Permission denied"
	else
		echo "faults-device: SKIP a device node nobody may open (cannot mknod here)"
	fi
	WEARGATE_NOW=$((T0 + 8 * 3600)) run 0 nobody "$W" -c "$T/w.conf" status --json
	json "j['drives'][0]['reading'] == 'error' and 'Permission denied' in j['drives'][0]['reading_reason']"
	chown -R root "$T/db"
	chmod 0700 "$T"
else
	echo "faults-device: SKIP readings as an unprivileged user (needs root, setpriv and user nobody)"
fi
[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "the history is damaged"

# --- the clock set back between samples (weargate(8), CAVEATS) ---
rm -rf "$T/db"
conf "blob = \"$T/sda.blob\""
cp "$T/good.blob" "$T/sda.blob"
WEARGATE_NOW=$T0 run 0 "$W" -c "$T/w.conf" sample
WEARGATE_NOW=$((T0 + 3600)) run 0 "$W" -c "$T/w.conf" sample
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
# set back a day: recorded, and judged at that time
WEARGATE_NOW=$((T0 - 86400)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "pending 8"
[ "$(sql 'SELECT count(*) FROM pass')" -eq 3 ] || fail "a sample taken after the clock was set back was not recorded"
WEARGATE_NOW=$((T0 - 86400 + 60)) run 0 "$W" -c "$T/w.conf" status --json
json "j['drives'][0]['state'] == 'degrading' and j['drives'][0]['pending_sectors'] == 8"
WEARGATE_NOW=$((T0 - 86400 + 60)) run 1 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: refuse: sda degrading"
# the clock right again: the newest sample is the one taken last, and it looks a day old, so the
# drive is unknown until it is read again; the gate reads it, and still sees the pending sectors
WEARGATE_NOW=$((T0 + 7200)) run 0 "$W" -c "$T/w.conf" status --json
json "j['drives'][0]['state'] == 'unknown' and j['drives'][0]['pending_sectors'] == 8"
WEARGATE_NOW=$((T0 + 7200)) run 1 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: refuse: sda degrading"
[ "$(sql 'SELECT count(*) FROM pass')" -eq 4 ] || fail "the gate did not read the drive whose newest sample looked old"
# history: in the order taken, each with the time it was stamped with
WEARGATE_NOW=$((T0 + 7200)) run 0 "$W" -c "$T/w.conf" history --since 3d --format csv
[ "$(cut -d, -f2,4 "$T/out" | tail -n +2 | tr '\n' ' ')" = \
	"2026-11-25T09:46:40Z,0 2026-11-25T10:46:40Z,0 2026-11-24T09:46:40Z,8 2026-11-25T11:46:40Z,8 " ] ||
	fail "history is not in the order the samples were taken: $(cat "$T/out")"
WEARGATE_NOW=$((T0 + 7200)) run 0 "$W" -c "$T/w.conf" history --since 3d --trend
contains "$T/out" "current_pending_sector"
[ "$(sql 'PRAGMA integrity_check')" = ok ] || fail "the history is damaged"
echo "faults-device: ok"
