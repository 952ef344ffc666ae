#!/bin/sh
# install-config.sh — meson's install step for the configuration: the example always, as
# DOCDIR/weargate.conf.example; SYSCONFDIR/weargate.conf only when there is none, since that one is
# the admin's and an upgrade must never overwrite it.
set -eu
example=$1
sysconfdir=$2
docdir=$3
dest=${DESTDIR:-}$sysconfdir/weargate.conf
install -D -m 0644 "$example" "${DESTDIR:-}$docdir/weargate.conf.example"
if [ -e "$dest" ] || [ -L "$dest" ]; then
	echo "weargate: keeping the existing $sysconfdir/weargate.conf (the example is in $docdir)"
else
	install -D -m 0644 "$example" "$dest"
fi
