#!/usr/bin/env bash
# parallel-ssh.sh — poll one inventory from N machines at once with GNU
# parallel and ssh: machine K runs "snmpfleet --shard K/N", reading the
# inventory from this machine (on its stdin) and sending its records back
# (on its stdout).  The shards are disjoint and together cover the
# inventory, so the merged file has every target exactly once.
#
# usage: parallel-ssh.sh MACHINES INVENTORY OUTDIR [SNMPFLEET OPTION...]
#
#   MACHINES   a file with one ssh destination per line ([user@]host);
#              N is the number of lines, and line K+1 polls shard K.
#              The same list in the same order gives the same split.
#   INVENTORY  the inventory file (here; it is not copied anywhere).
#   OUTDIR     gets shard-K.jsonl and shard-K.log (stderr: the summary)
#              for each shard, then all.jsonl, the shards merged.
#   options    passed to every snmpfleet (OIDs too), e.g.
#              --deadline 240 --profile interfaces
#
# Each machine needs snmpfleet on its PATH and key-based ssh login
# (BatchMode: no password prompts).  Keep secrets out of the command line
# (other users see it in ps): give each machine a config file
# (~/.config or --config FILE with "community = ...", mode 0600), or set
# SNMPFLEET_COMMUNITY through ssh's SendEnv/AcceptEnv.
#
# The records are jsonl (whole lines), so merging is concatenation; the
# order of records within a shard, or of shards, carries no meaning.
#
# Exit status: the highest of the shards' (0 all answered, 1 some failed,
# 2 usage error, 3 locked, 4 deadline; 255 an ssh failure), so that cron
# or a wrapper can treat it as one snmpfleet run.
#
# Example:
#   printf '%s\n' poller1 poller2 poller3 >machines
#   ./parallel-ssh.sh machines /etc/snmpfleet/inventory /var/lib/snmpfleet/run \
#       --deadline 240 -q --profile system
#   jq -r 'select(.status != "ok") | .host' /var/lib/snmpfleet/run/all.jsonl
set -u

if [ $# -lt 3 ]; then
	echo "usage: $0 MACHINES INVENTORY OUTDIR [SNMPFLEET OPTION...]" >&2
	exit 2
fi
machines=$1 inventory=$2 outdir=$3
shift 3
command -v parallel >/dev/null 2>&1 || {
	echo "$0: GNU parallel is not installed (apt-get install parallel)" >&2
	exit 2
}
[ -r "$inventory" ] || { echo "$0: cannot read $inventory" >&2; exit 2; }
mapfile -t hosts < <(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$machines")
n=${#hosts[@]}
[ "$n" -ge 1 ] || { echo "$0: no machines in $machines" >&2; exit 2; }
mkdir -p "$outdir" || exit 2
rm -f "$outdir"/shard-*.jsonl "$outdir"/shard-*.log "$outdir/all.jsonl"

# The options, quoted for the remote shell (ssh hands its command line to
# a shell there), then once more for the local shell parallel runs each
# job with.  The records come back on stdout (-o -): nothing is left on
# the machines.
printf -v ropts ' %q' "$@"
printf -v opts '%q' "$ropts"
export SSH_OPTS=${SSH_OPTS:--o BatchMode=yes -o ConnectTimeout=10}

# One job per shard: {1} the machine, {2} the shard number.  --link pairs
# line K+1 of MACHINES with shard K.  ssh exits with snmpfleet's status.
# --joblog keeps every shard's exit status for the total below.
parallel --will-cite --jobs 0 --link --joblog "$outdir/joblog" \
    "ssh \$SSH_OPTS {1} snmpfleet --shard {2}/$n -i - -F jsonl -o - $opts \
        <$(printf '%q' "$inventory") >$(printf '%q' "$outdir")/shard-{2}.jsonl \
        2>$(printf '%q' "$outdir")/shard-{2}.log" \
    ::: "${hosts[@]}" ::: $(seq 0 $((n - 1)))

# Merge: concatenate the shards (whole lines; a shard that wrote nothing
# adds nothing).
cat "$outdir"/shard-*.jsonl >"$outdir/all.jsonl" 2>/dev/null

# The worst exit status of the shards (column 7 of the job log).
status=$(awk -F'\t' 'NR > 1 && $7 > max { max = $7 } END { print max + 0 }' \
    "$outdir/joblog")
for ((k = 0; k < n; k++)); do
	rc=$(awk -F'\t' -v s=$((k + 1)) '$1 == s { print $7 }' "$outdir/joblog")
	printf 'shard %d/%d on %s: exit %s %s\n' "$k" "$n" "${hosts[k]}" \
	    "${rc:-?}" "$(tail -n 1 "$outdir/shard-$k.log" 2>/dev/null)" >&2
done
exit "$status"
