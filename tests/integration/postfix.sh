#!/bin/sh
# postfix.sh — Debian's Postfix, local only, in a scratch instance of its own (started with
# 'postfix start', no systemd): a deferred queue of spam purged by contrib's postfix-purge.sh
# under 'weargate exec', then a purge stopped by the watchdog when the drive gets worse.
. "$(dirname "$0")/../cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
unset WEARGATE_NOW
W=$WEARGATE
for need in /usr/sbin/postfix /usr/sbin/postconf /usr/sbin/sendmail /usr/sbin/postsuper; do
	[ -x "$need" ] || { echo "SKIP: $need is not installed (apt-get install postfix)"; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "SKIP: a Postfix instance of its own needs root"; exit 77; }
getent passwd postfix >/dev/null || { echo "SKIP: no postfix user (the postfix package is not set up)"; exit 77; }
sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}
chmod 755 "$T"
P=$T/postfix
mkdir -p "$P/conf" "$P/spool" "$P/data"
cp /etc/postfix/main.cf /etc/postfix/master.cf "$P/conf/"
# Local only: nothing listens, and all mail goes to a port on 127.0.0.1 where nothing does, so
# that it is deferred; no chroot, a log file of its own (there may be no syslog).
postconf -c "$P/conf" -e "queue_directory=$P/spool" "data_directory=$P/data" "inet_interfaces=loopback-only" \
	"inet_protocols=ipv4" "relayhost=[127.0.0.1]:9" "default_transport=smtp" "mydestination=" \
	"myhostname=weargate.test" "maillog_file_prefixes=$P" "maillog_file=$P/maillog" || fail "postconf"
postconf -c "$P/conf" -F '*/*/chroot = n' || fail "postconf -F"
sed -i 's/^smtp\([[:space:]]*\)inet/#smtp\1inet/' "$P/conf/master.cf"
chown postfix "$P/data"
postfix -c "$P/conf" check >"$T/out" 2>&1 || { cat "$T/out"; fail "postfix check"; }
postfix -c "$P/conf" start >"$T/out" 2>&1 || { cat "$T/out" "$P/maillog"; echo "SKIP: Postfix would not start here"; exit 77; }
trap 'postfix -c "$P/conf" stop >/dev/null 2>&1; rm -rf "$T"' EXIT
MAIL_CONFIG=$P/conf
export MAIL_CONFIG

# spam N FROM: N messages, deferred
spam() {
	i=0
	while [ "$i" -lt "$1" ]; do
		printf 'Subject: offer %d\n\nbuy now\n' "$i" | sendmail -f "offer$i@$2" "victim$i@remote.example" || fail "sendmail"
		i=$((i + 1))
	done
}
deferred() { find "$P/spool/deferred" -type f | wc -l; }
deferred_is() { [ "$(deferred)" -eq "$1" ]; }
spam 100 spam.example
spam 3 good.example
eventually deferred_is 103 || fail "the mail was not deferred: $(deferred) of 103"

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "$T/history.db"
watch_interval = 1s
stop_grace = 10s
drive "sda" { blob = "$T/sda.blob" }
job "queue-purge" {
	class = maintenance
	drives = {"sda"}
}
CONF
chmod 0644 "$T/w.conf"
purge() { # EXPECTED-EXIT [VAR=VALUE...]
	code=$1
	shift
	run "$code" "$W" -c "$T/w.conf" exec -q queue-purge -- /usr/bin/env MAIL_CONFIG="$P/conf" \
		'POSTFIX_PURGE_MATCH=@spam\.example$' "$@" /bin/sh "$SOURCE_ROOT/contrib/hooks/postfix-purge.sh"
}

# The spam goes, the mail of a good sender stays, and postsuper's line per message stays out of cron's mail.
purge 0
[ "$(deferred)" -eq 3 ] || fail "the purge left $(deferred) messages, not the 3 good ones"
contains "$T/err" "queue-purge| postfix-purge: 100 messages match"
[ "$(grep -c '^queue-purge|' "$T/err")" -lt 10 ] || fail "the purge said a line per message: $(wc -l <"$T/err")"
[ "$(sql "SELECT outcome FROM job_run")" = success ] || fail "the purge is not recorded"

# The watchdog stops a slow purge when pending sectors appear under it, between batches.
spam 100 spam.example
eventually deferred_is 103 || fail "the second load was not deferred"
(sleep 3; "$WG_BLOB" set "$T/sda.blob" 197 raw=8) &
purge 143 POSTFIX_PURGE_BATCH=5 POSTFIX_PURGE_PAUSE=1
wait
contains "$T/err" "queue-purge: stopping it: sda pending sectors 0 → 8 during the run"
left=$(deferred)
[ "$left" -gt 3 ] && [ "$left" -lt 103 ] || fail "a stopped purge should have done some batches, not all: $left left"
[ "$(sql "SELECT outcome FROM job_run ORDER BY id DESC LIMIT 1")" = stopped ] || fail "the stop is not recorded"
exit 0
