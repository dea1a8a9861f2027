//! The pods of an app's workloads, for the tree: one list of Pods, ReplicaSets and Jobs per
//! namespace (a Deployment's pods belong to it through their ReplicaSet, a CronJob's through
//! their Job).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, ListParams};

use super::Connection;
use crate::model::health::pod::{Owners, PodFacts, WorkloadId, by_workload};

fn controller(refs: Option<&Vec<OwnerReference>>) -> Option<&OwnerReference> {
    refs?.iter().find(|r| r.controller == Some(true))
}

pub fn pod_facts(pod: &Pod) -> Option<PodFacts> {
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    let reason = statuses.iter().find_map(|c| {
        let state = c.state.as_ref()?;
        state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .or_else(|| state.terminated.as_ref().and_then(|t| t.reason.clone()))
    });
    Some(PodFacts {
        namespace: pod.metadata.namespace.clone()?,
        name: pod.metadata.name.clone()?,
        phase: pod
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Unknown".into()),
        ready: statuses.iter().filter(|c| c.ready).count(),
        containers: pod.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0),
        restarts: statuses.iter().map(|c| c.restart_count).sum(),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        reason,
        owner: controller(pod.metadata.owner_references.as_ref())
            .map(|r| (r.kind.clone(), r.name.clone())),
        terminating: pod.metadata.deletion_timestamp.is_some(),
    })
}

/// Pods of `namespaces` grouped by the workload that controls them.
pub async fn app_pods(
    conn: &Connection,
    namespaces: &[String],
) -> Result<BTreeMap<WorkloadId, Vec<PodFacts>>, String> {
    let mut pods = Vec::new();
    let mut owners = Owners::new();
    for ns in namespaces {
        let list = Api::<Pod>::namespaced(conn.client.clone(), ns)
            .list(&ListParams::default())
            .await
            .map_err(|e| conn.error(e, "list", "pods", Some(ns)).to_string())?;
        pods.extend(list.items.iter().filter_map(pod_facts));
        let sets = Api::<ReplicaSet>::namespaced(conn.client.clone(), ns)
            .list(&ListParams::default())
            .await
            .map_err(|e| conn.error(e, "list", "replicasets", Some(ns)).to_string())?;
        let jobs = Api::<Job>::namespaced(conn.client.clone(), ns)
            .list(&ListParams::default())
            .await
            .map_err(|e| conn.error(e, "list", "jobs", Some(ns)).to_string())?;
        let metas = sets
            .items
            .iter()
            .map(|rs| ("ReplicaSet", &rs.metadata))
            .chain(jobs.items.iter().map(|j| ("Job", &j.metadata)));
        for (kind, meta) in metas {
            if let (Some(name), Some(owner)) = (
                meta.name.clone(),
                controller(meta.owner_references.as_ref()),
            ) {
                owners.insert(
                    (kind.to_string(), ns.clone(), name),
                    (owner.kind.clone(), owner.name.clone()),
                );
            }
        }
    }
    Ok(by_workload(pods, &owners))
}
