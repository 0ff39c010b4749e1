#!/usr/bin/env python3
"""sim-client.py — a small SNMP v1/v2c client for the snmpfleet-sim tests,
independent of net-snmp and of snmpfleet: it encodes requests and decodes
responses itself, and reports what net-snmp's tools do not show (the
address a reply came from, its size, its error-status and error-index).
Loopback only.

  sim-client.py get PORT ADDR OID... [-v 1|2c] [-c COMM] [--pdu P]
                [--nonrep N] [--maxrep M] [-t SECONDS]
      one request (P: get, getnext, getbulk, set); prints one JSON object:
      from, size, version, community, pdu, errstat, errindex, vars
      ([oid, tag, value]), rtt -- or {"timeout": true}
  sim-client.py raw PORT ADDR HEX [-t SECONDS]
      send HEX as a datagram; prints the same JSON
  sim-client.py probe PORT FILE [-c COMM] [-r TRIES] [-t SECONDS]
      GET sysName.0 from every address in FILE (all in flight at once,
      unanswered ones asked again up to TRIES times); prints "silent ADDR"
      for each that never answered, "wrongsource ADDR FROM" for a reply
      from another address, "wrongname ADDR NAME" for a sysName that is
      not the address, and a last line "answered N silent N".
  sim-client.py seq PORT ADDR N [-t SECONDS]
      N GETs one after the other (the next one is sent when the reply
      comes, or after SECONDS); prints a string of 1 (answered) and 0
  sim-client.py fuzz PORT N [--seed S]
      N requests, many of them mangled (bytes changed, cut short, random
      garbage, odd versions, PDU types, OIDs and GETBULK numbers), to
      127.0.0-3.x; replies are read and dropped; prints how many were sent
"""
import random
import argparse
import json
import select
import socket
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ next to the sources
import snmpber  # noqa: E402 (next to this file)
from snmpber import (  # noqa: E402
    dec_header, enc_int, enc_oid_body, oid, oid_str, tlv)

SYSNAME = "1.3.6.1.2.1.1.5.0"
PDUS = {"get": 0xA0, "getnext": 0xA1, "response": 0xA2, "set": 0xA3,
        "getbulk": 0xA5}


def enc_oid(text):
    return tlv(0x06, enc_oid_body(oid(text)))


def request(version, community, pdu, reqid, oids, a=0, b=0):
    vbl = b"".join(tlv(0x30, enc_oid(o) + b"\x05\x00") for o in oids)
    body = enc_int(0x02, reqid) + enc_int(0x02, a) + enc_int(0x02, b) + \
        tlv(0x30, vbl)
    return tlv(0x30, enc_int(0x02, version) +
               tlv(0x04, community.encode()) + tlv(PDUS[pdu], body))


def dec_oid(c):
    return oid_str(snmpber.dec_oid(c))


def dec_value(tag, c):
    if tag == 0x02:
        return int.from_bytes(c, "big", signed=True)
    if tag in (0x41, 0x42, 0x43, 0x46):
        return int.from_bytes(c, "big")
    if tag == 0x04:
        return c.decode("latin-1")
    if tag == 0x06:
        return dec_oid(c)
    return None


def decode(b):
    """The response as a dict; raises on anything malformed."""
    tag, i, n = dec_header(b, 0)
    assert tag == 0x30 and i + n == len(b), "not one whole SEQUENCE"
    out = {"size": len(b)}
    tag, i, n = dec_header(b, i)
    out["version"] = int.from_bytes(b[i:i + n], "big")
    i += n
    tag, i, n = dec_header(b, i)
    out["community"] = b[i:i + n].decode("latin-1")
    i += n
    tag, i, n = dec_header(b, i)
    out["pdu"] = tag
    end = i + n
    for key in ("reqid", "errstat", "errindex"):
        tag, i, n = dec_header(b, i)
        out[key] = int.from_bytes(b[i:i + n], "big", signed=True)
        i += n
    tag, i, n = dec_header(b, i)
    assert tag == 0x30 and i + n == end, "bad varbind list"
    out["vars"] = []
    while i < end:
        tag, j, n = dec_header(b, i)
        i = j + n
        tag, j, n = dec_header(b, j)
        oid = dec_oid(b[j:j + n])
        tag, j, n = dec_header(b, j + n)
        out["vars"].append([oid, tag, dec_value(tag, b[j:j + n])])
    return out


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def exchange(port, addr, data, timeout):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    t0 = time.monotonic()
    s.sendto(data, (addr, port))
    while True:
        left = timeout - (time.monotonic() - t0)
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return {"timeout": True}
        reply, src = s.recvfrom(65535)
        out = decode(reply)
        out["from"] = src[0]
        out["rtt"] = time.monotonic() - t0
        return out


def cmd_get(a):
    version = 0 if a.version == "1" else 1
    x, y = (a.nonrep, a.maxrep) if a.pdu == "getbulk" else (0, 0)
    data = request(version, a.community, a.pdu, 4242, a.oids, x, y)
    print(json.dumps(exchange(a.port, a.addr, data, a.timeout)))


def cmd_raw(a):
    print(json.dumps(exchange(a.port, a.addr, bytes.fromhex(a.hex),
                              a.timeout)))


def cmd_probe(a):
    addrs = [l.split()[0] for l in open(a.file) if l.strip()]
    fam = family(addrs[0]) if addrs else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    pending = {i: addr for i, addr in enumerate(addrs)}
    problems = []
    for _ in range(a.tries):
        for i, addr in pending.items():
            s.sendto(request(1, a.community, "get", i, [SYSNAME]),
                     (addr, a.port))
        deadline = time.monotonic() + a.timeout
        while pending:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                break
            reply, src = s.recvfrom(65535)
            r = decode(reply)
            addr = pending.pop(r["reqid"], None)
            if addr is None:
                continue
            if src[0] != addr:
                problems.append("wrongsource %s %s" % (addr, src[0]))
            if r["vars"][0][2] != addr:
                problems.append("wrongname %s %s" % (addr, r["vars"][0][2]))
    for line in problems:
        print(line)
    for addr in pending.values():
        print("silent", addr)
    print("answered %d silent %d" % (len(addrs) - len(pending),
                                     len(pending)))


def cmd_seq(a):
    """One request at a time, so that the sim sees them in this order; a
    reply that comes after its timeout still counts (by request-id)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    got = set()

    def drain(reqid, timeout):
        deadline = time.monotonic() + timeout
        while reqid not in got:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([s], [], [], left)[0]:
                return
            got.add(decode(s.recv(65535))["reqid"])

    for i in range(a.n):
        s.sendto(request(1, "public", "get", 1000 + i, [SYSNAME]),
                 (a.addr, a.port))
        drain(1000 + i, a.timeout)
    drain(None, 1.0)
    print("".join("1" if 1000 + i in got else "0" for i in range(a.n)))


def cmd_fuzz(a):
    rnd = random.Random(a.seed)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    bases = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.10.3", "1.3.6.1.4",
             "1.3.6.1.2.1.31.1.1.1.6.2", "1.3.6.1.2.1.47.1.1.1.1.11.1",
             "0.0", "2.999.4294967295", "1.3.6.1.2.1.2.2.1.2.4294967295",
             "1.3.6.1.2.1.4.35.1.4.2.2.16.254.128.0.0.0.0.0.0.0.0.127",
             "1.0.8802.1.1.2.1.4.1.1.9.200.2.4",
             "1.3.6.1.2.1.17.7.1.2.2.1.2.20.2.0.127.0.2.2",
             "1.3.6.1.2.1.4.34.1.3.2.16.253", "1.3.6.1.2.1.25.2.3.1.6.31"]
    sent = 0
    for _ in range(a.n):
        oids = []
        for _ in range(rnd.randint(0, 40)):
            b = rnd.choice(bases).split(".")
            if rnd.random() < 0.5:
                b = b[:rnd.randint(2, len(b))]
            if rnd.random() < 0.3:
                b.append(str(rnd.randint(0, 2**32 - 1)))
            oids.append(".".join(b))
        data = bytearray(request(
            rnd.choice([0, 1, 1, 3]), "public",
            rnd.choice(["get", "getnext", "getbulk", "set", "response"]),
            rnd.randint(-2**31, 2**31 - 1), oids or ["1.3"],
            rnd.randint(-5, 50), rnd.randint(-5, 3000)))
        r = rnd.random()
        if r < 0.3:
            for _ in range(rnd.randint(1, 5)):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
        elif r < 0.5:
            data = data[:rnd.randrange(len(data))]
        elif r < 0.55:
            data = bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 99)))
        addr = "127.0.%d.%d" % (rnd.randint(0, 3), rnd.randint(1, 254))
        try:
            s.sendto(bytes(data), (addr, a.port))
            sent += 1
        except BlockingIOError:
            pass
        try:
            while True:
                s.recv(65535)
        except BlockingIOError:
            pass
    print(sent)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("get")
    g.add_argument("port", type=int)
    g.add_argument("addr")
    g.add_argument("oids", nargs="+")
    g.add_argument("-v", dest="version", default="2c")
    g.add_argument("-c", dest="community", default="public")
    g.add_argument("--pdu", default="get", choices=sorted(PDUS))
    g.add_argument("--nonrep", type=int, default=0)
    g.add_argument("--maxrep", type=int, default=10)
    g.add_argument("-t", dest="timeout", type=float, default=2.0)
    r = sub.add_parser("raw")
    r.add_argument("port", type=int)
    r.add_argument("addr")
    r.add_argument("hex")
    r.add_argument("-t", dest="timeout", type=float, default=0.5)
    q = sub.add_parser("probe")
    q.add_argument("port", type=int)
    q.add_argument("file")
    q.add_argument("-c", dest="community", default="public")
    q.add_argument("-r", dest="tries", type=int, default=3)
    q.add_argument("-t", dest="timeout", type=float, default=1.0)
    s = sub.add_parser("seq")
    s.add_argument("port", type=int)
    s.add_argument("addr")
    s.add_argument("n", type=int)
    s.add_argument("-t", dest="timeout", type=float, default=0.1)
    f = sub.add_parser("fuzz")
    f.add_argument("port", type=int)
    f.add_argument("n", type=int)
    f.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    {"get": cmd_get, "raw": cmd_raw, "probe": cmd_probe,
     "seq": cmd_seq, "fuzz": cmd_fuzz}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
