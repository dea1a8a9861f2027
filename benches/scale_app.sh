# Sourced by the scale benches: the app of N objects (90% ConfigMaps, 10% Deployments) in
# a Git repository, and the 10% drift other field managers make once it is applied.
# Needs NS and, for drift_app and settle_app, KUBECTL.

# write_app REPO N: the app under REPO/app, committed. The tracking label is written in
# Git, so kubectl's server-side apply as field manager `kdrift` leaves the cluster exactly as
# `kdrift sync` would.
write_app() {
  local repo=$1 n=$2 i deployments
  mkdir -p "$repo/app"
  printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {app.kdrift.dev/name: bench}\n' "$NS" >"$repo/app/ns.yaml"
  deployments=$((n / 10))
  for ((i = 0; i < n - deployments; i++)); do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  namespace: %s\n  labels: {app.kdrift.dev/name: bench}\ndata:\n  index: "%d"\n  mode: prod\n' "$i" "$NS" "$i" >"$repo/app/cm-$i.yaml"
  done
  for ((i = 0; i < deployments; i++)); do
    printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-%d\n  namespace: %s\n  labels: {app.kdrift.dev/name: bench}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: web-%d}}\n  template:\n    metadata: {labels: {app: web-%d}}\n    spec:\n      containers:\n      - {name: app, image: "nginx:1.27"}\n' "$i" "$NS" "$i" "$i" >"$repo/app/web-$i.yaml"
  done
  git -C "$repo" init -q -b main && git -C "$repo" add -A &&
    git -C "$repo" -c user.name=bench -c user.email=bench@example.test commit -qm bench
}

# drift_app N: 10% of the objects changed by other managers: a value Git sets (kubectl-edit),
# a label Git does not set (kubectl-label), a Deployment scaled (kubectl-scale). The names of
# the objects changed go to the file DRIFTED names, if set.
drift_app() {
  local n=$1 i deployments=$(($1 / 10)) drifted=${DRIFTED:-/dev/null}
  for ((i = 0; i < n - deployments; i += 10)); do
    if ((i % 20 == 0)); then
      $KUBECTL -n "$NS" patch configmap "cm-$i" --type merge -p '{"data":{"mode":"debug"}}' --field-manager=kubectl-edit >/dev/null
    else
      $KUBECTL -n "$NS" label configmap "cm-$i" team=payments >/dev/null
    fi
    echo "cm-$i" >>"$drifted"
  done
  for ((i = 0; i < deployments; i += 10)); do
    $KUBECTL -n "$NS" scale deployment "web-$i" --replicas=3 >/dev/null
    echo "web-$i" >>"$drifted"
  done
}

# settle_app: waits (at most 5 minutes) until every Deployment of the app has all its
# replicas ready and its status current, so a measurement that follows sees a cluster at
# rest, not the rollouts drift_app started (each pod and status write is a watch event).
settle_app() {
  local i unsettled
  for ((i = 0; i < 300; i++)); do
    unsettled=$($KUBECTL -n "$NS" get deployments -o jsonpath='{range .items[*]}{.metadata.generation}/{.status.observedGeneration}/{.spec.replicas}/{.status.readyReplicas}/{.status.updatedReplicas}{"\n"}{end}' |
      awk -F/ '$1 != $2 || $3 != $4 || $3 != $5' | wc -l)
    ((unsettled == 0)) && return 0
    sleep 1
  done
  echo "settle_app: $unsettled Deployments still rolling out after 5 minutes" >&2
  return 1
}
