#!/usr/bin/env python3
"""hostile.py — an SNMP agent that misbehaves on purpose, for the tests
(hostile-agents.sh).  Loopback UDP only: it binds 127.0.0.1 (and, for
wrong-source, 127.0.0.2) on the port given, or on one the kernel picks;
prints the port it bound on standard output (and writes it to --ready
FILE if given), then answers until it is killed.

  hostile.py --mode MODE [--port N] [--ready FILE] [--delay S] [--size N]
             [--log FILE] [--reply-community S] [--upstream PORT]

It answers v1/v2c GET, GETNEXT and GETBULK over a small MIB under
R = 1.3.6.1.4.1.99999 (R.1.1 .. R.1.5 are INTEGERs; any other OID a GET
names is the STRING "hostile"), except as the mode says:

  good             answers correctly (a reference for the others)
  wrong-reqid      the reply's request-id has bit 30 flipped
  wrong-source     the reply comes from 127.0.0.2 (same port)
  truncated        the reply is cut to half its length
  garbage          random bytes instead of a reply
  oversized-length the reply's outer BER length claims 1000 bytes more
                   than the datagram holds
  duplicate        every reply is sent three times
  late             every reply is sent --delay seconds late (default 2)
  errindex         error-status genErr (noSuchName for v1) with
                   error-index 99, beyond the request's varbinds
  nonincreasing    GETNEXT/GETBULK answer R.1.2 then R.1.1 (lower)
  endless          GETNEXT/GETBULK answer increasing OIDs R.1.N for ever,
                   each a STRING of --size bytes (default 16)
  opaque-float     values are Opaque-wrapped floats and doubles (R.2.1
                   float NaN, R.2.2 float +Inf, R.2.3 float -Inf, R.2.4
                   double NaN, R.2.5 double +Inf, R.2.6 double -Inf,
                   R.2.7 float 1.5); a GET of any other OID gets a NaN
  huge-octet-string a GET's first value is a STRING of --size bytes
                   (default 60000)
  unasked-oids     a GET is answered for OIDs it did not name (each
                   asked OID with 1 added to its last arc)
  deep-nesting     a GET's values are SEQUENCEs nested 2000 deep
  v3-report        SNMPv3 (noAuthNoPriv): engineID discovery is answered
                   properly, then every request gets a Report whose
                   msgID is right but whose request-id is the msgID
  v3-context       SNMPv3 (noAuthNoPriv), as snmpd is about scope:
                   engineID discovery answered; a request in context ""
                   for contextEngineID = its engineID is answered (every
                   OID the STRING "hostile"); one for another
                   contextEngineID is dropped without a word; one in
                   another context gets a Report snmpUnknownContexts.0
                   (RFC 3413 3.2), request-id right
  out-of-order     walks go R.1.1, R.1.3, R.1.2, R.1.4, R.1.5, then the
                   end: GETNEXT/GETBULK after R.1.3 answer R.1.2 (lower),
                   as an agent with a badly sorted table does
  cycle            as out-of-order, but after R.1.5 comes R.1.1 again,
                   for ever
  no-getbulk       GETBULK is never answered (GET and GETNEXT are)
  bulk-generr      GETBULK is answered with genErr (GET and GETNEXT are
                   answered properly)
  relay            no MIB of its own: every datagram (any version) is
                   passed to a real agent on 127.0.0.1:--upstream, and
                   its answer back to the asker from 127.0.0.2 (the same
                   port), as a multi-homed device answers from another
                   interface

--log FILE appends a line per request it reads: the PDU ("GET",
"GETNEXT", "GETBULK"), the number of varbinds and max-repetitions
(GETBULK; 0 for the others), e.g. "GETBULK 1 25".  --reply-community S
answers with community S instead of the one asked with.

Needs tests/integration/snmpber.py on sys.path (it sits next to this
file).  Never sends anywhere but to the peer that asked, on loopback.
"""
import argparse
import heapq
import random
import select
import socket
import struct
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from snmpber import (END_OF_MIB, GET, GETBULK, GETNEXT, answer,  # noqa
                     dec_header, dec_oid, dec_tlv, enc_int, enc_len,
                     enc_oid_body, parse, response, tlv)

R = (1, 3, 6, 1, 4, 1, 99999)
MODES = ("good", "wrong-reqid", "wrong-source", "truncated", "garbage",
         "oversized-length", "duplicate", "late", "errindex",
         "nonincreasing", "endless", "opaque-float", "huge-octet-string",
         "unasked-oids", "deep-nesting", "v3-report", "v3-context",
         "out-of-order", "cycle", "no-getbulk", "bulk-generr", "relay")
ORDER = [R + (1, i) for i in (1, 3, 2, 4, 5)]
PDU_NAMES = {GET: "GET", GETNEXT: "GETNEXT", GETBULK: "GETBULK"}


def opaque_float(x):
    return tlv(0x44, b"\x9f\x78\x04" + struct.pack(">f", x))


def opaque_double(x):
    return tlv(0x44, b"\x9f\x79\x08" + struct.pack(">d", x))


def base_mib(mode):
    mib = {R + (1, i): enc_int(0x02, i) for i in range(1, 6)}
    if mode == "opaque-float":
        nan, inf = float("nan"), float("inf")
        mib = {R + (2, 1): opaque_float(nan), R + (2, 2): opaque_float(inf),
               R + (2, 3): opaque_float(-inf), R + (2, 4): opaque_double(nan),
               R + (2, 5): opaque_double(inf),
               R + (2, 6): opaque_double(-inf),
               R + (2, 7): opaque_float(1.5)}
    return mib


def nested(depth):
    v = tlv(0x05, b"")
    for _ in range(depth):
        v = tlv(0x30, v)
    return v


class Agent:
    def __init__(self, args):
        self.mode = args.mode
        self.log = args.log
        self.reply_community = args.reply_community
        self.delay = args.delay
        self.size = args.size
        self.mib = base_mib(self.mode)
        self.keys = sorted(self.mib)
        self.rng = random.Random(1)
        self.pending = []          # (due, seq, socket, peer, datagram)
        self.seq = 0
        self.boots, self.start = 1, time.monotonic()
        self.engine = b"\x80\x00\x1f\x88\x04hostile"

    # -------------------------------------------------- v1/v2c answers
    def nxt(self, o):
        if self.mode == "endless":
            n = o[len(R) + 1] + 1 if o[:len(R) + 1] == R + (1,) and \
                len(o) > len(R) + 1 else 1
            return R + (1, n), tlv(0x04, b"x" * self.size)
        if self.mode in ("out-of-order", "cycle") and o in ORDER:
            i = ORDER.index(o) + 1
            if i == len(ORDER) and self.mode == "cycle":
                i = 0
            if i < len(ORDER):
                return ORDER[i], self.mib[ORDER[i]]
            return o, END_OF_MIB
        i = 0
        while i < len(self.keys) and self.keys[i] <= o:
            i += 1
        if i < len(self.keys):
            return self.keys[i], self.mib[self.keys[i]]
        return o, END_OF_MIB

    def get_value(self, o):
        if o in self.mib:
            return self.mib[o]
        if self.mode == "opaque-float":
            return opaque_float(float("nan"))
        return tlv(0x04, b"hostile")

    def varbinds(self, req):
        ver, comm, ptag, rid, a, b, oids = req
        if ptag == GET:
            vbs = [(o, self.get_value(o)) for o in oids]
            if self.mode == "huge-octet-string" and vbs:
                vbs[0] = (vbs[0][0], tlv(0x04, b"h" * self.size))
            elif self.mode == "unasked-oids":
                vbs = [(o[:-1] + (o[-1] + 1,), v) for o, v in vbs]
            elif self.mode == "deep-nesting":
                vbs = [(o, nested(2000)) for o, _ in vbs]
            return vbs
        if self.mode == "nonincreasing":
            return [(R + (1, 2), enc_int(0x02, 2)),
                    (R + (1, 1), enc_int(0x02, 1))]
        return answer(ptag, a, b, oids, self.mib, self.nxt)

    def reply_v12(self, req):
        """The datagrams (possibly none) that answer a v1/v2c request."""
        ver, comm, ptag, rid, a, b, oids = req
        if ptag not in (GET, GETNEXT, GETBULK):
            return []
        if self.log:
            with open(self.log, "a") as f:
                f.write("%s %d %d\n" % (PDU_NAMES[ptag], len(oids),
                                        b if ptag == GETBULK else 0))
        if self.reply_community is not None:
            comm = self.reply_community.encode()
        if ptag == GETBULK and self.mode == "no-getbulk":
            return []
        if self.mode == "wrong-reqid":
            v = int.from_bytes(rid, "big", signed=True) ^ (1 << 30)
            rid = enc_int(0x02, v)[2:]
        if self.mode == "bulk-generr" and ptag == GETBULK:
            pkt = response(ver, comm, rid, [(o, tlv(0x05, b""))
                                            for o in oids], 5, 1)
        elif self.mode == "errindex":
            err = 2 if ver == 0 else 5
            pkt = response(ver, comm, rid, [(o, tlv(0x05, b""))
                                            for o in oids], err, 99)
        else:
            pkt = response(ver, comm, rid, self.varbinds(req))
        if self.mode == "truncated":
            return [pkt[:len(pkt) // 2]]
        if self.mode == "garbage":
            return [bytes(self.rng.randrange(256)
                          for _ in range(self.rng.randrange(1, 200)))]
        if self.mode == "oversized-length":
            _, start, n = dec_header(pkt, 0)
            return [b"\x30" + b"\x82" + (n + 1000).to_bytes(2, "big") +
                    pkt[start:]]
        if self.mode == "duplicate":
            return [pkt, pkt, pkt]
        return [pkt]

    # ------------------------------------------------------------ v3
    def reply_v3(self, data):
        _, msg, _ = dec_tlv(data, 0)
        _, ver, i = dec_tlv(msg, 0)
        _, glob, i = dec_tlv(msg, i)
        _, msgid, j = dec_tlv(glob, 0)
        _, secp, i = dec_tlv(msg, i)
        _, scoped, _ = dec_tlv(msg, i)
        _, usm, _ = dec_tlv(secp, 0)
        _, engine, k = dec_tlv(usm, 0)
        _, _, k = dec_tlv(usm, k)          # boots
        _, _, k = dec_tlv(usm, k)          # time
        _, user, k = dec_tlv(usm, k)
        _, cengine, k = dec_tlv(scoped, 0)
        _, cname, k = dec_tlv(scoped, k)
        ptag, pdu, _ = dec_tlv(scoped, k)
        _, rid, _ = dec_tlv(pdu, 0)
        rtag = 0xa8
        vbs = None
        if engine == b"":
            # discovery, answered properly: usmStatsUnknownEngineIDs
            report_oid = (1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0)
        elif self.mode == "v3-context":
            if cengine != self.engine:
                return []
            if cname != b"":
                report_oid = (1, 3, 6, 1, 6, 3, 12, 1, 5, 0)
            else:
                rtag, vbs = 0xa2, self.v3_varbinds(pdu)
        else:
            # the real request: a Report whose request-id is the msgID
            report_oid = (1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0)
            rid = msgid
        now = int(time.monotonic() - self.start)
        usm_out = tlv(0x04, self.engine) + enc_int(0x02, self.boots) + \
            enc_int(0x02, now) + tlv(0x04, user) + tlv(0x04, b"") + \
            tlv(0x04, b"")
        if vbs is None:
            vbs = tlv(0x30, tlv(0x06, enc_oid_body(report_oid)) +
                      enc_int(0x41, 1))
        rpdu = tlv(rtag, tlv(0x02, rid) + enc_int(0x02, 0) +
                   enc_int(0x02, 0) + tlv(0x30, vbs))
        scoped_out = tlv(0x04, self.engine) + tlv(0x04, cname) + rpdu
        glob_out = tlv(0x02, msgid) + enc_int(0x02, 65507) + \
            tlv(0x04, b"\x00") + enc_int(0x02, 3)
        return [tlv(0x30, enc_int(0x02, 3) + tlv(0x30, glob_out) +
                    tlv(0x04, tlv(0x30, usm_out)) + tlv(0x30, scoped_out))]

    def v3_varbinds(self, pdu):
        """A v3 GET's varbinds, each OID the STRING "hostile"."""
        i = 0
        for _ in range(3):                 # request-id, error, index
            _, _, i = dec_tlv(pdu, i)
        _, vbl, _ = dec_tlv(pdu, i)
        out, i = b"", 0
        while i < len(vbl):
            _, vb, i = dec_tlv(vbl, i)
            _, o, _ = dec_tlv(vb, 0)
            out += tlv(0x30, tlv(0x06, o) + tlv(0x04, b"hostile"))
        return out

    # ------------------------------------------------------- the loop
    def handle(self, data):
        try:
            _, msg, _ = dec_tlv(data, 0)
            _, ver, _ = dec_tlv(msg, 0)
            if int.from_bytes(ver, "big") == 3:
                return self.reply_v3(data) if self.mode.startswith("v3-") \
                    else []
            return self.reply_v12(parse(data))
        except (IndexError, ValueError):
            return []

    def relay(self, s, other, upstream, port):
        """relay: each datagram to the real agent, each answer back to
        the last asker, from the other address."""
        peer = None
        while True:
            readable, _, _ = select.select([s, upstream], [], [])
            if s in readable:
                data, peer = s.recvfrom(65535)
                upstream.sendto(data, ("127.0.0.1", port))
            if upstream in readable:
                data, _ = upstream.recvfrom(65535)
                if peer is not None:
                    other.sendto(data, peer)

    def run(self, s, other):
        sender = other if self.mode == "wrong-source" else s
        while True:
            wait = None
            if self.pending:
                wait = max(0.0, self.pending[0][0] - time.monotonic())
            readable, _, _ = select.select([s], [], [], wait)
            now = time.monotonic()
            while self.pending and self.pending[0][0] <= now:
                _, _, peer, pkt = heapq.heappop(self.pending)
                sender.sendto(pkt, peer)
            if not readable:
                continue
            data, peer = s.recvfrom(65535)
            for pkt in self.handle(data):
                if self.mode == "late":
                    heapq.heappush(self.pending,
                                   (now + self.delay, self.seq, peer, pkt))
                    self.seq += 1
                else:
                    sender.sendto(pkt, peer)


def main():
    p = argparse.ArgumentParser(description="a misbehaving SNMP agent "
                                "(loopback only)")
    p.add_argument("--mode", required=True, choices=MODES)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--ready", help="write the bound port to this file")
    p.add_argument("--delay", type=float, default=2.0)
    p.add_argument("--size", type=int, default=None)
    p.add_argument("--log", help="append a line per request to this file")
    p.add_argument("--reply-community", default=None)
    p.add_argument("--upstream", type=int, default=None,
                   help="relay: the real agent's port on 127.0.0.1")
    args = p.parse_args()
    if args.size is None:
        args.size = 60000 if args.mode == "huge-octet-string" else 16
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    s.bind(("127.0.0.1", args.port))
    port = s.getsockname()[1]
    other = None
    if args.mode in ("wrong-source", "relay"):
        other = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        other.bind(("127.0.0.2", port))
    if args.mode == "relay" and args.upstream is None:
        p.error("relay needs --upstream PORT")
    print(port, flush=True)
    if args.ready:
        with open(args.ready + ".tmp", "w") as f:
            f.write("%d\n" % port)
        __import__("os").rename(args.ready + ".tmp", args.ready)
    try:
        if args.mode == "relay":
            up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            up.bind(("127.0.0.1", 0))
            Agent(args).relay(s, other, up, args.upstream)
        else:
            Agent(args).run(s, other)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
