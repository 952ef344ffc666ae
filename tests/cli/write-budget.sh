#!/bin/sh
# write-budget.sh — how often `sample` and `gate` sync, counted from their system calls (strace):
# a pass syncs exactly once, changed or not, in a process that is not the log's first; a gate's
# decision never syncs; nobody syncs the directory of a log that is already there. And a count of
# pages, not a time: a pass where nothing changed, and a gate's decision, write one page to the log.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE_PLAIN

if ! command -v strace >/dev/null 2>&1; then
	echo "SKIP: strace is not installed (apt-get install strace)"
	exit 77
fi
if [ -n "${WEARGATE_VALGRIND:-}" ]; then
	echo "SKIP: the system calls counted are weargate's own, not valgrind's"
	exit 77
fi
# strace itself may be refused (a sandbox without ptrace)
strace -f -qq -o /dev/null true 2>/dev/null || { echo "SKIP: strace cannot trace here"; exit 77; }

DRIVES=8
{
	echo 'database = "history.db"'
	for i in $(seq 1 $DRIVES); do
		sed -e "s/^serial .*/serial WB$(printf %04d "$i")/" "$SOURCE_ROOT/data/demo-sda.desc" >"$T/d$i.desc"
		"$WG_BLOB" create "$T/d$i.blob" "$T/d$i.desc" || fail "wg-blob create"
		echo "drive \"d$i\" { blob = \"d$i.blob\" }"
	done
	printf 'job "backup" {\n\tclass = backup\n\tdrives = {"d1", "d2"}\n}\n'
} >"$T/w.conf"

now=1795600000
# traced WHAT CMD...: run weargate under strace; $syncs, $dirsyncs and $bytes are what it did.
traced() {
	what=$1
	shift
	# LeakSanitizer cannot run under ptrace: a sanitizer build's leak check is left to the other tests
	WEARGATE_NOW=$now ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
		strace -f -y -qq -o "$T/trace" -e trace=write,pwrite64,pwritev,fsync,fdatasync \
		"$W" -q -c "$T/w.conf" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 0 ] || [ "$1" = gate ] || { cat "$T/err" >&2; fail "$what: weargate $* exited $rc"; }
	syncs=$(grep -cE '^[0-9]+ +f(data)?sync\(' "$T/trace")
	dirsyncs=0
	for d in $(sed -n 's/^[0-9]* *f\(data\)\{0,1\}sync([0-9]*<\([^>]*\)>.*/\2/p' "$T/trace"); do
		[ -d "$d" ] && dirsyncs=$((dirsyncs + 1))
	done
	bytes=$(sed -n 's/^[0-9]* *p\{0,1\}write[v0-9]*([0-9]*<[^>]*history\.db\(-wal\)\{0,1\}>.* = \([0-9]*\)$/\2/p' "$T/trace" |
		awk '{ s += $1 } END { print s + 0 }')
	echo "$what: $syncs syncs ($dirsyncs of a directory), $bytes bytes"
}

# The first pass makes the history and its log: the log's directory is synced, once, then.
traced "first pass" sample
[ "$dirsyncs" -ge 1 ] || fail "the log was made and its directory never synced"
now=$((now + 1800))
WEARGATE_NOW=$now run 0 "$W" -q -c "$T/w.conf" sample

# a frame of the log is a page (2 KiB in a new history) and a header of 24 bytes
page=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA page_size").fetchone()[0])' "$T/history.db")
frame=$((page + 24))
for k in 1 2 3; do
	now=$((now + 1800))
	traced "pass, nothing changed ($k)" sample
	[ "$syncs" -eq 1 ] || fail "a pass where nothing changed synced $syncs times, not once"
	[ "$dirsyncs" -eq 0 ] || fail "a pass synced the directory of a log that was there"
	# the second pass made the drives' tails; from then on, a pass writes its own row alone
	[ "$bytes" -eq "$frame" ] ||
		fail "a pass where nothing changed wrote $bytes bytes, not one page of the log ($frame)"
done

for i in $(seq 1 $DRIVES); do "$WG_BLOB" set "$T/d$i.blob" 9 add=1 || fail "wg-blob set"; done
now=$((now + 1800))
traced "pass, attribute 9 changed on every drive" sample
[ "$syncs" -eq 1 ] || fail "a pass where every drive changed synced $syncs times, not once"

now=$((now + 437))
traced "gate" gate backup
[ "$syncs" -eq 0 ] || fail "a gate synced $syncs times: its decision waits for no disk, nor does it checkpoint"
[ "$bytes" -eq "$frame" ] || fail "the gate wrote $bytes bytes, not one page of the log ($frame)"
[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM decision").fetchone()[0])' "$T/history.db")" -ge 1 ] ||
	fail "no decision recorded"
echo "write-budget: ok"
