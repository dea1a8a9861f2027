//! Nodes and their kubelets and kube-proxies.

use jiff::Timestamp;
use serde::Serialize;

use super::control_plane::{Freshness, LeaseFacts};
use super::{Health, Source, Verdict};
use crate::model::time::format_age;

/// The conditions operators watch, in display order.
pub const WATCHED_CONDITIONS: [&str; 5] = [
    "Ready",
    "MemoryPressure",
    "DiskPressure",
    "PIDPressure",
    "NetworkUnavailable",
];

/// The kubelet's default node lease duration.
const NODE_LEASE_DEFAULT_SECS: i64 = 40;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionFacts {
    #[serde(rename = "type")]
    pub type_: String,
    pub status: String,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub last_transition: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PodState {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: i32,
}

#[derive(Debug, Clone)]
pub struct NodeFacts {
    pub name: String,
    pub conditions: Vec<ConditionFacts>,
    /// Free text: KWOK reports `kwok-v0.8.0`, which is not semver.
    pub kubelet_version: Option<String>,
    pub lease: Source<Option<LeaseFacts>>,
    pub unschedulable: bool,
    pub taints: Vec<String>,
    pub kube_proxy: Source<Option<PodState>>,
    pub pod_count: Source<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeReport {
    pub name: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// Status of the Ready condition: True, False or Unknown.
    pub ready: String,
    pub kubelet_version: Option<String>,
    pub heartbeat: Option<Freshness>,
    pub unschedulable: bool,
    pub taints: Vec<String>,
    pub conditions: Vec<ConditionFacts>,
    pub kube_proxy: Option<PodState>,
    pub pod_count: Option<usize>,
    /// The kubelet's verdict: its Ready condition and its heartbeat.
    #[serde(skip)]
    pub kubelet_health: Health,
    /// The verdict on the node's kube-proxy pod.
    #[serde(skip)]
    pub kube_proxy_health: Health,
}

fn condition<'a>(facts: &'a NodeFacts, type_: &str) -> Option<&'a ConditionFacts> {
    facts.conditions.iter().find(|c| c.type_ == type_)
}

fn describe(c: &ConditionFacts, now: Timestamp) -> String {
    let mut text = format!("{}={}", c.type_, c.status);
    if let Some(reason) = &c.reason {
        text.push_str(&format!(" ({reason})"));
    }
    if let Some(message) = c.message.as_deref().filter(|m| !m.is_empty()) {
        text.push_str(&format!(": {message}"));
    }
    if let Some(t) = c.last_transition {
        let age = crate::model::time::age_secs(t, now);
        text.push_str(&format!(", since {} ago", format_age(age)));
    }
    text
}

pub fn judge(facts: &NodeFacts, now: Timestamp) -> NodeReport {
    let mut parts = vec![judge_ready(facts, now)];
    for type_ in &WATCHED_CONDITIONS[1..] {
        if let Some(c) = condition(facts, type_).filter(|c| c.status == "True") {
            parts.push(Verdict::new(Health::Degraded, describe(c, now)));
        }
    }
    let heartbeat = match &facts.lease {
        Source::Read(Some(lease)) => lease.freshness(now, NODE_LEASE_DEFAULT_SECS),
        _ => None,
    };
    let kubelet = Verdict::combine(vec![
        parts[0].clone(),
        judge_heartbeat(facts, heartbeat.as_ref()),
    ]);
    let kube_proxy = judge_kube_proxy(&facts.kube_proxy);
    let (kubelet_health, kube_proxy_health) = (kubelet.health, kube_proxy.health);
    parts.push(judge_heartbeat(facts, heartbeat.as_ref()));
    parts.push(kube_proxy);
    if facts.unschedulable {
        parts.push(Verdict::new(Health::Healthy, "cordoned (unschedulable)"));
    }
    NodeReport {
        name: facts.name.clone(),
        verdict: Verdict::combine(parts),
        ready: condition(facts, "Ready")
            .map(|c| c.status.clone())
            .unwrap_or_else(|| "Unknown".into()),
        kubelet_version: facts.kubelet_version.clone(),
        heartbeat,
        unschedulable: facts.unschedulable,
        taints: facts.taints.clone(),
        conditions: WATCHED_CONDITIONS
            .iter()
            .filter_map(|t| condition(facts, t).cloned())
            .collect(),
        kube_proxy: facts.kube_proxy.read().cloned().flatten(),
        pod_count: facts.pod_count.read().copied(),
        kubelet_health,
        kube_proxy_health,
    }
}

fn judge_ready(facts: &NodeFacts, now: Timestamp) -> Verdict {
    match condition(facts, "Ready") {
        Some(c) if c.status == "True" => Verdict::new(Health::Healthy, describe(c, now)),
        Some(c) => Verdict::new(Health::Down, describe(c, now)),
        None => Verdict::new(Health::Unknown, "no Ready condition reported yet"),
    }
}

fn judge_heartbeat(facts: &NodeFacts, heartbeat: Option<&Freshness>) -> Verdict {
    match (&facts.lease, heartbeat) {
        (Source::Unavailable(reason), _) => {
            Verdict::new(Health::Unknown, format!("node lease: {reason}"))
        }
        (Source::Read(None), _) => Verdict::new(
            Health::Unknown,
            format!("no lease kube-node-lease/{}", facts.name),
        ),
        (Source::Read(Some(_)), None) => {
            Verdict::new(Health::Degraded, "kubelet never renewed its node lease")
        }
        (Source::Read(Some(_)), Some(f)) if f.stale => Verdict::new(
            Health::Degraded,
            format!(
                "kubelet heartbeat stale: lease renewed {} ago, past its {}s duration",
                format_age(f.age_secs),
                f.duration_secs
            ),
        ),
        (Source::Read(Some(_)), Some(f)) => Verdict::new(
            Health::Healthy,
            format!("kubelet heartbeat {} ago", format_age(f.age_secs)),
        ),
    }
}

fn judge_kube_proxy(kube_proxy: &Source<Option<PodState>>) -> Verdict {
    match kube_proxy {
        Source::Unavailable(reason) => {
            Verdict::new(Health::Unknown, format!("kube-proxy: {reason}"))
        }
        Source::Read(None) => Verdict::new(Health::Degraded, "no kube-proxy pod on this node"),
        Source::Read(Some(p)) if p.phase == "Running" && p.ready => {
            Verdict::new(Health::Healthy, format!("kube-proxy {} Running", p.name))
        }
        Source::Read(Some(p)) => Verdict::new(
            Health::Degraded,
            format!(
                "kube-proxy {} {}{}",
                p.name,
                p.phase,
                if p.ready { "" } else { ", not ready" }
            ),
        ),
    }
}

#[cfg(test)]
mod tests;
