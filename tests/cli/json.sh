#!/bin/sh
# json.sh — every command that prints data for a script prints JSON a parser takes, with the same
# facts as its lines: sample, check-config (valid and not), history (samples, --events, --jobs),
# status and gate.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
TZ=UTC
export TZ

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "$T/history.db"
drive "sda" { blob = "$T/sda.blob" }
drive "gone" { blob = "$T/gone.blob" }
job "purge" {
	class = maintenance
	drives = { "sda" }
}
job "backup" {
	class = backup
	drives = { "sda" }
	every = 7d
}
CONF

# sample: every drive, the one that cannot be read too (and said on stderr, exit 69)
run 69 "$W" -c "$T/w.conf" sample --json
json 'j["pass"] == 1 and [d["name"] for d in j["drives"]] == ["sda", "gone"]'
json 'j["drives"][0]["reading"] == "ok" and j["drives"][0]["pending_sectors"] == 0 and j["drives"][0]["state"] == "ok"'
json 'j["drives"][0]["serial"] == "WD-WCAPW1234567" and j["drives"][0]["temperature_c"] == 37 and j["drives"][0]["smart_ok"] is True'
json 'j["drives"][1]["reading"] == "error" and j["drives"][1]["pending_sectors"] is None and j["drives"][1]["state"] == "unknown"'
json 'j["drives"][0]["sampled_at"] == "2026-11-25T09:46:40Z"'
contains "$T/err" "gone: error: cannot read"
# the same facts as the lines
run 0 "$W" -c "$T/w.conf" sample --json sda
json 'j["pass"] == 2 and len(j["drives"]) == 1'
[ -s "$T/err" ] && fail "sample --json wrote to stderr: $(cat "$T/err")"

# the sda that degrades: pending sectors 0 -> 8, an hour later
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
WEARGATE_NOW=$((WEARGATE_NOW + 3600)) run 0 "$W" -c "$T/w.conf" sample --json sda
json 'j["drives"][0]["state"] == "degrading" and j["drives"][0]["pending_sectors"] == 8'
json 'j["drives"][0]["state_since"] == "2026-11-25T10:46:40Z" and "pending sectors 0" in j["drives"][0]["state_reason"]'

# check-config: the drives, and each job with the drives it touches
WEARGATE_NOW=$((WEARGATE_NOW + 3600)) run 0 "$W" -c "$T/w.conf" check-config --json
json 'j["valid"] is True and j["file"].endswith("w.conf") and j["database"].endswith("history.db")'
json '[(d["name"], d["line"], d["device"]) for d in j["drives"]] == [("sda", 2, None), ("gone", 3, None)]'
json '[(x["name"], x["class"], x["touches"], x["every"]) for x in j["jobs"]] == [("purge", "maintenance", ["sda"], None), ("backup", "backup", ["sda"], 604800)]'
json 'j["jobs"][1]["paths"] is None and j["jobs"][1]["drives"] == ["sda"] and j["jobs"][0]["command"] is None'
json 'j["jobs"][0]["on_unknown"] == "defer" and j["jobs"][0]["unmonitored"] == [] and j["messages"] == []'
# not valid: said on stderr, and in the JSON with the file and line
printf 'database = "%s/h2.db"\ndrive "a" { blob = "%s/sda.blob" }\nbogus = 1\n' "$T" "$T" >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config --json
json 'j["valid"] is False and j["drives"] is None and j["jobs"] is None'
json 'len(j["messages"]) == 1 and ":3:" in j["messages"][0] and "bogus" in j["messages"][0]'
contains "$T/err" ":3: "

# the gate and the history: a decision recorded, its events and its runs
WEARGATE_NOW=$((WEARGATE_NOW + 3700)) run 1 "$W" -c "$T/w.conf" gate --json purge
json 'j["verdict"] == "refuse"'
WEARGATE_NOW=$((WEARGATE_NOW + 3800)) run 0 "$W" -c "$T/w.conf" exec backup -- true
WEARGATE_NOW=$((WEARGATE_NOW + 4000)) run 0 "$W" -c "$T/w.conf" history --json --events --since 1d
json 'any(e.get("verdict") == "refuse" and e.get("job") == "purge" for e in j["events"])'
json 'any(e.get("state") == "degrading" for e in j["events"])'
WEARGATE_NOW=$((WEARGATE_NOW + 4000)) run 0 "$W" -c "$T/w.conf" history --jobs --json --since 1d
json '[(r["job"], r["outcome"]) for r in j["runs"]] == [("backup", "success")]'
WEARGATE_NOW=$((WEARGATE_NOW + 4000)) run 0 "$W" -c "$T/w.conf" history sda --json --since 1d
json '[d["name"] for d in j["drives"]] == ["sda"]'
json '[x["values"]["current_pending_sector"] for x in j["drives"][0]["samples"]][:3] == [0, 0, 8]'
# --json is --format json: the same bytes
cp "$T/out" "$T/json.out"
WEARGATE_NOW=$((WEARGATE_NOW + 4000)) run 0 "$W" -c "$T/w.conf" history sda --format json --since 1d
cmp -s "$T/out" "$T/json.out" || fail "history --json and --format json differ"
WEARGATE_NOW=$((WEARGATE_NOW + 4000)) run 0 "$W" -c "$T/w.conf" status --json
json '[d["state"] for d in j["drives"]] == ["degrading", "unknown"]'
exit 0
