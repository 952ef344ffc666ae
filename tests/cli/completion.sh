#!/bin/sh
# completion.sh — contrib's bash, zsh and fish completions offer every command and every option
# that `weargate --help` and each command's help list, nothing they do not, and the config's names;
# zsh none of the options that one on the line excludes (the groups of the tables, -h, -V).
#
# Each shell completes for real: bash runs _weargate on COMP_WORDS, zsh its completion system in
# a pseudo-terminal (complete.zsh), fish `complete -C`. Without zsh (or its zpty module) or fish,
# that shell's checks are skipped, and the test says so.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}"
command -v bash >/dev/null 2>&1 || { echo "completion: no bash here: skipped"; exit 77; }
C=$SOURCE_ROOT/contrib/completion

printf 'database = "h.db"\ndrive "sda" { blob = "a.blob" }\ndrive "nvme-data" { blob = "b.blob" }\njob "nightly-backup" {\n\tclass = backup\n\tdrives = {"sda"}\n}\njob "queue-purge" {\n\tclass = maintenance\n\tdrives = {"sda"}\n}\n' >"$T/w.conf"

# --- what weargate itself says it has
# the options of a help text: its indented lines that start with '-' ("  -q, --quiet  text")
help_options() {
	awk '/^[ \t]+-/ {
		line = $0
		sub(/^[ \t]+/, "", line)
		sub(/  .*/, "", line)
		n = split(line, w, /[ ,=]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^-/)
				print w[i]
	}' | sort -u | tr '\n' ' '
}
"$WEARGATE" --help >"$T/help" || fail "weargate --help failed"
commands=$(sed -n '/^Commands:/,/^$/p' "$T/help" | awk 'NR > 1 && NF { print $1 }' | sort | tr '\n' ' ')
global=$(sed -n '/^Options:/,/^$/p' "$T/help" | help_options)
if [ -z "$commands" ] || [ -z "$global" ]; then
	fail "no commands or options found in 'weargate --help'"
fi
for c in $commands; do
	"$WEARGATE" help "$c" | help_options >"$T/opts-$c" || fail "weargate help $c failed"
done

# --- each shell: complete_SHELL WORDS... prints what it offers for the last word, one per line
complete_bash() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_weargate
		printf "%s\n" "${COMPREPLY[@]}"
	' sh "$C/weargate.bash" "$@"
}

# zsh and fish read a command line: the words joined by blanks (an empty last word leaves the
# line ending in a blank), as typed; none of the words here needs quoting
complete_zsh() {
	zsh -f "$SOURCE_ROOT/tests/cli/complete.zsh" "$C" "$T/zsh.out" "$*" || fail "zsh completion of '$*' did not finish"
	cat "$T/zsh.out"
}

complete_fish() {
	# a home of its own: nothing of the caller's configuration
	# shellcheck disable=SC2016 # fish's $argv, in fish's script
	HOME=$T/fish-home XDG_CONFIG_HOME=$T/fish-home/config XDG_DATA_HOME=$T/fish-home/data \
		fish -c 'source $argv[1]; complete -C $argv[2]' "$C/weargate.fish" "$*" >"$T/fish.out" ||
		fail "fish could not complete '$*'"
	cut -f 1 "$T/fish.out"
}

# expect SHELL WANT WORDS...: the shell offers exactly WANT (sorted, blank-separated)
expect() {
	sh_=$1 want=$2
	shift 2
	got=$("complete_$sh_" "$@" | sort -u | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "$sh_: completing '$*': got '$got', expected '$want'"
}

# offers SHELL WANT WORDS...: what the shell offers includes each word of WANT
offers() {
	sh_=$1 want=$2
	shift 2
	"complete_$sh_" "$@" | sort -u >"$T/got"
	for w in $want; do
		grep -qxF -e "$w" "$T/got" || fail "$sh_: completing '$*' does not offer '$w' (offered: $(tr '\n' ' ' <"$T/got"))"
	done
}

# excludes SHELL GONE KEPT WORDS...: what the shell offers includes each word of KEPT and none of GONE
excludes() {
	sh_=$1 gone=$2 kept=$3
	shift 3
	offers "$sh_" "$kept" "$@"
	for w in $gone; do
		! grep -qxF -e "$w" "$T/got" ||
			fail "$sh_: completing '$*' offers '$w', which the line excludes (offered: $(tr '\n' ' ' <"$T/got"))"
	done
}

check() {
	s=$1
	# every command weargate has is offered, and nothing it does not have; the same after help
	expect "$s" "$commands" "$WEARGATE" ""
	expect "$s" "$commands" "$WEARGATE" help ""
	# the global options, and every command's own: all of them and no other
	expect "$s" "$global" "$WEARGATE" -
	for c in $commands; do
		[ "$c" = help ] && continue
		expect "$s" "$(cat "$T/opts-$c")" "$WEARGATE" "$c" -
	done
	expect "$s" "sample status " "$WEARGATE" s
	expect "$s" "--condition " "$WEARGATE" gate --con
	# the config's names, from the file given with -c
	expect "$s" "nightly-backup queue-purge " "$WEARGATE" -c "$T/w.conf" gate ""
	expect "$s" "queue-purge " "$WEARGATE" -c "$T/w.conf" exec -q q
	expect "$s" "nvme-data sda " "$WEARGATE" -c "$T/w.conf" sample ""
	expect "$s" "nightly-backup queue-purge " "$WEARGATE" -c "$T/w.conf" run ""
	expect "$s" "csv json table " "$WEARGATE" history --format ""
	expect "$s" "--jobs " "$WEARGATE" history --jo
	expect "$s" "smartctl smartd " "$WEARGATE" import ""
	# after exec's job comes a command, completed as the shell completes commands
	offers "$s" echo "$WEARGATE" -c "$T/w.conf" exec queue-purge -- ech
	offers "$s" echo "$WEARGATE" -c "$T/w.conf" exec -q queue-purge ech
	checked="$checked $s"
}

checked='' skipped=''
check bash
if ! command -v zsh >/dev/null 2>&1; then
	skipped="$skipped; zsh (not installed; Debian: apt-get install zsh)"
elif ! zsh -fc 'zmodload zsh/zpty' 2>/dev/null; then
	skipped="$skipped; zsh (no zsh/zpty module)"
else
	check zsh
	# zsh alone knows which options exclude each other (the tables' groups): once one of them is
	# on the line, it offers none of them, and still the others; after -h or -V, nothing
	excludes zsh "--trend --events --jobs" "--attr --since --json" "$WEARGATE" history --trend -
	excludes zsh "--trend --jobs" "--since --format" "$WEARGATE" history --events -
	excludes zsh "--format --json" "--trend --events --jobs" "$WEARGATE" history --json -
	excludes zsh "--json" "--jobs" "$WEARGATE" history --format csv -
	excludes zsh "-q --quiet -v --verbose" "-c --config -h" "$WEARGATE" -q -
	excludes zsh "-q --quiet" "-c --config" "$WEARGATE" --verbose -
	expect zsh "" "$WEARGATE" -h ""
	expect zsh "" "$WEARGATE" -V -
	expect zsh "" "$WEARGATE" -c "$T/w.conf" gate --help ""
	expect zsh "" "$WEARGATE" history -h -
fi
if command -v fish >/dev/null 2>&1; then
	check fish
else
	skipped="$skipped; fish (not installed; Debian: apt-get install fish)"
fi
echo "completion: ok:$checked checked against $(echo "$commands" | wc -w) commands and their options${skipped:+; skipped$skipped}"
