#!/bin/sh
# drivedb.sh — smartmontools' drive database end to end: matched once, recorded, shown, missing, malformed, changed.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}"
W=$WEARGATE

# A drive database of our own, in the grammar of smartmontools' drivedb.h.
db() {
	cat >"$T/drivedb.h" <<EOF
/* weargate's test drive database */
{ "VERSION: 9.9 \$Id: drivedb.h $1 2030-01-01 00:00:00Z test \$", "-", "-", "Version information", "" },
{ "DEFAULT", "-", "-", "Default settings",
  "-v 5,raw16(raw16),Reallocated_Sector_Ct -v 9,raw24(raw8),Power_On_Hours "
  "-v 194,tempminmax,Temperature_Celsius -v 197,raw48,Current_Pending_Sector" },
{ "Test Family A", // a comment
  "TEST MODEL [0-9]+", "",
  "A firmware update is available.\\nSee the vendor.",
  "$2" },
EOF
}
db 1 "-v 197,raw48,Bogus_Current_Pend_Sect"
cat >"$T/d.desc" <<'DESC'
model "TEST MODEL 7"
serial T0001
firmware FW1
sectors 976773168
status good
attr 5   flags=0x0033 value=100 worst=100 threshold=10 raw=80292712
attr 9   flags=0x0032 value=80  worst=80  threshold=0  raw=14000
attr 194 flags=0x0022 value=110 worst=95  threshold=0  raw=193274839077
attr 197 flags=0x0032 value=200 worst=200 threshold=0  raw=1
DESC
"$WG_BLOB" create "$T/d.blob" "$T/d.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "$T/history.db"
drivedb = "$T/drivedb.h"
drive "sda" { blob = "$T/d.blob" }
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	drives = {"sda"}
}
CONF
chmod 0600 "$T/w.conf"

# Matched and recorded: 5 is the low word (0x2b68 = 11112), 197 a bogus count by name, 37 C.
run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "sda: read: TEST MODEL 7 (serial T0001), reallocated 11112, pending ?, offline uncorrectable ?, 37 C"
contains "$T/out" "; worn: "
[ -s "$T/err" ] && fail "sample warned: $(cat "$T/err")"
run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda: Test Family A (drive database: $T/drivedb.h (9.9/1 2030-01-01))"
contains "$T/out" "sda: drive database warning: A firmware update is available. See the vendor."
run 0 "$W" -c "$T/w.conf" status --json
json 'j["drives"][0]["family"] == "Test Family A" and j["drives"][0]["drivedb_warning"].startswith("A firmware update")'
json 'j["drives"][0]["reallocated_sectors"] == 11112 and j["drives"][0]["pending_sectors"] is None'
json '[[a["name"], a["decoded"], a["raw_string"], a["format"]] for a in j["drives"][0]["attributes"] if a["id"] == 5] == [["Reallocated_Sector_Ct", 11112, "11112 (0 1225)", "raw16(raw16)"]]'
json '[[a["name"], a["raw"], a["decoded"]] for a in j["drives"][0]["attributes"] if a["id"] == 197] == [["Bogus_Current_Pend_Sect", 1, 1]]'
json '[a["decoded"] for a in j["drives"][0]["attributes"] if a["id"] == 194] == [37]'
run 0 "$W" -c "$T/w.conf" export
contains "$T/out" 'smartmon_attr_raw_value{disk="sda",type="ata",name="bogus_current_pend_sect",smart_id="197",source="weargate"} 1'
contains "$T/out" 'smartmon_attr_raw_value{disk="sda",type="ata",name="reallocated_sector_ct",smart_id="5",source="weargate"} 11112'
contains "$T/out" 'model_family="Test Family A",device_model='
run 0 "$W" -c "$T/w.conf" report --output "$T/report.html"
contains "$T/report.html" "<th>family</th><td>Test Family A</td>"
contains "$T/report.html" "<th>drive database warning</th><td>A firmware update is available."

# The gate, status, export and report never read the file: a broken one changes nothing for them.
printf '{ "broken\n' >"$T/drivedb.h"
run 0 "$W" -c "$T/w.conf" gate purge
grep -q "sda worn (.*11112" "$T/err" || fail "the gate did not judge sda worn by its 11112 sectors: $(cat "$T/err")"
grep -q "drive database\|drivedb" "$T/err" && fail "the gate read the drive database: $(cat "$T/err")"
run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda: Test Family A (drive database:"
# ... but the next sample does, warns with the file and line, and reads with smartctl's defaults.
WEARGATE_NOW=$((WEARGATE_NOW + 600)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/err" "weargate: warning: $T/drivedb.h:1: string not closed"
contains "$T/out" "pending 1"
WEARGATE_NOW=$((WEARGATE_NOW + 600)) run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda: not in the drive database (drive database: malformed: $T/drivedb.h:1: string not closed"
contains "$T/out" "smartctl's default attribute formats)"
# ... and not again while the file stays as it is.
WEARGATE_NOW=$((WEARGATE_NOW + 1200)) run 0 "$W" -c "$T/w.conf" sample
[ -s "$T/err" ] && fail "sample matched again in the same file: $(cat "$T/err")"

# A new version that reads 5 as 48 bits: matched again, and the whole history reads with it.
WEARGATE_NOW=$((WEARGATE_NOW + 1800)) run 0 "$W" -c "$T/w.conf" history sda --attr 5 --since 1d --format csv
[ "$(tail -n +2 "$T/out" | cut -d, -f3 | sort -u)" = 11112 ] || fail "the history of 5: $(cat "$T/out")"
db 2 "-v 5,raw48,Reallocated_Sector_Ct -v 197,raw48,Current_Pending_Sector"
WEARGATE_NOW=$((WEARGATE_NOW + 1800)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "reallocated 80292712, pending 1"
WEARGATE_NOW=$((WEARGATE_NOW + 1800)) run 0 "$W" -c "$T/w.conf" history sda --attr 5 --since 1d --format csv
[ "$(tail -n +2 "$T/out" | wc -l)" -ge 4 ] || fail "the history is short: $(cat "$T/out")"
[ "$(tail -n +2 "$T/out" | cut -d, -f3 | sort -u)" = 80292712 ] || fail "the history of 5 is not read with the new entry: $(cat "$T/out")"
WEARGATE_NOW=$((WEARGATE_NOW + 1800)) run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "(drive database: $T/drivedb.h (9.9/2 2030-01-01))"

# A configured file that is gone: warned about, smartctl's defaults, and status says why.
rm "$T/drivedb.h"
WEARGATE_NOW=$((WEARGATE_NOW + 2400)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/err" "weargate: warning: drive database '$T/drivedb.h' not found"
WEARGATE_NOW=$((WEARGATE_NOW + 2400)) run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda: not in the drive database (drive database: none: '$T/drivedb.h' not found; smartctl's default attribute formats)"

# An id the firmware lists twice (Kingston A400's 246): usable, noted, and exported once.
python3 - "$T/d.blob" <<'PY' || fail "could not repeat an attribute"
import sys
b = bytearray(open(sys.argv[1], "rb").read())
data, th = 540, 1060  # SMDT and SMTH payloads
b[data + 2 + 12 * 4:data + 2 + 12 * 5] = b[data + 2 + 12 * 3:data + 2 + 12 * 4]
b[th + 2 + 12 * 4:th + 2 + 12 * 5] = b[th + 2 + 12 * 3:th + 2 + 12 * 4]
for off in (data, th):
    b[off + 511] = (-sum(b[off:off + 511])) & 0xff
open(sys.argv[1], "wb").write(b)
PY
WEARGATE_NOW=$((WEARGATE_NOW + 3000)) run 0 "$W" -c "$T/w.conf" sample
contains "$T/out" "sda: read:"
WEARGATE_NOW=$((WEARGATE_NOW + 3000)) run 0 "$W" -c "$T/w.conf" status
contains "$T/out" "sda: note: the drive lists attribute 197 twice; the first is read, as smartctl does"
WEARGATE_NOW=$((WEARGATE_NOW + 3000)) run 0 "$W" -c "$T/w.conf" export
# one series of 197 in each family that has one: smartmon.py's four, and smartmon.sh's four of its name
[ "$(grep -c 'smart_id="197"' "$T/out")" = 8 ] && [ "$(grep 'smart_id="197"' "$T/out" | cut -d'{' -f1 | sort -u | wc -l)" = 8 ] ||
	fail "197 is not exported once per family: $(grep 'smart_id="197"' "$T/out")"
echo "drivedb: ok"
