//! Fields Git sets that the cluster no longer has (a label deleted by hand, a container
//! port removed): the part of live drift no managedFields entry shows, because a removed
//! field leaves every manager's set.

use serde_json::Value;

use super::{DriftField, Seg, lookup, parse_seg, stored_path};

/// The manager under which the reference (the dry-run create of the Git object) records
/// the fields Git declares.
pub const REFERENCE_MANAGER: &str = "kdrift-reference";

/// Fields Git declares (the reference's own managedFields entry, in the server's terms, list
/// keys included) that the reference holds and `live` does not. Without that entry, the Git
/// object's maps are walked instead (list items are then not compared). Secret values must
/// already be masked.
pub fn removed_live(live: &Value, reference: &Value, desired: &Value) -> Vec<DriftField> {
    let mut out = Vec::new();
    match declared_fields(reference) {
        Some(fields) => walk_declared(fields, &mut Vec::new(), live, reference, &mut out),
        None => walk_maps(desired, desired, &mut Vec::new(), live, &mut out),
    }
    out
}

fn declared_fields(reference: &Value) -> Option<&Value> {
    reference
        .pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e.get("manager").and_then(Value::as_str) == Some(REFERENCE_MANAGER))?
        .get("fieldsV1")
}

/// Paths never compared: the reference is created under a generated name.
fn skipped(path: &[Seg]) -> bool {
    matches!(path, [Seg::Field(m), Seg::Field(f)] if m == "metadata" && (f == "generateName" || f == "name" || f == "namespace"))
        || matches!(path.first(), Some(Seg::Field(f)) if f == "status")
}

fn removed(path: &[Seg], git: &Value, reference: &Value) -> DriftField {
    DriftField {
        pointer: super::pointer_of(reference, path),
        path: super::display_path(path),
        manager: String::new(),
        operation: String::new(),
        time: None,
        live: Value::Null,
        git: Some(git.clone()),
        removed: true,
        segs: path.to_vec(),
    }
}

fn walk_declared(
    node: &Value,
    path: &mut Vec<Seg>,
    live: &Value,
    reference: &Value,
    out: &mut Vec<DriftField>,
) {
    if skipped(path) {
        return;
    }
    let stored = stored_path(path);
    // The server itself keeps nothing here (an empty map Git writes): nothing to miss.
    let Some(git) = lookup(reference, &stored) else {
        return;
    };
    if lookup(live, &stored).is_none() {
        out.push(removed(&stored, git, reference));
        return;
    }
    let Some(children) = node.as_object() else {
        return;
    };
    for (k, child) in children {
        if k == "." {
            continue;
        }
        if let Some(seg) = parse_seg(k) {
            path.push(seg);
            walk_declared(child, path, live, reference, out);
            path.pop();
        }
    }
}

fn walk_maps(
    desired: &Value,
    desired_root: &Value,
    path: &mut Vec<Seg>,
    live: &Value,
    out: &mut Vec<DriftField>,
) {
    let Some(map) = desired.as_object() else {
        return;
    };
    for (k, v) in map {
        path.push(Seg::Field(k.clone()));
        let stored = stored_path(path);
        let empty = v.is_null()
            || v.as_object().is_some_and(|m| m.is_empty())
            || v.as_array().is_some_and(|a| a.is_empty());
        if !skipped(path) && !empty {
            match lookup(live, &stored) {
                None => out.push(removed(&stored, v, desired_root)),
                Some(_) if v.is_object() => walk_maps(v, desired_root, path, live, out),
                Some(_) => {}
            }
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_label_and_a_port_removed_live_are_found_by_the_declared_fields() {
        let reference = json!({
            "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"},
                "managedFields": [{"manager": REFERENCE_MANAGER, "operation": "Update", "fieldsV1": {
                    "f:metadata": {"f:generateName": {}, "f:labels": {".": {}, "f:app": {}, "f:tier": {}}, "f:annotations": {}},
                    "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:name": {},
                        "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {".": {}, "f:containerPort": {}}}}}}}}]},
            "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}
        });
        let live = json!({"metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app"}]}});
        let found = removed_live(&live, &reference, &Value::Null);
        let paths: Vec<&str> = found.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(
            paths,
            ["metadata.labels.tier", "spec.containers[name=app].ports"]
        );
        assert!(found.iter().all(|d| d.removed));
        assert!(
            found[0]
                .to_string()
                .contains("removed live (Git: \"front\")")
        );
        // Nothing removed: nothing found (the empty annotations map the server drops too).
        assert!(removed_live(&reference, &reference, &Value::Null).is_empty());
    }

    #[test]
    fn without_a_reference_the_git_maps_are_walked() {
        let desired = json!({"metadata": {"name": "x", "labels": {"a": "1", "b": "2"}, "annotations": {}},
            "stringData": {"k": "v"}, "data": {"d": "eA=="}});
        let live =
            json!({"metadata": {"name": "x", "labels": {"a": "1"}}, "data": {"k": "<masked>"}});
        let found = removed_live(&live, &Value::Null, &desired);
        let paths: Vec<&str> = found.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["data.d", "metadata.labels.b"]);
    }
}
