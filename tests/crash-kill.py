#!/usr/bin/env python3
# crash-kill.py — weargate sample, run and exec killed with SIGKILL at random points: the history stays
# sound, what was reported committed is there whole, the next run starts and closes what the dead left open.
#
# WEARGATE_CRASH_KILLS (default 100) sets how many kills; WEARGATE_CRASH_SEED replays a run (the seed is
# printed first). Needs WEARGATE, WG_BLOB, CRASH_CHECK and SOURCE_ROOT, as meson sets them.
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

DRIVES = ("sda", "sdb", "sdc")
# how long each command takes here when left alone, about: kills are spread over [0, this)
SPAN = {"sample": 0.04, "run": 0.25, "exec": 0.09}


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def main():
    for v in ("WEARGATE", "WG_BLOB", "CRASH_CHECK", "SOURCE_ROOT"):
        if not os.environ.get(v):
            fail(v + " is not set (run through meson test)")
    kills_wanted = int(os.environ.get("WEARGATE_CRASH_KILLS", "100"))
    seed = int(os.environ.get("WEARGATE_CRASH_SEED") or random.SystemRandom().randrange(1 << 31))
    print("seed %d (replay: WEARGATE_CRASH_SEED=%d), %d kills" % (seed, seed, kills_wanted), flush=True)
    rng = random.Random(seed)

    d = tempfile.mkdtemp(prefix="wg-crash.")
    try:
        Workload(d, rng).go(kills_wanted)
    finally:
        if os.environ.get("WEARGATE_CRASH_KEEP"):
            print("left in " + d)
        else:
            shutil.rmtree(d, ignore_errors=True)


class Workload:
    def __init__(self, d, rng):
        self.d, self.rng = d, rng
        self.db = os.path.join(d, "history.db")
        self.conf = os.path.join(d, "w.conf")
        self.w = os.environ["WEARGATE"]
        self.t = 1795600000
        self.open_runs = set()  # job runs a killed runner may have left without an end
        self.reported = []  # (what, check) of everything a process said it recorded
        desc = open(os.path.join(os.environ["SOURCE_ROOT"], "data", "demo-sda.desc")).read()
        for i, name in enumerate(DRIVES):
            p = os.path.join(d, name + ".desc")
            with open(p, "w") as f:
                f.write(re.sub(r"(?m)^serial .*$", "serial WD-CRASH%d" % i, desc))
            subprocess.run([os.environ["WG_BLOB"], "create", os.path.join(d, name + ".blob"), p], check=True)
        every = "{" + ",".join('"%s"' % n for n in DRIVES) + "}"
        with open(self.conf, "w") as f:
            f.write('database = "history.db"\nwatch_interval = 1s\nstop_grace = 1s\n')
            for n in DRIVES:
                f.write('drive "%s" { blob = "%s.blob" }\n' % (n, n))
            # every job touches every drive, so that every pass, the runner's too, holds every drive
            for job, cls, cmd in (("backup", "backup", "sleep 0.03; echo backed up"),
                                  ("purge", "maintenance", "sleep 0.05; echo purged"),
                                  ("reindex", "maintenance", "sleep 0.02; echo reindexed")):
                f.write('job "%s" {\n\tclass = %s\n\tdrives = %s\n\tcommand = {"/bin/sh", "-c", "%s"}\n}\n'
                        % (job, cls, every, cmd))
        os.chmod(self.conf, 0o644)
        self.env = dict(os.environ, TZ="UTC",
                        WEARGATE_CGROUP_ROOT=os.path.join(d, "no-cgroup"),
                        WEARGATE_SYSTEMD_DIR=os.path.join(d, "no-systemd"),
                        WEARGATE_SYSFS_ROOT=os.path.join(d, "no-sys"))

    def sql(self, q, *args):
        """A query of the history; nothing when there is none yet (the first writer killed before its first commit)."""
        if not os.path.exists(self.db):
            return []
        c = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            if c.execute("PRAGMA user_version").fetchone()[0] == 0:
                return []
            return c.execute(q, args).fetchall()
        finally:
            c.close()

    def command(self, kind):
        if kind == "sample":
            return [self.w, "-c", self.conf, "sample"]
        if kind == "run":
            return [self.w, "-c", self.conf, "run"]
        return [self.w, "-c", self.conf, "exec", "backup", "--", "/bin/sh", "-c", "sleep 0.02; echo by hand"]

    def launch(self, i, kind, delay):
        """Run one command (killed after delay seconds, None: left alone); what it said and how it ended."""
        self.t += 3600  # a clock of its own: its passes are told apart by their time
        log = os.path.join(self.d, "log.%d" % i)
        env = dict(self.env, WEARGATE_NOW=str(self.t), WEARGATE_LOG_FILE=log)
        out, err = os.path.join(self.d, "out"), os.path.join(self.d, "err")
        with open(out, "w") as o, open(err, "w") as e:
            p = subprocess.Popen(self.command(kind), stdout=o, stderr=e, env=env, cwd=self.d)
            killed = False
            if delay is not None:
                time.sleep(delay)
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    killed = True
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                fail("%s (#%d) did not end within 60 s" % (kind, i))
        killed = killed and rc == -signal.SIGKILL
        said = open(out).read() + open(err).read()
        logged = open(log).read() if os.path.exists(log) else ""
        return rc, killed, said, logged

    def check_store(self, where):
        """The whole history: sound, and every pass has a sample of every drive (every pass here is of all)."""
        if not os.path.exists(self.db):
            return {}
        p = subprocess.run([os.environ["CRASH_CHECK"], self.db], capture_output=True, text=True)
        if p.returncode != 0 or "integrity ok\n" not in p.stdout:
            fail("%s: the history is damaged:\n%s%s" % (where, p.stdout, p.stderr))
        passes = {}
        for line in p.stdout.splitlines():
            f = line.split()
            if f[0] == "pass":
                passes[int(f[1])] = (int(f[2]), int(f[3]))
                if int(f[3]) != len(DRIVES):
                    fail("%s: pass %s (t=%s) is half there: %s of %d drives" % (where, f[1], f[2], f[3], len(DRIVES)))
        return passes

    def check_reported(self, where, passes):
        times = {t for (t, n) in passes.values()}
        runs = {r[0]: r[1:] for r in self.sql("SELECT id, job, ended, outcome FROM job_run")}
        for what, arg in self.reported:
            if what == "pass" and arg not in times:
                fail("%s: the pass at t=%d was reported recorded and is not there" % (where, arg))
            if what == "started" and arg[0] not in runs:
                fail("%s: job run %d was reported started and is not there" % (where, arg[0]))
            if what == "ended":
                run_id, job, outcome = arg
                if run_id not in runs or runs[run_id][0] != job or runs[run_id][2] != outcome:
                    fail("%s: job run %d was reported %s and is recorded as %r" % (where, run_id, outcome,
                                                                                   runs.get(run_id)))
                after = self.sql("SELECT pass_after FROM job_run_drive WHERE run_id = ?", run_id)
                if len(after) != len(DRIVES) or any(a[0] not in passes for a in after):
                    fail("%s: job run %d: its samples after are not all there: %r" % (where, run_id, after))

    def note(self, kind, said, logged):
        """What the command said it recorded, for check_reported()."""
        if kind == "sample":
            if all(re.search(r"(?m)^%s: ok: " % n, said) for n in DRIVES):
                self.reported.append(("pass", self.t))
        elif kind == "run" and re.search(r"(?m)^[a-z]+: go: ", said):
            # the runner gates a job only once its own pass is in
            self.reported.append(("pass", self.t))
        for m in re.finditer(r"(?m)^<\d> job ([a-z]+) \(run (\d+)\): (\w+)", logged):
            job, run_id, what = m.group(1), int(m.group(2)), m.group(3)
            if what == "started":
                self.reported.append(("started", (run_id, job)))
            else:
                self.reported.append(("ended", (run_id, job, what)))

    def go(self, kills_wanted):
        kills = i = 0
        t0 = time.monotonic()
        stats = {"sample": 0, "run": 0, "exec": 0}
        while kills < kills_wanted:
            i += 1
            kind = self.rng.choice(("sample", "sample", "run", "run", "exec"))
            # one in eight is left alone: that one must find no lock held and end well
            alone = self.rng.random() < 0.125
            delay = None if alone else self.rng.uniform(0, SPAN[kind])
            rc, killed, said, logged = self.launch(i, kind, delay)
            where = "#%d %s%s" % (i, kind, " killed after %.3f s" % delay if killed else "")
            self.note(kind, said, logged)
            if not killed:
                if rc != 0:
                    fail("%s exited %d:\n%s" % (where, rc, said))
                if kind != "sample":
                    self.check_closed(where, said)
            else:
                kills += 1
                stats[kind] += 1
            passes = self.check_store(where)
            self.check_reported(where, passes)
            if killed and kind != "sample":
                self.after_killed_runner(where)
        # and at the end: a run that starts, and closes what is left open
        rc, killed, said, logged = self.launch(i + 1, "run", None)
        if rc != 0:
            fail("the last run exited %d:\n%s" % (rc, said))
        self.check_closed("the last run", said)
        passes = self.check_store("at the end")
        self.check_reported("at the end", passes)
        n_int = self.sql("SELECT count(*) FROM job_run WHERE outcome = 'interrupted'")[0][0]
        n_runs = self.sql("SELECT count(*) FROM job_run")[0][0]  # the last run made the schema, if no one had
        print("%d commands, %d killed (%d sample, %d run, %d exec), %d passes, %d job runs of which %d "
              "interrupted, %d reports checked, %.1f s"
              % (i + 1, kills, stats["sample"], stats["run"], stats["exec"], len(passes), n_runs, n_int,
                 len(self.reported), time.monotonic() - t0))
        j = subprocess.run([self.w, "-c", self.conf, "history", "--jobs", "--format", "json", "--since", "3000d"],
                           capture_output=True, text=True, env=dict(self.env, WEARGATE_NOW=str(self.t)), cwd=self.d)
        if j.returncode != 0:
            fail("history --jobs exited %d: %s" % (j.returncode, j.stderr))
        if n_int and '"interrupted"' not in j.stdout:
            fail("history --jobs does not show the interrupted runs:\n" + j.stdout[:2000])

    def after_killed_runner(self, where):
        """A killed runner may have closed what earlier ones left open (as interrupted), and left its own."""
        now_open = {r[0] for r in self.sql("SELECT id FROM job_run WHERE ended IS NULL")}
        for run_id in self.open_runs - now_open:
            r = self.sql("SELECT outcome FROM job_run WHERE id = ?", run_id)
            if r != [("interrupted",)]:
                fail("%s: job run %d, left open by an earlier killed runner, is recorded as %r" % (where, run_id, r))
        self.open_runs = now_open

    def check_closed(self, where, said):
        """A runner that ran to its end took the lock, and closed the runs the killed ones left open."""
        if self.open_runs:
            m = re.search(r"weargate: (\d+) job run\(s\) that a runner left unfinished are recorded as interrupted",
                          said)
            if not m or int(m.group(1)) != len(self.open_runs):
                fail("%s: %d run(s) left open (%s), and it said:\n%s"
                     % (where, len(self.open_runs), sorted(self.open_runs), said))
            for run_id in self.open_runs:
                r = self.sql("SELECT ended, outcome, reason FROM job_run WHERE id = ?", run_id)
                if not r or r[0][0] is None or r[0][1] != "interrupted":
                    fail("%s: job run %d, left open by a killed runner, is recorded as %r" % (where, run_id, r))
            self.open_runs = set()
        left = self.sql("SELECT id FROM job_run WHERE ended IS NULL")
        if left:
            fail("%s: ended well, and job runs are still open: %r" % (where, left))


if __name__ == "__main__":
    main()
