//! The apps overview, computed once for `kdrift apps` and the TUI: every app of the
//! repository with its source, objects, sync summary, health, live commit, how far it is
//! behind HEAD, and its last change.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::AppArgs;
use crate::cluster::Connection;
use crate::cluster::drift::compute;
use crate::config::settings::Settings;
use crate::git::apps::{FoundApp, discover};
use crate::git::history::History;
use crate::model::drift::SyncStatus;
use crate::model::health::Health;
use crate::model::source::SourceKind;

/// How many commits `behind` counts before it says "more".
pub const BEHIND_LIMIT: usize = 200;

#[derive(Debug, Clone, Serialize)]
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

pub const STATUSES: [SyncStatus; 5] = [
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
    let behind = live.and_then(|l| behind(app, head, l, &page));
    (last, behind)
}

/// How many of the commits touching the app come after the live commit, walking first
/// parents from HEAD (the live commit itself may have touched only another app).
fn behind(
    app: &crate::git::App,
    head: gix::ObjectId,
    live: &str,
    touching: &[crate::git::history::CommitSummary],
) -> Option<usize> {
    let mut count = 0;
    let mut at = Some(head);
    for _ in 0..BEHIND_LIMIT * 5 {
        let id = at?;
        let hex = id.to_string();
        if hex == live {
            return Some(count);
        }
        if touching.iter().any(|c| c.id == hex) {
            count += 1;
        }
        at = app
            .repo
            .find_commit(id)
            .ok()?
            .parent_ids()
            .next()
            .map(|p| p.detach());
    }
    None
}

/// The app arguments and settings of one found app: its path, and a declared namespace
/// as if named on the command line.
pub(crate) fn app_args(
    base: &AppArgs,
    found: &FoundApp,
    settings: &Settings,
) -> (AppArgs, Settings) {
    let mut args = base.clone();
    args.path = found.path.clone();
    let mut settings = settings.clone();
    if let Some(ns) = &found.namespace {
        args.namespace = Some(ns.clone());
        settings.namespace = ns.clone();
        settings.namespace_source = crate::config::settings::NamespaceSource::Flag;
    }
    (args, settings)
}

impl AppRow {
    fn new(found: &FoundApp, namespace: &str) -> Self {
        AppRow {
            name: String::new(),
            path: found.path.clone(),
            kind: found.kind,
            namespace: namespace.to_string(),
            objects: None,
            summary: None,
            health: None,
            live_commit: None,
            behind: None,
            last_commit: None,
            last_subject: None,
            error: None,
        }
    }
}

async fn row(conn: &Connection, base: &AppArgs, found: &FoundApp, settings: &Settings) -> AppRow {
    let (args, settings) = app_args(base, found, settings);
    let settings = &settings;
    let mut row = AppRow::new(found, &settings.namespace);
    let ctx = match super::context::context(conn, &args, found.name.as_deref(), settings).await {
        Ok(c) => c,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    row.name = ctx.drift.app.clone();
    row.namespace = ctx.drift.namespace.clone();
    row.live_commit = ctx.record.as_ref().and_then(|r| r.live_commit.clone());
    // Git first, in one block: the repository is not held across the cluster's awaits.
    let desired = {
        let Ok(app) = crate::git::App::open(&ctx.spec) else {
            return row;
        };
        let (last, behind) = history_of(&app, row.live_commit.as_deref());
        row.behind = behind;
        if let Some((short, subject)) = last {
            row.last_commit = Some(short);
            row.last_subject = Some(crate::model::logs::clean(&subject));
        }
        app.resolve("HEAD").and_then(|h| app.desired_at(h))
    };
    let desired = match desired {
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

/// Every app of the repository, drifted and unhealthy first.
pub async fn rows(
    conn: &Connection,
    base: &AppArgs,
    settings: &Settings,
) -> anyhow::Result<Vec<AppRow>> {
    let found = {
        let app = super::context::open(base, settings)?;
        let head = app.resolve("HEAD")?;
        discover(&app.repo, head)?
    };
    let mut out = Vec::new();
    for f in &found {
        out.push(row(conn, base, f, settings).await);
    }
    sort(&mut out);
    Ok(out)
}
