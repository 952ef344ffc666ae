#!/usr/bin/env python3
# crash-gates.py — 50 gates at once while `run` and `sample` write: every one answers, none meets a locked
# database, none waits anywhere near the busy timeout; as root, the same for unprivileged gates (nobody).
#
# WEARGATE_GATE_WAVES (default 3) sets how many waves of 50. Needs WEARGATE, WG_BLOB and SOURCE_ROOT.
import os
import pwd
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

DRIVES = ("sda", "sdb", "sdc")
GATES = 50
BUSY_TIMEOUT = 10.0  # store.c's BUSY_TIMEOUT_MS
# what no gate may say: it met a locked database, could not record, or failed in any other way
BAD = re.compile(r"locked|busy|not recorded|cannot|error|weargate:", re.I)
# the writers may say "weargate: sda is ok" (a state noted), nothing worse
WRITER_BAD = re.compile(r"locked|busy|not recorded|cannot|error", re.I)


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


class Writers:
    """`run` and `sample`, each over and over, until stopped; each must end well every time."""

    def __init__(self, base, env, conf):
        self.base, self.env, self.conf = base, env, conf
        self.stop = threading.Event()
        self.errors, self.counts = [], {"run": 0, "sample": 0}
        self.threads = [threading.Thread(target=self.loop, args=(k,)) for k in ("run", "sample")]

    def loop(self, kind):
        while not self.stop.is_set():
            p = subprocess.run([self.base, "-c", self.conf, kind], capture_output=True, text=True, env=self.env)
            self.counts[kind] += 1
            if p.returncode != 0 or WRITER_BAD.search(p.stderr):
                self.errors.append("%s exited %d: %s" % (kind, p.returncode, p.stderr))

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(0.3)  # both are writing by now
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def wave(argv, env, cwd, user=None):
    """GATES gates started at once; each one's (wall time, exit status, stderr)."""
    results = [None] * GATES
    go = threading.Barrier(GATES)

    def one(k):
        go.wait()
        t0 = time.monotonic()
        p = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=cwd, user=user)
        results[k] = (time.monotonic() - t0, p.returncode, p.stderr)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(GATES)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def check(results, who):
    for wall, rc, err in results:
        if rc != 0 or BAD.search(err):
            fail("%s: a gate exited %d after %.2f s: %s" % (who, rc, wall, err))
        if wall >= BUSY_TIMEOUT:
            fail("%s: a gate took %.2f s, the busy timeout is %.0f s" % (who, wall, BUSY_TIMEOUT))


def main():
    for v in ("WEARGATE", "WG_BLOB", "SOURCE_ROOT"):
        if not os.environ.get(v):
            fail(v + " is not set (run through meson test)")
    waves = int(os.environ.get("WEARGATE_GATE_WAVES", "3"))
    w = os.environ["WEARGATE"]
    d = tempfile.mkdtemp(prefix="wg-gates.")
    try:
        os.chmod(d, 0o755)  # nobody reads the history here
        desc = open(os.path.join(os.environ["SOURCE_ROOT"], "data", "demo-sda.desc")).read()
        for i, name in enumerate(DRIVES):
            p = os.path.join(d, name + ".desc")
            with open(p, "w") as f:
                f.write(re.sub(r"(?m)^serial .*$", "serial WD-GATES%d" % i, desc))
            subprocess.run([os.environ["WG_BLOB"], "create", os.path.join(d, name + ".blob"), p], check=True)
        conf = os.path.join(d, "w.conf")
        every = "{" + ",".join('"%s"' % n for n in DRIVES) + "}"
        with open(conf, "w") as f:
            f.write('database = "history.db"\n')
            for n in DRIVES:
                f.write('drive "%s" { blob = "%s.blob" }\n' % (n, n))
            f.write('job "backup" {\n\tclass = backup\n\tdrives = %s\n'
                    '\tcommand = {"/bin/sh", "-c", "sleep 0.05; echo backed up"}\n}\n' % every)
            f.write('job "purge" {\n\tclass = maintenance\n\tdrives = %s\n'
                    '\tcommand = {"/bin/sh", "-c", "sleep 0.02; echo purged"}\n}\n' % every)
        os.chmod(conf, 0o644)
        log = os.path.join(d, "syslog")
        open(log, "w").close()
        os.chmod(log, 0o666)
        env = dict(os.environ, TZ="UTC", WEARGATE_NOW="1795600000", WEARGATE_LOG_FILE=log,
                   WEARGATE_CGROUP_ROOT=os.path.join(d, "no-cgroup"),
                   WEARGATE_SYSTEMD_DIR=os.path.join(d, "no-systemd"),
                   WEARGATE_SYSFS_ROOT=os.path.join(d, "no-sys"))
        p = subprocess.run([w, "-c", conf, "sample"], capture_output=True, text=True, env=env, cwd=d)
        if p.returncode != 0:
            fail("the first sample exited %d: %s" % (p.returncode, p.stderr))

        gate = [w, "-c", conf, "gate", "backup"]
        walls = []
        with Writers(w, env, conf) as wr:
            for k in range(waves):
                r = wave(gate, env, d)
                check(r, "wave %d" % (k + 1))
                walls += [x[0] for x in r]
            decisions = subprocess.run(
                [sys.executable, "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("
                 "'SELECT count(*) FROM decision WHERE job = \"backup\"').fetchone()[0])", os.path.join(d, "history.db")],
                capture_output=True, text=True).stdout.strip()
            nobody_walls = []
            nobody = None
            if os.geteuid() == 0:
                try:
                    nobody = pwd.getpwnam("nobody")
                except KeyError:
                    pass
            if nobody:
                for k in range(waves):
                    r = wave(gate, env, d, user=nobody.pw_uid)
                    check(r, "unprivileged wave %d" % (k + 1))
                    nobody_walls += [x[0] for x in r]
        if wr.errors:
            fail("a writer failed: " + wr.errors[0])
        if min(wr.counts.values()) < 2:
            fail("the writers hardly wrote while the gates ran: %r" % wr.counts)
        print("%d gates (%d waves of %d) while %d runs and %d samples wrote: wall max %.3f s, median %.3f s; "
              "busy timeout %.0f s; %s decisions recorded"
              % (len(walls), waves, GATES, wr.counts["run"], wr.counts["sample"], max(walls),
                 statistics.median(walls), BUSY_TIMEOUT, decisions))
        if nobody_walls:
            print("%d unprivileged gates (as nobody): wall max %.3f s, median %.3f s"
                  % (len(nobody_walls), max(nobody_walls), statistics.median(nobody_walls)))
        else:
            print("unprivileged gates: skipped (not root, or no user nobody)")
        if int(decisions or 0) < waves * GATES:
            fail("only %s decisions recorded for %d privileged gates" % (decisions, waves * GATES))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    main()
