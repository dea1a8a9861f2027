//! The desired objects the drift engine watches and judges: which kinds it searches for
//! tracked objects, how a manifest is scoped, and render-unstable fields kept as live.

use std::sync::Arc;

use kube::discovery::ApiResource;
use serde_json::Value;

use crate::cluster::discovery::Served;
use crate::model::object::{Compact, Manifest, ObjectId, SourceRef};
use crate::model::tracking::mark;

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

/// A desired object whose kind the cluster serves, with its scope made right. Its content
/// is kept once, with kdrift's marks: what the drift engine judges and a sync applies.
pub(super) struct Target {
    pub(super) id: ObjectId,
    pub(super) source: SourceRef,
    pub(super) unstable: Vec<String>,
    pub(super) body: Compact,
    pub(super) served: Arc<Served>,
}

impl Target {
    pub(super) fn new(
        manifest: &Manifest,
        served: &Arc<Served>,
        opts: &super::DriftOptions,
    ) -> Result<Self, String> {
        let mut content = manifest.content.value()?;
        let id = scoped(manifest.id.clone(), &mut content, served, &opts.namespace);
        mark(&mut content, &opts.app, &opts.applyset);
        Ok(Target {
            id,
            source: manifest.source.clone(),
            unstable: manifest.unstable.clone(),
            body: Compact::new(&content),
            served: Arc::clone(served),
        })
    }

    /// The body judged and applied against `live`: render-unstable fields kept as live has
    /// them, fields ignore rules cover left to the manager holding them. Parsed for this
    /// judgement; its compact form shared unless either changes something.
    pub(super) fn body_for(
        &self,
        live: Option<&Value>,
        opts: &super::DriftOptions,
    ) -> Result<(Value, Compact, Vec<crate::model::ignore::Ignored>), String> {
        let mut body = self.body.value()?;
        let rules = crate::model::ignore::for_object(&opts.ignore, &self.id.key(), Some(&body));
        let Some(live) = live.filter(|_| !self.unstable.is_empty() || !rules.is_empty()) else {
            return Ok((body, self.body.clone(), Vec::new()));
        };
        keep_live_unstable(&mut body, &self.unstable, live);
        let silenced = crate::model::ignore::respect(&mut body, live, &rules, &opts.field_manager);
        // Neither may take kdrift's own marks away (a rule or field over all the labels).
        mark(&mut body, &opts.app, &opts.applyset);
        let compact = Compact::new(&body);
        Ok((body, compact, silenced))
    }

    /// How a sync acts on it, with `body` as judged.
    pub(super) fn handle(&self, body: Compact) -> super::Handle {
        super::Handle {
            served: Some(self.served.clone()),
            body: Some(body),
            pending: None,
        }
    }
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
fn keep_live_unstable(body: &mut Value, unstable: &[String], live: &Value) {
    for pointer in unstable {
        if crate::model::normalize::copy_pointer(body, live, pointer) {
            continue;
        }
        // A Secret's `stringData` is stored in `data`, base64-encoded.
        if let Some(key) = pointer.strip_prefix("/stringData/")
            && let Some(encoded) = live
                .pointer(&format!("/data/{key}"))
                .and_then(Value::as_str)
            && let Some(slot) = body.pointer_mut(pointer)
        {
            use base64::Engine;
            if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) {
                *slot = Value::String(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }
}

/// Fixes an object's namespace to what discovery says about its scope.
fn scoped(mut id: ObjectId, content: &mut Value, served: &Served, default_ns: &str) -> ObjectId {
    let meta = content.get_mut("metadata").and_then(Value::as_object_mut);
    if served.namespaced {
        if id.namespace.is_none() {
            id.namespace = Some(default_ns.to_string());
            if let Some(meta) = meta {
                meta.insert("namespace".into(), Value::String(default_ns.into()));
            }
        }
    } else {
        id.namespace = None;
        if let Some(meta) = meta {
            meta.remove("namespace");
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::ignore::IgnoreRule;
    use crate::model::tracking::TRACKING_LABEL;

    #[test]
    fn rules_and_unstable_fields_never_take_kdrifts_marks_away() {
        let manifest = Manifest {
            id: ObjectId {
                group: String::new(),
                version: "v1".into(),
                kind: "ConfigMap".into(),
                namespace: None,
                name: "a".into(),
            },
            source: SourceRef {
                file: "a.yaml".into(),
                document: 0,
                line: 1,
            },
            content: Compact::new(&json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "a", "labels": {"team": "web"}}, "data": {"k": "v"}})),
            unstable: vec!["/metadata/labels".into()],
        };
        let served = Served {
            resource: ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
            namespaced: true,
        };
        let mut opts = super::super::DriftOptions::new("web", "prod");
        opts.ignore = vec![IgnoreRule {
            group: None,
            kind: Some("ConfigMap".into()),
            name: None,
            namespace: None,
            json_pointers: vec!["/metadata/labels".into()],
            managed_fields_managers: Vec::new(),
            origin: "test".into(),
        }];
        let target = Target::new(&manifest, &Arc::new(served), &opts).expect("reads back");
        assert_eq!(target.id.namespace.as_deref(), Some("prod"), "scoped");
        // Made by kubectl, labelled by hand: not kdrift's yet.
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "namespace": "prod", "labels": {"team": "ops"},
                "managedFields": [{"manager": "kubectl-edit", "operation": "Update",
                    "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}}}}}]},
            "data": {"k": "v"}});
        let (body, compact, _) = target.body_for(Some(&live), &opts).expect("reads back");
        assert_eq!(body["metadata"]["labels"][TRACKING_LABEL], "web");
        assert_eq!(compact.value().expect("reads back"), body);
    }
}
