#!/usr/bin/env python3
"""Compare two Prometheus text expositions of one device, family by family.

Usage: prom_compare.py EXPECTED GOT [--drop-label NAME]... [--ignore PREFIX]...
       [--close NAME]... [--close-counters]

EXPECTED is snmp_exporter's scrape of a device, GOT snmpfleet's -F prom for
the same device.  Both are parsed (TYPE lines and samples; HELP is ignored:
the wording may differ); families whose names start with an --ignore
prefix (snmp_scrape_, snmpfleet_) are left out, and --drop-label labels
(snmpfleet's target label) are removed from GOT before comparing.  What
must be equal: the set of families, each family's TYPE, each family's
samples as (name, label set) and their values (numerically; --close NAME:
within 1% or 1000, for values that move between two polls such as
sysUpTime; --close-counters: every counter family, for an agent whose
counters move).  Prints one line per difference (at most 40) and exits 1 if
there is any, else prints "same N families, M samples" and exits 0.
"""
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


def parse(path, drop, ignore):
    types, samples = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line or line.startswith("# HELP"):
            continue
        if line.startswith("# TYPE"):
            _, _, name, kind = line.split(None, 3)
            if not any(name.startswith(p) for p in ignore):
                types[name] = kind
            continue
        if line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if m is None:
            raise SystemExit("%s: cannot parse: %r" % (path, line))
        name, labels = m.group(1), {}
        if any(name.startswith(p) for p in ignore):
            continue
        body = m.group(3) or ""
        pos = 0
        while pos < len(body):
            lm = LABEL.match(body, pos)
            if lm is None:
                raise SystemExit("%s: bad labels: %r" % (path, line))
            if lm.group(1) not in drop:
                labels[lm.group(1)] = lm.group(2)
            pos = lm.end()
        key = (name, tuple(sorted(labels.items())))
        if key in samples:
            raise SystemExit("%s: sample twice: %r" % (path, line))
        samples[key] = float(m.group(4))
    return types, samples


def main(argv):
    args, drop, ignore, close = [], set(), [], set()
    counters = False
    i = 0
    while i < len(argv):
        if argv[i] == "--close-counters":
            counters = True
            i += 1
        elif argv[i] in ("--drop-label", "--ignore", "--close"):
            {"--drop-label": drop.add, "--ignore": ignore.append,
             "--close": close.add}[argv[i]](argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    want_t, want = parse(args[0], set(), ignore)
    got_t, got = parse(args[1], drop, ignore)
    diffs = []
    for name in sorted(set(want_t) | set(got_t)):
        if want_t.get(name) != got_t.get(name):
            diffs.append("TYPE %s: want %s, got %s" %
                         (name, want_t.get(name), got_t.get(name)))
    for key in sorted(set(want) | set(got)):
        if key not in got:
            diffs.append("missing %s%s" % (key[0], dict(key[1])))
        elif key not in want:
            diffs.append("extra %s%s" % (key[0], dict(key[1])))
        else:
            a, b = want[key], got[key]
            if key[0] in close or (counters and want_t.get(key[0]) == "counter"):
                same = abs(a - b) <= max(1000.0, abs(a) / 100)
            else:
                same = a == b
            if not same:
                diffs.append("value %s%s: want %r, got %r" %
                             (key[0], dict(key[1]), a, b))
    for d in diffs[:40]:
        print(d)
    if diffs:
        print("%d differences" % len(diffs))
        return 1
    print("same %d families, %d samples" % (len(want_t), len(want)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
