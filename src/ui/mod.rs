//! Drawing only: from `&AppState` and the theme to the frame. No I/O, no state changes.

pub mod highlight;
mod logs;
mod panes;
mod popup;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::state::AppState;
use crate::config::theme::Theme;

pub fn draw(frame: &mut Frame<'_>, state: &AppState, theme: &Theme) {
    let area = frame.area();
    let [main, status] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let tree_share = if area.width >= 120 { 40 } else { 45 };
    let [left, right] = Layout::horizontal([
        Constraint::Percentage(tree_share),
        Constraint::Percentage(100 - tree_share),
    ])
    .areas(main);
    let history_height = if main.height >= 30 {
        main.height / 3
    } else {
        7.min(main.height / 2)
    };
    let [history, diff] = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(history_height), Constraint::Min(3)])
        .areas(right);
    match &state.logs {
        Some(view) => logs::draw(frame, main, view, theme),
        None => {
            panes::tree(frame, left, state, theme);
            panes::history(frame, history, state, theme);
            panes::diff(frame, diff, state, theme);
        }
    }
    panes::status(frame, status, state, theme);
    if state.popup.is_some() {
        popup::draw(
            frame,
            centered(
                area,
                area.width.saturating_sub(8).max(40),
                area.height.saturating_sub(6).max(10),
            ),
            state,
            theme,
        );
    }
    if state.help {
        panes::help(frame, centered(area, 72, 36), state, theme);
    }
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}
