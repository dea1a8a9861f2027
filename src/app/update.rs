//! `update(state, input) -> commands`: every change to the state happens here, from a key
//! or a worker's message; commands tell the loop what work to start.

use crossterm::event::{KeyCode, KeyEvent};

use crate::config::keymap::{Action, Key};
use crate::model::drift::SyncStatus;

pub use super::msg::{Command, Input, Msg};
use super::state::{AppState, Lens, Pane};
use super::tree::NodeId;

/// How many history rows before the end trigger the next page.
const PREFETCH: usize = 10;

pub fn update(state: &mut AppState, input: Input) -> Vec<Command> {
    let mut commands = match input {
        Input::Key(key) => on_key(state, key),
        Input::Msg(msg) => on_msg(state, msg),
    };
    commands.extend(highlight_if_needed(state));
    commands
}

fn on_msg(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Health(Ok(report)) => {
            state.health = Some(report);
            state.health_error = None;
        }
        Msg::Health(Err(e)) => state.health_error = Some(e),
        Msg::Drift {
            commit: None,
            result,
            ..
        } => match result {
            Ok(r) => {
                state.drift = Some(r);
                state.drift_error = None;
            }
            Err(e) => state.drift_error = Some(e),
        },
        Msg::Drift {
            generation,
            commit: Some(c),
            result,
        } => {
            // A newer selection superseded this one: drop it.
            if generation == state.commit_gen
                && state.selected_commit.as_deref() == Some(c.as_str())
            {
                state.commit_drift = Some(result);
            }
        }
        Msg::History { result, done } => {
            state.history_loading = false;
            match result {
                Ok(page) => state.history.extend(page),
                Err(e) => state.history_error = Some(e),
            }
            state.history_done = done;
        }
        Msg::Live(s) => state.live = s,
        // A failed list keeps the last pods shown: a transient error should not empty
        // the tree; the health poll reports an unreachable cluster.
        Msg::Pods(Ok(pods)) => state.pods = pods,
        Msg::Pods(Err(e)) => tracing::debug!(error = %e, "listing the app's pods"),
        Msg::Highlighted {
            generation,
            highlighted,
        } => {
            if generation == state.highlight_gen {
                state.highlighted = Some(highlighted);
            }
        }
        msg @ (Msg::Plan { .. } | Msg::Sync { .. } | Msg::SyncDone { .. }) => {
            return super::flows::on_msg(state, msg);
        }
        Msg::Logs { generation, event } => {
            // Lines arrive often: the tree does not change with them.
            super::logs::on_event(state, generation, event);
            return Vec::new();
        }
    }
    state.rebuild();
    Vec::new()
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Command> {
    state.notice = None;
    if state.filter_editing {
        match key.code {
            KeyCode::Enter | KeyCode::Esc => {
                if key.code == KeyCode::Esc {
                    state.filter.clear();
                }
                state.filter_editing = false;
            }
            KeyCode::Backspace => {
                state.filter.pop();
            }
            KeyCode::Char(c) => state.filter.push(c),
            _ => {}
        }
        state.rebuild();
        return Vec::new();
    }
    if state.popup.is_some() {
        let action = state.keymap.action_for(&Key::from_event(&key));
        return super::flows::on_key(state, action);
    }
    if state.help {
        // Up and down scroll help (it is longer than a small terminal); any other key
        // closes it; quit still quits.
        match state.keymap.action_for(&Key::from_event(&key)) {
            Some(Action::Up) => state.help_scroll = state.help_scroll.saturating_sub(1),
            Some(Action::Down) => state.help_scroll = state.help_scroll.saturating_add(1),
            Some(Action::Quit) => state.quit = true,
            _ => {
                state.help = false;
                state.help_scroll = 0;
            }
        }
        return Vec::new();
    }
    if let Some(view) = &state.logs {
        if view.search_editing {
            super::logs::on_search_key(state, key.code);
            return Vec::new();
        }
        let action = state.keymap.action_in(&Key::from_event(&key), true);
        let page = state.logs_page();
        return super::logs::on_key(state, action, page);
    }
    match state.keymap.action_for(&Key::from_event(&key)) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

pub fn on_action(state: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Quit => state.quit = true,
        Action::Help => state.help = true,
        Action::NextPane | Action::PrevPane => {
            let order = [Pane::Tree, Pane::History, Pane::Diff];
            let i = order.iter().position(|p| *p == state.focus).unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                order.len() - 1
            };
            state.focus = order[(i + step) % order.len()];
            if state.focus == Pane::History
                && state.history.is_empty()
                && !state.history_done
                && !state.history_loading
            {
                state.history_loading = true;
                return vec![Command::LoadHistory];
            }
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            return move_selection(state, action);
        }
        Action::Left | Action::Right | Action::Expand => return expand(state, action),
        Action::Filter => {
            state.focus = Pane::Tree;
            state.filter_editing = true;
        }
        Action::NextOutOfSync => next_out_of_sync(state),
        Action::ToggleLens => {
            state.lens = if state.lens == Lens::Preview {
                Lens::Drift
            } else {
                Lens::Preview
            };
            state.diff_scroll = 0;
        }
        Action::Refresh => return vec![Command::Refresh],
        Action::SyncSelected | Action::SyncApp | Action::Rollback => {
            return super::flows::start(state, action);
        }
        Action::Logs => return super::logs::open(state),
        // Only in a popup.
        Action::Confirm | Action::Cancel | Action::Prune | Action::RevertCommit => {}
        // Only in the logs pane.
        Action::LogsFollow
        | Action::LogsContainer
        | Action::LogsPrevious
        | Action::LogsWrap
        | Action::LogsTimestamps
        | Action::LogsPager
        | Action::PrevMatch => {}
    }
    Vec::new()
}

fn step(action: Action) -> isize {
    match action {
        Action::Up => -1,
        Action::Down => 1,
        Action::PageUp => -10,
        _ => 10,
    }
}

fn move_selection(state: &mut AppState, action: Action) -> Vec<Command> {
    let delta = step(action);
    match state.focus {
        Pane::Tree => {
            let max = state.rows.len().saturating_sub(1) as isize;
            state.tree_selected = (state.tree_selected as isize + delta).clamp(0, max) as usize;
            state.diff_scroll = 0;
        }
        Pane::History => {
            let max = state.history.len().saturating_sub(1) as isize;
            state.history_selected =
                (state.history_selected as isize + delta).clamp(0, max) as usize;
            if state.history_selected + PREFETCH >= state.history.len()
                && !state.history_done
                && !state.history_loading
            {
                state.history_loading = true;
                return vec![Command::LoadHistory];
            }
        }
        Pane::Diff => {
            state.diff_scroll = (state.diff_scroll as isize + delta).max(0) as u16;
        }
    }
    Vec::new()
}

fn expand(state: &mut AppState, action: Action) -> Vec<Command> {
    match state.focus {
        Pane::History if action == Action::Expand => return select_commit(state),
        Pane::Tree => {
            let Some(row) = state.selected_row().cloned() else {
                return Vec::new();
            };
            if row.expanded.is_some() {
                let collapse = match action {
                    Action::Left => true,
                    Action::Right => false,
                    _ => row.expanded == Some(true),
                };
                match (row.id.folded_by_default(), collapse) {
                    (true, true) => state.expanded.remove(&row.id),
                    (true, false) => state.expanded.insert(row.id),
                    (false, true) => state.collapsed.insert(row.id),
                    (false, false) => state.collapsed.remove(&row.id),
                };
                state.rebuild();
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Selecting a commit makes it the Git side of the diff; selecting it again goes back to HEAD.
fn select_commit(state: &mut AppState) -> Vec<Command> {
    let Some(entry) = state.history.get(state.history_selected) else {
        return Vec::new();
    };
    state.commit_gen += 1;
    state.commit_drift = None;
    if state.selected_commit.as_deref() == Some(entry.commit.id.as_str()) {
        state.selected_commit = None;
        return Vec::new();
    }
    state.selected_commit = Some(entry.commit.id.clone());
    vec![Command::DriftAt {
        generation: state.commit_gen,
        commit: entry.commit.id.clone(),
    }]
}

fn next_out_of_sync(state: &mut AppState) {
    state.focus = Pane::Tree;
    // Expand everything so hidden objects can be reached.
    let collapsed_app = state.collapsed.iter().any(|id| {
        matches!(
            id,
            NodeId::App | NodeId::Namespace(_) | NodeId::Kind(..) | NodeId::Cluster
        )
    });
    if collapsed_app {
        state.collapsed.retain(|id| {
            !matches!(
                id,
                NodeId::App | NodeId::Namespace(_) | NodeId::Kind(..) | NodeId::Cluster
            )
        });
        state.rebuild();
    }
    let status_of = |id: &NodeId| -> Option<SyncStatus> {
        let NodeId::Object(key) = id else { return None };
        state
            .drift
            .as_ref()?
            .objects
            .iter()
            .find(|o| &o.key == key)
            .map(|o| o.status)
    };
    let n = state.rows.len();
    for offset in 1..=n {
        let i = (state.tree_selected + offset) % n;
        if status_of(&state.rows[i].id).is_some_and(|s| s != SyncStatus::Synced) {
            state.tree_selected = i;
            state.diff_scroll = 0;
            return;
        }
    }
}

/// When the diff pane shows a different text than the last highlighted one, ask for it.
fn highlight_if_needed(state: &mut AppState) -> Vec<Command> {
    let text = super::view::diff_text(state);
    if text.is_empty() || text == state.highlight_requested {
        return Vec::new();
    }
    state.highlight_requested = text.clone();
    state.highlight_gen += 1;
    vec![Command::Highlight {
        generation: state.highlight_gen,
        text,
    }]
}

#[cfg(test)]
mod tests;
