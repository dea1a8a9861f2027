//! The help popup: every binding of the active keymap, with the config's warnings.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::panes::block;
use crate::app::state::AppState;
use crate::config::keymap::Action;
use crate::config::theme::Theme;

pub fn help(frame: &mut Frame<'_>, area: Rect, state: &AppState, theme: &Theme) {
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "Keys (from the active keymap; {}/{} scroll)",
            state.mode.keymap.hint(Action::Up).unwrap_or_default(),
            state.mode.keymap.hint(Action::Down).unwrap_or_default()
        ),
        Style::default().fg(theme.title),
    ))];
    for action in Action::all() {
        let keys: Vec<String> = state
            .mode
            .keymap
            .bindings
            .get(&action)
            .map(|ks| ks.iter().map(|k| k.label()).collect())
            .unwrap_or_default();
        let mut line = vec![
            Span::styled(
                format!("{:>14}  ", keys.join(", ")),
                Style::default().fg(theme.focus),
            ),
            Span::styled(action.describe(), Style::default().fg(theme.text)),
        ];
        if let Some(why) = state.not_allowed(action) {
            line.push(Span::styled(
                format!(" — not allowed: {why}"),
                Style::default().fg(theme.muted),
            ));
        }
        lines.push(Line::from(line));
    }
    for w in &state.data.warnings {
        lines.push(Line::from(Span::styled(
            format!("⚠ {w}"),
            Style::default().fg(theme.out_of_sync),
        )));
    }
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((state.mode.help_scroll, 0))
            .block(block(" Help ".into(), true, theme)),
        area,
    );
}
