//! Control-plane components: kube-apiserver, etcd, kube-controller-manager, kube-scheduler.

use jiff::Timestamp;
use serde::Serialize;

use super::{Health, Source, Verdict};
use crate::model::time::{age_secs, format_age};

pub const COMPONENTS: [&str; 4] = [
    "kube-apiserver",
    "etcd",
    "kube-controller-manager",
    "kube-scheduler",
];

/// One line of `/readyz?verbose` or `/livez?verbose`: `[+]etcd ok`, `[-]etcd failed: …`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: String,
    pub ok: bool,
}

/// Parses the verbose health output of the API server.
pub fn parse_verbose_checks(body: &str) -> Vec<Check> {
    body.lines()
        .filter_map(|line| {
            let (ok, rest) = if let Some(rest) = line.strip_prefix("[+]") {
                (true, rest)
            } else {
                (false, line.strip_prefix("[-]")?)
            };
            let name = rest.split_whitespace().next()?.to_string();
            Some(Check { name, ok })
        })
        .collect()
}

/// A leader-election (or node heartbeat) Lease, as far as health needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeaseFacts {
    pub holder: Option<String>,
    pub renew_time: Option<Timestamp>,
    pub duration_secs: Option<i64>,
}

/// How fresh a Lease is: stale once its last renewal is older than its duration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freshness {
    pub age_secs: i64,
    pub duration_secs: i64,
    pub stale: bool,
}

impl LeaseFacts {
    pub fn freshness(&self, now: Timestamp, default_duration: i64) -> Option<Freshness> {
        let renewed = self.renew_time?;
        let duration_secs = self.duration_secs.unwrap_or(default_duration);
        let age = age_secs(renewed, now);
        Some(Freshness {
            age_secs: age,
            duration_secs,
            stale: age > duration_secs,
        })
    }
}

/// A kubeadm-style static pod (`component=<name>` in kube-system).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaticPodFacts {
    pub name: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: i32,
}

/// Everything the probes read about the control plane.
#[derive(Debug, Clone)]
pub struct ControlPlaneFacts {
    pub version: Source<String>,
    pub readyz: Source<Vec<Check>>,
    pub livez: Source<Vec<Check>>,
    pub controller_manager_lease: Source<Option<LeaseFacts>>,
    pub scheduler_lease: Source<Option<LeaseFacts>>,
    /// `(component, pod)` for every static pod found.
    pub static_pods: Source<Vec<(String, StaticPodFacts)>>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentReport {
    pub name: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The version the component reports (the API server's `/version`), when read.
    #[serde(skip)]
    pub version: Option<String>,
}

pub fn judge(facts: &ControlPlaneFacts) -> Vec<ComponentReport> {
    COMPONENTS
        .iter()
        .map(|name| {
            let mut parts = match *name {
                "kube-apiserver" => vec![judge_apiserver(facts)],
                "etcd" => vec![judge_etcd(facts)],
                "kube-controller-manager" => {
                    vec![judge_lease(
                        name,
                        &facts.controller_manager_lease,
                        facts.now,
                    )]
                }
                _ => vec![judge_lease(name, &facts.scheduler_lease, facts.now)],
            };
            parts.extend(judge_static_pods(name, &facts.static_pods));
            ComponentReport {
                name: name.to_string(),
                verdict: Verdict::combine(parts),
                version: match (*name, &facts.version) {
                    ("kube-apiserver", Source::Read(v)) => Some(v.clone()),
                    _ => None,
                },
            }
        })
        .collect()
}

fn failing(checks: &[Check]) -> Vec<&str> {
    checks
        .iter()
        .filter(|c| !c.ok)
        .map(|c| c.name.as_str())
        .collect()
}

fn judge_apiserver(facts: &ControlPlaneFacts) -> Verdict {
    let mut parts = Vec::new();
    for (endpoint, source) in [("/readyz", &facts.readyz), ("/livez", &facts.livez)] {
        parts.push(match source {
            Source::Read(checks) => {
                let bad = failing(checks);
                if bad.is_empty() {
                    Verdict::new(
                        Health::Healthy,
                        format!("{endpoint}: all {} checks pass", checks.len()),
                    )
                } else {
                    Verdict::new(
                        Health::Degraded,
                        format!("{endpoint}: failing {}", bad.join(", ")),
                    )
                }
            }
            Source::Unavailable(reason) => {
                Verdict::new(Health::Down, format!("{endpoint}: {reason}"))
            }
        });
    }
    if let Source::Read(version) = &facts.version {
        parts.push(Verdict::new(Health::Healthy, format!("version {version}")));
    }
    Verdict::combine(parts)
}

fn judge_etcd(facts: &ControlPlaneFacts) -> Verdict {
    let mut parts = Vec::new();
    for (endpoint, source) in [("/readyz", &facts.readyz), ("/livez", &facts.livez)] {
        let Source::Read(checks) = source else {
            continue;
        };
        for check in checks.iter().filter(|c| c.name.starts_with("etcd")) {
            parts.push(if check.ok {
                Verdict::new(
                    Health::Healthy,
                    format!("{endpoint} check {} ok", check.name),
                )
            } else {
                Verdict::new(
                    Health::Down,
                    format!("{endpoint} check {} failed", check.name),
                )
            });
        }
    }
    if parts.is_empty() {
        Verdict::new(
            Health::Unknown,
            "the API server reports no etcd check (or could not be asked)",
        )
    } else {
        Verdict::combine(parts)
    }
}

/// The default leader-election lease duration of kube-controller-manager and kube-scheduler.
const LEADER_LEASE_DEFAULT_SECS: i64 = 15;

fn judge_lease(name: &str, lease: &Source<Option<LeaseFacts>>, now: Timestamp) -> Verdict {
    let lease = match lease {
        Source::Unavailable(reason) => {
            return Verdict::new(
                Health::Unknown,
                format!("lease kube-system/{name}: {reason}"),
            );
        }
        Source::Read(None) => {
            return Verdict::new(
                Health::Unknown,
                format!("no leader-election lease kube-system/{name} (leader election off?)"),
            );
        }
        Source::Read(Some(lease)) => lease,
    };
    let holder = lease.holder.as_deref().unwrap_or("nobody");
    match lease.freshness(now, LEADER_LEASE_DEFAULT_SECS) {
        None => Verdict::new(
            Health::Down,
            format!("lease kube-system/{name} held by {holder} was never renewed"),
        ),
        Some(f) if f.stale => Verdict::new(
            Health::Down,
            format!(
                "lease kube-system/{name} held by {holder} is stale: last renewed {} ago, past its {}s duration",
                format_age(f.age_secs),
                f.duration_secs
            ),
        ),
        Some(f) => Verdict::new(
            Health::Healthy,
            format!(
                "leader {holder}, lease renewed {} ago ({}s duration)",
                format_age(f.age_secs),
                f.duration_secs
            ),
        ),
    }
}

fn judge_static_pods(
    component: &str,
    pods: &Source<Vec<(String, StaticPodFacts)>>,
) -> Vec<Verdict> {
    let Source::Read(pods) = pods else {
        return Vec::new();
    };
    pods.iter()
        .filter(|(c, _)| c == component)
        .map(|(_, pod)| {
            let restarts = if pod.restarts > 0 {
                format!(", {} restarts", pod.restarts)
            } else {
                String::new()
            };
            let text = format!(
                "static pod {}: {}{}{}",
                pod.name,
                pod.phase,
                if pod.ready { ", ready" } else { ", not ready" },
                restarts
            );
            let health = match (pod.phase.as_str(), pod.ready) {
                ("Running", true) => Health::Healthy,
                ("Failed", _) | ("Unknown", _) => Health::Down,
                _ => Health::Degraded,
            };
            Verdict::new(health, text)
        })
        .collect()
}

#[cfg(test)]
mod tests;
