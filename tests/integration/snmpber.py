"""snmpber.py — the BER and SNMP (v1/v2c) pieces shared by the integration
tests' own agents and clients (value-types.sh, walk-bad-agent.sh,
reply-checks.sh, ops-influx.sh, sim-client.py): TLV encoding and decoding,
OIDs, a request parser, a GetResponse builder, GET/GETNEXT/GETBULK
answering over a sorted MIB, and a tiny loopback UDP responder loop.

Import it with the directory of this file on sys.path: the shell tests
call need_snmpber (lib.sh), which puts it on PYTHONPATH; sim-client.py
sits next to it.  Loopback only.
"""
import socket

# ------------------------------------------------------------- encoding
def enc_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content):
    return bytes([tag]) + enc_len(len(content)) + content


def enc_int(tag, v):
    """INTEGER and the unsigned application types (two's complement, so an
    unsigned value with its top bit set gets a leading zero byte)."""
    n = 1
    while not -(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1)):
        n += 1
    return tlv(tag, v.to_bytes(n, "big", signed=True))


def enc_oid_body(arcs):
    """The content octets of an OID (arcs: a sequence of ints); the first
    subidentifier (40 * arc0 + arc1) may take more than one byte."""
    out = bytearray()
    for a in [40 * arcs[0] + arcs[1]] + list(arcs[2:]):
        chunk = [a & 0x7f]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7f))
            a >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def oid(s):
    """"1.3.6.1" or ".1.3.6.1" -> (1, 3, 6, 1)."""
    return tuple(int(x) for x in s.strip(".").split("."))


def oid_str(o):
    return ".".join(map(str, o))


# ------------------------------------------------------------- decoding
def dec_header(b, i):
    """(tag, content start, content length) of the TLV at i."""
    tag, n = b[i], b[i + 1]
    if n < 0x80:
        return tag, i + 2, n
    k = n & 0x7f
    return tag, i + 2 + k, int.from_bytes(b[i + 2:i + 2 + k], "big")


def dec_tlv(b, i):
    """(tag, content bytes, index after the TLV) of the TLV at i."""
    tag, start, n = dec_header(b, i)
    return tag, b[start:start + n], start + n


def dec_oid(c):
    """The content octets of an OID -> a tuple of ints."""
    ids, v = [], 0
    for x in c:
        v = (v << 7) | (x & 0x7f)
        if not x & 0x80:
            ids.append(v)
            v = 0
    first = ids[0]
    a = min(first // 40, 2)
    return tuple([a, first - 40 * a] + ids[1:])


# ----------------------------------------------------------------- SNMP
NULL = tlv(0x05, b"")
NO_SUCH_OBJECT = tlv(0x80, b"")
NO_SUCH_INSTANCE = tlv(0x81, b"")
END_OF_MIB = tlv(0x82, b"")
GET, GETNEXT, GETBULK = 0xa0, 0xa1, 0xa5


def parse(data):
    """A request -> (version, community, PDU tag, request-id bytes, error
    status / non-repeaters, error index / max-repetitions, [OID tuple])."""
    _, msg, _ = dec_tlv(data, 0)
    _, ver, i = dec_tlv(msg, 0)
    _, comm, i = dec_tlv(msg, i)
    ptag, pdu, _ = dec_tlv(msg, i)
    _, rid, j = dec_tlv(pdu, 0)
    _, a, j = dec_tlv(pdu, j)
    _, b, j = dec_tlv(pdu, j)
    _, vbl, _ = dec_tlv(pdu, j)
    oids, k = [], 0
    while k < len(vbl):
        _, vb, k = dec_tlv(vbl, k)
        _, o, _ = dec_tlv(vb, 0)
        oids.append(dec_oid(o))
    return (int.from_bytes(ver, "big"), comm, ptag, rid,
            int.from_bytes(a, "big", signed=True),
            int.from_bytes(b, "big", signed=True), oids)


def response(version, comm, rid, vbs, err=0, idx=0):
    """A GetResponse with varbinds [(OID tuple, value TLV)], error status
    err and error index idx (no error by default); rid: the request-id's
    content bytes as parsed."""
    vbl = b"".join(tlv(0x30, tlv(0x06, enc_oid_body(o)) + v) for o, v in vbs)
    pdu = tlv(0x02, rid) + enc_int(0x02, err) + enc_int(0x02, idx) + \
        tlv(0x30, vbl)
    return tlv(0x30, enc_int(0x02, version) + tlv(0x04, comm) +
               tlv(0xa2, pdu))


def answer(ptag, nonrep, reps, oids, mib, nxt):
    """The varbinds for a GET (from the dict mib, noSuchObject when not
    there), GETNEXT or GETBULK (nxt(oid) -> (next OID, value TLV))."""
    if ptag == GET:
        return [(o, mib.get(o, NO_SUCH_OBJECT)) for o in oids]
    if ptag == GETNEXT:
        return [nxt(o) for o in oids]
    nr = max(nonrep, 0)
    vbs = [nxt(o) for o in oids[:nr]]
    cur = list(oids[nr:])
    for _ in range(max(reps, 0)):
        row = [nxt(o) for o in cur]
        vbs += row
        cur = [o for o, _ in row]
        if all(v == END_OF_MIB for _, v in row):
            break
    return vbs


# ------------------------------------------------------------ responder
def bind(port, addr="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    return s


def mark_ready(path):
    """Tell the test (which waits for the file to be non-empty) that the
    socket is bound."""
    with open(path, "w") as f:
        f.write("ready\n")


def serve(s, handle):
    """For ever: read a request, parse it (dropping what does not parse),
    and send back what handle(parsed request, peer) returns, if not None."""
    while True:
        data, peer = s.recvfrom(65535)
        try:
            req = parse(data)
        except (IndexError, ValueError):
            continue
        out = handle(req, peer)
        if out is not None:
            s.sendto(out, peer)
