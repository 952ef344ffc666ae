#!/bin/sh
# time.sh — the verdict holds over time: DESIGN.md's story with one sample a day, a failing drive's one last
# chance, a clock set ahead for a night, and one disk configured twice.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}"
W=$WEARGATE
# the loops that only build a history run weargate itself, even under valgrind
P=${WEARGATE_PLAIN:-$W}
TZ=UTC
export TZ
DAY=86400
T0=1795575600 # 2026-11-25T03:00:00Z: the nightly sample

sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
		"$T/history.db" "$1"
}

cat >"$T/disk.desc" <<'DESC'
model "WDC WD5000AAKS-00TMA0"
serial WD-DAILY0001
sectors 976773168
status good
attr 5   flags=0x0033 value=200 worst=200 threshold=140 raw=0
attr 9   flags=0x0032 value=80  worst=80  threshold=0   raw=14000
attr 194 flags=0x0022 value=110 worst=95  threshold=0   raw=38
attr 197 flags=0x0032 value=200 worst=200 threshold=0   raw=0
attr 198 flags=0x0030 value=200 worst=200 threshold=0   raw=0
DESC
"$WG_BLOB" create "$T/sda.blob" "$T/disk.desc" || fail "wg-blob create"
cat >"$T/purge.sh" <<EOF
#!/bin/sh
# the purge wears the drive: pending sectors appear
"$WG_BLOB" set "$T/sda.blob" 197 raw=8
EOF
chmod +x "$T/purge.sh"
cat >"$T/w.conf" <<CONF
database = "history.db"
drive "sda" { blob = "sda.blob" }
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda"}
}
job "purge" {
	class = maintenance
	command = {"$T/purge.sh"}
	drives = {"sda"}
}
CONF

# --- DESIGN.md's story, sampled once a day (a daily cron, or a drive left in standby) ---
for d in 0 1 2; do
	WEARGATE_NOW=$((T0 + d * DAY)) run 0 "$P" -c "$T/w.conf" sample -q
done
# night 3: the purge runs on a disk that looks healthy, and pending sectors appear under it
N3=$((T0 + 3 * DAY))
WEARGATE_NOW=$N3 run 0 "$P" -c "$T/w.conf" sample -q
WEARGATE_NOW=$((N3 + 600)) run 0 "$W" -c "$T/w.conf" exec purge -- "$T/purge.sh"
contains "$T/err" "weargate: sda is degrading: pending sectors 0 → 8"
# the purge waits for a backup; the backup goes first, throttled
WEARGATE_NOW=$((N3 + 1200)) run 1 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "maintenance waits for a backup of sda"
WEARGATE_NOW=$((N3 + 1800)) run 0 "$W" -c "$T/w.conf" exec backup -- /bin/true
contains "$T/err" "rescue: sda degrading"
WEARGATE_NOW=$((N3 + 1900)) run 0 "$W" -c "$T/w.conf" status --json
since=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["drives"][0]["state_since"])' "$T/out")
[ "$since" = "2026-11-28T03:10:00Z" ] || fail "the degradation began at $since, not when the purge's sample showed it"
# then 60 days of one sample a day: the start stays, the credit of that backup holds, asked at any time
for d in $(seq 4 63); do
	t=$((T0 + d * DAY))
	WEARGATE_NOW=$t run 0 "$P" -c "$T/w.conf" sample -q
	for o in 0 1 61 1800; do
		WEARGATE_NOW=$((t + o)) "$P" -c "$T/w.conf" gate --json purge >"$T/out" 2>"$T/err"
		got=$?
		# the first day it waits out the cooldown after the backup; never again for a backup
		[ "$got" -eq 75 ] && [ "$d" -eq 4 ] && grep -q "cooldown of 24h after the last heavy job" "$T/err" && continue
		[ "$got" -eq 0 ] || fail "day $d +${o}s: the purge is not allowed ($got): $(cat "$T/err")"
		python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
d = j["drives"][0]
assert j["throttle"] and d["state"] == "degrading" and d["since"] == "2026-11-28T03:10:00Z", j
' "$T/out" || fail "day $d +${o}s: $(cat "$T/out")"
	done
done
# and through the real binary (valgrind, when asked) once more at the end
WEARGATE_NOW=$((T0 + 63 * DAY + 61)) run 0 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: go (throttled): sda degrading (pending sectors 8 since 2026-11-28 03:10 UTC); backed up at 2026-11-28 03:30 UTC, throttled"

# --- a failing drive, sampled once a day: one last-chance backup in 60 days, whenever asked ---
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0
for d in 0 1 2; do
	WEARGATE_NOW=$((T0 + d * DAY)) run 0 "$P" -c "$T/w.conf" sample -q
done
"$WG_BLOB" status "$T/sda.blob" bad
chances=0
for d in $(seq 3 62); do
	t=$((T0 + d * DAY))
	WEARGATE_NOW=$t run 0 "$P" -c "$T/w.conf" sample -q
	for o in 0 1 61 1800; do
		WEARGATE_NOW=$((t + o)) "$P" -c "$T/w.conf" exec backup -- /bin/true >"$T/out" 2>"$T/err"
		case $? in
		0) grep -q "go (last chance)" "$T/err" && chances=$((chances + 1)) ;;
		1) grep -q "replace the drive" "$T/err" || fail "day $d +${o}s: refused, but why: $(cat "$T/err")" ;;
		*) fail "day $d +${o}s: exec backup: $(cat "$T/err")" ;;
		esac
	done
done
[ "$chances" -eq 1 ] || fail "$chances last-chance backups in 60 days of daily samples, not 1"
[ "$(sql "SELECT count(*) FROM job_run WHERE job = 'backup'")" -eq 1 ] || fail "more than one backup of a failing drive ran"
"$WG_BLOB" status "$T/sda.blob" good

# --- a clock ten years ahead for one night, then set right: a worn drive is gated as ever ---
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
"$WG_BLOB" set "$T/sda.blob" 5 raw=4
WEARGATE_NOW=$T0 run 0 "$W" -c "$T/w.conf" sample -q
AHEAD=$((T0 + 3650 * DAY))
WEARGATE_NOW=$AHEAD run 0 "$W" -c "$T/w.conf" exec backup -- /bin/true
WEARGATE_NOW=$((T0 + DAY)) run 0 "$W" -c "$T/w.conf" sample -q
# the backup stamped in 2036 is no last heavy job now: nothing waits 3649 days for its cooldown
WEARGATE_NOW=$((T0 + DAY + 60)) run 0 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: go (throttled): sda worn"
WEARGATE_NOW=$((T0 + DAY + 60)) run 0 "$W" -c "$T/w.conf" status
grep -q -- "-[0-9]" "$T/out" && grep -E '^sda ' "$T/out" | grep -q -- ' -[0-9]' && fail "a negative age: $(cat "$T/out")"
# (the backup's samples before and after it, the backup, the gate's decision)
contains "$T/err" "the history holds 2 sample passes stamped later than now (2026-11-26T03:01:00Z), the newest at 2036-11-22T03:00:00Z"
contains "$T/err" "1 job run stamped later than now"
WEARGATE_NOW=$((T0 + DAY + 60)) run 0 "$W" -c "$T/w.conf" check-config
contains "$T/err" "2 sample passes stamped later than now"
# the step back is recorded as such
WEARGATE_NOW=$((T0 + DAY + 60)) run 0 "$W" -c "$T/w.conf" history --events --since 30d --until 2037-01-01
contains "$T/out" "clock"
contains "$T/out" "the clock went back: this pass was stamped before the one recorded before it, at 2036-11-22T03:00:00Z"
"$WG_BLOB" set "$T/sda.blob" 5 raw=0

# --- one disk configured twice ---
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
# by its name and a link to it (the /dev/sda and /dev/disk/by-id/… case): check-config names both, file and line
ln -s sda.blob "$T/by-id.blob"
cat >"$T/twice.conf" <<'CONF'
database = "history.db"
drive "sda" { blob = "sda.blob" }
drive "wdc" { blob = "by-id.blob" }
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda", "wdc"}
}
CONF
run 78 "$W" -c "$T/twice.conf" check-config
contains "$T/err" "$T/twice.conf:3: drive 'wdc' ($T/by-id.blob) is the blob of drive 'sda' ($T/sda.blob, line 2)"
# sampled, neither is recorded as the disk, and the pass says why
WEARGATE_NOW=$T0 run 0 "$W" -c "$T/w.conf" sample -q
WEARGATE_NOW=$((T0 + 600)) run 78 "$W" -c "$T/twice.conf" sample
contains "$T/err" "sda: duplicate: reports the same model and serial as drive 'wdc'"
contains "$T/err" "wdc: duplicate: reports the same model and serial as drive 'sda'"
[ "$(sql "SELECT count(*) FROM drive WHERE placeholder IS NULL")" -eq 1 ] || fail "the disk has more than one history"
[ "$(sql "SELECT sum(n) + (SELECT coalesce(sum(n), 0) FROM chunk_tail WHERE chunk_id IN (SELECT id FROM chunk WHERE drive_id = (SELECT id FROM drive WHERE placeholder IS NULL))) FROM chunk WHERE drive_id = (SELECT id FROM drive WHERE placeholder IS NULL)")" -eq 1 ] ||
	fail "the disk's own history got the twins' samples"
# a job on it is not run on half a history, and run does not trip over it
WEARGATE_NOW=$((T0 + 700)) run 1 "$W" -c "$T/twice.conf" gate backup
contains "$T/err" "configure the disk once"
WEARGATE_NOW=$((T0 + 800)) run 1 "$W" -c "$T/twice.conf" run
contains "$T/out" "backup: refuse:"
grep -q "UNIQUE" "$T/err" && fail "run: $(cat "$T/err")"
# two blobs, two files, one identity (two bridges that report the same model and serial)
cp "$T/sda.blob" "$T/twin.blob"
sed 's/by-id.blob/twin.blob/' "$T/twice.conf" >"$T/twins.conf"
run 0 "$W" -c "$T/twins.conf" check-config
WEARGATE_NOW=$((T0 + 900)) run 78 "$W" -c "$T/twins.conf" sample
contains "$T/err" "wdc: duplicate: reports the same model and serial as drive 'sda'"
WEARGATE_NOW=$((T0 + 960)) run 1 "$W" -c "$T/twins.conf" exec backup -- /bin/true
contains "$T/err" "configure the disk once"
# configured once again, the disk is recorded as itself, its history whole
WEARGATE_NOW=$((T0 + 1200)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "sda: read: WDC WD5000AAKS-00TMA0 (serial WD-DAILY0001)"
[ "$(sql "SELECT sum(n) + (SELECT coalesce(sum(n), 0) FROM chunk_tail WHERE chunk_id IN (SELECT id FROM chunk WHERE drive_id = (SELECT id FROM drive WHERE placeholder IS NULL))) FROM chunk WHERE drive_id = (SELECT id FROM drive WHERE placeholder IS NULL)")" -eq 2 ] ||
	fail "the disk's history does not go on from its own samples"
exit 0
