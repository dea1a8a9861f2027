//! YAML output with a stable (sorted) key order.

use serde_json::Value;

/// Renders a value as YAML with keys sorted at every level.
pub fn to_yaml(value: &Value) -> String {
    serde_saphyr::to_string(&sorted(value)).unwrap_or_else(|e| format!("# cannot render: {e}\n"))
}

/// A copy with every map's keys in sorted order, whatever map type serde_json uses.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_come_out_sorted_and_strings_stay_strings() {
        let v = json!({"kind": "ConfigMap", "apiVersion": "v1", "data": {"port": "8080", "flag": "true"}});
        let y = to_yaml(&v);
        let api = y.find("apiVersion").unwrap_or(usize::MAX);
        let kind = y.find("kind").unwrap_or(0);
        assert!(api < kind, "{y}");
        let back: Value = serde_saphyr::from_str(&y).expect("round trip");
        assert_eq!(back, v, "{y}");
    }
}
