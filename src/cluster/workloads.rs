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
