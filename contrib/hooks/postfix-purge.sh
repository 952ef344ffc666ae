#!/bin/sh
# postfix-purge.sh — delete the messages of one Postfix queue (all, or those that match a
# pattern) with postsuper -d, in batches, for running under 'weargate exec'.
#
# Wire it in: a job in /etc/weargate.conf (weargate gives the command a clean environment, so
# the settings go on the command line through env(1)), and a stop_grace at least as long as one
# batch takes (a global setting: it is the runner's):
#
#	stop_grace = 2m
#	job "queue-purge" {
#		class = maintenance
#		paths = {"/var/spool/postfix"}
#		command = {"/usr/bin/env", "POSTFIX_PURGE_MATCH=@spam\\.example$",
#		           "/bin/sh", "/usr/share/weargate/hooks/postfix-purge.sh"}
#	}
#
# and 'weargate run' starts it, or from cron:
#
#	30 2 * * *	root	/usr/sbin/weargate exec -q queue-purge -- /bin/sh /usr/share/weargate/hooks/postfix-purge.sh
#
# It reads the queue IDs from 'postqueue -p' once, keeps those one line of whose entry (the
# first: ID, size, arrival, sender; then the deferral reason and each recipient) matches
# POSTFIX_PURGE_MATCH ('$' ends a line: "@spam\.example$" is the sender's domain), then feeds them to
# 'postsuper -d - QUEUE' POSTFIX_PURGE_BATCH at a time. Unlike 'postsuper -d ALL deferred' in one
# go, the watchdog can stop it between batches: SIGTERM (what weargate sends when a drive gets
# worse or the job times out) lets the current batch finish, then the script exits 143. Postfix
# keeps running throughout; postsuper is safe on a live queue.
#
# Settings (environment):
#	POSTFIX_PURGE_QUEUE	the queue postsuper deletes from: deferred, hold, active, incoming,
#				or ALL (deferred)
#	POSTFIX_PURGE_MATCH	awk extended regular expression, matched against each line of a
#				message's postqueue -p entry; empty: every message of the queue ('')
#	POSTFIX_PURGE_BATCH	queue IDs per postsuper run (1000)
#	POSTFIX_PURGE_PAUSE	seconds to wait between batches (0)
#	POSTFIX_PURGE_DRY_RUN	1: only say what would be deleted (0)
#
# Exit status: 0 done, 143 stopped by a signal between batches, 69 postqueue or postsuper
# missing, 78 bad settings, else what failed.
set -eu

PATH=$PATH:/usr/sbin:/usr/local/sbin
queue=${POSTFIX_PURGE_QUEUE:-deferred}
batch=${POSTFIX_PURGE_BATCH:-1000}
pause=${POSTFIX_PURGE_PAUSE:-0}
dry_run=${POSTFIX_PURGE_DRY_RUN:-0}
POSTFIX_PURGE_MATCH=${POSTFIX_PURGE_MATCH:-}
export POSTFIX_PURGE_MATCH

say() {
	printf 'postfix-purge: %s\n' "$*"
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
	die 78 "POSTFIX_PURGE_BATCH must be a number above 0, not '$batch'"
fi
is_count "$pause" || die 78 "POSTFIX_PURGE_PAUSE must be a number of seconds, not '$pause'"
case $queue in
deferred | hold | active | incoming | maildrop | ALL) ;;
*) die 78 "POSTFIX_PURGE_QUEUE must be deferred, hold, active, incoming, maildrop or ALL, not '$queue'" ;;
esac
for p in postqueue postsuper; do
	command -v "$p" >/dev/null 2>&1 || die 69 "'$p' not found in PATH ($PATH): is Postfix installed?"
done

signal=''   # the signal that asked us to stop
list=$(mktemp "${TMPDIR:-/tmp}/postfix-purge.XXXXXX")
ids=$list.batch
out=$list.out
trap 'rm -f "$list" "$ids" "$out"' EXIT
# Noted here, acted on between batches.
trap 'signal=TERM' TERM
trap 'signal=INT' INT
trap 'signal=HUP' HUP

check_signal() {
	if [ -n "$signal" ]; then
		die 143 "stopped by SIG$signal $1; $((total - done)) of $total messages not done"
	fi
}

# An entry starts with the queue ID (with '*' when active, '!' when held) and ends at a blank
# line; the header and the closing "-- N Kbytes" line start with '-'.
postqueue -p | awk '
	function flush() {
		if (id != "" && hit) {
			sub(/[*!]$/, "", id)
			print id
		}
		id = ""
	}
	/^[0-9A-Za-z]/ && !/^Mail queue is empty/ { flush(); id = $1; hit = $0 ~ ENVIRON["POSTFIX_PURGE_MATCH"]; next }
	NF { if ($0 ~ ENVIRON["POSTFIX_PURGE_MATCH"]) hit = 1; next }
	{ flush() }
	END { flush() }
' >"$list"
total=$(wc -l <"$list")
total=$((total + 0))
done=0
check_signal "while listing the queue"
if [ "$total" -eq 0 ]; then
	say "no message matches in the queue: nothing to do"
	exit 0
fi
batches=$(((total + batch - 1) / batch))
if [ "$dry_run" = 1 ]; then
	say "dry run: $total messages match, would delete them from the $queue queue in $batches batches of up to $batch"
else
	say "$total messages match: deleting them from the $queue queue in $batches batches of up to $batch"
fi

n=0   # batches done
while [ "$n" -lt "$batches" ]; do
	check_signal "before batch $((n + 1))"
	first=$((n * batch + 1))
	last=$((first + batch - 1))
	[ "$last" -le "$total" ] || last=$total
	if [ "$dry_run" = 1 ]; then
		say "batch $((n + 1)) of $batches: would delete $((last - first + 1)): $(sed -n "${first},${last}p" "$list" | paste -s -d ' ' -)"
	else
		say "batch $((n + 1)) of $batches: deleting $((last - first + 1))"
		# The batch runs to its end even when told to stop.
		rc=0
		sed -n "${first},${last}p" "$list" >"$ids"
		check_signal "before batch $((n + 1))"
		# postsuper says a line per message: only its count goes on (cron mails what exec -q passes on)
		(trap '' TERM INT HUP; exec postsuper -d - "$queue" <"$ids" >"$out" 2>&1) || rc=$?
		if [ "$rc" -ne 0 ]; then
			cat "$out"
			die "$rc" "postsuper failed (exit $rc) in batch $((n + 1)) of $batches"
		fi
		grep -i 'deleted:' "$out" | sed 's/^/postfix-purge: /' || true
	fi
	n=$((n + 1))
	done=$last
	say "batch $n of $batches done"
	if [ "$n" -lt "$batches" ] && [ "$pause" -gt 0 ] && [ -z "$signal" ]; then
		sleep "$pause" || true
	fi
done
say "done: $total messages in $batches batches"
