//! The desired objects the drift engine watches and judges: which kinds it searches for
//! tracked objects, how a manifest is scoped, and render-unstable fields kept as live.

use kube::discovery::ApiResource;
use serde_json::Value;

use crate::cluster::discovery::Served;
use crate::model::object::{Manifest, ObjectKey, split_api_version};

/// Kinds searched for objects carrying the tracking mark even when Git has none of them.
pub(super) const TRACKED_KINDS: [(&str, &str, &str); 16] = [
    ("", "v1", "ConfigMap"),
    ("", "v1", "Secret"),
    ("", "v1", "Service"),
    ("", "v1", "ServiceAccount"),
    ("", "v1", "PersistentVolumeClaim"),
    ("", "v1", "Namespace"),
    ("apps", "v1", "Deployment"),
    ("apps", "v1", "StatefulSet"),
    ("apps", "v1", "DaemonSet"),
    ("batch", "v1", "Job"),
    ("batch", "v1", "CronJob"),
    ("networking.k8s.io", "v1", "Ingress"),
    ("rbac.authorization.k8s.io", "v1", "Role"),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("policy", "v1", "PodDisruptionBudget"),
];

/// A desired object whose kind the cluster serves, with its scope made right.
#[derive(Clone)]
pub(super) struct Target {
    pub(super) manifest: Manifest,
    pub(super) served: Served,
}

pub(super) fn watch_id(
    ar: &ApiResource,
    ns: Option<&str>,
    selector: bool,
) -> (String, String, Option<String>, bool) {
    (
        ar.group.clone(),
        ar.plural.clone(),
        ns.map(str::to_string),
        selector,
    )
}

/// Fields a render makes up anew each time (a chart's `randAlphaNum`) keep the value the
/// cluster has: they are not drift, and a sync must not churn them.
pub(super) fn keep_live_unstable(mut t: Target, live: Option<&Value>) -> Target {
    if let Some(live) = live {
        for pointer in &t.manifest.unstable {
            if crate::model::normalize::copy_pointer(&mut t.manifest.content, live, pointer) {
                continue;
            }
            // A Secret's `stringData` is stored in `data`, base64-encoded.
            if let Some(key) = pointer.strip_prefix("/stringData/")
                && let Some(encoded) = live
                    .pointer(&format!("/data/{key}"))
                    .and_then(Value::as_str)
                && let Some(slot) = t.manifest.content.pointer_mut(pointer)
            {
                use base64::Engine;
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                    *slot = Value::String(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    t
}

/// The object's ignore rules applied to its body: a covered field another manager holds
/// live is left out, so neither the dry-run nor a sync fights it.
pub(super) fn respect_rules(
    mut t: Target,
    live: Option<&Value>,
    opts: &super::DriftOptions,
) -> (Target, Vec<crate::model::ignore::Ignored>) {
    let key = t.manifest.id.key();
    let rules = crate::model::ignore::for_object(&opts.ignore, &key, Some(&t.manifest.content));
    let silenced = match live {
        Some(live) if !rules.is_empty() => crate::model::ignore::respect(
            &mut t.manifest.content,
            live,
            &rules,
            &opts.field_manager,
        ),
        _ => Vec::new(),
    };
    (t, silenced)
}

/// Fixes a manifest's namespace to what discovery says about its scope.
pub(super) fn scoped(mut manifest: Manifest, served: &Served, default_ns: &str) -> Manifest {
    let meta = manifest
        .content
        .get_mut("metadata")
        .and_then(Value::as_object_mut);
    if served.namespaced {
        if manifest.id.namespace.is_none() {
            manifest.id.namespace = Some(default_ns.to_string());
            if let Some(meta) = meta {
                meta.insert("namespace".into(), Value::String(default_ns.into()));
            }
        }
    } else {
        manifest.id.namespace = None;
        if let Some(meta) = meta {
            meta.remove("namespace");
        }
    }
    manifest
}

pub(super) fn live_key(value: &Value) -> ObjectKey {
    let text = |p: &str| {
        value
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (group, _) = split_api_version(&text("/apiVersion"));
    let ns = text("/metadata/namespace");
    ObjectKey {
        group,
        kind: text("/kind"),
        namespace: (!ns.is_empty()).then_some(ns),
        name: text("/metadata/name"),
    }
}
