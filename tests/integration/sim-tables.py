#!/usr/bin/env python3
"""sim-tables.py — what snmpfleet-sim(1), TABLES, says a device's tables
hold, computed here from the man page's formulas (not from the C code),
and checks of net-snmp walks (snmpbulkwalk -On) against it.

usage:
  sim-tables.py check WALK ADDR K SIZE ROOT
      the varbinds of WALK under ROOT, in order, must be exactly the
      model's for device ADDR with --interfaces K and --tables SIZE;
      prints "ok N" or the first difference
  sim-tables.py shapes WALK
      the INDEX of every row of the tables with computed indexes has the
      shape of its syntax; prints "ok N" or the first bad one
  sim-tables.py increasing WALK
      prints "ok N" when the OIDs strictly increase
  sim-tables.py model ADDR K SIZE OBJECT
      prints the model's instances of OBJECT (a column's OID), one a line
"""
import ipaddress
import re
import sys

MIB2 = "1.3.6.1.2.1"
LLDP = "1.0.8802.1.1.2.1.4.1.1"


def octets(addr):
    """b, c, d: the last three octets of the address."""
    return tuple(ipaddress.ip_address(addr).packed[-3:])


def shape(k, size):
    """(P ports, N neighbours per port) for --interfaces k, --tables size."""
    if size == "none":
        return 0, 0
    e = k - (k >= 4) - (k >= 6)
    return min(e, 4 if size == "small" else 250), (2 if size == "small" else 20)


def host(n, d):
    return n if d == 0 or n < d else n + 1


def dotted(bs):
    return ".".join(str(x) for x in bs)


def integer(v):
    return ("INTEGER", v)


def octet_string(bs):
    return ("STRING", bytes(bs).hex())


def ipaddr(bs):
    return ("IpAddress", dotted(bs))


def model(addr, k, size):
    """Every (oid, type, value) the man page gives, in any order."""
    b, c, d = octets(addr)
    p, n = shape(k, size)
    out = []

    def add(entry, col, index, value):
        out.append(("%s.%d.%s" % (entry, col, index),) + value)

    ports = range(1, p + 1)
    neigh = [(i, host(m, d)) for i in ports for m in range(1, n + 1)]
    mac = lambda i, h: bytes([2, 0, 0x7f, c, i, h])
    v6n = lambda i, h: bytes([0xfe, 0x80] + [0] * 8 + [0x7f, 0xff, 0xfe, c, i, h])
    # ipAddrTable
    e = MIB2 + ".4.20.1"
    for i in ports:
        a = bytes([127, c, i, d])
        for col, v in ((1, ipaddr(a)), (2, integer(i)),
                       (3, ipaddr([255, 255, 255, 0])), (4, integer(1)),
                       (5, integer(65535))):
            add(e, col, dotted(a), v)
    # ipNetToMediaTable
    e = MIB2 + ".4.22.1"
    for i, h in neigh:
        a = bytes([127, c, i, h])
        for col, v in ((1, integer(i)), (2, octet_string(mac(i, h))),
                       (3, ipaddr(a)), (4, integer(3))):
            add(e, col, "%d.%s" % (i, dotted(a)), v)
    # ipAddressTable
    e = MIB2 + ".4.34.1"
    for i in ports:
        for a, origin in ((bytes([127, c, i, d]), 2),
                          (bytes([0xfd, 0, 0, 0, 0, c, 0, i] + [0] * 7 + [d]), 2),
                          (bytes([0xfe, 0x80] + [0] * 6 + [0, i, 0, b, 0, c, 0, d]), 5)):
            idx = "%d.%d.%s" % (1 if len(a) == 4 else 2, len(a), dotted(a))
            for col, v in ((3, integer(i)), (4, integer(1)), (5, ("OID", ".0.0")),
                           (6, integer(origin)), (7, integer(1)),
                           (8, ("Timeticks", 0)), (9, ("Timeticks", 0)),
                           (10, integer(1)), (11, integer(2))):
                add(e, col, idx, v)
    # ipNetToPhysicalTable
    e = MIB2 + ".4.35.1"
    for i, h in neigh:
        for t, a in ((1, bytes([127, c, i, h])), (2, v6n(i, h))):
            idx = "%d.%d.%d.%s" % (i, t, len(a), dotted(a))
            for col, v in ((4, octet_string(mac(i, h))), (5, ("Timeticks", 0)),
                           (6, integer(3)), (7, integer(t)), (8, integer(1))):
                add(e, col, idx, v)
    # dot1dBasePortTable
    e = MIB2 + ".17.1.4.1"
    for i in ports:
        for col, v in ((1, integer(i)), (2, integer(i)), (3, ("OID", ".0.0")),
                       (4, ("Counter32", 0)), (5, ("Counter32", 0))):
            add(e, col, str(i), v)
    # dot1dTpFdbTable, dot1qTpFdbTable
    for i, h in neigh:
        m = dotted(mac(i, h))
        for col, v in ((1, octet_string(mac(i, h))), (2, integer(i)),
                       (3, integer(3))):
            add(MIB2 + ".17.4.3.1", col, m, v)
        for col, v in ((2, integer(i)), (3, integer(3))):
            add(MIB2 + ".17.7.1.2.2.1", col, "%d.%s" % (10 * i, m), v)
    # lldpRemTable: the first neighbour of each port
    me = str(ipaddress.ip_address(addr))
    for i in ports:
        h = host(1, d)
        idx = "%d.%d.%d" % (100 * i, i, 2 * i)
        for col, v in ((4, integer(4)), (5, octet_string(mac(i, h))),
                       (6, integer(5)), (7, octet_string(b"eth%d" % d)),
                       (8, octet_string(b"link to %s port %d" % (me.encode(), i))),
                       (9, octet_string(b"127.%d.%d.%d" % (c, i, h))),
                       (10, octet_string(b"snmpfleet-sim device")),
                       (11, octet_string(b"\x28")), (12, octet_string(b"\x20"))):
            add(LLDP, col, idx, v)
    if size == "none":
        return out
    # hrMemorySize, hrStorageTable
    mem = 2 ** (21 + (c + d) % 4)
    out.append((MIB2 + ".25.2.2.0",) + integer(mem))
    rows = ((1, 2, b"Physical memory", 1024, mem),
            (3, 3, b"Virtual memory", 1024, mem * 3 // 2),
            (6, 1, b"Memory buffers", 1024, mem),
            (7, 1, b"Cached memory", 1024, mem),
            (31, 4, b"/", 4096, 2 ** (22 + d % 3)),
            (40, 9, b"/flash", 512, 2 ** (21 + c % 3)))
    for s, (idx, typ, descr, units, sz) in enumerate(rows):
        pct = 10 + (c + d + 13 * s) % 80
        for col, v in ((1, integer(idx)), (2, ("OID", ".%s.25.2.1.%d" % (MIB2, typ))),
                       (3, octet_string(descr)), (4, integer(units)),
                       (5, integer(sz)), (6, integer(sz * pct // 100)),
                       (7, ("Counter32", 0))):
            add(MIB2 + ".25.2.3.1", col, str(idx), v)
    # hrSystem scalars that do not move with the clock
    out.append((MIB2 + ".25.1.5.0", "Gauge32", (c + d) % 5))
    out.append((MIB2 + ".25.1.6.0", "Gauge32", 100 + (c + d) % 200))
    out.append((MIB2 + ".25.1.7.0",) + integer(0))
    return out


def parse_walk(path):
    """(oid, type, value) of each varbind of snmpbulkwalk -On output."""
    out = []
    for line in open(path, encoding="latin-1"):
        line = line.rstrip("\n")
        if not line.startswith("."):	# "End of MIB", or a wrapped Hex-STRING
            if out and out[-1][1] == "STRING" and \
                    re.fullmatch(r"([0-9A-F]{2} ?)+", line):
                extra = bytes.fromhex(line.replace(" ", ""))
                out[-1] = (out[-1][0], "STRING", out[-1][2] + extra.hex())
            continue
        oid, _, rest = line.partition(" = ")
        oid = oid[1:]
        if rest.startswith("No more variables"):	# endOfMibView
            continue
        if rest == '""':
            out.append((oid, "STRING", ""))
            continue
        typ, _, val = rest.partition(": ")
        if typ == "STRING":
            val = val[1:-1].encode("latin-1").hex()
        elif typ == "Hex-STRING":
            typ, val = "STRING", bytes.fromhex(val.replace(" ", "")).hex()
        elif typ == "Timeticks":
            val = int(re.match(r"\((\d+)\)", val).group(1))
        elif typ in ("INTEGER", "Counter32", "Gauge32", "Counter64"):
            val = int(val)
        out.append((oid, typ, val))
    return out


def key(oid):
    return tuple(int(x) for x in oid.split("."))


def under(oid, root):
    return oid == root or oid.startswith(root + ".")


def cmd_check(walk, addr, k, size, root):
    got = [v for v in parse_walk(walk) if under(v[0], root)]
    want = sorted((v for v in model(addr, int(k), size) if under(v[0], root)),
                  key=lambda v: key(v[0]))
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g != w:
            return "varbind %d: got %s, want %s" % (i + 1, g, w)
    return "ok %d" % len(got)


# Each computed-INDEX table: its entry, and a pattern its INDEX must match.
BYTE = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
SHAPES = (
    (MIB2 + ".4.20.1", r"%s(\.%s){3}" % (BYTE, BYTE)),
    (MIB2 + ".4.22.1", r"\d+(\.%s){4}" % BYTE),
    (MIB2 + ".4.34.1", r"(1\.4(\.%s){4}|2\.16(\.%s){16})" % (BYTE, BYTE)),
    (MIB2 + ".4.35.1", r"\d+\.(1\.4(\.%s){4}|2\.16(\.%s){16})" % (BYTE, BYTE)),
    (MIB2 + ".17.4.3.1", r"%s(\.%s){5}" % (BYTE, BYTE)),
    (MIB2 + ".17.7.1.2.2.1", r"\d+(\.%s){6}" % BYTE),
    (LLDP, r"\d+\.\d+\.\d+"),
)


# Columns whose value the INDEX holds: (entry, column) -> how many of
# the INDEX's last sub-ids it is.
HOLDS = {
    (MIB2 + ".4.20.1", "1"): 4,		# ipAdEntAddr
    (MIB2 + ".4.22.1", "3"): 4,		# ipNetToMediaNetAddress
    (MIB2 + ".17.4.3.1", "1"): 6,	# dot1dTpFdbAddress
}


def value_octets(typ, val):
    if typ == "IpAddress":
        return bytes(int(x) for x in val.split("."))
    return bytes.fromhex(val)


def cmd_shapes(walk):
    n = 0
    for oid, typ, val in parse_walk(walk):
        for entry, pattern in SHAPES:
            if not oid.startswith(entry + "."):
                continue
            col, index = oid[len(entry) + 1:].split(".", 1)
            if not re.fullmatch(pattern, index):
                return "bad INDEX %s of %s" % (index, oid)
            tail = HOLDS.get((entry, col))
            subs = [int(x) for x in index.split(".")]
            if tail and value_octets(typ, val) != bytes(subs[-tail:]):
                return "%s: the value %s is not in its INDEX" % (oid, val)
            n += 1
    return "ok %d" % n


def cmd_increasing(walk):
    oids = [key(v[0]) for v in parse_walk(walk)]
    for i in range(1, len(oids)):
        if oids[i] <= oids[i - 1]:
            return "not increasing at varbind %d" % (i + 1)
    return "ok %d" % len(oids)


def cmd_model(addr, k, size, obj):
    for v in sorted(model(addr, int(k), size), key=lambda v: key(v[0])):
        if under(v[0], obj):
            print(v[0])
    return None


def main():
    cmds = {"check": cmd_check, "shapes": cmd_shapes,
            "increasing": cmd_increasing, "model": cmd_model}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    r = cmds[sys.argv[1]](*sys.argv[2:])
    if r is not None:
        print(r)


if __name__ == "__main__":
    main()
