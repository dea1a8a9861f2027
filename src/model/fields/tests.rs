use serde_json::json;

use super::*;

fn live_deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": "web", "namespace": "app",
            "labels": {"app": "web", "team": "payments"},
            "annotations": {"deployment.kubernetes.io/revision": "2"},
            "managedFields": [
                {"manager": "kdrift", "operation": "Apply", "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {
                        "k:{\"name\":\"app\"}": {".": {}, "f:name": {}, "f:image": {}}}}}}}},
                {"manager": "kubectl-label", "operation": "Update", "time": "2026-01-01T00:00:00Z",
                 "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}}}}},
                {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {"f:containers": {
                    "k:{\"name\":\"app\"}": {"f:env": {".": {}, "k:{\"name\":\"DEBUG\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}},
                {"manager": "kubectl-scale", "operation": "Update", "subresource": "scale",
                 "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                {"manager": "kube-controller-manager", "operation": "Update",
                 "fieldsV1": {"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}},
                {"manager": "kubectl-create", "operation": "Update",
                 "fieldsV1": {"f:spec": {"f:revisionHistoryLimit": {}, "f:progressDeadlineSeconds": {}}}}
            ]
        },
        "spec": {
            "replicas": 5, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "template": {"spec": {"containers": [
                {"name": "app", "image": "nginx:1.27", "env": [{"name": "DEBUG", "value": "1"}]}
            ]}}
        }
    })
}

fn reference() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "app", "labels": {"app": "web"}},
        "spec": {
            "replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
        }
    })
}

#[test]
fn foreign_fields_are_found_and_attributed() {
    let drift = live_drift(&live_deployment(), &reference(), "kdrift");
    let paths: Vec<(&str, &str)> = drift
        .iter()
        .map(|d| (d.path.as_str(), d.manager.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("metadata.labels.team", "kubectl-label"),
            (
                "spec.template.spec.containers[name=app].env",
                "kubectl-edit"
            ),
            ("spec.replicas", "kubectl-scale"),
        ]
    );
    assert_eq!(drift[0].live, json!("payments"));
    assert_eq!(drift[0].git, None);
    assert_eq!(drift[0].time.as_deref(), Some("2026-01-01T00:00:00Z"));
}

#[test]
fn defaults_owned_by_creators_and_controllers_are_not_drift() {
    let drift = live_drift(&live_deployment(), &reference(), "kdrift");
    assert!(
        !drift
            .iter()
            .any(|d| d.path.contains("revisionHistoryLimit"))
    );
    assert!(!drift.iter().any(|d| d.manager == "kube-controller-manager"));
}

#[test]
fn a_field_git_sets_but_another_manager_changed_is_drift() {
    let mut live = live_deployment();
    live["metadata"]["managedFields"][3] = json!({"manager": "kubectl-scale", "operation": "Update",
        "fieldsV1": {"f:spec": {"f:replicas": {}}}});
    let drift = live_drift(&live, &reference(), "kdrift");
    let replicas = drift
        .iter()
        .find(|d| d.path == "spec.replicas")
        .expect("replicas drift");
    assert_eq!(replicas.manager, "kubectl-scale");
    assert_eq!(replicas.live, json!(5));
    assert_eq!(replicas.git, Some(json!(2)));
    assert!(
        replicas
            .to_string()
            .contains("spec.replicas = 5 (Git: 2)  by kubectl-scale")
    );
}

#[test]
fn paths_display_and_lookup() {
    let path = vec![
        Seg::Field("spec".into()),
        Seg::Field("ports".into()),
        Seg::Key(serde_json::from_str(r#"{"port":80,"protocol":"TCP"}"#).expect("keys")),
        Seg::Field("name".into()),
    ];
    assert_eq!(display_path(&path), "spec.ports[port=80,protocol=TCP].name");
    let v = json!({"spec": {"ports": [{"port": 80, "protocol": "TCP", "name": "http"}]}});
    assert_eq!(lookup(&v, &path), Some(&json!("http")));
    assert_eq!(parse_seg("v:\"a\""), Some(Seg::Value(json!("a"))));
    assert_eq!(parse_seg("i:3"), Some(Seg::Index(3)));
}
