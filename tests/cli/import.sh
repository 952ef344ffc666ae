#!/bin/sh
# import.sh — `weargate import`: smartd's attribute logs and smartctl's JSON reports into the
# history, matched to the drive weargate read, idempotent, a damaged file refused whole, and the
# health model judging by them (a count that grew last week in smartd's log: degrading now).
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
"$WG_BLOB" set "$T/sda.blob" 5 raw=8 || fail "wg-blob set"
printf 'database = "history.db"\ndrive "sda" { blob = "sda.blob" }\n' >"$T/w.conf"
sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$T/history.db" "$1"
}
now=1795600000
# the samples in the history, as weargate reads them back (a repeat may wait in its pass's row)
samples() {
	WEARGATE_NOW=$((now + 1800)) "$W" -c "$T/w.conf" history sda --attr 9 --since 30d --buckets 0 --format csv |
		grep -c '^sda,'
}

# weargate's first sample: 8 reallocated sectors, as far as it knows always there
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" sample
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" status --json
json 'j["drives"][0]["state"] == "worn"'

# smartd's log of the ten days before, as smartd writes it (UTC; "\tID;VALUE;RAW;" per attribute):
# the count grew from 0 to 8 three days ago
# smartd_log FILE DAYS GROW_AGO [BAD_LINE]
smartd_log() {
	python3 - "$1" "$now" "$2" "$3" "${4:-0}" <<'PY'
import sys, time
path, now, days, grow_ago, bad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with open(path, "w") as f:
    n = days * 48
    for i in range(n):
        t = now - (n - i) * 1800
        if i + 1 == bad:
            f.write("2024-13-01 00:00:00;\t5;200;0;\n")
            continue
        line = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ";"
        realloc = 8 if t >= now - grow_ago * 86400 else 0
        for a in [(1, 200, 0), (3, 178, 4083), (5, 200 if not realloc else 199, realloc), (9, 83, 12000 + i // 2),
                  (194, 113, 37 + i % 3), (197, 200, 0), (198, 200, 0), (199, 200, 0)]:
            line += "\t%d;%d;%d;" % a
        f.write(line + "\n")
PY
}
log=$T/attrlog.WDC_WD5000AAKS_00TMA0-WD_WCAPW1234567.ata.csv
smartd_log "$log" 10 3
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" import smartd "$log"
contains "$T/out" "ata.csv: 480 of 480 samples imported, to drive 'sda' (WDC WD5000AAKS-00TMA0, serial WD-WCAPW1234567)"
samples=$(samples)
[ "$samples" -eq 481 ] || fail "$samples samples in the history, not 481"
[ "$(sql 'SELECT count(*) FROM drive')" -eq 1 ] || fail "the log's drive is not the drive weargate read"
# degrading on day one: the growth three days ago is in the window
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" status --json
json 'j["drives"][0]["state"] == "degrading"'
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" history sda --attr 5 --since 11d --buckets 0 --format csv
contains "$T/out" "sda,$(date -u -d @$((now - 10 * 86400)) +%Y-%m-%dT%H:%M:%SZ),0"
contains "$T/out" "sda,$(date -u -d @$((now - 3 * 86400)) +%Y-%m-%dT%H:%M:%SZ),8"
# and the next sample goes on from there
WEARGATE_NOW=$((now + 1800)) run 0 "$W" -c "$T/w.conf" sample -q

# idempotent: the same again adds nothing
WEARGATE_NOW=$((now + 1800)) run 0 "$W" -c "$T/w.conf" import smartd "$log"
contains "$T/out" "0 of 480 samples imported"
[ "$(samples)" -eq 482 ] || fail "a second import added samples"

# a damaged file: the line named, nothing of the file added (a drive of its own: its good lines would be)
bad=$T/attrlog.ST3200820AS-5QE0ABCD.ata.csv
smartd_log "$bad" 5 1 200
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartd "$bad"
contains "$T/err" "attrlog.ST3200820AS-5QE0ABCD.ata.csv', line 200: column 1: not a time"
contains "$T/err" "nothing of it was imported"
[ "$(sql 'SELECT count(*) FROM drive')" -eq 1 ] || fail "the damaged file's drive was recorded"
[ "$(samples)" -eq 482 ] || fail "the damaged file's good lines were recorded"
# the other files of the same command are imported all the same
good=$T/attrlog.ST3200820AS-5QE0WXYZ.ata.csv
smartd_log "$good" 1 0
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartd "$bad" "$good"
contains "$T/out" "attrlog.ST3200820AS-5QE0WXYZ.ata.csv: 48 of 48 samples imported, to drive 'import-5QE0WXYZ'"
# --json: one object per file, in order, the one refused with its reason, and nothing added twice
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import --json smartd "$bad" "$good" "$log"
json '[(f["read"], f["samples"], f["added"], f["drive"]) for f in j["files"]] == [(False, None, None, None), (True, 48, 0, "import-5QE0WXYZ"), (True, 480, 0, "sda")]'
json '"line 200" in j["files"][0]["error"] and j["files"][0]["file"].endswith("5QE0ABCD.ata.csv")'
json 'j["files"][2]["serial"] == "WD-WCAPW1234567" and j["files"][2]["model"] == "WDC WD5000AAKS-00TMA0"'
contains "$T/err" "line 200"
# a SCSI drive's log, a name smartd does not write, a file that is not there
printf '2024-03-01 10:00:00;\tread-corr-by-ecc-fast;0;\ttemperature;40;\n' >"$T/attrlog.SEAGATE_ST900-X1.ata.csv"
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartd "$T/attrlog.SEAGATE_ST900-X1.ata.csv"
contains "$T/err" "line 1: column 22: 'read-corr-by-ecc-fast' is not an ATA attribute"
cp "$good" "$T/smart.log"
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartd "$T/smart.log"
contains "$T/err" "not the name of a smartd attribute log"
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartd "$T/missing.ata.csv"
contains "$T/err" "cannot read"
WEARGATE_NOW=$((now + 1800)) run 64 "$W" -c "$T/w.conf" import smartlog "$good"
contains "$T/err" "'smartlog' is not a kind of file weargate imports"

# smartctl --json: a report of sda from before weargate read it, then the same again
cat >"$T/sda.json" <<JSON
{"json_format_version": [1, 0], "device": {"name": "/dev/sda", "protocol": "ATA"},
 "model_name": "WDC WD5000AAKS-00TMA0", "serial_number": "WD-WCAPW1234567", "firmware_version": "12.01C01",
 "smart_status": {"passed": true},
 "ata_smart_attributes": {"table": [
  {"id": 5, "value": 200, "worst": 200, "thresh": 140, "flags": {"value": 51}, "raw": {"value": 0, "string": "0"}},
  {"id": 9, "value": 83, "worst": 83, "thresh": 0, "flags": {"value": 50}, "raw": {"value": 11000, "string": "11000"}}]},
 "local_time": {"time_t": $((now - 20 * 86400)), "asctime": "-"}}
JSON
WEARGATE_NOW=$((now + 1800)) run 0 "$W" -c "$T/w.conf" import smartctl "$T/sda.json"
contains "$T/out" "sda.json: 1 of 1 samples imported, to drive 'sda'"
WEARGATE_NOW=$((now + 1800)) run 0 "$W" -c "$T/w.conf" import smartctl "$T/sda.json"
contains "$T/out" "sda.json: 0 of 1 samples imported"
WEARGATE_NOW=$((now + 1800)) run 0 "$W" -c "$T/w.conf" history sda --attr 9 --since 21d --buckets 0 --format csv
contains "$T/out" "sda,$(date -u -d @$((now - 20 * 86400)) +%Y-%m-%dT%H:%M:%SZ),11000"
printf '{"model_name": "M", "serial_number": "S", "local_time": {"time_t": 5}, ' >"$T/cut.json"
WEARGATE_NOW=$((now + 1800)) run 65 "$W" -c "$T/w.conf" import smartctl "$T/cut.json"
contains "$T/err" "cut.json': offset 71: an object member without a name; nothing of it was imported"

# a report imported before weargate ever read the drive: its own samples and passes come after, numbered so
printf 'database = "early.db"\ndrive "sda" { blob = "sda.blob" }\n' >"$T/e.conf"
WEARGATE_NOW=$now run 0 "$W" -c "$T/e.conf" import smartctl "$T/sda.json"
WEARGATE_NOW=$now run 0 "$W" -c "$T/e.conf" sample -q
WEARGATE_NOW=$((now + 600)) run 0 "$W" -c "$T/e.conf" sample -q
[ "$(python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute("SELECT count(*) FROM chunk WHERE id > 0 AND first_pass > 0").fetchone()[0], c.execute("SELECT count(*) FROM pass WHERE id > 0").fetchone()[0])' "$T/early.db")" = "1 2" ] ||
	fail "weargate's own samples after an import are not numbered above it"
WEARGATE_NOW=$((now + 600)) run 0 "$W" -c "$T/e.conf" history sda --attr 5 --since 21d --buckets 0 --format csv
[ "$(grep -c '^sda,' "$T/out")" -eq 3 ] || { cat "$T/out" >&2; fail "the imported and own samples do not read back in order"; }
grep -q "^sda,$(date -u -d @$((now - 20 * 86400)) +%Y-%m-%dT%H:%M:%SZ),0$" "$T/out" || fail "the imported sample is not first"

# real drives' reports (../shared/realdata), where present: each ATA report with a time is imported once
real=$SOURCE_ROOT/../shared/realdata/smartctl-json
if [ -d "$real" ]; then
	printf 'database = "real.db"\ndrive "sda" { blob = "sda.blob" }\n' >"$T/r.conf"
	set -- "$real"/*/*.json
	expected=$(python3 - "$@" <<'PY'
import json, sys
n = 0
for path in sys.argv[1:]:
    j = json.load(open(path))
    ok = (j.get("device", {}).get("protocol", "ATA") == "ATA" and isinstance(j.get("local_time", {}).get("time_t"), int)
          and j.get("model_name") and j.get("serial_number") and "table" in j.get("ata_smart_attributes", {}))
    n += bool(ok)
print(n)
PY
)
	WEARGATE_NOW=$now "$W" -q -c "$T/r.conf" import smartctl "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 65 ] || fail "import of the real reports exited $rc"
	WEARGATE_NOW=$now run "$rc" "$W" -c "$T/r.conf" import smartctl "$@"
	read_ok=$(grep -c ' of 1 samples imported' "$T/out")
	[ "$read_ok" -eq "$expected" ] || fail "$read_ok of $# real reports read, expected $expected"
	[ "$(grep -c ': 1 of 1 samples imported' "$T/out")" -eq 0 ] || fail "a second import of the real reports added samples"
	echo "import: $expected of $# real smartctl --json reports read (the others are not ATA drives' or have no time)"
else
	echo "import: no ../shared/realdata/smartctl-json here: the real reports were not tried"
fi
echo "import: ok"
