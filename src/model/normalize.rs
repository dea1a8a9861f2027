//! Normalisation: what neither lens should ever call a difference.

use serde_json::{Map, Value};

/// Metadata fields the API server sets and manages.
const SERVER_METADATA: [&str; 7] = [
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionGracePeriodSeconds",
];

/// Annotations that record history rather than intent.
const NOISE_ANNOTATIONS: [&str; 1] = ["kubectl.kubernetes.io/last-applied-configuration"];

/// A copy without `status`, server-set metadata and the last-applied annotation; empty
/// `annotations`/`labels` maps are dropped so "none" and "empty" read the same.
pub fn normalize(obj: &Value) -> Value {
    let mut out = obj.clone();
    let Some(map) = out.as_object_mut() else {
        return out;
    };
    map.remove("status");
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in SERVER_METADATA {
            meta.remove(field);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            for a in NOISE_ANNOTATIONS {
                annotations.remove(a);
            }
        }
        drop_empty(meta, "annotations");
        drop_empty(meta, "labels");
    }
    out
}

fn drop_empty(meta: &mut Map<String, Value>, field: &str) {
    if meta
        .get(field)
        .is_some_and(|v| v.as_object().is_some_and(Map::is_empty) || v.is_null())
    {
        meta.remove(field);
    }
}

/// Escapes one JSON-pointer segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The JSON pointers (under `at`) where two values differ, as deep as both go.
pub fn differing_pointers(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let here = format!("{at}/{}", escape(k));
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differing_pointers(p, q, &here, out),
                    _ => out.push(here),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differing_pointers(p, q, &format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(at.to_string()),
        _ => {}
    }
}

/// Sets `pointer` in `target` to its value in `source`, when both have it (a field a
/// render makes up anew each time keeps the value the cluster has).
pub fn copy_pointer(target: &mut Value, source: &Value, pointer: &str) -> bool {
    let (Some(value), Some(slot)) = (source.pointer(pointer), target.pointer_mut(pointer)) else {
        return false;
    };
    *slot = value.clone();
    true
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn differing_pointers_go_as_deep_as_both_values() {
        let a = json!({"data": {"password": "abc", "user": "x"}, "list": [1, 2], "k/e~y": 1});
        let b = json!({"data": {"password": "xyz", "user": "x"}, "list": [1, 3], "k/e~y": 2});
        let mut out = Vec::new();
        super::differing_pointers(&a, &b, "", &mut out);
        assert_eq!(out, ["/data/password", "/k~1e~0y", "/list/1"]);
        let mut target = a.clone();
        assert!(super::copy_pointer(&mut target, &b, "/data/password"));
        assert_eq!(target["data"]["password"], "xyz");
        assert!(!super::copy_pointer(&mut target, &b, "/nothing/here"));
    }

    use super::*;

    #[test]
    fn server_noise_is_removed() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "n", "uid": "123", "resourceVersion": "9",
                "creationTimestamp": "2026-01-01T00:00:00Z", "generation": 3, "managedFields": [],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "data": {"k": "v"},
            "status": {"x": 1}
        });
        assert_eq!(
            normalize(&live),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "n"}, "data": {"k": "v"}})
        );
    }

    #[test]
    fn real_annotations_stay() {
        let obj = json!({"metadata": {"annotations": {"team": "x"}}});
        assert_eq!(normalize(&obj), obj);
    }
}
