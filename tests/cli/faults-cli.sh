#!/bin/sh
# faults-cli.sh — every option of every command with a wrong value: the exit status of a usage
# error (64; 255 under gate --condition), one message naming the value, nothing on stdout, and
# nothing touched. errors.sh, gate.sh and history.sh try the first few; this is the whole table.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "history.db"
drive "sda" { blob = "sda.blob" }
job "purge" {
	class = maintenance
	command = {"/bin/sh", "-c", "echo ran >>$T/ran"}
	drives = {"sda"}
}
CONF
run 0 "$W" -c "$T/w.conf" sample
cp "$T/history.db" "$T/before.db"
passes() {
	python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute("SELECT (SELECT count(*) FROM pass), (SELECT count(*) FROM decision), (SELECT count(*) FROM job_run)").fetchone())' "$T/history.db"
}
recorded=$(passes)

# One case a line: the exit status, a tab, what the message says, a tab, the arguments after
# "weargate -c CONF" (as the shell reads them).
cases=$(cat <<'CASES'
64	option '--max-wait' needs a value	gate --max-wait
64	--max-wait '-1h' is not a duration	gate --max-wait -1h purge
64	--max-wait '' is not a duration	gate --max-wait '' purge
64	--max-wait '1.5h' is not a duration	gate --max-wait 1.5h purge
64	--max-wait '999999999999999999d' is not a duration	gate --max-wait 999999999999999999d purge
64	unknown option '--json=yes'	gate --json=yes purge
64	unexpected argument 'backup'	gate purge backup
64	no job 'Purge'	gate Purge
255	--max-wait 'soon' is not a duration	gate --condition --max-wait soon purge
255	option '--max-wait' needs a value	gate --condition --max-wait
255	no job 'nosuch'	gate --condition nosuch
64	option '--attr' needs a value	history --attr
64	--attr '-1' is not an attribute id (1-255) or name	history --attr -1
64	--attr '0' is not an attribute id	history --attr 0
64	--attr '1.5' is not an attribute id	history --attr 1.5
64	--attr '99999999999999999999' is not an attribute id	history --attr 99999999999999999999
64	--attr 'Current_Pending_Sector' is not an attribute id	history --attr Current_Pending_Sector
64	--buckets 'abc' is not a number of rows 0-100000	history --buckets abc
64	--buckets '-0' is not a number of rows	history --buckets -0
64	--buckets '100001' is not a number of rows	history --buckets 100001
64	--buckets '' is not a number of rows	history --buckets ''
64	option '--since' needs a value	history --since
64	--since '' is not a duration (30d) or a date (2026-11-20)	history --since ''
64	--since '-5d' is not a duration	history --since -5d
64	--since '2026-02-30' is not a duration	history --since 2026-02-30
64	--since '2026-11-20T25:00' is not a duration	history --since 2026-11-20T25:00
64	--since '99999999999999999999' is not a duration	history --since 99999999999999999999
64	--until 'tomorrow' is not a duration	history --until tomorrow
64	--since is after --until: the range is empty	history --since 2026-11-25 --until 2026-11-20
64	option '--format' needs a value	history --format
64	--format 'JSON' is not one of table, csv, json	history --format JSON
64	no drive 'sdz'	history sdz
64	--jobs shows every run: no DRIVE, --attr or --buckets with it	history --jobs --buckets 5
64	unknown option '--trend=5'	history --trend=5
64	option '--older-than' needs a value	prune --older-than
64	--older-than '0' is not a duration	prune --older-than 0
64	--older-than '-1d' is not a duration	prune --older-than -1d
64	--older-than 'x' is not a duration	prune --older-than x
64	--thin-to '0' is not a duration	prune --older-than 1d --thin-to 0
64	--thin-to '1 d' is not a duration	prune --older-than 1d --thin-to '1 d'
64	unexpected argument 'sda'	prune --older-than 1d sda
64	option '--output' needs a value	report --output
64	--output needs a file name	report --output ''
64	--output '/nonexistent-weargate/r.html': there is no directory '/nonexistent-weargate'	report --output /nonexistent-weargate/r.html
64	--since 'xyz' is not a duration	report --since xyz
64	option '--output' needs a value	export --output
64	--output needs a file name	export --output ''
64	--output '/nonexistent-weargate/w.prom': there is no directory '/nonexistent-weargate'	export --output /nonexistent-weargate/w.prom
64	unexpected argument 'sda'	export sda
64	unknown option '--wake=yes'	sample --wake=yes
64	unknown drive 'SDA'	sample SDA
64	unknown option '--json=1'	status --json=1
64	which job?	exec
64	which command?	exec purge
64	which command?	exec purge --
64	no job 'nosuch'	exec nosuch -- /bin/true
64	unknown option '--bogus'	exec --bogus purge -- /bin/true
64	no job 'nosuch'	run nosuch
64	unknown option '--bogus'	run --bogus
64	unexpected argument 'x'	check-config x
CASES
)
printf '%s\n' "$cases" | while IFS='	' read -r code message args; do
	eval "set -- $args"
	run "$code" "$W" -c "$T/w.conf" "$@"
	contains "$T/err" "weargate: $message"
	if [ -s "$T/out" ]; then fail "'$args' printed: $(cat "$T/out")"; fi
done || exit 1
[ -e "$T/ran" ] && fail "a job ran on a usage error"
[ "$(passes)" = "$recorded" ] || fail "a usage error recorded something: $(passes), before $recorded"
[ -e "$T/r.html" ] && fail "report wrote on a usage error"

# The clock tests set, wrong: a usage error for every command that reads it.
for now in -5 1e9 99999999999999999999 0x10 "1795600000 " " 1795600000" +1795600000; do
	WEARGATE_NOW=$now run 64 "$W" -c "$T/w.conf" status
	contains "$T/err" "WEARGATE_NOW='$now' is not a number of seconds since the epoch"
done
echo "faults-cli: ok"
