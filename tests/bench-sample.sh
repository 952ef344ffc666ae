#!/bin/sh
# bench-sample.sh — the sample-speed benchmark: drives are read at once, each in a reader of its
# own, so a pass of many drives takes about as long as one. Fake drives (tests/fake-ata.c) that
# answer every command in 50 ms, read through libatasmart's real path; the median wall time of 5
# `weargate sample` passes of 1, 8, 24 and 60 drives, and the ratio of 60 to 1, against 2.
. "$(dirname "$0")/cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}" "${FAKE_ATA:?}"
LATENCY_MS=50
TARGET_RATIO=2

PRELOAD=$(fake_ata_preload)
mkdir -p "$T/dev" "$T/sys"
: >"$T/fake.spec"
i=0
while [ "$i" -lt 60 ]; do
	: >"$T/dev/d$i"
	# a serial of its own: one disk configured twice is refused (weargate(8))
	sed "s/^serial .*/serial BENCH$i/" "$SOURCE_ROOT/data/demo-sda.desc" >"$T/d$i.desc"
	"$WG_BLOB" create "$T/d$i.blob" "$T/d$i.desc" || fail "wg-blob create"
	printf 'device %s\nblob %s\nrdev 8:%d\nlatency_ms %d\nudev_access sat16\n' "$T/dev/d$i" "$T/d$i.blob" "$((i * 16))" \
		"$LATENCY_MS" >>"$T/fake.spec"
	i=$((i + 1))
done

# conf N: a configuration of the first N drives
conf() {
	{
		printf 'database = "%s/db-%s/history.db"\n' "$T" "$1"
		i=0
		while [ "$i" -lt "$1" ]; do
			printf 'drive "d%d" { device = "%s/dev/d%d" }\n' "$i" "$T" "$i"
			i=$((i + 1))
		done
	} >"$T/w$1.conf"
}

# median N: the median wall time in ms of 5 passes over N drives
median() {
	LD_PRELOAD=$PRELOAD WG_FAKE_ATA=$T/fake.spec WEARGATE_SYSFS_ROOT=$T/sys python3 - "$WEARGATE" "$T/w$1.conf" <<'PY'
import os, statistics, subprocess, sys, time
times = []
for _ in range(5):
    t = time.monotonic()
    r = subprocess.run([sys.argv[1], "-q", "-c", sys.argv[2], "sample"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    times.append((time.monotonic() - t) * 1000)
    if r.returncode != 0:
        sys.exit("sample exited %d: %s" % (r.returncode, r.stderr.decode()[-2000:]))
print(int(statistics.median(times)))
PY
}

for n in 1 8 24 60; do
	conf "$n"
	ms=$(median "$n") || fail "a pass over $n drives failed"
	eval "ms_$n=$ms"
	echo "sample-speed: $n drive(s), each command ${LATENCY_MS} ms: $ms ms"
done
# integer arithmetic: ratio in hundredths
ratio=$((ms_60 * 100 / ms_1))
echo "sample-speed: 60 drives take $((ratio / 100)).$(printf '%02d' $((ratio % 100))) times one (target at most $TARGET_RATIO)"
[ "$ratio" -le $((TARGET_RATIO * 100)) ]
