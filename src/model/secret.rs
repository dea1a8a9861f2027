//! Secret values never leave kdrift: they are masked before anything prints or diffs them.

use serde_json::Value;

/// What stands in for a secret value.
pub const MASK: &str = "<masked>";

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub fn is_secret(obj: &Value) -> bool {
    obj.get("kind").and_then(Value::as_str) == Some("Secret")
        && obj.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Replaces every value of a Secret's `data` and `stringData`, and its last-applied
/// annotation (which repeats them), with [`MASK`]. Keys stay visible. Other objects are
/// left alone.
pub fn mask(obj: &mut Value) {
    if !is_secret(obj) {
        return;
    }
    for field in ["data", "stringData"] {
        if let Some(map) = obj.get_mut(field).and_then(Value::as_object_mut) {
            for value in map.values_mut() {
                *value = Value::String(MASK.into());
            }
        }
    }
    if let Some(v) = obj
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        .and_then(|a| a.get_mut(LAST_APPLIED))
    {
        *v = Value::String(MASK.into());
    }
}

/// A masked copy.
pub fn masked(obj: &Value) -> Value {
    let mut copy = obj.clone();
    mask(&mut copy);
    copy
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_values_are_masked_and_keys_kept() {
        let secret = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "annotations": {LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
            "data": {"password": "aHVudGVyMg=="},
            "stringData": {"user": "admin"}
        });
        let m = masked(&secret);
        let text = m.to_string();
        assert!(!text.contains("aHVudGVyMg=="), "{text}");
        assert!(!text.contains("admin"), "{text}");
        assert_eq!(m["data"]["password"], MASK);
        assert_eq!(m["stringData"]["user"], MASK);
    }

    #[test]
    fn other_kinds_are_untouched() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}});
        assert_eq!(masked(&cm), cm);
    }
}
