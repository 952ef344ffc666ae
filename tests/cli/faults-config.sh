#!/bin/sh
# faults-config.sh — configuration files that are wrong in every way errors.sh, check-config.sh and
# test-config do not already try: exit 78, one message naming the file (and the line), never a crash.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "faults-config: python3 is needed to write the large files"; exit 77; }

# ms CMD...: run CMD and print how long it took, in milliseconds, and its exit status
ms() {
	python3 - "$@" <<'PY'
import subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(int((time.monotonic() - t) * 1000), r.returncode)
PY
}

# --- size: a file of 10 MB is refused before it is read; one of 1 MiB at the limits reads fast ---
head -c 10485760 /dev/zero | tr '\0' '#' >"$T/ten.conf"
run 78 "$W" -c "$T/ten.conf" check-config
contains "$T/err" "'$T/ten.conf' is larger than 1048576 bytes"
set -- $(ms "$W" -c "$T/ten.conf" check-config)
[ "$2" = 78 ] || fail "10 MB: exit $2"
[ "$1" -lt 2000 ] || fail "refusing a 10 MB file took $1 ms"
echo "faults-config: a 10 MB file refused in $1 ms"

# 1000 drives and 1000 jobs (the most there may be), padded with comments to just under 1 MiB
python3 - "$T/max.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    size = 0
    def put(s):
        global size
        f.write(s)
        size += len(s)
    put('database = "h.db"\n')
    for i in range(1000):
        put('drive "d%d" { blob = "b%d.blob" }\n' % (i, i))
    for i in range(1000):
        put('job "j%d" {\n\tclass = backup\n\tcommand = {"/bin/true", "%d"}\n\tdrives = {"d%d", "d%d"}\n\ttimeout = 1h\n}\n'
            % (i, i, i, (i * 7) % 1000))
    line = "# " + "padding " * 9 + "\n"
    while size + len(line) <= 1048576:
        put(line)
PY
run 0 "$W" -c "$T/max.conf" check-config
[ "$(grep -c '^job ' "$T/out")" -eq 1000 ] || fail "check-config did not print the 1000 jobs"
set -- $(ms "$W" -c "$T/max.conf" check-config)
[ "$2" = 0 ] || fail "1 MiB: exit $2"
echo "faults-config: 1 MiB, 1000 drives and 1000 jobs, checked in $1 ms"
# (quadratic, this took 1.4 s here; 2 s is far from both)
[ "$1" -lt 2000 ] || fail "check-config of 1000 drives and 1000 jobs took $1 ms"
set -- $(ms "$W" -c "$T/max.conf" status)
echo "faults-config: and 'status' (no history) in $1 ms"
[ "$1" -lt 2000 ] || fail "status of 1000 drives and 1000 jobs took $1 ms"

# 1 MiB of the smallest sections: libconfuse's own search for a title is quadratic (16 s here);
# the 1001st is refused before that cost
python3 - "$T/many.conf" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    size, i = 0, 0
    while True:
        line = 'drive "d%d"{blob="b"}\n' % i
        if size + len(line) > 1048576:
            break
        f.write(line)
        size += len(line)
        i += 1
PY
run 78 "$W" -c "$T/many.conf" check-config
contains "$T/err" "$T/many.conf:1001: more than 1000 'drive' sections"
set -- $(ms "$W" -c "$T/many.conf" check-config)
echo "faults-config: 1 MiB of drive sections refused in $1 ms"
[ "$1" -lt 2000 ] || fail "refusing 1 MiB of sections took $1 ms"

echo "faults-config: ok"
