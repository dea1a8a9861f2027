//! kdrift's tracking mark: a label naming the app on every object kdrift applies, so that
//! objects removed from Git can be found (status `Extra`) and pruned, and nothing else.

use serde_json::Value;

/// The label key. Its value is the app name.
pub const TRACKING_LABEL: &str = "app.kdrift.dev/name";

/// An app name usable as a label value (at most 63 characters of `[A-Za-z0-9._-]`, starting
/// and ending alphanumeric), derived from the repository's directory name and the app path.
pub fn app_name(repo_dir_name: &str, path: &str) -> String {
    let raw = if path.is_empty() {
        repo_dir_name.to_string()
    } else {
        format!("{repo_dir_name}.{}", path.replace('/', "."))
    };
    sanitize(&raw)
}

/// Makes any text a valid label value; long names keep a hash of the whole so they stay
/// distinct.
pub fn sanitize(raw: &str) -> String {
    let mut s: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.len() > 63 {
        let hash = raw.bytes().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
        });
        s.truncate(46);
        s = format!("{s}-{hash:016x}");
    }
    let s = s
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if s.is_empty() { "app".into() } else { s }
}

/// A copy of a desired object carrying the tracking label for `app` and the ApplySet
/// membership label of its set.
pub fn with_tracking(content: &Value, app: &str, applyset: &str) -> Value {
    let mut out = content.clone();
    mark(&mut out, app, applyset);
    out
}

/// Writes the tracking label and the ApplySet membership label into an object.
pub fn mark(out: &mut Value, app: &str, applyset: &str) {
    if let Some(meta) = out.get_mut("metadata").and_then(Value::as_object_mut) {
        let labels = meta
            .entry("labels")
            .or_insert_with(|| Value::Object(Default::default()));
        if !labels.is_object() {
            *labels = Value::Object(Default::default());
        }
        if let Some(map) = labels.as_object_mut() {
            map.insert(TRACKING_LABEL.into(), Value::String(app.into()));
            map.insert(
                super::applyset::PART_OF_LABEL.into(),
                Value::String(applyset.into()),
            );
        }
    }
}

/// True when a live object carries the tracking label for `app`.
pub fn is_tracked(obj: &Value, app: &str) -> bool {
    obj.pointer("/metadata/labels")
        .and_then(|l| l.get(TRACKING_LABEL))
        .and_then(Value::as_str)
        == Some(app)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn app_names_are_valid_label_values() {
        assert_eq!(app_name("gitops", "deploy/web"), "gitops.deploy.web");
        assert_eq!(app_name("my repo", ""), "my-repo");
        let long = app_name("r", &"x/".repeat(60));
        assert!(long.len() <= 63, "{long}");
        assert_ne!(long, app_name("r", &"x/".repeat(61)));
        assert_eq!(sanitize("--"), "app");
    }

    #[test]
    fn tracking_label_is_added_and_read() {
        let obj = json!({"metadata": {"name": "a"}});
        let tracked = with_tracking(&obj, "demo", "applyset-x-v1");
        assert_eq!(
            tracked["metadata"]["labels"][crate::model::applyset::PART_OF_LABEL],
            "applyset-x-v1"
        );
        assert!(is_tracked(&tracked, "demo"));
        assert!(!is_tracked(&tracked, "other"));
        assert!(!is_tracked(&obj, "demo"));
    }
}
