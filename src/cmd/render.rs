//! `kdrift render`: the desired objects of the app, as YAML or JSON, secrets masked.

use serde::Serialize;

use super::ExitCode;
use crate::cli::{Output, RenderArgs};
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadError, Skipped};
use crate::model::object::{ObjectId, SourceRef};
use crate::model::secret::masked;
use crate::model::yaml::{sorted, to_yaml};

/// Version of the JSON document `kdrift render --output json` prints.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct RenderDoc<'a> {
    schema_version: u32,
    path: &'a str,
    /// The commit read, or `null` for the working tree.
    commit: Option<String>,
    objects: Vec<RenderedObject<'a>>,
    /// Hooks: run around a sync with `--hooks`, never diffed.
    hooks: Vec<RenderedHook<'a>>,
    skipped: &'a [Skipped],
    errors: &'a [LoadError],
}

#[derive(Serialize)]
struct RenderedHook<'a> {
    #[serde(flatten)]
    hook: &'a crate::model::hook::Hook,
    content: serde_json::Value,
}

#[derive(Serialize)]
struct RenderedObject<'a> {
    id: &'a ObjectId,
    source: &'a SourceRef,
    content: serde_json::Value,
}

pub fn run(
    args: &RenderArgs,
    settings: &crate::config::settings::Settings,
) -> anyhow::Result<ExitCode> {
    let app = super::app::open(&args.app, settings)?;
    let (revision, commit) = super::app::revision(&app, &args.side.rev, args.side.worktree)?;
    let set = app.desired(&revision)?;
    match args.output {
        Output::Json | Output::Yaml => {
            let doc = RenderDoc {
                schema_version: SCHEMA_VERSION,
                path: &app.path,
                commit,
                objects: set
                    .objects
                    .values()
                    .map(|m| RenderedObject {
                        id: &m.id,
                        source: &m.source,
                        content: sorted(&masked(&m.tree())),
                    })
                    .collect(),
                hooks: set
                    .hooks
                    .iter()
                    .map(|h| RenderedHook {
                        hook: h,
                        content: sorted(&masked(&h.content)),
                    })
                    .collect(),
                skipped: &set.skipped,
                errors: &set.errors,
            };
            super::output::document(&doc, args.output)?;
        }
        Output::Text => super::output::print(&render_text(&set))?,
    }
    report_problems(&set);
    Ok(if set.errors.is_empty() { 0 } else { 1 })
}

pub fn render_text(set: &DesiredSet) -> String {
    let mut out = String::new();
    for m in set.objects.values() {
        out.push_str(&format!("---\n# Source: {}\n", m.source));
        out.push_str(&to_yaml(&masked(&m.tree())));
    }
    for h in &set.hooks {
        out.push_str(&format!(
            "---\n# Source: {}\n# Hook {}: not kept in sync; {}\n",
            h.source,
            h.label(),
            h.run_note()
        ));
        out.push_str(&to_yaml(&masked(&h.content)));
    }
    out
}

/// Skipped documents and errors, on stderr.
pub fn report_problems(set: &DesiredSet) {
    for s in &set.skipped {
        eprintln!(
            "kdrift: skipped {}:{} (document {}): {}",
            crate::model::text::inert(&s.file),
            s.line,
            s.document,
            crate::model::text::inert(&s.reason)
        );
    }
    for e in &set.errors {
        eprintln!("kdrift: error: {e}");
    }
    for note in &set.notes {
        eprintln!("kdrift: note: {}", crate::model::text::inert(note));
    }
}
