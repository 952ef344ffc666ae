#!/bin/sh
# bench-import.sh — the import-speed benchmark: ten years of smartd's half-hourly attribute log of
# one drive (175,200 lines of 16 attributes, as smartd writes them) imported in one command, the
# states recorded anew after it; the target is 10 s. Then the same file again, which adds nothing.
. "$(dirname "$0")/cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
TARGET=10
LINES=175200

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
printf 'database = "history.db"\ndrive "sda" { blob = "sda.blob" }\n' >"$T/w.conf"
now=1795600000
WEARGATE_NOW=$now "$WEARGATE" -q -c "$T/w.conf" sample || fail "sample"
log=$T/attrlog.WDC_WD5000AAKS_00TMA0-WD_WCAPW1234567.ata.csv
python3 - "$log" "$now" "$LINES" <<'PY'
import sys, time
path, now, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "w") as f:
    for i in range(n):
        t = now - (n - i) * 1800
        line = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + ";"
        for a in [(1, 200, 0), (3, 178, 4083), (4, 100, 212), (5, 200, i // 20000), (7, 200, 0), (9, 83, 12000 + i // 2),
                  (10, 100, 0), (12, 100, 201 + i // 5000), (192, 200, 143), (193, 200, 1837 + i // 10),
                  (194, 113, 30 + (i // 7) % 9), (196, 200, 0), (197, 200, 0), (198, 200, 0), (199, 200, 0), (200, 200, 0)]:
            line += "\t%d;%d;%d;" % a
        f.write(line + "\n")
PY
python3 - "$WEARGATE" "$T/w.conf" "$log" "$now" "$TARGET" "$LINES" <<'PY'
import os, subprocess, sys, time
weargate, conf, log, now, target, lines = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]), int(sys.argv[6])
env = dict(os.environ, WEARGATE_NOW=now)
def timed():
    t = time.monotonic()
    r = subprocess.run([weargate, "-c", conf, "import", "smartd", log], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("import-speed: exit %d: %s" % (r.returncode, r.stderr))
    return time.monotonic() - t, r.stdout.strip()
first, said = timed()
again, said2 = timed()
print("import-speed: %s" % said)
print("import-speed: %d lines (%d MB) imported in %.2f s (target <= %.0f s), states recorded anew included; "
      "the same file again in %.2f s: %s" % (lines, os.path.getsize(log) >> 20, first, target, again, said2))
sys.exit(0 if first <= target and " 0 of " in said2 else 1)
PY
