#!/bin/sh
# sample-status.sh — `sample` then `status` end to end, on the demo config and on a drive that degrades.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?WEARGATE must name the built weargate binary}"
: "${BUILD_ROOT:?}" "${WG_BLOB:?}"

# The README's demo, in a scratch copy so that the build tree's history stays untouched.
cp "$BUILD_ROOT/data/demo.conf" "$BUILD_ROOT/data/demo-sda.blob" "$T/" || fail "the demo is not built"
run 0 "$WEARGATE" -c "$T/demo.conf" sample
contains "$T/out" "sda: read:"
[ -s "$T/err" ] && fail "sample wrote to stderr: $(cat "$T/err")"
run 0 "$WEARGATE" -c "$T/demo.conf" status --json
json 'len(j["drives"]) == 1'
json 'j["drives"][0]["name"] == "sda" and j["drives"][0]["state"] == "ok"'
json 'j["drives"][0]["sampled_at"] == "2026-11-25T09:46:40Z" and j["drives"][0]["age_seconds"] == 0'
json 'all(k in j["drives"][0] for k in ("model","serial","firmware","reallocated_sectors","pending_sectors","offline_uncorrectable","temperature_c","power_on_hours","smart_ok","attributes"))'
json 'j["drives"][0]["smart_ok"] is True and j["drives"][0]["pending_sectors"] == 0'
json 'all(set(a) >= {"id","name","value","worst","threshold","raw"} for a in j["drives"][0]["attributes"])'

# A drive of our own, that degrades between two passes.
cat >"$T/disk.desc" <<'DESC'
model "WDC WD5000AAKS-00TMA0"
serial WD-TEST0001
firmware 12.01C01
sectors 976773168
status good
attr 5   flags=0x0033 value=200 worst=200 threshold=140 raw=0
attr 9   flags=0x0032 value=80  worst=80  threshold=0   raw=14000
attr 194 flags=0x0022 value=110 worst=95  threshold=0   raw=38
attr 197 flags=0x0032 value=200 worst=200 threshold=0   raw=0
attr 198 flags=0x0030 value=200 worst=200 threshold=0   raw=0
DESC
"$WG_BLOB" create "$T/disk.blob" "$T/disk.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "state/history.db"
drive "sda" { blob = "disk.blob" }
drive "ssd" { blob = "ssd.blob" }
CONF
cat >"$T/ssd.desc" <<'DESC'
model "INTEL SSDSA2CW120G3"
serial CVPR0001
attr 9   flags=0x0032 value=100 worst=100 threshold=0 raw=45
attr 233 flags=0x0032 value=99  worst=99  threshold=0 raw=0
DESC
"$WG_BLOB" create "$T/ssd.blob" "$T/ssd.desc" || fail "wg-blob create"

run 0 "$WEARGATE" -v -c "$T/w.conf" sample
contains "$T/out" "sda: read: WDC WD5000AAKS-00TMA0 (serial WD-TEST0001), reallocated 0, pending 0"
contains "$T/out" "self-assessment passed (5 attributes, read through blob)"
contains "$T/out" "ssd: read: INTEL SSDSA2CW120G3"
[ -f "$T/state/history.db" ] || fail "the database was not created beside the config"

"$WG_BLOB" set "$T/disk.blob" 197 raw=8 || fail "wg-blob set"
WEARGATE_NOW=1795600600 run 0 "$WEARGATE" -c "$T/w.conf" sample sda
contains "$T/out" "pending 8"
grep -q '^ssd' "$T/out" && fail "'sample sda' read ssd too"
WEARGATE_NOW=1795600900 run 0 "$WEARGATE" -c "$T/w.conf" status --json
json '[d["name"] for d in j["drives"]] == ["sda", "ssd"]'
json 'j["drives"][0]["state"] == "degrading" and j["drives"][0]["pending_sectors"] == 8'
json 'j["drives"][0]["age_seconds"] == 300 and j["drives"][1]["age_seconds"] == 900'
# an SSD without attributes 5 and 197: unknown is null, never 0
json 'j["drives"][1]["reallocated_sectors"] is None and j["drives"][1]["pending_sectors"] is None'
json 'j["drives"][1]["serial"] == "CVPR0001" and j["drives"][1]["temperature_c"] is None'

WEARGATE_NOW=1795600900 run 0 "$WEARGATE" -c "$T/w.conf" status
contains "$T/out" "NAME"
contains "$T/out" "sda   degrading"
contains "$T/out" "sda: degrading: pending sectors 0 → 8 since 2026-11-25 09:56 UTC"

# A corrupt reading is recorded as unusable, never as a healthy drive.
printf 'garbage' | dd of="$T/disk.blob" bs=1 seek=600 conv=notrunc 2>/dev/null
WEARGATE_NOW=1795601200 run 69 "$WEARGATE" -c "$T/w.conf" sample
contains "$T/err" "sda: unusable: SMART data page checksum mismatch"
contains "$T/out" "ssd: read:"
WEARGATE_NOW=1795601200 run 0 "$WEARGATE" -c "$T/w.conf" status --json
json 'j["drives"][0]["reading"] == "unusable" and "checksum" in j["drives"][0]["reading_reason"]'
# the counters shown are the last usable ones, and say when they were read
json 'j["drives"][0]["pending_sectors"] == 8 and j["drives"][0]["values_sampled_at"] == "2026-11-25T09:56:40Z"'

# A blob that vanished: an error reading, recorded, exit 69.
rm "$T/ssd.blob"
WEARGATE_NOW=1795601800 run 69 "$WEARGATE" -c "$T/w.conf" sample ssd
contains "$T/err" "ssd: error: cannot read '$T/ssd.blob': No such file or directory"
echo "sample-status: ok"
