//! `kdrift history`: the commits that touch the app path, with their object changes.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::ExitCode;
use crate::cli::{HistoryArgs, Output};
use crate::git::history::{History, HistoryEntry};
use crate::model::object::ObjectKey;

/// Version of the JSON document `kdrift history --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct HistoryDoc<'a> {
    schema_version: u32,
    path: &'a str,
    commits: &'a [HistoryEntry],
    /// The commit the cluster runs, from the app's sync record, when it could be read.
    live_commit: Option<&'a str>,
    /// Per commit listed: whether the cluster holds exactly its objects now (null when the
    /// cluster could not be asked).
    matches_cluster: &'a BTreeMap<String, bool>,
}

/// The flow context, if the cluster answers within a few seconds (history works without).
async fn cluster_context(
    conn: Option<&crate::cluster::Connection>,
    args: &HistoryArgs,
    settings: &crate::config::settings::Settings,
) -> Option<crate::ops::Context> {
    let ctx = super::app::context(conn?, &args.app, args.app_name.as_deref(), settings);
    tokio::time::timeout(Duration::from_secs(5), ctx)
        .await
        .ok()?
        .ok()
}

/// Whether each listed commit's objects are what the cluster holds now.
async fn matches_cluster(
    ctx: &crate::ops::Context,
    app: &crate::git::App,
    entries: &[HistoryEntry],
) -> BTreeMap<String, bool> {
    let mut out = BTreeMap::new();
    for e in entries {
        let Ok(desired) = app.desired_at(e.commit.oid) else {
            continue;
        };
        if !desired.errors.is_empty() {
            continue;
        }
        let drift = crate::cluster::drift::compute(&ctx.conn, &desired, &ctx.drift, &ctx.cache);
        if let Ok(Ok(report)) = tokio::time::timeout(Duration::from_secs(20), drift).await {
            out.insert(e.commit.id.clone(), report.in_sync());
        }
    }
    out
}

pub async fn run(
    args: &HistoryArgs,
    settings: &crate::config::settings::Settings,
    conn: Option<&crate::cluster::Connection>,
) -> anyhow::Result<ExitCode> {
    let ctx = cluster_context(conn, args, settings).await;
    let live = ctx
        .as_ref()
        .and_then(|c| c.record.as_ref())
        .and_then(|r| r.live_commit.clone());
    let app = super::app::open(&args.app, settings)?;
    let start = app.resolve(&args.rev)?;
    let mut history = if args.full_history {
        History::full(&app, start)?
    } else {
        History::first_parent(&app, start)
    };
    let page = history.next_page(args.limit)?;
    let entries: Vec<HistoryEntry> = page.iter().map(|c| history.changes(c)).collect();
    let matches = match &ctx {
        Some(ctx) => matches_cluster(ctx, &app, &entries).await,
        None => BTreeMap::new(),
    };
    match args.output {
        Output::Json | Output::Yaml => super::output::document(
            &HistoryDoc {
                schema_version: SCHEMA_VERSION,
                path: &app.path,
                commits: &entries,
                live_commit: live.as_deref(),
                matches_cluster: &matches,
            },
            args.output,
        )?,
        Output::Text => super::output::print(&render_text(&entries, live.as_deref(), &matches))?,
    }
    Ok(if entries.iter().any(|e| e.error.is_some()) {
        1
    } else {
        0
    })
}

fn list(sign: char, keys: &[ObjectKey], out: &mut String) {
    for k in keys {
        out.push_str(&format!("    {sign} {k}\n"));
    }
}

pub fn render_text(
    entries: &[HistoryEntry],
    live: Option<&str>,
    matches: &BTreeMap<String, bool>,
) -> String {
    let mut out = String::new();
    for e in entries {
        let c = &e.commit;
        let when = jiff::Timestamp::from_second(c.time)
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let badge = match (live == Some(c.id.as_str()), matches.get(&c.id)) {
            (true, Some(false)) => "  [live: the cluster runs this commit, and has drifted]",
            (true, _) => "  [live: the cluster runs this commit]",
            (false, Some(true)) => "  [matches the cluster]",
            _ => "",
        };
        out.push_str(&format!(
            "{} {} {} {}{badge}\n",
            c.short,
            when,
            crate::model::logs::clean(&c.author),
            crate::model::logs::clean(&c.subject)
        ));
        if let Some(changes) = &e.changes {
            list('+', &changes.added, &mut out);
            list('-', &changes.removed, &mut out);
            list('~', &changes.modified, &mut out);
        }
        if let Some(err) = &e.error {
            out.push_str(&format!("    ! {}\n", crate::model::text::inert(err)));
        }
    }
    out
}
