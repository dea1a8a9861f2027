//! The apps overview: the control plane and nodes on the left (as on an app's screen), one
//! row per app of the repository on the right, drifted and unhealthy first.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState, Paragraph};

use super::panes::{block, health_color, sync_color};
use crate::app::state::AppState;
use crate::config::keymap::Action;
use crate::config::theme::Theme;
use crate::model::drift::SyncStatus;
use crate::model::logs::clean;
use crate::ops::apps::{AppRow, STATUSES};

fn row_line(r: &AppRow, width: usize, theme: &Theme) -> Line<'static> {
    let mut spans = vec![
        Span::styled(
            format!("{:<width$} ", clean(&r.path)),
            Style::default().fg(theme.text),
        ),
        Span::styled(
            format!("{:<9} ", r.kind.label()),
            Style::default().fg(theme.muted),
        ),
        Span::styled(
            format!(
                "{:>4} obj ",
                r.objects.map(|n| n.to_string()).unwrap_or("?".into())
            ),
            Style::default().fg(theme.muted),
        ),
    ];
    match &r.summary {
        Some(s) => {
            for st in STATUSES {
                if let Some(n) = s.get(st.label()).filter(|n| **n > 0) {
                    spans.push(Span::styled(
                        format!("{} {n} ", st.label()),
                        Style::default().fg(sync_color(st, theme)),
                    ));
                }
            }
        }
        None => spans.push(Span::styled("? ", Style::default().fg(theme.muted))),
    }
    if let Some(h) = r.health {
        spans.push(Span::styled(
            format!("{} ", h.label()),
            Style::default().fg(health_color(h, theme)),
        ));
    }
    let live = match (&r.live_commit, r.behind) {
        (Some(l), Some(0)) => format!("live {} (HEAD)", clean(&crate::model::applyset::short(l))),
        (Some(l), Some(n)) => format!(
            "live {} ({n} behind)",
            clean(&crate::model::applyset::short(l))
        ),
        (Some(l), None) => format!("live {}", clean(&crate::model::applyset::short(l))),
        (None, _) => "not synced by kdrift".into(),
    };
    spans.push(Span::styled(live, Style::default().fg(theme.hunk)));
    if let Some(c) = &r.controller {
        spans.push(Span::styled(
            format!("  {}", c.summary()),
            Style::default().fg(theme.muted),
        ));
    }
    if !r.notes.is_empty() {
        spans.push(Span::styled(
            format!("  ({} note(s))", r.notes.len()),
            Style::default().fg(theme.degraded),
        ));
    }
    if r.error.is_some() {
        spans.push(Span::styled(" ⚠", Style::default().fg(theme.degraded)));
    }
    Line::from(spans)
}

pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let [main, status] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(35), Constraint::Percentage(65)]).areas(main);
    super::panes::tree(frame, left, state, theme);
    let apps = &state.apps;
    let title = if apps.loading {
        " Apps (reading the repository and the cluster…) ".to_string()
    } else {
        format!(" Apps ({}) ", apps.rows.len())
    };
    let width = apps
        .rows
        .iter()
        .map(|r| r.path.chars().count())
        .max()
        .unwrap_or(0)
        .min(40);
    let items: Vec<ListItem> = apps
        .rows
        .iter()
        .map(|r| ListItem::new(row_line(r, width, theme)))
        .collect();
    let list = List::new(items)
        .block(block(title, true, theme))
        .highlight_symbol("▶ ")
        .highlight_style(theme.selection().add_modifier(Modifier::REVERSED));
    let mut selection = ListState::default().with_selected(Some(apps.selected));
    frame.render_stateful_widget(list, right, &mut selection);
    let hint = |a: Action| state.mode.keymap.hint(a).unwrap_or_default();
    let mut first = format!(
        " {} │ {} app(s)",
        clean(&state.data.context),
        apps.rows.len()
    );
    let out = apps
        .rows
        .iter()
        .filter(|r| {
            r.summary.as_ref().is_none_or(|s| {
                s.iter()
                    .any(|(k, n)| *k != SyncStatus::Synced.label() && *n > 0)
            })
        })
        .count();
    first.push_str(&format!(" │ {out} not in sync │ {}", state.data.live));
    if let Some(e) = apps.error.as_ref().or(state.mode.notice.as_ref()) {
        first.push_str(&format!(" │ {}", clean(e)));
    } else if let Some(note) = apps.rows.get(apps.selected).and_then(|r| r.notes.first()) {
        // The selected app's first note (the controller's record against Git's).
        first.push_str(&format!(" │ {}", clean(note)));
    }
    let hints = format!(
        " {} open  {} move  {} refresh  {} help  {} quit",
        hint(Action::Expand),
        hint(Action::Down),
        hint(Action::Refresh),
        hint(Action::Help),
        hint(Action::Quit)
    );
    let bar = Style::default().bg(theme.status_bg).fg(theme.text);
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(hints)]).style(bar),
        status,
    );
}
