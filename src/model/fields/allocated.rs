//! Fields the API server allocates when an object is created (a Service's cluster IP and
//! node ports, a claim's volume, a Job's generated selector): the dry-run create invents
//! its own values for them, which are never Git's.

use serde_json::Value;

/// Pointers allocated per kind; `*` stands for every item of a list.
fn allocated(kind: &str) -> &'static [&'static str] {
    match kind {
        "Service" => &[
            "/spec/clusterIP",
            "/spec/clusterIPs",
            "/spec/healthCheckNodePort",
            "/spec/ports/*/nodePort",
        ],
        "PersistentVolumeClaim" => &["/spec/volumeName"],
        "Pod" => &["/spec/nodeName"],
        "Job" => &[
            "/spec/selector",
            "/spec/template/metadata/labels/controller-uid",
            "/spec/template/metadata/labels/batch.kubernetes.io~1controller-uid",
            "/spec/template/metadata/labels/job-name",
            "/spec/template/metadata/labels/batch.kubernetes.io~1job-name",
        ],
        _ => &[],
    }
}

/// Removes from `reference` the allocated fields `desired` (the Git object) does not set.
pub fn strip_allocated(reference: &mut Value, desired: &Value) {
    let kind = desired
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for pointer in allocated(kind) {
        let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
        strip(reference, Some(desired), &segments);
    }
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

fn strip(target: &mut Value, desired: Option<&Value>, segments: &[&str]) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if *first == "*" {
        let Some(items) = target.as_array_mut() else {
            return;
        };
        for (i, item) in items.iter_mut().enumerate() {
            strip(item, desired.and_then(|d| d.get(i)), rest);
        }
        return;
    }
    let key = unescape(first);
    let desired_here = desired.and_then(|d| d.get(&key));
    if rest.is_empty() {
        if desired_here.is_none()
            && let Some(map) = target.as_object_mut()
        {
            map.remove(&key);
        }
        return;
    }
    if let Some(next) = target.get_mut(&key) {
        strip(next, desired_here, rest);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn allocated_values_go_unless_git_sets_them() {
        let desired = json!({"kind": "Service", "spec": {"type": "NodePort",
            "ports": [{"port": 80}, {"port": 443, "nodePort": 30443}]}});
        let mut reference = json!({"kind": "Service", "spec": {"type": "NodePort",
            "clusterIP": "10.0.0.9", "clusterIPs": ["10.0.0.9"],
            "ports": [{"port": 80, "nodePort": 32769}, {"port": 443, "nodePort": 30443}]}});
        strip_allocated(&mut reference, &desired);
        assert_eq!(
            reference,
            json!({"kind": "Service", "spec": {"type": "NodePort",
                "ports": [{"port": 80}, {"port": 443, "nodePort": 30443}]}})
        );
        let mut other = json!({"kind": "ConfigMap", "spec": {"clusterIP": "x"}});
        strip_allocated(&mut other, &json!({"kind": "ConfigMap"}));
        assert_eq!(other["spec"]["clusterIP"], "x");
    }
}
