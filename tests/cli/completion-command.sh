#!/bin/sh
# completion-command.sh — `weargate completion SHELL` writes the scripts contrib/completion holds
# (which completion.sh has each shell run) and the build installs, each one its shell reads
# without a syntax error, with no path of this build in it; and says what is wrong with its
# arguments as every command does.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}" "${BUILD_ROOT:?}"

# expect_usage STATUS MESSAGE ARGS...: weargate ARGS exits STATUS and says MESSAGE, then the usage
expect_usage() {
	want_rc=$1 msg=$2
	shift 2
	rc=0
	"$WEARGATE" "$@" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq "$want_rc" ] || fail "weargate $*: exit $rc, expected $want_rc"
	[ ! -s "$T/out" ] || fail "weargate $*: wrote on standard output: $(cat "$T/out")"
	printf 'weargate: %s\nusage: weargate [-c FILE] completion bash|zsh|fish\n' "$msg" | cmp -s - "$T/err" ||
		fail "weargate $*: said '$(cat "$T/err")', expected '$msg' and the usage"
}

# the default configuration path of this build, which no script may hold: the scripts are the same for every prefix
default=$("$WEARGATE" --help | sed -n 's/.*configuration file (default \(.*\))$/\1/p')
[ -n "$default" ] || fail "no default configuration in 'weargate --help'"

for s in bash zsh fish; do
	case $s in
	bash) file=weargate.bash installed=weargate ;;
	zsh) file=_weargate installed=_weargate ;;
	fish) file=weargate.fish installed=weargate.fish ;;
	esac
	"$WEARGATE" completion "$s" >"$T/$s" || fail "weargate completion $s failed"
	[ -s "$T/$s" ] || fail "weargate completion $s wrote nothing"
	cmp -s "$T/$s" "$SOURCE_ROOT/contrib/completion/$file" ||
		fail "contrib/completion/$file is not what 'weargate completion $s' writes: run it again (diff: $(diff "$SOURCE_ROOT/contrib/completion/$file" "$T/$s" | head -n 5))"
	# what the build writes to install, when it could run weargate
	if [ -f "$BUILD_ROOT/contrib/completion/$installed" ]; then
		cmp -s "$T/$s" "$BUILD_ROOT/contrib/completion/$installed" ||
			fail "the build's contrib/completion/$installed is not what 'weargate completion $s' writes"
	fi
	! grep -qF -e "$default" "$T/$s" || fail "the $s completion holds this build's '$default'"
	if command -v "$s" >/dev/null 2>&1; then
		"$s" -n "$T/$s" 2>"$T/syntax" || fail "$s -n: $(cat "$T/syntax")"
	else
		skipped="${skipped:-}; $s -n (no $s here)"
	fi
done
# the help, as every command's
"$WEARGATE" help completion >"$T/help" || fail "weargate help completion failed"
"$WEARGATE" completion --help | cmp -s - "$T/help" || fail "'completion --help' is not 'help completion'"
grep -q '^  -h, --help  show this help$' "$T/help" || fail "the help lists no -h, --help: $(cat "$T/help")"

expect_usage 64 "which shell? bash, zsh or fish" completion
expect_usage 64 "'tcsh' is not a shell weargate completes for (bash, zsh, fish)" completion tcsh
expect_usage 64 "unexpected argument 'zsh'" completion bash zsh
expect_usage 64 "unknown option '--bash'" completion --bash
expect_usage 64 "unknown option '-b'" completion -b bash
echo "completion-command: ok${skipped:+; skipped${skipped}}"
