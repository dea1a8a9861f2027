//! The pods of an app's workloads, for the tree: a Deployment's pods belong to it through
//! their ReplicaSet, a CronJob's through their Job (kept by watches: [`watch`]).

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::model::health::pod::PodFacts;

pub mod per_node;
pub mod watch;

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
