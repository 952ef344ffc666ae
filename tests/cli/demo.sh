#!/bin/sh
# demo.sh — the README's first command tells DESIGN.md's story the same way every time, and leaves
# the report of it in the build directory, each job a labelled band as long as it ran.
. "$(dirname "$0")/lib.sh"
: "${SOURCE_ROOT:?}" "${BUILD_ROOT:?}"

rm -f "$BUILD_ROOT/demo-report.html"
sh "$SOURCE_ROOT/data/demo.sh" "$BUILD_ROOT" >"$T/first" 2>&1 || { cat "$T/first" >&2; fail "the demo failed"; }
sh "$SOURCE_ROOT/data/demo.sh" "$BUILD_ROOT" >"$T/second" 2>&1 || fail "the demo failed the second time"
cmp -s "$T/first" "$T/second" || { diff "$T/first" "$T/second" >&2; fail "the demo's output is not the same every time"; }

# What weargate did differently from the admin of the story:
# the purge is stopped when the disk gives under it,
contains "$T/first" "queue-purge: stopped: sda pending sectors 0 → 8 during the run"
# refused until a backup has been made,
contains "$T/first" "queue-purge: refuse: sda degrading (pending sectors 0 → 8 since 2026-11-26 02:40 UTC); maintenance waits for a backup of sda"
# the backup goes first on the next night, and the purge is spaced from it,
grep -n 'full-backup: success\|queue-purge: defer' "$T/first" | head -n 2 >"$T/night2"
[ "$(cut -d: -f2- "$T/night2" | head -n 1)" = "full-backup: success" ] || fail "the backup did not go first on night 2"
contains "$T/first" "queue-purge: defer: sda degrading: cooldown of 24h after the last heavy job"
# then it runs, throttled,
contains "$T/first" "queue-purge: go (throttled): sda degrading"
# and the table of what each run did to the drive answers "did the cleanup kill the disk?"
grep -q '^queue-purge .* 100m .* stopped .* 0 → 8 ' "$T/first" || fail "the jobs table does not show the purge's pending sectors"
grep -q '^full-backup .* 90m .* success .* 29.3 GiB ' "$T/first" || fail "the jobs table does not show the backup's reads"
# its columns line up in characters, "→" counted as one
header_at=$(grep '^JOB  *STARTED' "$T/first" | head -n 1 | sed 's/REASON.*//' | wc -c)
reason_at=$(grep '^queue-purge .* stopped ' "$T/first" | head -n 1 | sed 's/→/>/g; s/sda pending sectors.*//' | wc -c)
[ "$header_at" -eq "$reason_at" ] || fail "the jobs table's REASON column is at $reason_at, its header at $header_at"

# The report it leaves: the three runs on each chart, each a band as wide as it ran (the clock
# moved through them: 100, 90 and 60 minutes of a 54-hour range) and labelled.
R=$BUILD_ROOT/demo-report.html
contains "$T/first" "The three nights as a page: $R"
[ -s "$R" ] || fail "the demo left no $R"
python3 - "$R" <<'PY' || fail "the demo's report does not tell the story"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
errors = []
charts = re.findall(r'<svg class="chart".*?</svg>', page, re.S)
if len(charts) != 2:
    errors.append("%d charts" % len(charts))
want = [("stopped", 100), ("success", 90), ("success", 60)]
for svg in charts:
    bands = re.findall(r'<rect class="band b-([a-z]+)" x="[0-9.]+" y="[0-9]+" width="([0-9.]+)"', svg)
    got = [(o, round(float(w) * 54 * 60 / 928)) for o, w in bands]
    if [o for o, _ in got] != [o for o, _ in want] or any(abs(g - m) > 1 for (_, g), (_, m) in zip(got, want)):
        errors.append("bands (outcome, minutes): %s, expected %s" % (got, want))
    labels = re.findall(r'<text class="band-label"[^>]*>([^<]*)</text>', svg)
    if labels != ["queue-purge: stopped", "full-backup: success", "queue-purge: success"]:
        errors.append("band labels: %s" % labels)
if "From 2026-11-26 01:00 to 2026-11-28 07:00, local time (UTC)" not in page:
    errors.append("the header does not give the three nights' range")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "demo: no chromium here (Debian: apt-get install chromium): the report's rendering is not checked"
else
	python3 "$SOURCE_ROOT/tests/report-render.py" "$CHROMIUM" "$BUILD_ROOT/meson-logs/demo" 800,1400 "$R" ||
		fail "chromium: the demo's report does not render as it should"
fi
echo "demo: ok"
