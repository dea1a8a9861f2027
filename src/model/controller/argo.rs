//! Argo CD Applications: each Git source, its Helm options, ignore rules and sync policy.

use serde_json::Value;

use super::{
    Controller, ControllerApp, ControllerStatus, HelmSource, clean_path, release_name_ok, strings,
    text,
};
use crate::model::ignore::IgnoreRule;

fn ignore_rules(obj: &Value, origin: &str, unsupported: &mut Vec<String>) -> Vec<IgnoreRule> {
    let Some(list) = obj
        .pointer("/spec/ignoreDifferences")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let jq = strings(r, "/jqPathExpressions");
        if !jq.is_empty() {
            unsupported.push(format!(
                "spec.ignoreDifferences[{i}].jqPathExpressions ({}): not applied; kdrift applies jsonPointers and managedFieldsManagers",
                jq.join(", ")
            ));
        }
        out.push(IgnoreRule {
            group: r.get("group").and_then(Value::as_str).map(str::to_string),
            kind: text(r, "/kind"),
            name: text(r, "/name"),
            namespace: text(r, "/namespace"),
            json_pointers: strings(r, "/jsonPointers"),
            managed_fields_managers: strings(r, "/managedFieldsManagers"),
            origin: format!("{origin} spec.ignoreDifferences[{i}]"),
        });
    }
    out
}

/// An Argo CD Application: one entry per Git source (`spec.source` or `spec.sources`).
pub fn from_application(obj: &Value) -> Vec<ControllerApp> {
    let name = text(obj, "/metadata/name").unwrap_or_default();
    let namespace = text(obj, "/metadata/namespace").unwrap_or_default();
    let origin = format!("Application {namespace}/{name}");
    let mut unsupported = Vec::new();
    let ignore = ignore_rules(obj, &origin, &mut unsupported);
    let automated = obj
        .pointer("/spec/syncPolicy/automated")
        .filter(|a| !a.is_null())
        .cloned();
    // Argo CD 3 can keep the block and switch it off with `enabled: false`.
    let auto_sync = automated
        .as_ref()
        .is_some_and(|a| a.get("enabled").and_then(Value::as_bool) != Some(false));
    let server = text(obj, "/spec/destination/server");
    let dest_name = text(obj, "/spec/destination/name");
    let in_cluster = match (server.as_deref(), dest_name.as_deref()) {
        (Some(s), _) => s.trim_end_matches('/') == "https://kubernetes.default.svc",
        (None, Some(n)) => n == "in-cluster",
        (None, None) => true,
    };
    let status = ControllerStatus {
        sync: text(obj, "/status/sync/status"),
        revision: text(obj, "/status/sync/revision")
            .or_else(|| strings(obj, "/status/sync/revisions").into_iter().next()),
        health: text(obj, "/status/health/status"),
    };
    let sources: Vec<&Value> = match obj.pointer("/spec/sources").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list.iter().collect(),
        _ => obj.pointer("/spec/source").into_iter().collect(),
    };
    sources
        .into_iter()
        .filter(|s| s.get("path").is_some())
        .map(|source| {
            let mut unsupported = unsupported.clone();
            unsupported.extend(unsupported_source(source));
            let mut values = text(source, "/helm/values");
            if let Some(obj) = source
                .pointer("/helm/valuesObject")
                .filter(|v| v.is_object())
            {
                values = Some(obj.to_string());
            }
            let mut release_name = text(source, "/helm/releaseName");
            if let Some(r) = release_name.as_deref().filter(|r| !release_name_ok(r)) {
                unsupported.push(format!(
                    "spec.source.helm.releaseName {:?} is not a valid release name; not used",
                    crate::model::logs::clean(r)
                ));
                release_name = None;
            }
            ControllerApp {
                controller: Controller::ArgoCd,
                kind: "Application".into(),
                name: name.clone(),
                namespace: namespace.clone(),
                repo_url: text(source, "/repoURL"),
                target_revision: text(source, "/targetRevision"),
                path: clean_path(source.get("path").and_then(Value::as_str).unwrap_or("")),
                target_namespace: text(obj, "/spec/destination/namespace"),
                helm: HelmSource {
                    release_name,
                    value_files: strings(source, "/helm/valueFiles"),
                    values,
                    parameters: source
                        .pointer("/helm/parameters")
                        .and_then(Value::as_array)
                        .map(|ps| {
                            ps.iter()
                                .filter_map(|p| {
                                    Some(format!("{}={}", text(p, "/name")?, text(p, "/value")?))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                },
                ignore: ignore.clone(),
                unsupported,
                auto_sync,
                suspended: false,
                automated: automated.clone(),
                status: status.clone(),
                inventory_kinds: Vec::new(),
                in_cluster,
            }
        })
        .collect()
}

/// Source options kdrift does not apply, named so a difference from the controller's
/// render is never a mystery.
fn unsupported_source(source: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if source
        .get("kustomize")
        .and_then(Value::as_object)
        .is_some_and(|k| !k.is_empty())
    {
        out.push("spec.source.kustomize (images, name prefix, patches…): not applied; kdrift renders the kustomization as it is in Git".into());
    }
    if let Some(dir) = source.get("directory") {
        if dir.get("recurse").and_then(Value::as_bool) == Some(false) {
            out.push(
                "spec.source.directory.recurse is false: kdrift reads the path recursively".into(),
            );
        }
        if dir.get("include").is_some()
            || dir.get("exclude").is_some()
            || dir.get("jsonnet").is_some()
        {
            out.push("spec.source.directory include/exclude/jsonnet: not applied".into());
        }
    }
    if source.get("plugin").is_some() {
        out.push("spec.source.plugin: a config management plugin kdrift cannot run".into());
    }
    out
}
