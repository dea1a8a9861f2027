//! Drawing only: from `&AppState` and the theme to the frame. No I/O, no state changes.

mod apps;
mod help;
pub mod highlight;
mod history;
mod logs;
mod panes;
mod popup;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};

use crate::app::state::AppState;
use crate::config::theme::Theme;

/// Where each pane goes on a screen of this size: the one place the chrome is decided.
struct Areas {
    main: Rect,
    status: Rect,
    tree: Rect,
    history: Rect,
    diff: Rect,
}

fn areas(area: Rect) -> Areas {
    let [main, status] = Layout::vertical([Constraint::Min(3), Constraint::Length(2)]).areas(area);
    let tree_share = if area.width >= 120 { 40 } else { 45 };
    let [tree, right] = Layout::horizontal([
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
    Areas {
        main,
        status,
        tree,
        history,
        diff,
    }
}

/// The panes' sizes on a screen of `area`, for the state to page by.
pub fn layout(area: Rect) -> crate::app::state::Layout {
    crate::app::state::Layout {
        logs_lines: usize::from(logs::body(areas(area).main).height),
    }
}

pub fn draw(frame: &mut Frame<'_>, state: &AppState, theme: &Theme) {
    let area = frame.area();
    if state.mode.screen == crate::app::state::Screen::Apps {
        apps::draw(frame, area, state, theme);
        if state.mode.help {
            help::help(frame, centered(area, 72, 36), state, theme);
        }
        return;
    }
    let Areas {
        main,
        status,
        tree,
        history,
        diff,
    } = areas(area);
    match &state.logs.view {
        Some(view) => logs::draw(frame, main, view, theme),
        None => {
            panes::tree(frame, tree, state, theme);
            history::history(frame, history, state, theme);
            panes::diff(frame, diff, state, theme);
        }
    }
    panes::status(frame, status, state, theme);
    if state.popup.current.is_some() {
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
    if state.mode.help {
        help::help(frame, centered(area, 72, 36), state, theme);
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
