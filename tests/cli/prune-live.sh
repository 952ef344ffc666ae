#!/bin/sh
# prune-live.sh — `sample` and `gate` succeed while a prune of a long history runs: prune takes
# the write lock a batch at a time, never for long. The history (a few million samples) is made
# quickly by copying real chunks back in time, and the prune runs for a few seconds.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
P=$WEARGATE_PLAIN
DRIVES=8
COPIES=${PRUNE_LIVE_COPIES:-6000} # of the first chunks: about 3 million samples

{
	echo 'database = "history.db"'
	for i in $(seq 1 $DRIVES); do
		sed -e "s/^serial .*/serial PL$(printf %04d "$i")/" "$SOURCE_ROOT/data/demo-sda.desc" >"$T/d$i.desc"
		"$WG_BLOB" create "$T/d$i.blob" "$T/d$i.desc" || fail "wg-blob create"
		echo "drive \"d$i\" { blob = \"d$i.blob\" }"
	done
	printf 'job "backup" {\n\tclass = backup\n\tdrives = {"d1", "d2"}\n}\n'
} >"$T/w.conf"

# four days of 10-minute passes, the temperature moving now and then: each drive's first chunk
start=1600000000
i=0
while [ $i -lt 60 ]; do
	[ $((i % 7)) -eq 0 ] && for d in $(seq 1 $DRIVES); do "$WG_BLOB" set "$T/d$d.blob" 194 raw=$((30 + i % 5)); done
	WEARGATE_NOW=$((start + i * 600)) "$P" -q -c "$T/w.conf" sample || fail "sample $i"
	i=$((i + 1))
done
# each drive's first chunk copied forward, pass numbers and times shifted, then the pass table told
python3 - "$T/history.db" "$COPIES" <<'PY' || fail "cannot copy the chunks"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
copies = int(sys.argv[2])
rows = db.execute("SELECT drive_id, name, first_pass, last_pass, t0, t1, n, data FROM chunk ORDER BY id").fetchall()
span_pass = max(r[3] for r in rows)
span_t = 4 * 86400
with db:
    for k in range(1, copies + 1):
        db.executemany("INSERT INTO chunk(drive_id, name, first_pass, last_pass, t0, t1, n, data) VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
                       [(d, nm, fp + k * span_pass, lp + k * span_pass, t0 + k * span_t, t1 + k * span_t, n, data)
                        for (d, nm, fp, lp, t0, t1, n, data) in rows])
    db.execute("INSERT INTO pass(id, t) VALUES(?, ?)", ((copies + 1) * span_pass, 1600000000 + copies * span_t + 7200))
    print(db.execute("SELECT sum(n) FROM chunk").fetchone()[0], "samples")
PY
now=$((start + (COPIES + 1) * 4 * 86400))

# the prune, in the background; sample and gate meanwhile, each must succeed
WEARGATE_NOW=$now "$P" -c "$T/w.conf" prune --older-than 30d >"$T/prune.out" 2>"$T/prune.err" &
pid=$!
samples=0
gates=0
while kill -0 "$pid" 2>/dev/null; do
	now=$((now + 600))
	WEARGATE_NOW=$now run 0 "$W" -q -c "$T/w.conf" sample
	kill -0 "$pid" 2>/dev/null && samples=$((samples + 1))
	WEARGATE_NOW=$now "$W" -q -c "$T/w.conf" gate backup >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/err" >&2; fail "a gate during the prune exited $rc"; }
	kill -0 "$pid" 2>/dev/null && gates=$((gates + 1))
done
wait "$pid" || { cat "$T/prune.err" >&2; fail "prune failed"; }
echo "prune: $(cat "$T/prune.out"); meanwhile $samples samples and $gates gates that ended before it did"
[ "$samples" -ge 1 ] && [ "$gates" -ge 1 ] || fail "the prune ended before a sample and a gate could run beside it"
grep -q '^thinned [0-9]* of the [0-9]* samples' "$T/prune.out" || fail "prune said: $(cat "$T/prune.out")"
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$T/history.db")" = ok ] ||
	fail "the history is damaged"
WEARGATE_NOW=$now run 0 "$W" -c "$T/w.conf" status --json
json 'len(j["drives"]) == 8 and all(d["state"] == "ok" for d in j["drives"])'
echo "prune-live: ok"
