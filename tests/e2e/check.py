#!/usr/bin/env python3
"""check.py — judge the e2e guest's console: what weargate read through the real kernel must be
the disk QEMU was told to emulate, and the gate must answer as the health model says.

The guest (guest-init.sh) frames each step as @@WG-BEGIN name / @@WG-STDERR name /
@@WG-END name STATUS. Every failed check is printed; the exit status is 1 if any failed.
"""
import argparse
import json
import re
import sys

# QEMU's hw/ide/core.c answers SMART READ DATA / READ THRESHOLDS from a fixed table (the same
# for IDE and AHCI, and always GOOD): id -> (prefailure, value, worst, raw48, threshold).
QEMU_SMART = {
    1: (True, 100, 100, 0, 6),  # raw read error rate
    3: (True, 100, 100, 16, 0),  # spin-up time
    4: (False, 100, 100, 100, 20),  # start/stop count
    5: (True, 100, 100, 0, 36),  # reallocated sectors
    9: (True, 100, 100, 1, 0),  # power-on hours
    12: (True, 100, 100, 0, 0),  # power cycles
    190: (True, 69, 69, 0x1F1F001F, 50),  # airflow temperature: 31 C in the low byte
}
QEMU_TEMPERATURE_C = 31
QEMU_POWER_ON_HOURS = 1

# The gate's exit status for a drive state and a job class when nothing else (cooldown,
# temperature) holds it: DESIGN.md's table. QEMU's disk can only ever be "ok".
GATE_STATUS = {("ok", "backup"): 0, ("ok", "maintenance"): 0}


class Checker:
    def __init__(self):
        self.failures = 0

    def check(self, cond, what):
        if cond:
            print(f"ok: {what}")
        else:
            print(f"FAILED: {what}")
            self.failures += 1
        return cond


def parse(path):
    steps, marks, errors = {}, {}, []
    cur = None
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    for line in text.split("\n"):
        m = re.match(r"@@WG-(BEGIN|STDERR|END|UPTIME|ERROR) ?(.*)$", line)
        if not m:
            if cur:
                cur[1].append(line)
            continue
        kind, rest = m.groups()
        if kind == "BEGIN":
            cur = (rest, [])
            steps[rest] = {"out": cur[1], "err": None, "status": None}
        elif kind == "STDERR" and cur:
            cur = (cur[0], [])
            steps[cur[0]]["err"] = cur[1]
        elif kind == "END" and cur:
            name, _, status = rest.rpartition(" ")
            steps[name]["status"] = int(status)
            cur = None
        elif kind == "UPTIME":
            what, _, secs = rest.partition(" ")
            marks[what] = float(secs)
        elif kind == "ERROR":
            errors.append(rest)
    for s in steps.values():
        s["out"] = "\n".join(s["out"]).strip()
        s["err"] = "\n".join(s["err"] or []).strip()
    return steps, marks, errors


def step_json(c, steps, name):
    s = steps.get(name)
    if not c.check(s is not None and s["status"] is not None, f"step '{name}' ran to its end"):
        return None, None
    try:
        return s, json.loads(s["out"])
    except ValueError as e:
        c.check(False, f"step '{name}' printed JSON ({e}): {s['out'][:300]!r} / {s['err'][:300]!r}")
        return s, None


# The first I/O or ATA error line of the kernel about sda, as dmesg prints it: "[  12.345678] …".
KERNEL_ERROR = re.compile(r"^\[\s*(\d+\.\d+)\] (I/O error, dev sda,|Buffer I/O error on dev sda|ata\d+\.\d+: failed command:)")
# A maintenance job must be stopped within this of the kernel's first error line on its drive.
STOP_WITHIN_S = 2.0


def check_kmsg(c, steps):
    """The kmsg guest: reads QEMU fails (blkdebug) stop a maintenance job at once, and nothing else."""
    s = steps.get("sample", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0 and s["out"].startswith("sda: read:"),
            f"the disk behind blkdebug is sampled as usual: {s['status']}, {s['out']!r} {s['err']!r}")

    s = steps.get("kmsg-clean", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0 and "purge: success" in s["err"] and "stopping it" not in s["err"],
            f"a maintenance job that reads where no error is is not disturbed: {s['status']}, {s['err']!r}")

    s = steps.get("kmsg-purge", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 143, f"the maintenance job that reads the failing sectors is stopped (143): {s['status']}")
    m = re.search(r"purge: stopping it: kernel: sda: (.*)", s["err"])
    c.check(m is not None and "purge: stopped: kernel: sda: " in s["err"],
            f"the runner says it stops the job for the kernel's line on sda: {s['err']!r}")

    dmesg = steps.get("dmesg", {"out": ""})["out"].splitlines()
    first = next((float(x.group(1)) for x in map(KERNEL_ERROR.match, dmesg) if x), None)
    terms = dict(l.split() for l in steps.get("kmsg-term", {"out": ""})["out"].splitlines() if len(l.split()) == 2)
    if c.check(first is not None, "the kernel logged an I/O error on sda") and \
            c.check("purge.term" in terms, f"the purge job noted its SIGTERM: {terms}"):
        t = float(terms["purge.term"])
        c.check(0 <= t - first <= STOP_WITHIN_S,
                f"the purge was stopped {t - first:.2f}s after the kernel's first error line "
                f"(at {first:.3f}s, SIGTERM at {t:.3f}s; at most {STOP_WITHIN_S}s)")

    s = steps.get("kmsg-backup", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0 and "a backup goes on" in s["err"] and "backup.term" not in terms,
            f"the backup that reads the same sectors goes on to its end: {s['status']}, {s['err']!r}")

    s, j = step_json(c, steps, "jobs")
    if j is not None:
        runs = {r.get("job") + ":" + r.get("outcome", ""): r for r in j.get("runs", [])}
        purge = runs.get("purge:stopped", {})
        c.check((purge.get("reason") or "").startswith("kernel: sda: "),
                f"history records the purge as stopped for the kernel's line: {purge.get('reason')!r}")
        backup = runs.get("backup:success", {})
        c.check("kernel: " in (backup.get("reason") or "") and "I/O error line" in (backup.get("reason") or ""),
                f"history records the backup as a success, with the kernel's lines: {backup.get('reason')!r}")
        c.check("purge:success" in runs, "history records the undisturbed purge as a success")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--machine", required=True, choices=["ahci", "ide", "kmsg"])
    ap.add_argument("--model", required=True)
    ap.add_argument("--serial", required=True)
    ap.add_argument("--firmware", required=True)
    ap.add_argument("console")
    a = ap.parse_args()
    c = Checker()
    steps, marks, errors = parse(a.console)

    for e in errors:
        c.check(False, f"guest: {e}")
    if "init" in marks and "done" in marks:
        print(f"guest: kernel to /init {marks['init']:.1f}s, disk ready at {marks.get('disk', 0):.1f}s, "
              f"weargate steps done at {marks['done']:.1f}s (guest clock)")
    if a.machine == "kmsg":
        check_kmsg(c, steps)
        if c.failures:
            print(f"{c.failures} check(s) failed")
            return 1
        return 0
    for name in ("mount", "sysfs"):
        s = steps.get(name)
        c.check(s is not None and s["status"] == 0, f"guest setup step '{name}' succeeded"
                + ("" if s is None else ": " + " ".join((s["out"] + " " + s["err"]).split())))
    sysfs = dict(l.split("=", 1) for l in steps.get("sysfs", {"out": ""})["out"].splitlines() if "=" in l)
    want_driver = {"ahci": "ahci", "ide": "ata_piix"}[a.machine]
    c.check(sysfs.get("pci_driver") == want_driver, f"the disk's controller is driven by {want_driver} "
            f"(guest says {sysfs.get('pci_driver')})")

    # sample: one line per drive; -v names the access mode that worked.
    s = steps.get("sample", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0, f"weargate sample exited 0 (got {s['status']}; stderr {s['err']!r})")
    line = s["out"]
    c.check(line.startswith(f"sda: read: {a.model} (serial {a.serial})"),
            f"sample names the disk QEMU was given: {line!r}")
    c.check(f", {QEMU_TEMPERATURE_C} C," in line and "reallocated 0" in line and "self-assessment passed" in line,
            "sample reports QEMU's 31 C, no reallocated sectors, self-assessment passed")
    access = re.search(r"read through ([a-z0-9-]+)\)", line)
    access = access.group(1) if access else None
    if a.machine == "ahci":
        # libatasmart's own choice (SAT over SG_IO) fails on QEMU's AHCI disk: the fallback must
        # have moved on to linux-ide.
        c.check(access == "linux-ide", f"on AHCI the access fallback reached linux-ide (read through {access})")
    else:
        c.check(access in ("auto", "linux-ide"), f"on IDE the disk was read through {access}")

    # status --json: the identity and every attribute as QEMU defines them.
    s, j = step_json(c, steps, "status")
    if j is not None:
        c.check(s["status"] == 0, f"status --json exited 0 (got {s['status']})")
        d = (j.get("drives") or [{}])[0]
        c.check(d.get("name") == "sda", "status lists drive sda")
        for key, want in (("model", a.model), ("serial", a.serial), ("firmware", a.firmware)):
            c.check(d.get(key) == want, f"status {key} {d.get(key)!r} is QEMU's {want!r}")
        c.check(d.get("reading") == "ok", f"the reading is ok ({d.get('reading')}: {d.get('reading_reason')})")
        c.check(d.get("state") == "ok", f"the drive is ok ({d.get('state')}: {d.get('state_reason')})")
        c.check(d.get("smart_ok") is True, "the self-assessment is GOOD, as QEMU always answers")
        c.check(d.get("temperature_c") == QEMU_TEMPERATURE_C, f"temperature {d.get('temperature_c')} C is QEMU's 31")
        c.check(d.get("power_on_hours") == QEMU_POWER_ON_HOURS,
                f"power-on hours {d.get('power_on_hours')} is QEMU's 1")
        c.check(d.get("reallocated_sectors") == 0, f"reallocated sectors {d.get('reallocated_sectors')} is QEMU's 0")
        # QEMU has no attribute 197 or 198: unknown, never 0.
        c.check(d.get("pending_sectors") is None and d.get("offline_uncorrectable") is None,
                "pending and offline uncorrectable are unknown (null): QEMU has no 197 or 198")
        got = {x["id"]: (x["prefailure"], x["value"], x["worst"], x["raw"], x["threshold"])
               for x in d.get("attributes") or []}
        c.check(sorted(got) == sorted(QEMU_SMART), f"the attributes are QEMU's {sorted(QEMU_SMART)}: {sorted(got)}")
        for aid, want in QEMU_SMART.items():
            if aid in got:
                c.check(got[aid] == want, f"attribute {aid} (prefailure, value, worst, raw, threshold) "
                        f"{got[aid]} is QEMU's {want}")

    # gate: the exit status the health model gives an ok drive, for a job named by drive and one
    # found through a mounted path.
    for job, cls in (("backup", "backup"), ("purge", "maintenance")):
        s, j = step_json(c, steps, f"gate-{job}")
        if j is None:
            continue
        want = GATE_STATUS[("ok", cls)]
        c.check(s["status"] == want and j.get("exit_status") == want and j.get("verdict") == "go",
                f"gate {job} ({cls}, drive ok) exited {s['status']}, verdict {j.get('verdict')}: "
                f"expected {want} go; stderr {s['err']!r}")
        c.check(j.get("sampled") is False, f"gate {job} answered from the recorded sample, without reading the drive")
        names = [x.get("name") for x in j.get("drives") or []]
        c.check(names == ["sda"], f"gate {job} touches sda{' through /data' if job == 'purge' else ''}: {names}")
    s = steps.get("gate-hot", {"status": None, "err": ""})
    c.check(s["status"] == 75 and f"at {QEMU_TEMPERATURE_C} C" in s["err"],
            f"over max_temperature 30 the gate defers (75) on QEMU's 31 C: exited {s['status']}, {s['err']!r}")

    s, j = step_json(c, steps, "gate-unpriv")
    if j is not None:
        c.check(s["status"] == 0 and j.get("verdict") == "go" and j.get("sampled") is False,
                f"an unprivileged user's gate answers go from the history: {s['status']}, {s['err']!r}")
    s = steps.get("sample-unpriv", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 69 and "cannot open '/dev/sda': Permission denied" in s["out"] + s["err"],
            f"an unprivileged sample fails on the device node, 69: {s['status']}, {s['out']!r} {s['err']!r}")
    s = steps.get("sample-linux-ide", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0 and "read through linux-ide" in s["out"] and a.serial in s["out"],
            f"access = linux-ide reads the disk: {s['status']}, {s['out']!r} {s['err']!r}")
    s = steps.get("sample-sat16", {"status": None, "out": "", "err": ""})
    if a.machine == "ahci":
        # The premise of the fallback: SAT alone does not reach QEMU's AHCI disk. QEMU (7.2)
        # fills the PIO Setup FIS's E_Status with the status it had before the transfer (DRQ
        # set); libahci takes that as the command's ending status, so libata answers an ATA
        # PASS-THROUGH with CK_COND with ABORTED COMMAND in fixed-format sense, which libatasmart
        # rejects (it wants descriptor sense carrying the ATA registers).
        c.check(s["status"] == 69 and "sda: unsupported: no SMART" in s["out"] + s["err"],
                f"on AHCI access = sat16 alone cannot read the disk (unsupported, 69): {s['status']}, "
                f"{s['out']!r} {s['err']!r}")
    else:
        # ... while on PIIX the same SAT path works: the failure belongs to the AHCI emulation.
        c.check(s["status"] == 0 and "read through sat16" in s["out"],
                f"on IDE access = sat16 reads the disk: {s['status']}, {s['out']!r} {s['err']!r}")

    # exec: the job's sectors written come from the real /sys/block/sda/stat.
    s = steps.get("exec-write", {"status": None, "err": ""})
    c.check(s["status"] == 0, f"weargate exec purge -- dd exited 0 (got {s['status']}; {s['err']!r})")
    s, j = step_json(c, steps, "jobs")
    if j is not None:
        runs = j if isinstance(j, list) else j.get("runs", [])
        run = runs[-1] if runs else {}
        drives = {x.get("name"): x for x in run.get("drives") or []}
        w = (drives.get("sda") or {}).get("sectors_written")
        c.check(run.get("job") == "purge" and run.get("outcome") == "success",
                f"history --jobs records the purge as a success: {run.get('job')} {run.get('outcome')}")
        c.check(isinstance(w, int) and w >= 8192,
                f"the purge wrote at least the 4 MiB dd wrote to sda (8192 sectors): {w}")

    # a short SMART self-test through the kernel's ioctl path: QEMU (hw/ide/core.c) completes
    # SMART EXECUTE OFFLINE IMMEDIATE subcommand 1 at once, logs it "OK and finished", and its
    # data page's status byte (363) says 0x00 from then on: recorded as passed at the first look.
    # Its page offers short and long tests (byte 367 = 0x19) but no conveyance test.
    s = steps.get("selftest", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 0 and "selftest: success: sda: short self-test passed" in s["out"],
            f"run selftest: the short test is recorded as passed: {s['status']}, {s['out']!r} {s['err']!r}")
    s = steps.get("selftest-conveyance", {"status": None, "out": "", "err": ""})
    c.check(s["status"] == 1 and "the drive offers no conveyance self-test" in s["out"],
            f"run selftest-conveyance: QEMU's disk offers none, not started: {s['status']}, {s['out']!r} {s['err']!r}")
    s, j = step_json(c, steps, "selftest-jobs")
    if j is not None:
        runs = [r for r in (j if isinstance(j, list) else j.get("runs", [])) if r.get("class") == "selftest"]
        got = [(r.get("job"), r.get("outcome"), r.get("self_tests")) for r in runs]
        want = [("selftest", "success",
                 [{"drive": "sda", "test": "short", "result": "passed", "detail": "completed without error", "status": 0}]),
                ("selftest-conveyance", "failed",
                 [{"drive": "sda", "test": "conveyance", "result": "not started",
                   "detail": "the drive offers no conveyance self-test (its SMART data page says so)", "status": None}])]
        c.check(got == want, f"history --jobs records both self-tests: {got}")
    s, j = step_json(c, steps, "selftest-status")
    if j is not None:
        t = ((j.get("drives") or [{}])[0]).get("last_self_test") or {}
        c.check(t.get("test") == "conveyance" and t.get("result") == "not started",
                f"status shows the newest self-test, the conveyance one not started: {t}")
        d = (j.get("drives") or [{}])[0]
        c.check(d.get("state") == "ok", f"the drive stays ok after its tests ({d.get('state')}: {d.get('state_reason')})")

    # standby: the kernel runtime-suspended the idle disk; a routine sample must not wake it.
    s = steps.get("autosuspend", {"status": None, "out": "", "err": ""})
    if c.check(s["status"] == 0 and s["out"] == "suspended",
               f"the guest kernel runtime-suspended the idle disk: {s['out']!r} {s['err']!r}"):
        s = steps.get("sample-standby", {"status": None, "out": "", "err": ""})
        c.check(s["status"] == 0 and s["out"].startswith("sda: skipped: standby: runtime suspended"),
                f"a sample of the suspended disk says standby and exits 0: {s['status']}, {s['out']!r} {s['err']!r}")
        s = steps.get("after-standby", {"out": ""})
        c.check(s["out"] == "suspended", f"the sample did not wake the disk: runtime_status {s['out']!r}")
        s = steps.get("sample-wake", {"status": None, "out": "", "err": ""})
        c.check(s["status"] == 0 and s["out"].startswith(f"sda: read: {a.model} (serial {a.serial})"),
                f"sample --wake reads the suspended disk: {s['status']}, {s['out']!r} {s['err']!r}")

    if c.failures:
        print(f"{c.failures} check(s) failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
