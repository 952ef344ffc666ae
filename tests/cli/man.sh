#!/bin/sh
# man.sh — the man pages lint clean and document every option, command and config key the code has
#
# Environment: SOURCE_ROOT (the source tree; default: two levels above this script),
# WEARGATE (the built binary). Exits 77 (skipped) only when mandoc cannot be found; without
# man-db, groff's warnings are not checked, and it says so.
#
# "Documented" means, in the mdoc source (each page says so in its first comment):
#   man/weargate.8       an option is the argument of Fl on an .It line that starts with Fl, the tag
#                        of an option list (".It Fl q , Fl \-quiet"; the ".It Cm sample Oo Fl q Oc"
#                        header of a command does not count), and a command is the first argument
#                        of Cm on an .It line (".It Cm sample ...");
#   man/weargate.conf.5  a key is the first argument of Ic on an .It line (".It Ic database = Ar path").
# The options and commands come from what the binary prints (--help, help CMD); the keys from the
# CFG_*("key", ...) entries of src/config.c. The check goes both ways: an entry in a page that the
# code does not know is stale documentation and fails too.

set -u

if ! command -v mandoc >/dev/null 2>&1; then
	echo "man.sh: mandoc not found (Debian: apt-get install mandoc): skipped"
	exit 77
fi

SOURCE_ROOT=${SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
man8=$SOURCE_ROOT/man/weargate.8
man5=$SOURCE_ROOT/man/weargate.conf.5
config_c=$SOURCE_ROOT/src/config.c
fail=0

err() {
	printf 'man.sh: %s\n' "$*" >&2
	fail=1
}

if [ -z "${WEARGATE:-}" ] || [ ! -x "$WEARGATE" ]; then
	echo "man.sh: WEARGATE='${WEARGATE:-}' is not an executable" >&2
	exit 1
fi
for f in "$man8" "$man5" "$config_c"; do
	if [ ! -f "$f" ]; then
		echo "man.sh: '$f' is missing" >&2
		exit 1
	fi
done

pages=$(ls "$SOURCE_ROOT"/man/*.[1-9])
skipped=''

# (a) lint, every page: any warning or error of mandoc is a failure, and so is any warning of
# groff as man(1) renders the page at 80 columns ("can't break line": a word wider than its column).
for page in $pages; do
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	if [ -n "$out" ] || [ "$rc" -ne 0 ]; then
		err "mandoc -Tlint -Wwarning '$page' (exit $rc):"
		printf '%s\n' "$out" >&2
	fi
done
if ! command -v man >/dev/null 2>&1 || ! man --help 2>&1 | grep -q -e '--warnings'; then
	skipped="$skipped; groff's warnings (no man-db here; Debian: apt-get install man-db)"
else
	for page in $pages; do
		out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
		if [ -n "$out" ]; then
			err "MANWIDTH=80 man --warnings -l '$page':"
			printf '%s\n' "$out" >&2
		fi
	done
fi

# (a2) other programs' pages by their Debian names: each page referred to (.Xr) is one of these,
# checked against the packages that ship them, or one that man(1) finds on this machine.
debian_pages='borgmatic 1 borgmatic
cron 8 cron
crontab 5 cron
doas 1 opendoas
doas.conf 5 opendoas
flock 1 util-linux
flock 2 manpages-dev
fsck 8 util-linux
fsync 2 manpages-dev
ionice 1 util-linux
jq 1 jq
nice 1 coreutils
prometheus-node-exporter 1 prometheus-node-exporter
regcomp 3 manpages-dev
setsid 2 manpages-dev
smartctl 8 smartmontools
smartd 8 smartmontools
sudo 8 sudo
syslog 3 manpages-dev
systemd-run 1 systemd
systemd.resource-control 5 systemd
systemd.timer 5 systemd
update-smart-drivedb 8 smartmontools'
# where its package is installed, the table is checked too
if command -v dpkg-query >/dev/null 2>&1 && command -v man >/dev/null 2>&1; then
	printf '%s\n' "$debian_pages" | while read -r name section pkg; do
		dpkg-query -W -f '${Status}\n' "$pkg" 2>/dev/null | grep -q ' installed$' || continue
		man -w "$section" "$name" >/dev/null 2>&1 ||
			{ echo "man.sh: $pkg is installed but has no $name($section): the table in man.sh is wrong" >&2; exit 1; }
	done || fail=1
fi
for page in $pages; do
	sed -n 's/^\.Xr \([^ ]*\) \([0-9]\).*/\1 \2/p' "$page" | sort -u | while read -r name section; do
		[ -f "$SOURCE_ROOT/man/$name.$section" ] && continue
		printf '%s\n' "$debian_pages" | grep -q "^$name $section " && continue
		command -v man >/dev/null 2>&1 && man -w "$section" "$name" >/dev/null 2>&1 && continue
		echo "man.sh: $page refers to $name($section), which is no Debian manual page known to man.sh" >&2
		exit 1
	done || fail=1
done

# The .It lines of a page, with "\-" read as "-" (".It Fl \-wake" and ".It Fl -wake" are the same option).
it_lines() {
	sed -n 's/\\-/-/g; /^\.It[ 	]/p' "$1"
}

# The tags of option lists: .It lines that start with Fl.
option_tags() {
	it_lines "$1" | awk '$2 == "Fl"'
}

# The first argument of macro $2 where it opens an .It line: ".It Cm sample Op ..." -> "sample".
it_first() {
	it_lines "$1" | awk -v m="$2" '$2 == m && NF >= 3 { print $3 }' | sort -u
}

# (b) options and commands in weargate.8
help_main=$("$WEARGATE" --help) || err "'$WEARGATE --help' failed"
commands=$(printf '%s\n' "$help_main" | awk '/^Commands:/ { f = 1; next } f && NF == 0 { exit } f { print $1 }')
[ -n "$commands" ] || err "no commands found under 'Commands:' in '$WEARGATE --help'"

texts=$help_main
for c in $commands; do
	if h=$("$WEARGATE" help "$c"); then
		texts="$texts
$h"
	else
		err "'$WEARGATE help $c' failed"
	fi
done

# Options from the option lists ("  -q, --quiet  text": the part before the double blank) and from
# the usage lines ("[--wake]", "[-c FILE]").
options=$(printf '%s\n' "$texts" | awk '
	/^[ \t]+-/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		sub(/  .*/, "", line)
		n = split(line, w, /[ ,=]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^-/)
				print w[i]
	}
	/^usage:/ {
		line = $0
		while (match(line, /\[-[-A-Za-z0-9]+/)) {
			# "[--]": the end of the options, not one
			if (RLENGTH > 3 || substr(line, RSTART, RLENGTH) != "[--")
				print substr(line, RSTART + 1, RLENGTH - 1)
			line = substr(line, RSTART + RLENGTH)
		}
	}' | sort -u)
[ -n "$options" ] || err "no options found in the help texts"

for o in $options; do
	# "-q" -> "Fl q", "--quiet" -> "Fl -quiet", as a whole word.
	if ! option_tags "$man8" | grep -Eq "(^|[[:space:]])Fl ${o#-}([^[:alnum:]-]|\$)"; then
		err "option '$o' (weargate --help / help CMD) has no '.It Fl ${o#-}' entry in man/weargate.8"
	fi
done
documented_options=$(option_tags "$man8" | awk '{ for (i = 2; i < NF; i++) if ($i == "Fl") print "-" $(i + 1) }' | sort -u)
for o in $documented_options; do
	printf '%s\n' "$options" | grep -Fxq -e "$o" ||
		err "man/weargate.8 documents option '$o', which no help text of '$WEARGATE' lists"
done

documented_commands=$(it_first "$man8" Cm)
for c in $commands; do
	printf '%s\n' "$documented_commands" | grep -Fxq -e "$c" ||
		err "command '$c' (weargate --help) has no '.It Cm $c' entry in man/weargate.8"
done
for c in $documented_commands; do
	printf '%s\n' "$commands" | grep -Fxq -e "$c" ||
		err "man/weargate.8 documents command '$c', which 'weargate --help' does not list"
done

# (c) configuration keys in weargate.conf.5: every CFG_*("key", ...) of the parser.
keys=$(awk '{
	line = $0
	while (match(line, /CFG_[A-Z0-9_]+[ \t]*\([ \t]*"[^"]*"/)) {
		m = substr(line, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", m)
		sub(/"$/, "", m)
		print m
		line = substr(line, RSTART + RLENGTH)
	}
}' "$config_c" | sort -u)
[ -n "$keys" ] || err "no CFG_*(\"key\", ...) entries found in '$config_c'"

documented_keys=$(it_first "$man5" Ic)
for k in $keys; do
	printf '%s\n' "$documented_keys" | grep -Fxq -e "$k" ||
		err "config key '$k' (src/config.c) has no '.It Ic $k' entry in man/weargate.conf.5"
done
for k in $documented_keys; do
	printf '%s\n' "$keys" | grep -Fxq -e "$k" ||
		err "man/weargate.conf.5 documents key '$k', which src/config.c does not know"
done

count() {
	printf '%s\n' "$1" | awk 'NF { n++ } END { print n + 0 }'
}
if [ "$fail" -eq 0 ]; then
	echo "man.sh: ok: lint clean; $(count "$options") options, $(count "$commands") commands," \
		"$(count "$keys") keys documented${skipped:+; skipped$skipped}"
fi
exit "$fail"
