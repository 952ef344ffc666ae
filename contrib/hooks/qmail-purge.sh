#!/bin/sh
# qmail-purge.sh — remove queued messages that match a list of patterns from a qmail queue, in
# batches, stopping qmail around each batch, for running under 'weargate exec'.
#
# Wire it in: a job in /etc/weargate.conf (weargate gives the command a clean environment, so
# the settings go on the command line through env(1)):
#
#	stop_grace = 5m
#	job "queue-purge" {
#		class = maintenance
#		paths = {"/var/qmail/queue"}
#		command = {"/usr/bin/env", "QMAIL_PURGE_PATTERNS=/etc/weargate/qmail-purge.patterns",
#		           "/bin/sh", "/usr/share/weargate/hooks/qmail-purge.sh"}
#	}
#
# and 'weargate run' starts it, or from cron:
#
#	30 2 * * *	root	/usr/sbin/weargate exec -q queue-purge -- /bin/sh /usr/share/weargate/hooks/qmail-purge.sh
#
# Each line of the patterns file is a POSIX extended regular expression (qmail-remove -e);
# blank lines and lines starting with '#' are skipped. Up to QMAIL_PURGE_BATCH patterns are
# joined with '|' into one qmail-remove run: one pass over the queue per batch, since every
# pass reads every queued file, the load a weak disk takes worst.
#
# Each batch: stop qmail-send, wait until it is down, qmail-remove -r (matches are moved to the
# queue's trash directory, or deleted with QMAIL_PURGE_DELETE=1), start qmail-send again, so
# mail flows between batches. SIGTERM (what weargate sends when a drive gets worse or the job
# times out) does not cut a batch short: qmail-remove ignores it and finishes its pass, qmail is
# started again, and the script stops there with exit 143. qmail is never left stopped, short
# of SIGKILL: keep stop_grace (global: the runner's) longer than one batch.
#
# Settings (environment):
#	QMAIL_PURGE_PATTERNS	patterns file (/etc/weargate/qmail-purge.patterns)
#	QMAIL_PURGE_BATCH	patterns per qmail-remove run (50)
#	QMAIL_PURGE_PAUSE	seconds to wait between batches, qmail running (0)
#	QMAIL_PURGE_DELETE	1: delete matches (qmail-remove -d) instead of moving them to trash (0)
#	QMAIL_PURGE_DRY_RUN	1: only list the matches (qmail-remove without -r), qmail keeps running (0)
#	QMAIL_QUEUE		queue directory, passed as qmail-remove -q when set (unset: its default)
#	QMAIL_SERVICE		daemontools service of qmail-send (/service/qmail-send)
#	QMAIL_STOP, QMAIL_START	commands that stop and start qmail-send and return once it is
#				down/up, instead of svc -d/-u and svstat (e.g. "systemctl stop qmail")
#	QMAIL_STOP_WAIT		seconds to wait for qmail-send to go down (120)
#	QMAIL_REMOVE		the qmail-remove program (qmail-remove, searched in PATH)
#
# Exit status: 0 done, 143 stopped by a signal between batches, 69 qmail-remove missing or qmail
# did not stop, 78 bad settings, else what failed.
set -eu

PATH=$PATH:/command:/usr/local/bin:/var/qmail/bin
patterns=${QMAIL_PURGE_PATTERNS:-/etc/weargate/qmail-purge.patterns}
batch=${QMAIL_PURGE_BATCH:-50}
pause=${QMAIL_PURGE_PAUSE:-0}
delete=${QMAIL_PURGE_DELETE:-0}
dry_run=${QMAIL_PURGE_DRY_RUN:-0}
service=${QMAIL_SERVICE:-/service/qmail-send}
stop_wait=${QMAIL_STOP_WAIT:-120}
remove=${QMAIL_REMOVE:-qmail-remove}

say() {
	printf 'qmail-purge: %s\n' "$*"
}

die() {
	code=$1
	shift
	say "$*"
	exit "$code"
}

is_count() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
}

if ! is_count "$batch" || [ "$batch" -eq 0 ]; then
	die 78 "QMAIL_PURGE_BATCH must be a number above 0, not '$batch'"
fi
is_count "$pause" || die 78 "QMAIL_PURGE_PAUSE must be a number of seconds, not '$pause'"
is_count "$stop_wait" || die 78 "QMAIL_STOP_WAIT must be a number of seconds, not '$stop_wait'"
[ -r "$patterns" ] || die 78 "cannot read the patterns file '$patterns' (QMAIL_PURGE_PATTERNS)"
command -v "$remove" >/dev/null 2>&1 ||
	die 69 "'$remove' not found in PATH ($PATH): qmail-remove is not packaged in Debian; build it from http://www.linuxmagic.com/opensource/qmail/qmail-remove/ or set QMAIL_REMOVE to its path"

stopped=0   # 1 while this script has qmail-send stopped
signal=''   # the signal that asked us to stop

qmail_stop() {
	say "stopping qmail-send"
	stopped=1
	if [ -n "${QMAIL_STOP:-}" ]; then
		sh -c "$QMAIL_STOP"
		return
	fi
	svc -d "$service"
	waited=0
	until svstat "$service" | grep -q ': down'; do
		[ "$waited" -lt "$stop_wait" ] || return 1
		sleep 1
		waited=$((waited + 1))
	done
}

qmail_start() {
	say "starting qmail-send"
	if [ -n "${QMAIL_START:-}" ]; then
		sh -c "$QMAIL_START"
	else
		svc -u "$service"
	fi
	stopped=0
}

# Between batches: end here when a signal asked us to stop (the EXIT trap starts qmail).
check_signal() {
	if [ -n "$signal" ]; then
		die 143 "stopped by SIG$signal $1; $((batches - n)) of $batches batches not done"
	fi
}

# Whatever ends the script, qmail runs again.
cleanup() {
	if [ "$stopped" = 1 ]; then
		qmail_start || say "cannot start qmail-send: start it by hand"
	fi
	rm -f "$list"
}

list=$(mktemp "${TMPDIR:-/tmp}/qmail-purge.XXXXXX")
trap cleanup EXIT
# Noted here, acted on between batches.
trap 'signal=TERM' TERM
trap 'signal=INT' INT
trap 'signal=HUP' HUP

batches=0 n=0
grep -v -e '^[[:space:]]*$' -e '^#' "$patterns" >"$list" || true
total=$(wc -l <"$list")
total=$((total + 0))
# A signal also kills the commands that built the list, perhaps mid-line: a pattern cut short
# matches more than it should, so nothing read while one came is used.
check_signal "while reading the patterns"
if [ "$total" -eq 0 ]; then
	say "no patterns in '$patterns': nothing to do"
	exit 0
fi
batches=$(((total + batch - 1) / batch))
mode='moving matches to the trash directory'
[ "$delete" = 1 ] && mode='deleting matches'
[ "$dry_run" = 1 ] && mode='dry run: listing matches only, qmail keeps running'
say "$total patterns in $batches batches of up to $batch; $mode"

n=0   # batches done
while [ "$n" -lt "$batches" ]; do
	check_signal "before batch $((n + 1))"
	first=$((n * batch + 1))
	last=$((first + batch - 1))
	[ "$last" -le "$total" ] || last=$total
	re=$(sed -n "${first},${last}p" "$list" | paste -s -d '|' -)
	check_signal "before batch $((n + 1))"
	[ -n "$re" ] || die 70 "batch $((n + 1)) has no pattern: not running qmail-remove on the whole queue"
	set -- -e -p "$re"
	[ -z "${QMAIL_QUEUE:-}" ] || set -- "$@" -q "$QMAIL_QUEUE"
	if [ "$dry_run" = 1 ]; then
		say "batch $((n + 1)) of $batches (patterns $first-$last): listing matches"
	else
		set -- "$@" -r
		[ "$delete" != 1 ] || set -- "$@" -d
		qmail_stop || die 69 "qmail-send did not go down within ${stop_wait}s ($service); nothing removed in batch $((n + 1))"
		check_signal "while qmail-send was going down, before batch $((n + 1))"
		say "batch $((n + 1)) of $batches (patterns $first-$last): removing matches"
	fi
	# The batch runs to its end even when told to stop: a message half moved out of the
	# queue is worse than a batch that takes a little longer.
	rc=0
	(trap '' TERM INT HUP; exec "$remove" "$@") || rc=$?
	[ "$stopped" = 0 ] || qmail_start
	[ "$rc" -eq 0 ] || die "$rc" "qmail-remove failed (exit $rc) in batch $((n + 1)) of $batches"
	n=$((n + 1))
	say "batch $n of $batches done"
	if [ "$n" -lt "$batches" ] && [ "$pause" -gt 0 ] && [ -z "$signal" ]; then
		sleep "$pause" || true
	fi
done
say "done: $batches batches"
