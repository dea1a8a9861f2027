//! `kdrift apps`: every app of the repository with its kind of source, object count, sync
//! summary, health, the commit the cluster runs (from its record) and how far it is
//! behind HEAD, and the last commit that touched it.

use serde::Serialize;

use super::ExitCode;
use crate::cli::{AppsArgs, Output};
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::ops::apps::{AppRow, BEHIND_LIMIT, STATUSES, rows};

#[derive(Serialize)]
struct AppsDoc<'a> {
    schema_version: u32,
    context: &'a str,
    apps: &'a [AppRow],
}

fn render_text(rows: &[AppRow]) -> String {
    let mut out = format!(
        "{:<28} {:<9} {:>7}  {:<34} {:<11} {}\n",
        "PATH", "SOURCE", "OBJECTS", "SYNC", "HEALTH", "LIVE COMMIT / LAST CHANGE"
    );
    for r in rows {
        let sync = match &r.summary {
            Some(s) => STATUSES
                .iter()
                .filter_map(|st| {
                    s.get(st.label())
                        .filter(|n| **n > 0)
                        .map(|n| format!("{n} {}", st.label()))
                })
                .collect::<Vec<_>>()
                .join(", "),
            None => "?".into(),
        };
        let live = match (&r.live_commit, r.behind) {
            (Some(l), Some(0)) => format!(
                "{} (HEAD)",
                crate::model::logs::clean(&crate::model::applyset::short(l))
            ),
            (Some(l), Some(n)) => format!(
                "{} ({n} behind HEAD)",
                crate::model::logs::clean(&crate::model::applyset::short(l))
            ),
            (Some(l), None) => format!(
                "{} (not in the last {BEHIND_LIMIT} commits)",
                crate::model::logs::clean(&crate::model::applyset::short(l))
            ),
            (None, _) => "not synced by kdrift".into(),
        };
        out.push_str(&format!(
            "{:<28} {:<9} {:>7}  {:<34} {:<11} {live}; last {} {}\n",
            crate::model::logs::clean(&r.path),
            r.kind.label(),
            r.objects
                .map(|n| n.to_string())
                .unwrap_or_else(|| "?".into()),
            sync,
            r.health.map(|h| h.label()).unwrap_or("-"),
            r.last_commit.as_deref().unwrap_or("-"),
            r.last_subject.as_deref().unwrap_or(""),
        ));
        if let Some(c) = &r.controller {
            out.push_str(&format!("    {}\n", c.summary()));
        }
        for n in &r.notes {
            out.push_str(&format!("    - {}\n", crate::model::logs::clean(n)));
        }
        if let Some(e) = &r.error {
            out.push_str(&format!("    ! {}\n", crate::model::logs::clean(e)));
        }
    }
    out
}

pub async fn run(
    conn: &Connection,
    args: &AppsArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let rows = rows(conn, &args.app, settings).await?;
    match args.output {
        Output::Json | Output::Yaml => {
            let doc = AppsDoc {
                schema_version: 1,
                context: &conn.context,
                apps: &rows,
            };
            super::output::document(&doc, args.output)?;
        }
        Output::Text => super::output::print(&render_text(&rows))?,
    }
    // A controller's app of another repository cannot be judged here; it does not count.
    let judged = rows
        .iter()
        .filter(|r| !(r.summary.is_none() && r.error.is_none() && r.controller.is_some()));
    let in_sync = judged.into_iter().all(|r| {
        r.error.is_none()
            && r.summary
                .as_ref()
                .is_some_and(|s| s.iter().all(|(k, n)| *k == "Synced" || *n == 0))
    });
    Ok(if in_sync { 0 } else { 1 })
}
