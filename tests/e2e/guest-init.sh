#!/bin/sh
# guest-init.sh — /init of the e2e guest (busybox sh): load the disk drivers, run weargate on
# the emulated disk, print each step framed on the serial console for run.sh to check, power off.
# /e2e/machine says which guest: ahci and ide read the disk every way; kmsg watches the kernel.
#
# A step prints "@@WG-BEGIN name", its stdout, "@@WG-STDERR name", its stderr and
# "@@WG-END name STATUS". Nothing here decides pass or fail: the host does (check.py).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /run /tmp /var/lib/weargate /data
chmod 1777 /tmp

echo "@@WG-UPTIME init $(cut -d' ' -f1 /proc/uptime)"
while read -r m; do
	insmod "/e2e/modules/$m.ko" || echo "@@WG-ERROR insmod $m failed"
done </e2e/modules.order

# The disk and its partition appear asynchronously once the host driver has probed the port.
i=0
while [ ! -b /dev/sda1 ] && [ $i -lt 300 ]; do
	usleep 100000
	i=$((i + 1))
done
[ -b /dev/sda1 ] || echo "@@WG-ERROR no /dev/sda1 after 30 s"
echo "@@WG-UPTIME disk $(cut -d' ' -f1 /proc/uptime)"
# From here the console carries the framed results only; the kernel log comes last, framed too.
echo 1 >/proc/sys/kernel/printk

step() {
	name=$1
	shift
	"$@" >/tmp/step.out 2>/tmp/step.err
	rc=$?
	echo "@@WG-BEGIN $name"
	cat /tmp/step.out
	echo "@@WG-STDERR $name"
	cat /tmp/step.err
	echo "@@WG-END $name $rc"
}

W=/bin/weargate
C=/etc/weargate
step mount mount -t minix /dev/sda1 /data
# shellcheck disable=SC2016 # expanded by the inner shell
step sysfs sh -c 'for f in model vendor; do printf "%s=%s\n" $f "$(cat /sys/block/sda/device/$f)"; done;
	printf "runtime_status=%s\n" "$(cat /sys/block/sda/device/power/runtime_status 2>/dev/null)";
	printf "driver=%s\n" "$(basename "$(readlink /sys/block/sda/device/../../../../driver 2>/dev/null || true)")";
	for d in /sys/bus/pci/drivers/ahci /sys/bus/pci/drivers/ata_piix; do [ -d $d ] && ls $d | grep -q : && echo "pci_driver=${d##*/}"; done; true'

# The kmsg guest: QEMU fails reads of a few sectors (blkdebug). A maintenance job that reads
# them must be stopped as soon as the kernel logs the first error (the job notes the time of
# its SIGTERM), a backup that reads them must go on, and a job that reads elsewhere must not
# be disturbed. The jobs are /e2e/read.sh (run.sh); purge reaches sda through /data.
if [ "$(cat /e2e/machine)" = kmsg ]; then
	step sample $W -v -c $C/auto.conf sample
	step kmsg-clean $W -c $C/auto.conf exec purge -- /bin/sh /e2e/read.sh 7490 clean 2
	step kmsg-purge $W -c $C/auto.conf exec purge -- /bin/sh /e2e/read.sh 14990 purge 60
	step kmsg-backup $W -c $C/auto.conf exec backup -- /bin/sh /e2e/read.sh 14990 backup 3
	# shellcheck disable=SC2016 # expanded by the inner shell
	step kmsg-term sh -c 'for f in /tmp/*.term; do [ -e "$f" ] && echo "${f##*/} $(cat "$f")"; done; true'
	step jobs $W -c $C/auto.conf history --jobs --format json
	echo "@@WG-UPTIME done $(cut -d' ' -f1 /proc/uptime)"
	step dmesg dmesg
	sync
	poweroff -f
fi

step sample $W -v -c $C/auto.conf sample
step status $W -c $C/auto.conf status --json
step gate-backup $W -c $C/auto.conf gate --json backup
step gate-purge $W -c $C/auto.conf gate --json purge
step gate-hot $W -c $C/hot.conf gate purge
# An unprivileged user: the gate answers from the recorded history without opening the device;
# a sample (into a database of its own) is refused by the device node.
step gate-unpriv su -s /bin/sh nobody -c "$W -c $C/auto.conf gate --json backup"
step sample-unpriv su -s /bin/sh nobody -c "$W -c $C/unpriv.conf sample"
step sample-linux-ide $W -v -c $C/linux-ide.conf sample
step sample-sat16 $W -v -c $C/sat16.conf sample
step exec-write $W -c $C/auto.conf exec purge -- /bin/dd if=/dev/zero of=/data/written bs=65536 count=64 conv=fsync
step jobs $W -c $C/auto.conf history --jobs --format json
# a SMART self-test through the kernel: QEMU's disk runs a short one at once; it offers no conveyance test
step selftest $W -c $C/auto.conf run selftest
step selftest-conveyance $W -c $C/auto.conf run selftest-conveyance
step selftest-jobs $W -c $C/auto.conf history --jobs --format json
step selftest-status $W -c $C/auto.conf status --json
# Runtime PM: once the disk is idle the kernel suspends it (sd stops it: STANDBY IMMEDIATE).
# A routine sample must say so without waking it; --wake reads it.
umount /data
step autosuspend sh -c 'p=/sys/block/sda/device/power; echo 200 >$p/autosuspend_delay_ms && echo auto >$p/control &&
	i=0; while [ "$(cat $p/runtime_status)" != suspended ] && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done;
	cat $p/runtime_status'
step sample-standby $W -v -c $C/auto.conf sample
step after-standby cat /sys/block/sda/device/power/runtime_status
step sample-wake $W -v -c $C/auto.conf sample --wake
echo "@@WG-UPTIME done $(cut -d' ' -f1 /proc/uptime)"
step dmesg dmesg
sync
poweroff -f
