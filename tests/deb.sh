#!/bin/sh
# deb.sh — the Debian package (contrib/build-deb.sh, contrib/debian/): built from a copy of the
# tree, its contents and control fields checked, lintian clean of errors; then, where CI=true or
# WEARGATE_TEST_DEB_INSTALL=1 and as root, installed for real with apt-get, run, and purged,
# leaving nothing behind. Skips (77), saying why, without dpkg-dev, debhelper or a build
# dependency; the install part skips the same way elsewhere, or where a weargate package is
# installed already (that one is the machine's: this test never touches it).
. "$(dirname "$0")/cli/lib.sh"
: "${WEARGATE:?}" "${SOURCE_ROOT:?}" "${BUILD_ROOT:?}"

for tool in dpkg-buildpackage dpkg-checkbuilddeps dh dpkg-deb; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "deb: no $tool here (Debian: apt-get install dpkg-dev debhelper): skipped"; exit 77; }
done
if ! missing=$(dpkg-checkbuilddeps "$SOURCE_ROOT/contrib/debian/control" 2>&1); then
	echo "deb: a build dependency is missing: $missing: skipped"
	exit 77
fi

# --- build: one package, named by meson.build's version, which the program says too
version=$("$WEARGATE" --version | sed -n 's/^weargate //p')
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
t0=$(date +%s)
sh "$SOURCE_ROOT/contrib/build-deb.sh" "$T/pkg" >"$T/build.out" 2>&1 || { cat "$T/build.out" >&2; fail "build-deb.sh failed"; }
took=$(($(date +%s) - t0))
deb=$T/pkg/weargate_${version}_$arch.deb
[ -f "$deb" ] || fail "no weargate_${version}_$arch.deb: $(ls "$T/pkg")"
[ "$(ls "$T/pkg")" = "weargate_${version}_$arch.deb" ] || fail "build-deb.sh left more than the package: $(ls "$T/pkg")"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the package's version is not meson.build's $version"

# --- control: dependencies from the libraries the program links, smartmontools recommended
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libatasmart4 libsqlite3-0 libconfuse2 libc6; do
	printf '%s\n' "$depends" | grep -q "$lib" || fail "Depends has no $lib: $depends"
done
[ "$(dpkg-deb -f "$deb" Recommends)" = smartmontools ] || fail "Recommends: $(dpkg-deb -f "$deb" Recommends)"
dpkg-deb -e "$deb" "$T/control"
[ "$(cat "$T/control/conffiles")" = /etc/weargate.conf ] || fail "conffiles: $(cat "$T/control/conffiles")"
# the timers are installed, not enabled: the maintainer scripts start no unit, and enable one
# only again after an upgrade where the admin had enabled it (debhelper's "was-enabled" test)
if grep -E 'deb-systemd-invoke (start|restart)|systemctl (enable|start|restart)' "$T/control/postinst" >&2; then
	fail "the package starts a unit"
fi
awk '/was-enabled/ { w = NR } /deb-systemd-helper (--quiet )?enable/ && NR - w > 2 { print; bad = 1 } END { exit bad }' \
	"$T/control/postinst" >&2 || fail "the package enables a unit the admin did not enable"

# --- contents: where each file goes, and who may write it
dpkg-deb -c "$deb" >"$T/contents"
has() { # MODE PATH: the package holds PATH, owned by root, with that ls-style mode
	grep -qE "^$1 root/root +[0-9]+ [-0-9]+ [0-9:]+ \./$2\$" "$T/contents" || {
		grep -F "./$2" "$T/contents" >&2
		fail "the package has no $2 with mode $1, owned by root"
	}
}
has -rwxr-xr-x usr/sbin/weargate
has -rw-r--r-- etc/weargate.conf
has drwx------ var/lib/weargate/
has -rw-r--r-- usr/share/man/man8/weargate.8.gz
has -rw-r--r-- usr/share/man/man5/weargate.conf.5.gz
has -rw-r--r-- usr/share/bash-completion/completions/weargate
has -rw-r--r-- usr/share/zsh/vendor-completions/_weargate
has -rw-r--r-- usr/share/fish/vendor_completions.d/weargate.fish
has -rw-r--r-- usr/share/doc/weargate/copyright
for u in weargate-sample.service weargate-sample.timer weargate-run.service weargate-run.timer; do
	grep -qE "\./(usr/)?lib/systemd/system/$u\$" "$T/contents" || fail "the package has no unit $u"
done
# the configuration it installs is valid as it is, and is the example's
dpkg-deb -x "$deb" "$T/root"
run 0 "$WEARGATE" -c "$T/root/etc/weargate.conf" check-config
sed -n 's/^#\(\(drive\|job\) "[^"]*" {\)$/\1/p' "$T/root/etc/weargate.conf" >"$T/sections"
grep -E '^(drive|job) "[^"]*" \{$' "$SOURCE_ROOT/data/weargate.conf.example" >"$T/example-sections"
cmp -s "$T/sections" "$T/example-sections" || fail "the installed configuration has not the example's sections, commented out"

# --- lintian: no error (its warnings are shown)
if command -v lintian >/dev/null 2>&1; then
	lintian --fail-on error --display-info "$deb" >"$T/lintian" 2>&1 || { cat "$T/lintian" >&2; fail "lintian reports an error"; }
	grep -v 'running with root privileges' "$T/lintian" || true
	lintian_said="lintian: $(grep -c '^[EWI]:' "$T/lintian") notes"
else
	lintian_said="lintian not installed (Debian: apt-get install lintian): not run"
fi
echo "deb: built weargate_${version}_$arch.deb in ${took}s; $lintian_said"

# --- install for real, run, purge: only where asked, as root, on a machine without the package
if [ "${CI:-}" != true ] && [ "${WEARGATE_TEST_DEB_INSTALL:-}" != 1 ]; then
	echo "deb: not installed: that changes the machine; CI=true or WEARGATE_TEST_DEB_INSTALL=1 allows it"
	exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deb: not installed: that needs root and apt-get"
	exit 0
fi
if dpkg-query -W -f '${Status}\n' weargate 2>/dev/null | grep -qv '^unknown\|not-installed'; then
	echo "deb: not installed: a weargate package is on this machine already ($(dpkg-query -W -f '${Version} ${Status}' weargate)); not touching it"
	exit 0
fi
apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y "$@"
}
purge() {
	apt_get purge weargate >"$T/purge.log" 2>&1
}
trap 'purge; rm -rf "$T"' EXIT
apt_get install "$deb" >"$T/install.log" 2>&1 || { cat "$T/install.log" >&2; fail "apt-get install $deb failed"; }
dpkg-query -L weargate >"$T/files"

[ "$(/usr/sbin/weargate --version)" = "weargate $version" ] || fail "/usr/sbin/weargate --version: $(/usr/sbin/weargate --version)"
run 0 /usr/sbin/weargate check-config
contains "$T/out" '# "/etc/weargate.conf" is valid'
[ "$(stat -c '%U:%G %a' /etc/weargate.conf)" = "root:root 644" ] || fail "/etc/weargate.conf is $(stat -c '%U:%G %a' /etc/weargate.conf)"
[ "$(stat -c '%U:%G %a' /var/lib/weargate)" = "root:root 700" ] || fail "/var/lib/weargate is $(stat -c '%U:%G %a' /var/lib/weargate)"
if command -v man >/dev/null 2>&1; then
	man -w weargate 2>/dev/null | grep -q '^/usr/share/man/man8/weargate.8' || fail "man does not find weargate(8)"
fi
# installed, not enabled
for u in weargate-sample.timer weargate-run.timer weargate-sample.service weargate-run.service; do
	grep -qE "/lib/systemd/system/$u\$" "$T/files" || fail "the unit $u is not installed"
	find /etc/systemd/system -name "$u" 2>/dev/null | grep . && fail "the unit $u is enabled"
done
# a history of its own, where the package keeps it, that purging removes
printf 'database = "/var/lib/weargate/history.db"\ndrive "sda" { blob = "%s" }\n' "$BUILD_ROOT/data/demo-sda.blob" >"$T/sample.conf"
run 0 /usr/sbin/weargate -c "$T/sample.conf" sample
[ -f /var/lib/weargate/history.db ] || fail "sample wrote no /var/lib/weargate/history.db"

purge || { cat "$T/purge.log" >&2; fail "apt-get purge weargate failed"; }
trap 'rm -rf "$T"' EXIT
dpkg-query -W -f '${Status}\n' weargate 2>/dev/null | grep -qE ' installed$|config-files' &&
	fail "weargate is still on the machine for dpkg: $(dpkg-query -W -f '${Status}' weargate)"
left=''
while read -r f; do
	# a directory the package shares with others (/usr/share/doc, /lib/systemd/system) stays
	case $f in */weargate | */weargate/*) ;; *) [ -d "$f" ] && continue ;; esac
	if [ -e "$f" ] || [ -L "$f" ]; then
		left="$left $f"
	fi
done <"$T/files"
[ -z "$left" ] || fail "purging left:$left"
[ -e /etc/weargate.conf ] && fail "purging left /etc/weargate.conf"
[ -e /var/lib/weargate ] && fail "purging left /var/lib/weargate"
echo "deb: installed with apt-get, ran --version and check-config, purged clean"
