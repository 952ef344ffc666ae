# contrib.sh — contrib/: shellcheck on its shell scripts, systemd-analyze verify on the
# generated units, and the purge hooks run against fake qmail and Postfix commands.
. "$(dirname "$0")/lib.sh"

C=$SOURCE_ROOT/contrib
skipped=''

# --- shellcheck: every shell script under contrib/ (by name or by its #! line)
if command -v shellcheck >/dev/null 2>&1; then
	find "$C" -type f | sort | while read -r f; do
		case $f in
		*.bash) shellcheck -s bash "$f" || fail "shellcheck: $f" ;;
		*.sh) shellcheck -s sh "$f" || fail "shellcheck: $f" ;;
		*)
			if head -n 1 "$f" | grep -qE '^#!.*/(env )?(ba|da)?sh'; then
				shellcheck "$f" || fail "shellcheck: $f"
			fi
			;;
		esac
	done || exit 1
else
	skipped="$skipped shellcheck (not installed)"
fi

# --- systemd-analyze verify, on copies whose weargate is the one just built
U=$BUILD_ROOT/contrib
mkdir "$T/units"
for f in weargate-sample.service weargate-sample.timer weargate-run.service weargate-run.timer \
	queue-purge.service queue-purge.timer; do
	[ -f "$U/$f" ] || fail "$U/$f was not generated"
	sed "s|=[^ ]*/weargate |=$WEARGATE |" "$U/$f" >"$T/units/$f"
done
contains "$T/units/weargate-run.service" "ExecStart=$WEARGATE run"
contains "$U/weargate-run.service" "SuccessExitStatus=75"
contains "$U/weargate-run.service" "KillMode=mixed"
contains "$U/queue-purge.service" "ExecCondition="
grep -q '@[a-z]*@' "$U"/*.service && fail "a unit still has an @variable@"
# systemd-analyze verify needs no running systemd, but it does need to load units here: a
# trivial one that it cannot verify means this environment cannot, not that ours are wrong.
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/units/wg-probe.service"
if ! command -v systemd-analyze >/dev/null 2>&1; then
	skipped="$skipped systemd-analyze (not installed)"
elif ! (cd "$T/units" && systemd-analyze verify ./wg-probe.service) >"$T/out" 2>&1; then
	skipped="$skipped systemd-analyze (cannot verify even a trivial unit here: $(head -n 1 "$T/out"))"
else
	for f in weargate-sample.timer weargate-run.timer queue-purge.timer \
		weargate-sample.service weargate-run.service queue-purge.service; do
		(cd "$T/units" && systemd-analyze verify --man=no "./$f") >"$T/out" 2>&1 || {
			cat "$T/out" >&2
			fail "systemd-analyze verify $f"
		}
		# warnings about the host's own units are not ours; those about ours are
		if grep -E 'weargate-|queue-purge' "$T/out" >&2; then
			fail "systemd-analyze verify $f warned"
		fi
	done
fi

# --- the drop-ins that gate the distribution's heavy jobs, each against its package's unit ---
# SYSTEMD_UNIT_PATH=DIR: (a trailing colon keeps the default directories) makes systemd-analyze
# load the unit from /lib/systemd/system as installed and its drop-in from DIR/UNIT.d/, as
# /etc/systemd/system/UNIT.d/ would be; no running systemd is needed. A broken copy of the
# drop-in must fail the same check: the drop-in was read, not passed over.
# pkg UNIT: the Debian package that ships UNIT (for the skip message)
pkg() {
	case $1 in
	e2scrub_all.service) echo e2fsprogs ;;
	fstrim.service) echo util-linux ;;
	mdcheck_*) echo mdadm ;;
	zfs-scrub@.service) echo "zfsutils-linux (Debian's contrib component)" ;;
	esac
}
mkdir "$T/dropins"
for unit in e2scrub_all.service fstrim.service mdcheck_start.service mdcheck_continue.service zfs-scrub@.service; do
	f=$U/$unit.weargate.conf
	[ -f "$f" ] || fail "$f was not generated"
	grep -q '@[a-z]*@' "$f" && fail "$f still has an @variable@"
	job=$(sed -n 's/^ExecCondition=[^ ]*weargate gate --condition //p' "$f")
	[ -n "$job" ] || fail "$f has no ExecCondition=… weargate gate --condition JOB"
	# each job the drop-ins name is in the example configuration (a pool's scrub as zfs-scrub-POOL)
	example_job=$(printf '%s' "$job" | sed 's/%i$/tank/')
	grep -Eq "^(# )?job \"$example_job\"" "$SOURCE_ROOT/data/weargate.conf.example" ||
		fail "the job '$example_job' of $unit's drop-in is not in data/weargate.conf.example"
	if ! command -v systemd-analyze >/dev/null 2>&1 || case $skipped in *systemd-analyze*) true ;; *) false ;; esac then
		continue
	fi
	instance=$unit
	case $unit in *@.service) instance=${unit%@.service}@tank.service ;; esac
	if [ ! -f "/lib/systemd/system/$unit" ] && [ ! -f "/usr/lib/systemd/system/$unit" ]; then
		skipped="$skipped $unit (its package $(pkg "$unit") is not installed: the drop-in is not verified against it)"
		continue
	fi
	rm -rf "$T/dropins/"*
	mkdir "$T/dropins/$unit.d"
	sed "s|=[^ ]*/weargate |=$WEARGATE |" "$f" >"$T/dropins/$unit.d/weargate.conf"
	(cd / && SYSTEMD_UNIT_PATH=$T/dropins: systemd-analyze verify --man=no "$instance") >"$T/out" 2>&1 || {
		cat "$T/out" >&2
		fail "systemd-analyze verify $instance with weargate's drop-in"
	}
	grep "$T/dropins" "$T/out" >&2 && fail "systemd-analyze warned about weargate's drop-in for $unit"
	sed 's|=[^ ]*/weargate |=/nonexistent/weargate |' "$f" >"$T/dropins/$unit.d/weargate.conf"
	(cd / && SYSTEMD_UNIT_PATH=$T/dropins: systemd-analyze verify --man=no "$instance") >"$T/out" 2>&1 &&
		fail "systemd-analyze verify $instance did not read weargate's drop-in (a broken one passed)"
	grep -q '/nonexistent/weargate' "$T/out" || { cat "$T/out" >&2; fail "verify of $instance failed, but not for the broken drop-in"; }
done
# Debian 12's btrfs-progs ships no btrfs-scrub@.service (btrfsmaintenance has its own units):
# there is no drop-in for one. Should a later btrfs-progs ship one, this says a drop-in is due.
if dpkg -L btrfs-progs >/dev/null 2>&1; then
	dpkg -L btrfs-progs | grep -q 'systemd/system/.*scrub' &&
		fail "btrfs-progs now ships a scrub unit ($(dpkg -L btrfs-progs | grep 'systemd/system/.*scrub')): add a drop-in for it"
else
	skipped="$skipped btrfs-progs (not installed: that it ships no scrub unit is not checked)"
fi
# mdadm's cron check, gated: the same checkarray line as mdadm's own, and the gate in its condition
grep -q '&& /usr/sbin/weargate gate -q mdcheck; then /usr/share/mdadm/checkarray --cron --all --idle --quiet; fi$' "$C/cron/mdadm" ||
	fail "contrib/cron/mdadm does not gate checkarray"
if [ -f /etc/cron.d/mdadm ]; then
	want=$(grep -v '^#' /etc/cron.d/mdadm | grep checkarray)
	got=$(grep -v '^#' "$C/cron/mdadm" | grep checkarray | sed 's| && /usr/sbin/weargate gate -q mdcheck||')
	[ "$want" = "$got" ] || fail "contrib/cron/mdadm strays from mdadm's own line: '$got' against '$want'"
fi

# --- fake mail servers: each records its calls in $T/log
B=$T/bin
mkdir "$B"
cat >"$B/svc" <<'SH'
#!/bin/sh
echo "svc $*" >>"$FAKE/log"
case $1 in -d) echo down >"$FAKE/state" ;; -u) echo up >"$FAKE/state" ;; esac
SH
cat >"$B/svstat" <<'SH'
#!/bin/sh
echo "$1: $(cat "$FAKE/state") 3 seconds"
SH
# qmail-remove: says whether qmail-send was down when it ran; the call numbered $FAKE_TERM_AT
# sends SIGTERM to its whole process group, as weargate's watchdog does, and carries on.
cat >"$B/qmail-remove" <<'SH'
#!/bin/sh
n=$(($(cat "$FAKE/calls" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE/calls"
echo "qmail-remove($(cat "$FAKE/state")) $*" >>"$FAKE/log"
[ "$n" = "${FAKE_TERM_AT:-0}" ] && kill -TERM 0
sleep 0.2
echo "fake: 1 file(s) match"
SH
cat >"$B/postqueue" <<'SH'
#!/bin/sh
echo '-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------'
for id in 1A2B3C4D5E 2B3C4D5E6F* 3C4D5E6F7A 4D5E6F7A8B! 5E6F7A8B9C; do
	printf '%-11s %8s %s  %s\n' "$id" 1234 'Mon Nov 23 02:00:00' "spam@$id.example"
	printf '%s\n' '(connect to mx.example[192.0.2.1]:25: Connection timed out)'
	printf '%41s%s\n' '' 'victim@example.net'
	echo
done
echo '-- 6 Kbytes in 5 Requests.'
SH
cat >"$B/postsuper" <<'SH'
#!/bin/sh
n=$(($(cat "$FAKE/calls" 2>/dev/null || echo 0) + 1))
echo "$n" >"$FAKE/calls"
echo "postsuper $* <$(paste -s -d ' ' -)" >>"$FAKE/log"
[ "$n" = "${FAKE_TERM_AT:-0}" ] && kill -TERM 0
sleep 0.2
SH
chmod +x "$B"/*

# fresh ARGS...: a clean fake state, qmail-send up
fresh() {
	FAKE=$T/fake
	rm -rf "$FAKE"
	mkdir "$FAKE"
	echo up >"$FAKE/state"
	: >"$FAKE/log"
	export FAKE
}

# purge CODE SCRIPT: run a hook in a process group of its own (as weargate runs a job)
purge() {
	want=$1
	shift
	run "$want" env PATH="$B:$PATH" setsid "$@"
}

printf '# spam\n\nspam@a\\.example\nspam@b\\.example\nspam@c\\.example\n  \nspam@d\\.example\nspam@e\\.example\n' >"$T/patterns"
Q=$C/hooks/qmail-purge.sh
export QMAIL_PURGE_PATTERNS="$T/patterns" QMAIL_PURGE_BATCH=2 QMAIL_STOP_WAIT=5

# qmail: 5 patterns in batches of 2, qmail down around each batch, up at the end
fresh
purge 0 sh "$Q"
contains "$T/out" "5 patterns in 3 batches of up to 2"
contains "$T/out" "done: 3 batches"
[ "$(cat "$FAKE/calls")" = 3 ] || fail "qmail-remove ran $(cat "$FAKE/calls") times, not 3"
contains "$FAKE/log" "qmail-remove(down) -e -p spam@a\\.example|spam@b\\.example -r"
contains "$FAKE/log" "qmail-remove(down) -e -p spam@e\\.example -r"
grep -q 'qmail-remove(up)' "$FAKE/log" && fail "qmail-remove ran with qmail-send up"
[ "$(cat "$FAKE/state")" = up ] || fail "qmail-send left down"
[ "$(grep -c '^svc -d' "$FAKE/log")" = 3 ] || fail "qmail not stopped once per batch"

# qmail: SIGTERM during batch 2 lets batch 2 finish, restarts qmail, stops before batch 3
fresh
FAKE_TERM_AT=2 purge 143 sh "$Q"
[ "$(cat "$FAKE/calls")" = 2 ] || fail "qmail-remove ran $(cat "$FAKE/calls") times after SIGTERM, not 2"
contains "$T/out" "batch 2 of 3 done"
contains "$T/out" "stopped by SIGTERM before batch 3; 1 of 3 batches not done"
[ "$(cat "$FAKE/state")" = up ] || fail "qmail-send left down after SIGTERM"
[ "$(tail -n 1 "$FAKE/log")" = "svc -u /service/qmail-send" ] || fail "qmail not started last"

# qmail: dry run lists, never stops qmail, never removes
fresh
QMAIL_PURGE_DRY_RUN=1 purge 0 sh "$Q"
contains "$T/out" "dry run"
grep -q -- ' -r' "$FAKE/log" && fail "dry run removed: $(cat "$FAKE/log")"
grep -q '^svc' "$FAKE/log" && fail "dry run stopped qmail"

# qmail: without qmail-remove, a clear error, and qmail untouched
fresh
QMAIL_REMOVE=qmail-remove-missing purge 69 sh "$Q"
contains "$T/out" "not packaged in Debian"
[ -s "$FAKE/log" ] && fail "qmail touched without qmail-remove"

# qmail: no patterns, nothing done (never an empty pattern, which matches every message)
fresh
printf '# none yet\n\n' >"$T/empty"
QMAIL_PURGE_PATTERNS=$T/empty purge 0 sh "$Q"
contains "$T/out" "nothing to do"
[ -s "$FAKE/log" ] && fail "qmail touched without patterns"

# Postfix: 5 messages in batches of 2 from the deferred queue, markers stripped
P=$C/hooks/postfix-purge.sh
export POSTFIX_PURGE_BATCH=2
fresh
purge 0 sh "$P"
contains "$T/out" "5 messages match"
contains "$FAKE/log" "postsuper -d - deferred <1A2B3C4D5E 2B3C4D5E6F"
contains "$FAKE/log" "postsuper -d - deferred <3C4D5E6F7A 4D5E6F7A8B"
contains "$FAKE/log" "postsuper -d - deferred <5E6F7A8B9C"

# Postfix: a pattern picks messages by what postqueue shows
fresh
POSTFIX_PURGE_MATCH='spam@(1A|5E)' purge 0 sh "$P"
contains "$FAKE/log" "postsuper -d - deferred <1A2B3C4D5E 5E6F7A8B9C"
[ "$(cat "$FAKE/calls")" = 1 ] || fail "postsuper ran $(cat "$FAKE/calls") times for 2 messages"

# Postfix: SIGTERM during batch 2 lets it finish and stops before batch 3
fresh
FAKE_TERM_AT=2 purge 143 sh "$P"
[ "$(cat "$FAKE/calls")" = 2 ] || fail "postsuper ran $(cat "$FAKE/calls") times after SIGTERM, not 2"
contains "$T/out" "stopped by SIGTERM before batch 3; 1 of 5 messages not done"

# Postfix: dry run deletes nothing
fresh
POSTFIX_PURGE_DRY_RUN=1 purge 0 sh "$P"
contains "$T/out" "would delete 2: 1A2B3C4D5E 2B3C4D5E6F"
[ -s "$FAKE/log" ] && fail "dry run ran postsuper"

if [ -n "$skipped" ]; then
	echo "SKIPPED:$skipped" >&2
	# CI must have shellcheck; a container without a usable systemd-analyze is not a failure
	case $skipped in *shellcheck*) exit 77 ;; esac
fi
exit 0
