#!/bin/sh
# restic.sh — Debian's restic under 'weargate exec' as contrib/hooks/restic.cron runs it: the
# repository and password through env(1), the cache under the job user's HOME from its passwd
# entry (not /.cache), the backup recorded.
. "$(dirname "$0")/../cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
unset WEARGATE_NOW
W=$WEARGATE
[ -x /usr/bin/restic ] || { echo "SKIP: /usr/bin/restic is not installed (apt-get install restic)"; exit 77; }
sql() {
	python3 -c 'import sqlite3, sys; r = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone(); print("" if r is None else r[0])' \
		"$T/history.db" "$1"
}
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
printf 'database = "%s/history.db"\ndrive "sda" { blob = "%s/sda.blob" }\njob "backup" {\n\tclass = backup\n\tdrives = {"sda"}\n}\n' "$T" "$T" >"$T/w.conf"
chmod 0644 "$T/w.conf"
mkdir -p "$T/data"
echo "mail of the day" >"$T/data/inbox"
echo "not a secret" >"$T/password"
RESTIC_REPOSITORY=$T/repo RESTIC_PASSWORD_FILE=$T/password restic init --no-cache >/dev/null 2>&1 || fail "restic init"
id=$(RESTIC_REPOSITORY=$T/repo RESTIC_PASSWORD_FILE=$T/password restic cat config --no-cache --json |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') || fail "no repository id"
home=$(getent passwd "$(id -un)" | cut -d: -f6)
cache=$home/.cache/restic/$id
trap 'rm -rf "$cache" "$T"' EXIT

HOME=/elsewhere run 0 "$W" -c "$T/w.conf" exec -q backup -- /usr/bin/env RESTIC_REPOSITORY="$T/repo" \
	RESTIC_PASSWORD_FILE="$T/password" /usr/bin/restic backup --quiet "$T/data"
[ "$(sql "SELECT outcome FROM job_run")" = success ] || fail "the backup is not recorded"
[ -d "$cache" ] || fail "restic's cache is not under the job user's home ($home): $(ls -d /.cache/restic/"$id" 2>/dev/null)"
[ "$(RESTIC_REPOSITORY=$T/repo RESTIC_PASSWORD_FILE=$T/password restic snapshots --no-cache --json |
	python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')" = 1 ] || fail "restic made no snapshot"
exit 0
