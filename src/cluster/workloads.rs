//! Reads the live workloads of a namespace for the health rules.

use std::fmt::Debug;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::Resource;
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::health::{to_value, warning_events};
use super::{ClusterError, Connection};
use crate::model::health::Source;
use crate::model::health::workload::{WorkloadReport, judge};

/// A live object: kind, name, JSON.
type Live = (String, String, Value);

/// One list: (group, plural, namespace).
type ListKey = (String, String, Option<String>);

/// Recent Warning events by (kind, name).
type EventsByObject = std::collections::BTreeMap<(String, String), Vec<String>>;

async fn list_top_level<K>(conn: &Connection, namespace: &str) -> Result<Vec<Live>, ClusterError>
where
    K: Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + Debug
        + serde::Serialize,
{
    let api: Api<K> = Api::namespaced(conn.client.clone(), namespace);
    let kind = K::kind(&()).to_string();
    let plural = K::plural(&()).to_string();
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| conn.error(e, "list", &plural, Some(namespace)))?;
    Ok(list
        .items
        .iter()
        // Pods and ReplicaSets owned by a controller are that controller's business.
        .filter(|o| {
            !o.meta()
                .owner_references
                .as_ref()
                .is_some_and(|refs| refs.iter().any(|r| r.controller == Some(true)))
        })
        .map(|o| {
            (
                kind.clone(),
                o.meta().name.clone().unwrap_or_default(),
                to_value(o),
            )
        })
        .collect())
}

/// Health of every top-level workload in `namespace`, with its recent Warning events.
pub async fn namespace_workloads(
    conn: &Connection,
    namespace: &str,
) -> Result<Vec<WorkloadReport>, ClusterError> {
    let (a, b, c, d, e, f, g, h, i, j, k) = tokio::join!(
        list_top_level::<Deployment>(conn, namespace),
        list_top_level::<StatefulSet>(conn, namespace),
        list_top_level::<DaemonSet>(conn, namespace),
        list_top_level::<ReplicaSet>(conn, namespace),
        list_top_level::<Pod>(conn, namespace),
        list_top_level::<Job>(conn, namespace),
        list_top_level::<CronJob>(conn, namespace),
        list_top_level::<Service>(conn, namespace),
        list_top_level::<Ingress>(conn, namespace),
        list_top_level::<PersistentVolumeClaim>(conn, namespace),
        list_top_level::<HorizontalPodAutoscaler>(conn, namespace),
    );
    let mut live = Vec::new();
    for part in [a, b, c, d, e, f, g, h, i, j, k] {
        live.extend(part?);
    }
    let events = warning_events(conn, namespace).await;
    Ok(live
        .into_iter()
        .map(|(kind, name, value)| {
            let warnings = match &events {
                Source::Read(map) => map
                    .get(&(kind.clone(), name.clone()))
                    .cloned()
                    .unwrap_or_default(),
                Source::Unavailable(reason) => vec![format!("events unavailable: {reason}")],
            };
            WorkloadReport {
                verdict: judge(&kind, &value),
                kind,
                namespace: namespace.to_string(),
                name,
                warnings,
            }
        })
        .collect())
}

/// Health of each object of an app (its desired set), looked up by one list per kind and
/// namespace; objects the cluster lacks read Missing.
// Over 80 lines: one list per kind and namespace of the app, then judged; a candidate to
// split into list and judge.
pub async fn app_workloads(
    conn: &Connection,
    desired: &crate::model::desired::DesiredSet,
) -> Result<Vec<WorkloadReport>, ClusterError> {
    use std::collections::HashMap;

    use kube::api::DynamicObject;

    use super::discovery;
    use super::live::object_value;
    use crate::model::health::workload::missing;

    let resolved = discovery::resolve(conn, desired.objects.values().map(|m| &m.id))
        .await
        .map_err(ClusterError::Config)?;
    let mut lists: HashMap<ListKey, Result<Vec<Value>, String>> = HashMap::new();
    let mut events: HashMap<String, Source<EventsByObject>> = HashMap::new();
    let mut reports = Vec::new();
    for m in desired.objects.values() {
        let (kind, name) = (m.id.kind.clone(), m.id.name.clone());
        let ns = m.id.namespace.clone();
        let served = match discovery::lookup(&resolved, &m.id) {
            Some(Ok(s)) => s.clone(),
            Some(Err(reason)) => {
                reports.push(unknown(kind, ns, name, reason.clone()));
                continue;
            }
            None => continue,
        };
        let scope_ns = if served.namespaced { ns.clone() } else { None };
        let key = (
            served.resource.group.clone(),
            served.resource.plural.clone(),
            scope_ns.clone(),
        );
        if !lists.contains_key(&key) {
            let api: Api<DynamicObject> = match &scope_ns {
                Some(n) => Api::namespaced_with(conn.client.clone(), n, &served.resource),
                None => Api::all_with(conn.client.clone(), &served.resource),
            };
            let listed = api
                .list(&ListParams::default())
                .await
                .map(|l| {
                    l.items
                        .iter()
                        .filter_map(|o| object_value(o, &served.resource))
                        .collect()
                })
                .map_err(|e| {
                    conn.error(e, "list", &served.resource.plural, scope_ns.as_deref())
                        .to_string()
                });
            lists.insert(key.clone(), listed);
        }
        let live = match &lists[&key] {
            Ok(items) => items
                .iter()
                .find(|o| {
                    o.pointer("/metadata/name").and_then(Value::as_str) == Some(name.as_str())
                })
                .cloned(),
            Err(reason) => {
                reports.push(unknown(kind, ns, name, reason.clone()));
                continue;
            }
        };
        let warnings = match &scope_ns {
            Some(n) => {
                if !events.contains_key(n) {
                    events.insert(n.clone(), warning_events(conn, n).await);
                }
                match &events[n] {
                    Source::Read(map) => map
                        .get(&(kind.clone(), name.clone()))
                        .cloned()
                        .unwrap_or_default(),
                    Source::Unavailable(reason) => vec![format!("events unavailable: {reason}")],
                }
            }
            None => Vec::new(),
        };
        reports.push(WorkloadReport {
            verdict: live
                .as_ref()
                .map(|v| judge(&kind, v))
                .unwrap_or_else(missing),
            kind,
            namespace: ns.unwrap_or_default(),
            name,
            warnings,
        });
    }
    Ok(reports)
}

fn unknown(kind: String, ns: Option<String>, name: String, reason: String) -> WorkloadReport {
    WorkloadReport {
        verdict: crate::model::health::Verdict::new(crate::model::health::Health::Unknown, reason),
        kind,
        namespace: ns.unwrap_or_default(),
        name,
        warnings: Vec::new(),
    }
}
