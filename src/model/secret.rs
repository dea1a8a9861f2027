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

/// The data of a Secret as the API server stores it: `stringData` folded into `data`
/// (base64), which is what live objects carry.
fn effective_data(obj: &Value) -> serde_json::Map<String, Value> {
    use base64::Engine as _;
    let mut data = obj
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(plain) = obj.get("stringData").and_then(Value::as_object) {
        for (k, v) in plain {
            let text = v.as_str().unwrap_or_default();
            let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
            data.insert(k.clone(), Value::String(encoded));
        }
    }
    data
}

/// Masks the live and the Git side of one object, in both lenses: a changed key reads
/// `<masked: live>` on the live side and `<masked: git>` on Git's.
pub fn mask_pair(live: Option<&mut Value>, git: Option<&mut Value>) {
    mask_pair_as(live, git, ("live", "git"))
}

/// Masks a pair of versions of one object (`before`, `after`) so that a diff of the two
/// still shows, per key, whether it was added, removed, changed or unchanged, and never a
/// value: unchanged keys read `<masked>` on both sides, changed keys `<masked: LABEL>` with
/// each side's label. Either side may be absent. Non-Secrets are left alone.
pub fn mask_pair_as(before: Option<&mut Value>, after: Option<&mut Value>, labels: (&str, &str)) {
    let (before, after) = (
        before.filter(|v| is_secret(v)),
        after.filter(|v| is_secret(v)),
    );
    let before_data = before.as_deref().map(effective_data).unwrap_or_default();
    let after_data = after.as_deref().map(effective_data).unwrap_or_default();
    let masked_side = |own: &serde_json::Map<String, Value>,
                       other: &serde_json::Map<String, Value>,
                       label: &str| {
        own.iter()
            .map(|(k, v)| {
                let shown = match other.get(k) {
                    Some(o) if o == v => MASK.to_string(),
                    Some(_) => format!("<masked: {label}>"),
                    None => MASK.to_string(),
                };
                (k.clone(), Value::String(shown))
            })
            .collect::<serde_json::Map<String, Value>>()
    };
    for (side, own, other, label) in [
        (before, &before_data, &after_data, labels.0),
        (after, &after_data, &before_data, labels.1),
    ] {
        let Some(obj) = side else { continue };
        mask(obj);
        if let Some(map) = obj.as_object_mut() {
            map.remove("stringData");
            if !own.is_empty() {
                map.insert("data".into(), Value::Object(masked_side(own, other, label)));
            }
        }
    }
}

#[cfg(test)]
mod pair_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pairs_show_per_key_change_and_no_value() {
        let mut live = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "data": {"same": "c2FtZQ==", "changed": "b2xk", "gone": "eA=="}});
        // Git writes stringData: "same" is the same value as live's base64 "c2FtZQ==".
        let mut git = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
            "stringData": {"same": "same", "changed": "new-value", "added": "plain-secret"}});
        mask_pair(Some(&mut live), Some(&mut git));
        assert_eq!(live["data"]["same"], MASK);
        assert_eq!(git["data"]["same"], MASK);
        assert_eq!(live["data"]["changed"], "<masked: live>");
        assert_eq!(git["data"]["changed"], "<masked: git>");
        assert_eq!(live["data"]["gone"], MASK);
        assert!(git["data"].get("gone").is_none());
        assert_eq!(git["data"]["added"], MASK);
        let all = format!("{live}{git}");
        for raw in ["c2FtZQ==", "b2xk", "new-value", "plain-secret", "eA=="] {
            assert!(!all.contains(raw), "{raw} leaked: {all}");
        }
    }
}

mod redact;
pub use redact::{Redactor, WHOLE_TOKEN_BELOW, plain_values};

/// Removes any of a Secret's values, in any encoding, from a message, e.g. an API error
/// that quotes an invalid value.
pub fn scrub(message: &str, obj: &Value) -> String {
    Redactor::of_objects([obj]).redact(message)
}

#[cfg(test)]
mod scrub_tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn messages_lose_secret_values() {
        let s = json!({"apiVersion": "v1", "kind": "Secret", "data": {"k": "aHVudGVyMg=="}, "stringData": {"p": "plain-pass"}});
        let m = scrub(
            "invalid value \"aHVudGVyMg==\" (hunter2) and plain-pass",
            &s,
        );
        assert!(
            !m.contains("aHVudGVyMg==") && !m.contains("hunter2") && !m.contains("plain-pass"),
            "{m}"
        );
    }

    #[test]
    fn non_secrets_are_not_scrubbed() {
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "visible-value"}});
        assert_eq!(scrub("visible-value", &cm), "visible-value");
    }
}
