#!/bin/sh
# demo.sh — DESIGN.md's story in a few seconds: a weak disk, a night-long mail-queue purge and a
# full backup, this time with weargate in charge. No real disk: the drive is a SMART blob that the
# jobs wear by editing it, its I/O counters a fake sysfs file, and the nights a simulated clock
# that each job moves on by the time it would have taken. It leaves BUILDDIR/demo-report.html,
# `weargate report` of the three nights.
# Usage: sh data/demo.sh [BUILDDIR]   (default: build)
set -eu
BUILD=$(cd "${1:-build}" && pwd)
W=$BUILD/weargate
B=$BUILD/contrib/wg-blob
[ -x "$W" ] && [ -x "$B" ] || { echo "demo: build weargate first (meson setup build && ninja -C build)" >&2; exit 1; }

D=$(mktemp -d "${TMPDIR:-/tmp}/weargate-demo.XXXXXX")
trap 'rm -rf "$D"' EXIT
umask 022
# Everything the demo runs against is its own: times in UTC, a fake sysfs and kernel log, no
# cgroup to touch.
TZ=UTC
WEARGATE_SYSFS_ROOT=$D/sys
WEARGATE_CGROUP_ROOT=$D/no-cgroup
WEARGATE_SYSTEMD_DIR=$D/no-systemd
WEARGATE_KMSG=$D/kmsg
export TZ WEARGATE_SYSFS_ROOT WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_KMSG

cp "$BUILD/data/demo-sda.blob" "$D/sda.blob"
mkdir -p "$D/sys/block/sda"
echo "100 0 1000 50 20 0 500 40 0 60 90" >"$D/sys/block/sda/stat"
: >"$D/kmsg"

# The clock weargate reads (WEARGATE_NOW=@FILE), and advance SECONDS: a job's work takes that
# long on it. Written whole and renamed, so that weargate never reads half of it.
cat >"$D/advance" <<EOF
t=\$((\$(cat "$D/clock") + \$1))
echo "\$t" >"$D/clock.new" && mv "$D/clock.new" "$D/clock"
EOF

# io READ WRITTEN: what the kernel would count for the job's I/O, in sectors.
cat >"$D/io.sh" <<EOF
set -- \$(cat "$D/sys/block/sda/stat") "\$1" "\$2"
echo "\$1 \$2 \$((\$3 + \${12})) \$4 \$5 \$6 \$((\$7 + \${13})) \$8 \$9 \${10} \${11}" >"$D/sys/block/sda/stat"
EOF

# The purge: qmail-remove in a loop, metadata-bound random I/O, the worst load for a weak disk.
# On the first night the disk gives: pending sectors appear half-way.
cat >"$D/queue-purge" <<EOF
#!/bin/sh
left=\$(cat "$D/queue" 2>/dev/null || echo 40000)
echo "queue: \$left junk messages"
sh "$D/io.sh" 9000 48000
if [ ! -e "$D/worn" ]; then
	: >"$D/worn"
	# an hour and forty minutes of it, then the disk gives (the clock first, and a moment for
	# weargate to finish any look at the drive it began before)
	sh "$D/advance" 6000
	sleep 1
	"$B" set "$D/sda.blob" 197 add=8
	echo "removed 20000 messages"
	echo 20000 >"$D/queue"
	sleep 10
	echo "never printed: weargate stopped the purge before"
	exit 0
fi
sh "$D/advance" 3600
echo "removed \$left messages"
echo 0 >"$D/queue"
EOF

# The full backup: one long sequential read of everything, an hour and a half of it throttled.
cat >"$D/full-backup" <<EOF
#!/bin/sh
sh "$D/io.sh" 61440000 0
sh "$D/advance" 5400
echo "backed up 30 GiB"
EOF
chmod +x "$D/queue-purge" "$D/full-backup"

cat >"$D/weargate.conf" <<EOF
database = "history.db"
# seconds between looks at a running job's drive (the default is 10m)
watch_interval = 1s
stop_grace = 1s
drive "sda" { blob = "sda.blob" }
job "queue-purge" {
	class = maintenance
	command = {"$D/queue-purge"}
	drives = {"sda"}
}
job "full-backup" {
	class = backup
	command = {"$D/full-backup"}
	drives = {"sda"}
}
EOF

night=1795654800 # 2026-11-26 01:00 UTC
say() {
	printf '\n### %s\n' "$*"
}
# weargate at a time of the story, which its jobs move on; its pids would differ from run to run,
# the rest does not
wg() {
	echo "$1" >"$D/clock"
	shift
	WEARGATE_NOW=@$D/clock "$W" -c "$D/weargate.conf" "$@" 2>&1 | sed 's/ (pid [0-9]*)//' || true
}

say "Night 1, 01:00. The admin's nightly purge starts on a disk that looks healthy."
wg $night run queue-purge
say "Night 1, 03:00. The admin tries again. weargate says no: back up first."
wg $((night + 7200)) run queue-purge
say "Night 2, 01:00. The nightly run: the backup goes first; the purge waits out the cooldown."
wg $((night + 86400)) run
say "Night 3, 03:00. 24 hours after the backup, the purge may finish the queue, throttled."
wg $((night + 2 * 86400 + 7200)) run queue-purge
say "The morning after: the drive, and what each job did to it."
wg $((night + 2 * 86400 + 6 * 3600)) status
wg $((night + 2 * 86400 + 6 * 3600)) history --jobs --since 7d
wg $((night + 2 * 86400 + 6 * 3600)) report --output "$BUILD/demo-report.html"
say "The three nights as a page: $BUILD/demo-report.html"
