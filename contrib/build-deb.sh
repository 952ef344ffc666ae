#!/bin/sh
# build-deb.sh OUTDIR — the Debian package of this tree: a scratch copy of the source with
# contrib/debian/ as its debian/, `dpkg-buildpackage -us -uc -b` in it, and
# weargate_VERSION_ARCH.deb left in OUTDIR (nothing else: the scratch tree is removed).
#
# VERSION is meson.build's, the one version of the project: the changelog entry is made from it
# here. Needs dpkg-dev, debhelper and the build dependencies in contrib/debian/control; not root
# (Rules-Requires-Root: no). Exits 64 on a usage error, 69 when a tool or a build dependency is
# missing, and with dpkg-buildpackage's status when the build fails.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh contrib/build-deb.sh OUTDIR" >&2
	exit 64
fi
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage dpkg-checkbuilddeps dpkg-architecture dh meson; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-deb: no $tool here (Debian: apt-get install dpkg-dev debhelper meson)" >&2
		exit 69
	fi
done
if ! missing=$(dpkg-checkbuilddeps "$src/contrib/debian/control" 2>&1); then
	echo "build-deb: $missing" >&2
	exit 69
fi
mkdir -p "$1"
out=$(cd "$1" && pwd)

version=$(meson introspect --projectinfo "$src/meson.build" | sed -n 's/.*"version": "\([^"]*\)".*/\1/p')
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
[ -n "$version" ] || { echo "build-deb: no version in $src/meson.build" >&2; exit 69; }

work=$(mktemp -d "${TMPDIR:-/tmp}/weargate-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
tree=$work/weargate-$version
mkdir "$tree"
# the source as it is, less git's files and any meson build directory in it
for e in "$src"/* "$src"/.[!.]*; do
	[ -e "$e" ] || continue
	case ${e##*/} in .git) continue ;; esac
	[ -d "$e/meson-private" ] && continue
	cp -R "$e" "$tree/"
done
rm -rf "$tree/debian"
cp -R "$src/contrib/debian" "$tree/debian"

# the changelog: this version, dated as the checkout's last commit (or now), so that the same
# tree builds the same package
when=${SOURCE_DATE_EPOCH:-$(git -C "$src" log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=$(sed -n 's/^Maintainer: //p' "$tree/debian/control")
cat >"$tree/debian/changelog" <<EOF
weargate ($version) unstable; urgency=medium

  * Built from the weargate source tree by contrib/build-deb.sh.

 -- $maintainer  $(LC_ALL=C date -u -R -d "@$when")
EOF

(cd "$tree" && dpkg-buildpackage -us -uc -b -Jauto) >"$work/build.log" 2>&1 || {
	r=$?
	tail -n 60 "$work/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed (exit $r)" >&2
	exit "$r"
}
deb=weargate_${version}_$arch.deb
[ -f "$work/$deb" ] || { tail -n 20 "$work/build.log" >&2; echo "build-deb: dpkg-buildpackage made no $deb" >&2; exit 70; }
mv "$work/$deb" "$out/$deb"
echo "$out/$deb"
