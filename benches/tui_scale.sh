#!/usr/bin/env bash
# The TUI at scale: kdrift open in tmux on the app of N objects (default 10,000: 90%
# ConfigMaps, 10% Deployments, 10% drifted by other field managers) on a local control plane
# of its own, with an empty cache. From kdrift's own milestones (KDRIFT_LOG=kdrift::frames):
# process start to the first frame, to the tree with every object, to every verdict (with
# the counts); then resident memory once settled, idle CPU over 20 s, and the time from each
# of K key presses (default 200) to the frame that shows it: median, p99, and how many were
# answered.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
KEYS=${KEYS:-200}
NS=kdrift-bench
export KDRIFT_CACHE_DIR=${KDRIFT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/kdrift}
export KDRIFT_CLUSTER_DIR=${KDRIFT_CLUSTER_DIR:-$KDRIFT_CACHE_DIR/bench-cluster}
SOCKET=kdrift-scale-$$
REPO=$(mktemp -d)
cleanup() {
  tmux -L "$SOCKET" kill-server 2>/dev/null || true
  [ -n "${KEEP_CLUSTER:-}" ] || bash tools/cluster/kdrift-cluster down
  rm -rf "$REPO"
}
trap cleanup EXIT
bash tools/cluster/kdrift-cluster up
eval "$(bash tools/cluster/kdrift-cluster env)"
KUBECTL="$KDRIFT_BIN_DIR/kubectl --kubeconfig $KDRIFT_ADMIN_KUBECONFIG"
cargo build --release --quiet
KDRIFT=$PWD/target/release/kdrift
source benches/scale_app.sh
write_app "$REPO" "$N"
export XDG_CACHE_HOME=$REPO/cache XDG_DATA_HOME=$REPO/data
APP=(--repo "$REPO" --path app --namespace "$NS" --app-name bench)
"$KDRIFT" --kubeconfig "$KDRIFT_ADMIN_KUBECONFIG" sync --yes "${APP[@]}" >/dev/null
drift_app "$N"
settle_app
echo "applied $N objects, 10% drifted; opening the TUI with an empty cache" >&2
rm -rf "$XDG_CACHE_HOME/kdrift"
LOG=$XDG_DATA_HOME/kdrift/kdrift.log
: >"$LOG"
tmux -L "$SOCKET" new-session -d -x 160 -y 50 \
  "env XDG_CACHE_HOME=$XDG_CACHE_HOME XDG_DATA_HOME=$XDG_DATA_HOME KDRIFT_LOG=kdrift::frames=debug $KDRIFT --kubeconfig $KDRIFT_ADMIN_KUBECONFIG ${APP[*]}"
for _ in $(seq 1 600); do
  grep -q 'every verdict' "$LOG" && break
  sleep 0.5
done
grep -q 'every verdict' "$LOG" || {
  tmux -L "$SOCKET" capture-pane -p
  echo "the TUI never had every verdict" >&2
  exit 1
}
pid=$(pgrep -n -f "$KDRIFT --kubeconfig $KDRIFT_ADMIN_KUBECONFIG --repo $REPO")
sleep 10
rss_mb=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
before=$(ticks)
sleep 20
after=$(ticks)
idle=$(python3 -c "print(f'{($after - $before) / $(getconf CLK_TCK) / 20 * 100:.2f}')")
# Moves through the tree (each selection loads its diff), pages, and back.
moves=(j j j k NPage j k PPage j Down)
for ((i = 0; i < KEYS; i++)); do
  tmux -L "$SOCKET" send-keys "${moves[i % ${#moves[@]}]}"
  sleep 0.05
done
sleep 2
tmux -L "$SOCKET" send-keys q
python3 - "$LOG" "$KEYS" "$rss_mb" "$idle" <<'PY'
import re, sys
log, keys, rss, idle = open(sys.argv[1]).read(), int(sys.argv[2]), sys.argv[3], sys.argv[4]
def at(name):
    m = re.search(rf'ms=([0-9.]+).*{name}', log) or re.search(rf'{name}.*ms=([0-9.]+)', log)
    return float(m.group(1)) if m else float('nan')
counts = re.search(r'counts=(.*?) +every verdict|every verdict.*counts=(.*)', log)
objects = re.search(r'objects=(\d+)', log)
times = sorted(int(u) / 1000 for u in re.findall(r'us=(\d+).*key to frame|key to frame.*us=(\d+)', log) for u in u if u)
print(f"process start -> first frame:             {at('first frame'):8.0f} ms")
print(f"process start -> Git read:                {at('Git read'):8.0f} ms")
print(f"process start -> tree with every object:  {at('tree with every object'):8.0f} ms ({objects.group(1) if objects else '?'} objects)")
print(f"process start -> every verdict:           {at('every verdict'):8.0f} ms ({next(g for g in counts.groups() if g) if counts else '?'})")
print(f"resident memory, settled:                 {rss:>8} MB")
print(f"idle CPU over 20 s:                       {idle:>8} % of a core")
if times:
    p = lambda q: times[min(len(times) - 1, int(len(times) * q))]
    print(f"key to frame: median {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, worst {times[-1]:.1f} ms; {len(times)} of {keys} key presses answered")
else:
    print(f"key to frame: none of {keys} key presses answered")
PY
