//! The whole health picture `kdrift health` prints and the TUI shows.

use serde::Serialize;

use super::control_plane::ComponentReport;
use super::node::NodeReport;
use super::workload::WorkloadReport;
use super::{Health, Verdict};

/// Version of the JSON document `kdrift health --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct HealthReport {
    pub schema_version: u32,
    pub context: String,
    pub server: String,
    pub control_plane: Vec<ComponentReport>,
    pub nodes: Vec<NodeReport>,
    /// Why nodes could not be read (e.g. forbidden), when they could not.
    pub nodes_unavailable: Option<String>,
    /// Present when workloads were asked for.
    pub workloads: Option<Vec<WorkloadReport>>,
    /// Why some workloads could not be read, when they could not.
    pub workloads_unavailable: Vec<String>,
    /// True when every component, node and workload is Healthy (or Suspended) and every
    /// source could be read.
    pub healthy: bool,
}

impl HealthReport {
    /// This report as the client sees the cluster while the API server cannot be reached:
    /// nothing it said can be vouched for. Every component and node reads Unknown with
    /// why; heartbeats show their age now (`elapsed` seconds after the report was read).
    pub fn unreachable(&self, why: &str, elapsed: i64) -> HealthReport {
        let mut out = self.clone();
        let unknown = |evidence: String| Verdict::new(Health::Unknown, evidence);
        for c in &mut out.control_plane {
            c.verdict = unknown(format!("{why} (last read: {})", c.verdict.health));
        }
        for n in &mut out.nodes {
            n.verdict = unknown(format!("{why} (last read: {})", n.verdict.health));
            n.kubelet_health = Health::Unknown;
            n.kube_proxy_health = Health::Unknown;
            if let Some(h) = &mut n.heartbeat {
                h.age_secs += elapsed.max(0);
                h.stale = h.age_secs > h.duration_secs;
            }
        }
        out.healthy = false;
        out
    }

    /// Adds judged workloads (an app's objects) and re-derives the verdict.
    pub fn add_workloads(&mut self, more: Vec<WorkloadReport>) {
        let ok = more.iter().all(|w| w.verdict.health.is_ok());
        self.workloads.get_or_insert_with(Vec::new).extend(more);
        self.healthy = self.healthy && ok;
    }

    pub fn new(
        context: String,
        server: String,
        control_plane: Vec<ComponentReport>,
        nodes: Result<Vec<NodeReport>, String>,
        workloads: Option<Vec<WorkloadReport>>,
        workloads_unavailable: Vec<String>,
    ) -> Self {
        let (nodes, nodes_unavailable) = match nodes {
            Ok(nodes) => (nodes, None),
            Err(reason) => (Vec::new(), Some(reason)),
        };
        let healthy = control_plane.iter().all(|c| c.verdict.health.is_ok())
            && nodes.iter().all(|n| n.verdict.health.is_ok())
            && nodes_unavailable.is_none()
            && workloads_unavailable.is_empty()
            && workloads.iter().flatten().all(|w| w.verdict.health.is_ok());
        HealthReport {
            schema_version: SCHEMA_VERSION,
            context,
            server,
            control_plane,
            nodes,
            nodes_unavailable,
            workloads,
            workloads_unavailable,
            healthy,
        }
    }
}
