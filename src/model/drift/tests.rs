use serde_json::json;

use super::*;
use crate::model::object::{Compact, Manifest, ObjectId};

fn manifest(content: Value) -> Manifest {
    Manifest {
        id: ObjectId {
            group: String::new(),
            version: "v1".into(),
            kind: content["kind"].as_str().unwrap_or_default().into(),
            namespace: Some("app".into()),
            name: content["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .into(),
        },
        source: SourceRef {
            file: "app.yaml".into(),
            document: 0,
            line: 1,
        },
        content: Compact::new(&content),
        unstable: Vec::new(),
    }
}

fn run(
    desired: Option<&Manifest>,
    live: Option<&Value>,
    preview: Option<&Preview>,
) -> ObjectReport {
    let key = desired.map(|d| d.id.key()).unwrap_or(ObjectKey {
        group: String::new(),
        kind: "ConfigMap".into(),
        namespace: Some("app".into()),
        name: "x".into(),
    });
    let content = desired.map(Manifest::tree);
    assess(&Inputs {
        key: &key,
        desired: desired.zip(content.as_ref()).map(|(d, content)| Desired {
            source: &d.source,
            content,
        }),
        live,
        preview,
        reference: None,
        field_manager: "kdrift",
        deadline: Duration::from_millis(200),
        rules: &[],
        silenced: &[],
        known: false,
    })
}

fn cm(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "app"}, "data": data})
}

#[test]
fn equal_objects_are_synced() {
    let git = manifest(cm(json!({"a": "1"})));
    let mut live = cm(json!({"a": "1"}));
    live["metadata"]["uid"] = json!("123");
    live["metadata"]["resourceVersion"] = json!("7");
    let preview = Preview {
        result: Ok(live.clone()),
        conflicts: vec![],
        namespace_missing: false,
    };
    let r = run(Some(&git), Some(&live), Some(&preview));
    assert_eq!(r.status, SyncStatus::Synced, "{r:?}");
    assert!(r.preview.as_ref().is_some_and(Diff::is_empty));
}

#[test]
fn a_changed_value_is_out_of_sync_with_a_diff() {
    let git = manifest(cm(json!({"a": "1"})));
    let live = cm(json!({"a": "2"}));
    let preview = Preview {
        result: Ok(cm(json!({"a": "1"}))),
        conflicts: vec![],
        namespace_missing: false,
    };
    let r = run(Some(&git), Some(&live), Some(&preview));
    assert_eq!(r.status, SyncStatus::OutOfSync);
    let diff = r.preview.expect("diff").unified;
    assert!(
        diff.contains("-  a: '2'") || diff.contains("-  a: \"2\""),
        "{diff}"
    );
}

#[test]
fn a_key_added_by_another_manager_is_caught_by_live_drift_only() {
    let git = manifest(cm(json!({"a": "1"})));
    let mut live = cm(json!({"a": "1", "extra": "x"}));
    live["metadata"]["managedFields"] = json!([
        {"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}}}},
        {"manager": "kubectl-patch", "operation": "Update", "fieldsV1": {"f:data": {"f:extra": {}}}}
    ]);
    // Applying Git keeps the other manager's key: the apply preview sees nothing.
    let preview = Preview {
        result: Ok(live.clone()),
        conflicts: vec![],
        namespace_missing: false,
    };
    let r = run(Some(&git), Some(&live), Some(&preview));
    assert!(r.preview.as_ref().is_some_and(Diff::is_empty));
    assert_eq!(r.status, SyncStatus::OutOfSync);
    assert_eq!(r.drift.len(), 1);
    assert_eq!(r.drift[0].manager, "kubectl-patch");
    assert!(r.reason.contains("kubectl-patch"));
}

#[test]
fn missing_extra_and_failed_dry_runs() {
    let git = manifest(cm(json!({"a": "1"})));
    let r = run(Some(&git), None, None);
    assert_eq!(r.status, SyncStatus::Missing);
    assert!(r.preview.expect("diff").added > 0);
    let live = cm(json!({"a": "1"}));
    let r = run(None, Some(&live), None);
    assert_eq!(r.status, SyncStatus::Extra);
    let failed = Preview {
        result: Err("admission webhook denied".into()),
        conflicts: vec![],
        namespace_missing: false,
    };
    // Live: a rejected dry-run is a difference (a sync of Git's version fails), and the
    // object stays diffable through its live drift.
    let r = run(Some(&git), Some(&live), Some(&failed));
    assert_eq!(r.status, SyncStatus::OutOfSync);
    assert!(r.reason.contains("admission webhook denied"));
    assert!(r.dry_run_error.is_some());
    assert_eq!(
        r.clone().through(Lens::Preview).status,
        SyncStatus::OutOfSync
    );
    // Missing: a rejected dry-run leaves the object alone; a missing namespace (created by
    // the same sync) does not, whatever the error's wording.
    let r = run(Some(&git), None, Some(&failed));
    assert_eq!(r.status, SyncStatus::Missing);
    assert!(r.dry_run_error.is_some());
    let no_namespace = Preview {
        result: Err("the server could not find it".into()),
        conflicts: vec![],
        namespace_missing: true,
    };
    let r = run(Some(&git), None, Some(&no_namespace));
    assert_eq!(r.status, SyncStatus::Missing);
    assert_eq!(r.dry_run_error, None);
    assert!(
        r.reason.contains("its namespace does not exist yet"),
        "{}",
        r.reason
    );
}

#[test]
fn secret_changes_show_keys_not_values() {
    let secret = |v: &str| {
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "db", "namespace": "app"}, "data": {"password": v, "user": "YWRtaW4="}})
    };
    let git = manifest(secret("bmV3LXBhc3N3b3Jk"));
    let live = secret("b2xkLXBhc3N3b3Jk");
    let preview = Preview {
        result: Ok(secret("bmV3LXBhc3N3b3Jk")),
        conflicts: vec![],
        namespace_missing: false,
    };
    let r = run(Some(&git), Some(&live), Some(&preview));
    assert_eq!(r.status, SyncStatus::OutOfSync);
    let text = serde_json::to_string(&r).expect("json");
    for raw in [
        "bmV3LXBhc3N3b3Jk",
        "b2xkLXBhc3N3b3Jk",
        "YWRtaW4=",
        "new-password",
        "old-password",
    ] {
        assert!(!text.contains(raw), "{raw} leaked");
    }
    let diff = r.preview.expect("diff").unified;
    assert!(diff.contains("-  password: \"<masked: live>\""), "{diff}");
    assert!(diff.contains("+  password: \"<masked: git>\""), "{diff}");
    assert!(diff.contains("   user: <masked>"), "{diff}");
}
