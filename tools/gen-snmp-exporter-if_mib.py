#!/usr/bin/python3
"""Write the snmp_exporter module file the side-by-side prom test uses.

tests/integration/prom-snmp-exporter.sh runs Debian's
prometheus-snmp-exporter (0.21, whose config puts version and community
in the module) against the same agent as "snmpfleet --profile if_mib
-F prom" and compares the two.  Debian ships no snmp.yml (only a note on
running the generator), so this script writes an if_mib module the way
snmp_exporter's generator shapes that module: sysUpTime got, the
interfaces group and ifXTable walked, ifAlias/ifDescr/ifName as lookup
labels on every per-interface metric (and not metrics of their own),
ifType as an info metric, counters as counters, other numbers as gauges,
ifPhysAddress as a 48-bit MAC label.  Names, OIDs, syntaxes and enum
labels come from the MIB modules of python3-pysnmp4-mibs, not typed in.

Usage: /usr/bin/python3 tools/gen-snmp-exporter-if_mib.py > tests/data/snmp_exporter-if_mib.yml
"""
import sys

from pysnmp.smi import builder

# Walked: the interfaces group (ifNumber, ifTable), ifXTable; got: sysUpTime.
WALK = ["1.3.6.1.2.1.2", "1.3.6.1.2.1.31.1.1"]
GET = ["1.3.6.1.2.1.1.3.0"]
LOOKUPS = ["ifAlias", "ifDescr", "ifName"]  # labels, not metrics
INFO = {"ifType"}                           # enum as an info metric
SKIP = set(LOOKUPS)


def oid_text(o):
    return ".".join(str(x) for x in o)


def exporter_type(syntax):
    """snmp_exporter's metric type for a column's syntax."""
    mro = [k.__name__ for k in type(syntax).__mro__]
    if "Counter32" in mro or "Counter64" in mro:
        return "counter"
    if "PhysAddress" in mro or "MacAddress" in mro:
        return "PhysAddress48"
    if "DisplayString" in mro:
        return "DisplayString"
    if "OctetString" in mro or "ObjectIdentifier" in mro:
        return "OctetString"
    return "gauge"


def main():
    b = builder.MibBuilder()
    b.loadModules("SNMPv2-MIB", "IF-MIB", "IANAifType-MIB")
    mib = b.mibSymbols["IF-MIB"]
    (uptime,) = b.importSymbols("SNMPv2-MIB", "sysUpTime")
    cols = []
    for name, sym in mib.items():
        if not hasattr(sym, "getSyntax") or not hasattr(sym, "getName"):
            continue
        o = sym.getName()
        under = any(oid_text(o).startswith(w + ".") for w in WALK)
        if not under or sym.getSyntax() is None:
            continue
        if type(sym).__name__ not in ("MibScalar", "MibTableColumn"):
            continue
        cols.append((o, name, sym))
    cols.sort()
    out = sys.stdout
    out.write("# Written by tools/gen-snmp-exporter-if_mib.py: do not edit.\n")
    out.write("if_mib:\n  walk:\n")
    for w in WALK:
        out.write("  - %s\n" % w)
    out.write("  get:\n")
    for g in GET:
        out.write("  - %s\n" % g)
    out.write("  metrics:\n")
    out.write("  - name: sysUpTime\n    oid: %s\n    type: gauge\n"
              "    help: SNMPv2-MIB sysUpTime\n" % oid_text(uptime.getName()))
    lookup_oid = {}
    for o, name, sym in cols:
        if name in SKIP:
            lookup_oid[name] = oid_text(o)
    for o, name, sym in cols:
        if name in SKIP:
            continue
        syntax = sym.getSyntax()
        kind = "EnumAsInfo" if name in INFO else exporter_type(syntax)
        out.write("  - name: %s\n    oid: %s\n    type: %s\n"
                  "    help: IF-MIB %s\n" % (name, oid_text(o), kind, name))
        if type(sym).__name__ != "MibTableColumn":
            continue
        out.write("    indexes:\n    - labelname: ifIndex\n"
                  "      type: gauge\n    lookups:\n")
        for lk in LOOKUPS:
            out.write("    - labels:\n      - ifIndex\n"
                      "      labelname: %s\n      oid: %s\n"
                      "      type: DisplayString\n" % (lk, lookup_oid[lk]))
        nv = getattr(syntax, "namedValues", None)
        if nv is not None and len(nv) > 0:
            out.write("    enum_values:\n")
            for label, num in sorted(nv.items(), key=lambda x: x[1]):
                out.write("      %d: %s\n" % (num, label))
    out.write("  version: 2\n  max_repetitions: 25\n  retries: 1\n"
              "  timeout: 5s\n  auth:\n    community: public\n")


if __name__ == "__main__":
    main()
