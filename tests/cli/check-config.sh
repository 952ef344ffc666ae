#!/bin/sh
# check-config.sh — `check-config` prints the configuration as understood, or refuses it with file and line.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?WEARGATE must name the built weargate binary}"
: "${BUILD_ROOT:?}" "${SOURCE_ROOT:?}"

W=$WEARGATE

# '${HOME}' in single quotes is literal (libconfuse expands it between double quotes): the
# printed file must keep it literal.
cat >"$T/w.conf" <<'CONF'
database = "hist/h.db"
sample_max_age = 90m
watch_interval = 5m
run_until = "6:30"
notify = {"/usr/local/bin/weargate-mail", "root"}
policy {
	window = 14d
	cooldown { worn = 3h }
	max_temperature = 0
}
drive "sda" { device = "/dev/disk/by-id/ata-X" access = "linux-ide" }
drive "demo" { blob = "demo.blob" }
job "backup" {
	class = backup
	command = {"/usr/bin/borgmatic", "--verbosity", "1"}
	paths = {"/var/qmail", "/home"}
	drives = {"demo"}
	timeout = 8h
}
job "queue-purge" {
	class = maintenance
	command = {"/usr/local/sbin/purge-queue", "say \"hi\"", '${HOME}'}
	drives = {"sda"}
	throttle = "20M"
	cooldown = 90
	user = "qmailq"
	shell = true
	nice = 19
	ionice = idle
	watch_interval = 90s
}
CONF
mkdir -p "$T/var/qmail" "$T/home"
sed -i "s|\"/var/qmail\", \"/home\"|\"$T/var/qmail\", \"$T/home\"|" "$T/w.conf"
# the programs the jobs run must be there, runnable by the jobs' users
mkdir -p "$T/bin" && chmod 755 "$T" "$T/bin"
for p in borgmatic weargate-mail; do printf '#!/bin/sh\n' >"$T/bin/$p" && chmod 755 "$T/bin/$p"; done
sed -i "s|/usr/bin/borgmatic|$T/bin/borgmatic|; s|/usr/local/bin/weargate-mail|$T/bin/weargate-mail|; s|\"qmailq\"|\"nobody\"|" "$T/w.conf"
# Where the paths are: a fake sysfs that puts the scratch directory's filesystem on disk sdz.
fake_sysfs() {
	devnum=$(stat -c '%Hd:%Ld' "$T")
	case $devnum in 0:*) return 1 ;; esac
	mkdir -p "$T/sys/devices/virtual/block/sdz" "$T/sys/dev/block" "$T/sys/class/block" "$T/dev"
	ln -s ../../devices/virtual/block/sdz "$T/sys/dev/block/$devnum"
	ln -s ../../devices/virtual/block/sdz "$T/sys/class/block/sdz"
	: >"$T/dev/sdz"
}
run 0 "$W" -c "$T/w.conf" check-config
contains "$T/err" "job 'backup' touches"
contains "$T/err" "which no drive section names: its health is not checked"
contains "$T/out" "	# touches: demo"
if fake_sysfs; then
	printf 'drive "sdz" { device = "%s/dev/sdz" }\n' "$T" >>"$T/w.conf"
	WEARGATE_SYSFS_ROOT=$T/sys run 0 "$W" -c "$T/w.conf" check-config
	[ -s "$T/err" ] && fail "check-config wrote to stderr: $(cat "$T/err")"
	contains "$T/out" "	# touches: demo, sdz"
	sed -i '$d' "$T/w.conf"
	run 0 "$W" -c "$T/w.conf" check-config
fi
contains "$T/out" "# \"$T/w.conf\" is valid"
contains "$T/out" "database = \"$T/hist/h.db\""
contains "$T/out" "sample_max_age = 90m"
# the policy: what was set, and every default
contains "$T/out" "	window = 14d"
contains "$T/out" "	failing_window = 24h"
contains "$T/out" "	failing_growth = 50"
contains "$T/out" "		ok = 0"
contains "$T/out" "		worn = 3h"
contains "$T/out" "		degrading = 24h"
contains "$T/out" "	max_temperature = 0  # no limit"
contains "$T/out" "	ssd_wear_low = 10"
# the runner
contains "$T/out" "watch_interval = 5m"
contains "$T/out" "stop_grace = 30s"
contains "$T/out" "run_until = \"06:30\""
contains "$T/out" "notify = {\"$T/bin/weargate-mail\", \"root\"}"
# drives
contains "$T/out" "drive \"sda\" {"
contains "$T/out" "	device = \"/dev/disk/by-id/ata-X\""
contains "$T/out" "	access = \"linux-ide\""
contains "$T/out" "	blob = \"$T/demo.blob\""
# jobs, with the defaults that depend on the class
contains "$T/out" "job \"backup\" {"
contains "$T/out" "	class = backup"
contains "$T/out" "	command = {\"$T/bin/borgmatic\", \"--verbosity\", \"1\"}"
contains "$T/out" "	paths = {\"$T/var/qmail\", \"$T/home\"}"
contains "$T/out" "	timeout = 8h"
contains "$T/out" "	# cooldown: the policy's, for the state of the drive"
contains "$T/out" "	# throttle: none"
contains "$T/out" "	on_unknown = go"
contains "$T/out" "	shell = false"
contains "$T/out" "	nice = 10"
contains "$T/out" "	ionice = \"best-effort:7\""
contains "$T/out" "	# watch_interval: the global one, 5m"
contains "$T/out" "	class = maintenance"
contains "$T/out" "	command = {\"/usr/local/sbin/purge-queue\", \"say \\\"hi\\\"\", \"\\\${HOME}\"}"
contains "$T/out" "	drives = {\"sda\"}"
contains "$T/out" "	# touches: sda"
contains "$T/out" "	timeout = 0  # no limit"
contains "$T/out" "	cooldown = 90s"
contains "$T/out" "	throttle = 20M"
contains "$T/out" "	user = \"nobody\""
contains "$T/out" "	on_unknown = defer"
contains "$T/out" "	shell = true"
contains "$T/out" "	nice = 19"
contains "$T/out" "	ionice = \"idle\""
contains "$T/out" "	watch_interval = 90s"
[ "$(grep -c '^job ' "$T/out")" -eq 2 ] || fail "expected 2 jobs in the output"
[ "$(grep -c '^drive ' "$T/out")" -eq 2 ] || fail "expected 2 drives in the output"
[ -e "$T/hist" ] && fail "check-config created the history directory"

# The output is a configuration that reads back the same (quotes, "\${", units and all).
reads_back() {
	run 0 "$W" -c "$1" check-config
	grep -v '^	# and ' "$T/out" >"$T/printed.conf"
	run 0 "$W" -c "$T/printed.conf" check-config
	tail -n +2 "$T/printed.conf" >"$T/first"
	tail -n +2 "$T/out" | grep -v '^	# and ' >"$T/second"
	cmp -s "$T/first" "$T/second" || { diff "$T/first" "$T/second" >&2; fail "'$1' printed does not read back the same"; }
}
reads_back "$T/w.conf"
# and so do the runner's keys at the ends of their ranges, or left out
printf 'stop_grace = 0\nwatch_interval = 1\ndrive "sda" { blob = "x" }\njob "j" {\n\tclass = backup\n\tdrives = {"sda"}\n\tnice = 0\n\tionice = none\n\twatch_interval = 3650d\n}\n' >"$T/ends.conf"
reads_back "$T/ends.conf"
contains "$T/out" "stop_grace = 0  # SIGKILL at once"
contains "$T/out" "watch_interval = 1s"
contains "$T/out" "# run_until: none, a job deferred by a cooldown stays deferred"
contains "$T/out" "# notify: none"
contains "$T/out" "	nice = 0"
contains "$T/out" "	ionice = \"none\""
contains "$T/out" "	watch_interval = 3650d"
# (in single quotes, '${WEARGATE_STATE}' reaches the notify command as written)
cat >"$T/ends.conf" <<'CONF'
run_until = "23:59"
notify = {"/bin/sh", "-c", 'logger -t weargate "${WEARGATE_STATE}"'}
CONF
reads_back "$T/ends.conf"
contains "$T/out" "run_until = \"23:59\""
contains "$T/out" "notify = {\"/bin/sh\", \"-c\", \"logger -t weargate \\\"\\\${WEARGATE_STATE}\\\"\"}"

# -c may follow the command name too
run 0 "$W" check-config -c "$T/w.conf"
contains "$T/out" "# \"$T/w.conf\" is valid"
run 0 "$W" -c "$T/missing.conf" check-config --config "$T/w.conf"
contains "$T/out" "job \"queue-purge\" {"

# Paths that lead to no disk are configuration errors, named by file and line.
printf 'drive "sda" { blob = "x" }\njob "j" {\n\tclass = backup\n\tpaths = {"%s/nowhere"}\n}\n' "$T" >"$T/paths.conf"
run 78 "$W" -c "$T/paths.conf" check-config
contains "$T/err" "$T/paths.conf:2: job 'j': cannot resolve '$T/nowhere': No such file or directory"
printf 'drive "sda" { blob = "x" }\njob "j" {\n\tclass = backup\n\tpaths = {"/proc"}\n}\n' >"$T/paths.conf"
run 78 "$W" -c "$T/paths.conf" check-config
contains "$T/err" "'/proc' is not on a block device"

# The demo and the example configuration are valid.
run 0 "$W" -c "$BUILD_ROOT/data/demo.conf" check-config
contains "$T/out" "drive \"sda\" {"
# (its paths are those of a mail server: here the jobs name the drive instead)
sed 's|^\([[:space:]]*\)paths = .*|\1drives = {"sda"}|' "$SOURCE_ROOT/data/weargate.conf.example" >"$T/example.conf" ||
	fail "no example configuration"
chmod 644 "$T/example.conf"
if [ -x /usr/bin/borgmatic ]; then
	run 0 "$W" -c "$T/example.conf" check-config
	contains "$T/out" "job \"backup\" {"
	contains "$T/out" "job \"queue-purge\" {"
else
	# (CI installs borgmatic: there the example must pass)
	run 78 "$W" -c "$T/example.conf" check-config
	contains "$T/err" "job 'backup': '/usr/bin/borgmatic' does not exist"
fi

# A program that is not there, or that the job's user may not run, is named with its file and line.
printf 'drive "sda" { blob = "x" }\njob "j" {\n\tclass = backup\n\tdrives = {"sda"}\n\tcommand = {"%s/nosuch"}\n}\n' "$T" >"$T/prog.conf"
run 78 "$W" -c "$T/prog.conf" check-config
contains "$T/err" "weargate: $T/prog.conf:2: job 'j': '$T/nosuch' does not exist"
printf '#!/bin/sh\n' >"$T/noexec" && chmod 644 "$T/noexec"
sed -i "s|$T/nosuch|$T/noexec|" "$T/prog.conf"
run 78 "$W" -c "$T/prog.conf" check-config
contains "$T/err" "$T/prog.conf:2: job 'j': '$T/noexec' cannot be run by user '$(id -un)': it is not executable for it"
if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
	printf '#!/bin/sh\n' >"$T/rootonly" && chmod 700 "$T/rootonly"
	printf 'drive "sda" { blob = "x" }\njob "j" {\n\tclass = backup\n\tdrives = {"sda"}\n\tuser = "nobody"\n\tcommand = {"%s/rootonly"}\n}\n' "$T" >"$T/prog.conf"
	run 78 "$W" -c "$T/prog.conf" check-config
	contains "$T/err" "$T/prog.conf:2: job 'j': '$T/rootonly' cannot be run by user 'nobody'"
fi
printf 'notify = {"%s/nosuch"}\n' "$T" >"$T/prog.conf"
run 78 "$W" -c "$T/prog.conf" check-config
contains "$T/err" "$T/prog.conf:1: notify: '$T/nosuch' does not exist"

# Broken: 78, the file and the line of what is wrong, and nothing on stdout.
printf 'drive "sda" { device = "/dev/sda" }\njob "backup" {\n\tclass = backup\n\tdrives = {"sda"}\n\ttimeout = 7x\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "weargate: $T/bad.conf:5: job 'backup': timeout '7x' is not a duration"
[ -s "$T/out" ] && fail "a broken configuration printed: $(cat "$T/out")"
printf '\n\njob "purge" {\n\tclass = maintenance\n\tcommand = {"/bin/true"}\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:3: job 'purge' touches no drive"
printf 'job "purge" {\n\tclass = maintenance\n\tdrives = {"sdz"}\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:1: job 'purge': drive 'sdz' is not configured"
printf 'policy {\n\twindow = 7d\n\tcooldown { worn = -2h }\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:3: cooldown: worn '-2h' is not a duration"
printf 'drive "sda" { device = "/dev/sda" }\njob "purge" {\n\tclass = maintenance\n\tdrives = {"sda"}\n\tionice = "best-effort:9"\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:5: job 'purge': ionice 'best-effort:9' is not one of none, idle, best-effort:0 to best-effort:7"
printf 'drive "sda" { device = "/dev/sda" }\njob "purge" {\n\tclass = maintenance\n\tdrives = {"sda"}\n\tcommand = {"purge-queue"}\n\tnice = 5\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:5: job 'purge': command 'purge-queue' is not an absolute path"
printf '\nrun_until = "6 am"\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:2: run_until '6 am' is not a time of day from 00:00 to 23:59"
printf 'notify = {"weargate-mail"}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" check-config
contains "$T/err" "$T/bad.conf:1: notify 'weargate-mail' is not an absolute path"
run 78 "$W" -c "$T/missing.conf" check-config
contains "$T/err" "cannot open '$T/missing.conf': No such file or directory"

# A file that runs commands as root: refused when others could have written it, by every command.
chmod 664 "$T/w.conf"
run 78 "$W" -c "$T/w.conf" check-config
contains "$T/err" "weargate: '$T/w.conf' is writable by group or others: refusing a file that runs commands"
[ -s "$T/out" ] && fail "a refused configuration printed: $(cat "$T/out")"
run 78 "$W" -c "$T/w.conf" status
contains "$T/err" "is writable by group or others"
chmod 602 "$T/w.conf"
run 78 "$W" -c "$T/w.conf" check-config
contains "$T/err" "is writable by group or others"
chmod 644 "$T/w.conf"
run 0 "$W" -c "$T/w.conf" check-config
if [ "$(id -u)" -eq 0 ]; then
	chown 12345 "$T/w.conf"
	run 78 "$W" -c "$T/w.conf" check-config
	contains "$T/err" "'$T/w.conf' is owned by uid 12345, not by root or you"
	chown 0 "$T/w.conf"
	run 0 "$W" -c "$T/w.conf" check-config
fi

# usage
run 64 "$W" -c "$T/w.conf" check-config extra
contains "$T/err" "unexpected argument 'extra'"
run 64 "$W" -c "$T/w.conf" check-config --bogus
contains "$T/err" "unknown option '--bogus'"
run 0 "$W" help check-config
contains "$T/out" "usage: weargate [-c FILE] check-config [-c FILE]"
echo "check-config: ok"
