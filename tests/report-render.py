#!/usr/bin/env python3
"""report-render.py — weargate's HTML report as a browser shows it, at each window width asked for.

Usage: report-render.py CHROMIUM SHOTDIR WIDTHS PAGE.html...   (WIDTHS: "800,1400")

Headless Chromium loads each page at each width, driven through the DevTools protocol on a pipe
(--remote-debugging-pipe: no port, no library), and this fails (exit 1, saying why) when:
- the page logs anything to the console, or throws;
- the page scrolls sideways: it is wider than the window;
- a chart does not fill the page's width, or runs past it;
- a job run's band has no label, a label is not "JOB: OUTCOME" of a run in the job table, lies
  outside its chart, does not start or end where its band does, is too small to read, or runs
  into another label.
It keeps a screenshot of the whole page at each width in SHOTDIR, NAME-WIDTH.png, and prints
what it measured.
"""
import base64
import fcntl
import json
import os
import select
import subprocess
import sys
import tempfile
import time

MEASURE = r"""
(() => {
  const box = (e) => { const r = e.getBoundingClientRect(); return {l: r.left, r: r.right, t: r.top, b: r.bottom}; };
  const out = {
    innerWidth: window.innerWidth,
    clientWidth: document.documentElement.clientWidth,
    scrollWidth: document.documentElement.scrollWidth,
    bodyScrollWidth: document.body.scrollWidth,
    height: document.documentElement.scrollHeight,
    runs: [], charts: [],
  };
  for (const tr of document.querySelectorAll('table.runs tr.run')) {
    const td = tr.querySelectorAll('td');
    out.runs.push(td[0].textContent + ': ' + td[4].textContent);
  }
  for (const svg of document.querySelectorAll('svg.chart')) {
    const chart = {box: box(svg), title: svg.querySelector('title').textContent, bands: [], labels: []};
    for (const rect of svg.querySelectorAll('rect.band')) chart.bands.push(box(rect));
    for (const g of svg.querySelectorAll('g.run')) {
      const t = g.querySelector('text.band-label');
      chart.labels.push(t ? {text: t.textContent, box: box(t), anchor: t.getAttribute('text-anchor') || 'start'} : null);
    }
    out.charts.push(chart);
  }
  return out;
})()
"""


class Browser:
    def __init__(self, chromium, profile):
        to_chrome_r, to_chrome_w = os.pipe()
        from_chrome_r, from_chrome_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4: move ours out of the way first
        hi_r = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10)
        hi_w = fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)

        def fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-sync",
             "--disable-component-update", "--mute-audio", "about:blank"],
            pass_fds=(3, 4), preexec_fn=fds, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(profile, "chromium.log"), "wb"),
            env=dict(os.environ, HOME=profile))
        for fd in (to_chrome_r, from_chrome_w, hi_r, hi_w):
            os.close(fd)
        self.w, self.r = to_chrome_w, from_chrome_r
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read(self, deadline):
        while b"\0" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.r], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self.r, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed its pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            m = self._read(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)

    def wait_event(self, method, session, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get("method") == method and m.get("sessionId") == session:
                    del self.events[i]
                    return m
            self.events.append(self._read(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.w)
        os.close(self.r)


def overlap(a, b):
    return a["l"] < b["r"] and b["l"] < a["r"] and a["t"] < b["b"] and b["t"] < a["b"]


def check(m, width):
    errors = []
    if m["innerWidth"] != width:
        errors.append("the window is %d px wide, not %d" % (m["innerWidth"], width))
    # clientWidth: the window less its vertical scroll bar
    if max(m["scrollWidth"], m["bodyScrollWidth"]) > m["clientWidth"]:
        errors.append("the page scrolls sideways: %d px wide in a %d px window"
                      % (max(m["scrollWidth"], m["bodyScrollWidth"]), m["clientWidth"]))
    if not m["charts"]:
        errors.append("no chart")
    for c in m["charts"]:
        b = c["box"]
        name = c["title"]
        if b["r"] > m["clientWidth"] or b["l"] < 0:
            errors.append("%s: the chart (%.0f to %.0f px) runs past the window" % (name, b["l"], b["r"]))
        if b["r"] - b["l"] < 0.85 * m["clientWidth"]:
            errors.append("%s: the chart is %.0f px wide in a %d px window: it does not scale to the page"
                          % (name, b["r"] - b["l"], m["clientWidth"]))
        if len(c["labels"]) != len(c["bands"]):
            errors.append("%s: %d bands, %d labelled runs" % (name, len(c["bands"]), len(c["labels"])))
        labels = []
        for band, label in zip(c["bands"], c["labels"]):
            if label is None:
                errors.append("%s: a band has no label" % name)
                continue
            lb = label["box"]
            if label["text"] not in m["runs"]:
                errors.append("%s: label %r is no run of the job table %s" % (name, label["text"], m["runs"]))
            if lb["r"] - lb["l"] <= 0 or lb["b"] - lb["t"] < 8:
                errors.append("%s: label %r is %.1f px high: too small to read"
                              % (name, label["text"], lb["b"] - lb["t"]))
            if lb["l"] < b["l"] or lb["r"] > b["r"] or lb["t"] < b["t"] or lb["b"] > b["b"]:
                errors.append("%s: label %r lies outside its chart" % (name, label["text"]))
            edge = band["r"] if label["anchor"] == "end" else band["l"]
            near = lb["r"] if label["anchor"] == "end" else lb["l"]
            if abs(edge - near) > 6:
                errors.append("%s: label %r is %.0f px from its band" % (name, label["text"], abs(edge - near)))
            for other in labels:
                if overlap(lb, other["box"]):
                    errors.append("%s: labels %r and %r overlap" % (name, label["text"], other["text"]))
            labels.append(label)
    return errors


def main():
    chromium, shots, widths, pages = sys.argv[1], sys.argv[2], [int(w) for w in sys.argv[3].split(",")], sys.argv[4:]
    os.makedirs(shots, exist_ok=True)
    errors = []
    with tempfile.TemporaryDirectory(prefix="wg-chromium.") as profile:
        b = Browser(chromium, profile)
        try:
            target = b.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            s = b.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                b.call(domain + ".enable", session=s)
            for page in pages:
                name = os.path.splitext(os.path.basename(page))[0]
                for width in widths:
                    where = "%s at %d px" % (page, width)
                    b.call("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=s)
                    b.events.clear()
                    b.call("Page.navigate", {"url": "file://" + os.path.abspath(page)}, session=s)
                    b.wait_event("Page.loadEventFired", s)
                    m = b.call("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True}, session=s)
                    m = m["result"]["value"]
                    # whatever the page said or threw while it loaded
                    for e in b.events:
                        p = e.get("params", {})
                        if e.get("method") == "Runtime.consoleAPICalled":
                            errors.append("%s: console.%s: %s" % (where, p.get("type"),
                                          " ".join(str(a.get("value", a.get("description"))) for a in p.get("args", []))))
                        elif e.get("method") == "Runtime.exceptionThrown":
                            errors.append("%s: exception: %s" % (where, p.get("exceptionDetails", {}).get("text")))
                        elif e.get("method") == "Log.entryAdded" and p.get("entry", {}).get("level") in ("warning", "error"):
                            errors.append("%s: console %s: %s" % (where, p["entry"]["level"], p["entry"].get("text")))
                    errors += ["%s: %s" % (where, e) for e in check(m, width)]
                    shot = b.call("Page.captureScreenshot",
                                  {"format": "png", "captureBeyondViewport": True,
                                   "clip": {"x": 0, "y": 0, "width": width, "height": m["height"], "scale": 1}},
                                  session=s)
                    path = os.path.join(shots, "%s-%d.png" % (name, width))
                    with open(path, "wb") as f:
                        f.write(base64.b64decode(shot["data"]))
                    print("%s: %d charts, %d bands, all labelled; page %d px wide, screenshot %s"
                          % (where, len(m["charts"]), sum(len(c["bands"]) for c in m["charts"]),
                             max(m["scrollWidth"], m["bodyScrollWidth"]), path))
        except (TimeoutError, EOFError, RuntimeError) as e:
            log = open(os.path.join(profile, "chromium.log"), errors="replace").read()[-3000:]
            errors.append("chromium: %s\n%s" % (e, log))
        finally:
            b.close()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
