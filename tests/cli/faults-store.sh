#!/bin/sh
# faults-store.sh — a history that cannot be used as it should: each fault said clearly, with its exit
# status; nothing recorded before is lost, and the gate answers from what it can read.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "faults-store: python3 is needed to look behind the tool"; exit 77; }

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
# conf DB: a configuration whose history is DB
conf() {
	cat >"$T/w.conf" <<CONF
database = "$1"
drive "sda" { blob = "$T/sda.blob" }
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda"}
}
job "purge" {
	class = maintenance
	command = {"/bin/sh", "-c", "echo ran >>$T/purge.ran"}
	drives = {"sda"}
}
CONF
}
# sql DB QUERY: one value, read by another process than weargate
sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}
# intact DB N: the file is sound and holds the N passes recorded before the fault
intact() {
	[ "$(sql "$1" 'PRAGMA integrity_check')" = ok ] || fail "'$1' is damaged: $(sql "$1" 'PRAGMA integrity_check')"
	got=$(sql "$1" 'SELECT count(*) FROM pass')
	[ "$got" = "$2" ] || fail "'$1' holds $got passes, not the $2 recorded before"
}
# history DB: two passes recorded, ten minutes apart
history() {
	conf "$1"
	run 0 "$W" -c "$T/w.conf" sample
	WEARGATE_NOW=$((WEARGATE_NOW + 600)) run 0 "$W" -c "$T/w.conf" sample
	intact "$1" 2
}
NOW2=$((WEARGATE_NOW + 900))

# --- a file size limit (ulimit -f): the write fails with EFBIG instead of SIGXFSZ killing weargate ---
history "$T/u/history.db"
(
	ulimit -f 2 || exit 3
	WEARGATE_NOW=$NOW2 "$W" -c "$T/w.conf" sample >"$T/out" 2>"$T/err"
)
rc=$?
[ "$rc" -eq 3 ] && fail "cannot set a file size limit here"
[ "$rc" -eq 153 ] && fail "weargate was killed by SIGXFSZ instead of saying why"
[ "$rc" -eq 69 ] || fail "sample under a file size limit exited $rc, expected 69: $(cat "$T/err")"
contains "$T/err" "'$T/u/history.db': "
contains "$T/err" "(File too large)"
intact "$T/u/history.db" 2
# and once the limit is lifted, the next pass is recorded as usual
WEARGATE_NOW=$NOW2 run 0 "$W" -c "$T/w.conf" sample
intact "$T/u/history.db" 3

echo "faults-store: ok"
