#!/bin/sh
# examples.sh — every weargate.conf example of contrib/ and of the man pages passes check-config.
#
# An example is a commented block of contrib (lines "#<TAB>…" that start with a section or a
# top-level key) or a literal display of a man page that holds a configuration (no shell
# prompt in it). Each is checked as it stands, on a drive of its own: its device drives become
# blobs and its paths that drive, since this machine has neither those disks nor those
# directories. The programs its jobs run must exist: a backup tool not installed here
# (borgmatic, rsnapshot, restic: CI installs them) skips that example, and says so.
. "$(dirname "$0")/lib.sh"
: "${WEARGATE:?}" "${WG_BLOB:?}" "${SOURCE_ROOT:?}"
W=$WEARGATE

"$WG_BLOB" create "$T/sda.blob" "$SOURCE_ROOT/data/demo-sda.desc" || fail "wg-blob create"
mkdir "$T/ex"
python3 - "$SOURCE_ROOT" "$T/ex" "$T/sda.blob" <<'PY' || fail "cannot extract the examples"
import glob, os, re, shutil, sys
root, out, blob = sys.argv[1:4]
examples = []
start = re.compile(r'^(job|drive|policy|retention)\s+("|\{)|^(database|stop_grace|watch_interval|run_until|notify|sample_max_age|export)\s*=')
for path in sorted(glob.glob(os.path.join(root, "contrib", "**", "*"), recursive=True)):
    if not os.path.isfile(path) or path.endswith((".c", ".md")):
        continue
    block = []
    for line in open(path, errors="replace").read().split("\n") + [""]:
        if line.startswith("#\t"):
            block.append(line[2:])
            continue
        if block and start.match(block[0]):
            examples.append((os.path.relpath(path, root), "\n".join(block)))
        block = []
for page in ("weargate.8", "weargate.conf.5"):
    text = open(os.path.join(root, "man", page)).read()
    for m in re.finditer(r'^\.Bd -literal[^\n]*\n(.*?)^\.Ed', text, re.S | re.M):
        body = m.group(1).replace("\\e", "\\").replace("\\-", "-").replace("\\&", "")
        lines = body.split("\n")
        if not lines or not start.match(lines[0]) or any(l.startswith(("# ", "$ ")) for l in lines):
            continue
        examples.append(("man/" + page, body))
for i, (where, body) in enumerate(examples):
    # libconfuse's // comments are fine; the drives are made blobs, the paths that drive
    # a blob of its own for each: one file under two drives is refused as one disk configured twice
    def own_blob(m, n=[0]):
        n[0] += 1
        path = os.path.join(out, "%02d-%d.blob" % (i, n[0]))
        shutil.copyfile(blob, path)
        return 'blob = "%s"' % path
    body = re.sub(r'device\s*=\s*"[^"]*"', own_blob, body)
    body = re.sub(r'(?m)^(\s*)paths\s*=\s*\{[^}]*\}', r'\1drives = {"__ex"}', body)
    body = re.sub(r'(?m)^database\s*=.*$', '', body)
    conf = 'database = "%s/h%d.db"\ndrive "__ex" { blob = "%s" }\n%s\n' % (out, i, blob, body)
    with open(os.path.join(out, "%02d.conf" % i), "w") as f:
        f.write(conf)
    with open(os.path.join(out, "%02d.where" % i), "w") as f:
        f.write(where)
print(len(examples))
PY
n=$(ls "$T/ex"/*.conf | wc -l)
[ "$n" -ge 8 ] || fail "only $n examples found: the extraction misses them"
checked=0
for conf in "$T"/ex/*.conf; do
	chmod 0644 "$conf"
	where=$(cat "${conf%.conf}.where")
	if "$W" -c "$conf" check-config >"$T/out" 2>"$T/err"; then
		checked=$((checked + 1))
		continue
	fi
	missing=$(sed -n "s|.*'\\(/usr/bin/\\(borgmatic\\|rsnapshot\\|restic\\|resticprofile\\)\\)' does not exist.*|\\1|p" "$T/err")
	if [ -n "$missing" ]; then
		echo "examples: SKIP an example of $where: $missing is not installed here"
		continue
	fi
	cat "$conf" >&2
	fail "an example of $where does not pass check-config: $(cat "$T/err")"
done
echo "examples: $checked of $n pass check-config"
exit 0
