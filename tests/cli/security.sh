#!/bin/sh
# security.sh — what SECURITY.md promises: a configuration others could have written is refused by
# every command; the history and its lock are created with the modes weargate(8) states; a job gets
# no descriptor, variable or shell it did not ask for, and runs as its user with no privilege left;
# an unprivileged gate answers from the history without opening a device.
# (test-proc tries the job's start one property at a time; check-config.sh tries the refusals' words.)
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "security: python3 is needed to look behind the tool"; exit 77; }
root=false
[ "$(id -u)" -eq 0 ] && root=true
have_nobody=false
if $root && command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	have_nobody=true
	nobody() { setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$@"; }
fi
chmod 0755 "$T"

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
mode() { stat -c %a "$1"; }

# --- a configuration others could have written: refused by every command that reads it ---
cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
drive "sda" { blob = "$T/sda.blob" }
job "purge" {
	class = maintenance
	command = {"/bin/sh", "-c", "echo ran >>$T/ran"}
	drives = {"sda"}
}
CONF
for m in 0664 0646 0666 0620 0602; do
	chmod "$m" "$T/w.conf"
	for cmd in check-config sample status "gate purge" "gate --condition purge" "exec purge -- /bin/true" run history export; do
		code=78
		case $cmd in "gate --condition"*) code=255 ;; esac
		# shellcheck disable=SC2086
		run $code "$W" -c "$T/w.conf" $cmd
		contains "$T/err" "'$T/w.conf' is writable by group or others: refusing a file that runs commands"
	done
done
[ -e "$T/ran" ] && fail "a job ran from a refused configuration"
[ -e "$T/db" ] && fail "a refused configuration created the history"
chmod 0644 "$T/w.conf"
if $root; then
	# a link is followed, and the file it leads to is judged: not the link's owner
	ln -s "$T/w.conf" "$T/link.conf"
	chown -h nobody "$T/link.conf" 2>/dev/null
	run 0 "$W" -c "$T/link.conf" check-config
	cp "$T/w.conf" "$T/theirs.conf"
	chown nobody "$T/theirs.conf"
	ln -s "$T/theirs.conf" "$T/mine.conf"
	run 78 "$W" -c "$T/mine.conf" check-config
	contains "$T/err" "'$T/mine.conf' is owned by uid $(id -u nobody), not by root or you"
fi

# --- the modes things are created with: the history 0644 (its directory 0755), less what the
# umask takes away, its -wal and -shm as the history; the lock 0600 whatever the umask ---
run 0 "$W" -c "$T/w.conf" exec purge -- /bin/true
[ "$(mode "$T/db")" = 755 ] || fail "the history's directory is $(mode "$T/db"), not 755"
for f in history.db history.db-wal history.db-shm; do
	[ "$(mode "$T/db/$f")" = 644 ] || fail "$f is $(mode "$T/db/$f"), not 644"
done
[ "$(mode "$T/db/history.db.lock")" = 600 ] || fail "the lock is $(mode "$T/db/history.db.lock"), not 600"
rm -rf "$T/db"
(
	umask 077
	"$W" -c "$T/w.conf" exec purge -- /bin/true >"$T/out" 2>"$T/err"
) || fail "exec under umask 077: $(cat "$T/err")"
[ "$(mode "$T/db")" = 700 ] || fail "under umask 077 the directory is $(mode "$T/db")"
for f in history.db history.db-wal history.db-shm history.db.lock; do
	[ "$(mode "$T/db/$f")" = 600 ] || fail "under umask 077, $f is $(mode "$T/db/$f")"
done
# a history made private by hand stays so: its log and index follow it
chmod 0755 "$T/db"
chmod 0640 "$T/db/history.db"
rm -f "$T/db/history.db-wal" "$T/db/history.db-shm"
run 0 "$W" -c "$T/w.conf" sample
for f in history.db-wal history.db-shm; do
	[ "$(mode "$T/db/$f")" = 640 ] || fail "$f is $(mode "$T/db/$f"), not the history's 640"
done
if $have_nobody; then
	# nobody may not read it now: a clear refusal, not a wrong answer
	run 69 nobody "$W" -c "$T/w.conf" gate purge
	contains "$T/err" "'$T/db/history.db'"
	chmod 0644 "$T/db/history.db" "$T/db/history.db-wal" "$T/db/history.db-shm"
	# and nobody cannot hold the runner's lock to keep every run out
	nobody flock -n "$T/db/history.db.lock" true 2>"$T/err" && fail "nobody could take the runner's lock"
	contains "$T/err" "Permission denied"
	chmod 0644 "$T/db/history.db.lock"
	# nobody holds it until told through a FIFO: however slow the run below (valgrind), it is held
	# (and waits for it, as the check that it holds it takes it for an instant when it does not yet)
	mkfifo "$T/hold" && chmod 0666 "$T/hold" || fail "mkfifo"
	nobody flock -w 30 -o "$T/db/history.db.lock" sh -c 'read x <"$1"' sh "$T/hold" &
	holder=$!
	eventually sh -c '! flock -n "$1" true' sh "$T/db/history.db.lock" || fail "nobody did not take the lock"
	# (a lock left readable by an older weargate: busy now, and closed to others from the next run on)
	run 75 "$W" -c "$T/w.conf" run
	echo >"$T/hold"
	wait "$holder"
	rm -f "$T/hold"
	run 0 "$W" -c "$T/w.conf" run
	[ "$(mode "$T/db/history.db.lock")" = 600 ] || fail "an old readable lock was not closed"
fi
rm -f "$T/ran"

# --- a job: no descriptor of weargate's or its caller's, none of its caller's variables, no shell
# unless asked, and, as root, its user with no privilege left ---
cat >"$T/w.conf" <<CONF
database = "$T/db/history.db"
drive "sda" { blob = "$T/sda.blob" }
job "probe" {
	class = backup
	drives = {"sda"}
	command = {"/bin/sh", "-c", "ls -l /proc/\$\$/fd | sed -n 's/.*-> //p'; echo uid=\$(id -u) gid=\$(id -g) groups=\$(id -G); grep -E '^Cap(Inh|Prm|Eff|Amb):' /proc/self/status | tr -s '\\\\t' ' '; env; echo cwd=\$(pwd)"}
$($root && printf '\tuser = "nobody"\n')
}
job "literal" {
	class = backup
	drives = {"sda"}
	command = {"/bin/echo", "\$HOME;", "\$(id -u)", "\`id\`", "*", "a  b", ">$T/redirected"}
}
CONF
SECRET=hunter2 WEARGATE_SYSFS_ROOT=$T/nosys run 0 "$W" -c "$T/w.conf" run 7</etc/passwd 9>"$T/leak"
grep -F 'probe| ' "$T/err" | sed 's/^probe| //' >"$T/probe"
grep -q -e passwd -e leak -e history.db -e '\.lock' "$T/probe" && fail "the job inherited a descriptor: $(cat "$T/probe")"
grep -q -e SECRET -e WEARGATE_SYSFS_ROOT -e WEARGATE_NOW "$T/probe" && fail "the job got its caller's environment: $(cat "$T/probe")"
contains "$T/probe" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
contains "$T/probe" "WEARGATE_JOB=probe"
contains "$T/err" "literal| \$HOME; \$(id -u) \`id\` * a  b >$T/redirected"
[ -e "$T/redirected" ] && fail "a job's argument was taken as a redirection"
if $root; then
	u=$(id -u nobody) g=$(id -g nobody)
	contains "$T/probe" "uid=$u gid=$g groups=$g"
	for cap in CapInh CapPrm CapEff CapAmb; do
		contains "$T/probe" "$cap: 0000000000000000"
	done
	contains "$T/probe" "USER=nobody"
else
	contains "$T/probe" "uid=$(id -u)"
fi

# --- the gate, unprivileged, answers from the history without opening a device ---
if $have_nobody; then
	# the history was taken through the blob; now sda is a device node only root may open
	mkdir -p "$T/dev"
	if mknod "$T/dev/sdq" b 7 250 2>/dev/null; then
		chmod 0600 "$T/dev/sdq"
		run 0 "$W" -c "$T/w.conf" sample
		sed "s|blob = \"$T/sda.blob\"|device = \"$T/dev/sdq\"|" "$T/w.conf" >"$T/dev.conf"
		chmod 0644 "$T/dev.conf"
		decisions=$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM decision").fetchone()[0])' "$T/db/history.db")
		run 0 nobody "$W" -c "$T/dev.conf" gate probe
		contains "$T/err" "probe: go: sda ok"
		if command -v strace >/dev/null 2>&1; then
			# (LeakSanitizer cannot work under ptrace: a sanitized build would fail for that alone)
			ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=open,openat -o "$T/trace" \
				setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
				"$W" -c "$T/dev.conf" gate probe >/dev/null 2>&1 || fail "gate under strace failed"
			grep -q "$T/dev/sdq" "$T/trace" && fail "the unprivileged gate opened the device: $(grep sdq "$T/trace")"
			grep -q "history.db" "$T/trace" || fail "strace saw nothing (the trace is empty?)"
		else
			echo "security: SKIP tracing the unprivileged gate's opens (no strace)"
		fi
		# once the sample is too old, it tries the device, may not open it, and says the drive is unknown
		WEARGATE_NOW=$((WEARGATE_NOW + 7 * 3600)) run 0 nobody "$W" -c "$T/dev.conf" gate probe
		contains "$T/err" "probe: go: sda unknown"
		[ "$(python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM decision").fetchone()[0])' "$T/db/history.db")" = "$decisions" ] ||
			fail "the unprivileged gate wrote to the history"
	else
		echo "security: SKIP the unprivileged gate and a device node (cannot mknod here)"
	fi
else
	echo "security: SKIP what needs root and nobody (an unprivileged gate, the lock, links)"
fi
echo "security: ok"
