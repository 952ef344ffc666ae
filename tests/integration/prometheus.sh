#!/bin/sh
# prometheus.sh — Debian's prometheus-node-exporter reads weargate's export beside the output of
# Debian's own smartmon.sh and smartmon.py (prometheus-node-exporter-collectors): no scrape
# error, no series dropped, and a dashboard made for smartmon.sh finds weargate's series.
. "$(dirname "$0")/../cli/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
unset WEARGATE_NOW
W=$WEARGATE
NE=/usr/bin/prometheus-node-exporter
COLLECTORS=/usr/share/prometheus-node-exporter-collectors
for need in "$NE" "$COLLECTORS/smartmon.sh" "$COLLECTORS/smartmon.py" /bin/bash; do
	[ -e "$need" ] || { echo "SKIP: $need is not installed (apt-get install prometheus-node-exporter prometheus-node-exporter-collectors)"; exit 77; }
done

# History of a drive "sda", sampled from a blob; exported as the device /dev/sda, as smartmon names it.
"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
printf 'database = "%s/history.db"\ndrive "sda" { blob = "%s/sda.blob" }\njob "backup" {\n\tclass = backup\n\tdrives = {"sda"}\n}\n' "$T" "$T" >"$T/sample.conf"
printf 'database = "%s/history.db"\ndrive "sda" { device = "/dev/sda" }\njob "backup" {\n\tclass = backup\n\tdrives = {"sda"}\n}\n' "$T" >"$T/export.conf"
chmod 0644 "$T/sample.conf" "$T/export.conf"
run 0 "$W" -c "$T/sample.conf" sample
run 0 "$W" -c "$T/sample.conf" gate --record backup
run 0 "$W" -c "$T/sample.conf" done backup
mkdir "$T/textfile" "$T/bin"
# the sysfs of the machine may have no sda: the label is then the configured path, as smartmon's
WEARGATE_SYSFS_ROOT=$T/nosys run 0 "$W" -c "$T/export.conf" export --output "$T/weargate.prom"
contains "$T/weargate.prom" 'smartmon_temperature_celsius_raw_value{disk="/dev/sda",type="ata",smart_id="194",source="weargate"} 37'
contains "$T/weargate.prom" '# HELP smartmon_device_info SMART metric device_info'

# The collectors, as Debian ships them, reading a fake smartctl: smartmon.sh names it by its
# absolute path (only that is changed in a copy), smartmon.py finds it in PATH.
cp "$SOURCE_ROOT/tests/integration/fake-smartctl" "$T/bin/smartctl"
chmod 755 "$T/bin/smartctl"
sed "s|/usr/sbin/smartctl|$T/bin/smartctl|g" "$COLLECTORS/smartmon.sh" >"$T/smartmon.sh"
bash "$T/smartmon.sh" >"$T/smartmon-sh.prom" 2>"$T/smartmon-sh.err" || fail "smartmon.sh failed: $(cat "$T/smartmon-sh.err")"
grep -q '^smartmon_temperature_celsius_raw_value{disk="/dev/sda",type="sat",smart_id="194"}' "$T/smartmon-sh.prom" ||
	fail "smartmon.sh wrote no temperature: $(cat "$T/smartmon-sh.prom")"
PATH=$T/bin:$PATH python3 "$COLLECTORS/smartmon.py" >"$T/smartmon-py.prom" 2>"$T/smartmon-py.err" ||
	fail "smartmon.py failed: $(cat "$T/smartmon-py.err")"
grep -q '^smartmon_attr_raw_value{' "$T/smartmon-py.prom" || fail "smartmon.py wrote no attribute: $(cat "$T/smartmon-py.prom")"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# scrape FILES...: node_exporter on 127.0.0.1 with these files in its textfile directory; its
# metrics in $T/metrics, its log in $T/ne.log
scrape() {
	rm -f "$T/textfile"/*.prom
	for f in "$@"; do cp "$f" "$T/textfile/"; done
	"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/textfile" >"$T/ne.log" 2>&1 &
	ne=$!
	eventually python3 -c 'import sys, urllib.request; open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=5).read())' \
		"http://127.0.0.1:$port/metrics" "$T/metrics" 2>/dev/null || { kill "$ne"; cat "$T/ne.log" >&2; fail "node_exporter did not answer"; }
	kill "$ne"
	wait "$ne" 2>/dev/null
}
# check FILE...: every series of the files is in the scrape, and nothing went wrong
check() {
	python3 - "$T/metrics" "$T/ne.log" "$@" <<'PY' || return 1
import re, sys
def series(path):
    out = set()
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$', line)
        if not m:
            raise SystemExit(f"{path}: cannot parse {line!r}")
        labels = tuple(sorted(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(2) or "")))
        out.add((m.group(1), labels, float(m.group(3))))
    return out
scraped = series(sys.argv[1])
log = open(sys.argv[2]).read()
bad = False
if ("node_textfile_scrape_error", (), 0.0) not in scraped:
    print("node_textfile_scrape_error is not 0", file=sys.stderr); bad = True
for word in ("error gathering", "has help", "collected before", "inconsistent", "level=error"):
    if word in log:
        print(f"node_exporter logged {word!r}:\n{log}", file=sys.stderr); bad = True; break
for path in sys.argv[3:]:
    for name, labels, value in series(path):
        # node_exporter fills in a label a file left out of some of a family's series: compare what was written
        if not any(n == name and set(labels) <= set(l) and v == value for n, l, v in scraped):
            print(f"dropped from {path}: {name}{dict(labels)} {value}", file=sys.stderr); bad = True
sys.exit(1 if bad else 0)
PY
}

# The check can fail: a family whose HELP differs from another file's is dropped and logged.
printf '# HELP smartmon_device_active not the collectors words\n# TYPE smartmon_device_active gauge\nsmartmon_device_active{disk="/dev/sdz"} 1\n' >"$T/clash.prom"
scrape "$T/smartmon-sh.prom" "$T/clash.prom"
check "$T/smartmon-sh.prom" "$T/clash.prom" 2>/dev/null && fail "a HELP that clashes went unnoticed"

# weargate alone, beside smartmon.sh, beside smartmon.py.
for set in "weargate" "weargate smartmon-sh" "weargate smartmon-py"; do
	files=""
	for f in $set; do files="$files $T/$f.prom"; done
	# shellcheck disable=SC2086
	scrape $files
	# shellcheck disable=SC2086
	check $files || fail "node_exporter with $set: see above"
done

# A dashboard made for smartmon.sh selects these, by these labels: weargate's answer them.
grep -q '^smartmon_device_smart_healthy{.*disk="/dev/sda".*} 1$' "$T/metrics" || fail "no smart_healthy for /dev/sda"
grep -q '^smartmon_reallocated_sector_ct_raw_value{.*disk="/dev/sda".*source="weargate".*} 0$' "$T/metrics" ||
	fail "no reallocated_sector_ct_raw_value of weargate's"
grep -q '^smartmon_device_info{.*device_model="WDC WD5000AAKS-00TMA0".*source="weargate".*} 1$' "$T/metrics" ||
	fail "no device_info of weargate's"
grep -q '^weargate_job_last_run_success{job="backup"} 1$' "$T/metrics" ||
	grep -q '^weargate_job_last_run_success{exported_job="backup"} 1$' "$T/metrics" || fail "the hook's run is not exported"
exit 0
