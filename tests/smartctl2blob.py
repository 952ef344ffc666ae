#!/usr/bin/env python3
# smartctl2blob.py — rebuild SMART blobs from `smartctl -x` text and `smartctl --json` reports
"""Rebuild a drive's SMART pages from what smartctl printed of them.

Written from the ATA specification (IDENTIFY DEVICE, SMART READ DATA, SMART READ THRESHOLDS)
and from smartctl's printed output, not from smartmontools' code. The blob format is
libatasmart's: records of a 4-byte tag, a 4-byte big-endian length and the payload; IDFY 512,
SMST 4 (big-endian 1 = good), SMDT 512, SMTH 512.

A `--json` report gives each attribute's raw value as a number: its bytes are exact. A text
report prints the raw value decoded under the format smartctl's drive database chose; the
printed form alone ("11112 (39 0)", "37 (Min/Max 18/45)", "16671h+22m+05.274s", …) says how to
lay the bytes out so that the same format reads the same number again. Where the form cannot
tell (a plain number wider than 48 bits, "a/b", "NNh+MMm" under a name that does not say its
unit), the attribute is marked ambiguous and its bytes are only a guess.

Usage:
  smartctl2blob.py REPORT OUT.blob              one report to one blob
  smartctl2blob.py --tree DIR OUTDIR            every report under DIR: OUTDIR/NNNN.blob and
                                                OUTDIR/manifest.tsv (format below)

manifest.tsv, tab-separated, one R line per report followed by its A lines:
  R  blob  report  model  firmware  family  passed(1/0/-1)  endurance_used(-1)  rotation(-1)  kind(text/json)
  A  id  name  flags  value  worst  thresh(-1)  when_failed(-)  first_number  rebuild  raw_string
where first_number is the first number smartctl printed of the raw value (hexadecimal numbers
in decimal), rebuild is exact, ambiguous, none (no number to compare) or inconsistent (a --json
report whose raw value and string disagree: an edited fixture, not a reading).
"""

import json
import os
import re
import sys

PAGE = 512


def be32(v):
    return v.to_bytes(4, 'big')


def checksum_fix(page):
    page[PAGE - 1] = (-sum(page[:PAGE - 1])) & 0xff


def put_word(page, w, v):
    page[2 * w] = v & 0xff
    page[2 * w + 1] = (v >> 8) & 0xff


def put_string(page, word, nwords, s):
    # ATA strings: two characters per word, the first in the high byte, space padded
    b = s.encode('latin-1', 'replace')[:2 * nwords].ljust(2 * nwords, b' ')
    for i in range(0, 2 * nwords, 2):
        page[2 * (word + i // 2)] = b[i + 1]
        page[2 * (word + i // 2) + 1] = b[i]


def identify_page(model, serial, firmware, sectors, rotation):
    p = bytearray(PAGE)
    put_string(p, 10, 10, serial)
    put_string(p, 23, 4, firmware)
    put_string(p, 27, 20, model)
    put_word(p, 49, 0x0200)                      # LBA supported
    lba28 = min(sectors, 0x0FFFFFFF)
    put_word(p, 60, lba28 & 0xffff)
    put_word(p, 61, lba28 >> 16)
    put_word(p, 82, 0x0001)                      # SMART supported
    put_word(p, 83, 0x4000 | 0x0400)             # words 82-84 valid, 48-bit LBA
    put_word(p, 85, 0x0001)                      # SMART enabled
    put_word(p, 86, 0x0400)
    for i in range(4):
        put_word(p, 100 + i, (sectors >> (16 * i)) & 0xffff)
    if rotation is not None and rotation >= 0:
        put_word(p, 217, rotation)               # 1: non-rotating; else rpm
    p[510] = 0xA5                                # signature, then the checksum
    checksum_fix(p)
    return p


def flags_from_text(s):
    # smartctl's brief flags "PO--CK": prefailure, online, performance, error rate, event count, self-preserving
    if s.startswith('0x'):
        return int(s, 16)
    v = 0
    for bit, c in enumerate('POSRCK'):
        if bit < len(s) and s[bit] == c:
            v |= 1 << bit
    return v


NUM = r'(-?\d+)'


def bytes_from_printed(name, s):
    """(raw[0..5], reserved, rebuild) such that the format smartctl printed s under reads s again."""
    def le(v, n):
        return [(v >> (8 * i)) & 0xff for i in range(n)]

    m = re.fullmatch(r'\d+', s)
    if m:
        v = int(s)
        if v < 1 << 48:
            return le(v, 6), 0, 'exact'
        # wider than 48 bits: the reserved byte above (raw56), or normalized bytes below (raw64)
        return le(v & ((1 << 48) - 1), 6), (v >> 48) & 0xff, 'ambiguous'
    m = re.fullmatch(r'0x([0-9a-f]+)', s)
    if m:
        v, digits = int(m.group(1), 16), len(m.group(1))
        if digits <= 12:
            return le(v, 6), 0, 'exact'
        if digits == 14:                         # hex56: the reserved byte, then bytes 5..0
            return le(v & ((1 << 48) - 1), 6), v >> 48, 'exact'
        return le(v >> 16, 6), 0, 'ambiguous'    # hex64: the normalized bytes at the bottom
    m = re.fullmatch(r'(\d+) \((\d+) (\d+)\)', s)
    if m:                                        # raw16(raw16): word 0 (word 2 word 1)
        w0, w2, w1 = (int(x) for x in m.groups())
        return le(w0 | w1 << 16 | w2 << 32, 6), 0, 'exact'
    m = re.fullmatch(r'(\d+) \(Average (\d+)\)', s)
    if m:                                        # raw16(avg16): word 0 (Average word 1)
        w0, w1 = (int(x) for x in m.groups())
        return le(w0 | w1 << 16, 6), 0, 'exact'
    m = re.fullmatch(r'(\d+) \((\d+) (\d+) (\d+)\)', s)
    if m:                                        # raw24(raw8): bytes 0-2 (byte 5 byte 4 byte 3)
        v, b5, b4, b3 = (int(x) for x in m.groups())
        return le(v | b3 << 24 | b4 << 32 | b5 << 40, 6), 0, 'exact'
    m = re.fullmatch(NUM + r' \(Min/Max ' + NUM + '/' + NUM + r'( #(\d+))?\)', s)
    if m:                                        # tempminmax: current in byte 0, min and max in bytes 2 and 3
        t, lo, hi = (int(x) & 0xff for x in m.groups()[:3])
        over = int(m.group(5)) if m.group(5) else 0
        b1 = 0xff if int(m.group(1)) < 0 else 0
        return [t, b1, lo, hi, over & 0xff, over >> 8], 0, 'exact'
    m = re.fullmatch(NUM + r' \(' + ' '.join([NUM] * 5) + r'\)', s)
    if m:                                        # tempminmax, no min/max found: byte 0 (bytes 5 4 3 2 1)
        b0, b5, b4, b3, b2, b1 = (int(x) & 0xff for x in m.groups())
        return [b0, b1, b2, b3, b4, b5], 0, 'exact'
    m = re.fullmatch(r'(\d+)h\+(\d+)m\+(\d+)\.(\d+)s', s)
    if m:                                        # msec24hour32: hours in bytes 0-3, milliseconds above
        h, mi, sec, ms = (int(x) for x in m.groups())
        msec = (mi * 60 + sec) * 1000 + ms
        return le(h | (msec & 0xffff) << 32, 6), msec >> 16, 'exact'
    m = re.fullmatch(r'(\d+)h\+(\d+)m\+(\d+)s', s)
    if m:                                        # sec2hour
        h, mi, sec = (int(x) for x in m.groups())
        return le(h * 3600 + mi * 60 + sec, 6), 0, 'exact'
    m = re.fullmatch(r'(\d+)h\+(\d+)m( \((\d+)\))?', s)
    if m:                                        # min2hour or halfmin2hour: the name says which
        h, mi = int(m.group(1)), int(m.group(2))
        extra = int(m.group(4)) if m.group(4) else 0
        if 'Half' in name:
            return le(h * 120 + mi * 2, 6), 0, 'exact' if not m.group(3) else 'ambiguous'
        return le(h * 60 + mi | extra << 32, 6), 0, 'exact' if 'Minute' in name else 'ambiguous'
    m = re.fullmatch(r'(\d+)/(\d+)', s)
    if m:                                        # raw24/raw24 or raw24/raw32
        a, b = int(m.group(1)), int(m.group(2))
        if b >= 1 << 24:                         # raw24/raw32: bytes 0-3, then bytes 4, 5, reserved
            return le(b | (a & 0xffff) << 32, 6), a >> 16, 'exact'
        return le(b | a << 24, 6), 0, 'ambiguous'
    m = re.fullmatch(r'(\d+)\.(\d)', s)
    if m:                                        # temp10x: tenths of a degree in word 0
        return le(int(m.group(1)) * 10 + int(m.group(2)), 6), 0, 'exact'
    m = re.fullmatch(r'(\d+) (\d+) (\d+)', s)
    if m:                                        # raw16: word 2 word 1 word 0
        w2, w1, w0 = (int(x) for x in m.groups())
        return le(w0 | w1 << 16 | w2 << 32, 6), 0, 'exact'
    m = re.fullmatch(r'(\d+) (\d+) (\d+) (\d+) (\d+) (\d+)', s)
    if m:                                        # raw8: bytes 5 .. 0
        return [int(x) & 0xff for x in reversed(m.groups())], 0, 'exact'
    return [0] * 6, 0, 'none'


def first_of_value(name, s, v):
    """The first number the printed form s shows of the raw value v; None where the form does not say."""
    w0, w1 = v & 0xffff, (v >> 16) & 0xffff
    if re.fullmatch(r'\d+', s):
        # plain: the whole value, or raw16(avg16)'s low word when there is no average (word 2 unshown)
        return w0 if w1 == 0 and int(s) == w0 else v
    if re.fullmatch(r'0x[0-9a-f]+', s):
        return v
    if re.fullmatch(r'\d+ \((\d+ \d+|Average \d+)\)', s):
        return w0
    if re.fullmatch(r'\d+ \(\d+ \d+ \d+\)', s):
        return v & 0xffffff
    if re.fullmatch(r'-?\d+ \(Min/Max -?\d+/-?\d+( #\d+)?\)', s):
        return (v & 0xff) - 256 if v & 0x80 else v & 0xff
    if re.fullmatch(r'\d+h\+\d+m\+\d+\.\d+s', s):
        return v & 0xffffffff
    if re.fullmatch(r'\d+h\+\d+m\+\d+s', s):
        return v // 3600
    if re.fullmatch(r'\d+ \d+ \d+', s):
        return (v >> 32) & 0xffff
    return None


def first_number(s):
    m = re.match(r'0x([0-9a-f]+)', s)
    if m:
        return int(m.group(1), 16)
    m = re.match(r'-?\d+', s)
    return int(m.group(0)) if m else None


def rotation_from(s):
    if s is None:
        return -1
    if 'Solid State' in s:
        return 1
    m = re.match(r'(\d+)', s)
    return int(m.group(1)) if m else -1


def parse_text(path):
    rep = {'kind': 'text', 'attrs': [], 'passed': -1, 'endurance_used': -1, 'family': '', 'rotation': -1,
           'model': '', 'serial': '', 'firmware': '', 'bytes': 0}
    lines = open(path, encoding='utf-8', errors='replace').read().split('\n')
    info = {'Device Model': 'model', 'Serial Number': 'serial', 'Firmware Version': 'firmware',
            'Model Family': 'family'}
    in_table = False
    for line in lines:
        m = re.match(r'([A-Za-z ]+):\s+(.*)$', line)
        if m and m.group(1) in info and not in_table:
            rep[info[m.group(1)]] = m.group(2).strip()
        if line.startswith('User Capacity:'):
            rep['bytes'] = int(re.sub(r'[^0-9]', '', line.split('bytes')[0]) or 0)
        if line.startswith('Rotation Rate:'):
            rep['rotation'] = rotation_from(line.split(':', 1)[1].strip())
        if 'self-assessment test result:' in line:
            rep['passed'] = 1 if 'PASSED' in line else 0 if 'FAILED' in line else -1
        if 'Percentage Used Endurance Indicator' in line:
            f = line.split()
            if len(f) > 3 and f[3].isdigit():
                rep['endurance_used'] = int(f[3])
        if line.startswith('ID# ATTRIBUTE_NAME'):
            in_table = True
            continue
        if in_table:
            m = re.match(r'\s*(\d+) (\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s*$', line)
            if not m:
                in_table = False
                continue
            aid, name, flags, value, worst, thresh, fail, raw = m.groups()
            rep['attrs'].append({
                'id': int(aid), 'name': name, 'flags': flags_from_text(flags),
                'value': int(value) if value.isdigit() else -1, 'worst': int(worst) if worst.isdigit() else -1,
                'thresh': int(thresh) if thresh.isdigit() else -1, 'when_failed': fail, 'raw_string': raw,
                'raw_value': None})
    return rep


def parse_json(path):
    d = json.load(open(path))
    rep = {'kind': 'json', 'attrs': [], 'passed': -1, 'endurance_used': -1,
           'family': d.get('model_family', ''), 'model': d.get('model_name', ''),
           'serial': d.get('serial_number', ''), 'firmware': d.get('firmware_version', ''),
           'bytes': (d.get('user_capacity') or {}).get('bytes', 0), 'rotation': -1}
    rr = d.get('rotation_rate')
    if isinstance(rr, int):
        rep['rotation'] = 1 if rr == 0 else rr
    st = d.get('smart_status') or {}
    if 'passed' in st:
        rep['passed'] = 1 if st['passed'] else 0
    for page in ((d.get('ata_device_statistics') or {}).get('pages') or []):
        for t in page.get('table') or []:
            if t.get('name') == 'Percentage Used Endurance Indicator' and isinstance(t.get('value'), int):
                rep['endurance_used'] = t['value']
    for a in (d.get('ata_smart_attributes') or {}).get('table') or []:
        rep['attrs'].append({
            'id': a['id'], 'name': a.get('name', ''), 'flags': (a.get('flags') or {}).get('value', 0),
            'value': a.get('value', -1), 'worst': a.get('worst', -1),
            'thresh': a['thresh'] if isinstance(a.get('thresh'), int) else -1,
            'when_failed': a.get('when_failed') or '-', 'raw_string': (a.get('raw') or {}).get('string', ''),
            'raw_value': (a.get('raw') or {}).get('value')})
    return rep


def parse(path):
    with open(path, 'rb') as f:
        head = f.read(64).lstrip()
    return parse_json(path) if head.startswith(b'{') else parse_text(path)


def build_blob(rep):
    """The blob's bytes; fills each attribute's 'rebuild'."""
    data, thresh = bytearray(PAGE), bytearray(PAGE)
    data[0] = thresh[0] = 0x10                   # data structure revision
    for slot, a in enumerate(rep['attrs'][:30]):
        if a['raw_value'] is not None:
            v = a['raw_value']
            raw, reserved = [(v >> (8 * i)) & 0xff for i in range(6)], (v >> 48) & 0xff
            a['rebuild'] = 'exact' if v < 1 << 56 else 'ambiguous'
            # the number and the string must be the same value: an edited fixture is not a reading
            want = first_of_value(a['name'], a['raw_string'], v)
            if want is not None and want != first_number(a['raw_string']):
                a['rebuild'] = 'inconsistent'
        else:
            raw, reserved, a['rebuild'] = bytes_from_printed(a['name'], a['raw_string'])
        if first_number(a['raw_string']) is None:
            a['rebuild'] = 'none'
        off = 2 + 12 * slot
        data[off] = a['id']
        data[off + 1] = a['flags'] & 0xff
        data[off + 2] = (a['flags'] >> 8) & 0xff
        data[off + 3] = max(a['value'], 0) & 0xff
        data[off + 4] = max(a['worst'], 0) & 0xff
        data[off + 5:off + 11] = bytes(raw)
        data[off + 11] = reserved
        if a['thresh'] >= 0:                     # "---": no threshold entry for this id
            thresh[off] = a['id']
            thresh[off + 1] = a['thresh'] & 0xff
    checksum_fix(data)
    checksum_fix(thresh)
    sectors = rep['bytes'] // 512
    out = bytearray()
    out += b'IDFY' + be32(PAGE) + identify_page(rep['model'], rep['serial'] or 'unknown', rep['firmware'],
                                                sectors, rep['rotation'])
    if rep['passed'] >= 0:
        out += b'SMST' + be32(4) + be32(rep['passed'])
    out += b'SMDT' + be32(PAGE) + data
    out += b'SMTH' + be32(PAGE) + thresh
    return bytes(out)


def clean(s):
    return str(s).replace('\t', ' ').replace('\n', ' ')


def manifest_lines(rep, blob_path, report_path):
    yield '\t'.join(['R', blob_path, report_path, clean(rep['model']), clean(rep['firmware']), clean(rep['family']),
                     str(rep['passed']), str(rep['endurance_used']), str(rep['rotation']), rep['kind']])
    for a in rep['attrs'][:30]:
        n = first_number(a['raw_string'])
        yield '\t'.join(['A', str(a['id']), clean(a['name']), str(a['flags']), str(a['value']), str(a['worst']),
                         str(a['thresh']), clean(a['when_failed'] or '-'), '' if n is None else str(n), a['rebuild'],
                         clean(a['raw_string'])])


def is_report(path):
    try:
        with open(path, 'rb') as f:
            head = f.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b'{') and b'ata_smart_attributes' in head or b'smartctl' in head[:200]


def tree(src, outdir):
    os.makedirs(outdir, exist_ok=True)
    paths = []
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            if (f.endswith('.json') or '.' not in f) and is_report(p):
                paths.append(p)
    with open(os.path.join(outdir, 'manifest.tsv'), 'w') as m:
        for i, p in enumerate(paths):
            rep = parse(p)
            if not rep['model'] or not rep['attrs']:
                continue                         # nothing an ATA reading could hold
            blob = os.path.join(outdir, '%04d.blob' % i)
            with open(blob, 'wb') as f:
                f.write(build_blob(rep))
            for line in manifest_lines(rep, blob, os.path.relpath(p, src)):
                m.write(line + '\n')
    return len(paths)


def main(argv):
    if len(argv) == 4 and argv[1] == '--tree':
        n = tree(argv[2], argv[3])
        print('%d reports converted into %s' % (n, argv[3]))
        return 0
    if len(argv) == 3:
        rep = parse(argv[1])
        with open(argv[2], 'wb') as f:
            f.write(build_blob(rep))
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == '__main__':
    sys.exit(main(sys.argv))
