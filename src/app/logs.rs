//! The logs pane's state and keys: follow (on by default), pause, scroll, container switch,
//! previous instance, search, wrap, timestamps, and `$PAGER`. Streams run in a worker; a
//! new generation (container switch, previous on/off) drops results of the old one.

use std::collections::BTreeMap;
use std::sync::Arc;

pub use super::logs_view::LogsView;
use super::msg::Command;
use super::state::AppState;
use super::tree::NodeId;
use crate::cluster::logs::{ContainerChoice, LogEvent, LogTarget, has_logs};
use crate::config::keymap::Action;
use crate::model::logs::LogBuffer;

/// What `l` opens on the selected row, with its title.
fn target_of(state: &AppState) -> Result<(LogTarget, String), String> {
    let row = state.selected_row().ok_or("nothing selected")?;
    match &row.id {
        NodeId::Object(key) if has_logs(key) => {
            let title = format!("{} {}", key.kind, key.name);
            Ok(match key.kind.as_str() {
                "Pod" => (
                    LogTarget::Pod {
                        namespace: key.namespace.clone().unwrap_or_default(),
                        name: key.name.clone(),
                    },
                    title,
                ),
                _ => (LogTarget::Workload(key.clone()), title),
            })
        }
        NodeId::Object(key) => Err(format!(
            "{} has no logs: pick a pod or a workload",
            key.kind
        )),
        NodeId::Pod(namespace, name) => Ok((
            LogTarget::Pod {
                namespace: namespace.clone(),
                name: name.clone(),
            },
            format!("pod {name}"),
        )),
        NodeId::KubeProxy(node) => {
            let pod = state
                .data
                .health
                .as_ref()
                .and_then(|h| h.nodes.iter().find(|n| &n.name == node))
                .and_then(|n| n.kube_proxy.as_ref())
                .ok_or_else(|| format!("node {node} runs no kube-proxy pod"))?;
            Ok((
                LogTarget::Pod {
                    namespace: crate::cluster::health::KUBE_PROXY_NAMESPACE.into(),
                    name: pod.name.clone(),
                },
                format!("kube-proxy {} on {node}", pod.name),
            ))
        }
        _ => Err("logs: select a pod, a workload or a node's kube-proxy".into()),
    }
}

/// Every value of the app's Secrets as Git and the cluster hold them (older ones in a
/// last-applied annotation too): an app that prints its own password must not put it on
/// the screen, in any encoding.
fn secret_values(state: &AppState) -> crate::model::secret::Redactor {
    let drift = state.data.drift.iter();
    let from_git = drift
        .clone()
        .flat_map(|d| d.handles.iter())
        .filter(|(key, _)| key.kind == "Secret" && key.group.is_empty())
        .filter_map(|(_, h)| h.body.as_ref()?.value().ok())
        .flat_map(|body| crate::model::secret::plain_values(&body));
    let live = drift.flat_map(|d| d.live_secret_values.iter().cloned());
    crate::model::secret::Redactor::new(from_git.chain(live))
}

/// `l`: opens the pane on the selected row, or says why it cannot.
pub fn open(state: &mut AppState) -> Vec<Command> {
    // The verdict is the app namespace's; kube-proxy's pods live elsewhere.
    let kube_proxy = matches!(
        state.selected_row().map(|r| &r.id),
        Some(NodeId::KubeProxy(_))
    );
    if let Some(why) = state.data.access.logs.forbidden().filter(|_| !kube_proxy) {
        state.mode.notice = Some(format!("logs not allowed: {why}"));
        return Vec::new();
    }
    // The app's Secrets are read with its verdicts: what they would mask is not known yet.
    if !kube_proxy && state.data.drift.as_ref().is_none_or(|d| d.pending > 0) {
        state.mode.notice =
            Some("logs open once the app is judged (its Secrets are masked in them)".into());
        return Vec::new();
    }
    let (target, title) = match target_of(state) {
        Ok(t) => t,
        Err(why) => {
            state.mode.notice = Some(why);
            return Vec::new();
        }
    };
    state.logs.generation += 1;
    let view = LogsView {
        title,
        target,
        generation: state.logs.generation,
        buffer: LogBuffer::new(state.logs.buffer_lines),
        pods: Vec::new(),
        container: ContainerChoice::Default,
        previous: false,
        follow: true,
        top: 0,
        wrap: false,
        timestamps: false,
        hscroll: 0,
        search: String::new(),
        search_editing: false,
        status: BTreeMap::from([(String::new(), "connecting…".to_string())]),
        redact: Arc::new(secret_values(state)),
    };
    let command = Command::StartLogs {
        generation: view.generation,
        request: view.request(state.logs.tail_lines),
    };
    state.logs.view = Some(view);
    vec![command]
}

/// Restarts the streams (another container, previous on/off) with an empty buffer.
fn restart(state: &mut AppState) -> Vec<Command> {
    state.logs.generation += 1;
    let (generation, tail) = (state.logs.generation, state.logs.tail_lines);
    let Some(view) = state.logs.view.as_mut() else {
        return Vec::new();
    };
    view.generation = generation;
    view.buffer = LogBuffer::new(view.buffer.capacity());
    view.status = BTreeMap::from([(String::new(), "connecting…".to_string())]);
    view.follow = true;
    vec![Command::StartLogs {
        generation,
        request: view.request(tail),
    }]
}

/// An event from the current session (older generations are dropped).
pub fn on_event(state: &mut AppState, generation: u64, event: LogEvent) {
    let Some(view) = state
        .logs
        .view
        .as_mut()
        .filter(|v| v.generation == generation)
    else {
        return;
    };
    match event {
        LogEvent::Pods(pods) => {
            view.pods = pods;
            view.status.remove("");
        }
        LogEvent::Lines { source, lines } => {
            let src = view.buffer.source(&source);
            for (ts, text) in lines {
                view.buffer.push(src, ts, text);
            }
            view.top = view.top.max(view.buffer.first_seq());
        }
        LogEvent::Status { source, text } => {
            view.status.insert(source, text);
        }
    }
}

/// A key in the logs pane. `page` is the number of lines the pane shows.
pub fn on_key(state: &mut AppState, action: Option<Action>, page: usize) -> Vec<Command> {
    let Some(view) = state.logs.view.as_mut() else {
        return Vec::new();
    };
    let Some(action) = action else {
        return Vec::new();
    };
    let last = view.buffer.last_seq().unwrap_or(0);
    let first = view.buffer.first_seq();
    // Where the view starts now, whether following or not.
    let shown_top = if view.follow {
        last.saturating_sub(page.saturating_sub(1) as u64)
            .max(first)
    } else {
        view.top
    };
    let scroll = |view: &mut LogsView, delta: i64| {
        let top = (shown_top as i64 + delta).clamp(first as i64, last as i64) as u64;
        view.top = top;
        // Scrolling back pauses; reaching the end again follows.
        view.follow = top + page as u64 > last && delta > 0;
    };
    match action {
        Action::Up => scroll(view, -1),
        Action::Down => scroll(view, 1),
        Action::PageUp => scroll(view, -(page as i64)),
        Action::PageDown => scroll(view, page as i64),
        Action::Left => view.hscroll = view.hscroll.saturating_sub(8),
        Action::Right if !view.wrap => view.hscroll = view.hscroll.saturating_add(8),
        Action::LogsFollow => {
            view.follow = !view.follow;
            view.top = shown_top;
        }
        Action::LogsWrap => {
            view.wrap = !view.wrap;
            view.hscroll = 0;
        }
        Action::LogsTimestamps => view.timestamps = !view.timestamps,
        Action::Filter => {
            view.search_editing = true;
            view.search.clear();
        }
        Action::NextOutOfSync | Action::PrevMatch => {
            let forward = action == Action::NextOutOfSync;
            let from = if forward {
                shown_top + 1
            } else {
                shown_top.saturating_sub(1)
            };
            match view.buffer.find(&view.search, from, forward) {
                Some(seq) => {
                    view.top = seq;
                    view.follow = false;
                }
                None => state.mode.notice = Some(format!("no more matches of {:?}", view.search)),
            }
        }
        Action::LogsContainer => {
            let names = view.container_names();
            view.container = next_container(&view.container, &names);
            return restart(state);
        }
        Action::LogsPrevious => {
            view.previous = !view.previous;
            return restart(state);
        }
        Action::LogsPager => {
            return vec![Command::Pager { text: view.text() }];
        }
        Action::Cancel => {
            state.logs.view = None;
            return vec![Command::StopLogs];
        }
        Action::Quit => state.mode.quit = true,
        Action::Help => state.mode.help = true,
        _ => {}
    }
    Vec::new()
}

/// Typing a search: Enter jumps to the first match from the top, Esc clears it.
pub fn on_search_key(state: &mut AppState, code: crossterm::event::KeyCode) {
    use crossterm::event::KeyCode;
    let Some(view) = state.logs.view.as_mut() else {
        return;
    };
    match code {
        KeyCode::Enter => {
            view.search_editing = false;
            if let Some(seq) = view
                .buffer
                .find(&view.search, view.buffer.first_seq(), true)
            {
                view.top = seq;
                view.follow = false;
            } else if !view.search.is_empty() {
                state.mode.notice = Some(format!("no line matches {:?}", view.search));
            }
        }
        KeyCode::Esc => {
            view.search_editing = false;
            view.search.clear();
        }
        KeyCode::Backspace => {
            view.search.pop();
        }
        KeyCode::Char(c) => view.search.push(c),
        _ => {}
    }
}

/// Default → each container in turn → all → default.
fn next_container(current: &ContainerChoice, names: &[String]) -> ContainerChoice {
    let first = || {
        names
            .first()
            .cloned()
            .map(ContainerChoice::Named)
            .unwrap_or(ContainerChoice::All)
    };
    match current {
        ContainerChoice::Default => first(),
        ContainerChoice::Named(name) => match names.iter().position(|n| n == name) {
            Some(i) if i + 1 < names.len() => ContainerChoice::Named(names[i + 1].clone()),
            _ => ContainerChoice::All,
        },
        ContainerChoice::All => ContainerChoice::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_cycle_visits_each_then_all_then_default() {
        let names = vec!["app".to_string(), "sidecar".to_string()];
        let mut c = ContainerChoice::Default;
        let mut seen = Vec::new();
        for _ in 0..4 {
            c = next_container(&c, &names);
            seen.push(c.clone());
        }
        assert_eq!(
            seen,
            [
                ContainerChoice::Named("app".into()),
                ContainerChoice::Named("sidecar".into()),
                ContainerChoice::All,
                ContainerChoice::Default
            ]
        );
    }
}
