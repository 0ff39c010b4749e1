#!/usr/bin/env python3
"""layering.py LIB — the calls between src/ files, read from the symbols
of the objects in LIB (nm): prints one line per cycle of files that
call each other (directly or around a loop), with the symbols of each
edge, then "cycles N".  Data references count too (a table of another
file's functions is a dependency on that file)."""
import collections
import subprocess
import sys

out = subprocess.run(["nm", "-A", sys.argv[1]], capture_output=True,
                     text=True, check=True).stdout
defs, uses = {}, collections.defaultdict(set)
for line in out.splitlines():
    where, _, rest = line.rpartition(":")
    obj = where.split(":")[-1]
    f = rest.split()
    if len(f) == 3 and f[1] in "TDBRCG":
        defs[f[2]] = obj
    elif len(f) == 2 and f[0] == "U":
        uses[obj].add(f[1])
edges = collections.defaultdict(set)
for obj, syms in uses.items():
    for s in syms:
        if s in defs and defs[s] != obj:
            edges[obj].add(defs[s])

# Tarjan's strongly connected components, iteratively
index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]
for root in sorted(set(edges) | set(defs.values())):
    if root in index:
        continue
    work = [(root, iter(sorted(edges[root])))]
    index[root] = low[root] = n[0]; n[0] += 1
    stack.append(root); on.add(root)
    while work:
        v, it = work[-1]
        w = next(it, None)
        if w is not None:
            if w not in index:
                index[w] = low[w] = n[0]; n[0] += 1
                stack.append(w); on.add(w)
                work.append((w, iter(sorted(edges[w]))))
            elif w in on:
                low[v] = min(low[v], index[w])
            continue
        work.pop()
        if work:
            low[work[-1][0]] = min(low[work[-1][0]], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop(); on.discard(w); comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(sorted(comp))
for comp in comps:
    print("cycle:", " ".join(comp))
    for a in comp:
        for b in sorted(edges[a] & set(comp)):
            why = sorted(s for s in uses[a] if defs.get(s) == b)
            print("  %s -> %s: %s" % (a, b, ", ".join(why[:5])))
print("cycles", len(comps))
