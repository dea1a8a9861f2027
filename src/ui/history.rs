//! The history pane: the app's commits, the Git side picked (`●`), the commit marked
//! (`◆`), what the commit under the cursor changed.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{List, ListItem, ListState};

use super::panes::block;
use crate::app::state::{AppState, Pane};
use crate::config::theme::Theme;
use crate::model::time::format_age;

pub fn history(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let now = state.now();
    let mut items: Vec<ListItem> = state
        .history
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let c = &e.commit;
            let changed = e
                .changes
                .as_ref()
                .map(|ch| ch.added.len() + ch.removed.len() + ch.modified.len())
                .unwrap_or(0);
            let chosen = state.history.selected_commit.as_deref() == Some(c.id.as_str());
            let marked = state.history.marked.as_deref() == Some(c.id.as_str());
            let mut lines = vec![Line::from(vec![
                Span::styled(
                    match (marked, chosen) {
                        (true, true) => "◆●",
                        (true, false) => "◆ ",
                        (false, true) => "● ",
                        (false, false) => "  ",
                    },
                    Style::default().fg(theme.focus),
                ),
                Span::styled(c.short.clone(), Style::default().fg(theme.hunk)),
                Span::styled(
                    format!(" {:>4} ", format_age(now - c.time)),
                    Style::default().fg(theme.muted),
                ),
                Span::styled(
                    format!("{} ", c.author),
                    Style::default().fg(theme.progressing),
                ),
                Span::styled(c.subject.clone(), Style::default().fg(theme.text)),
                Span::styled(
                    format!("  ({changed} objects)"),
                    Style::default().fg(theme.muted),
                ),
                Span::styled(
                    match (
                        state.data.live_commit.as_deref() == Some(c.id.as_str()),
                        state.commit_matches(&c.id),
                    ) {
                        (true, _) => "  [live]",
                        (false, Some(true)) => "  [matches]",
                        _ => "",
                    },
                    Style::default().fg(theme.healthy),
                ),
            ])];
            // The commit under the cursor lists the objects it changed.
            if state.mode.focus == Pane::History && i == state.history.selected {
                lines.extend(commit_changes(e, theme));
            }
            ListItem::new(lines)
        })
        .collect();
    if state.history.loading {
        items.push(ListItem::new(Span::styled(
            "  loading…",
            Style::default().fg(theme.muted),
        )));
    }
    if let Some(e) = &state.history.error {
        items.push(ListItem::new(Span::styled(
            format!("  {e}"),
            Style::default().fg(theme.degraded),
        )));
    }
    let mut title = match &state.history.selected_commit {
        Some(c) => format!(" History (Git side: {}", &c[..c.len().min(7)]),
        None => " History (Git side: HEAD".into(),
    };
    if let Some(m) = &state.history.marked {
        title.push_str(&format!("; marked ◆ {}", &m[..m.len().min(7)]));
    }
    title.push_str(") ");
    let list = List::new(items)
        .block(block(title, state.mode.focus == Pane::History, theme))
        .highlight_style(theme.selection());
    let selected = (state.mode.focus == Pane::History && !state.history.entries.is_empty())
        .then_some(state.history.selected);
    frame.render_stateful_widget(
        list,
        area,
        &mut ListState::default().with_selected(selected),
    );
}

fn commit_changes(e: &crate::git::history::HistoryEntry, theme: &Theme) -> Vec<Line<'static>> {
    let error = e.error.as_ref().map(|err| {
        Line::from(Span::styled(
            format!("      ! {}", crate::model::text::inert(err)),
            Style::default().fg(theme.degraded),
        ))
    });
    let Some(ch) = &e.changes else {
        return error.into_iter().collect();
    };
    let mut lines: Vec<Line<'static>> = error.into_iter().collect();
    for (sign, keys, color) in [
        ("+", &ch.added, theme.added),
        ("-", &ch.removed, theme.removed),
        ("~", &ch.modified, theme.out_of_sync),
    ] {
        for k in keys {
            lines.push(Line::from(Span::styled(
                format!("      {sign} {k}"),
                Style::default().fg(color),
            )));
        }
    }
    lines
}
