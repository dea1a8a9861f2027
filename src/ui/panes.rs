//! The panes: resource tree, history, diff, status bar, help.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use crate::app::state::{AppState, Lens, Pane, SpanStyle};
use crate::app::tree::Badge;
use crate::config::keymap::Action;
use crate::config::theme::Theme;
use crate::model::drift::SyncStatus;
use crate::model::health::Health;

pub(super) fn block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    let border = if focused { theme.focus } else { theme.border };
    Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(border))
        .title(Span::styled(
            title,
            Style::default()
                .fg(theme.title)
                .add_modifier(Modifier::BOLD),
        ))
}

pub fn health_color(h: Health, theme: &Theme) -> Color {
    match h {
        Health::Healthy => theme.healthy,
        Health::Progressing => theme.progressing,
        Health::Suspended => theme.suspended,
        Health::Unknown => theme.unknown,
        Health::Missing => theme.missing,
        Health::Degraded | Health::Down => theme.degraded,
    }
}

pub fn sync_color(s: SyncStatus, theme: &Theme) -> Color {
    match s {
        SyncStatus::Synced => theme.synced,
        SyncStatus::OutOfSync => theme.out_of_sync,
        SyncStatus::Missing => theme.missing,
        SyncStatus::Extra => theme.extra,
        SyncStatus::Unknown => theme.unknown,
    }
}

fn badge_span(b: &Badge, theme: &Theme) -> Span<'static> {
    match b {
        Badge::Health(h) => Span::styled(
            format!(" {h}"),
            Style::default().fg(health_color(*h, theme)),
        ),
        Badge::Sync(s) => Span::styled(format!(" {s}"), Style::default().fg(sync_color(*s, theme))),
        Badge::Muted(t) => Span::styled(format!(" {t}"), Style::default().fg(theme.muted)),
    }
}

/// `text` cut with `…` to `width` columns (characters; the tree's labels are names).
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn tree(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let inner = usize::from(area.width.saturating_sub(2));
    // Only the rows in view become items: a 10,000-object tree costs a screenful per frame.
    let window = state
        .tree
        .window(usize::from(area.height.saturating_sub(2)));
    let first = window.start;
    let items: Vec<ListItem> = state.tree.rows[window]
        .iter()
        .map(|row| {
            let marker = match row.expanded {
                Some(true) => "▾ ",
                Some(false) => "▸ ",
                None => "  ",
            };
            let badges: Vec<Span> = row.badges.iter().map(|b| badge_span(b, theme)).collect();
            // The label gives way so the badges (sync, health) stay in view.
            let used = 2 * row.depth + 2 + badges.iter().map(Span::width).sum::<usize>();
            let label = fit(&row.label, inner.saturating_sub(used).max(8));
            let mut spans = vec![
                Span::raw("  ".repeat(row.depth)),
                Span::styled(marker, Style::default().fg(theme.muted)),
                Span::styled(label, Style::default().fg(theme.text)),
            ];
            spans.extend(badges);
            ListItem::new(Line::from(spans))
        })
        .collect();
    let title = if state.tree.filter_editing || !state.tree.filter.is_empty() {
        format!(
            " Resources  /{}{} ",
            state.tree.filter,
            if state.tree.filter_editing { "▏" } else { "" }
        )
    } else {
        " Resources ".into()
    };
    let list = List::new(items)
        .block(block(title, state.mode.focus == Pane::Tree, theme))
        .highlight_style(theme.selection());
    let mut list_state =
        ListState::default().with_selected(Some(state.tree.selected.saturating_sub(first)));
    frame.render_stateful_widget(list, area, &mut list_state);
}

fn span_style(s: SpanStyle, theme: &Theme) -> Style {
    match s {
        SpanStyle::Plain => Style::default().fg(theme.text),
        SpanStyle::Added => Style::default().fg(theme.added),
        SpanStyle::Removed => Style::default().fg(theme.removed),
        SpanStyle::Hunk => Style::default().fg(theme.hunk),
        SpanStyle::Muted => Style::default().fg(theme.muted),
        SpanStyle::Rgb(r, g, b) => Style::default().fg(Color::Rgb(r, g, b)),
    }
}

pub fn diff(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let text = &state.diff.text;
    let lines: Vec<Line> = match state
        .diff
        .highlighted
        .as_ref()
        .filter(|h| &h.source == text)
    {
        Some(h) => h
            .lines
            .iter()
            .map(|spans| {
                Line::from(
                    spans
                        .iter()
                        .map(|(s, t)| Span::styled(t.clone(), span_style(*s, theme)))
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
        // Until the worker's highlighting arrives: diff colours only.
        None => text
            .lines()
            .map(|l| {
                let style = match l.chars().next() {
                    Some('+') if !l.starts_with("+++") => SpanStyle::Added,
                    Some('-') if !l.starts_with("---") => SpanStyle::Removed,
                    Some('@') => SpanStyle::Hunk,
                    Some('#') => SpanStyle::Muted,
                    _ => SpanStyle::Plain,
                };
                Line::from(Span::styled(l.to_string(), span_style(style, theme)))
            })
            .collect(),
    };
    let lens = match state.diff.lens {
        Lens::Preview => "apply preview",
        Lens::Drift => "live drift",
    };
    let title = format!(" Diff · {lens} ");
    let paragraph = Paragraph::new(lines)
        .block(block(title, state.mode.focus == Pane::Diff, theme))
        .wrap(Wrap { trim: false })
        .scroll((state.diff.scroll, 0));
    frame.render_widget(paragraph, area);
}

// Over 80 lines: the status bar's spans in the order they are drawn; a candidate to
// split into segments (context, counts, live, hints).
pub fn status(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let bar = Style::default().bg(theme.status_bg).fg(theme.text);
    // The counts of the Git side shown: HEAD's, or the commit picked in the history.
    let count = |s: SyncStatus| state.active_drift().map(|d| d.count(s)).unwrap_or(0);
    let mut revision = match &state.history.selected_commit {
        Some(c) => format!("Git {} (selected)", &c[..c.len().min(7)]),
        None => format!("Git HEAD {}", state.data.head),
    };
    if let Some(at) = &state.data.cluster_at {
        revision.push_str(&format!(" │ cluster at {at}, not HEAD"));
    }
    let live_style = if state.data.live.is_live() {
        theme.healthy
    } else {
        theme.out_of_sync
    };
    let mut first = vec![
        Span::styled(
            format!(" {} ", state.data.context),
            bar.add_modifier(Modifier::BOLD),
        ),
        Span::styled(
            format!(
                "│ {} │ {revision} │",
                if state.data.app_path.is_empty() {
                    "."
                } else {
                    &state.data.app_path
                }
            ),
            bar,
        ),
    ];
    for (s, label) in [
        (SyncStatus::Synced, "Synced"),
        (SyncStatus::OutOfSync, "OutOfSync"),
        (SyncStatus::Missing, "Missing"),
        (SyncStatus::Extra, "Extra"),
    ] {
        first.push(Span::styled(
            format!(" {label} {}", count(s)),
            bar.fg(sync_color(s, theme)),
        ));
    }
    // Objects still judging read Unknown in the report: counted apart.
    let judging = state.active_drift().map(|d| d.pending).unwrap_or(0);
    let unknown = count(SyncStatus::Unknown).saturating_sub(judging);
    if unknown > 0 {
        first.push(Span::styled(
            format!(" Unknown {unknown}"),
            bar.fg(sync_color(SyncStatus::Unknown, theme)),
        ));
    }
    if judging > 0 {
        first.push(Span::styled(
            format!(" judging {judging}"),
            bar.fg(theme.muted),
        ));
    }
    if let Some(errors) = state
        .active_drift()
        .map(|d| d.load_errors.len())
        .filter(|n| *n > 0)
    {
        first.push(Span::styled(
            format!(" │ {errors} load error(s)"),
            bar.fg(theme.degraded),
        ));
    }
    first.push(Span::styled(
        format!(" │ {}", state.data.live),
        bar.fg(live_style),
    ));
    if let Some(n) = &state.mode.notice {
        first.push(Span::styled(format!(" │ {n}"), bar.fg(theme.out_of_sync)));
    } else if let Some(w) = state.data.warnings.first() {
        first.push(Span::styled(format!(" │ ⚠ {w}"), bar.fg(theme.out_of_sync)));
    }
    let main_hints = [
        (Action::NextPane, "pane"),
        (Action::Expand, "open"),
        (Action::Filter, "filter"),
        (Action::NextOutOfSync, "next drift"),
        (Action::ToggleLens, "lens"),
        (Action::SyncApp, "sync"),
        (Action::Logs, "logs"),
        (Action::Refresh, "refresh"),
        (Action::Help, "help"),
        (Action::Quit, "quit"),
    ];
    let logs_hints = [
        (Action::LogsFollow, "pause"),
        (Action::Filter, "search"),
        (Action::NextOutOfSync, "next"),
        (Action::LogsContainer, "container"),
        (Action::LogsPrevious, "previous"),
        (Action::LogsWrap, "wrap"),
        (Action::LogsTimestamps, "time"),
        (Action::LogsPager, "pager"),
        (Action::Cancel, "close"),
    ];
    let back = [(Action::Cancel, "apps")];
    let extra: &[(Action, &str)] = if state.mode.multi_app && state.logs.view.is_none() {
        &back
    } else {
        &[]
    };
    let hints: Vec<Span> = if state.logs.view.is_some() {
        &logs_hints[..]
    } else {
        &main_hints[..]
    }
    .iter()
    .chain(extra)
    .filter_map(|(a, label)| state.mode.keymap.hint(*a).map(|k| (k, label, *a)))
    .flat_map(|(k, label, action)| match state.not_allowed(action) {
        // Certainly refused (RBAC): muted and struck through; the help says why.
        Some(_) => vec![
            Span::styled(
                format!(" {k}"),
                bar.fg(theme.muted).add_modifier(Modifier::CROSSED_OUT),
            ),
            Span::styled(
                format!(" {label} (not allowed) "),
                bar.fg(theme.muted).add_modifier(Modifier::CROSSED_OUT),
            ),
        ],
        None => vec![
            Span::styled(
                format!(" {k}"),
                bar.fg(theme.focus).add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!(" {label} "), bar.fg(theme.muted)),
        ],
    })
    .collect();
    frame.render_widget(
        Paragraph::new(vec![Line::from(first), Line::from(hints)]).style(bar),
        area,
    );
}
