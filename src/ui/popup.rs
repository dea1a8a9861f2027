//! The sync and rollback popup: the plan (with a rollback's third side, HEAD), progress,
//! results, the prune offer and the revert commit's outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panes::block;
use crate::app::state::AppState;
use crate::config::keymap::Action;
use crate::config::theme::Theme;

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    use crate::app::state::{PopupKind, Stage};
    let Some(p) = &state.popup else {
        return;
    };
    let title = match &p.kind {
        PopupKind::Sync { only: Some(key) } => format!(" Sync {key} "),
        PopupKind::Sync { only: None } => " Sync the app ".to_string(),
        PopupKind::Rollback { commit } => {
            format!(" Roll back to {} ", &commit[..commit.len().min(7)])
        }
    };
    let hint = |a: Action| state.keymap.hint(a).unwrap_or_default();
    let text = |t: String, c: Color| Line::from(Span::styled(t, Style::default().fg(c)));
    let mut lines = Vec::new();
    match &p.stage {
        Stage::Planning if p.total > 0 => lines.push(text(
            format!(
                "Planning: server-side dry-run of {} object(s) from Git against the cluster…",
                p.total
            ),
            theme.muted,
        )),
        Stage::Planning => lines.push(text("Planning: reading Git…".into(), theme.muted)),
        Stage::Refused(why) => {
            lines.push(text(why.clone(), theme.degraded));
            lines.push(text("any key closes".into(), theme.muted));
        }
        Stage::Plan(plan, _) => {
            use crate::model::plan::Action as Do;
            let mut counts: Vec<String> = [
                Do::Create,
                Do::Update,
                Do::Unchanged,
                Do::Conflict,
                Do::Error,
                Do::Keep,
            ]
            .iter()
            .map(|a| (a, plan.count(*a)))
            .filter(|(_, n)| *n > 0)
            .map(|(a, n)| format!("{} {n}", a.label()))
            .collect();
            if let Some((prunes, _)) = &p.prunes {
                counts.push(format!("prune {} (asked after)", prunes.items.len()));
            }
            lines.push(text(
                format!("Plan (from a server-side dry-run): {}", counts.join(" · ")),
                theme.title,
            ));
            for item in &plan.items {
                let color = match item.action {
                    crate::model::plan::Action::Create | crate::model::plan::Action::Update => {
                        theme.out_of_sync
                    }
                    crate::model::plan::Action::Prune => theme.removed,
                    crate::model::plan::Action::Conflict | crate::model::plan::Action::Error => {
                        theme.degraded
                    }
                    _ => theme.muted,
                };
                let mut spans = vec![
                    Span::styled(
                        format!("{:<9} ", item.action.label()),
                        Style::default().fg(color),
                    ),
                    Span::styled(format!("{}  ", item.key), Style::default().fg(theme.text)),
                ];
                if let Some(tag) = head_tag(p, &item.key) {
                    spans.push(Span::styled(
                        format!("[{tag}] "),
                        Style::default().fg(theme.hunk),
                    ));
                }
                spans.push(Span::styled(
                    item.note.clone(),
                    Style::default().fg(theme.muted),
                ));
                lines.push(Line::from(spans));
                if let Some(preview) = item
                    .preview
                    .as_ref()
                    .filter(|d| item.action.writes() && !d.is_empty())
                {
                    for l in preview.unified.lines().filter(|l| {
                        l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---")
                    }) {
                        let c = if l.starts_with('+') {
                            theme.added
                        } else {
                            theme.removed
                        };
                        lines.push(text(format!("    {l}"), c));
                    }
                }
            }
            if let Some((prunes, _)) = &p.prunes {
                lines.push(text(
                    format!(
                        "Then, only if you confirm again ({}): prune {} object(s) tracked for this app but gone from Git:",
                        hint(Action::Prune),
                        prunes.items.len()
                    ),
                    theme.title,
                ));
                for item in &prunes.items {
                    lines.push(text(format!("  prune     {}", item.key), theme.removed));
                }
            }
            if let PopupKind::Rollback { commit } = &p.kind {
                lines.push(text(
                    format!(
                        "[{}] also write a revert commit on kdrift/rollback-{} ({} toggles)",
                        if p.revert { "x" } else { " " },
                        &commit[..commit.len().min(7)],
                        hint(Action::RevertCommit)
                    ),
                    theme.text,
                ));
            }
            lines.push(text(
                format!(
                    "{} change(s) · {} apply · {} cancel",
                    plan.writes(),
                    hint(Action::Confirm),
                    hint(Action::Cancel)
                ),
                theme.focus,
            ));
        }
        Stage::Applying(results) | Stage::Done(results, _) | Stage::PruneOffer(results, _) => {
            for r in results {
                let (t, c) = match &r.outcome {
                    Ok(what) => (
                        format!("{:<9} {}  {what}", r.action.label(), r.key),
                        theme.synced,
                    ),
                    Err(why) => (
                        format!("{:<9} {}  FAILED: {why}", r.action.label(), r.key),
                        theme.degraded,
                    ),
                };
                lines.push(text(t, c));
            }
            for note in &p.notes {
                lines.push(text(note.clone(), theme.title));
            }
            match &p.stage {
                Stage::Done(_, summary) => {
                    lines.push(text(summary.clone(), theme.title));
                    lines.push(text("any key closes".into(), theme.muted));
                }
                Stage::PruneOffer(_, summary) => {
                    lines.push(text(summary.clone(), theme.title));
                    if let Some((prunes, _)) = &p.prunes {
                        lines.push(text(
                            format!(
                                "{} object(s) tracked for this app are no longer in Git:",
                                prunes.items.len()
                            ),
                            theme.title,
                        ));
                        for item in &prunes.items {
                            lines.push(text(format!("  {}", item.key), theme.removed));
                        }
                    }
                    lines.push(text(
                        format!(
                            "{} delete them from the cluster · any other key keeps them",
                            hint(Action::Prune)
                        ),
                        theme.focus,
                    ));
                }
                _ => lines.push(text(
                    format!("Applying… {}/{}", results.len(), p.total),
                    theme.muted,
                )),
            }
        }
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(title, true, theme)),
        area,
    );
}

/// The third side of a rollback's preview: how the commit's version of an object compares
/// with HEAD's.
fn head_tag(
    p: &crate::app::state::Popup,
    key: &crate::model::object::ObjectKey,
) -> Option<&'static str> {
    let changes = p.against_head.as_ref()?;
    Some(if changes.modified.contains(key) {
        "HEAD differs"
    } else if changes.added.contains(key) {
        "not in HEAD"
    } else if changes.removed.contains(key) {
        "only in HEAD"
    } else {
        "same as HEAD"
    })
}
