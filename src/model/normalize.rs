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

#[cfg(test)]
mod tests {
    use serde_json::json;

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
