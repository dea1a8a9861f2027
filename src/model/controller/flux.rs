//! Flux's Kustomizations and HelmReleases, with the GitRepository each reads.

use serde_json::Value;

use super::{Controller, ControllerApp, ControllerStatus, HelmSource, clean_path, strings, text};

/// Flux's applied revision (`main@sha1:abc…`) as a commit.
fn flux_commit(revision: &str) -> String {
    revision
        .rsplit_once(':')
        .map(|(_, sha)| sha)
        .unwrap_or(revision)
        .to_string()
}

fn ready(obj: &Value) -> Option<String> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
        .map(|c| {
            let status = c.get("status").and_then(Value::as_str).unwrap_or("Unknown");
            if status == "True" {
                "Ready".to_string()
            } else {
                format!("Ready={status}")
            }
        })
}

/// A Flux Kustomization, with the GitRepositories of the cluster (for its URL and ref).
pub fn from_kustomization(obj: &Value, repositories: &[Value]) -> ControllerApp {
    let name = text(obj, "/metadata/name").unwrap_or_default();
    let namespace = text(obj, "/metadata/namespace").unwrap_or_default();
    let repo = source_repository(obj, "/spec/sourceRef", &namespace, repositories);
    let inventory_kinds = strings_of_inventory(obj);
    let mut unsupported = Vec::new();
    if obj
        .pointer("/spec/patches")
        .is_some_and(|p| p.as_array().is_some_and(|a| !a.is_empty()))
    {
        unsupported
            .push("spec.patches: not applied; kdrift renders the path as it is in Git".into());
    }
    ControllerApp {
        controller: Controller::Flux,
        kind: "Kustomization".into(),
        repo_url: repo.and_then(|r| text(r, "/spec/url")),
        target_revision: repo.and_then(git_ref),
        path: clean_path(&text(obj, "/spec/path").unwrap_or_default()),
        target_namespace: text(obj, "/spec/targetNamespace"),
        helm: HelmSource::default(),
        ignore: Vec::new(),
        unsupported,
        auto_sync: true,
        suspended: obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true),
        automated: None,
        status: ControllerStatus {
            sync: ready(obj),
            revision: text(obj, "/status/lastAppliedRevision").map(|r| flux_commit(&r)),
            health: None,
        },
        inventory_kinds,
        in_cluster: obj.pointer("/spec/kubeConfig").is_none(),
        name,
        namespace,
    }
}

/// A Flux HelmRelease whose chart comes from a GitRepository (a path in it).
pub fn from_helm_release(obj: &Value, repositories: &[Value]) -> Option<ControllerApp> {
    let name = text(obj, "/metadata/name").unwrap_or_default();
    let namespace = text(obj, "/metadata/namespace").unwrap_or_default();
    let kind = text(obj, "/spec/chart/spec/sourceRef/kind");
    if kind.as_deref() != Some("GitRepository") {
        return None;
    }
    let repo = source_repository(obj, "/spec/chart/spec/sourceRef", &namespace, repositories);
    Some(ControllerApp {
        controller: Controller::Flux,
        kind: "HelmRelease".into(),
        repo_url: repo.and_then(|r| text(r, "/spec/url")),
        target_revision: repo.and_then(git_ref),
        path: clean_path(&text(obj, "/spec/chart/spec/chart").unwrap_or_default()),
        target_namespace: text(obj, "/spec/targetNamespace"),
        helm: HelmSource {
            release_name: text(obj, "/spec/releaseName").filter(|r| super::release_name_ok(r)),
            value_files: strings(obj, "/spec/chart/spec/valuesFiles"),
            values: obj
                .pointer("/spec/values")
                .filter(|v| v.is_object())
                .map(Value::to_string),
            parameters: Vec::new(),
        },
        ignore: Vec::new(),
        unsupported: Vec::new(),
        auto_sync: true,
        suspended: obj.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true),
        automated: None,
        status: ControllerStatus {
            sync: ready(obj),
            revision: text(obj, "/status/lastAppliedRevision").map(|r| flux_commit(&r)),
            health: None,
        },
        inventory_kinds: Vec::new(),
        in_cluster: obj.pointer("/spec/kubeConfig").is_none(),
        name,
        namespace,
    })
}

fn source_repository<'a>(
    obj: &Value,
    at: &str,
    namespace: &str,
    repositories: &'a [Value],
) -> Option<&'a Value> {
    let source = obj.pointer(at)?;
    let name = text(source, "/name")?;
    let ns = text(source, "/namespace").unwrap_or_else(|| namespace.to_string());
    repositories.iter().find(|r| {
        text(r, "/metadata/name").as_deref() == Some(name.as_str())
            && text(r, "/metadata/namespace").as_deref() == Some(ns.as_str())
    })
}

fn git_ref(repo: &Value) -> Option<String> {
    [
        "/spec/ref/commit",
        "/spec/ref/tag",
        "/spec/ref/branch",
        "/spec/ref/name",
    ]
    .iter()
    .find_map(|p| text(repo, p))
}

/// Kinds of a Flux inventory (`<ns>_<name>_<group>_<kind>` ids) as `Kind.group`.
fn strings_of_inventory(obj: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = obj
        .pointer("/status/inventory/entries")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("id").and_then(Value::as_str))
        .filter_map(|id| {
            let parts: Vec<&str> = id.rsplitn(3, '_').collect();
            match parts.as_slice() {
                [kind, "", _] => Some(kind.to_string()),
                [kind, group, _] => Some(format!("{kind}.{group}")),
                _ => None,
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}
