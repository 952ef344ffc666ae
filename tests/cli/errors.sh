#!/bin/sh
# errors.sh — every wrong input gets one clear message naming what is wrong, and the right exit code.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?WEARGATE must name the built weargate binary}"

W=$WEARGATE

# usage: 64
run 64 "$W"
contains "$T/err" "usage: weargate"
run 64 "$W" frobnicate
contains "$T/err" "unknown command 'frobnicate'"
run 64 "$W" --frobnicate status
contains "$T/err" "unknown option '--frobnicate'"
run 64 "$W" -c
contains "$T/err" "option '-c' needs a value"
run 64 "$W" -q -v status
contains "$T/err" "-q and -v ask for opposite things"
run 64 "$W" -c /nonexistent status --bogus
contains "$T/err" "unknown option '--bogus'"
contains "$T/err" "usage: weargate [-c FILE] status"
run 64 "$W" -c /nonexistent sample -x
contains "$T/err" "unknown option '-x'"
run 64 "$W" -c /nonexistent status extra
contains "$T/err" "unexpected argument 'extra'"
run 64 "$W" help frobnicate
contains "$T/err" "unknown command 'frobnicate'"
WEARGATE_NOW=yesterday run 64 "$W" -c /nonexistent status
contains "$T/err" "WEARGATE_NOW='yesterday'"
# help never needs a config or a clock
WEARGATE_NOW=yesterday run 0 "$W" -c /nonexistent status --help
contains "$T/out" "usage: weargate [-c FILE] status"
run 0 "$W" --help
for cmd in sample status help; do
	contains "$T/out" "  $cmd "
done
run 0 "$W" help sample
contains "$T/out" "--wake"
run 0 "$W" --version
grep -Eq '^weargate [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || fail "--version prints '$(cat "$T/out")'"

# configuration: 78, naming the file and the line
run 78 "$W" -c "$T/missing.conf" status
contains "$T/err" "cannot open '$T/missing.conf': No such file or directory"
run 78 "$W" -c "$T" status
contains "$T/err" "'$T' is not a regular file"
printf 'database = "h.db"\ndrive "sda" {\n  blob = "x"\n  colour = "red"\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" sample
contains "$T/err" "$T/bad.conf:4: no such option 'colour'"
printf 'drive "sda" { device = "sda" }\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" sample
contains "$T/err" "$T/bad.conf:1: drive 'sda': device 'sda' is not an absolute path"
printf '\001\002\003\000\377' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" status
contains "$T/err" "$T/bad.conf"
printf 'database = "h.db"\n' >"$T/empty.conf"
run 78 "$W" -c "$T/empty.conf" sample
contains "$T/err" "configures no drive"

# an unknown drive name is refused before the history is touched
printf 'database = "hist/h.db"\ndrive "sda" { blob = "x.blob" }\n' >"$T/w.conf"
run 64 "$W" -c "$T/w.conf" sample sdz
contains "$T/err" "unknown drive 'sdz'"
[ -e "$T/hist" ] && fail "'sample sdz' created the history directory"

# the history: 69, and a reader never creates it
run 69 "$W" -c "$T/w.conf" status
contains "$T/err" "no history at '$T/hist/h.db'"
[ -e "$T/hist" ] && fail "status created the history directory"
mkdir -p "$T/hist"
head -c 8192 /dev/urandom >"$T/hist/h.db"
run 69 "$W" -c "$T/w.conf" status
contains "$T/err" "'$T/hist/h.db' is not a weargate database"
run 69 "$W" -c "$T/w.conf" sample
contains "$T/err" "'$T/hist/h.db' is not a weargate database"
rm -f "$T/hist/h.db"
python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 999"); c.commit()' "$T/hist/h.db"
run 69 "$W" -c "$T/w.conf" sample
contains "$T/err" "has schema version 999, newer than"
run 69 "$W" -c "$T/w.conf" status
contains "$T/err" "has schema version 999, newer than"
echo "errors: ok"
