//! The sync and rollback popup: the plan (with a rollback's third side, HEAD), progress,
//! results, the prune offer and the revert commit's outcome.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panes::block;
use crate::app::state::{AppState, Popup, PopupKind, Stage};
use crate::cluster::sync::ItemResult;
use crate::config::keymap::Action;
use crate::config::theme::Theme;
use crate::model::logs::clean;
use crate::model::plan::{Action as PlanAction, Plan, PlanItem};

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let Some(p) = &state.popup.current else {
        return;
    };
    let title = match &p.kind {
        PopupKind::Sync { only: Some(key) } => format!(" Sync {key} "),
        PopupKind::Sync { only: None } => " Sync the app ".to_string(),
        PopupKind::Rollback { commit } => {
            format!(" Roll back to {} ", &commit[..commit.len().min(7)])
        }
    };
    let hint = |a: Action| state.mode.keymap.hint(a).unwrap_or_default();
    let mut out = Lines {
        theme,
        lines: Vec::new(),
    };
    match &p.stage {
        Stage::Planning if p.total > 0 => out.text(
            format!(
                "Planning: server-side dry-run of {} object(s) from Git against the cluster…",
                p.total
            ),
            theme.muted,
        ),
        Stage::Planning => out.text("Planning: reading Git…".into(), theme.muted),
        Stage::Refused(why) => {
            out.text(why.clone(), theme.degraded);
            out.text("any key closes".into(), theme.muted);
        }
        Stage::Plan(plan, _) => plan_lines(&mut out, p, plan, &hint),
        Stage::Applying(_, results) | Stage::Done(results, _) | Stage::PruneOffer(results, _) => {
            result_lines(&mut out, p, results, &hint)
        }
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(out.lines)
            .wrap(Wrap { trim: false })
            .block(block(title, true, theme)),
        area,
    );
}

/// The popup's text, line by line, in theme colours.
struct Lines<'t> {
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
}

impl Lines<'_> {
    fn text(&mut self, text: String, color: Color) {
        self.lines
            .push(Line::from(Span::styled(text, Style::default().fg(color))));
    }
}

/// The plan: counts, each object with its preview, the prunes held back, the revert
/// option, the keys.
fn plan_lines(out: &mut Lines<'_>, p: &Popup, plan: &Plan, hint: &dyn Fn(Action) -> String) {
    let theme = out.theme;
    let mut counts: Vec<String> = plan
        .counts()
        .iter()
        .map(|(a, n)| format!("{} {n}", a.label()))
        .collect();
    if let Some((prunes, _)) = &p.prunes {
        counts.push(format!("prune {} (asked after)", prunes.items.len()));
    }
    out.text(
        format!("Plan (from a server-side dry-run): {}", counts.join(" · ")),
        theme.title,
    );
    for item in &plan.items {
        item_lines(out, p, item);
    }
    if let Some((prunes, _)) = &p.prunes {
        out.text(
            format!(
                "Then, only if you confirm again ({}): prune {} object(s) tracked for this app but gone from Git:",
                hint(Action::Prune),
                prunes.items.len()
            ),
            theme.title,
        );
        for item in &prunes.items {
            out.text(format!("  prune     {}", item.key), theme.removed);
        }
    }
    if let PopupKind::Rollback { commit } = &p.kind {
        out.text(
            format!(
                "[{}] also write a revert commit on kdrift/rollback-{} ({} toggles)",
                if p.revert { "x" } else { " " },
                &commit[..commit.len().min(7)],
                hint(Action::RevertCommit)
            ),
            theme.text,
        );
    }
    let guard = p.guard.as_ref().filter(|_| p.confirmable());
    if let Some(guard) = guard {
        out.text(format!("! {}", clean(&guard.warning)), theme.degraded);
        out.text(
            format!("  resume it later with: {}", clean(&guard.resume)),
            theme.muted,
        );
    }
    if p.confirmable() {
        // With a controller to suspend, the key says so: confirming is asking for it.
        let what = match guard {
            Some(g) => format!(
                "suspend {} of {} {}/{}, then apply",
                g.controller.label(),
                g.kind,
                clean(&g.namespace),
                clean(&g.name)
            ),
            None => "apply".to_string(),
        };
        out.text(
            format!(
                "{} change(s) · {} {what} · {} cancel",
                plan.writes(),
                hint(Action::Confirm),
                hint(Action::Cancel)
            ),
            theme.focus,
        );
    } else {
        // Nothing to confirm: say why, and offer no key that would do nothing.
        let why = plan
            .nothing_to_apply(p.short.as_deref().unwrap_or("the commit"))
            .unwrap_or_default();
        out.text(why, theme.title);
        out.text(format!("{} closes", hint(Action::Cancel)), theme.focus);
    }
}

/// One object of the plan: action, key, HEAD tag (rollback), note, and the changed lines
/// of its preview when it writes.
fn item_lines(out: &mut Lines<'_>, p: &Popup, item: &PlanItem) {
    let theme = out.theme;
    let color = match item.action {
        PlanAction::Create | PlanAction::Update => theme.out_of_sync,
        PlanAction::Prune => theme.removed,
        PlanAction::Conflict | PlanAction::Error => theme.degraded,
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
        clean(&item.note),
        Style::default().fg(theme.muted),
    ));
    out.lines.push(Line::from(spans));
    let Some(preview) = item
        .preview
        .as_ref()
        .filter(|d| item.action.writes() && !d.is_empty())
    else {
        return;
    };
    for l in preview
        .unified
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
    {
        let c = if l.starts_with('+') {
            theme.added
        } else {
            theme.removed
        };
        out.text(format!("    {l}"), c);
    }
}

/// Results so far, notes (the revert commit), then progress, the prune offer or the summary.
fn result_lines(
    out: &mut Lines<'_>,
    p: &Popup,
    results: &[ItemResult],
    hint: &dyn Fn(Action) -> String,
) {
    let theme = out.theme;
    for r in results {
        match &r.outcome {
            Ok(what) => out.text(
                format!("{:<9} {}  {what}", r.action.label(), r.key),
                theme.synced,
            ),
            Err(why) => out.text(
                format!("{:<9} {}  FAILED: {why}", r.action.label(), r.key),
                theme.degraded,
            ),
        }
    }
    for note in &p.notes {
        out.text(note.clone(), theme.title);
    }
    match &p.stage {
        Stage::Done(_, summary) => {
            for line in summary.lines() {
                out.text(line.to_string(), theme.title);
            }
            out.text("any key closes".into(), theme.muted);
        }
        Stage::PruneOffer(_, summary) => {
            for line in summary.lines() {
                out.text(line.to_string(), theme.title);
            }
            if let Some((prunes, _)) = &p.prunes {
                out.text(
                    format!(
                        "{} object(s) tracked for this app are no longer in Git:",
                        prunes.items.len()
                    ),
                    theme.title,
                );
                for item in &prunes.items {
                    out.text(format!("  {}", item.key), theme.removed);
                }
            }
            out.text(
                format!(
                    "{} delete them from the cluster · any other key keeps them",
                    hint(Action::Prune)
                ),
                theme.focus,
            );
        }
        _ => out.text(
            format!("Applying… {}/{}", results.len(), p.total),
            theme.muted,
        ),
    }
}

/// The third side of a rollback's preview: how the commit's version of an object compares
/// with HEAD's.
fn head_tag(p: &Popup, key: &crate::model::object::ObjectKey) -> Option<&'static str> {
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
