//! `kdrift apps`: every app of the repository with its kind of source, object count, sync
//! summary, health, the commit the cluster runs (from its record) and how far it is
//! behind HEAD, and the last commit that touched it.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ExitCode;
use crate::cli::{AppArgs, AppsArgs, Output};
use crate::cluster::Connection;
use crate::cluster::drift::compute;
use crate::config::settings::Settings;
use crate::git::apps::{FoundApp, discover};
use crate::git::history::History;
use crate::model::drift::SyncStatus;
use crate::model::health::Health;
use crate::model::source::SourceKind;

/// How many commits `behind` counts before it says "more".
const BEHIND_LIMIT: usize = 200;

#[derive(Debug, Serialize)]
pub struct AppRow {
    pub name: String,
    pub path: String,
    pub kind: SourceKind,
    pub namespace: String,
    pub objects: Option<usize>,
    /// Objects by status: Synced, OutOfSync, Missing, Extra, Unknown.
    pub summary: Option<BTreeMap<&'static str, usize>>,
    /// The worst health among the app's live objects.
    pub health: Option<Health>,
    pub live_commit: Option<String>,
    /// Commits touching the app from the live commit to HEAD (`None`: unknown, or more
    /// than the count looked at).
    pub behind: Option<usize>,
    pub last_commit: Option<String>,
    pub last_subject: Option<String>,
    /// Why part of the row is unknown.
    pub error: Option<String>,
}

#[derive(Serialize)]
struct AppsDoc<'a> {
    schema_version: u32,
    context: &'a str,
    apps: &'a [AppRow],
}

const STATUSES: [SyncStatus; 5] = [
    SyncStatus::Synced,
    SyncStatus::OutOfSync,
    SyncStatus::Missing,
    SyncStatus::Extra,
    SyncStatus::Unknown,
];

/// The last commit touching the app, and how many touch it between the live commit and
/// HEAD.
fn history_of(
    app: &crate::git::App,
    live: Option<&str>,
) -> (Option<(String, String)>, Option<usize>) {
    let Ok(head) = app.resolve("HEAD") else {
        return (None, None);
    };
    let mut history = History::first_parent(app, head);
    let Ok(page) = history.next_page(BEHIND_LIMIT) else {
        return (None, None);
    };
    let last = page.first().map(|c| (c.short.clone(), c.subject.clone()));
    let behind = live.and_then(|l| page.iter().position(|c| c.id == l));
    (last, behind)
}

async fn row(conn: &Connection, base: &AppArgs, found: &FoundApp, settings: &Settings) -> AppRow {
    let mut args = base.clone();
    args.path = found.path.clone();
    let mut row = AppRow {
        name: String::new(),
        path: found.path.clone(),
        kind: found.kind,
        namespace: settings.namespace.clone(),
        objects: None,
        summary: None,
        health: None,
        live_commit: None,
        behind: None,
        last_commit: None,
        last_subject: None,
        error: None,
    };
    let ctx = match super::app::context(conn, &args, None, settings).await {
        Ok(c) => c,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    row.name = ctx.drift.app.clone();
    row.namespace = ctx.drift.namespace.clone();
    let Ok(app) = crate::git::App::open(&ctx.spec) else {
        return row;
    };
    row.live_commit = crate::ops::record::read(&ctx)
        .await
        .ok()
        .flatten()
        .and_then(|r| r.live_commit);
    let (last, behind) = history_of(&app, row.live_commit.as_deref());
    row.behind = behind;
    if let Some((short, subject)) = last {
        row.last_commit = Some(short);
        row.last_subject = Some(crate::model::logs::clean(&subject));
    }
    let desired = match app.resolve("HEAD").and_then(|h| app.desired_at(h)) {
        Ok(d) => d,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    row.objects = Some(desired.len());
    match compute(conn, &desired, &ctx.drift, &ctx.cache).await {
        Ok(report) => {
            row.summary = Some(
                STATUSES
                    .iter()
                    .map(|s| (s.label(), report.count(*s)))
                    .collect(),
            );
            row.health = report.objects.iter().filter_map(|o| o.health).max();
        }
        Err(e) => row.error = Some(e.to_string()),
    }
    if !desired.errors.is_empty() {
        row.error = Some(format!(
            "{} manifest error(s), first: {}",
            desired.errors.len(),
            desired.errors[0]
        ));
    }
    row
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
            (Some(l), Some(0)) => format!("{} (HEAD)", &l[..l.len().min(7)]),
            (Some(l), Some(n)) => format!("{} ({n} behind HEAD)", &l[..l.len().min(7)]),
            (Some(l), None) => format!(
                "{} (not in the last {BEHIND_LIMIT} commits)",
                &l[..l.len().min(7)]
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
        if let Some(e) = &r.error {
            out.push_str(&format!("    ! {}\n", crate::model::logs::clean(e)));
        }
    }
    out
}

/// Drifted and unhealthy apps first, then by path.
fn sort(rows: &mut [AppRow]) {
    let rank = |r: &AppRow| {
        let not_synced = r
            .summary
            .as_ref()
            .map(|s| {
                s.iter()
                    .filter(|(k, _)| **k != "Synced")
                    .map(|(_, n)| n)
                    .sum::<usize>()
            })
            .unwrap_or(1);
        (
            not_synced == 0,
            r.health.is_none_or(|h| h.is_ok()),
            r.path.clone(),
        )
    };
    rows.sort_by_key(rank);
}

pub async fn run(
    conn: &Connection,
    args: &AppsArgs,
    settings: &Settings,
) -> anyhow::Result<ExitCode> {
    let app = super::app::open(&args.app, settings)?;
    let head = app.resolve("HEAD")?;
    let found = discover(&app.repo, head)?;
    let mut rows = Vec::new();
    for f in &found {
        rows.push(row(conn, &args.app, f, settings).await);
    }
    sort(&mut rows);
    match args.output {
        Output::Json => {
            let doc = AppsDoc {
                schema_version: 1,
                context: &conn.context,
                apps: &rows,
            };
            super::output::print(&(serde_json::to_string_pretty(&doc)? + "\n"))?;
        }
        Output::Text => super::output::print(&render_text(&rows))?,
    }
    let in_sync = rows.iter().all(|r| {
        r.error.is_none()
            && r.summary
                .as_ref()
                .is_some_and(|s| s.iter().all(|(k, n)| *k == "Synced" || *n == 0))
    });
    Ok(if in_sync { 0 } else { 1 })
}
