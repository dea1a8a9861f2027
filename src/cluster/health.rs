//! Probes that gather health facts: the API server's checks, leader-election and node
//! Leases, static pods, nodes, kube-proxy, workloads and their Warning events. Each source
//! is optional: a forbidden or failing read becomes `Source::Unavailable` with the reason.

use std::collections::BTreeMap;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, ListParams};
use serde_json::Value;

use super::Connection;
use crate::model::health::Source;
use crate::model::health::control_plane::{
    COMPONENTS, Check, ControlPlaneFacts, LeaseFacts, StaticPodFacts, parse_verbose_checks,
};
use crate::model::health::node::{ConditionFacts, NodeFacts, PodState};

/// How long one probe may take: an API server that hangs (its etcd paused, the process
/// stopped) makes the probe unavailable, not the whole report late.
pub const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// A probe, bounded by [`PROBE_TIMEOUT`].
pub async fn within<T>(
    what: &str,
    probe: impl std::future::Future<Output = Source<T>>,
) -> Source<T> {
    match tokio::time::timeout(PROBE_TIMEOUT, probe).await {
        Ok(source) => source,
        Err(_) => Source::Unavailable(format!(
            "{what}: no answer within {}s",
            PROBE_TIMEOUT.as_secs()
        )),
    }
}

pub async fn control_plane_facts(conn: &Connection) -> ControlPlaneFacts {
    let (version, readyz, livez, kcm, sched, static_pods) = tokio::join!(
        within("get /version", version(conn)),
        within("get /readyz", verbose_checks(conn, "/readyz?verbose")),
        within("get /livez", verbose_checks(conn, "/livez?verbose")),
        within(
            "get leases/kube-controller-manager",
            leader_lease(conn, "kube-controller-manager")
        ),
        within(
            "get leases/kube-scheduler",
            leader_lease(conn, "kube-scheduler")
        ),
        within("list static pods", static_pods(conn)),
    );
    ControlPlaneFacts {
        version,
        readyz,
        livez,
        controller_manager_lease: kcm,
        scheduler_lease: sched,
        static_pods,
        now: jiff::Timestamp::now(),
    }
}

async fn version(conn: &Connection) -> Source<String> {
    match conn.client.apiserver_version().await {
        Ok(info) => Source::Read(info.git_version),
        Err(e) => Source::Unavailable(conn.error(e, "get", "/version", None).to_string()),
    }
}

async fn verbose_checks(conn: &Connection, path: &str) -> Source<Vec<Check>> {
    let request = match http::Request::get(path).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return Source::Unavailable(e.to_string()),
    };
    match conn.client.request_text(request).await {
        Ok(body) => Source::Read(parse_verbose_checks(&body)),
        // A failing check makes the endpoint answer 500 with the same verbose body.
        Err(kube::Error::Api(status)) if status.code >= 500 && status.message.contains("[-]") => {
            Source::Read(parse_verbose_checks(&status.message))
        }
        Err(e) => Source::Unavailable(conn.error(e, "get", path, None).to_string()),
    }
}

fn lease_facts(lease: &Lease) -> LeaseFacts {
    let spec = lease.spec.as_ref();
    LeaseFacts {
        holder: spec.and_then(|s| s.holder_identity.clone()),
        renew_time: spec.and_then(|s| s.renew_time.as_ref()).map(|t| t.0),
        duration_secs: spec.and_then(|s| s.lease_duration_seconds).map(i64::from),
    }
}

async fn leader_lease(conn: &Connection, name: &str) -> Source<Option<LeaseFacts>> {
    let leases: Api<Lease> = Api::namespaced(conn.client.clone(), "kube-system");
    match leases.get_opt(name).await {
        Ok(lease) => Source::Read(lease.as_ref().map(lease_facts)),
        Err(e) => Source::Unavailable(
            conn.error(e, "get", &format!("leases/{name}"), Some("kube-system"))
                .to_string(),
        ),
    }
}

pub fn pod_state(pod: &Pod) -> PodState {
    let status = pod.status.as_ref();
    PodState {
        name: pod.metadata.name.clone().unwrap_or_default(),
        phase: status
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Unknown".into()),
        ready: status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True")),
        restarts: status
            .and_then(|s| s.container_statuses.as_ref())
            .map(|cs| cs.iter().map(|c| c.restart_count).sum())
            .unwrap_or(0),
    }
}

async fn static_pods(conn: &Connection) -> Source<Vec<(String, StaticPodFacts)>> {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "kube-system");
    let selector = format!("component in ({})", COMPONENTS.join(","));
    match pods.list(&ListParams::default().labels(&selector)).await {
        Ok(list) => Source::Read(
            list.items
                .iter()
                .filter_map(|p| {
                    let component = p.metadata.labels.as_ref()?.get("component")?.clone();
                    let s = pod_state(p);
                    Some((
                        component,
                        StaticPodFacts {
                            name: s.name,
                            phase: s.phase,
                            ready: s.ready,
                            restarts: s.restarts,
                        },
                    ))
                })
                .collect(),
        ),
        Err(e) => Source::Unavailable(
            conn.error(e, "list", "pods", Some(KUBE_PROXY_NAMESPACE))
                .to_string(),
        ),
    }
}

/// Facts for every node, or why the nodes could not be listed; pods per node from
/// `per_node`'s watch once it has listed.
pub async fn node_facts(
    conn: &Connection,
    per_node: Option<&super::pods::per_node::PodsPerNode>,
) -> Source<Vec<NodeFacts>> {
    let nodes: Api<Node> = Api::all(conn.client.clone());
    let nodes = match nodes.list(&ListParams::default()).await {
        Ok(list) => list.items,
        Err(e) => return Source::Unavailable(conn.error(e, "list", "nodes", None).to_string()),
    };
    let counted = async {
        match per_node.and_then(|w| w.counts()) {
            Some(Ok(counts)) => Source::Read(counts),
            Some(Err(why)) => Source::Unavailable(why),
            None => pods_per_node(conn).await,
        }
    };
    let (leases, proxies, pods) = tokio::join!(node_leases(conn), kube_proxy_pods(conn), counted);
    Source::Read(
        nodes
            .iter()
            .map(|node| {
                let name = node.metadata.name.clone().unwrap_or_default();
                NodeFacts {
                    conditions: node_conditions(node),
                    kubelet_version: node
                        .status
                        .as_ref()
                        .and_then(|s| s.node_info.as_ref())
                        .map(|i| i.kubelet_version.clone()),
                    lease: leases.as_ref().map_read(|m| m.get(&name).cloned()),
                    unschedulable: node
                        .spec
                        .as_ref()
                        .and_then(|s| s.unschedulable)
                        .unwrap_or(false),
                    taints: node
                        .spec
                        .as_ref()
                        .and_then(|s| s.taints.as_ref())
                        .map(|ts| {
                            ts.iter()
                                .map(|t| match &t.value {
                                    Some(v) => format!("{}={}:{}", t.key, v, t.effect),
                                    None => format!("{}:{}", t.key, t.effect),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    kube_proxy: proxies.as_ref().map_read(|m| m.get(&name).cloned()),
                    pod_count: pods
                        .as_ref()
                        .map_read(|m| m.get(&name).copied().unwrap_or(0)),
                    name,
                }
            })
            .collect(),
    )
}

impl<T> Source<&T> {
    fn map_read<U>(self, f: impl FnOnce(&T) -> U) -> Source<U> {
        match self {
            Source::Read(v) => Source::Read(f(v)),
            Source::Unavailable(r) => Source::Unavailable(r),
        }
    }
}

fn node_conditions(node: &Node) -> Vec<ConditionFacts> {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .map(|cs| {
            cs.iter()
                .map(|c| ConditionFacts {
                    type_: c.type_.clone(),
                    status: c.status.clone(),
                    reason: c.reason.clone(),
                    message: c.message.clone(),
                    last_transition: c.last_transition_time.as_ref().map(|t| t.0),
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn node_leases(conn: &Connection) -> Source<BTreeMap<String, LeaseFacts>> {
    let leases: Api<Lease> = Api::namespaced(conn.client.clone(), "kube-node-lease");
    match leases.list(&ListParams::default()).await {
        Ok(list) => Source::Read(
            list.items
                .iter()
                .filter_map(|l| Some((l.metadata.name.clone()?, lease_facts(l))))
                .collect(),
        ),
        Err(e) => Source::Unavailable(
            conn.error(e, "list", "leases", Some("kube-node-lease"))
                .to_string(),
        ),
    }
}

/// Where kube-proxy runs (its DaemonSet's pods carry `k8s-app=kube-proxy`).
pub const KUBE_PROXY_NAMESPACE: &str = "kube-system";

async fn kube_proxy_pods(conn: &Connection) -> Source<BTreeMap<String, PodState>> {
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), KUBE_PROXY_NAMESPACE);
    let params = ListParams::default().labels("k8s-app=kube-proxy");
    match pods.list(&params).await {
        Ok(list) => Source::Read(
            list.items
                .iter()
                .filter_map(|p| Some((p.spec.as_ref()?.node_name.clone()?, pod_state(p))))
                .collect(),
        ),
        Err(e) => Source::Unavailable(
            conn.error(e, "list", "pods", Some(KUBE_PROXY_NAMESPACE))
                .to_string(),
        ),
    }
}

async fn pods_per_node(conn: &Connection) -> Source<BTreeMap<String, usize>> {
    let pods: Api<Pod> = Api::all(conn.client.clone());
    let params = ListParams::default()
        .fields("status.phase!=Succeeded,status.phase!=Failed")
        .limit(500);
    let mut counts = BTreeMap::new();
    let mut continue_token: Option<String> = None;
    loop {
        let page = match &continue_token {
            Some(token) => params.clone().continue_token(token),
            None => params.clone(),
        };
        let list = match pods.list(&page).await {
            Ok(list) => list,
            Err(e) => return Source::Unavailable(conn.error(e, "list", "pods", None).to_string()),
        };
        for pod in &list.items {
            if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
                *counts.entry(node).or_insert(0) += 1;
            }
        }
        continue_token = list.metadata.continue_.filter(|t| !t.is_empty());
        if continue_token.is_none() {
            return Source::Read(counts);
        }
    }
}

/// Recent Warning events in `namespace`, keyed by (kind, name) of the object they concern,
/// newest first.
pub async fn warning_events(
    conn: &Connection,
    namespace: &str,
) -> Source<BTreeMap<(String, String), Vec<String>>> {
    let events: Api<Event> = Api::namespaced(conn.client.clone(), namespace);
    let list = match events
        .list(&ListParams::default().fields("type=Warning"))
        .await
    {
        Ok(list) => list.items,
        Err(e) => {
            return Source::Unavailable(
                conn.error(e, "list", "events", Some(namespace)).to_string(),
            );
        }
    };
    let mut sorted: Vec<&Event> = list.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse(event_time(e)));
    let mut by_object: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for e in sorted {
        let key = (
            e.involved_object.kind.clone().unwrap_or_default(),
            e.involved_object.name.clone().unwrap_or_default(),
        );
        let entry = by_object.entry(key).or_default();
        if entry.len() < 3 {
            entry.push(format!(
                "{}: {}",
                e.reason.as_deref().unwrap_or("Warning"),
                e.message.as_deref().unwrap_or("").trim()
            ));
        }
    }
    Source::Read(by_object)
}

fn event_time(e: &Event) -> Option<jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
}

/// A live object's JSON, for the workload rules.
pub fn to_value<T: serde::Serialize>(obj: &T) -> Value {
    serde_json::to_value(obj).unwrap_or(Value::Null)
}
