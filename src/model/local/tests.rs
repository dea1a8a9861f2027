use serde_json::json;

use super::*;

fn live() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "managedFields": [
                {"manager": "kdrift", "operation": "Apply", "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                        "k:{\"name\":\"app\"}": {".": {}, "f:name": {}, "f:image": {},
                            "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}},
                            "f:resources": {"f:limits": {"f:cpu": {}}}}}}}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {
                    "f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}},
                {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "fieldsV1": {"f:status": {}}}
            ]},
        "spec": {"replicas": 2, "revisionHistoryLimit": 10, "template": {"spec": {"containers": [
            {"name": "app", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
             "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {"limits": {"cpu": "1"}}}]}}},
        "status": {"replicas": 2}})
}

fn body() -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
             "resources": {"limits": {"cpu": "1000m"}}}]}}}})
}

#[test]
fn what_kdrift_applied_unchanged_is_synced() {
    assert!(locally_synced(&live(), &body(), "kdrift"));
}

#[test]
fn any_doubt_defers_to_the_dry_run() {
    let mut changed = body();
    changed["spec"]["replicas"] = json!(3);
    assert!(
        !locally_synced(&live(), &changed, "kdrift"),
        "a value Git changed"
    );
    let mut removed = body();
    removed["metadata"]["labels"]
        .as_object_mut()
        .expect("labels")
        .remove("app");
    assert!(
        !locally_synced(&live(), &removed, "kdrift"),
        "a field Git no longer sets"
    );
    let mut added = body();
    added["spec"]["minReadySeconds"] = json!(5);
    assert!(
        !locally_synced(&live(), &added, "kdrift"),
        "a field Git now sets"
    );
    let mut other = live();
    other["metadata"]["managedFields"]
        .as_array_mut()
        .expect("entries")
        .push(json!({"manager": "kubectl-label", "operation": "Update", "fieldsV1": {"f:metadata": {"f:labels": {"f:x": {}}}}}));
    assert!(!locally_synced(&other, &body(), "kdrift"), "another owner");
    let mut secret = body();
    secret["stringData"] = json!({"k": "v"});
    assert!(!locally_synced(&live(), &secret, "kdrift"));
    assert!(!locally_synced(&live(), &body(), "someone-else"));
}
