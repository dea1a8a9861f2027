#!/usr/bin/env bash
# End-to-end: `kdrift diff` next to `kubectl diff` on the local control plane, on the same
# N objects (default 1,000: 900 ConfigMaps, 100 Deployments), 10% drifted by other field
# managers. Prints wall time and peak memory (median of 3 runs) and their ratios, cold
# (kdrift's cache emptied) and warm, the dry-run requests of a diff right after the sync and
# of a warm one, and both tools' OutOfSync counts (so a failed peer run never reads as a win);
# fails unless kdrift's OutOfSync objects are exactly the ones drifted.
# N may list several sizes (N="1000 10000"): each is measured in turn on the same cluster,
# in a namespace of its own, deleted once measured.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
RUNS=${RUNS:-3}
# Pinned before XDG_CACHE_HOME is pointed at a scratch directory below: the cluster's `down`
# finds the processes it started by their binaries' paths under this cache.
export KDRIFT_CACHE_DIR=${KDRIFT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift}
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-$KDRIFT_CACHE_DIR/bench-cluster}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
trap 'bash tools/cluster/kdrift-cluster down' EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
KUBECTL="$KDRIFT_BIN_DIR/kubectl --kubeconfig $KDRIFT_ADMIN_KUBECONFIG"
cargo build --release --quiet
KDRIFT=$PWD/target/release/kdrift
SCRATCH=$(mktemp -d)
trap 'bash tools/cluster/kdrift-cluster down; rm -rf "$SCRATCH"' EXIT
source benches/scale_app.sh

kd() { "$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" "$@"; }
dry_runs() { grep -c 'dry-run' "$XDG_DATA_HOME/kdrift/kdrift.log" 2>/dev/null || true; }
measure() { # command...: prints "seconds kilobytes" (median of RUNS); COLD=1 empties kdrift's cache first
  local i
  for ((i = 0; i < RUNS; i++)); do
    [[ ${COLD:-0} == 1 ]] && rm -rf "$XDG_CACHE_HOME/kdrift"
    # Both tools exit 1 when something differs: the expected answer; more is a failure.
    /usr/bin/time -o "$REPO/time.out" -f '%e %M %x' "$@" >/dev/null 2>&1 || true
    read -r secs kb code < <(tail -1 "$REPO/time.out")
    if ((code > 1)); then
      echo "failed (exit $code): $*" >&2
      touch "$REPO/failed"
    fi
    echo "$secs $kb"
  done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}

bench_one() { # N
  local N=$1 REPO
  NS=kdrift-bench-$N
  REPO=$SCRATCH/$N
  mkdir -p "$REPO"
  write_app "$REPO" "$N"
  # Applied by `kdrift sync`, as an operator would: the sync records what it applied, so the
  # first diff after it needs no dry-run for objects nobody else touched.
  export XDG_CACHE_HOME=$REPO/cache XDG_DATA_HOME=$REPO/data KDRIFT_LOG=kdrift::dry_run=debug
  kd sync --yes --repo "$REPO" --path app --namespace "$NS" --app-name bench >/dev/null
  : >"$XDG_DATA_HOME/kdrift/kdrift.log"
  kd diff --repo "$REPO" --path app --namespace "$NS" --app-name bench >/dev/null || true
  echo "0% drifted, right after kdrift sync: $(dry_runs) dry-run request(s)"
  echo "applied $N objects; drifting 10%" >&2
  DRIFTED=$REPO/drifted drift_app "$N"
  settle_app

  KDIFF=("$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" diff --repo "$REPO" --path app --namespace "$NS" --app-name bench)
  read -r cold_secs cold_kb < <(COLD=1 measure "${KDIFF[@]}")
  : >"$XDG_DATA_HOME/kdrift/kdrift.log"
  "${KDIFF[@]}" >/dev/null || true
  warm_requests=$(dry_runs)
  read -r warm_secs warm_kb < <(measure "${KDIFF[@]}")
  # kubectl with kdrift's field manager and --force-conflicts (without it, kubectl stops at the
  # first conflict and prints no diff, which would time a failed run), on what kdrift applied:
  # Git plus kdrift's ApplySet membership label.
  part_of=$($KUBECTL -n "$NS" get configmap cm-0 -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/part-of}')
  mkdir -p "$REPO/applied"
  for f in "$REPO"/app/*.yaml; do
    sed "s|labels: {app.kdrift.dev/name: bench}|labels: {app.kdrift.dev/name: bench, applyset.kubernetes.io/part-of: $part_of}|" "$f" >"$REPO/applied/$(basename "$f")"
  done
  KCDIFF=($KUBECTL diff --server-side --force-conflicts --field-manager=kdrift -R -f "$REPO/applied")
  read -r c_secs c_kb < <(measure "${KCDIFF[@]}")
  [[ ! -e $REPO/failed ]] || { echo "a measured run failed: no figures" >&2; exit 1; }
  # The OutOfSync objects must be exactly the ones drift_app changed: the same set from
  # change to change, not only the same number.
  differing=$({ "${KDIFF[@]}" -o json || true; } | python3 -c '
import json, sys
doc = json.load(sys.stdin)
found = sorted(o["key"]["name"] for o in doc["objects"] if o["status"] == "OutOfSync")
drifted = sorted(open(sys.argv[1]).read().split())
print(len(found), "(the objects drifted)" if found == drifted else "(NOT the %d objects drifted)" % len(drifted))' "$REPO/drifted")
  k_differing=$({ "${KCDIFF[@]}" || true; } | grep -c '^diff ' || true)
  echo "objects: $N; OutOfSync: kdrift $differing, kubectl $k_differing (kubectl's diff cannot see labels and keys other managers add)"
  [[ $differing == *"(the objects drifted)" ]] || { echo "kdrift's OutOfSync set is not the drifted set" >&2; exit 1; }
  printf 'kdrift diff (cold cache): %6.2f s  %8d KiB peak\n' "$cold_secs" "$cold_kb"
  printf 'kdrift diff (warm cache): %6.2f s  %8d KiB peak  (%s dry-run requests)\n' "$warm_secs" "$warm_kb" "$warm_requests"
  printf 'kubectl diff:             %6.2f s  %8d KiB peak\n' "$c_secs" "$c_kb"
  python3 -c "print(f'ratio kdrift/kubectl: cold time {$cold_secs/$c_secs:.2f}, warm time {$warm_secs/$c_secs:.2f}, peak memory {$cold_kb/$c_kb:.2f}')"
  $KUBECTL delete namespace "$NS" --wait=false >/dev/null
}

for n in $N; do
  bench_one "$n"
done
