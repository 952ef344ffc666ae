# conffile.awk — /etc/weargate.conf of the package from data/weargate.conf.example: every
# drive and job section commented out, line by line, so that the file is valid as installed
# and weargate does nothing until the admin names the drives and jobs.
NR == 1 {
	print "# /etc/weargate.conf — installed by the weargate package: the example configuration"
	print "# (/usr/share/doc/weargate/weargate.conf.example) with its drive and job sections"
	print "# commented out. Name your drives and jobs, check with `weargate check-config`, then"
	print "# enable the timers: systemctl enable --now weargate-sample.timer weargate-run.timer"
	print "#"
}
/^(drive|job) "/ {
	section = 1
}
section {
	print "#" $0
	if ($0 ~ /^}/)
		section = 0
	next
}
{
	print
}
