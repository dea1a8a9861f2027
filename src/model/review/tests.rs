use serde_json::{Value, json};

use super::*;
use crate::model::object::{Compact, ObjectId, SourceRef};

fn manifest(content: Value, file: &str) -> Manifest {
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
            file: file.into(),
            document: 0,
            line: 1,
        },
        content: Compact::new(&content),
        unstable: Vec::new(),
    }
}

fn set(objects: Vec<Manifest>) -> DesiredSet {
    let mut s = DesiredSet::default();
    for m in objects {
        s.objects.insert(m.id.key(), m);
    }
    s
}

fn cm(name: &str, value: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": value}})
}

fn review(base: Vec<Manifest>, head: Vec<Manifest>, files: &[&str], plain: bool) -> AppReview {
    let files: Vec<String> = files.iter().map(|f| f.to_string()).collect();
    compare(
        "app",
        &set(base),
        &set(head),
        &files,
        plain,
        Duration::from_secs(1),
    )
}

#[test]
fn created_deleted_changed_and_unchanged_objects_are_told_apart() {
    let r = review(
        vec![
            manifest(cm("same", "1"), "app/same.yaml"),
            manifest(cm("edited", "1"), "app/edited.yaml"),
            manifest(cm("gone", "x"), "app/gone.yaml"),
        ],
        vec![
            manifest(cm("same", "1"), "app/same.yaml"),
            manifest(cm("edited", "2"), "app/edited.yaml"),
            manifest(cm("new", "y"), "app/new.yaml"),
        ],
        &[
            "app/edited.yaml",
            "app/gone.yaml",
            "app/new.yaml",
            "app/README.md",
        ],
        true,
    );
    assert_eq!(r.changed.len(), 1);
    assert_eq!(r.changed[0].key.name, "edited");
    assert!(
        r.changed[0].diff.unified.contains("-  k: '1'")
            || r.changed[0].diff.unified.contains("-  k: \"1\""),
        "{}",
        r.changed[0].diff.unified
    );
    assert_eq!(
        r.created
            .iter()
            .map(|c| c.key.name.as_str())
            .collect::<Vec<_>>(),
        ["new"]
    );
    assert_eq!(
        r.deleted
            .iter()
            .map(|c| c.key.name.as_str())
            .collect::<Vec<_>>(),
        ["gone"]
    );
    assert!(r.renamed.is_empty());
    assert_eq!(r.files_without_object_change, ["app/README.md"]);
    assert_eq!(r.object_changes(), 3);
}

#[test]
fn the_same_content_under_a_new_name_is_a_rename() {
    let r = review(
        vec![manifest(cm("old-name", "v"), "app/cm.yaml")],
        vec![manifest(cm("new-name", "v"), "app/cm.yaml")],
        &["app/cm.yaml"],
        true,
    );
    assert!(r.created.is_empty() && r.deleted.is_empty(), "{r:?}");
    assert_eq!(r.renamed.len(), 1);
    assert_eq!(
        (
            r.renamed[0].from.name.as_str(),
            r.renamed[0].to.name.as_str()
        ),
        ("old-name", "new-name")
    );
}

#[test]
fn a_rendered_app_lists_no_file_as_changing_nothing_while_objects_change() {
    let r = review(
        vec![manifest(cm("web", "1"), "app/templates/cm.yaml")],
        vec![manifest(cm("web", "2"), "app/templates/cm.yaml")],
        &["app/values.yaml"],
        false,
    );
    assert_eq!(r.changed.len(), 1);
    assert!(
        r.files_without_object_change.is_empty(),
        "values.yaml changed the render"
    );
    let unchanged = review(
        vec![manifest(cm("web", "1"), "app/templates/cm.yaml")],
        vec![manifest(cm("web", "1"), "app/templates/cm.yaml")],
        &["app/README.md"],
        false,
    );
    assert_eq!(unchanged.object_changes(), 0);
    assert_eq!(unchanged.files_without_object_change, ["app/README.md"]);
}

#[test]
fn secret_values_never_reach_the_diff_in_any_encoding() {
    let secret = |v: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
            "stringData": {"password": v}})
    };
    let r = review(
        vec![manifest(secret("Tr0ub4dor&3/horse+staple"), "app/s.yaml")],
        vec![manifest(secret("n3w-S3cret-value"), "app/s.yaml")],
        &["app/s.yaml"],
        true,
    );
    assert_eq!(r.changed.len(), 1);
    let text = serde_json::to_string(&r).unwrap() + &r.changed[0].diff.unified;
    for raw in ["Tr0ub4dor&3/horse+staple", "n3w-S3cret-value"] {
        for encoded in [
            raw.to_string(),
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw),
            raw.replace('&', "%26")
                .replace('/', "%2F")
                .replace('+', "%2B"),
            raw.replace('&', "\\u0026"),
        ] {
            assert!(!text.contains(&encoded), "{encoded} leaked: {text}");
        }
    }
    assert!(
        r.changed[0].diff.unified.contains("<masked"),
        "{}",
        r.changed[0].diff.unified
    );
}
