#!/usr/bin/env python3
"""gen-config.py KIND FILE: write a configuration at weargate's limits (faults-config, bench-config).

max:  1000 drives and 1000 jobs (the most there may be), padded with comments to just under 1 MiB
many: 1 MiB of the smallest drive sections, far past the 1000 there may be
"""
import sys

LIMIT = 1048576


def write_max(f):
    size = 0

    def put(s):
        nonlocal size
        f.write(s)
        size += len(s)

    put('database = "h.db"\n')
    for i in range(1000):
        put('drive "d%d" { blob = "b%d.blob" }\n' % (i, i))
    for i in range(1000):
        put('job "j%d" {\n\tclass = backup\n\tcommand = {"/bin/true", "%d"}\n\tdrives = {"d%d", "d%d"}\n\ttimeout = 1h\n}\n'
            % (i, i, i, (i * 7) % 1000))
    line = "# " + "padding " * 9 + "\n"
    while size + len(line) <= LIMIT:
        put(line)


def write_many(f):
    size, i = 0, 0
    while True:
        line = 'drive "d%d"{blob="b"}\n' % i
        if size + len(line) > LIMIT:
            break
        f.write(line)
        size += len(line)
        i += 1


kind, path = sys.argv[1:]
with open(path, "w") as out:
    {"max": write_max, "many": write_many}[kind](out)
