//! `kdrift health`: control plane, nodes and kubelets, workloads.

use std::fmt::Write as _;

use crate::cli::{HealthArgs, Output};
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::model::health::Health;
use crate::model::health::report::HealthReport;
use crate::model::time::format_age;

use super::ExitCode;

pub use crate::cluster::health_report::report;

pub async fn run(
    conn: &Connection,
    args: &HealthArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let namespaces = if args.all_namespaces {
        all_namespaces(conn).await?
    } else {
        args.namespaces.clone()
    };
    let mut report = report(conn, &namespaces).await?;
    if let Some(path) = &args.path {
        let mut settings = settings.clone();
        if let Some(ns) = &args.app_namespace {
            settings.namespace = ns.clone();
        }
        let app_args = crate::cli::AppArgs {
            repo: args.repo.clone(),
            path: path.clone(),
            namespace: None,
            max_file_size: crate::model::manifest::DEFAULT_MAX_FILE_BYTES,
            kustomize: None,
            kustomize_timeout: 60,
            helm: None,
            release: None,
            values: Vec::new(),
            set: Vec::new(),
            jsonnet: None,
        };
        let app = super::app::open(&app_args, &settings)?;
        let desired = app.desired(&crate::git::Revision::Rev(args.rev.clone()))?;
        super::render::report_problems(&desired);
        let app_reports = crate::cluster::workloads::app_workloads(conn, &desired).await?;
        report.add_workloads(app_reports);
    }
    match args.output {
        Output::Json | Output::Yaml => super::output::document(&report, args.output)?,
        Output::Text => super::output::print(&render_text(&report))?,
    }
    Ok(if report.healthy { 0 } else { 1 })
}

/// Every namespace's name, for `-A`.
async fn all_namespaces(conn: &Connection) -> anyhow::Result<Vec<String>> {
    use k8s_openapi::api::core::v1::Namespace;
    let list = kube::Api::<Namespace>::all(conn.client.clone())
        .list(&Default::default())
        .await
        .map_err(|e| conn.error(e, "list", "namespaces", None))?;
    Ok(list
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect())
}

fn badge(h: Health) -> String {
    format!("{:<11}", h.label())
}

// Over 80 lines: the text report's sections in order (control plane, nodes, workloads).
pub fn render_text(r: &HealthReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Cluster {} ({})", r.context, r.server);
    let _ = writeln!(out, "\nControl plane");
    for c in &r.control_plane {
        let _ = writeln!(
            out,
            "  {} {:<24} {}",
            badge(c.verdict.health),
            c.name,
            c.verdict.evidence.join("; ")
        );
    }
    let _ = writeln!(out, "\nNodes");
    if let Some(reason) = &r.nodes_unavailable {
        let _ = writeln!(out, "  {} {reason}", badge(Health::Unknown));
    }
    for n in &r.nodes {
        let heartbeat = n
            .heartbeat
            .as_ref()
            .map(|h| {
                format!(
                    "{}{}",
                    format_age(h.age_secs),
                    if h.stale { " STALE" } else { "" }
                )
            })
            .unwrap_or_else(|| "?".into());
        let proxy = n
            .kube_proxy
            .as_ref()
            .map(|p| p.phase.clone())
            .unwrap_or_else(|| "none".into());
        let _ = writeln!(
            out,
            "  {} {:<24} Ready={} kubelet {} heartbeat {} pods {} kube-proxy {}{}",
            badge(n.verdict.health),
            n.name,
            n.ready,
            n.kubelet_version.as_deref().unwrap_or("?"),
            heartbeat,
            n.pod_count
                .map(|c| c.to_string())
                .unwrap_or_else(|| "?".into()),
            proxy,
            if n.unschedulable { " cordoned" } else { "" }
        );
        if !n.verdict.health.is_ok() {
            for e in &n.verdict.evidence {
                let _ = writeln!(out, "              {e}");
            }
        }
        if !n.taints.is_empty() {
            let _ = writeln!(out, "              taints: {}", n.taints.join(", "));
        }
    }
    if let Some(workloads) = &r.workloads {
        let _ = writeln!(out, "\nWorkloads");
        for reason in &r.workloads_unavailable {
            let _ = writeln!(out, "  {} {reason}", badge(Health::Unknown));
        }
        for w in workloads {
            let _ = writeln!(
                out,
                "  {} {}/{}/{}  {}",
                badge(w.verdict.health),
                w.kind,
                w.namespace,
                w.name,
                w.verdict.evidence.join("; ")
            );
            for warning in &w.warnings {
                let _ = writeln!(out, "              warning {warning}");
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        if r.healthy {
            "All healthy."
        } else {
            "Not all healthy."
        }
    );
    out
}
