#!/bin/sh
# demo.sh — the README's first command tells DESIGN.md's story the same way every time.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?}" "${BUILD_ROOT:?}"

sh "$SOURCE_ROOT/data/demo.sh" "$BUILD_ROOT" >"$T/first" 2>&1 || { cat "$T/first" >&2; fail "the demo failed"; }
sh "$SOURCE_ROOT/data/demo.sh" "$BUILD_ROOT" >"$T/second" 2>&1 || fail "the demo failed the second time"
cmp -s "$T/first" "$T/second" || { diff "$T/first" "$T/second" >&2; fail "the demo's output is not the same every time"; }

# What weargate did differently from the admin of the story:
# the purge is stopped when the disk gives under it,
contains "$T/first" "queue-purge: stopped: sda pending sectors 0 → 8 during the run"
# refused until a backup has been made,
contains "$T/first" "queue-purge: refuse: sda degrading (pending sectors 0 → 8 since 2026-11-26 01:00 UTC); maintenance waits for a backup of sda"
# the backup goes first on the next night, and the purge is spaced from it,
grep -n 'full-backup: success\|queue-purge: defer' "$T/first" | head -n 2 >"$T/night2"
[ "$(cut -d: -f2- "$T/night2" | head -n 1)" = "full-backup: success" ] || fail "the backup did not go first on night 2"
contains "$T/first" "queue-purge: defer: sda degrading: cooldown of 24h after the last heavy job"
# then it runs, throttled,
contains "$T/first" "queue-purge: go (throttled): sda degrading"
# and the table of what each run did to the drive answers "did the cleanup kill the disk?"
grep -q '^queue-purge .* stopped .* 0 → 8 ' "$T/first" || fail "the jobs table does not show the purge's pending sectors"
grep -q '^full-backup .* success .* 29.3 GiB ' "$T/first" || fail "the jobs table does not show the backup's reads"
# its columns line up in characters, "→" counted as one
header_at=$(grep '^JOB  *STARTED' "$T/first" | head -n 1 | sed 's/REASON.*//' | wc -c)
reason_at=$(grep '^queue-purge .* stopped ' "$T/first" | head -n 1 | sed 's/→/>/g; s/sda pending sectors.*//' | wc -c)
[ "$header_at" -eq "$reason_at" ] || fail "the jobs table's REASON column is at $reason_at, its header at $header_at"
echo "demo: ok"
