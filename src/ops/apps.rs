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
use crate::model::controller::ControllerApp;
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
    /// The Argo CD or Flux app that manages it, with the controller's own view.
    pub controller: Option<crate::model::controller::ControllerApp>,
    /// Where the controller's record and the cluster disagree, and what kdrift cannot read.
    pub notes: Vec<String>,
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
            controller: None,
            notes: Vec::new(),
        }
    }
}

async fn row(
    conn: &Connection,
    base: &AppArgs,
    found: &FoundApp,
    settings: &Settings,
    controllers: &[ControllerApp],
) -> AppRow {
    let (args, settings) = app_args(base, found, settings);
    let settings = &settings;
    let mut row = AppRow::new(found, &settings.namespace);
    let context =
        super::context::context_with(conn, &args, found.name.as_deref(), settings, controllers);
    let ctx = match context.await {
        Ok(c) => c,
        Err(e) => {
            row.error = Some(e.to_string());
            return row;
        }
    };
    row.name = ctx.drift.app.clone();
    row.namespace = ctx.drift.namespace.clone();
    row.controller = ctx.drift.controller.clone();
    row.live_commit = ctx.record.as_ref().and_then(|r| r.live_commit.clone());
    // Git first, in one block: the repository is not held across the cluster's awaits.
    let desired = {
        let Ok(app) = crate::git::App::open(&ctx.spec) else {
            return row;
        };
        let (last, behind) = history_of(&app, row.live_commit.as_deref());
        row.behind = behind;
        if let Some(c) = &row.controller {
            row.notes.extend(controller_record(&app, c));
        }
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
            if let Some(c) = &row.controller {
                let differ = report.objects.len() - report.count(SyncStatus::Synced);
                let synced = matches!(c.status.sync.as_deref(), Some("Synced" | "Ready"));
                if synced && differ > 0 {
                    row.notes.push(format!(
                        "{} says {}, but kdrift finds {differ} object(s) that differ from Git (fields its diff does not see, such as ones set by hand): `kdrift diff --path {}`",
                        c.controller.label(),
                        c.status.sync.as_deref().unwrap_or_default(),
                        row.path
                    ));
                }
            }
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

/// What the controller records against the repository: a revision it lacks, or one behind
/// HEAD; and what kdrift does not apply of the resource.
fn controller_record(app: &crate::git::App, c: &ControllerApp) -> Vec<String> {
    let mut notes = c
        .unsupported
        .iter()
        .map(|u| format!("{}: {u}", c.object()))
        .collect::<Vec<_>>();
    let label = c.controller.label();
    if c.auto_sync && !c.suspended {
        notes.push(format!(
            "{label} syncs it on its own: a kdrift sync would be put back (`kdrift sync --suspend-controller` suspends it first; a revert commit keeps Git the source of truth)"
        ));
    }
    let Some(rev) = &c.status.revision else {
        return notes;
    };
    let short = crate::model::applyset::short(rev);
    let head = app.resolve("HEAD").ok().map(|h| h.to_string());
    match app.resolve(rev) {
        Err(_) => notes.push(format!(
            "{label} records revision {short}, which is not in this repository (fetch it, or the controller follows another branch)"
        )),
        Ok(id) if Some(id.to_string()) != head => notes.push(format!(
            "{label} is at {short}, not HEAD {}",
            head.as_deref().map(crate::model::applyset::short).unwrap_or_default()
        )),
        Ok(_) => {}
    }
    notes
}

/// A controller's app that is not one of this repository's (another repository, or a
/// path it does not have).
fn foreign_row(c: &ControllerApp, remotes: &[String]) -> AppRow {
    let note = if crate::model::controller::is_local(c, remotes) {
        format!(
            "{}: path {} is not an app of this repository at HEAD",
            c.object(),
            c.path
        )
    } else {
        format!(
            "{}: repository {} is not this one ({}); open that repository to diff it",
            c.object(),
            c.repo_url.as_deref().unwrap_or("(none)"),
            if remotes.is_empty() {
                "no remote".to_string()
            } else {
                remotes.join(", ")
            }
        )
    };
    AppRow {
        name: c.name.clone(),
        path: c.path.clone(),
        kind: SourceKind::Plain,
        namespace: c.target_namespace.clone().unwrap_or_default(),
        objects: None,
        summary: None,
        health: None,
        live_commit: None,
        behind: None,
        last_commit: None,
        last_subject: None,
        error: None,
        controller: Some(c.clone()),
        notes: vec![note],
    }
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
    let controllers = crate::cluster::controllers::list(conn).await;
    let (found, remotes) = {
        let app = super::context::open(base, settings)?;
        let head = app.resolve("HEAD")?;
        (
            discover(&app.repo, head)?,
            crate::git::remotes::urls(&app.repo),
        )
    };
    let mut out = Vec::new();
    for f in &found {
        out.push(row(conn, base, f, settings, &controllers).await);
    }
    sort(&mut out);
    for c in &controllers {
        let one = std::slice::from_ref(c);
        if !found
            .iter()
            .any(|f| crate::model::controller::find(one, &remotes, &f.path).is_some())
        {
            out.push(foreign_row(c, &remotes));
        }
    }
    Ok(out)
}
