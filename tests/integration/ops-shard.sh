#!/usr/bin/env bash
# ops-shard.sh — --shard K/N polls only the targets whose jump consistent
# hash of "host:port" is K.  For every N from 1 to 16 the shards of a
# 10,000-target inventory are disjoint, their union is the inventory, and
# their records merged are the records of one unsharded run.  The
# partition is stable: it does not depend on the order of the inventory,
# adding 1,000 targets moves none of the old ones, and going from N to
# N+1 shards moves only targets into the new shard (about 1/(N+1) of
# them).  --shard auto/N takes K from JOB_COMPLETION_INDEX (Kubernetes
# Indexed Job) or SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (Slurm
# array).  Bad specifications are usage errors (exit 2).
# Loopback only: snmpfleet-sim answers as every 127.x.y.z.
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_snmpfleet
need_python
start_sim

plan 42

T=$LIB_TMP
SP=$SIM_PORT
NT=10000
MAXN=16
mkdir -p "$T/shards" "$T/grown"

make_hosts "$NT" | sed "s/\$/:$SP/" >"$T/inventory"

# poll INVENTORY OUT [OPTION...] — one run; its exit status in RC.
poll() {
	local inv=$1 out=$2
	shift 2
	"$SNMPFLEET" -i "$inv" -j 1024 -t 1 -r 3 -F jsonl -o "$out" "$@" \
	    sysName.0 sysDescr.0 sysObjectID.0 </dev/null 2>>"$T/stderr"
	RC=$?
}

# ------------------------------------------------------ one unsharded run
poll "$T/inventory" "$T/all.jsonl" --stats-file "$T/all.json"
is "$RC" 0 "an unsharded run of $NT targets: every one ok"

# ------------------------------------------------- N = 1..16, every K
bad_runs=0
for ((n = 1; n <= MAXN; n++)); do
	for ((k = 0; k < n; k++)); do
		poll "$T/inventory" "$T/shards/$k-$n.jsonl" --shard "$k/$n" \
		    --stats-file "$T/shards/$k-$n.json"
		if [ "$RC" != 0 ]; then
			bad_runs=$((bad_runs + 1))
			diag "--shard $k/$n: exit $RC"
		fi
		# an empty shard writes no file
		[ -f "$T/shards/$k-$n.jsonl" ] || : >"$T/shards/$k-$n.jsonl"
	done
done
is "$bad_runs" 0 "the $((MAXN * (MAXN + 1) / 2)) shard runs (N = 1..$MAXN) all exit 0"

cat >"$T/shards.py" <<'PY'
import json, os, sys

d, inv_path, all_path, maxn = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def key(r):
    return "%s:%d" % (r["host"], r["port"])

def norm(r):
    # the record without what differs from run to run
    return json.dumps([r["host"], r["port"], r["status"], r.get("error"),
                       r["values"]], sort_keys=True)

inv = [l.split()[0] for l in open(inv_path) if l.strip()]
whole = sorted(norm(json.loads(l)) for l in open(all_path))
assign = {}      # N -> {target: K}
problems = []
for n in range(1, maxn + 1):
    seen, merged = {}, []
    for k in range(n):
        recs = [json.loads(l) for l in open(os.path.join(d, "%d-%d.jsonl" % (k, n)))]
        st = json.load(open(os.path.join(d, "%d-%d.json" % (k, n))))
        if st["targets"] != len(recs):
            problems.append("N=%d K=%d: stats say %d targets, %d records"
                            % (n, k, st["targets"], len(recs)))
        for r in recs:
            t = key(r)
            if t in seen:
                problems.append("N=%d: %s in shards %d and %d" % (n, t, seen[t], k))
            seen[t] = k
            merged.append(norm(r))
    if sorted(seen) != sorted(inv):
        problems.append("N=%d: the union of the shards is not the inventory "
                        "(%d of %d targets)" % (n, len(seen), len(inv)))
    if sorted(merged) != whole:
        problems.append("N=%d: the merged records differ from the unsharded run" % n)
    assign[n] = seen
    sizes = [sum(1 for v in seen.values() if v == k) for k in range(n)]
    print("sizes", n, min(sizes), max(sizes))
# N -> N+1: targets move only into the new shard N, about 1/(N+1) of them
for n in range(1, maxn):
    a, b = assign[n], assign[n + 1]
    moved = [t for t in a if a[t] != b.get(t)]
    wrong = [t for t in moved if b.get(t) != n]
    if wrong:
        problems.append("N=%d->%d: %d targets moved between old shards" % (n, n + 1, len(wrong)))
    frac = len(moved) / len(a)
    print("moved", n, n + 1, len(moved), "%.4f" % frac, "%.4f" % (1 / (n + 1)))
    if abs(frac - 1 / (n + 1)) > 0.03:   # 6 sigma at N=1, more above
        problems.append("N=%d->%d: %.4f of the targets moved, not about 1/%d"
                        % (n, n + 1, frac, n + 1))
json.dump({str(n): assign[n] for n in assign}, open(os.path.join(d, "assign.json"), "w"))
print("problems", len(problems))
for p in problems[:20]:
    print("problem", p)
PY
python3 "$T/shards.py" "$T/shards" "$T/inventory" "$T/all.jsonl" "$MAXN" >"$T/facts"
diag "$(grep -e '^moved' -e '^problem ' "$T/facts" | head -40)"
is "$(sed -n 's/^problems //p' "$T/facts")" 0 \
    "N = 1..$MAXN: shards disjoint, their union the inventory, merged records = the unsharded run's, stats agree; N -> N+1 moves targets only into the new shard, about 1/(N+1) of them"
# one assertion per N, for a readable report
for ((n = 1; n <= MAXN; n++)); do
	sizes=$(awk -v n=$n '$1 == "sizes" && $2 == n { print $3 ".." $4 }' "$T/facts")
	is "${sizes:+found}/$(grep -c "^problem N=${n}[:-]" "$T/facts")" "found/0" \
	    "N=$n: shard sizes ${sizes:-?} of $NT, disjoint, complete, same records"
done
# balance: with 10,000 targets no shard of 16 is far from 625 (the sim's
# port is part of the hash, so sizes vary from run to run: +-5 sigma)
read -r _ _ lo hi < <(grep "^sizes $MAXN " "$T/facts")
ok $(( lo > 500 && hi < 750 ? 0 : 1 )) "N=$MAXN: shards are balanced ($lo..$hi targets, 625 on average)"

# shardof N TARGET... — the shard of each target in the N-shard runs
shardof() {
	python3 -c 'import json, sys
a = json.load(open(sys.argv[1]))[sys.argv[2]]
print(" ".join(str(a[t]) for t in sys.argv[3:]))' "$T/shards/assign.json" "$@"
}

# hosts FILE — the sorted host:port list of a jsonl file
hosts() {
	python3 -c 'import json, sys
print("\n".join(sorted("%s:%d" % (r["host"], r["port"]) for r in map(json.loads, open(sys.argv[1])))))' "$1"
}

# ------------------------------------------- a bigger, reordered inventory
# 1,000 more targets, and everything shuffled: no old target changes shard.
{
	cat "$T/inventory"
	make_hosts $((NT + 1000)) | tail -n 1000 | sed "s/\$/:$SP/"
} | shuf --random-source=<(yes) >"$T/grown-inventory"
for n in 2 5 16; do
	for ((k = 0; k < n; k++)); do
		poll "$T/grown-inventory" "$T/grown/$k-$n.jsonl" --shard "$k/$n"
	done
	python3 - "$T/grown" "$n" "$T/shards/assign.json" "$T/inventory" >"$T/grown.facts" <<'PY'
import json, sys
d, n = sys.argv[1], sys.argv[2]
old = json.load(open(sys.argv[3]))[n]
now = {}
for k in range(int(n)):
    for l in open("%s/%d-%s.jsonl" % (d, k, n)):
        r = json.loads(l)
        now["%s:%d" % (r["host"], r["port"])] = k
print("total", len(now))
print("moved", sum(1 for t in old if now.get(t) != old[t]))
print("new", len(set(now) - set(old)))
PY
	m=$(sed -n 's/^moved //p' "$T/grown.facts")
	is "$(sed -n 's/^total //p' "$T/grown.facts")/$(sed -n 's/^new //p' "$T/grown.facts")/$m" \
	    "$((NT + 1000))/1000/0" \
	    "N=$n: with 1,000 targets added and the inventory shuffled, all $((NT + 1000)) are polled and none of the old $NT changes shard"
done

# ------------------------------------------------------- --shard auto/N
auto() {
	# auto OUT VAR=VALUE... — --shard auto/4 with exactly these variables
	local out=$1
	shift
	env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN "$@" \
	    "$SNMPFLEET" -i "$T/inventory" -j 1024 -t 1 -r 3 -F jsonl -o "$out" \
	    --shard auto/4 sysName.0 sysDescr.0 sysObjectID.0 </dev/null 2>>"$T/stderr"
}
hosts "$T/shards/2-4.jsonl" >"$T/want-2-4"
hosts "$T/shards/3-4.jsonl" >"$T/want-3-4"
auto "$T/k8s.jsonl" JOB_COMPLETION_INDEX=2
is "$?" 0 "--shard auto/4 with JOB_COMPLETION_INDEX=2: exit 0"
hosts "$T/k8s.jsonl" >"$T/got"
is_file "$T/got" "$T/want-2-4" "--shard auto/4 with JOB_COMPLETION_INDEX=2 polls shard 2/4"
auto "$T/slurm.jsonl" SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1
is "$?" 0 "--shard auto/4 with SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=1: exit 0"
hosts "$T/slurm.jsonl" >"$T/got"
is_file "$T/got" "$T/want-2-4" "--shard auto/4 with SLURM_ARRAY_TASK_ID=3, SLURM_ARRAY_TASK_MIN=1 polls shard 2/4"
auto "$T/slurm0.jsonl" SLURM_ARRAY_TASK_ID=3
hosts "$T/slurm0.jsonl" >"$T/got"
is_file "$T/got" "$T/want-3-4" "--shard auto/4 with SLURM_ARRAY_TASK_ID=3 and no SLURM_ARRAY_TASK_MIN polls shard 3/4"
auto "$T/both.jsonl" JOB_COMPLETION_INDEX=2 SLURM_ARRAY_TASK_ID=3 SLURM_ARRAY_TASK_MIN=0
hosts "$T/both.jsonl" >"$T/got"
is_file "$T/got" "$T/want-2-4" "JOB_COMPLETION_INDEX wins over SLURM_ARRAY_TASK_ID"

# the same shard with -P 2, and in a config file
poll "$T/inventory" "$T/p2.jsonl" --shard 2/4 -P 2
hosts "$T/p2.jsonl" >"$T/got"
is_file "$T/got" "$T/want-2-4" "--shard 2/4 with -P 2 polls the same targets"
printf 'shard = 2/4\n' >"$T/shard.conf"
poll "$T/inventory" "$T/conf.jsonl" --config "$T/shard.conf"
hosts "$T/conf.jsonl" >"$T/got"
is_file "$T/got" "$T/want-2-4" "shard = 2/4 in a config file does the same"

# ------------------------------------------------------- bad specs
bad() {
	# bad DESC SPEC [VAR=VALUE...]
	local desc=$1 spec=$2 rc
	shift 2
	env -u JOB_COMPLETION_INDEX -u SLURM_ARRAY_TASK_ID -u SLURM_ARRAY_TASK_MIN "$@" \
	    "$SNMPFLEET" -H "127.0.0.1:$SP" --shard "$spec" sysName.0 \
	    </dev/null >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	if [ "$rc" = 2 ] && [ ! -s "$T/bad.out" ] && grep -q -- "--shard" "$T/bad.err"; then
		pass "$desc: exit 2, nothing polled, the message names --shard"
	else
		fail "$desc: exit 2, nothing polled, the message names --shard"
		diag "exit $rc; stdout: $(head -c 300 "$T/bad.out"); stderr: $(cat "$T/bad.err")"
	fi
}
bad "--shard 5/4 (K >= N)" 5/4
bad "--shard 4/4 (K >= N)" 4/4
bad "--shard x/2" x/2
bad "--shard 0/0" 0/0
bad "--shard 1/ (no N)" 1/
bad "--shard 2/4x" 2/4x
bad "--shard -1/4" -1/4
bad "--shard 0/65537 (N too big)" 0/65537
bad "--shard auto/3 with neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID" auto/3
bad "--shard auto/4 with JOB_COMPLETION_INDEX=4 (out of range)" auto/4 JOB_COMPLETION_INDEX=4
bad "--shard auto/4 with JOB_COMPLETION_INDEX=abc" auto/4 JOB_COMPLETION_INDEX=abc

done_testing
