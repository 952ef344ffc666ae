#!/bin/sh
# borgmatic.sh — Debian's borgmatic and borg, a local repository, weargate in borgmatic's own
# hooks (contrib/hooks/borgmatic-1.7.yaml's form): every backup counted, a defer skipped
# quietly, a refusal and a failure loud, the error hook closing the run.
. "$(dirname "$0")/../cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
unset WEARGATE_NOW
W=$WEARGATE
for need in borgmatic borg; do
	command -v "$need" >/dev/null 2>&1 || { echo "SKIP: $need is not installed (apt-get install borgmatic borgbackup)"; exit 77; }
done
# borg's cache, keys and security records, not root's own
HOME=$T/home
BORG_BASE_DIR=$T/home
export HOME BORG_BASE_DIR
mkdir -p "$HOME" "$T/data"
echo "mail of the day" >"$T/data/inbox"

sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}
archives() { borg list --short "$T/repo" | wc -l; }

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "$T/history.db"
drive "sda" { blob = "$T/sda.blob" }
drive "sdb" { blob = "$T/missing.blob" }
job "backup" {
	class = backup
	drives = {"sda"}
	timeout = 1h
}
job "purge" {
	class = maintenance
	drives = {"sda"}
}
job "offsite" {
	class = backup
	drives = {"sdb"}
	on_unknown = refuse
}
CONF
chmod 0644 "$T/w.conf"

# borgmatic 1.7's configuration, the hooks as contrib/hooks/borgmatic-1.7.yaml has them
borgmatic_conf() { # FILE JOB REPOSITORY
	cat >"$1" <<YAML
location:
    source_directories:
        - $T/data
    repositories:
        - $3
storage:
    archive_name_format: '{hostname}-{now:%Y-%m-%dT%H:%M:%S.%f}'
retention:
    keep_daily: 7
hooks:
    before_backup:
        - $W -c $T/w.conf gate -q --record $2
    after_backup:
        - $W -c $T/w.conf done -q $2
    on_error:
        - $W -c $T/w.conf done -q --status 1 $2
YAML
	validate-borgmatic-config -c "$1" >/dev/null 2>&1 || { validate-borgmatic-config -c "$1"; fail "borgmatic rejects $1"; }
}
borgmatic_conf "$T/backup.yaml" backup "$T/repo"
borgmatic_conf "$T/offsite.yaml" offsite "$T/repo"
borg init --encryption=none "$T/repo" >/dev/null 2>&1 || fail "borg init"

# Healthy: go, the backup is made and recorded as a success.
run 0 "$W" -c "$T/w.conf" sample sda
run 0 borgmatic -c "$T/backup.yaml" create
[ "$(archives)" = 1 ] || fail "borgmatic made no archive"
[ "$(sql "SELECT origin || ' ' || outcome || ' ' || verdict FROM job_run")" = "hook success go" ] ||
	fail "the backup is not recorded: $(sql "SELECT origin || ' ' || coalesce(outcome, 'open') FROM job_run")"

# Defer: a hot drive. borgmatic takes 75 as 'skip': no archive, no error, no run.
"$WG_BLOB" set "$T/sda.blob" 194 raw=60 || fail "wg-blob set"
run 0 "$W" -c "$T/w.conf" sample sda
run 0 borgmatic -c "$T/backup.yaml" create
[ "$(archives)" = 1 ] || fail "borgmatic backed up on a defer"
[ "$(sql "SELECT count(*) FROM job_run")" = 1 ] || fail "a deferred backup was recorded as a run"
[ "$(sql "SELECT verdict FROM decision ORDER BY id DESC LIMIT 1")" = defer ] || fail "the defer is not recorded"
"$WG_BLOB" set "$T/sda.blob" 194 raw=37 || fail "wg-blob set"

# Refuse: borgmatic fails loudly, and its error hook finds no run to close.
run 1 borgmatic -c "$T/offsite.yaml" create
contains "$T/err" "offsite: refuse:"
[ "$(archives)" = 1 ] || fail "borgmatic backed up on a refusal"
[ "$(sql "SELECT count(*) FROM job_run")" = 1 ] || fail "a refused backup was recorded as a run"

# Degrading: the purge waits for a backup; borgmatic's backup through the hooks is that backup.
"$WG_BLOB" set "$T/sda.blob" 197 raw=8 || fail "wg-blob set"
run 0 "$W" -c "$T/w.conf" sample sda
run 1 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "maintenance waits for a backup of sda"
run 0 borgmatic -c "$T/backup.yaml" create
[ "$(archives)" = 2 ] || fail "borgmatic did not back up the degrading drive"
[ "$(sql "SELECT outcome || ' ' || verdict FROM job_run ORDER BY id DESC LIMIT 1")" = "success go (throttled)" ] ||
	fail "the rescue backup is not recorded"
run 75 "$W" -c "$T/w.conf" gate purge
contains "$T/err" "purge: defer: sda degrading: cooldown of 24h after the last heavy job"

# A backup that fails after the gate let it go: the error hook closes the run as failed.
borgmatic_conf "$T/broken.yaml" backup "$T/no-such-repo"
run 1 borgmatic -c "$T/broken.yaml" create
[ "$(sql "SELECT outcome || ' ' || exit_status FROM job_run ORDER BY id DESC LIMIT 1")" = "failed 1" ] ||
	fail "the failed backup is not closed by the error hook: $(sql "SELECT coalesce(outcome, 'open') FROM job_run ORDER BY id DESC LIMIT 1")"

# Under exec, whose own gate runs first: borgmatic's hooks are part of exec's run, one run, a success.
n=$(sql "SELECT count(*) FROM job_run")
run 0 "$W" -c "$T/w.conf" exec backup -- /usr/bin/env HOME="$HOME" BORG_BASE_DIR="$HOME" borgmatic -c "$T/backup.yaml" create
[ "$(archives)" = 3 ] || fail "borgmatic under exec skipped its backup"
[ "$(sql "SELECT count(*) FROM job_run")" = $((n + 1)) ] || fail "borgmatic's hooks under exec made a run of their own"
[ "$(sql "SELECT origin || ' ' || outcome FROM job_run ORDER BY id DESC LIMIT 1")" = "runner success" ] ||
	fail "exec's run is not the success"
exit 0
