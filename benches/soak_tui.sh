#!/usr/bin/env bash
# Soak: the TUI open on an app of N ConfigMaps (default 1,000) while another field manager
# updates them U times in all (default 10,000, in rounds of 100 server-side applies), on a
# local control plane of its own. kdrift's resident memory is sampled every 5 s next to a
# peer watching the same churn (`kubectl get -w`); memory must level off: the mean of the
# last quarter of samples over that of the second quarter is printed, with the verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
U=${U:-10000}
NS=kdrift-soak
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift/bench-cluster}
REPO=$(mktemp -d)
WORK=$(mktemp -d)
SESSION=kdrift-soak-$$
cleanup() {
  tmux kill-session -t "$SESSION" 2>/dev/null || true
  [ -n "${PEER:-}" ] && kill "$PEER" 2>/dev/null || true
  [ -z "${KEEP_CLUSTER:-}" ] && bash tools/cluster/kdrift-cluster down
  rm -rf "$REPO" "$WORK"
}
trap cleanup EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
KUBECTL="$KDRIFT_BIN_DIR/kubectl --kubeconfig $KDRIFT_ADMIN_KUBECONFIG"
cargo build --release --quiet
KDRIFT=$PWD/target/release/kdrift

mkdir -p "$REPO/app"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n' "$NS" >"$REPO/app/ns.yaml"
for ((i = 0; i < N; i++)); do
  printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\ndata:\n  index: "%d"\n' "$i" "$NS" "$i"
done >"$REPO/app/maps.yaml"
git -C "$REPO" init -q -b main && git -C "$REPO" add -A &&
  git -C "$REPO" -c user.name=soak -c user.email=soak@example.test commit -qm soak
"$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" sync --yes --repo "$REPO" --path app -n "$NS" --app-name soak >/dev/null
echo "synced $N ConfigMaps" >&2

tmux new-session -d -s "$SESSION" -x 160 -y 50 "$KDRIFT --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO --path app -n $NS --app-name soak"
for _ in $(seq 1 240); do
  tmux capture-pane -p -t "$SESSION" | grep -q "Synced $N " && break
  sleep 0.5
done
tmux capture-pane -p -t "$SESSION" | grep -q "Synced $N " || { tmux capture-pane -p -t "$SESSION"; echo "the TUI never showed $N Synced" >&2; exit 1; }
pid=$(pgrep -n -f "release/kdrift --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO")
$KUBECTL get configmaps -n "$NS" -w -o name >/dev/null 2>&1 &
PEER=$!
rss() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

SAMPLES=$WORK/samples
: >"$SAMPLES"
sampler() {
  local t=0
  while kill -0 "$pid" 2>/dev/null; do
    printf '%d %s %s %s\n' "$t" "$(cat "$WORK/done" 2>/dev/null || echo 0)" "$(rss "$pid")" "$(rss "$PEER" 2>/dev/null || echo 0)" >>"$SAMPLES"
    sleep 5
    t=$((t + 5))
  done
}
echo 0 >"$WORK/done"
sampler &
SAMPLER=$!
rounds=$((U / 100))
for ((r = 1; r <= rounds; r++)); do
  start=$(((r * 100) % N))
  for ((j = 0; j < 100; j++)); do
    i=$(((start + j) % N))
    printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\ndata:\n  churn: "%d"\n' "$i" "$NS" "$r"
  done >"$WORK/round.yaml"
  $KUBECTL apply --server-side --field-manager=soak --force-conflicts -f "$WORK/round.yaml" >/dev/null
  echo $((r * 100)) >"$WORK/done"
done
echo "applied $U updates; letting the TUI settle" >&2
sleep 30
kill "$SAMPLER" 2>/dev/null || true
tmux capture-pane -p -t "$SESSION" | tail -2 >&2
echo "seconds updates kdrift_rss_MB kubectl_watch_rss_MB"
cat "$SAMPLES"
python3 - "$SAMPLES" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
rss = [float(r[2]) for r in rows]
peer = [float(r[3]) for r in rows]
q = max(1, len(rss) // 4)
second, last = rss[q:2 * q], rss[-q:]
growth = (sum(last) / len(last)) / (sum(second) / len(second))
print(f"kdrift RSS: first {rss[0]:.1f} MB, peak {max(rss):.1f} MB, last {rss[-1]:.1f} MB; "
      f"last quarter / second quarter = {growth:.2f} ({'levels off' if growth <= 1.15 else 'still growing'})")
print(f"peer (kubectl get -w) RSS: last {peer[-1]:.1f} MB; kdrift/peer = {rss[-1] / max(peer[-1], 0.1):.2f}")
PY
