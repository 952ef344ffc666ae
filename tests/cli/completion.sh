#!/bin/sh
# completion.sh — contrib's bash completion offers the commands, their options, and the config's names.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}"
command -v bash >/dev/null 2>&1 || { echo "completion: no bash here: skipped"; exit 77; }

printf 'database = "h.db"\ndrive "sda" { blob = "a.blob" }\ndrive "nvme-data" { blob = "b.blob" }\njob "nightly-backup" {\n\tclass = backup\n\tdrives = {"sda"}\n}\njob "queue-purge" {\n\tclass = maintenance\n\tdrives = {"sda"}\n}\n' >"$T/w.conf"

# complete WORDS...: what the completion offers for the last word, one per line, sorted
complete_words() {
	bash -c '
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		_weargate
		printf "%s\n" "${COMPREPLY[@]}" | sort
	' sh "$SOURCE_ROOT/contrib/completion/weargate.bash" "$@"
}

expect() {
	want=$1
	shift
	got=$(complete_words "$@" | tr '\n' ' ')
	[ "$got" = "$want" ] || fail "completing '$*': got '$got', expected '$want'"
}

# every command weargate has is offered, and nothing it does not have
"$WEARGATE" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | sort | tr '\n' ' ' >"$T/commands"
expect "$(cat "$T/commands")" "$WEARGATE" ""
expect "sample status " "$WEARGATE" s
expect "--condition " "$WEARGATE" gate --con
expect "nightly-backup queue-purge " "$WEARGATE" -c "$T/w.conf" gate ""
expect "queue-purge " "$WEARGATE" -c "$T/w.conf" exec -q q
expect "nvme-data sda " "$WEARGATE" -c "$T/w.conf" sample ""
expect "csv json table " "$WEARGATE" history --format ""
expect "--jobs " "$WEARGATE" history --jo
# after exec's job comes a command, completed as bash completes commands
complete_words "$WEARGATE" -c "$T/w.conf" exec queue-purge -- ech | grep -qx echo || fail "exec does not complete the command"
echo "completion: ok"
