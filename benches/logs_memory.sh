#!/usr/bin/env bash
# Memory of the logs pane on a chatty pod: kdrift (release) in tmux against a local control
# plane of its own, the logs pane following one pod (a node's kube-proxy) while a writer
# appends 1,000 lines per second to the pod's log for a minute. Prints kdrift's resident
# memory every 5 s; with the default buffer (10,000 lines) it must level off, not climb.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${SECONDS_TO_RUN:-60}
RATE=${RATE:-1000}
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift/bench-cluster}
REPO=$(mktemp -d)
SESSION=kdrift-logs-$$
WRITER=
trap '[ -n "$WRITER" ] && kill "$WRITER" 2>/dev/null; tmux kill-session -t "$SESSION" 2>/dev/null || true; bash tools/cluster/kdrift-cluster down; rm -rf "$REPO"' EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
cargo build --release --quiet
mkdir -p "$REPO/app"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  a: "1"\n' >"$REPO/app/cm.yaml"
git -C "$REPO" init -q -b main && git -C "$REPO" add -A &&
  git -C "$REPO" -c user.name=bench -c user.email=bench@example.test commit -qm logs
tmux new-session -d -s "$SESSION" -x 160 -y 45 "$PWD/target/release/kdrift --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO --path app"
# Rows: cluster, control plane + 4 components, nodes, the first node, its kubelet, its kube-proxy.
for _ in $(seq 9); do sleep 0.3; tmux send-keys -t "$SESSION" j; done
sleep 0.5
tmux send-keys -t "$SESSION" l
for _ in $(seq 50); do
  tmux capture-pane -p -t "$SESSION" | grep -q "streaming" && break
  sleep 0.2
done
tmux capture-pane -p -t "$SESSION" | grep -q "Logs: kube-proxy" || {
  echo "the logs pane did not open:" >&2
  tmux capture-pane -p -t "$SESSION" >&2
  exit 1
}
pid=$(pgrep -n -f "target/release/kdrift --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO")
python3 - "$KDRIFT_POD_LOG_FILE" "$RATE" "$SECONDS_TO_RUN" <<'PY' &
import sys, time, datetime
path, rate, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start = time.time()
n = 0
with open(path, "a", buffering=1 << 16) as f:
    while time.time() - start < secs + 5:
        due = int((time.time() - start) * rate)
        while n < due:
            now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            f.write(f"{now} stdout F chatty line {n} " + "x" * 60 + "\n")
            n += 1
        f.flush()
        time.sleep(0.01)
PY
WRITER=$!
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
echo "kdrift pid $pid, ${RATE} lines/s for ${SECONDS_TO_RUN}s"
printf '%6s %10s  %s\n' "t (s)" "RSS (KiB)" "logs pane"
start_ticks=$(ticks)
for ((t = 0; t <= SECONDS_TO_RUN; t += 5)); do
  state=$(tmux capture-pane -p -t "$SESSION" | sed -n 2p | sed 's/[│]//g; s/  */ /g' | cut -c1-90)
  printf '%6d %10d  %s\n' "$t" "$(rss)" "$state"
  [ "$t" -lt "$SECONDS_TO_RUN" ] && sleep 5
done
end_ticks=$(ticks)
python3 -c "print(f'CPU: {($end_ticks-$start_ticks)/$hz:.2f} s over ${SECONDS_TO_RUN} s ({($end_ticks-$start_ticks)/$hz/${SECONDS_TO_RUN}*100:.1f}% of one core)')"
