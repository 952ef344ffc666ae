#!/bin/sh
# bench-sample-blob.sh — the sample-blob-speed benchmark: `weargate sample` of 60 blob drives against one.
# Each reading is decoded by weargate itself (no regular expressions compiled per attribute, as
# libatasmart's parser does: about 9.8 ms a reading, 26 times one drive's run for 60). The
# median wall time of 15 runs each, after a first run that matches the drives in the drive
# database; the target is 60 drives in at most twice one drive's time.
. "$(dirname "$0")/cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
TARGET_RATIO=2.0
DRIVES=60

for i in $(seq 1 $DRIVES); do
	sed -e "s/^serial .*/serial BENCH$(printf %04d "$i")/" "$SOURCE_ROOT/data/demo-sda.desc" |
		"$WG_BLOB" create "$T/d$i.blob" - || fail "wg-blob create"
done
{
	echo "database = \"$T/one.db\""
	echo "drive \"d1\" { blob = \"$T/d1.blob\" }"
} >"$T/one.conf"
{
	echo "database = \"$T/all.db\""
	for i in $(seq 1 $DRIVES); do echo "drive \"d$i\" { blob = \"$T/d$i.blob\" }"; done
} >"$T/all.conf"
chmod 0600 "$T/one.conf" "$T/all.conf"

python3 - "$WEARGATE" "$T/one.conf" "$T/all.conf" "$DRIVES" "$TARGET_RATIO" <<'PY'
import os, statistics, subprocess, sys, time
weargate, one, many, drives, target = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
now = 1800000000

def run(conf):
    global now
    now += 600
    env = dict(os.environ, WEARGATE_NOW=str(now))
    t = time.monotonic()
    r = subprocess.run([weargate, "-q", "-c", conf, "sample"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    elapsed = (time.monotonic() - t) * 1000
    if r.returncode != 0:
        sys.exit("sample-blob-speed: %s: exit %d: %s" % (conf, r.returncode, r.stderr.decode()))
    return elapsed

first = (run(one), run(many))
times = {one: [], many: []}
for _ in range(15):
    for conf in (one, many):
        times[conf].append(run(conf))
a, b = statistics.median(times[one]), statistics.median(times[many])
print(
      "sample-blob-speed: first runs (matching in the drive database): 1 drive %.1f ms, %d drives %.1f ms" % (first[0], drives, first[1]))
print("sample-blob-speed: median of 15: 1 drive %.1f ms, %d drives %.1f ms = %.2fx (target <= %.1fx)" % (a, drives, b, b / a, target))
sys.exit(0 if b / a <= target else 1)
PY
