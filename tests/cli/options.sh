#!/bin/sh
# options.sh — man/weargate.8 documents, in each command's own entry, the options that command's
# table declares, and none it does not; the global options likewise in DESCRIPTION. Each
# command's usage line names none but its own.
#
# The tables are read from what weargate prints, rendered from them: the "Options:" block of
# `weargate --help` for the global ones, and of `weargate help CMD` less -h, --help, which every
# command has and weargate(8) documents once, with the global ones. In the page (see its first comment), a command's
# entry runs from its ".It Cm NAME" line in COMMANDS to the next, and an option is the argument
# of Fl on an .It line that starts with Fl (".It Fl q , Fl \-quiet").
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}"
man8=$SOURCE_ROOT/man/weargate.8

# the options of a help text's "Options:" block, one per line ("  -q, --quiet  text" -> -q, --quiet)
help_options() {
	awk '/^Options:/ { f = 1; next } f && NF == 0 { exit } f && /^  -/ {
		line = $0
		sub(/^ +/, "", line)
		sub(/  .*/, "", line)
		n = split(line, w, /[ ,]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^-/)
				print w[i]
	}' | sort -u
}

# "SECTION OPTION" for each option tag of the page: SECTION is the command whose entry it is in,
# or "global" in DESCRIPTION
man_options() {
	sed 's/\\-/-/g' "$man8" | awk '
		/^\.Sh / { sh = $2; cmd = ""; next }
		sh == "COMMANDS" && /^\.It[ \t]+Cm[ \t]/ { cmd = $3; next }
		/^\.It[ \t]+Fl[ \t]/ {
			where = sh == "DESCRIPTION" ? "global" : sh == "COMMANDS" && cmd != "" ? cmd : ""
			if (where == "")
				next
			for (i = 2; i < NF; i++)
				if ($i == "Fl")
					print where, "-" $(i + 1)
		}' | sort -u
}

"$WEARGATE" --help >"$T/help" || fail "weargate --help failed"
commands=$(awk '/^Commands:/ { f = 1; next } f && NF == 0 { exit } f { print $1 }' "$T/help")
[ -n "$commands" ] || fail "no commands in 'weargate --help'"
man_options >"$T/man"
[ -s "$T/man" ] || fail "no option tags found in $man8"

help_options <"$T/help" >"$T/table-global"
[ -s "$T/table-global" ] || fail "no global options in 'weargate --help'"
n=0
for c in global $commands; do
	[ "$c" = help ] && continue
	if [ "$c" != global ]; then
		"$WEARGATE" help "$c" >"$T/help-$c" || fail "weargate help $c failed"
		help_options <"$T/help-$c" | grep -vxE -e '-h|--help' >"$T/table-$c"
		# the usage line: what follows "usage: weargate [-c FILE] NAME"; "[--]" ends exec's options
		sed -n "1s/^usage: weargate \[-c FILE\] $c//p" "$T/help-$c" | grep -o -e '-[-a-zA-Z0-9]*' |
			grep -vx -e '--' | sort -u >"$T/usage-$c"
		for o in $(cat "$T/usage-$c"); do
			grep -qxF -e "$o" "$T/table-$c" || fail "the usage of '$c' names $o, which its table does not declare"
		done
	fi
	awk -v c="$c" '$1 == c { print $2 }' "$T/man" >"$T/man-$c"
	for o in $(cat "$T/table-$c"); do
		grep -qxF -e "$o" "$T/man-$c" ||
			fail "'$c' has option $o, which weargate.8 does not document in its entry ('.It Fl ${o#-}')"
		n=$((n + 1))
	done
	for o in $(cat "$T/man-$c"); do
		grep -qxF -e "$o" "$T/table-$c" || fail "weargate.8 documents $o in the entry of '$c', which has no such option"
	done
done
# an entry of the page that no command has
for c in $(awk '{ print $1 }' "$T/man" | sort -u); do
	[ "$c" = global ] || printf '%s\n' $commands | grep -qxF -e "$c" || fail "weargate.8 documents options of '$c', which is no command"
done
echo "options: ok: $n options of $(printf '%s\n' $commands | grep -vcx help) commands and the global ones, each in its entry of weargate.8"
