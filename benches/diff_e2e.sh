#!/usr/bin/env bash
# End-to-end: `kdrift diff` next to `kubectl diff` on the local control plane, on the same
# N objects (default 1,000: 900 ConfigMaps, 100 Deployments), 10% drifted by other field
# managers. Prints wall time and peak memory (median of 3 runs) and their ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
RUNS=${RUNS:-3}
NS=kdrift-bench
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift/bench-cluster}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
trap 'bash tools/cluster/kdrift-cluster down' EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
KUBECTL="$KDRIFT_BIN_DIR/kubectl --kubeconfig $KDRIFT_ADMIN_KUBECONFIG"
cargo build --release --quiet
KDRIFT=$PWD/target/release/kdrift

REPO=$(mktemp -d)
trap 'bash tools/cluster/kdrift-cluster down; rm -rf "$REPO"' EXIT
mkdir -p "$REPO/app"
# The tracking label is written in Git, so kubectl's server-side apply as field manager
# `kdrift` leaves the cluster exactly as `kdrift sync` would.
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {app.kdrift.dev/name: bench}\n' "$NS" >"$REPO/app/ns.yaml"
deployments=$((N / 10))
for ((i = 0; i < N - deployments; i++)); do
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\n  labels: {app.kdrift.dev/name: bench}\ndata:\n  index: "%d"\n  mode: prod\n' "$i" "$NS" "$i" >"$REPO/app/cm-$i.yaml"
done
for ((i = 0; i < deployments; i++)); do
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d\n  namespace: %s\n  labels: {app.kdrift.dev/name: bench}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web-%d}}\n  template:\n    metadata: {labels: {app: web-%d}}\n    spec:\n      containers:\n      - {name: app, image: "nginx:1.27"}\n' "$i" "$NS" "$i" "$i" >"$REPO/app/web-$i.yaml"
done
git -C "$REPO" init -q -b main && git -C "$REPO" add -A &&
  git -C "$REPO" -c user.name=bench -c user.email=bench@example.test commit -qm bench
$KUBECTL apply --server-side --field-manager=kdrift -f "$REPO/app/ns.yaml" >/dev/null
$KUBECTL apply --server-side --field-manager=kdrift -R -f "$REPO/app" >/dev/null
echo "applied $N objects; drifting 10%" >&2
for ((i = 0; i < N - deployments; i += 10)); do
  if ((i % 20 == 0)); then
    $KUBECTL -n "$NS" patch configmap "cm-$i" --type merge -p '{"data":{"mode":"debug"}}' --field-manager=kubectl-edit >/dev/null
  else
    $KUBECTL -n "$NS" label configmap "cm-$i" team=payments >/dev/null
  fi
done
for ((i = 0; i < deployments; i += 10)); do
  $KUBECTL -n "$NS" scale deployment "web-$i" --replicas=3 >/dev/null
done

measure() { # label, command...: prints "seconds kilobytes" (median of RUNS)
  local label=$1 i out
  shift
  for ((i = 0; i < RUNS; i++)); do
    # Both tools exit 1 when something differs: that is the expected answer here.
    /usr/bin/time -o "$REPO/time.out" -f '%e %M' "$@" >/dev/null 2>&1 || true
    tail -1 "$REPO/time.out"
  done | sort -n | sed -n "$(((RUNS + 1) / 2))p"
}
read -r k_secs k_kb < <(measure kdrift "$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" diff --repo "$REPO" --path app --namespace "$NS" --app-name bench)
read -r c_secs c_kb < <(measure kubectl $KUBECTL diff --server-side --field-manager=kdrift -R -f "$REPO/app")
differing=$({ "$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" diff --repo "$REPO" --path app --namespace "$NS" --app-name bench -o json || true; } | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["OutOfSync"])')
echo "objects: $N, OutOfSync according to kdrift: $differing"
printf 'kdrift diff:  %6.2f s  %8d KiB peak\n' "$k_secs" "$k_kb"
printf 'kubectl diff: %6.2f s  %8d KiB peak\n' "$c_secs" "$c_kb"
python3 -c "print(f'ratio kdrift/kubectl: time {$k_secs/$c_secs:.2f}, peak memory {$k_kb/$c_kb:.2f}')"
