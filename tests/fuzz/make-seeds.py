#!/usr/bin/env python3
"""make-seeds.py — write the seed corpora of the fuzz harnesses
(tests/fuzz/corpus/NAME/) from readable sources: inventory lines, config
files, OIDs, and SNMP datagrams encoded with tests/integration/snmpber.py.

The seeds are committed; this script is how they were made, so that a
seed can be changed here and regenerated (then checked: run the harness
on the corpus, `tests/fuzz/build/fuzz-NAME -runs=0 DIR`).  Regression
seeds for bugs the fuzzers found are files of their own (crash-*, named
after the bug) and are never written by this script.

usage: tests/fuzz/make-seeds.py [CORPUS_DIR]   (default: next to this file)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from snmpber import enc_int, enc_oid_body, oid, tlv  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")

# -------------------------------------------------------------- values
def octets(s):
    return tlv(0x04, s.encode() if isinstance(s, str) else s)


def objid(s):
    return tlv(0x06, enc_oid_body(oid(s)))


def integer(v):
    return enc_int(0x02, v)


def counter32(v):
    return enc_int(0x41, v)


def gauge32(v):
    return enc_int(0x42, v)


def ticks(v):
    return enc_int(0x43, v)


def counter64(v):
    return enc_int(0x46, v)


def ipaddr(s):
    return tlv(0x40, bytes(int(x) for x in s.split(".")))


def opaque_float(f):
    return tlv(0x44, b"\x9f\x78\x04" + struct.pack(">f", f))


def opaque_double(f):
    return tlv(0x44, b"\x9f\x79\x08" + struct.pack(">d", f))


NULL = b"\x05\x00"
NO_SUCH_OBJECT = b"\x80\x00"
NO_SUCH_INSTANCE = b"\x81\x00"
END_OF_MIB = b"\x82\x00"

# ------------------------------------------------------------ messages
def message(version, pdu_tag, rid, a, b, vbs, comm=b"public"):
    """An SNMP message: varbinds [(OID text, value TLV)]; a, b are the
    error status and index (or non-repeaters and max-repetitions)."""
    vbl = b"".join(tlv(0x30, objid(o) + v) for o, v in vbs)
    pdu = enc_int(0x02, rid) + enc_int(0x02, a) + enc_int(0x02, b) + \
        tlv(0x30, vbl)
    return tlv(0x30, enc_int(0x02, version) + tlv(0x04, comm) +
               tlv(pdu_tag, pdu))


def response(vbs, rid=1, version=1, err=0, idx=0):
    return message(version, 0xa2, rid, err, idx, vbs)


def framed(*dgrams):
    return b"".join(struct.pack(">H", len(d)) + d for d in dgrams)


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


SYS = "1.3.6.1.2.1.1."
IF = "1.3.6.1.2.1.2.2.1."

# ----------------------------------------------------------- inventory
write("inventory", "basic", "# a comment\n127.0.0.1\n"
      "127.0.0.2:1161 community=lab version=1 tag.site=ams tag.rack=r1\n"
      "\n  127.0.0.3 timeout=0.5 retries=0   # trailing comment\n")
write("inventory", "blocks", "10.0.0.0/30\n10.1.0.0/16 port=1161\n"
      "192.0.2.10-192.0.2.20\n192.0.2.30-40\n2001:db8::/120\n"
      "2001:db8::1-2001:db8::ff\n")
write("inventory", "v6-ports", "::1\n[::1]:1161\n[2001:db8::1]\n"
      "fe80::1 tag.link=local\n")
write("inventory", "names", "router1.example.net\nsw-6\n"
      "core.example.net:2161 tag.role=core\n")
write("inventory", "v3", "127.0.0.1 version=3 user=alice level=authPriv "
      "auth=SHA authpass=correct-horse priv=AES privpass=battery-staple\n"
      "127.0.0.2 cred=lab\n127.0.0.3 cred=lab user=bob context=ctx\n"
      "127.0.0.4 version=3 user=carol level=noAuthNoPriv engineid=80001f8880\n")
write("inventory", "bad", "127.0.0.1 nokey\n300.1.1.1\n10.0.0.0/7\n"
      "127.0.0.9-1\n127.0.0.1 version=4\n[::1\ncommunity=x\n")

# -------------------------------------------------------------- config
with open(os.path.join(HERE, "..", "..", "conf", "snmpfleet.conf"),
          "rb") as f:
    write("config", "snmpfleet.conf", f.read())
write("config", "small", "# poll the basics\nformat = jsonl\n"
      "timeout = 0.5\nretries = 1\nconcurrency = 64\nrate = 1000\n"
      "community = \"not public\"\nhost = 127.0.0.1\noid = sysName.0\n"
      "walk = ifTable\nprogress = auto\nquiet = yes\n")
write("config", "sections", "profile = edge\n\n[profile edge]\n"
      "oid = sysUpTime.0\nwalk = ifXTable\ntable = ifTable\n\n"
      "[credentials lab]\nversion = 3\nuser = alice\nlevel = authPriv\n"
      "auth = SHA\nauthpass = correct-horse\npriv = AES\n"
      "privpass = battery-staple\n")
write("config", "bad-line", "timeout = 0.5\nno equals sign here\n")
write("config", "ranges", "timeout = 3600\ndeadline = 0.001\n"
      "max-oids = 1000\nport = 65535\nprocs = 0\nsnmp-version = 1\n"
      "target-deadline = 1e3\nshard = 1/4\n")

# ----------------------------------------------------------------- oid
for name, text in [("numeric", "1.3.6.1.2.1.1.5.0"),
                   ("leading-dot", ".1.3.6.1.2.1.2.2.1.2.10"),
                   ("scalar", "sysName"), ("instance", "sysDescr.0"),
                   ("module", "IF-MIB::ifDescr.3"), ("table", "ifXTable"),
                   ("entry", "entPhysicalEntry"),
                   ("lldp", "lldpRemSysName.0.5.1"),
                   ("big-arc", "1.3.6.1.4.1.4294967295.1"),
                   ("bad", "1.3..6")]:
    write("oid", name, text)

# --------------------------------------------------------------- reply
# byte 0: bit 0 v1, bits 1-2 plan (0 GET, 1 walk system, 2 table ifTable,
# 3 GET + walk interfaces), bit 3 small requests; then a line of
# inventory keys; then framed datagrams.
GET_VBS = [(SYS + "1.0", octets("Linux core-sw-1 5.10.0 #1 SMP x86_64")),
           (SYS + "2.0", objid("1.3.6.1.4.1.8072.3.2.10")),
           (SYS + "3.0", ticks(123456789)),
           (SYS + "5.0", octets("core-sw-1"))]
write("reply", "get-v2c", b"\x00\n" + framed(response(GET_VBS)))
write("reply", "get-tags", b"\x00tag.site=lab tag.rack=r\"1\" port=1161\n" +
      framed(response(GET_VBS)))
write("reply", "get-v1-nosuchname", b"\x09\n" + framed(
    response(GET_VBS[:2], version=0),
    response(GET_VBS[2:], version=0, err=2, idx=2),
    response(GET_VBS[2:3], version=0)))
write("reply", "get-toobig-split", b"\x08\n" + framed(
    response([], err=1),
    response(GET_VBS[:1]), response(GET_VBS[1:2]),
    response(GET_VBS[2:])))
write("reply", "get-exceptions", b"\x00\n" + framed(response([
    (SYS + "1.0", octets(b"\xff\x00bytes\x1b[0m")),
    (SYS + "2.0", NO_SUCH_OBJECT), (SYS + "3.0", NO_SUCH_INSTANCE),
    (SYS + "5.0", NULL)])))
write("reply", "get-types", b"\x00\n" + framed(response([
    (SYS + "1.0", counter64(18446744073709551615)),
    (SYS + "2.0", opaque_float(1.5)), (SYS + "3.0", opaque_double(-2.25)),
    (SYS + "5.0", ipaddr("192.0.2.1"))])))
write("reply", "get-generr", b"\x00\n" + framed(response(GET_VBS, err=5,
                                                         idx=3)))
WALK = [(SYS + "1.0", octets("a, \"quoted\" host\nsecond line")),
        (SYS + "2.0", objid("1.3.6.1.4.1.9.1.1")),
        (SYS + "3.0", ticks(42)), (SYS + "4.0", octets("ops@example")),
        (SYS + "5.0", octets("sw=1 a,b\\c")), (SYS + "6.0", octets("rack 7")),
        (SYS + "7.0", integer(72)), ("1.3.6.1.2.1.2.1.0", integer(2))]
write("reply", "walk-v2c", b"\x02\n" + framed(response(WALK[:4]),
                                              response(WALK[4:])))
write("reply", "walk-v1", b"\x03\n" + framed(
    *[response([vb], version=0) for vb in WALK[:3]],
    response([], version=0, err=2, idx=1)))
write("reply", "walk-endofmib", b"\x0a\n" + framed(
    response(WALK[:3]), response([(SYS + "3.0", END_OF_MIB)])))
write("reply", "walk-not-increasing", b"\x02\n" + framed(
    response([WALK[2], WALK[1]])))
write("reply", "walk-out-of-order", b"\x02allow-non-increasing=yes\n" +
      framed(response([WALK[0], WALK[2], WALK[1], WALK[3]]),
             response([WALK[4], WALK[0]])))
write("reply", "walk-no-bulk", b"\x02no-bulk=yes max-repetitions=3 "
      b"max-oids=2 any-source=yes\n" + framed(
          *[response([vb]) for vb in WALK[:3]],
          response([(SYS + "3.0", END_OF_MIB)])))
write("reply", "walk-empty", b"\x02\n" + framed(
    response([("1.3.6.1.2.1.2.1.0", integer(2))]),
    response([("1.3.6.1.2.1.1", NO_SUCH_OBJECT)])))
TABLE = []
for i in (1, 2, 10):
    TABLE += [(IF + "1.%d" % i, integer(i)),
              (IF + "2.%d" % i, octets("eth%d" % i)),
              (IF + "5.%d" % i, gauge32(1000000000)),
              (IF + "6.%d" % i, octets(b"\x00\x1a\x2b\x3c\x4d\x5e")),
              (IF + "10.%d" % i, counter32(4294967295))]
TABLE.sort(key=lambda vb: oid(vb[0]))
write("reply", "table-ifTable", b"\x04tag.site=ams\n" + framed(
    response(TABLE[:8]), response(TABLE[8:]),
    response([("1.3.6.1.2.1.2.3.0", integer(0))])))
write("reply", "get-and-walk", b"\x06\n" + framed(
    response(GET_VBS),
    response([("1.3.6.1.2.1.2.1.0", integer(3))] + TABLE[:4]),
    response([("1.3.6.1.2.1.3.1.1.1", integer(1))])))
write("reply", "timeout", b"\x06\n" + framed(response(GET_VBS)))

# -------------------------------------------------------------- simber
# byte 0: bits 0-1 --max-size, bits 2-3 --interfaces, bits 4-7 mod 3
# --tables (0 none, 1 small, 2 full); bytes 1-4: the device's address;
# then the request.
def request(tag, vbs, version=1, rid=0x1234, a=0, b=0, comm=b"public"):
    return message(version, tag, rid, a, b, vbs, comm)


ADDR = bytes([127, 0, 0, 1])
NULLS = [(SYS + "1.0", NULL), (SYS + "3.0", NULL), (SYS + "5.0", NULL)]
write("simber", "get-v2c", b"\x01" + ADDR + request(0xa0, NULLS))
write("simber", "get-v1", b"\x01" + ADDR + request(0xa0, NULLS, version=0))
write("simber", "get-missing-v1", b"\x01" + ADDR + request(
    0xa0, [("1.3.6.1.2.1.1.99.0", NULL)], version=0))
write("simber", "getnext", b"\x01" + ADDR + request(
    0xa1, [("1.3.6.1.2.1.2.2.1.2", NULL), ("1.3.6.1.2.1.31.1.1.1.6", NULL)]))
write("simber", "getbulk", b"\x01" + ADDR + request(
    0xa5, [("1.3.6.1.2.1.1", NULL), ("1.3.6.1.2.1.2.2", NULL)], a=1, b=25))
write("simber", "getbulk-big", b"\x00" + bytes([10, 1, 2, 3]) + request(
    0xa5, [("1.3.6.1.2.1.47", NULL)], b=1000))
write("simber", "getbulk-end", b"\x0d" + ADDR + request(
    0xa5, [("1.3.6.1.6", NULL)], b=10))
write("simber", "set", b"\x01" + ADDR + request(
    0xa3, [(SYS + "5.0", octets("new name"))]))
write("simber", "long-reqid", b"\x01" + ADDR + request(
    0xa0, NULLS[:1], rid=-2147483648, comm=b"a much longer community"))
NP = "1.3.6.1.2.1.4.35.1.4."		# ipNetToPhysicalPhysAddress
write("simber", "tables-get", b"\x11" + bytes([127, 0, 3, 2]) + request(
    0xa0, [(NP + "2.2.16.254.128.0.0.0.0.0.0.0.0.127.255.254.3.2.3", NULL),
           ("1.3.6.1.2.1.17.7.1.2.2.1.2.20.2.0.127.3.2.1", NULL),
           ("1.0.8802.1.1.2.1.4.1.1.9.200.2.4", NULL),
           ("1.3.6.1.2.1.25.2.3.1.6.31", NULL)]))
write("simber", "tables-getnext", b"\x11" + ADDR + request(
    0xa1, [(NP + "2.1.4.127.0.2.200", NULL), ("1.3.6.1.2.1.4.34.1.3.2", NULL),
           ("1.0", NULL)]))
write("simber", "tables-full-getbulk", b"\x2d" + bytes([127, 9, 255, 0]) +
      request(0xa5, [("1.3.6.1.2.1.17.4.3.1.1.2.0.127.255.200", NULL),
                     ("1.3.6.1.2.1.4.34", NULL)], b=60))
