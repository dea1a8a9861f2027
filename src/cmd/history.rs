//! `kdrift history`: the commits that touch the app path, with their object changes.

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
}

/// The live commit from the record, if the cluster answers within a few seconds.
async fn live_commit(
    conn: Option<&crate::cluster::Connection>,
    args: &HistoryArgs,
    settings: &crate::config::settings::Settings,
) -> Option<String> {
    let conn = conn?;
    let read = async {
        let ctx = super::app::context(conn, &args.app, args.app_name.as_deref(), settings)
            .await
            .ok()?;
        crate::ops::record::read(&ctx)
            .await
            .ok()
            .flatten()?
            .live_commit
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), read)
        .await
        .ok()
        .flatten()
}

pub async fn run(
    args: &HistoryArgs,
    settings: &crate::config::settings::Settings,
    conn: Option<&crate::cluster::Connection>,
) -> anyhow::Result<ExitCode> {
    let live = live_commit(conn, args, settings).await;
    let app = super::app::open(&args.app, settings)?;
    let start = app.resolve(&args.rev)?;
    let mut history = if args.full_history {
        History::full(&app, start)?
    } else {
        History::first_parent(&app, start)
    };
    let page = history.next_page(args.limit)?;
    let entries: Vec<HistoryEntry> = page.iter().map(|c| history.changes(c)).collect();
    match args.output {
        Output::Json => super::output::print(
            &(serde_json::to_string_pretty(&HistoryDoc {
                schema_version: SCHEMA_VERSION,
                path: &app.path,
                commits: &entries,
                live_commit: live.as_deref(),
            })? + "\n"),
        )?,
        Output::Text => super::output::print(&render_text(&entries, live.as_deref()))?,
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

pub fn render_text(entries: &[HistoryEntry], live: Option<&str>) -> String {
    let mut out = String::new();
    for e in entries {
        let c = &e.commit;
        let when = jiff::Timestamp::from_second(c.time)
            .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let badge = if live == Some(c.id.as_str()) {
            "  [live: the cluster runs this commit]"
        } else {
            ""
        };
        out.push_str(&format!(
            "{} {} {} {}{badge}\n",
            c.short,
            when,
            crate::model::logs::clean(&c.author),
            crate::model::logs::clean(&c.subject)
        ));
        match (&e.changes, &e.error) {
            (Some(changes), _) => {
                list('+', &changes.added, &mut out);
                list('-', &changes.removed, &mut out);
                list('~', &changes.modified, &mut out);
            }
            (None, Some(err)) => out.push_str(&format!("    ! {err}\n")),
            (None, None) => {}
        }
    }
    out
}
