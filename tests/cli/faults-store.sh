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


# A history that another program closed last, removing the log (sqlite3's default): when it cannot
# be written now, the gate says why and answers from it all the same; nothing runs unrecorded.
python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode = DELETE").fetchall()' \
	"$T/u/history.db" || fail "cannot take the history out of WAL mode"
[ -e "$T/u/history.db-wal" ] && fail "the log is still there"
for cmd in "gate purge" "gate --condition purge" "status"; do
	(
		ulimit -f 2 || exit 3
		# shellcheck disable=SC2086 # the command and its arguments
		WEARGATE_NOW=$NOW2 "$W" -c "$T/w.conf" $cmd >"$T/out" 2>"$T/err"
	)
	rc=$?
	[ "$rc" -eq 0 ] || fail "'$cmd' on a history it cannot write exited $rc: $(cat "$T/err")"
done
contains "$T/out" "sda   ok"
(
	ulimit -f 2 || exit 3
	WEARGATE_NOW=$NOW2 "$W" -c "$T/w.conf" gate purge >"$T/out" 2>"$T/err"
)
contains "$T/err" "(File too large): reading the history only"
contains "$T/err" "purge: go: sda ok"
(
	ulimit -f 2 || exit 3
	WEARGATE_NOW=$NOW2 "$W" -c "$T/w.conf" exec purge -- /bin/sh -c "echo ran >>$T/purge.ran" >"$T/out" 2>"$T/err"
)
rc=$?
[ "$rc" -eq 69 ] || fail "exec on a history it cannot write exited $rc, expected 69: $(cat "$T/err")"
[ -e "$T/purge.ran" ] && fail "exec ran a job it could not record"
# the reason, not that of a user without permission
contains "$T/err" "(File too large): a job run must be recorded"
grep -q "for this user" "$T/err" && fail "exec blames permissions for a file size limit: $(cat "$T/err")"
intact "$T/u/history.db" 3

# --- files that are not a weargate history: refused by every command, and left as they were ---
mkdir -p "$T/bad"
for kind in garbage text truncated newer; do
	db=$T/bad/$kind.db
	case $kind in
	garbage) head -c 8192 /dev/urandom >"$db" ;;
	text) printf 'database = "/var/lib/weargate/history.db"\n' >"$db" ;;
	truncated) # the first 8 KiB of a real history
		python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()' \
			"$T/u/history.db"
		head -c 8192 "$T/u/history.db" >"$db" ;;
	newer) cp "$T/u/history.db" "$db" && python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 999"); c.commit()' "$db" ;;
	esac
	cp "$db" "$T/bad/copy"
	conf "$db"
	case $kind in
	newer) why="has schema version 999, newer than the" ;;
	truncated) why="is not a weargate database (database disk image is malformed)" ;;
	*) why="is not a weargate database (file is not a database)" ;;
	esac
	for cmd in sample status "gate purge" "exec purge -- /bin/true" run history "history --jobs" export prune \
		"report --output $T/bad/report.html"; do
		want=69
		case $cmd in prune) cmd="prune --older-than 1d" ;; esac
		# shellcheck disable=SC2086
		run $want "$W" -c "$T/w.conf" $cmd
		contains "$T/err" "'$db' $why"
	done
	run 255 "$W" -c "$T/w.conf" gate --condition purge
	cmp -s "$db" "$T/bad/copy" || fail "the $kind file was changed"
	[ -e "$T/bad/report.html" ] && fail "report wrote a report without a history"
	[ -e "$T/purge.ran" ] && fail "a job ran without a history to record it in"
	rm -f "$db"-wal "$db"-shm
done
# an empty file holds nothing to lose: a writer makes it a history, a reader says what to do
: >"$T/bad/empty.db"
conf "$T/bad/empty.db"
run 69 "$W" -c "$T/w.conf" status
contains "$T/err" "'$T/bad/empty.db' has schema version 0: 'weargate sample' brings it to version"
run 0 "$W" -c "$T/w.conf" sample
intact "$T/bad/empty.db" 1

# --- a history this user may not write: a read-only directory, a read-only file ---
# As root, permissions do not stop us: the checks run as nobody; as anyone else, as that user.
if [ "$(id -u)" -eq 0 ]; then
	if command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
		as_user() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
		chmod 0755 "$T"
	else
		as_user=
	fi
else
	as_user() { "$@"; }
fi
if command -v as_user >/dev/null 2>&1; then
	for what in directory file; do
		d=$T/ro-$what
		history "$d/history.db"
		chmod 0644 "$T/w.conf"
		if [ "$what" = directory ]; then
			chmod 0555 "$d"
		else
			[ "$(id -u)" -eq 0 ] && chown nobody "$d"
			chmod 0444 "$d/history.db"
		fi
		WEARGATE_NOW=$NOW2 run 69 as_user "$W" -c "$T/w.conf" sample
		contains "$T/err" "'$d/history.db' is read-only for this user"
		WEARGATE_NOW=$NOW2 run 69 as_user "$W" -c "$T/w.conf" exec purge -- /bin/sh -c "echo ran >>$T/purge.ran"
		contains "$T/err" "is read-only for this user: a job run must be recorded"
		[ -e "$T/purge.ran" ] && fail "exec ran a job it could not record"
		WEARGATE_NOW=$NOW2 run 0 as_user "$W" -c "$T/w.conf" gate purge
		contains "$T/err" "purge: go: sda ok"
		grep -q "reading the history only" "$T/err" && fail "an unprivileged gate complains: $(cat "$T/err")"
		WEARGATE_NOW=$NOW2 run 0 as_user "$W" -c "$T/w.conf" status
		WEARGATE_NOW=$NOW2 run 0 as_user "$W" -c "$T/w.conf" history
		chmod 0755 "$d"
		chmod 0644 "$d/history.db"
		intact "$d/history.db" 2
	done
else
	echo "faults-store: SKIP read-only history (root without setpriv or user nobody)"
fi

# --- as root, where a filesystem can be mounted: a full disk, a read-only filesystem ---
mnt=$T/mnt
if [ "$(id -u)" -eq 0 ] && mkdir -p "$mnt" && mount -t tmpfs -o size=512k,mode=0755 weargate-test "$mnt" 2>/dev/null; then
	trap 'umount "$mnt" 2>/dev/null; rm -rf "$T"' EXIT
	history "$mnt/history.db"
	# everything in the file itself (as after a checkpoint): the gate can read it without the log's index
	python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()' \
		"$mnt/history.db"
	# fill it to the last block
	dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
	[ "$(df -P "$mnt" | awk 'NR == 2 { print $4 }')" = 0 ] || fail "could not fill $mnt"
	for i in 1 2 3; do
		WEARGATE_NOW=$((NOW2 + i * 600)) run 69 "$W" -c "$T/w.conf" sample
		# (where SQLite first needs room decides the words)
		grep -Eq "'$mnt/history.db': .*(database or disk is full|No space left on device)" "$T/err" ||
			fail "no word of a full disk: $(cat "$T/err")"
	done
	WEARGATE_NOW=$NOW2 run 0 "$W" -c "$T/w.conf" gate purge
	contains "$T/err" "purge: go: sda ok"
	grep -Eq "'$mnt/history.db': .*(database or disk is full|No space left on device)" "$T/err" ||
		fail "no word of a full disk: $(cat "$T/err")"
	WEARGATE_NOW=$NOW2 run 0 "$W" -c "$T/w.conf" status
	WEARGATE_NOW=$NOW2 run 69 "$W" -c "$T/w.conf" exec purge -- /bin/sh -c "echo ran >>$T/purge.ran"
	[ -e "$T/purge.ran" ] && fail "exec ran a job it could not record"
	# room again (a reader needs some too): nothing was lost, and recording resumes
	rm -f "$mnt/fill"
	intact "$mnt/history.db" 2
	WEARGATE_NOW=$((NOW2 + 3000)) run 0 "$W" -c "$T/w.conf" sample
	intact "$mnt/history.db" 3

	# the filesystem turns read-only (as after an error): the same, read-only
	mount -o remount,ro "$mnt" || fail "cannot remount $mnt read-only"
	WEARGATE_NOW=$((NOW2 + 3600)) run 69 "$W" -c "$T/w.conf" sample
	contains "$T/err" "'$mnt/history.db' is read-only for this user"
	WEARGATE_NOW=$((NOW2 + 3600)) run 0 "$W" -c "$T/w.conf" gate purge
	contains "$T/err" "purge: go: sda ok"
	WEARGATE_NOW=$((NOW2 + 3600)) run 0 "$W" -c "$T/w.conf" history
	umount "$mnt"
	trap 'rm -rf "$T"' EXIT
else
	echo "faults-store: SKIP full and read-only filesystem (needs root and a tmpfs mount)"
fi

echo "faults-store: ok"
