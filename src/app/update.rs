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
            state.data.health = Some(report);
            state.data.health_error = None;
        }
        Msg::Health(Err(e)) => state.data.health_error = Some(e),
        Msg::Drift {
            commit: None,
            result,
            ..
        } => match result {
            Ok(r) => {
                state.data.drift = Some(r);
                state.data.drift_error = None;
            }
            Err(e) => state.data.drift_error = Some(e),
        },
        Msg::Drift {
            generation,
            commit: Some(c),
            result,
        } => {
            // A newer selection superseded this one: drop it.
            if generation == state.history.commit_gen
                && state.history.selected_commit.as_deref() == Some(c.as_str())
            {
                state.history.commit_drift = Some(result);
            }
        }
        Msg::History { result, done } => {
            state.history.loading = false;
            match result {
                Ok(page) => state.history.entries.extend(page),
                Err(e) => state.history.error = Some(e),
            }
            state.history.done = done;
        }
        Msg::Live(s) => state.data.live = s,
        // A failed list keeps the last pods shown: a transient error should not empty
        // the tree; the health poll reports an unreachable cluster.
        Msg::Pods(Ok(pods)) => state.data.pods = pods,
        Msg::Pods(Err(e)) => tracing::debug!(error = %e, "listing the app's pods"),
        Msg::Highlighted {
            generation,
            highlighted,
        } => {
            if generation == state.diff.highlight_gen {
                state.diff.highlighted = Some(highlighted);
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
    state.mode.notice = None;
    if state.tree.filter_editing {
        match key.code {
            KeyCode::Enter | KeyCode::Esc => {
                if key.code == KeyCode::Esc {
                    state.tree.filter.clear();
                }
                state.tree.filter_editing = false;
            }
            KeyCode::Backspace => {
                state.tree.filter.pop();
            }
            KeyCode::Char(c) => state.tree.filter.push(c),
            _ => {}
        }
        state.rebuild();
        return Vec::new();
    }
    if state.popup.current.is_some() {
        let action = state.mode.keymap.action_for(&Key::from_event(&key));
        return super::flows::on_key(state, action);
    }
    if state.mode.help {
        // Up and down scroll help (it is longer than a small terminal); any other key
        // closes it; quit still quits.
        match state.mode.keymap.action_for(&Key::from_event(&key)) {
            Some(Action::Up) => state.mode.help_scroll = state.mode.help_scroll.saturating_sub(1),
            Some(Action::Down) => state.mode.help_scroll = state.mode.help_scroll.saturating_add(1),
            Some(Action::Quit) => state.mode.quit = true,
            _ => {
                state.mode.help = false;
                state.mode.help_scroll = 0;
            }
        }
        return Vec::new();
    }
    if let Some(view) = &state.logs.view {
        if view.search_editing {
            super::logs::on_search_key(state, key.code);
            return Vec::new();
        }
        let action = state.mode.keymap.action_in(&Key::from_event(&key), true);
        let page = state.logs_page();
        return super::logs::on_key(state, action, page);
    }
    match state.mode.keymap.action_for(&Key::from_event(&key)) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

pub fn on_action(state: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Quit => state.mode.quit = true,
        Action::Help => state.mode.help = true,
        Action::NextPane | Action::PrevPane => {
            let order = [Pane::Tree, Pane::History, Pane::Diff];
            let i = order
                .iter()
                .position(|p| *p == state.mode.focus)
                .unwrap_or(0);
            let step = if action == Action::NextPane {
                1
            } else {
                order.len() - 1
            };
            state.mode.focus = order[(i + step) % order.len()];
            if state.mode.focus == Pane::History
                && state.history.entries.is_empty()
                && !state.history.done
                && !state.history.loading
            {
                state.history.loading = true;
                return vec![Command::LoadHistory];
            }
        }
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            return move_selection(state, action);
        }
        Action::Left | Action::Right | Action::Expand => return expand(state, action),
        Action::Filter => {
            state.mode.focus = Pane::Tree;
            state.tree.filter_editing = true;
        }
        Action::NextOutOfSync => next_out_of_sync(state),
        Action::ToggleLens => {
            state.diff.lens = if state.diff.lens == Lens::Preview {
                Lens::Drift
            } else {
                Lens::Preview
            };
            state.diff.scroll = 0;
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
    match state.mode.focus {
        Pane::Tree => {
            let max = state.tree.rows.len().saturating_sub(1) as isize;
            state.tree.selected = (state.tree.selected as isize + delta).clamp(0, max) as usize;
            state.diff.scroll = 0;
        }
        Pane::History => {
            let max = state.history.entries.len().saturating_sub(1) as isize;
            state.history.selected =
                (state.history.selected as isize + delta).clamp(0, max) as usize;
            if state.history.selected + PREFETCH >= state.history.entries.len()
                && !state.history.done
                && !state.history.loading
            {
                state.history.loading = true;
                return vec![Command::LoadHistory];
            }
        }
        Pane::Diff => {
            state.diff.scroll = (state.diff.scroll as isize + delta).max(0) as u16;
        }
    }
    Vec::new()
}

fn expand(state: &mut AppState, action: Action) -> Vec<Command> {
    match state.mode.focus {
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
                    (true, true) => state.tree.expanded.remove(&row.id),
                    (true, false) => state.tree.expanded.insert(row.id),
                    (false, true) => state.tree.collapsed.insert(row.id),
                    (false, false) => state.tree.collapsed.remove(&row.id),
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
    let Some(entry) = state.history.entries.get(state.history.selected) else {
        return Vec::new();
    };
    state.history.commit_gen += 1;
    state.history.commit_drift = None;
    if state.history.selected_commit.as_deref() == Some(entry.commit.id.as_str()) {
        state.history.selected_commit = None;
        return Vec::new();
    }
    state.history.selected_commit = Some(entry.commit.id.clone());
    vec![Command::DriftAt {
        generation: state.history.commit_gen,
        commit: entry.commit.id.clone(),
    }]
}

fn next_out_of_sync(state: &mut AppState) {
    state.mode.focus = Pane::Tree;
    // Expand everything so hidden objects can be reached.
    let collapsed_app = state.tree.collapsed.iter().any(|id| {
        matches!(
            id,
            NodeId::App | NodeId::Namespace(_) | NodeId::Kind(..) | NodeId::Cluster
        )
    });
    if collapsed_app {
        state.tree.collapsed.retain(|id| {
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
            .data
            .drift
            .as_ref()?
            .objects
            .iter()
            .find(|o| &o.key == key)
            .map(|o| o.status)
    };
    let n = state.tree.rows.len();
    for offset in 1..=n {
        let i = (state.tree.selected + offset) % n;
        if status_of(&state.tree.rows[i].id).is_some_and(|s| s != SyncStatus::Synced) {
            state.tree.selected = i;
            state.diff.scroll = 0;
            return;
        }
    }
}

/// When the diff pane shows a different text than the last highlighted one, ask for it.
fn highlight_if_needed(state: &mut AppState) -> Vec<Command> {
    let text = super::view::diff_text(state);
    if text.is_empty() || text == state.diff.highlight_requested {
        return Vec::new();
    }
    state.diff.highlight_requested = text.clone();
    state.diff.highlight_gen += 1;
    vec![Command::Highlight {
        generation: state.diff.highlight_gen,
        text,
    }]
}

#[cfg(test)]
mod tests;
