#!/bin/sh
# export.sh — `weargate export`: the metrics, their values, the atomic file, promtool's checks of it and of the alert rules.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
# jobs run with no cgroup or systemd of the machine's, on a fake sysfs whose I/O counters they advance
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
TZ=UTC
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT TZ

sql() {
	python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
		"$T/history.db" "$1"
}

# stat_line SECTORS_READ SECTORS_WRITTEN: a /sys/block/*/stat line.
stat_line() {
	printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 "$1" 50 20 0 "$2" 40 0 60 90
}
mkdir -p "$T/sys/block/sda" "$T/sys/block/sdb"
stat_line 1000 500 >"$T/sys/block/sda/stat"
stat_line 1000 500 >"$T/sys/block/sdb/stat"
# io.sh A B: the job writes A sectors on sda and B on sdb (the counters move by that much)
cat >"$T/io.sh" <<EOF
#!/bin/sh
for d in sda sdb; do
	read -r _ _ rd _ _ _ wr _ <"$T/sys/block/\$d/stat"
	case \$d in sda) n=\$1 ;; *) n=\$2 ;; esac
	printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 "\$rd" 50 20 0 \$((wr + n)) 40 0 60 90 >"$T/sys/block/\$d/stat"
done
exit \${3:-0}
EOF
chmod +x "$T/io.sh"

# Two drives: sda healthy, sdb (another serial, a model with characters the text format escapes) about to degrade.
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create sda"
sed -e 's/^serial .*/serial WD-WEAK0000001/' -e 's/^model .*/model "WDC \\"Weak\\" \\\\ 1"/' \
	"$SOURCE_ROOT/data/demo-sda.desc" | "$WG_BLOB" create "$T/sdb.blob" - || fail "wg-blob create sdb"
cat >"$T/w.conf" <<'CONF'
database = "history.db"
drive "sda" { blob = "sda.blob" }
drive "sdb" { blob = "sdb.blob" }
job "backup" {
	class = backup
	command = {"/bin/true"}
	drives = {"sda", "sdb"}
}
job "purge" {
	class = maintenance
	command = {"/bin/true"}
	drives = {"sdb"}
}
CONF
chmod 0644 "$T/w.conf"

# Before any history: 69, and no file.
mkdir "$T/prom"
run 69 "$W" -c "$T/w.conf" export --output "$T/prom/weargate.prom"
[ -e "$T/prom/weargate.prom" ] && fail "export wrote a file without a history"

# Two backups: the first succeeds, the second fails; 3000 + 500 sectors on sda, 200 + 0 on sdb.
run 0 "$W" -c "$T/w.conf" exec backup -- "$T/io.sh" 3000 200
contains "$T/err" "backup: success"
t1_end=$(sql "SELECT ended FROM job_run WHERE outcome = 'success'")
WEARGATE_NOW=$((WEARGATE_NOW + 600)) run 3 "$W" -c "$T/w.conf" exec backup -- "$T/io.sh" 500 0 3
[ "$(sql "SELECT count(*) FROM job_run WHERE job = 'backup'")" = 2 ] || fail "the two runs are not recorded"
t2_end=$(sql "SELECT max(ended) FROM job_run")

# Then sdb's pending sectors appear: degrading, and the purge is refused until a backup succeeds.
"$WG_BLOB" set "$T/sdb.blob" 197 raw=8 || fail "wg-blob set"
# sda keeps its lowest and highest temperature beside the current one, as most drives do: 37 (Min/Max 20/45)
"$WG_BLOB" set "$T/sda.blob" 194 raw=193274839077 || fail "wg-blob set"
NOW=$((WEARGATE_NOW + 1200))
WEARGATE_NOW=$NOW run 0 "$W" -c "$T/w.conf" sample
# What the drive says after the last sample must not show: export reads nothing from the drives.
"$WG_BLOB" set "$T/sda.blob" 5 raw=3 || fail "wg-blob set"
passes=$(sql 'SELECT count(*) FROM pass')
decisions=$(sql 'SELECT count(*) FROM decision')

P=$T/prom/weargate.prom
echo "old" >"$P"
inode=$(stat -c %i "$P")
WEARGATE_NOW=$NOW run 0 "$W" -c "$T/w.conf" export --output "$P"
[ -s "$T/out" ] && fail "export --output wrote to stdout: $(cat "$T/out")"
[ "$(stat -c %i "$P")" != "$inode" ] || fail "the file was rewritten in place, not replaced by a rename"
ls -A "$T/prom" | grep -qv '^weargate.prom$' && fail "export left something beside the file: $(ls -A "$T/prom")"
[ "$(stat -c %a "$P")" = 644 ] || fail "the file is mode $(stat -c %a "$P"), node_exporter must read it"
[ "$(sql 'SELECT count(*) FROM pass')" = "$passes" ] || fail "export sampled the drives"
[ "$(sql 'SELECT count(*) FROM decision')" = "$decisions" ] || fail "export recorded the gate's decisions"

# On standard output without --output, the same text.
WEARGATE_NOW=$NOW run 0 "$W" -c "$T/w.conf" export
cmp -s "$T/out" "$P" || fail "stdout and --output differ"

# has LINE: the file has exactly this line; lacks PATTERN: no line matches.
has() {
	grep -qxF -- "$1" "$P" || { cat "$P" >&2; fail "no line '$1'"; }
}
lacks() {
	grep -q -- "$1" "$P" && { grep -- "$1" "$P" >&2; fail "a line matches '$1'"; }
	return 0
}
# smartmon.py's families for every attribute, with the collectors' HELP to the byte
has '# HELP smartmon_attr_raw_value SMART metric attr_raw_value'
has '# TYPE smartmon_attr_raw_value gauge'
has 'smartmon_attr_raw_value{disk="sdb",type="ata",name="current_pending_sector",smart_id="197",source="weargate"} 8'
has 'smartmon_attr_raw_value{disk="sda",type="ata",name="current_pending_sector",smart_id="197",source="weargate"} 0'
has 'smartmon_attr_raw_value{disk="sda",type="ata",name="reallocated_sector_ct",smart_id="5",source="weargate"} 0'
has 'smartmon_attr_value{disk="sda",type="ata",name="temperature_celsius",smart_id="194",source="weargate"} 113'
has 'smartmon_attr_worst{disk="sda",type="ata",name="temperature_celsius",smart_id="194",source="weargate"} 97'
has 'smartmon_attr_threshold{disk="sda",type="ata",name="reallocated_sector_ct",smart_id="5",source="weargate"} 140'
# the temperature in degrees, as smartctl shows it and smartmon graphs it
has 'smartmon_attr_raw_value{disk="sda",type="ata",name="temperature_celsius",smart_id="194",source="weargate"} 37'
# smartmon.sh's: a family per attribute of its list, labels disk, type, smart_id
has '# HELP smartmon_current_pending_sector_raw_value SMART metric current_pending_sector_raw_value'
has 'smartmon_current_pending_sector_raw_value{disk="sdb",type="ata",smart_id="197",source="weargate"} 8'
has 'smartmon_temperature_celsius_raw_value{disk="sda",type="ata",smart_id="194",source="weargate"} 37'
has 'smartmon_reallocated_sector_ct_threshold{disk="sda",type="ata",smart_id="5",source="weargate"} 140'
lacks '^smartmon_multi_zone_error_rate'
[ "$(grep -c '^# HELP smartmon_temperature_celsius_raw_value ' "$P")" = 1 ] || fail "a family's HELP is not written once"
has '# HELP smartmon_device_info SMART metric device_info'
# model_family: smartctl's name from the drive database, as status shows it ("" where none matched)
run 0 "$W" -c "$T/w.conf" status --json
fam=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["drives"][0]["family"] or "")' "$T/out")
cp "$P" "$T/out" # the export, which the atomicity check below compares with
has "smartmon_device_info{disk=\"sda\",type=\"ata\",vendor=\"\",product=\"\",revision=\"\",lun_id=\"\",model_family=\"$fam\",device_model=\"WDC WD5000AAKS-00TMA0\",serial_number=\"WD-WCAPW1234567\",firmware_version=\"12.01C01\",source=\"weargate\"} 1"
has 'smartmon_device_info{disk="sdb",type="ata",vendor="",product="",revision="",lun_id="",model_family="",device_model="WDC \"Weak\" \\ 1",serial_number="WD-WEAK0000001",firmware_version="12.01C01",source="weargate"} 1'
has 'smartmon_device_smart_healthy{disk="sda",type="ata",source="weargate"} 1'
has 'smartmon_device_smart_available{disk="sda",type="ata",source="weargate"} 1'
has 'smartmon_device_active{disk="sdb",type="ata",source="weargate"} 1'
has '# TYPE weargate_drive_state gauge'
has 'weargate_drive_state{disk="sda",serial="WD-WCAPW1234567",state="ok"} 1'
has 'weargate_drive_state{disk="sda",serial="WD-WCAPW1234567",state="degrading"} 0'
has 'weargate_drive_state{disk="sdb",serial="WD-WEAK0000001",state="degrading"} 1'
has 'weargate_drive_state{disk="sdb",serial="WD-WEAK0000001",state="ok"} 0'
[ "$(grep -c '^weargate_drive_state{disk="sdb"' "$P")" = 5 ] || fail "sdb needs one series per state"
[ "$(grep -c '^weargate_drive_state{.* 1$' "$P")" = 2 ] || fail "more than one current state per drive"
has "weargate_drive_sample_timestamp_seconds{disk=\"sdb\"} $NOW"
has 'weargate_gate_verdict{job="purge",verdict="refuse"} 1'
has 'weargate_gate_verdict{job="purge",verdict="go"} 0'
has 'weargate_gate_verdict{job="backup",verdict="go"} 1'
has 'weargate_job_info{job="backup",class="backup"} 1'
has 'weargate_job_info{job="purge",class="maintenance"} 1'
has "weargate_job_last_run_timestamp_seconds{job=\"backup\"} $t2_end"
has 'weargate_job_last_run_success{job="backup"} 0'
has "weargate_job_last_success_timestamp_seconds{job=\"backup\"} $t1_end"
has '# TYPE weargate_job_sectors_written_total counter'
has 'weargate_job_sectors_written_total{job="backup",disk="sda"} 3500'
has 'weargate_job_sectors_written_total{job="backup",disk="sdb"} 200'
# unknown is left out, never 0: the purge never ran
lacks '^weargate_job_last_[a-z_]*{job="purge"'
lacks '^weargate_job_sectors_written_total{job="purge"'
lacks 'smart_id="5"} 3$'
# each family's lines together, HELP and TYPE first (the text format's rule)
awk '/^# TYPE / { if (seen[$3]++) bad = bad " " $3; cur = $3; next }
	/^#/ { next }
	{ n = $1; sub(/\{.*/, "", n); if (n != cur) bad = bad " " n }
	END { if (bad != "") { print "out of its family:" bad; exit 1 } }' "$P" || fail "families are interleaved"

if command -v promtool >/dev/null 2>&1; then
	# its only complaint may be about the names smartmon.sh chose, which a dashboard made for it reads
	promtool check metrics <"$P" >"$T/promtool.out" 2>&1
	grep -Ev '^smartmon_power_on_hours_(value|worst|threshold|raw_value) use base unit "seconds" instead of "hours"$' \
		"$T/promtool.out" >"$T/promtool.rest"
	[ -s "$T/promtool.rest" ] && { cat "$T/promtool.rest" >&2; fail "promtool check metrics"; }
	promtool check rules "$SOURCE_ROOT/contrib/prometheus/weargate.rules.yml" >"$T/promtool.out" 2>&1 ||
		{ cat "$T/promtool.out" >&2; fail "promtool check rules"; }
	# The rules fire on what export writes: feed them this history's series.
	cat >"$T/rules-test.yml" <<EOF
rule_files:
  - $SOURCE_ROOT/contrib/prometheus/weargate.rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'weargate_drive_state{disk="sdb",serial="WD-WEAK0000001",state="degrading",instance="h1"}'
        values: '0 1x5000'
      - series: 'weargate_drive_state{disk="sda",serial="WD-WCAPW1234567",state="failing",instance="h1"}'
        values: '0x5000'
      - series: 'weargate_gate_verdict{job="purge",verdict="refuse",instance="h1"}'
        values: '1x5000'
      - series: 'weargate_job_info{job="backup",class="backup",instance="h1"}'
        values: '1x5000'
      - series: 'weargate_job_info{job="purge",class="maintenance",instance="h1"}'
        values: '1x5000'
      - series: 'weargate_job_last_success_timestamp_seconds{job="backup",instance="h1"}'
        values: '0x5000'
      - series: 'weargate_job_last_success_timestamp_seconds{job="purge",instance="h1"}'
        values: '0x5000'
    alert_rule_test:
      - eval_time: 2h
        alertname: WeargateDriveDegrading
        exp_alerts:
          - exp_labels: {severity: warning, disk: sdb, serial: WD-WEAK0000001, state: degrading, instance: h1}
            exp_annotations:
              summary: "h1: drive sdb (WD-WEAK0000001) is degrading"
              description: "Its media counters grew or it has pending or uncorrectable sectors. weargate holds back maintenance on it until a backup has succeeded; see 'weargate status'."
      - eval_time: 2h
        alertname: WeargateDriveFailing
        exp_alerts: []
      - eval_time: 2d
        alertname: WeargateJobRefused
        exp_alerts: []
      - eval_time: 3d1h
        alertname: WeargateJobRefused
        exp_alerts:
          - exp_labels: {severity: warning, job: purge, verdict: refuse, instance: h1}
            exp_annotations:
              summary: "h1: weargate has refused a job for 3 days"
              description: "The gate refuses the job because of the health of a drive it touches (a queue purge waiting for a backup of a degrading drive, any job on a failing one): the maintenance it stands for is not being done. See 'weargate status'."
      - eval_time: 3d1h
        alertname: WeargateBackupNotRun
        exp_alerts:
          - exp_labels: {severity: warning, job: backup, instance: h1}
            exp_annotations:
              summary: "h1: no backup job has succeeded for 2 days"
              description: "See 'weargate history --jobs' for its runs and 'weargate status' for the gate."
EOF
	promtool test rules "$T/rules-test.yml" >"$T/promtool.out" 2>&1 ||
		{ cat "$T/promtool.out" >&2; fail "promtool test rules"; }
else
	echo "export: promtool not found (Debian: apt-get install prometheus): the promtool checks are skipped"
fi

# Atomic: a reader never sees the file half written (it is rewritten 30 times while read).
(
	i=0
	while [ $i -lt 30 ]; do
		WEARGATE_NOW=$NOW "$W" -c "$T/w.conf" export --output "$P" || exit 1
		i=$((i + 1))
	done
) &
writer=$!
bad=0
while kill -0 "$writer" 2>/dev/null; do
	cat "$P" >"$T/read" 2>/dev/null || continue
	cmp -s "$T/read" "$T/out" || { bad=1; break; }
done
wait "$writer" || fail "an export of the loop failed"
[ "$bad" = 0 ] || fail "a reader saw a partial file ($(wc -c <"$T/read") of $(wc -c <"$T/out") bytes)"
ls -A "$T/prom" | grep -qv '^weargate.prom$' && fail "the loop left temporary files: $(ls -A "$T/prom")"

# Errors: a missing directory, a wrong option, an argument, a bad configuration.
run 64 "$W" -c "$T/w.conf" export --output "$T/nodir/weargate.prom"
contains "$T/err" "--output '$T/nodir/weargate.prom': there is no directory '$T/nodir'"
[ -e "$T/nodir" ] && fail "export created the missing directory"
run 64 "$W" -c "$T/w.conf" export --bogus
contains "$T/err" "unknown option '--bogus'"
run 64 "$W" -c "$T/w.conf" export extra
run 64 "$W" -c "$T/w.conf" export --output
printf 'job "x" {\n  class = sometimes\n}\n' >"$T/bad.conf"
run 78 "$W" -c "$T/bad.conf" export
# A job whose drives cannot be found has no verdict series, and the rest still exports.
printf 'job "lost" {\n\tclass = maintenance\n\tpaths = {"%s/nowhere"}\n}\n' "$T" >>"$T/w.conf"
WEARGATE_NOW=$NOW run 0 "$W" -c "$T/w.conf" export
grep -q 'weargate_gate_verdict{job="lost"' "$T/out" && fail "a job without drives got a verdict"
contains "$T/out" 'weargate_job_info{job="lost",class="maintenance"} 1'
contains "$T/out" 'weargate_gate_verdict{job="purge",verdict="refuse"} 1'
echo "export: ok"
