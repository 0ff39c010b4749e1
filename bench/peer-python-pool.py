#!/usr/bin/env python3
"""bench/peer-python-pool.py — the common Python way to poll a fleet, as a
peer for bench-get.sh: a multiprocessing.Pool of worker processes, each
GETting the OIDs from one host at a time with easysnmp (net-snmp's
bindings; Debian: python3-easysnmp), and one JSON line per host appended to
one output file under a multiprocessing.Lock.

usage: peer-python-pool.py [-p PROCS] [-t TIMEOUT] [-r RETRIES]
                           HOSTS-FILE PORT OUTPUT OID...

Loopback benchmarks only: it sends to whatever HOSTS-FILE names.
"""
import argparse
import json
import multiprocessing
import sys

import easysnmp

_lock = None
_out = None
_args = None


def _init(lock, path, args):
    global _lock, _out, _args
    _lock = lock
    _out = open(path, "a", encoding="utf-8")
    _args = args


def _poll(host):
    rec = {"host": host, "port": _args.port}
    try:
        s = easysnmp.Session(hostname=host, remote_port=_args.port,
                             community="public", version=2,
                             timeout=_args.timeout, retries=_args.retries,
                             use_numeric=True)
        vbs = s.get(_args.oids)
        rec["status"] = "ok"
        rec["values"] = [{"oid": "%s.%s" % (v.oid.lstrip("."), v.oid_index)
                          if v.oid_index else v.oid.lstrip("."),
                          "type": v.snmp_type, "value": v.value}
                         for v in vbs]
    except easysnmp.EasySNMPTimeoutError:
        rec["status"] = "timeout"
    except Exception as e:  # one bad host must not stop the pool
        rec["status"] = "error"
        rec["error"] = str(e)
    line = json.dumps(rec) + "\n"
    with _lock:
        _out.write(line)
        _out.flush()
    return rec["status"] == "ok"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-p", "--procs", type=int, default=64)
    ap.add_argument("-t", "--timeout", type=int, default=1)
    ap.add_argument("-r", "--retries", type=int, default=2)
    ap.add_argument("hosts")
    ap.add_argument("port", type=int)
    ap.add_argument("output")
    ap.add_argument("oids", nargs="+")
    args = ap.parse_args()
    with open(args.hosts) as f:
        hosts = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    lock = multiprocessing.Lock()
    ok = 0
    with multiprocessing.Pool(args.procs, _init, (lock, args.output, args)) as pool:
        for r in pool.imap_unordered(_poll, hosts, chunksize=16):
            ok += r
    sys.stderr.write("peer-python-pool: %d hosts, %d ok\n" % (len(hosts), ok))
    return 0 if ok == len(hosts) else 1


if __name__ == "__main__":
    sys.exit(main())
