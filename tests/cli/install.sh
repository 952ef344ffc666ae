#!/bin/sh
# install.sh — `meson install --destdir` puts everything where it belongs, and never overwrites a configuration.
. "$(dirname "$0")/lib.sh"
: "${BUILD_ROOT:?}"
command -v meson >/dev/null 2>&1 || { echo "install: no meson here: skipped"; exit 77; }

inst() {
	meson install -C "$BUILD_ROOT" --no-rebuild --destdir "$T/root" >"$T/install.log" 2>&1 ||
		{ cat "$T/install.log" >&2; fail "meson install failed"; }
}
# the one file of that name under the install root
one() {
	f=$(find "$T/root" -path "*$1" | head -n 1)
	[ -n "$f" ] || fail "nothing installed as *$1"
	echo "$f"
}

inst
[ -x "$(one /sbin/weargate)" ] || fail "the program is not installed executable"
conf=$(one /etc/weargate.conf)
[ "$(stat -c %a "$conf")" = 644 ] || fail "the configuration is installed $(stat -c %a "$conf"), not 644"
one /doc/weargate/weargate.conf.example >/dev/null
one /man8/weargate.8 >/dev/null
one /man5/weargate.conf.5 >/dev/null
one /bash-completion/completions/weargate >/dev/null
one /zsh/site-functions/_weargate >/dev/null
one /fish/vendor_completions.d/weargate.fish >/dev/null
# nothing but what is listed above, the units and the hooks: no database, no lock, no state
find "$T/root" -name '*.db' -o -name '*.lock' | grep . && fail "install created state"

# an admin's configuration survives a reinstall
echo '# mine' >"$conf"
inst
[ "$(cat "$conf")" = "# mine" ] || fail "a reinstall overwrote the configuration"
echo "install: ok"
