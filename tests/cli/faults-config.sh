#!/bin/sh
# faults-config.sh — configuration files that are wrong in every way errors.sh, check-config.sh and
# test-config do not already try: exit 78, one message naming the file (and the line), never a crash.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}"
W=$WEARGATE
command -v python3 >/dev/null 2>&1 || { echo "faults-config: python3 is needed to write the large files"; exit 77; }

# --- size: a file of 10 MB is refused before it is read; one of 1 MiB at the limits reads fast ---
head -c 10485760 /dev/zero | tr '\0' '#' >"$T/ten.conf"
run 78 "$W" -c "$T/ten.conf" check-config
contains "$T/err" "'$T/ten.conf' is larger than 1048576 bytes"

# 1000 drives and 1000 jobs (the most there may be), padded with comments to just under 1 MiB:
# read (how fast is the config-speed benchmark's)
python3 "$SOURCE_ROOT/tests/gen-config.py" max "$T/max.conf" || fail "could not write max.conf"
run 0 "$W" -c "$T/max.conf" check-config
[ "$(grep -c '^job ' "$T/out")" -eq 1000 ] || fail "check-config did not print the 1000 jobs"
run 69 "$W" -c "$T/max.conf" status
contains "$T/err" "no history at"

# 1 MiB of the smallest sections: libconfuse's own search for a title is quadratic (16 s here);
# the 1001st is refused before that cost
python3 "$SOURCE_ROOT/tests/gen-config.py" many "$T/many.conf" || fail "could not write many.conf"
run 78 "$W" -c "$T/many.conf" check-config
contains "$T/err" "$T/many.conf:1001: more than 1000 'drive' sections"

# --- every class of error: the file, the line, what is wrong. One case a line: the message
# (after "FILE:"), a tab, the file as printf writes it. ---
cases=$(cat <<'CASES'
1: unexpected token '{'	database = {"a.db", "b.db"}\n
1: missing title for section 'drive'	drive = "/dev/sda"\n
1: missing opening brace for section 'policy'	policy = 5\n
1: missing opening brace for section 'policy'	policy "main" { window = 1d }\n
1: missing title for section 'drive'	drive { blob = "x" }\n
2: unexpected closing brace	drive "sda" { blob = "x" }\n}\n
1: no such option 'disk'	disk "sda" { blob = "x" }\n
2: no such option 'drive'	job "j" {\n drive "sda" { blob = "x" }\n}\n
1: unexpected token ','	sample_max_age = 1d, watch_interval = 1h\n
1: no such option 'include'	include("/etc/weargate.d/more.conf")\n
2: unexpected token '{'	job "j" {\n timeout = {"1h"}\n}\n
1: sample_max_age '6 h' is not a duration	sample_max_age = "6 h"\n
1: job 'j': throttle '20MB' is not a rate	job "j" { class = backup drives = {"sda"} throttle = 20MB }\ndrive "sda" { blob = "x" }\n
1: job 'j': throttle '-1' is not a rate	job "j" { class = backup drives = {"sda"} throttle = -1 }\ndrive "sda" { blob = "x" }\n
1: job 'j': nice '1e3' is not a whole number	job "j" { class = backup drives = {"sda"} nice = 1e3 }\ndrive "sda" { blob = "x" }\n
1: policy: max_temperature '' is not a whole number	policy { max_temperature = "" }\n
1: retention: keep_full '0' must be longer than 0	retention { keep_full = 0 }\n
1: job 'j': drive 'sdb' is not configured	job "j" { class = backup drives = {"sda", "sdb"} }\ndrive "sda" { blob = "x" }\n
2: found duplicate title 'sda'	drive "sda" { blob = "x" }\ndrive "sda" { device = "/dev/sda" }\n
1: job 'j' needs a 'class': backup, maintenance or selftest	job "j" { drives = {"sda"} }\ndrive "sda" { blob = "x" }\n
1: drive 'sda' needs exactly one of 'device' or 'blob'	drive "sda" { access = "sat16" }\n
1: no such option '\xef\xbb\xbfdatabase'	\357\273\277database = "h.db"\n
3: premature end of file: job 'purge' is not closed with '}'	drive "sda" { blob = "x" }\njob "purge" {\n class = maintenance drives = {"sda"}\n
2: premature end of file: a '/*' comment is not closed with '*/'	drive "sda" { blob = "x" }\n/* job "purge" { class = maintenance drives = {"sda"} }\n
2: premature end of file	database =\n
CASES
)
printf '%s\n' "$cases" | while IFS='	' read -r message text; do
	# shellcheck disable=SC2059 # the case's text is a printf format on purpose
	printf "$text" >"$T/case.conf"
	run 78 "$W" -c "$T/case.conf" check-config
	contains "$T/err" "weargate: $T/case.conf:$message"
	[ -s "$T/out" ] && fail "a broken configuration printed: $(cat "$T/out")"
	[ "$(wc -l <"$T/err")" -eq 1 ] || fail "more than one line for '$message': $(cat "$T/err")"
done || exit 1

# a file written on Windows reads the same: CR is a blank
printf 'database = "h.db"\r\ndrive "sda" {\r\n\tblob = "x"\r\n}\r\n' >"$T/crlf.conf"
run 0 "$W" -c "$T/crlf.conf" check-config
contains "$T/out" "drive \"sda\" {"

# --- a file cut short at any line: read whole only where it ends at the top level ---
cat >"$T/whole.conf" <<'CONF'
database = "h.db"
drive "sda" {
	blob = "sda.blob"
}
policy {
	cooldown {
		worn = 4h
	}
}
job "purge" {
	class = maintenance
	drives = {"sda"}
	user = "nobody"
	command = {"/bin/true",
		"--batch", "1000"}
	throttle = "20M"
}
CONF
n=$(wc -l <"$T/whole.conf")
for k in $(seq 1 "$n"); do
	head -n "$k" "$T/whole.conf" >"$T/cut.conf"
	case $k in
	1 | 4 | 9 | "$n") run 0 "$W" -c "$T/cut.conf" check-config ;;
	*)
		run 78 "$W" -c "$T/cut.conf" check-config
		contains "$T/err" "$T/cut.conf:"
		contains "$T/err" "premature end of file"
		;;
	esac
done
# and cut inside a line, at every byte of the job
start=$(grep -bo '^job' "$T/whole.conf" | cut -d: -f1)
size=$(wc -c <"$T/whole.conf")
i=$start
while [ "$i" -lt $((size - 2)) ]; do
	i=$((i + 1))
	head -c "$i" "$T/whole.conf" >"$T/cut.conf"
	"$W" -c "$T/cut.conf" check-config >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 78 ] || fail "cut after byte $i: exit $rc, not 78: $(cat "$T/err")"
	grep -q "^weargate: $T/cut.conf:[0-9]*: " "$T/err" || fail "cut after byte $i: $(cat "$T/err")"
done

# --- binary garbage: 64 KiB of random bytes (NULs left out: test-config tries those) ---
for seed in 1 2 3 4 5 6 7 8; do
	python3 -c 'import random, sys; random.seed(int(sys.argv[1])); open(sys.argv[2], "wb").write(bytes(b for b in random.randbytes(65536) if b))' \
		"$seed" "$T/garbage.conf"
	"$W" -c "$T/garbage.conf" check-config >"$T/out" 2>"$T/err"
	rc=$?
	[ "$rc" -eq 78 ] || fail "garbage $seed: exit $rc: $(cat "$T/err")"
	grep -q "^weargate: $T/garbage.conf:[0-9]*: " "$T/err" || fail "garbage $seed: $(cat "$T/err")"
	# nothing but printable ASCII reaches the terminal
	LC_ALL=C grep -q '[^[:print:]]' "$T/err" && fail "garbage $seed: unprintable bytes in '$(cat -v "$T/err")'"
done

# --- not a file to read: links, a device, no permission ---
ln -s /dev/zero "$T/zero.conf"
run 78 "$W" -c "$T/zero.conf" status
contains "$T/err" "'$T/zero.conf' is not a regular file"
ln -s "$T/loop.conf" "$T/loop.conf"
run 78 "$W" -c "$T/loop.conf" status
contains "$T/err" "cannot open '$T/loop.conf': Too many levels of symbolic links"
ln -s "$T/nowhere.conf" "$T/dangling.conf"
run 78 "$W" -c "$T/dangling.conf" status
contains "$T/err" "cannot open '$T/dangling.conf': No such file or directory"
run 78 "$W" -c "" status
contains "$T/err" "cannot open '': No such file or directory"
# a file this user may not read: as root, tried as nobody
printf 'drive "sda" { blob = "x" }\n' >"$T/secret.conf"
chmod 0600 "$T/secret.conf"
if [ "$(id -u)" -ne 0 ]; then
	chmod 0200 "$T/secret.conf"
	run 78 "$W" -c "$T/secret.conf" status
	contains "$T/err" "cannot open '$T/secret.conf': Permission denied"
elif command -v setpriv >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
	chmod 0755 "$T"
	run 78 setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups "$W" -c "$T/secret.conf" status
	contains "$T/err" "cannot open '$T/secret.conf': Permission denied"
	chmod 0700 "$T"
else
	echo "faults-config: SKIP an unreadable file (root without setpriv or user nobody)"
fi

echo "faults-config: ok"
