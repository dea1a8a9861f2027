//! Pods per node, kept by one watch of the cluster's running pods (each pod is read once
//! per change and only its node kept) instead of listing every pod in the cluster on every
//! health poll.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use super::watch::Relisted;
use crate::cluster::Connection;

/// What the watch holds: pod (namespace/name) to node; whether it has listed; why it
/// last failed (cleared by the next event).
#[derive(Default)]
struct Watched {
    nodes: Relisted<String>,
    listed: bool,
    failed: Option<String>,
}

type Shared = Arc<Mutex<Watched>>;

/// The watch, stopped when dropped.
pub struct PodsPerNode {
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for PodsPerNode {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn node_of(pod: &Pod) -> (String, Option<String>) {
    let name = format!(
        "{}/{}",
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default()
    );
    (name, pod.spec.as_ref().and_then(|s| s.node_name.clone()))
}

impl PodsPerNode {
    pub fn start(conn: &Connection) -> Self {
        let state: Shared = Arc::default();
        let api: Api<Pod> = Api::all(conn.stream_client.clone());
        // A pod that finishes leaves the selection: the watch reports it deleted.
        let config =
            watcher::Config::default().fields("status.phase!=Succeeded,status.phase!=Failed");
        let conn = conn.clone();
        let shared = state.clone();
        let task = tokio::spawn(async move {
            let mut events = std::pin::pin!(watcher::watcher(api, config).default_backoff());
            while let Some(event) = events.next().await {
                let Ok(mut watched) = shared.lock() else {
                    return;
                };
                match event {
                    Ok(event) => {
                        watched.failed = None;
                        watched.listed |= matches!(event, Event::InitDone);
                        watched.nodes.apply(match event {
                            Event::Apply(p) => Event::Apply(node_of(&p)),
                            Event::Delete(p) => Event::Delete(node_of(&p)),
                            Event::InitApply(p) => Event::InitApply(node_of(&p)),
                            Event::Init => Event::Init,
                            Event::InitDone => Event::InitDone,
                        });
                    }
                    Err(e) => {
                        watched.failed =
                            Some(crate::cluster::live::watch_failure(&conn, e, "pods", None));
                    }
                }
            }
        });
        PodsPerNode { state, task }
    }

    /// Running pods per node once the watch has listed (`None` before), or why it fails.
    pub fn counts(&self) -> Option<Result<BTreeMap<String, usize>, String>> {
        let watched = self.state.lock().ok()?;
        if let Some(why) = &watched.failed {
            return Some(Err(why.clone()));
        }
        if !watched.listed {
            return None;
        }
        let mut counts = BTreeMap::new();
        for (_, node) in watched.nodes.values() {
            *counts.entry(node.clone()).or_insert(0) += 1;
        }
        Some(Ok(counts))
    }
}
