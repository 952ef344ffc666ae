#!/bin/sh
# wg-blob.sh — contrib/wg-blob: descriptions in, blobs out, edits that keep the rest, errors that say where.
set -u
: "${WG_BLOB:?WG_BLOB must name the built wg-blob}"
: "${SOURCE_ROOT:?SOURCE_ROOT must name the source tree}"

. "$(dirname "$0")/cli/lib.sh"
B=$WG_BLOB

size() {
	wc -c <"$1" | tr -d ' '
}

# dump -> create -> dump gives the same text: nothing a description can say is lost
roundtrip() {
	run 0 "$B" dump "$1"
	cp "$T/out" "$T/rt1.desc"
	run 0 "$B" create "$T/rt.blob" "$T/rt1.desc"
	run 0 "$B" dump "$T/rt.blob"
	cmp -s "$T/out" "$T/rt1.desc" || { diff "$T/rt1.desc" "$T/out" >&2; fail "'$1' does not survive dump and create"; }
}

# create: the demo drive, every directive
run 0 "$B" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc"
[ "$(size "$T/sda.blob")" -eq 1572 ] || fail "a full blob is 1572 bytes, not $(size "$T/sda.blob")"
run 0 "$B" dump "$T/sda.blob"
contains "$T/out" 'model "WDC WD5000AAKS-00TMA0"'
contains "$T/out" 'serial "WD-WCAPW1234567"'
contains "$T/out" 'firmware "12.01C01"'
contains "$T/out" 'sectors 976773168'
contains "$T/out" 'status good'
contains "$T/out" 'attr 5 flags=0x0033 value=200 worst=200 threshold=140 raw=0'
contains "$T/out" 'attr 194 flags=0x0022 value=113 worst=97 threshold=0 raw=37'
roundtrip "$T/sda.blob"

# from stdin, with quotes, comments, no thresholds, a wide raw value and no status record
printf '%s\n' '# a comment' 'model "A \"quoted\" \\ model"  # and another' 'status none' \
	'attr 194 flags=0x22 value=100 raw=0x2a0f001e' 'attr 9 flags=0x32 value=99 raw=0x123456789abc' |
	run 0 "$B" create "$T/odd.blob" -
[ "$(size "$T/odd.blob")" -eq 1560 ] || fail "a blob without a status record is 1560 bytes"
run 0 "$B" dump "$T/odd.blob"
contains "$T/out" 'model "A \"quoted\" \\ model"'
contains "$T/out" 'status none'
contains "$T/out" 'attr 194 flags=0x0022 value=100 worst=100 raw=705626142'
contains "$T/out" 'attr 9 flags=0x0032 value=99 worst=99 raw=0x123456789abc'
roundtrip "$T/odd.blob"
# an identify page alone: a drive without SMART
printf 'model X\nstatus none\n' | run 0 "$B" create "$T/nosmart.blob" -
[ "$(size "$T/nosmart.blob")" -eq 520 ] || fail "a blob without SMART is 520 bytes"
roundtrip "$T/nosmart.blob"

# set: a counter climbs, worst follows the value down, the high bytes stay
run 0 "$B" set "$T/sda.blob" 197 add=8
run 0 "$B" set "$T/sda.blob" 197 add=2 value=199
run 0 "$B" dump "$T/sda.blob"
contains "$T/out" 'attr 197 flags=0x0012 value=199 worst=199 threshold=0 raw=10'
run 0 "$B" set "$T/sda.blob" 197 add=-10 value=200
run 0 "$B" dump "$T/sda.blob"
contains "$T/out" 'attr 197 flags=0x0012 value=200 worst=199 threshold=0 raw=0'
run 0 "$B" set "$T/odd.blob" 194 add=1
run 0 "$B" dump "$T/odd.blob"
contains "$T/out" 'raw=705626143'
run 0 "$B" set "$T/sda.blob" 5 value=150 worst=160 threshold=140 raw=0x10000000000
run 0 "$B" dump "$T/sda.blob"
contains "$T/out" 'attr 5 flags=0x0033 value=150 worst=160 threshold=140 raw=0x010000000000'
# a new attribute takes the first free slot of both pages
run 0 "$B" set "$T/sda.blob" 187 flags=0x32 value=100 threshold=0 raw=3
run 0 "$B" dump "$T/sda.blob"
tail -n 1 "$T/out" | grep -qxF 'attr 187 flags=0x0032 value=100 worst=100 threshold=0 raw=3' || fail "187 is not last"
# the first attribute of a drive without SMART brings both pages
run 0 "$B" set "$T/nosmart.blob" 5 flags=0x33 value=200
[ "$(size "$T/nosmart.blob")" -eq 1560 ] || fail "set did not add both SMART pages"

# status
run 0 "$B" status "$T/sda.blob" bad
run 0 "$B" dump "$T/sda.blob"
contains "$T/out" 'status bad'
run 0 "$B" status "$T/sda.blob" none
[ "$(size "$T/sda.blob")" -eq 1560 ] || fail "status none leaves an SMST record"
run 0 "$B" status "$T/sda.blob" good
roundtrip "$T/sda.blob"

# libatasmart's real readings come back through a description unchanged
if [ -d "${WEARGATE_SMART_BLOBS:-/nonexistent}" ]; then
	for f in "$WEARGATE_SMART_BLOBS"/*--*; do
		roundtrip "$f"
	done
fi

# bad input: exit 1, naming the file, the line and the value; the blob is left alone
cp "$T/sda.blob" "$T/before.blob"
bad_desc() {
	printf '%s\n' "$1" >"$T/bad.desc"
	run 1 "$B" create "$T/new.blob" "$T/bad.desc"
	contains "$T/err" "wg-blob: $T/bad.desc$2"
	[ ! -e "$T/new.blob" ] || fail "a blob was written from a bad description"
}
bad_desc 'attr 5 flags=0x33' ": no 'model' line"
printf 'model X\nattr 5 flags=0x33 value=300\n' >"$T/bad.desc"
run 1 "$B" create "$T/new.blob" "$T/bad.desc"
contains "$T/err" "wg-blob: $T/bad.desc:2: 'value=300' is out of range 0-255"
bad_desc 'model X
attr 5 value=1' ":2: attribute 5 is new: flags= is needed to add it"
bad_desc 'model X
attr 5 flags=1
attr 5 flags=1' ":3: attribute 5 is already given on line 2"
bad_desc 'model "X' ":1: a quote is not closed"
bad_desc 'model X Y' ":1: 'model' takes one value (quote it when it has blanks)"
bad_desc 'model X
serial 012345678901234567890' ":2: '012345678901234567890' is longer than 20 characters"
bad_desc 'model X
sectors 0x0x5' ":2: 'sectors 0x0x5' is not a number"
bad_desc 'model X
status maybe' ":2: 'maybe' is not a status (good, bad, none)"
bad_desc 'model X
attr 256 flags=1' ":2: '256' is not an attribute id (1-255)"
bad_desc 'model X
attr 5 flags=1 raw=1 add=1' ":2: 'raw=' and 'add=' do not go together"
bad_desc 'model X
attr 5 flags=1 colour=red' ":2: 'colour=red' is not one of flags=, value=, worst=, threshold=, raw=, add="
bad_desc 'model X
smart on' ":2: 'smart' is not a directive"
printf 'model X\nattr 5 flags=1 value=0x1\0\n' >"$T/bad.desc"
run 1 "$B" create "$T/new.blob" "$T/bad.desc"
contains "$T/err" ":2: line has a NUL byte"
run 1 "$B" create "$T/new.blob" "$T/missing.desc"
contains "$T/err" "cannot open '$T/missing.desc'"
run 1 "$B" set "$T/sda.blob" 197 add=-1
contains "$T/err" "wg-blob: $T/sda.blob: 'add=-1' takes the low 32 bits of raw (0) out of range 0-4294967295"
run 1 "$B" set "$T/sda.blob" 8 value=1
contains "$T/err" "$T/sda.blob: attribute 8 is new"
run 1 "$B" set "$T/sda.blob" 5 value=-1
contains "$T/err" "'value=-1' is not a number"
run 1 "$B" status "$T/sda.blob" maybe
cmp -s "$T/sda.blob" "$T/before.blob" || fail "a failed edit changed the blob"
run 1 "$B" dump "$T/bad.desc"
contains "$T/err" "invalid blob '$T/bad.desc'"
run 1 "$B" set "$T/missing.blob" 5 value=1
contains "$T/err" "cannot read '$T/missing.blob'"

# usage: 64
run 64 "$B"
contains "$T/err" "usage: wg-blob create OUT DESC"
run 64 "$B" frobnicate
contains "$T/err" "unknown command 'frobnicate'"
run 64 "$B" set "$T/sda.blob" 5
contains "$T/err" "usage: wg-blob set FILE ID FIELD=N..."
run 64 "$B" dump
run 0 "$B" --help
contains "$T/out" "add=N"
exit 0
