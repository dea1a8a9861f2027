//! `kdrift review`: a change's effect on the apps' objects, as text, JSON, YAML or Markdown.

use std::fmt::Write as _;

use super::ExitCode;
use crate::cli::{ReviewArgs, ReviewOutput};
use crate::cluster::Connection;
use crate::config::settings::Settings;
use crate::model::diff::colorize;
use crate::model::logs::clean;
use crate::model::object::ObjectKey;
use crate::model::review::AppReview;
use crate::ops::review::{Review, parse_range, review};

/// Version of the JSON document `kdrift review -o json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(serde::Serialize)]
struct ReviewDoc<'a> {
    schema_version: u32,
    #[serde(flatten)]
    review: &'a Review,
    object_changes: usize,
}

pub async fn run(
    args: &ReviewArgs,
    settings: &Settings,
    conn: Option<&Connection>,
) -> anyhow::Result<ExitCode> {
    let (base, head) = match (&args.range, &args.base) {
        (Some(range), _) => parse_range(range).map_err(anyhow::Error::msg)?,
        (None, Some(base)) => (base.clone(), args.head.clone()),
        (None, None) => (format!("{}~1", args.head), args.head.clone()),
    };
    let result = review(
        &args.app,
        settings,
        &base,
        &head,
        args.app_name.as_deref(),
        conn,
    )
    .await
    .map_err(anyhow::Error::msg)?;
    let doc = ReviewDoc {
        schema_version: SCHEMA_VERSION,
        review: &result,
        object_changes: result.object_changes(),
    };
    match args.output {
        ReviewOutput::Json => super::output::document(&doc, crate::cli::Output::Json)?,
        ReviewOutput::Yaml => super::output::document(&doc, crate::cli::Output::Yaml)?,
        ReviewOutput::Markdown => super::output::print(&crate::model::review::markdown::render(
            &result.base,
            &result.head,
            &result.apps,
            &result.files_outside_apps,
            args.max_chars,
        ))?,
        ReviewOutput::Text => super::output::print(&render_text(&result, settings.color))?,
    }
    let errors = result.apps.iter().any(|a| a.head_errors > 0);
    Ok(if errors {
        2
    } else if result.object_changes() > 0 {
        1
    } else {
        0
    })
}

fn key(k: &ObjectKey) -> String {
    clean(&match &k.namespace {
        Some(ns) => format!("{}/{ns}/{}", k.kind, k.name),
        None => format!("{}/{}", k.kind, k.name),
    })
}

fn indented(diff: &str, color: bool) -> String {
    let body: String = diff
        .lines()
        .map(|l| format!("    {}\n", clean(l)))
        .collect();
    if color { colorize(&body) } else { body }
}

pub fn render_text(review: &Review, color: bool) -> String {
    let mut out = format!(
        "Review {}..{}: {} app(s) touched, {} object change(s)\n",
        review.base,
        review.head,
        review.apps.len(),
        review.object_changes()
    );
    for app in &review.apps {
        app_text(&mut out, app, color);
    }
    if !review.files_outside_apps.is_empty() {
        out.push_str("\nfiles under no app (they change no object):\n");
        for f in &review.files_outside_apps {
            let _ = writeln!(out, "  {}", clean(f));
        }
    }
    out
}

fn app_text(out: &mut String, app: &AppReview, color: bool) {
    let path = if app.path.is_empty() { "." } else { &app.path };
    let _ = writeln!(out, "\napp {}", clean(path));
    for e in &app.errors {
        let _ = writeln!(out, "  error    {}", clean(e));
    }
    for (what, changes) in [
        ("created", &app.created),
        ("changed", &app.changed),
        ("deleted", &app.deleted),
    ] {
        for c in changes {
            let _ = writeln!(
                out,
                "  {what:<8} {}  +{} -{}  ({})",
                key(&c.key),
                c.diff.added,
                c.diff.removed,
                clean(&c.source)
            );
            if what == "changed" {
                out.push_str(&indented(&c.diff.unified, color));
            }
        }
    }
    for r in &app.renamed {
        let _ = writeln!(out, "  renamed  {} -> {}", key(&r.from), key(&r.to));
        out.push_str(&indented(&r.diff.unified, color));
    }
    if let Some(live) = &app.live {
        for o in &live.would_overwrite {
            let _ = writeln!(
                out,
                "  would overwrite live drift ({}): {} {}",
                clean(&o.manager),
                key(&o.key),
                clean(&o.field)
            );
        }
        for k in &live.would_prune {
            let _ = writeln!(out, "  would prune {}", key(k));
        }
        for (k, why) in &live.unknown {
            let _ = writeln!(out, "  not judged live {}: {}", key(k), clean(why));
        }
    }
    for f in &app.files_without_object_change {
        let _ = writeln!(out, "  file without object change: {}", clean(f));
    }
    if app.object_changes() == 0 {
        out.push_str("  no object changes\n");
    }
}
