#!/bin/sh
# bench-config.sh — the config-speed benchmark: every command reads the whole configuration, so
# a file at the limits must be read quickly. A 1 MiB file of 1000 drives and 1000 jobs, checked
# by check-config and status (no history yet), and 1 MiB of small drive sections, refused; the median wall time
# of 5 runs each, against 2000 ms (it was 1.4 s and 16 s while reading was quadratic).
. "$(dirname "$0")/cli/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}"
TARGET_MS=2000

python3 "$SOURCE_ROOT/tests/gen-config.py" max "$T/max.conf" || fail "could not write max.conf"
python3 "$SOURCE_ROOT/tests/gen-config.py" many "$T/many.conf" || fail "could not write many.conf"
head -c 10485760 /dev/zero | tr '\0' '#' >"$T/ten.conf"

# median MS CODE CMD...: the median wall time of 5 runs of CMD, each of which must exit CODE
median() {
	python3 - "$@" <<'PY'
import statistics, subprocess, sys, time
want, cmd = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(5):
    t = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append((time.monotonic() - t) * 1000)
    if r.returncode != want:
        sys.exit("%s exited %d, not %d" % (" ".join(cmd), r.returncode, want))
print(int(statistics.median(times)))
PY
}

slow=0
for c in "0 max.conf check-config" "69 max.conf status" "78 many.conf check-config" "78 ten.conf check-config"; do
	set -- $c
	ms=$(median "$1" "$WEARGATE" -c "$T/$2" "$3") || fail "$2 $3"
	echo "config-speed: $3 of $2: $ms ms (target < $TARGET_MS ms)"
	[ "$ms" -lt "$TARGET_MS" ] || slow=1
done
exit "$slow"
