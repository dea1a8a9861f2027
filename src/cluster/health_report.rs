//! The whole health report: control plane, nodes and, for the namespaces asked, workloads.

use super::health::{control_plane_facts, node_facts};
use super::workloads::namespace_workloads;
use super::{ClusterError, Connection};
use crate::model::health::Source;
use crate::model::health::control_plane::judge as judge_control_plane;
use crate::model::health::node::judge as judge_node;
use crate::model::health::report::HealthReport;

/// Gathers the whole report. Fails only when the API server cannot be reached at all.
pub async fn report(
    conn: &Connection,
    namespaces: &[String],
) -> Result<HealthReport, ClusterError> {
    report_with(conn, namespaces, None).await
}

/// As [`report`], with pods per node from a watch when there is one (a screen that polls).
pub async fn report_with(
    conn: &Connection,
    namespaces: &[String],
    per_node: Option<&super::pods::per_node::PodsPerNode>,
) -> Result<HealthReport, ClusterError> {
    let facts = control_plane_facts(conn).await;
    if let (Source::Unavailable(_), Source::Unavailable(reason)) = (&facts.version, &facts.readyz) {
        return Err(ClusterError::Unavailable(reason.clone()));
    }
    let control_plane = judge_control_plane(&facts);
    let nodes = match super::health::within("list nodes", node_facts(conn, per_node)).await {
        Source::Read(nodes) => Ok(nodes.iter().map(|n| judge_node(n, facts.now)).collect()),
        Source::Unavailable(reason) => Err(reason),
    };
    let mut workloads = None;
    let mut unavailable = Vec::new();
    if !namespaces.is_empty() {
        let mut all = Vec::new();
        for ns in namespaces {
            match namespace_workloads(conn, ns).await {
                Ok(reports) => all.extend(reports),
                Err(e) => unavailable.push(e.to_string()),
            }
        }
        workloads = Some(all);
    }
    Ok(HealthReport::new(
        conn.context.clone(),
        conn.server.clone(),
        control_plane,
        nodes,
        workloads,
        unavailable,
    ))
}
