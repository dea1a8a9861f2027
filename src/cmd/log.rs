//! `kdrift log`: the app's sync record as a timeline (who synced which commit, when, what
//! it did), read from its ApplySet parent.

use serde::Serialize;

use super::ExitCode;
use crate::cli::{LogArgs, Output};
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::model::applyset::Record;
use crate::model::logs::clean;

#[derive(Serialize)]
struct LogDoc<'a> {
    schema_version: u32,
    app: &'a str,
    namespace: &'a str,
    /// The ApplySet parent, `ConfigMap/<namespace>/<name>`.
    parent: String,
    record: Option<&'a Record>,
}

pub async fn run(
    conn: &Connection,
    args: &LogArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let ctx = super::app::context(conn, &args.app, args.app_name.as_deref(), settings).await?;
    let record = crate::ops::record::read(&ctx)
        .await
        .map_err(anyhow::Error::msg)?;
    let parent = format!(
        "ConfigMap/{}/{}",
        ctx.drift.namespace,
        crate::model::applyset::parent_name(&ctx.drift.app)
    );
    match args.output {
        Output::Json | Output::Yaml => {
            let doc = LogDoc {
                schema_version: 1,
                app: &ctx.drift.app,
                namespace: &ctx.drift.namespace,
                parent,
                record: record.as_ref(),
            };
            super::output::document(&doc, args.output)?;
        }
        Output::Text => {
            super::output::print(&render_text(&ctx.drift.app, &parent, record.as_ref()))?
        }
    }
    Ok(if record.is_some() { 0 } else { 1 })
}

fn short(commit: &str) -> String {
    clean(&crate::model::applyset::short(commit))
}

pub fn render_text(app: &str, parent: &str, record: Option<&Record>) -> String {
    let Some(r) = record else {
        return format!(
            "App {app}: no sync record ({parent} does not exist): kdrift has not synced it here\n"
        );
    };
    let mut out = format!(
        "App {app} ({parent}, ApplySet {})\nlive commit: {}",
        clean(&r.id),
        r.live_commit
            .as_deref()
            .map(short)
            .unwrap_or_else(|| "none".into())
    );
    if let Some(p) = &r.previous_commit {
        out.push_str(&format!(" (before it: {})", short(p)));
    }
    out.push('\n');
    for e in &r.history {
        out.push_str(&format!(
            "{}  {:<8} {}  by {}: {} created, {} updated, {} pruned",
            clean(&e.time),
            clean(&e.mode),
            short(&e.commit),
            clean(&e.user),
            e.created,
            e.updated,
            e.pruned
        ));
        if !e.failed.is_empty() {
            out.push_str(&format!(", failed: {}", clean(&e.failed.join(", "))));
        }
        out.push('\n');
    }
    out
}
