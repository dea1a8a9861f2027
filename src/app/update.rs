//! `update(state, input) -> commands`: every change to the state happens here, from a key
//! or a worker's message; commands tell the loop what work to start.

use crossterm::event::KeyEvent;

use crate::config::keymap::{Action, Key};
use crate::model::drift::SyncStatus;

pub use super::msg::{Command, Input, Msg};
use super::state::{AppState, Pane, Screen};
use super::tree::NodeId;

pub fn update(state: &mut AppState, input: Input) -> Vec<Command> {
    let mut commands = match input {
        Input::Key(key) => on_key(state, key),
        Input::Msg(msg) => on_msg(state, msg),
    };
    commands.extend(refresh_diff(state));
    commands
}

fn on_msg(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Health(Ok(report)) => {
            state.data.health_read = Some((report.clone(), state.now()));
            state.data.health = Some(report);
            state.data.health_error = None;
            state.data.unreachable_since = None;
            state.rebuild_cluster();
            return Vec::new();
        }
        Msg::Health(Err(e)) => {
            on_unreachable(state, e);
            state.rebuild_cluster();
            return Vec::new();
        }
        Msg::Drift {
            commit: None,
            result,
            ..
        } => {
            // History (and its matches' evaluations) waits for HEAD's verdicts: both read
            // Git and the cluster, and the app's tree comes first.
            let judged = match result {
                Ok(r) => {
                    let judged = r.pending == 0;
                    state.data.drift = Some(r);
                    state.data.drift_error = None;
                    judged
                }
                Err(e) => {
                    state.data.drift_error = Some(e);
                    true
                }
            };
            state.rebuild();
            if judged {
                return state.history.first_page();
            }
            return Vec::new();
        }
        Msg::Drift {
            generation,
            commit: Some(c),
            result,
        } => state.history.on_drift(generation, &c, result),
        Msg::History { result, done } => return state.history.on_page(result, done),
        // What follows changes no tree row (the status line, the history and diff panes,
        // the overview): a big app's rows are not rebuilt for them, and a key press that
        // arrives meanwhile does not wait on it (a highlight answers every selection).
        Msg::CommitMatch { commit, matches } => {
            state.history.matches.insert(commit, matches);
            return Vec::new();
        }
        Msg::Live(s) => {
            state.data.live = s;
            return Vec::new();
        }
        Msg::Access(access) => {
            state.data.access = access;
            return Vec::new();
        }
        Msg::Exported(result) => {
            state.mode.notice = Some(match result {
                Ok(path) => format!("exported to {path}"),
                Err(e) => format!("export failed: {e}"),
            });
            return Vec::new();
        }
        Msg::Highlighted {
            generation,
            highlighted,
        } => {
            state.diff.on_highlighted(generation, highlighted);
            return Vec::new();
        }
        Msg::DriftProgress { judged, total } => state.data.drift_progress = Some((judged, total)),
        Msg::Compared { generation, result } => state.history.on_compared(generation, result),
        // A failed list keeps the last pods shown: a transient error should not empty
        // the tree; the health poll reports an unreachable cluster.
        Msg::Pods(Ok(pods)) if pods == state.data.pods => return Vec::new(),
        Msg::Pods(Ok(pods)) => state.data.pods = pods,
        Msg::Pods(Err(e)) => tracing::debug!(error = %e, "listing the app's pods"),
        msg @ (Msg::Plan { .. } | Msg::Sync { .. } | Msg::SyncDone { .. }) => {
            return super::flows::on_msg(state, msg);
        }
        Msg::Apps(rows) => state.apps.on_rows(rows),
        Msg::AppOpened(Ok((name, path, head))) => state.open_app(name, path, head),
        Msg::AppOpened(Err(e)) => state.mode.notice = Some(e),
        Msg::Logs { generation, event } => {
            // Lines arrive often: the tree does not change with them.
            super::logs::on_event(state, generation, event);
            return Vec::new();
        }
    }
    state.rebuild();
    Vec::new()
}

/// The API server did not answer a health poll: what was read before is not vouched for.
fn on_unreachable(state: &mut AppState, error: String) {
    let now = state.now();
    let since = *state.data.unreachable_since.get_or_insert(now);
    let at = jiff::Timestamp::from_second(since)
        .map(|t| t.strftime("%H:%M:%S UTC").to_string())
        .unwrap_or_default();
    let why = format!("API server unreachable since {at}: {error}");
    if let Some((report, read_at)) = &state.data.health_read {
        state.data.health = Some(report.unreachable(&why, now - read_at));
    }
    state.data.health_error = Some(why);
}

fn on_key(state: &mut AppState, key: KeyEvent) -> Vec<Command> {
    state.mode.notice = None;
    if state.tree.filter_editing {
        state.tree.on_filter_key(key.code);
        state.rebuild();
        return Vec::new();
    }
    let bound = Key::from_event(&key);
    if state.popup.current.is_some() {
        let action = state.mode.keymap.action_for(&bound);
        return super::flows::on_key(state, action);
    }
    if state.mode.help {
        on_help_key(state, state.mode.keymap.action_for(&bound));
        return Vec::new();
    }
    if state.mode.screen == Screen::Apps {
        return match state.mode.keymap.action_for(&bound) {
            Some(action) => on_apps_action(state, action),
            None => Vec::new(),
        };
    }
    if let Some(view) = &state.logs.view {
        if view.search_editing {
            super::logs::on_search_key(state, key.code);
            return Vec::new();
        }
        let action = state.mode.keymap.action_in(&bound, true);
        let page = state.logs_page();
        return super::logs::on_key(state, action, page);
    }
    match state.mode.keymap.action_for(&bound) {
        Some(action) => on_action(state, action),
        None => Vec::new(),
    }
}

/// Up and down scroll help (it is longer than a small terminal); any other key closes it;
/// quit still quits.
fn on_help_key(state: &mut AppState, action: Option<Action>) {
    let mode = &mut state.mode;
    match action {
        Some(Action::Up) => mode.help_scroll = mode.help_scroll.saturating_sub(1),
        Some(Action::Down) => mode.help_scroll = mode.help_scroll.saturating_add(1),
        Some(Action::Quit) => mode.quit = true,
        _ => {
            mode.help = false;
            mode.help_scroll = 0;
        }
    }
}

pub fn on_action(state: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Quit => state.mode.quit = true,
        Action::Help => state.mode.help = true,
        Action::NextPane | Action::PrevPane => return cycle_focus(state, action),
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            return move_selection(state, step(action));
        }
        Action::Left | Action::Right | Action::Expand => return expand(state, action),
        Action::Filter => {
            state.mode.focus = Pane::Tree;
            state.tree.filter_editing = true;
        }
        Action::NextOutOfSync => next_out_of_sync(state),
        Action::ToggleLens => state.diff.toggle_lens(),
        Action::Refresh => {
            // Git is read again and HEAD may have moved past the listed commits: which
            // of them hold HEAD's objects is no longer known.
            state.history.as_head.clear();
            return vec![Command::Refresh];
        }
        Action::SyncSelected | Action::SyncApp | Action::Rollback => {
            return super::flows::start(state, action);
        }
        Action::Logs => return super::logs::open(state),
        Action::Mark if state.mode.focus == Pane::History => return state.history.toggle_mark(),
        Action::Mark => {}
        Action::Export => return super::export::export(state),
        // Back to the apps overview, when the app was opened from it.
        Action::Cancel if state.mode.multi_app => {
            state.mode.screen = Screen::Apps;
            state.rebuild();
            return vec![Command::CloseApp];
        }
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

/// Keys on the apps overview: move, open an app, refresh, help, quit.
fn on_apps_action(state: &mut AppState, action: Action) -> Vec<Command> {
    match action {
        Action::Up | Action::Down | Action::PageUp | Action::PageDown => {
            state.apps.move_by(step(action))
        }
        Action::Expand | Action::Right => {
            if let Some(row) = state.apps.rows.get(state.apps.selected) {
                return vec![Command::OpenApp {
                    path: row.path.clone(),
                    name: row.name.clone(),
                    namespace: row.namespace.clone(),
                }];
            }
        }
        Action::Refresh => return vec![Command::Refresh],
        Action::Help => state.mode.help = true,
        Action::Quit => state.mode.quit = true,
        _ => {}
    }
    Vec::new()
}

fn cycle_focus(state: &mut AppState, action: Action) -> Vec<Command> {
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
    if state.mode.focus == Pane::History {
        return state.history.on_focus();
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

fn move_selection(state: &mut AppState, delta: isize) -> Vec<Command> {
    match state.mode.focus {
        Pane::Tree => {
            state.tree.move_by(delta);
            state.diff.scroll = 0;
        }
        Pane::History => return state.history.move_by(delta),
        Pane::Diff => state.diff.scroll_by(delta),
    }
    Vec::new()
}

fn expand(state: &mut AppState, action: Action) -> Vec<Command> {
    match state.mode.focus {
        Pane::History if action == Action::Expand => {
            let commands = state.history.toggle_pick();
            // The picked Git side drives the tree: its badges until its drift comes.
            state.rebuild();
            return commands;
        }
        Pane::Tree => {
            let collapse = match action {
                Action::Left => Some(true),
                Action::Right => Some(false),
                _ => None,
            };
            if state.tree.fold(collapse) {
                state.rebuild();
            }
        }
        _ => {}
    }
    Vec::new()
}

fn next_out_of_sync(state: &mut AppState) {
    state.mode.focus = Pane::Tree;
    // Unfold the app so hidden objects can be reached.
    if state.tree.unfold_app() {
        state.rebuild();
    }
    // Looked up once: a big app's rows are many (objects still judging are not stops).
    let differing: std::collections::HashSet<&crate::model::object::ObjectKey> = state
        .active_drift()
        .map(|d| {
            d.objects
                .iter()
                .filter(|o| o.status != SyncStatus::Synced && !o.judging)
                .map(|o| &o.key)
                .collect()
        })
        .unwrap_or_default();
    let n = state.tree.rows.len();
    for offset in 1..=n {
        let i = (state.tree.selected + offset) % n;
        if matches!(&state.tree.rows[i].id, NodeId::Object(key) if differing.contains(key)) {
            state.tree.selected = i;
            state.diff.scroll = 0;
            return;
        }
    }
}

/// Computes the diff pane's text once for the current selection, Git side and lens (the
/// drawing reads it back), and asks for its highlighting when it changed.
pub fn refresh_diff(state: &mut AppState) -> Vec<Command> {
    let text = super::view::diff_text(state);
    state.diff.show(text)
}

#[cfg(test)]
mod tests;
