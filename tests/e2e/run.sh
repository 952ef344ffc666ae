#!/bin/sh
# run.sh ahci|ide|kmsg — boot Debian's kernel under QEMU with the built weargate in a busybox
# initramfs, and check what weargate reads from QEMU's emulated disk through the real kernel.
#
# ahci: -M q35, the ICH9 AHCI controller (ahci, libata); ide: -M pc, PIIX3 IDE (ata_piix).
# The disk gets its model, serial and firmware on the QEMU command line; tests/e2e/check.py
# compares what weargate recorded with them and with QEMU's fixed SMART table.
# kmsg: AHCI again, the disk behind QEMU's blkdebug driver, which fails reads of a few
# sectors: the kernel logs I/O errors, and the runner must stop a maintenance job that reads
# them, and no other.
#
# Environment: WEARGATE (the binary, set by meson), BUILD_ROOT, WEARGATE_E2E_CACHE (where
# tests/e2e/fetch-kernel.sh put the kernel package; default $BUILD_ROOT/e2e-cache),
# WEARGATE_E2E_TIMEOUT (seconds for one boot, default 300), WEARGATE_E2E_BUSYBOX (a busybox),
# WEARGATE_E2E_ACCEL (QEMU's accel=, default tcg).
# Exit: 0 pass, 1 fail, 77 skip (no qemu-system-x86_64, kernel package or busybox).
set -u
# mkfs.minix is in /usr/sbin, which an unprivileged user's PATH may lack
PATH=$PATH:/usr/sbin:/sbin

machine=${1:-}
here=$(cd "$(dirname "$0")" && pwd)

skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# The disk as the QEMU command line describes it. On AHCI odd lengths put a character in the
# low byte of an IDENTIFY word: a byte-order mistake in the strings would show. On IDE the
# model (40), serial (20) and firmware (8) fill their fields: no padding ends them.
case $machine in
ahci)
	qmachine=q35
	hostmod=ahci
	model="WEARGATE E2E AHCI DISK"
	serial=WG-AHCI-00017
	;;
ide)
	qmachine=pc
	hostmod=ata_piix
	model="WEARGATE E2E PIIX DISK 0123456789ABCDEFG"
	serial=WG-PIIX-0123456789AB
	;;
kmsg)
	qmachine=q35
	hostmod=ahci
	model="WEARGATE E2E KMSG DISK"
	serial=WG-KMSG-00001
	;;
*)
	echo "usage: run.sh ahci|ide|kmsg" >&2
	exit 64
	;;
esac
firmware=E2E1.0.3
: "${WEARGATE:?WEARGATE must name the weargate binary}"
build=${BUILD_ROOT:-$(cd "$(dirname "$WEARGATE")" && pwd)}
cache=${WEARGATE_E2E_CACHE:-$build/e2e-cache}
limit=${WEARGATE_E2E_TIMEOUT:-300}
disk_mib=64

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
	skip "qemu-system-x86_64 not found (apt-get install --no-install-recommends qemu-system-x86)"
for tool in dpkg-deb tar cpio gzip ldd python3 mkfs.minix timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool not found: the e2e suite needs it to build the guest"
done
busybox=${WEARGATE_E2E_BUSYBOX:-}
if [ -z "$busybox" ]; then
	for b in /bin/busybox /usr/bin/busybox; do
		[ -x "$b" ] && busybox=$b && break
	done
fi
{ [ -n "$busybox" ] && [ -x "$busybox" ]; } ||
	skip "busybox not found (apt-get install --no-install-recommends busybox-static)"
deb=$(find "$cache" -maxdepth 1 -name 'linux-image-*-amd64_*_amd64.deb' 2>/dev/null | sort -V | tail -n 1)
[ -n "$deb" ] ||
	skip "no Debian kernel package in $cache: run 'sh tests/e2e/fetch-kernel.sh $cache' (it uses apt-get download)"

# --- the kernel: vmlinuz and the modules the guest needs, extracted once per package ---------
kdir=$cache/$(basename "$deb" .deb)
if [ ! -e "$kdir/ready" ]; then
	echo "extracting $(basename "$deb") into $kdir"
	tmp=$(mktemp -d "$cache/extract.XXXXXX") || fail "cannot make a directory in $cache"
	m='./lib/modules/*/kernel'
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards --no-wildcards-match-slash './boot/vmlinuz-*' \
		"$m/drivers/ata/*.ko*" "$m/drivers/scsi/*.ko*" "$m/lib/*.ko*" "$m/crypto/*.ko*" "$m/block/*.ko*" \
		"$m/fs/minix/*.ko*" ||
		{ rm -rf "$tmp"; fail "cannot extract $deb"; }
	mkdir -p "$tmp/k/modules"
	mv "$tmp"/boot/vmlinuz-* "$tmp/k/vmlinuz" || { rm -rf "$tmp"; fail "no vmlinuz in $deb"; }
	# One flat directory of modules named as the kernel names them (dashes are underscores),
	# decompressed: busybox insmod in the guest takes a plain .ko.
	find "$tmp/lib/modules" -name '*.ko*' | while read -r f; do
		n=$(basename "$f" | sed 's/\.ko.*$//' | tr - _)
		case $f in
		*.ko) mv "$f" "$tmp/k/modules/$n.ko" ;;
		*.ko.xz) xz -dc "$f" >"$tmp/k/modules/$n.ko" ;;
		*.ko.zst) zstd -qdc "$f" >"$tmp/k/modules/$n.ko" ;;
		*.ko.gz) gzip -dc "$f" >"$tmp/k/modules/$n.ko" ;;
		esac || exit 1
	done || { rm -rf "$tmp"; fail "cannot decompress the modules of $deb"; }
	touch "$tmp/k/ready"
	# Both machines' tests may extract at once: the first rename wins, the other drops its copy.
	mv -T "$tmp/k" "$kdir" 2>/dev/null || [ -e "$kdir/ready" ] || { rm -rf "$tmp"; fail "cannot fill $kdir"; }
	rm -rf "$tmp"
fi

# The modules to load, dependencies first, from each module's own "depends=" (the package
# carries no modules.dep: depmod makes it on installation).
order=
module_deps() {
	tr '\0' '\n' <"$kdir/modules/$1.ko" | sed -n 's/^depends=//p' | head -n 1 | tr ,- ' _'
}
add_module() {
	case " $order " in *" $1 "*) return 0 ;; esac
	[ -f "$kdir/modules/$1.ko" ] || fail "module $1 is not in $(basename "$deb")"
	# Positional parameters are all a POSIX function has to itself: the dependencies, then the
	# module, which goes last into the order.
	# shellcheck disable=SC2046 # one word per dependency
	set -- $(module_deps "$1") "$1"
	while [ $# -gt 1 ]; do
		add_module "$1"
		shift
	done
	order="$order $1"
}
# The crypto providers first, so that crc-t10dif and crc64-rocksoft find them without modprobe.
for m in crct10dif_generic crc64_rocksoft_generic sd_mod "$hostmod" minix; do
	add_module "$m"
done

# --- the guest: busybox, weargate and its libraries, configs, the disk -----------------------
work=$build/e2e/$machine
rm -rf "$work"
root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/etc/weargate" "$root/e2e/modules" "$root/dev" "$root/proc" "$root/sys" ||
	fail "cannot make $root"
cp "$busybox" "$root/bin/busybox" || fail "cannot copy $busybox"
for a in $("$busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
cp "$WEARGATE" "$root/bin/weargate" || fail "cannot copy $WEARGATE"
# What ldd lists (the dynamic loader among them) goes to the same path in the guest.
for bin in "$WEARGATE" "$busybox"; do
	ldd "$bin" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*/\1/p'
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib" || exit 1
done || fail "cannot copy the shared libraries of weargate"
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || ! ldd "$WEARGATE" 2>/dev/null | grep -q ld-linux ||
	fail "the dynamic loader was not copied"
for m in $order; do
	cp "$kdir/modules/$m.ko" "$root/e2e/modules/" || fail "cannot copy module $m"
	echo "$m" >>"$root/e2e/modules.order"
done
{ cp "$here/guest-init.sh" "$root/init" && chmod 0755 "$root/init"; } || fail "cannot install /init"
echo "$machine" >"$root/e2e/machine"
# read.sh SKIP NAME SECONDS, a job for the kmsg guest: read 32 blocks of 4 KiB of the disk from
# block SKIP, then wait SECONDS; a SIGTERM's time (uptime) goes to /tmp/NAME.term.
cat >"$root/e2e/read.sh" <<'EOF'
#!/bin/sh
trap 'cut -d" " -f1 /proc/uptime >/tmp/$2.term; exit 143' TERM
dd if=/dev/sda of=/dev/null bs=4096 skip="$1" count=32 2>/dev/null
echo "dd exited $?"
sleep "$3" &
wait
EOF
chmod 0755 "$root/e2e/read.sh"

# conf NAME ACCESS MAX_TEMPERATURE DATABASE: a guest config on the emulated disk.
conf() {
	cat >"$root/etc/weargate/$1.conf" <<EOF
# $1.conf — written by tests/e2e/run.sh for the $machine guest
database = "$4"
policy {
	max_temperature = $3
}
drive "sda" {
	device = "/dev/sda"
	access = "$2"
}
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda"}
}
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	paths = {"/data"}
}
job "selftest" {
	class = selftest
	test = short
	drives = {"sda"}
	timeout = 10m
	watch_interval = 10s
}
job "selftest-conveyance" {
	class = selftest
	test = conveyance
	drives = {"sda"}
	timeout = 10m
}
EOF
	chmod 0644 "$root/etc/weargate/$1.conf"
}
db=/var/lib/weargate
conf auto auto 55 $db/history.db
# QEMU's disk says 31 C: over a limit of 30 the gate must defer.
conf hot auto 30 $db/history.db
conf linux-ide linux-ide 55 $db/linux-ide.db
conf sat16 sat16 55 $db/sat16.db
# for the unprivileged user, who cannot write root's database
conf unpriv auto 55 /tmp/unpriv.db
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"

# cpio -R 0:0: weargate refuses a config that root does not own.
(cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -1 >"$work/initramfs.gz") ||
	fail "cannot pack the initramfs"

# A partition table with one partition from 1 MiB, holding a minix file system that the guest
# mounts on /data: the purge job reaches the disk through a path, a partition and sysfs.
truncate -s $((disk_mib - 1))M "$work/part.img" || fail "cannot make $work/part.img"
mkfs.minix "$work/part.img" >/dev/null || fail "mkfs.minix $work/part.img failed"
python3 - "$work/disk.img" "$work/part.img" "$disk_mib" <<'PY' || fail "cannot make the disk image"
import struct, sys
disk, part, mib = sys.argv[1], sys.argv[2], int(sys.argv[3])
start, count = 2048, (mib - 1) * 2048
entry = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0x83, b"\xfe\xff\xff", start, count)
with open(disk, "wb") as f:
    f.truncate(mib << 20)
    f.seek(446)
    f.write(entry + bytes(48) + b"\x55\xaa")
    f.seek(start * 512)
    with open(part, "rb") as p:
        f.write(p.read())
PY
rm -f "$work/part.img"
# kmsg: reads of sectors 120000 and 120100 (blocks 15000 and 15012 of 4 KiB, past what the
# small file system uses) fail with EIO; the guest reads blocks 14990-15021 to hit them, and
# 7490-7521 to read without error.
drive="file=$work/disk.img,format=raw"
if [ "$machine" = kmsg ]; then
	printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%s"\n\n' 120000 120100 >"$work/blkdebug.conf"
	drive="file=blkdebug:$work/blkdebug.conf:$work/disk.img,format=raw"
fi

# --- the boot ------------------------------------------------------------------------------
# TCG by default: a /dev/kvm that opens is no proof that KVM works (nested, or a container).
accel=${WEARGATE_E2E_ACCEL:-tcg}
echo "booting $(basename "$kdir") on -M $qmachine ($hostmod), accel $accel, timeout ${limit}s"
start=$(date +%s.%N)
timeout -k 10 "$limit" qemu-system-x86_64 \
	-M "$qmachine",accel="$accel" -m 512 -smp 1 -nodefaults -display none -no-reboot -monitor none \
	-serial "file:$work/console.log" \
	-kernel "$kdir/vmlinuz" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 panic=-1 loglevel=4" \
	-drive if=none,id=d0,"$drive" \
	-device "ide-hd,drive=d0,bus=ide.0,model=$model,serial=$serial,ver=$firmware" \
	>"$work/qemu.log" 2>&1
qrc=$?
end=$(date +%s.%N)
secs=$(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$end")

dump() {
	echo "--- qemu ($work/qemu.log):"
	cat "$work/qemu.log"
	echo "--- guest console ($work/console.log):"
	tr -d '\r' <"$work/console.log"
}
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	dump >&2
	fail "the guest did not power off within ${limit}s (WEARGATE_E2E_TIMEOUT)"
elif [ "$qrc" -ne 0 ]; then
	dump >&2
	fail "qemu-system-x86_64 exited $qrc"
fi
echo "qemu ran ${secs}s (boot, checks in the guest, power-off)"

python3 "$here/check.py" --machine "$machine" --model "$model" --serial "$serial" --firmware "$firmware" \
	"$work/console.log" || {
	dump >&2
	fail "the guest's results do not match the emulated disk (see above)"
}
echo "PASS: $machine"
