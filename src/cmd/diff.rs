//! `kdrift diff`: Git versus live, object by object.

use serde::Serialize;

use super::ExitCode;
use crate::cli::{DiffArgs, LensArg, Output};
use crate::cluster::Connection;
use crate::cluster::drift::{DriftReport, Session};
use crate::config::settings::Settings;
use crate::git::App;
use crate::model::diff::colorize;
use crate::model::drift::{Lens, ObjectReport, SyncStatus};
use crate::model::manifest::LoadError;

/// Version of the JSON document `kdrift diff --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

const STATUSES: [SyncStatus; 5] = [
    SyncStatus::Synced,
    SyncStatus::OutOfSync,
    SyncStatus::Missing,
    SyncStatus::Extra,
    SyncStatus::Unknown,
];

#[derive(Serialize)]
struct DiffDoc<'a> {
    schema_version: u32,
    app: &'a str,
    context: &'a str,
    server: &'a str,
    path: &'a str,
    commit: Option<String>,
    summary: std::collections::BTreeMap<&'static str, usize>,
    objects: &'a [std::sync::Arc<ObjectReport>],
    load_errors: &'a [LoadError],
    live_commit: Option<&'a str>,
    cluster_at: Option<&'a str>,
}

pub use crate::ops::context::default_app_name;

pub async fn run(
    conn: &Connection,
    args: &DiffArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let mut ctx = super::app::context(conn, &args.app, args.app_name.as_deref(), settings).await?;
    let app = App::open(&ctx.spec)?;
    let (revision, commit) = super::app::revision(&app, &args.side.rev, args.side.worktree)?;
    let mut desired = app.desired(&revision)?;
    let lens = match args.lens {
        LensArg::Preview => Lens::Preview,
        LensArg::Drift => Lens::Drift,
        LensArg::Both => Lens::Both,
    };
    ctx.drift.lens = lens;
    let session = Session::start(conn, &desired, &ctx.drift, None).await?;
    // The session keeps its own compact copy of each object: the parsed ones can go.
    desired.objects.clear();
    crate::memory::release_freed();
    let mut report = session.evaluate(conn, &ctx.cache).await;
    drop(session);
    ctx.cache.save();
    // Which commit the cluster runs, from the record any session wrote.
    let record = ctx.record.clone();
    let live_commit = record.as_ref().and_then(|r| r.live_commit.clone());
    let cluster_at = match (&record, &commit) {
        (Some(r), Some(c)) => crate::ops::record::cluster_at(r, c),
        _ => None,
    };
    report.objects = report
        .objects
        .into_iter()
        .map(|o| std::sync::Arc::new(std::sync::Arc::unwrap_or_clone(o).through(lens)))
        .collect();
    match args.output {
        Output::Json | Output::Yaml => {
            let doc = DiffDoc {
                schema_version: SCHEMA_VERSION,
                app: &report.app,
                context: &conn.context,
                server: &conn.server,
                path: &app.path,
                commit,
                summary: STATUSES
                    .iter()
                    .map(|s| (s.label(), report.count(*s)))
                    .collect(),
                objects: &report.objects,
                load_errors: &desired.errors,
                live_commit: live_commit.as_deref(),
                cluster_at: cluster_at.as_deref(),
            };
            super::output::document(&doc, args.output)?;
        }
        Output::Text => {
            let color = settings.color;
            let mut text = render_text(&report, color);
            if let Some(at) = &cluster_at {
                text = text.replacen("\n\n", &format!("\n{at}\n\n"), 1);
            }
            super::output::print(&text)?;
        }
    }
    super::render::report_problems(&desired);
    Ok(exit_code(&report, !desired.errors.is_empty()))
}

pub fn exit_code(report: &DriftReport, load_errors: bool) -> ExitCode {
    if load_errors || report.count(SyncStatus::Unknown) > 0 {
        2
    } else if report.in_sync() {
        0
    } else {
        1
    }
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| format!("{by}{l}\n")).collect()
}

pub fn render_text(report: &DriftReport, color: bool) -> String {
    let mut out = format!("App {}\n\n", report.app);
    for o in &report.objects {
        out.push_str(&format!(
            "{:<10} {}  {}\n",
            o.status.label(),
            o.key,
            o.reason
        ));
        if let Some(preview) = o.preview.as_ref().filter(|p| !p.is_empty()) {
            out.push_str("  apply preview:\n");
            let text = if color {
                colorize(&preview.unified)
            } else {
                preview.unified.clone()
            };
            out.push_str(&indent(&text, "    "));
        }
        if !o.drift.is_empty() {
            out.push_str("  live drift:\n");
            for d in &o.drift {
                out.push_str(&format!("    {d}\n"));
            }
        }
        for c in &o.conflicts {
            out.push_str(&format!("  conflict: {c}\n"));
        }
        // Paths, managers and rules come from the cluster and Git: inert before printing.
        let inert = crate::model::text::inert;
        if let Some(repair) = &o.repair {
            out.push_str(&format!("  a sync {}\n", inert(&repair.to_string())));
        }
        if let Some(m) = &o.migration {
            out.push_str(&format!("  a sync {}\n", inert(&m.to_string())));
        }
        if !o.ignored.is_empty() {
            out.push_str(&format!("  ignored ({}):\n", o.ignored.len()));
            for i in &o.ignored {
                out.push_str(&format!("    {}\n", inert(&i.to_string())));
            }
        }
        for n in &o.notes {
            out.push_str(&format!("  same value: {}\n", inert(n)));
        }
    }
    let summary: Vec<String> = STATUSES
        .iter()
        .map(|s| format!("{} {}", report.count(*s), s.label()))
        .collect();
    out.push_str(&format!("\n{}\n", summary.join(", ")));
    out
}
