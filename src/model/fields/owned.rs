//! Who owns which field, as sets: what a forced apply took from other managers (the
//! conflicts an unforced one would have named) and whether every field other managers own
//! is one Git declares. Paths are compared as `fieldsV1` writes their steps (the server
//! writes them canonically), and rendered as the server's conflict messages do.

use std::collections::BTreeSet;

use serde_json::Value;

use super::is_controller_entry;
use crate::model::plan::Conflict;

/// A path as its `fieldsV1` steps (`f:spec`, `k:{"name":"app"}`…).
pub type Path = Vec<String>;

/// The paths a `fieldsV1` set holds: leaves, and nodes marked with `.` (a list item owned
/// whole, say).
pub fn members(fields: &Value) -> BTreeSet<Path> {
    let mut out = BTreeSet::new();
    collect(fields, &mut Vec::new(), &mut out);
    out
}

fn collect(node: &Value, path: &mut Path, out: &mut BTreeSet<Path>) {
    let Some(map) = node.as_object() else {
        return;
    };
    if (map.is_empty() || map.contains_key(".")) && !path.is_empty() {
        out.insert(path.clone());
    }
    for (step, child) in map.iter().filter(|(k, _)| k.as_str() != ".") {
        path.push(step.clone());
        collect(child, path, out);
        path.pop();
    }
}

/// Who wrote an entry: manager, operation and subresource (one manager may hold several).
fn identity(entry: &Value) -> (&str, &str, &str) {
    let text = |k: &str| entry.get(k).and_then(Value::as_str).unwrap_or("");
    (text("manager"), text("operation"), text("subresource"))
}

fn entries(obj: &Value) -> &[Value] {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The managedFields entry of `ours`'s apply on `obj`.
pub fn applied_entry<'a>(obj: &'a Value, ours: &str) -> Option<&'a Value> {
    entries(obj)
        .iter()
        .find(|e| identity(e) == (ours, "Apply", ""))
}

/// The fields `ours` owns by apply on `obj`.
pub fn applied_by<'a>(obj: &'a Value, ours: &str) -> Option<&'a Value> {
    applied_entry(obj, ours)?.get("fieldsV1")
}

/// More update managers than this are merged by the server into one entry on a write, so
/// their sets before and after no longer line up.
const MAX_UPDATE_MANAGERS: usize = 10;

/// The conflicts an unforced apply as `ours` would have met, read off a forced one: the
/// server takes exactly the conflicting fields from their other owners, so they are the
/// fields each other entry of `live` holds and no longer holds in `after`. `None` where
/// that reading is not sure (no managedFields, whose absence the server reads as one
/// owner of everything, or so many update managers that the server merges them).
pub fn taken_by_force(live: &Value, after: &Value, ours: &str) -> Option<Vec<Conflict>> {
    let before = entries(live);
    let updates = before.iter().filter(|e| identity(e).1 == "Update").count();
    if before.is_empty() || updates >= MAX_UPDATE_MANAGERS {
        return None;
    }
    let mut out = Vec::new();
    for entry in before {
        let who = identity(entry);
        if who == (ours, "Apply", "") {
            continue;
        }
        let held = members(entry.get("fieldsV1").unwrap_or(&Value::Null));
        let kept = entries(after)
            .iter()
            .find(|e| identity(e) == who)
            .map(|e| members(e.get("fieldsV1").unwrap_or(&Value::Null)))
            .unwrap_or_default();
        for path in held.difference(&kept) {
            out.push(Conflict {
                field: server_path(path),
                manager: who.0.to_string(),
                operation: None,
            });
        }
    }
    sort_conflicts(&mut out);
    Some(out)
}

/// One order for conflicts however they were learnt (the server lists them in map order).
pub fn sort_conflicts(conflicts: &mut [Conflict]) {
    conflicts.sort_by(|a, b| (&a.manager, &a.field).cmp(&(&b.manager, &b.field)));
}

/// Whether a dry-run create can be spared in judging live drift: every field another
/// manager (not a controller) owns on `live` is one `declared` (Git's fields, in the
/// server's terms) holds, where Git's own value stands for the server's default, or one
/// the server never defaults (see [`never_defaulted`]). Status and the last-applied
/// annotation are never judged.
pub fn others_within(live: &Value, declared: &Value, ours: &str) -> bool {
    undeclared_by_git(live, declared, ours).is_some()
}

/// The fields other managers (not controllers) own on `live` that Git does not declare,
/// when none of them can hold a server default: a dry-run create of Git's object would
/// hold none of them. `None` where one could (only the create knows its default).
pub fn undeclared_by_git(live: &Value, declared: &Value, ours: &str) -> Option<Vec<Path>> {
    let declared = members(declared);
    let kind = (
        live.get("apiVersion").and_then(Value::as_str).unwrap_or(""),
        live.get("kind").and_then(Value::as_str).unwrap_or(""),
    );
    let mut out = Vec::new();
    for path in entries(live)
        .iter()
        .filter(|e| identity(e) != (ours, "Apply", "") && !is_controller_entry(e))
        .flat_map(|e| members(e.get("fieldsV1").unwrap_or(&Value::Null)))
    {
        if never_judged(&path) || declared.contains(&path) {
            continue;
        }
        if !never_defaulted(&path, kind, &declared) {
            return None;
        }
        out.push(path);
    }
    Some(out)
}

/// The one place where kdrift decides, without asking, that the server gives a field no
/// default, so that a value another manager set there is drift whatever a create would
/// say: a label or an annotation (a Namespace's labels aside: the server adds
/// `kubernetes.io/metadata.name`; and labels only where Git sets some: a Job's labels
/// default to its template's when it has none), a ConfigMap's data key, a Secret's data key
/// Git sets under neither `data` nor `stringData`. Everything else (an env var's
/// `fieldRef.apiVersion`, a container's `imagePullPolicy`, a CRD's schema defaults) is
/// left to the dry-run create. A mutating webhook's label added at create time is the
/// creator's in managedFields, not another manager's; one a policy engine adds later is,
/// and reads as set outside Git (an ignore rule silences it by design).
fn never_defaulted(
    path: &[String],
    (api_version, kind): (&str, &str),
    declared: &BTreeSet<Path>,
) -> bool {
    let step = |s: &str| s.starts_with("f:");
    match path {
        [meta, annotations, key] if meta == "f:metadata" && annotations == "f:annotations" => {
            step(key)
        }
        [meta, labels, key] if meta == "f:metadata" && labels == "f:labels" => {
            step(key)
                && kind != "Namespace"
                && declared
                    .iter()
                    .any(|d| d.len() == 3 && d[0] == "f:metadata" && d[1] == "f:labels")
        }
        [data, key] if api_version == "v1" && step(key) => match kind {
            "ConfigMap" => data == "f:data" || data == "f:binaryData",
            "Secret" => {
                (data == "f:data" || data == "f:stringData")
                    && ["f:data", "f:stringData"]
                        .iter()
                        .all(|d| !declared.contains(&vec![d.to_string(), key.clone()]))
            }
            _ => false,
        },
        _ => false,
    }
}

/// Where a `fieldsV1` path keeps its value in the object, as JSON pointer steps (a Secret's
/// `stringData` is stored under `data`); `None` for a path through a list.
pub fn stored_steps(path: &[String]) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for (i, s) in path.iter().enumerate() {
        let name = s.strip_prefix("f:")?;
        out.push(if i == 0 && name == "stringData" {
            "data"
        } else {
            name
        });
    }
    Some(out)
}

fn never_judged(path: &[String]) -> bool {
    match path {
        [first, ..] if first == "f:status" => true,
        [meta, annotations, key, ..] => {
            meta == "f:metadata"
                && annotations == "f:annotations"
                && key == "f:kubectl.kubernetes.io/last-applied-configuration"
        }
        _ => false,
    }
}

/// A path as the API server names it in a conflict: `.spec.containers[name="app"].image`.
pub fn server_path(path: &[String]) -> String {
    let mut out = String::new();
    for step in path {
        let (tag, rest) = step.split_once(':').unwrap_or(("", step));
        match tag {
            "f" => {
                out.push('.');
                out.push_str(rest);
            }
            "k" => {
                let keys: serde_json::Map<String, Value> =
                    serde_json::from_str(rest).unwrap_or_default();
                let parts: Vec<String> = keys
                    .iter()
                    .map(|(k, v)| format!("{k}={}", value_text(v)))
                    .collect();
                out.push_str(&format!("[{}]", parts.join(",")));
            }
            "v" => {
                let v: Value = serde_json::from_str(rest).unwrap_or(Value::Null);
                out.push_str(&format!("[={}]", value_text(&v)));
            }
            "i" => out.push_str(&format!("[{rest}]")),
            _ => out.push_str(step),
        }
    }
    out
}

/// A value as the server prints one in a path: strings quoted, the rest as written.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry(manager: &str, operation: &str, fields: Value) -> Value {
        json!({"manager": manager, "operation": operation, "fieldsV1": fields})
    }

    #[test]
    fn what_force_took_from_others_is_the_conflicts() {
        let live = json!({"metadata": {"managedFields": [
            entry("kdrift", "Apply", json!({"f:data": {"f:a": {}}})),
            entry("kubectl-edit", "Update", json!({"f:data": {"f:mode": {}, "f:keep": {}}})),
            json!({"manager": "kubectl-scale", "operation": "Update", "subresource": "scale",
                "fieldsV1": {"f:spec": {"f:replicas": {}}}}),
            entry("kube-controller-manager", "Update", json!({"f:spec": {"f:template": {
                "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}}}}}}})),
        ]}});
        let after = json!({"metadata": {"managedFields": [
            entry("kdrift", "Apply", json!({"f:data": {"f:a": {}, "f:mode": {}},
                "f:spec": {"f:replicas": {}}})),
            entry("kubectl-edit", "Update", json!({"f:data": {"f:keep": {}}})),
            entry("kube-controller-manager", "Update", json!({"f:spec": {"f:template": {
                "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}}}}}}})),
        ]}});
        let found: Vec<String> = taken_by_force(&live, &after, "kdrift")
            .expect("sure")
            .iter()
            .map(|c| format!("{} {}", c.manager, c.field))
            .collect();
        assert_eq!(
            found,
            [
                "kube-controller-manager .spec.template.spec.containers[name=\"app\"].image",
                "kubectl-edit .data.mode",
                "kubectl-scale .spec.replicas",
            ]
        );
        assert_eq!(
            taken_by_force(&json!({"metadata": {}}), &after, "kdrift"),
            None
        );
    }

    #[test]
    fn server_paths_quote_strings_and_join_keys() {
        let path: Vec<String> = [
            "f:spec",
            "f:ports",
            "k:{\"port\":80,\"protocol\":\"TCP\"}",
            "f:targetPort",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            server_path(&path),
            ".spec.ports[port=80,protocol=\"TCP\"].targetPort"
        );
        let set = ["f:metadata", "f:finalizers", "v:\"a/b\""].map(String::from);
        assert_eq!(server_path(&set), ".metadata.finalizers[=\"a/b\"]");
    }

    #[test]
    fn labels_annotations_and_data_keys_need_no_reference() {
        let declared = json!({"f:metadata": {"f:labels": {"f:app": {}}},
            "f:data": {"f:a": {}}, "f:stringData": {"f:s": {}}});
        let object = |api: &str, kind: &str, fields: Value| {
            json!({"apiVersion": api, "kind": kind, "metadata": {"managedFields": [
                entry("kdrift", "Apply", declared.clone()),
                entry("other", "Update", fields),
            ]}})
        };
        let label = json!({"f:metadata": {"f:labels": {"f:team": {}},
            "f:annotations": {"f:note": {}}}});
        let found = undeclared_by_git(
            &object("v1", "ConfigMap", label.clone()),
            &declared,
            "kdrift",
        );
        assert_eq!(found.map(|f| f.len()), Some(2), "a label and an annotation");
        assert_eq!(
            undeclared_by_git(&object("v1", "Namespace", label), &declared, "kdrift"),
            None,
            "the server labels Namespaces"
        );
        let no_labels = json!({"f:data": {"f:a": {}}});
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"managedFields": [
            entry("other", "Update", json!({"f:metadata": {"f:labels": {"f:app": {}}}})),
        ]}});
        assert_eq!(
            undeclared_by_git(&job, &no_labels, "kdrift"),
            None,
            "labels Git leaves empty default to the template's"
        );
        let key = json!({"f:data": {"f:extra": {}}});
        let found = undeclared_by_git(&object("v1", "ConfigMap", key.clone()), &declared, "kdrift")
            .expect("a ConfigMap's key has no default");
        assert_eq!(stored_steps(&found[0]), Some(vec!["data", "extra"]));
        assert!(undeclared_by_git(&object("v1", "Secret", key), &declared, "kdrift").is_some());
        let stored_as_data = json!({"f:data": {"f:s": {}}});
        assert_eq!(
            undeclared_by_git(&object("v1", "Secret", stored_as_data), &declared, "kdrift"),
            None,
            "Git's stringData key is stored under data: its value decides"
        );
        let env = json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"app\"}": {"f:env": {}}}}}}});
        assert_eq!(
            undeclared_by_git(
                &object("apps/v1", "Deployment", env.clone()),
                &declared,
                "kdrift"
            ),
            None
        );
        assert_eq!(
            undeclared_by_git(
                &object(
                    "example.com/v1",
                    "ConfigMap",
                    json!({"f:data": {"f:x": {}}})
                ),
                &declared,
                "kdrift"
            ),
            None,
            "only the core ConfigMap"
        );
    }

    #[test]
    fn others_within_git_needs_no_reference() {
        let declared = json!({"f:data": {"f:a": {}, "f:mode": {}}});
        let edited = json!({"metadata": {"managedFields": [
            entry("kdrift", "Apply", json!({"f:data": {"f:a": {}}})),
            entry("kubectl-edit", "Update", json!({"f:data": {"f:mode": {}}})),
            entry("kubectl-client-side-apply", "Update", json!({"f:metadata": {"f:annotations":
                {"f:kubectl.kubernetes.io/last-applied-configuration": {}}}})),
        ]}});
        assert!(others_within(&edited, &declared, "kdrift"));
        let labelled = json!({"metadata": {"managedFields": [
            entry("kubectl-label", "Update", json!({"f:metadata": {"f:labels": {"f:team": {}}}})),
        ]}});
        assert!(
            !others_within(&labelled, &declared, "kdrift"),
            "a label Git does not set"
        );
    }
}
