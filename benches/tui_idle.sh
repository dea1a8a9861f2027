#!/usr/bin/env bash
# Idle CPU of the TUI: kdrift open on a small app in tmux against a local control plane of
# its own, nobody typing, CPU time over 10 s (health is polled every 5 s; the app's drift
# is re-evaluated only when a watched object changes).
set -euo pipefail
cd "$(dirname "$0")/.."
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift/bench-cluster}
REPO=$(mktemp -d)
SESSION=kdrift-idle-$$
trap 'tmux kill-session -t "$SESSION" 2>/dev/null || true; bash tools/cluster/kdrift-cluster down; rm -rf "$REPO"' EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
cargo build --release --quiet
mkdir -p "$REPO/app"
for i in 1 2 3; do
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\ndata:\n  a: "1"\n' "$i" >"$REPO/app/cm-$i.yaml"
done
git -C "$REPO" init -q -b main && git -C "$REPO" add -A &&
  git -C "$REPO" -c user.name=bench -c user.email=bench@example.test commit -qm idle
tmux new-session -d -s "$SESSION" -x 120 -y 40 "$PWD/target/release/kdrift --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO --path app"
sleep 5
pid=$(pgrep -n -f "target/release/kdrift --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep 10
after=$(ticks)
python3 -c "print(f'idle CPU over 10 s: {($after-$before)/$hz:.3f} s of CPU time ({($after-$before)/$hz/10*100:.2f}% of one core)')"
