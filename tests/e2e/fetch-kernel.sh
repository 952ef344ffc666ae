#!/bin/sh
# fetch-kernel.sh [DIR] — download (not install) the Debian kernel package the e2e suite boots.
#
# linux-image-amd64 is a metapackage: its dependency names the concrete image package
# (linux-image-6.1.0-NN-amd64), which `apt-get download` puts into DIR without touching the
# host's kernel. DIR defaults to $WEARGATE_E2E_CACHE, else build/e2e-cache in the source tree;
# tests/e2e/run.sh looks there. Needs apt's package lists (apt-get update) and the archive.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-${WEARGATE_E2E_CACHE:-$src/build/e2e-cache}}

pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
if [ -z "$pkg" ]; then
	echo "fetch-kernel.sh: apt-cache cannot resolve linux-image-amd64 (run apt-get update?)" >&2
	exit 1
fi
mkdir -p "$dir"
if ls "$dir/${pkg}_"*_amd64.deb >/dev/null 2>&1; then
	echo "fetch-kernel.sh: $pkg already in $dir"
	exit 0
fi
# apt-get download writes into the current directory; a temporary name keeps a half-done
# download from looking like a package to run.sh.
tmp=$(mktemp -d "$dir/fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt's _apt sandbox user may not be able to write here: that only costs a warning.
(cd "$tmp" && apt-get download -q "$pkg" 2>&1) | { grep -v 'unsandboxed' >&2 || true; }
deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*_amd64.deb" | head -n 1)
if [ -z "$deb" ]; then
	echo "fetch-kernel.sh: apt-get download $pkg failed" >&2
	exit 1
fi
mv "$deb" "$dir/"
echo "fetch-kernel.sh: $(basename "$deb") in $dir"
