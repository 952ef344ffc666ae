#!/bin/sh
# report.sh — `weargate report`: one self-contained HTML page, its charts, bands and tables; rendered by headless Chromium when there is one.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE
WEARGATE_CGROUP_ROOT=$T/no-cgroup
WEARGATE_SYSTEMD_DIR=$T/no-systemd
WEARGATE_SYSFS_ROOT=$T/sys
TZ=UTC
export WEARGATE_CGROUP_ROOT WEARGATE_SYSTEMD_DIR WEARGATE_SYSFS_ROOT TZ

mkdir -p "$T/sys/block/sda"
printf '%8d %8d %8d %8d %8d %8d %8d %8d %8d %8d %8d\n' 100 0 1000 50 20 0 500 40 0 60 90 >"$T/sys/block/sda/stat"

# The demo's drive, under a model name that would break a page that does not escape it.
sed 's/^model .*/model "WD <b>Evil<\/b> \& \\"Co\\" '"'"'x'"'"'"/' "$SOURCE_ROOT/data/demo-sda.desc" >"$T/sda.desc"
"$WG_BLOB" create "$T/sda.blob" "$T/sda.desc" || fail "wg-blob create"
cat >"$T/w.conf" <<CONF
database = "history.db"
watch_interval = 1s
stop_grace = 1s
drive "sda" { blob = "sda.blob" }
job "purge" {
	class = maintenance
	drives = {"sda"}
	command = {"/bin/true"}
}
job "backup" {
	class = backup
	drives = {"sda"}
	command = {"/bin/true"}
}
CONF
chmod 0644 "$T/w.conf"

# Before there is a history: 69, and no file.
run 69 "$W" -c "$T/w.conf" report --output "$T/none.html"
[ -e "$T/none.html" ] && fail "report wrote a file without a history"
run 64 "$W" -c "$T/w.conf" report --output "$T/no/such/dir/r.html"
run 64 "$W" -c "$T/w.conf" report --bogus

# Two days of samples every 3 hours, the temperature going up and down.
now=$((WEARGATE_NOW - 2 * 86400))
for k in 0 1 2 3 4 5 6 7; do
	"$WG_BLOB" set "$T/sda.blob" 194 raw=$((35 + k % 4)) || fail "wg-blob set"
	WEARGATE_NOW=$((now + k * 3 * 3600)) run 0 "$W" -c "$T/w.conf" sample
done
# an unreadable reading: a gap in every chart, never a 0
cp "$T/sda.blob" "$T/sda.good"
echo junk >"$T/sda.blob"
WEARGATE_NOW=$((now + 24 * 3600)) run 69 "$W" -c "$T/w.conf" sample
cp "$T/sda.good" "$T/sda.blob"
WEARGATE_NOW=$((now + 27 * 3600)) run 0 "$W" -c "$T/w.conf" sample

# The purge night: pending sectors appear under it, and the watchdog stops it.
cat >"$T/wear.sh" <<EOF
#!/bin/sh
sleep 1
"$WG_BLOB" set "$T/sda.blob" 197 raw=8
sleep 6
EOF
chmod +x "$T/wear.sh"
WEARGATE_NOW=$((now + 30 * 3600)) run 143 "$W" -c "$T/w.conf" exec purge -- "$T/wear.sh"
contains "$T/err" "purge: stopped: sda pending sectors 0 → 8 during the run"
# then a backup goes first, as it should
WEARGATE_NOW=$((now + 34 * 3600)) run 0 "$W" -c "$T/w.conf" exec backup -- /bin/true
# the gate, asked and recorded
WEARGATE_NOW=$((now + 36 * 3600)) run 75 "$W" -c "$T/w.conf" gate purge
for k in 13 14 15; do
	WEARGATE_NOW=$((now + k * 3 * 3600)) run 0 "$W" -c "$T/w.conf" sample
done

# stdout without --output; the same page with it, written whole
run 0 "$W" -c "$T/w.conf" report
cp "$T/out" "$T/stdout.html"
run 0 "$W" -c "$T/w.conf" report --output "$T/report.html"
[ -s "$T/out" ] && fail "report --output printed: $(head -c 200 "$T/out")"
cmp -s "$T/stdout.html" "$T/report.html" || fail "report on stdout and in --output differ"
ls "$T"/.report.html* "$T"/report.html.* 2>/dev/null && fail "a temporary file was left behind"
run 0 "$W" -c "$T/w.conf" report --since 2026-11-20 --output "$T/since.html"
run 64 "$W" -c "$T/w.conf" report --since yesterday

python3 - "$T/report.html" <<'PY' || fail "the page is not what it should be"
import html.parser, re, sys

page = open(sys.argv[1], encoding="utf-8").read()
VOID = {"meta", "br", "line", "rect", "polyline", "link", "img", "input", "hr", "col", "wbr"}


class Check(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors = [], []
        self.svgs = []  # per svg: {"polyline": n, "band": n, "text": [...]}
        self.rows = []  # the class of each tr
        self.data = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            v = v or ""
            if k in ("src", "href", "xlink:href") or "http:" in v.replace("http://www.w3.org/2000/svg", "") or "https:" in v:
                if not (k == "xmlns" and v == "http://www.w3.org/2000/svg"):
                    self.errors.append("external reference: %s=%s" % (k, v))
        if tag == "script":
            self.errors.append("a script")
        if tag == "svg":
            self.svgs.append({"polyline": 0, "band": 0})
        if tag == "polyline" and self.svgs:
            self.svgs[-1]["polyline"] += 1
            pts = a.get("points", "")
            if not re.fullmatch(r"-?[0-9.]+,-?[0-9.]+( -?[0-9.]+,-?[0-9.]+)*", pts):
                self.errors.append("bad points: %r" % pts[:80])
        if tag == "rect" and "band" in (a.get("class") or "").split() and self.svgs:
            self.svgs[-1]["band"] += 1
        if tag == "tr":
            self.rows.append(a.get("class") or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()

    def handle_data(self, d):
        self.data.append(d)


c = Check()
c.feed(page)
c.close()
text = "".join(c.data)
errors = list(c.errors)
if c.stack:
    errors.append("unclosed: %s" % c.stack)
if not page.startswith("<!DOCTYPE html>"):
    errors.append("no doctype")
for bad in ("http:", "https:", "<script", "@import", "url("):
    if bad in page.replace('xmlns="http://www.w3.org/2000/svg"', ""):
        errors.append("the page holds %r" % bad)
# the hostile model: escaped in the source, and read back as it is
model = "WD <b>Evil</b> & \"Co\" 'x'"
if model not in text:
    errors.append("the model does not read back as %r" % model)
if "<b>Evil" in page:
    errors.append("the model is not escaped")
for want in ("WD-WCAPW1234567", "12.01C01", "degrading", "pending sectors"):
    if want not in text:
        errors.append("no %r in the page" % want)
if 'class="state st-degrading"' not in page:
    errors.append("no degrading state badge")
# two charts for the one drive, each with its polylines and the two runs as bands
if len(c.svgs) != 2:
    errors.append("%d charts, expected 2" % len(c.svgs))
for i, s in enumerate(c.svgs):
    if s["polyline"] < 1:
        errors.append("chart %d has no polyline" % i)
    if s["band"] != 2:
        errors.append("chart %d has %d bands, expected 2" % (i, s["band"]))
# the unreadable sample is a gap: each media series in two pieces, the temperature too
if c.svgs and c.svgs[0]["polyline"] != 6:
    errors.append("media chart: %d polylines, expected 3 series in 2 pieces" % c.svgs[0]["polyline"])
if len(c.svgs) > 1 and c.svgs[1]["polyline"] != 2:
    errors.append("temperature chart: %d polylines, expected 2 pieces" % c.svgs[1]["polyline"])
if 'class="band b-stopped"' not in page or 'class="band b-success"' not in page:
    errors.append("the bands are not colored by outcome")
# the runs, the gate now and the decision recorded
if c.rows.count("run b-stopped") != 1 or c.rows.count("run b-success") != 1:
    errors.append("job table rows: %s" % c.rows)
if "0 → 8" not in text:
    errors.append("the purge's pending sectors 0 → 8 are not in the job table")
if c.rows.count("decision") < 1:
    errors.append("no gate decision row")
# the rescue backup's decision as the gate said it, not a bare "go"
decisions = page[page.find('<table class="decisions">'):]
if '<td class="v-go">go (throttled)</td>' not in decisions:
    errors.append("the decisions table does not say 'go (throttled)' for the backup")
if "backup of the drive" not in text and "refuse" not in text and "defer" not in text:
    errors.append("no verdict in the page")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY

# A long range is downsampled (at most about 600 points a series) and keeps its spike.
rm -f "$T/history.db" "$T/history.db-wal" "$T/history.db-shm"
cp "$T/sda.good" "$T/sda.blob"
"$WG_BLOB" set "$T/sda.blob" 197 raw=0
python3 - "$T/history.db" "$WEARGATE_PLAIN" "$T/w.conf" "$WG_BLOB" "$T/sda.blob" <<'PY' || fail "could not build a long history"
import os, subprocess, sys
db, w, conf, blob, sda = sys.argv[1:]
now = int(os.environ["WEARGATE_NOW"])
for k in range(1500):
    if k == 700:
        subprocess.run([blob, "set", sda, "197", "raw=50"], check=True)
    if k == 701:
        subprocess.run([blob, "set", sda, "197", "raw=0"], check=True)
    env = dict(os.environ, WEARGATE_NOW=str(now - (1500 - k) * 1200))
    subprocess.run([w, "-q", "-c", conf, "sample"], check=True, env=env, stdout=subprocess.DEVNULL)
PY
run 0 "$W" -c "$T/w.conf" report --output "$T/long.html"
python3 - "$T/long.html" <<'PY' || fail "the long range is not downsampled well"
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
lines = re.findall(r'<polyline class="s-pending" points="([^"]*)"', page)
assert len(lines) == 1, lines
pts = [tuple(map(float, p.split(","))) for p in lines[0].split()]
assert 10 < len(pts) <= 600, len(pts)
ys = sorted(set(y for _, y in pts))
assert len(ys) == 2, ys  # 0 and the spike of 50 both survive
PY

# A 5-minute live run, as an admin tries it: a sample every 30 s, and a 2-minute job in the middle
# on a clock that the job moves (WEARGATE_NOW=@FILE). The chart spans the range the header says,
# with a few ticks, and the job is a band as wide as its two minutes.
cp "$T/sda.good" "$T/sda.blob"
sed 's/^database = .*/database = "short.db"/' "$T/w.conf" >"$T/short.conf"
cat >"$T/two-minutes.sh" <<EOF
#!/bin/sh
echo \$((\$(cat "$T/clock") + 120)) >"$T/clock.new" && mv "$T/clock.new" "$T/clock"
EOF
chmod +x "$T/two-minutes.sh"
start=$((WEARGATE_NOW + 86400))
for k in 0 30 60 90 120 EXEC 240 270 300; do
	if [ "$k" = EXEC ]; then
		WEARGATE_NOW=@$T/clock run 0 "$W" -c "$T/short.conf" exec purge -- "$T/two-minutes.sh"
		continue
	fi
	echo $((start + k)) >"$T/clock"
	WEARGATE_NOW=@$T/clock run 0 "$W" -c "$T/short.conf" sample
done
WEARGATE_NOW=@$T/clock run 0 "$W" -c "$T/short.conf" report --output "$T/short.html"
python3 - "$T/short.html" "$start" <<'PY' || fail "the 5-minute report is not what it should be"
import re, sys, time
page, start = open(sys.argv[1], encoding="utf-8").read(), int(sys.argv[2])
errors = []
fmt = lambda t: time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))
# the header's range is the chart's: from the first sample to now, to the second
if "From %s to %s, local time (UTC)" % (fmt(start), fmt(start + 300)) not in page:
    errors.append("the header does not give the range %s to %s: %s"
                  % (fmt(start), fmt(start + 300), re.search(r'<p class="meta">.*?</p>', page).group(0)))
for svg in re.findall(r'<svg class="chart".*?</svg>', page, re.S):
    ticks = re.findall(r'<text class="tick" x="([0-9.]+)"[^>]*>([^<]*)</text>', svg)
    if len(ticks) < 3:
        errors.append("%d x-axis ticks on 5 minutes: %s" % (len(ticks), ticks))
    # ticks are minutes, and the first is the first whole minute after the start
    if ticks and ticks[0][1] != time.strftime("%H:%M", time.gmtime((start + 59) // 60 * 60)):
        errors.append("first tick %r" % (ticks[0],))
    # the chart starts at the first sample: its polylines start at the left axis (x = 56)
    first = re.search(r'<polyline class="[^"]*" points="([0-9.]+),', svg)
    if not first or float(first.group(1)) != 56.0:
        errors.append("the series do not start at the axis: %s" % (first and first.group(1)))
    # the two-minute run: 2/5 of the plot (1000 - 56 - 16 units), and its label
    bands = re.findall(r'<rect class="band b-success" x="([0-9.]+)" y="[0-9]+" width="([0-9.]+)"', svg)
    if len(bands) != 1 or abs(float(bands[0][1]) - 928 * 120 / 300) > 1:
        errors.append("the run's band: %s, expected one %.1f wide" % (bands, 928 * 120 / 300))
    if '<text class="band-label" x="' not in svg or ">purge: success</text>" not in svg:
        errors.append("the band has no label 'purge: success'")
if errors:
    print("\n".join(errors), file=sys.stderr)
    sys.exit(1)
PY

# Chromium renders both pages at 800 and 1400 px (tests/report-render.py): no console error, no
# sideways scroll, the charts as wide as the page, every band labelled. The screenshots are kept
# in the build's meson-logs/report/.
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	echo "report: no chromium here (Debian: apt-get install chromium): the rendering check is skipped"
	echo "report: ok"
	exit 0
fi
SHOTS=${BUILD_ROOT:-$T}/meson-logs/report
python3 "$SOURCE_ROOT/tests/report-render.py" "$CHROMIUM" "$SHOTS" 800,1400 "$T/report.html" "$T/short.html" ||
	fail "chromium: the report does not render as it should"
cp "$SHOTS/report-1400.png" "$T/shot.png"
python3 - "$T/shot.png" <<'PY' || fail "the screenshot does not show the charts"
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, hdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        hdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
width, height, depth, ctype = hdr[:4]
assert depth == 8 and ctype in (2, 6), hdr
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = width * bpp
prev = bytearray(stride)
colors = {}
i = 0
for _ in range(height):
    f = raw[i]
    line = bytearray(raw[i + 1:i + 1 + stride])
    i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]
        c = prev[x - bpp] if x >= bpp else 0
        if f == 1:
            line[x] = (line[x] + a) & 255
        elif f == 2:
            line[x] = (line[x] + b) & 255
        elif f == 3:
            line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = bytes(line[x:x + 3])
        colors[px] = colors.get(px, 0) + 1
    prev = line
# the series' colors: pending red, reallocated brown, offline uncorrectable blue, temperature pink
series = {"pending": (0xD6, 0x27, 0x28), "reallocated": (0x8C, 0x56, 0x4B), "offline": (0x1F, 0x77, 0xB4),
          "temperature": (0xE3, 0x77, 0xC2)}
missing = [k for k, v in series.items() if colors.get(bytes(v), 0) < 20]
assert len(colors) > 50, "only %d colors: blank" % len(colors)
assert not missing, "no pixels of %s" % missing
PY
echo "report: ok"
