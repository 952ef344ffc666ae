#!/bin/sh
# realdata.sh — real drives' smartctl reports (../shared/realdata): weargate reads them as smartctl did
#
# Rebuilds every report as a blob with tests/smartctl2blob.py, then test-realdata checks the
# decoded values and the states against what smartctl printed and prints the figures. Skips
# (77) where the reports, python3 or smartmontools' drive database are not there.
: "${SOURCE_ROOT:?}" "${TEST_REALDATA:?}"
data=$SOURCE_ROOT/../shared/realdata
drivedb=${WEARGATE_TEST_DRIVEDB:-/usr/share/smartmontools/drivedb.h}
if [ ! -d "$data" ]; then
	echo "realdata: $data is absent: skipped"
	exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "realdata: python3 not found: skipped"
	exit 77
fi
if [ ! -r "$drivedb" ]; then
	echo "realdata: $drivedb not found (Debian: apt-get install smartmontools): skipped"
	exit 77
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/wg-realdata-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
python3 "$SOURCE_ROOT/tests/smartctl2blob.py" --tree "$data" "$T" || exit 1
"$TEST_REALDATA" "$T/manifest.tsv" "$drivedb"
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"

# The Hitachi of the README whose 5 reads "11112 (0 1225)": the count is the low word, and the word
# above it moves with other data. Replayed as a history of 27 hours with that word stepping up, the
# count holds at 11112 and the drive stays worn; read as 32 bits, each step would be 65536 more
# reallocated sectors and the drive "failing within 24h".
: "${WEARGATE:?}" "${WG_BLOB:?}"
blob=$(awk -F '\t' '$1 == "R" { b = $2; m = $4 } $1 == "A" && m ~ /HTS725050A7E630$/ && $2 == 5 && $11 == "11112 (0 1225)" { print b; exit }' "$T/manifest.tsv")
if [ -z "$blob" ]; then
	echo "realdata: the Hitachi HTS725050A7E630 report with 5 at \"11112 (0 1225)\" is not there: history skipped"
	exit 0
fi
cp "$blob" "$T/hitachi.blob"
cat >"$T/w.conf" <<CONF
database = "$T/history.db"
drivedb = "$drivedb"
drive "sda" { blob = "$T/hitachi.blob" }
CONF
chmod 0600 "$T/w.conf"
now=1800000000
for step in $(seq 0 54); do
	"$WG_BLOB" set "$T/hitachi.blob" 5 raw=$((((1225 + step) << 16) | 11112)) || exit 1
	WEARGATE_NOW=$((now + step * 1800)) "$WEARGATE" -q -c "$T/w.conf" sample || exit 1
done
WEARGATE_NOW=$((now + 54 * 1800)) "$WEARGATE" -c "$T/w.conf" status --json >"$T/status.json" || exit 1
WEARGATE_NOW=$((now + 54 * 1800)) "$WEARGATE" -c "$T/w.conf" history sda --attr 5 --since 2d --format csv >"$T/history.csv" || exit 1
python3 - "$T/status.json" "$T/history.csv" <<'PY' || exit 1
import csv, json, sys
d = json.load(open(sys.argv[1]))["drives"][0]
values = {row[-1] for row in list(csv.reader(open(sys.argv[2])))[1:]}
problems = []
if d["reallocated_sectors"] != 11112:
    problems.append("reallocated sectors %r, not 11112" % d["reallocated_sectors"])
if d["state"] != "worn":
    problems.append("state %s (%s), not worn" % (d["state"], d["state_reason"]))
if values != {"11112"}:
    problems.append("history of 5: %s, not 11112 throughout" % sorted(values))
if problems:
    print("realdata: the Hitachi history: " + "; ".join(problems))
    sys.exit(1)
print("realdata: the Hitachi history: 55 samples over 27 h, its upper word stepping: 5 holds at 11112, worn")
PY
