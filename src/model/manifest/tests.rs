use super::*;
use crate::model::desired::{DesiredSet, ObjectChanges};

fn load(file: &str, text: &str) -> FileLoad {
    load_file(file, text.as_bytes(), &LoadOptions::default())
}

const TWO_DOCS: &str = "\
# leading comment
apiVersion: v1
kind: ConfigMap
metadata:
  name: one
data:
  a: \"1\"
---
# a comment-only document
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: two
  namespace: web
spec:
  replicas: 2
---
";

#[test]
fn multi_document_files_keep_identity_and_lines() {
    let out = load("deploy/app.yaml", TWO_DOCS);
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.manifests.len(), 2);
    let cm = &out.manifests[0];
    assert_eq!(cm.id.to_string(), "ConfigMap/default/one");
    assert_eq!(cm.source.line, 2, "after the leading comment");
    assert_eq!(cm.source.document, 0);
    assert_eq!(cm.tree()["metadata"]["namespace"], "default");
    let dep = &out.manifests[1];
    assert_eq!(dep.id.to_string(), "Deployment.apps/web/two");
    assert_eq!(dep.source.line, 11);
    assert_eq!(dep.source.document, 2);
    assert_eq!(dep.tree()["spec"]["replicas"], 2);
}

#[test]
fn lists_are_expanded() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n";
    let out = load("list.yaml", text);
    let names: Vec<String> = out.manifests.iter().map(|m| m.id.to_string()).collect();
    assert_eq!(names, ["Service/default/a", "Namespace/b"]);
}

#[test]
fn json_files_load() {
    let text =
        r#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "x"}}"#;
    let out = load("secret.json", text);
    assert_eq!(out.manifests.len(), 1);
    assert_eq!(out.manifests[0].id.to_string(), "Secret/x/s");
    let bad = load("bad.json", "{\n  \"kind\": ,\n}");
    assert_eq!(bad.errors.len(), 1);
    assert_eq!(bad.errors[0].line, Some(2));
}

#[test]
fn non_kubernetes_documents_are_skipped_with_a_reason() {
    let out = load(
        "values.yaml",
        "replicaCount: 3\nimage: nginx\n---\n- a\n- b\n",
    );
    assert!(out.manifests.is_empty());
    assert!(out.errors.is_empty());
    assert_eq!(out.skipped.len(), 2);
    assert!(out.skipped[0].reason.contains("no apiVersion and kind"));
    let k = load(
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
    );
    assert!(k.skipped[0].reason.contains("kustomize"));
}

#[test]
fn malformed_yaml_names_line_and_column_and_spares_other_documents() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n";
    let out = load("mixed.yaml", text);
    assert_eq!(out.manifests.len(), 1, "the good document still loads");
    assert_eq!(out.errors.len(), 1);
    let e = &out.errors[0];
    assert_eq!(e.file, "mixed.yaml");
    assert!(e.line.is_some_and(|l| l >= 9), "{e}");
    assert!(e.column.is_some(), "{e}");
    assert!(e.to_string().starts_with("mixed.yaml:"), "{e}");
}

#[test]
fn missing_name_is_an_error_naming_the_file() {
    let out = load(
        "noname.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n",
    );
    assert_eq!(out.errors.len(), 1);
    assert_eq!(
        out.errors[0].to_string(),
        "noname.yaml:1: ConfigMap object has no metadata.name"
    );
}

#[test]
fn generated_names_and_hook_annotations_make_hooks_not_errors() {
    let out = load(
        "hooks.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n  annotations:\n    argocd.argoproj.io/hook: PreSync\nspec: {}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: smoke\n  annotations:\n    helm.sh/hook: post-install\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: report-\n",
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert!(out.manifests.is_empty());
    assert_eq!(out.hooks.len(), 3);
    let labels: Vec<String> = out.hooks.iter().map(|h| h.label()).collect();
    assert_eq!(
        labels,
        [
            "Job/default/migrate-* (hook PreSync)",
            "Pod/default/smoke (hook post-install)",
            "ConfigMap/default/report-* (generateName)"
        ]
    );
    assert_eq!(out.hooks[0].phase, crate::model::hook::Phase::Before);
    assert_eq!(out.hooks[1].phase, crate::model::hook::Phase::After);
    assert_eq!(out.hooks[2].source.line, 16);
}

#[test]
fn oversized_files_are_refused() {
    let opts = LoadOptions {
        max_file_bytes: 10,
        ..Default::default()
    };
    let out = load_file("big.yaml", b"apiVersion: v1\nkind: ConfigMap\n", &opts);
    assert!(out.manifests.is_empty());
    assert!(
        out.errors[0].message.contains("over the 10-byte cap"),
        "{:?}",
        out.errors
    );
}

#[test]
fn alias_bombs_are_refused() {
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        bomb.push_str(&format!("  {c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    let out = load("bomb.yaml", &bomb);
    assert!(out.manifests.is_empty());
    assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
}

#[test]
fn duplicates_name_both_places() {
    let mut set = DesiredSet::default();
    set.add(load(
        "a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n",
    ));
    set.add(load(
        "b.yaml",
        "\n\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n",
    ));
    assert_eq!(set.len(), 1);
    assert_eq!(set.errors.len(), 1);
    let text = set.errors[0].to_string();
    assert!(text.starts_with("b.yaml:3:"), "{text}");
    assert!(text.contains("also defined at a.yaml:1"), "{text}");
}

#[test]
fn changes_between_sets() {
    let mut old = DesiredSet::default();
    old.add(load("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: '1'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone}\n"));
    let mut new = DesiredSet::default();
    new.add(load("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: keep}\ndata: {a: '2'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh}\n"));
    let c = ObjectChanges::between(&old, &new);
    assert_eq!(c.added.len(), 1);
    assert_eq!(c.added[0].name, "fresh");
    assert_eq!(c.removed[0].name, "gone");
    assert_eq!(c.modified[0].name, "keep");
}

#[test]
fn document_markers_with_content_and_end_markers() {
    let docs = split_documents("--- {apiVersion: v1}\n...\n---\nkind: A\n");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].start_line, 1);
    assert!(docs[0].text.starts_with("    {apiVersion"));
    assert_eq!(docs[1].start_line, 4);
}
