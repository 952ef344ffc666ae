#!/bin/sh
# history.sh — `weargate history`: samples, --trend and --events over a history of known values, formats, sparklines, downsampling.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}"
W=$WEARGATE
TZ=UTC
export TZ
T0=1795600000 # 2026-11-25T09:46:40Z

cat >"$T/disk.desc" <<'DESC'
model "WDC WD5000AAKS-00TMA0"
serial WD-HIST0001
sectors 976773168
status good
attr 5   flags=0x0033 value=200 worst=200 threshold=140 raw=0
attr 9   flags=0x0032 value=80  worst=80  threshold=0   raw=14000
attr 194 flags=0x0022 value=110 worst=95  threshold=0   raw=38
attr 197 flags=0x0032 value=200 worst=200 threshold=0   raw=0
attr 198 flags=0x0030 value=200 worst=200 threshold=0   raw=0
DESC
"$WG_BLOB" create "$T/disk.blob" "$T/disk.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<'CONF'
database = "history.db"
drive "sda" { blob = "disk.blob" }
drive "sdb" { blob = "none.blob" }
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	drives = {"sda"}
}
CONF

# Five passes an hour apart: 197 climbs 0,0,2,2,8 while the temperature goes 38..42.
k=0
for p in 0 0 2 2 8; do
	"$WG_BLOB" set "$T/disk.blob" 197 raw=$p || fail "wg-blob set"
	"$WG_BLOB" set "$T/disk.blob" 194 raw=$((38 + k)) || fail "wg-blob set"
	WEARGATE_NOW=$((T0 + k * 3600)) run 0 "$W" -c "$T/w.conf" sample -q sda
	k=$((k + 1))
done
WEARGATE_NOW=$((T0 + 5 * 3600))
export WEARGATE_NOW

# The table: local time, one column per attribute, the default ones.
run 0 "$W" -c "$T/w.conf" history sda
contains "$T/out" "sda: 5 samples from 2026-11-25 09:46 to 2026-11-25 13:46"
contains "$T/out" "current_pending_sector"
contains "$T/out" "temperature_celsius"
grep -Eq '^2026-11-25 13:46 +0 +8 +0 +42$' "$T/out" || fail "the last row: $(cat "$T/out")"
# a drive never sampled says so; every drive is the default
run 0 "$W" -c "$T/w.conf" history
contains "$T/out" "sdb: no samples in the range"
contains "$T/out" "sda: 5 samples"

# JSON: every sample, UTC, the numbers as they were recorded
run 0 "$W" -c "$T/w.conf" history --format json
json '[d["name"] for d in j["drives"]] == ["sda", "sdb"] and j["drives"][1]["samples"] == []'
json '[s["values"]["current_pending_sector"] for s in j["drives"][0]["samples"]] == [0, 0, 2, 2, 8]'
json '[s["values"]["temperature_celsius"] for s in j["drives"][0]["samples"]] == [38, 39, 40, 41, 42]'
json 'j["drives"][0]["samples"][0]["time"] == "2026-11-25T09:46:40Z"'
json 'set(j["drives"][0]["samples"][0]["values"]) == {"reallocated_sector_ct", "current_pending_sector", "offline_uncorrectable", "temperature_celsius"}'

# The range and the attributes: by id and by name, an unknown attribute is null, never 0
run 0 "$W" -c "$T/w.conf" history sda --attr 197 --attr temperature_celsius,1 --since 2026-11-25T10:00Z --until 2026-11-25T12:50Z --format json
json '[s["time"] for s in j["drives"][0]["samples"]] == ["2026-11-25T10:46:40Z", "2026-11-25T11:46:40Z", "2026-11-25T12:46:40Z"]'
json '[s["values"] for s in j["drives"][0]["samples"]][1] == {"current_pending_sector": 2, "temperature_celsius": 40, "raw_read_error_rate": None}'

# CSV, read back
run 0 "$W" -c "$T/w.conf" history sda --attr 197,194,1 --format csv
python3 - "$T/out" <<'PY' || fail "CSV: $(cat "$T/out")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [int(r["current_pending_sector"]) for r in rows] == [0, 0, 2, 2, 8], rows
assert [int(r["temperature_celsius"]) for r in rows] == [38, 39, 40, 41, 42], rows
assert all(r["raw_read_error_rate"] == "-" for r in rows), rows
assert rows[4]["time"] == "2026-11-25T13:46:40Z" and rows[0]["drive"] == "sda"
PY

# --trend: first and last, per day, first above zero, the largest jump and its samples
run 0 "$W" -c "$T/w.conf" history sda --trend --attr 197,194 --format json
json 'len(j["trends"]) == 2'
json 'j["trends"][0]["first"] == {"time": "2026-11-25T09:46:40Z", "value": 0} and j["trends"][0]["last"] == {"time": "2026-11-25T13:46:40Z", "value": 8}'
json 'abs(j["trends"][0]["per_day"] - 48) < 1e-9 and abs(j["trends"][1]["per_day"] - 24) < 1e-9'
json 'j["trends"][0]["first_nonzero"] == "2026-11-25T11:46:40Z" and j["trends"][1]["first_nonzero"] is None'
json 'j["trends"][0]["largest_jump"] == {"change": 6, "from": {"time": "2026-11-25T12:46:40Z", "value": 2}, "to": {"time": "2026-11-25T13:46:40Z", "value": 8}}'
run 0 "$W" -c "$T/w.conf" history sda --trend --attr 197 --format csv
python3 - "$T/out" <<'PY' || fail "trend CSV: $(cat "$T/out")"
import csv, sys
r = list(csv.DictReader(open(sys.argv[1])))[0]
assert (int(r["first"]), int(r["last"]), float(r["per_day"]), int(r["jump"])) == (0, 8, 48.0, 6), r
assert r["first_nonzero"] == "2026-11-25T11:46:40Z" and r["jump_from_time"] == "2026-11-25T12:46:40Z", r
assert (int(r["jump_from"]), int(r["jump_to"])) == (2, 8), r
PY
LC_ALL=C.UTF-8 run 0 "$W" -c "$T/w.conf" history sda --trend
grep -Eq '^sda +current_pending_sector +0 +8 +\+48\.00 +2026-11-25 11:46 +\+6: 2 → 8, 2026-11-25 12:46 → 2026-11-25 13:46$' "$T/out" ||
	fail "trend table: $(cat "$T/out")"

# Sparklines: Unicode blocks in a UTF-8 locale, ASCII in C
LC_ALL=C.UTF-8 run 0 "$W" -c "$T/w.conf" history sda
grep -Eq '^  current_pending_sector +▁▁▂▂█  0 → 8$' "$T/out" || fail "UTF-8 sparkline: $(cat "$T/out")"
grep -Eq '^  temperature_celsius +▁▂▄▆█  38 → 42$' "$T/out" || fail "UTF-8 sparkline: $(cat "$T/out")"
LC_ALL=C run 0 "$W" -c "$T/w.conf" history sda
grep -Eq '^  current_pending_sector +__\.\.#  0 -> 8$' "$T/out" || fail "ASCII sparkline: $(cat "$T/out")"
LC_ALL=C grep -q "$(printf '\342')" "$T/out" && fail "non-ASCII output in the C locale: $(cat "$T/out")"

# --events: each state sda entered, when (recorded with the samples that showed it), and the gate's decisions
WEARGATE_NOW=$((T0 + 4 * 3600 + 60)) run 1 "$W" -c "$T/w.conf" run
WEARGATE_NOW=$((T0 + 4 * 3600 + 120)) run 1 "$W" -c "$T/w.conf" gate purge
run 0 "$W" -c "$T/w.conf" history --events --format json
json '[(e["event"], e.get("drive"), e.get("state"), e["time"]) for e in j["events"]][:2] == [("state", "sda", "ok", "2026-11-25T09:46:40Z"), ("state", "sda", "degrading", "2026-11-25T11:46:40Z")]'
json '[e["event"] for e in j["events"]][2:] == ["decision", "decision"]'
run 0 "$W" -c "$T/w.conf" history --events sda --format json
json '[e["event"] for e in j["events"]] == ["state", "state", "decision", "decision"]'
json 'j["events"][1]["drive"] == "sda" and j["events"][1]["state"] == "degrading" and "pending sectors 0 → 2" in j["events"][1]["reason"]'
json 'all(e["job"] == "purge" and e["verdict"] == "refuse" and e["states"] == "sda=degrading" for e in j["events"][2:])'
json 'j["events"][3]["time"] == "2026-11-25T13:48:40Z"'
# sdb never read: no state of its own, and the decisions are about sda
run 0 "$W" -c "$T/w.conf" history --events sdb --format json
json 'j["events"] == []'
run 0 "$W" -c "$T/w.conf" history --events
grep -Eq '^2026-11-25 11:46 +state +sda +degrading +pending sectors 0 → 2' "$T/out" || fail "events table: $(cat "$T/out")"
contains "$T/out" "decision purge          refuse"

# Downsampling: 150 samples ten minutes apart, one spike among them, survives as a bucket's highest
cat >"$T/w2.conf" <<'CONF'
database = "history2.db"
drive "sda" { blob = "disk.blob" }
CONF
"$WG_BLOB" set "$T/disk.blob" 197 raw=0
k=0
while [ $k -lt 150 ]; do
	if [ $k -eq 77 ]; then "$WG_BLOB" set "$T/disk.blob" 197 raw=50; fi
	if [ $k -eq 78 ]; then "$WG_BLOB" set "$T/disk.blob" 197 raw=0; fi
	WEARGATE_NOW=$((T0 + k * 600)) "$WEARGATE_PLAIN" -c "$T/w2.conf" sample -q sda || fail "sample $k"
	k=$((k + 1))
done
WEARGATE_NOW=$((T0 + 150 * 600))
run 0 "$W" -c "$T/w2.conf" history
contains "$T/out" "sda: 150 samples from 2026-11-25 09:46 to 2026-11-26 10:36, in"
rows=$(grep -c '^2026-' "$T/out")
[ "$rows" -le 60 ] && [ "$rows" -ge 50 ] || fail "$rows rows for 150 samples: $(cat "$T/out")"
grep -Eq '^2026-11-25 22:[0-9]{2} +0 +0 \(0-50\) ' "$T/out" || fail "the spike is not a bucket's highest: $(cat "$T/out")"
run 0 "$W" -c "$T/w2.conf" history --buckets 0
[ "$(grep -c '^2026-' "$T/out")" -eq 150 ] || fail "--buckets 0 does not show every sample"
run 0 "$W" -c "$T/w2.conf" history --format json
json 'len(j["drives"][0]["samples"]) == 150'
run 0 "$W" -c "$T/w2.conf" history --format csv --attr 197 --buckets 10
python3 - "$T/out" <<'PY' || fail "bucketed CSV: $(cat "$T/out")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) <= 10 and sum(int(r["samples"]) for r in rows) == 150, rows
assert [int(r["current_pending_sector_max"]) for r in rows].count(50) == 1, rows
assert all(int(r["current_pending_sector_min"]) == 0 and int(r["current_pending_sector_last"]) == 0 for r in rows), rows
PY
run 0 "$W" -c "$T/w2.conf" history --format json --buckets 5
json 'len(j["drives"][0]["buckets"]) <= 5 and max(b["max"]["current_pending_sector"] for b in j["drives"][0]["buckets"]) == 50'

# Bad arguments: 64 and a clear message
run 64 "$W" -c "$T/w.conf" history --attr bogus
contains "$T/err" "--attr 'bogus' is not an attribute id (1-255) or name"
run 64 "$W" -c "$T/w.conf" history --attr 256
contains "$T/err" "--attr '256' is not an attribute id"
run 64 "$W" -c "$T/w.conf" history sdz
contains "$T/err" "no drive 'sdz' in"
run 64 "$W" -c "$T/w.conf" history --trend --events
contains "$T/err" "choose one"
run 64 "$W" -c "$T/w.conf" history --jobs sda
contains "$T/err" "--jobs shows every run"
run 64 "$W" -c "$T/w.conf" history --buckets -3
contains "$T/err" "--buckets '-3' is not a number of rows"
run 64 "$W" -c "$T/w.conf" history --since 2026-11-26 --until 2026-11-25
contains "$T/err" "--since is after --until"
run 64 "$W" -c "$T/w.conf" history --since yesterday
contains "$T/err" "--since 'yesterday' is not a duration"
run 64 "$W" -c "$T/w.conf" history --format xml
echo "history: ok"
