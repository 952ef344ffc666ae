#!/bin/sh
# rsnapshot.sh — Debian's rsnapshot with Debian's default configuration (its alpha interval),
# under 'weargate exec' as contrib/hooks/rsnapshot.cron runs it, and through its own
# cmd_preexec/cmd_postexec with the hook protocol: the snapshot is made and recorded.
. "$(dirname "$0")/../cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
unset WEARGATE_NOW
W=$WEARGATE
for need in /usr/bin/rsnapshot /etc/rsnapshot.conf /usr/bin/rsync; do
	[ -e "$need" ] || { echo "SKIP: $need is not installed (apt-get install rsnapshot)"; exit 77; }
done
sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
printf 'database = "%s/history.db"\ndrive "sda" { blob = "%s/sda.blob" }\njob "backup" {\n\tclass = backup\n\tdrives = {"sda"}\n\ttimeout = 1h\n}\n' "$T" "$T" >"$T/w.conf"
chmod 0644 "$T/w.conf"
mkdir -p "$T/data" "$T/snapshots"
echo "mail of the day" >"$T/data/inbox"

# Debian's configuration as shipped, pointed at scratch directories: its own backup points
# (/home, /etc, /usr/local) give way to one of ours, its intervals stay alpha, beta, gamma.
sed -e "s|^snapshot_root[[:space:]].*|snapshot_root\t$T/snapshots/|" \
	-e "s|^lockfile[[:space:]].*|lockfile\t$T/rsnapshot.pid|" \
	-e "s|^#*logfile[[:space:]].*|logfile\t$T/rsnapshot.log|" \
	-e '/^backup[[:space:]]/d' /etc/rsnapshot.conf >"$T/rsnapshot.conf"
printf 'backup\t%s/data/\tlocalhost/\n' "$T" >>"$T/rsnapshot.conf"
grep -q "^retain[[:space:]]alpha[[:space:]]" "$T/rsnapshot.conf" || fail "Debian's rsnapshot.conf has no alpha interval"
rsnapshot -c "$T/rsnapshot.conf" configtest >"$T/out" 2>&1 || { cat "$T/out"; fail "rsnapshot configtest"; }

# Under exec, as contrib/hooks/rsnapshot.cron: gated, recorded, -q quiet when all goes well.
run 0 "$W" -c "$T/w.conf" exec -q backup -- /usr/bin/rsnapshot -c "$T/rsnapshot.conf" alpha
[ -s "$T/err" ] && fail "exec -q said something on a good night: $(cat "$T/err")"
[ -f "$T/snapshots/alpha.0/localhost/$T/data/inbox" ] || [ -f "$T/snapshots/alpha.0/localhost/inbox" ] ||
	fail "rsnapshot made no snapshot: $(find "$T/snapshots" | head)"
[ "$(sql "SELECT origin || ' ' || outcome FROM job_run")" = "runner success" ] || fail "the snapshot is not recorded"

# Its own hooks, with the hook protocol (tabs between key and command, as rsnapshot wants).
printf 'cmd_preexec\t%s -c %s/w.conf gate -q --record backup\n' "$W" "$T" >>"$T/rsnapshot.conf"
printf 'cmd_postexec\t%s -c %s/w.conf done -q backup\n' "$W" "$T" >>"$T/rsnapshot.conf"
run 0 rsnapshot -c "$T/rsnapshot.conf" alpha
[ -d "$T/snapshots/alpha.1" ] || fail "rsnapshot made no second snapshot"
[ "$(sql "SELECT origin || ' ' || outcome FROM job_run ORDER BY id DESC LIMIT 1")" = "hook success" ] ||
	fail "the snapshot through the hooks is not recorded: $(sql "SELECT origin || ' ' || coalesce(outcome, 'open') FROM job_run ORDER BY id DESC LIMIT 1")"
exit 0
