//! Actions and their keys. Actions are data, so the config file can name them; hints and
//! help are generated from the active keymap, so they always match the user's bindings.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    NextPane,
    PrevPane,
    Expand,
    Filter,
    NextOutOfSync,
    ToggleLens,
    Refresh,
    SyncSelected,
    SyncApp,
    Rollback,
    Logs,
    Confirm,
    Prune,
    RevertCommit,
    Cancel,
    Help,
    Quit,
    LogsFollow,
    LogsContainer,
    LogsPrevious,
    LogsWrap,
    LogsTimestamps,
    LogsPager,
    PrevMatch,
}

/// Where an action means something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The tree, history and diff panes.
    Panes,
    /// The sync and rollback popup.
    Popup,
    /// The logs pane (there its actions win over others bound to the same key; elsewhere
    /// they are ignored).
    Logs,
    /// Anywhere.
    Global,
}

/// One action as data: its name in the config file, where it applies, its default keys
/// and its help. The keymap, the help, the hints and the default config file's `[keys]`
/// all come from `ACTIONS`.
#[derive(Debug, Clone, Copy)]
pub struct ActionInfo {
    pub action: Action,
    pub name: &'static str,
    pub scope: Scope,
    pub keys: &'static [&'static str],
    pub help: &'static str,
}

/// Every action, in the order the help lists them.
pub const ACTIONS: [ActionInfo; 30] = [
    ActionInfo {
        action: Action::Up,
        name: "up",
        scope: Scope::Panes,
        keys: &["up", "k"],
        help: "move up",
    },
    ActionInfo {
        action: Action::Down,
        name: "down",
        scope: Scope::Panes,
        keys: &["down", "j"],
        help: "move down",
    },
    ActionInfo {
        action: Action::Left,
        name: "left",
        scope: Scope::Panes,
        keys: &["left", "h"],
        help: "collapse / scroll left",
    },
    ActionInfo {
        action: Action::Right,
        name: "right",
        scope: Scope::Panes,
        keys: &["right"],
        help: "expand / scroll right",
    },
    ActionInfo {
        action: Action::PageUp,
        name: "page_up",
        scope: Scope::Panes,
        keys: &["pageup"],
        help: "page up",
    },
    ActionInfo {
        action: Action::PageDown,
        name: "page_down",
        scope: Scope::Panes,
        keys: &["pagedown"],
        help: "page down",
    },
    ActionInfo {
        action: Action::NextPane,
        name: "next_pane",
        scope: Scope::Panes,
        keys: &["tab"],
        help: "next pane",
    },
    ActionInfo {
        action: Action::PrevPane,
        name: "prev_pane",
        scope: Scope::Panes,
        keys: &["shift-tab"],
        help: "previous pane",
    },
    ActionInfo {
        action: Action::Expand,
        name: "expand",
        scope: Scope::Panes,
        keys: &["enter"],
        help: "expand or collapse; select a commit",
    },
    ActionInfo {
        action: Action::Filter,
        name: "filter",
        scope: Scope::Panes,
        keys: &["/"],
        help: "filter the tree; in logs: search",
    },
    ActionInfo {
        action: Action::NextOutOfSync,
        name: "next_out_of_sync",
        scope: Scope::Panes,
        keys: &["n"],
        help: "jump to the next out-of-sync object; in logs: next match",
    },
    ActionInfo {
        action: Action::ToggleLens,
        name: "toggle_lens",
        scope: Scope::Panes,
        keys: &["d"],
        help: "toggle lens: apply preview / live drift",
    },
    ActionInfo {
        action: Action::Refresh,
        name: "refresh",
        scope: Scope::Panes,
        keys: &["R"],
        help: "refresh everything",
    },
    ActionInfo {
        action: Action::SyncSelected,
        name: "sync_selected",
        scope: Scope::Panes,
        keys: &["s"],
        help: "sync the selected object (plan, then confirm)",
    },
    ActionInfo {
        action: Action::SyncApp,
        name: "sync_app",
        scope: Scope::Panes,
        keys: &["S"],
        help: "sync the whole app (plan, then confirm)",
    },
    ActionInfo {
        action: Action::Rollback,
        name: "rollback",
        scope: Scope::Panes,
        keys: &["r"],
        help: "roll back to the selected commit (plan, then confirm)",
    },
    ActionInfo {
        action: Action::Logs,
        name: "logs",
        scope: Scope::Panes,
        keys: &["l"],
        help: "logs of the selected pod, workload or kube-proxy",
    },
    ActionInfo {
        action: Action::Confirm,
        name: "confirm",
        scope: Scope::Popup,
        keys: &["y"],
        help: "confirm, in a popup",
    },
    ActionInfo {
        action: Action::Prune,
        name: "prune",
        scope: Scope::Popup,
        keys: &["P"],
        help: "sync popup: prune what Git no longer has (asked after the apply)",
    },
    ActionInfo {
        action: Action::RevertCommit,
        name: "revert_commit",
        scope: Scope::Popup,
        keys: &["b"],
        help: "rollback popup: also write a revert commit on a branch",
    },
    ActionInfo {
        action: Action::Cancel,
        name: "cancel",
        scope: Scope::Popup,
        keys: &["esc"],
        help: "cancel, in a popup; close logs",
    },
    ActionInfo {
        action: Action::Help,
        name: "help",
        scope: Scope::Global,
        keys: &["?"],
        help: "help",
    },
    ActionInfo {
        action: Action::Quit,
        name: "quit",
        scope: Scope::Global,
        keys: &["q", "ctrl-c"],
        help: "quit",
    },
    ActionInfo {
        action: Action::LogsFollow,
        name: "logs_follow",
        scope: Scope::Logs,
        keys: &["space", "f"],
        help: "logs: pause / resume following",
    },
    ActionInfo {
        action: Action::LogsContainer,
        name: "logs_container",
        scope: Scope::Logs,
        keys: &["c"],
        help: "logs: next container (then all)",
    },
    ActionInfo {
        action: Action::LogsPrevious,
        name: "logs_previous",
        scope: Scope::Logs,
        keys: &["p"],
        help: "logs: previous container instance on / off",
    },
    ActionInfo {
        action: Action::LogsWrap,
        name: "logs_wrap",
        scope: Scope::Logs,
        keys: &["w"],
        help: "logs: wrap on / off",
    },
    ActionInfo {
        action: Action::LogsTimestamps,
        name: "logs_timestamps",
        scope: Scope::Logs,
        keys: &["t"],
        help: "logs: timestamps on / off",
    },
    ActionInfo {
        action: Action::LogsPager,
        name: "logs_pager",
        scope: Scope::Logs,
        keys: &["o"],
        help: "logs: open the buffer in $PAGER",
    },
    ActionInfo {
        action: Action::PrevMatch,
        name: "prev_match",
        scope: Scope::Logs,
        keys: &["N"],
        help: "logs: previous match",
    },
];

impl Action {
    pub fn info(self) -> &'static ActionInfo {
        ACTIONS
            .iter()
            .find(|i| i.action == self)
            .unwrap_or(&ACTIONS[0])
    }

    /// Every action, in the help's order.
    pub fn all() -> impl Iterator<Item = Action> {
        ACTIONS.iter().map(|i| i.action)
    }

    /// Actions that only mean something in the logs pane.
    pub fn logs_only(self) -> bool {
        self.info().scope == Scope::Logs
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn describe(self) -> &'static str {
        self.info().help
    }

    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|i| i.name == name).map(|i| i.action)
    }
}

/// The `[keys]` section of the default config file, from `ACTIONS`.
pub fn default_keys_toml() -> String {
    let mut out = String::from("[keys]\n");
    let mut logs_header = false;
    for info in &ACTIONS {
        if info.scope == Scope::Logs && !logs_header {
            out.push_str("# In the logs pane (elsewhere these keys do nothing; there they win over the keys above).\n");
            logs_header = true;
        }
        let keys: Vec<String> = info.keys.iter().map(|k| format!("\"{k}\"")).collect();
        out.push_str(&format!("{} = [{}]\n", info.name, keys.join(", ")));
    }
    out
}

/// A key with its modifiers, as written in the config: `j`, `ctrl-c`, `shift-tab`, `enter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
}

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let mut modifiers = KeyModifiers::NONE;
        let mut rest = text;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                modifiers |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                modifiers |= KeyModifiers::ALT;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("shift-") {
                modifiers |= KeyModifiers::SHIFT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "enter" => KeyCode::Enter,
            "esc" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers -= KeyModifiers::SHIFT;
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            s if s.chars().count() == 1 => KeyCode::Char(s.chars().next()?),
            _ => return None,
        };
        Some(Key { code, modifiers })
    }

    /// Normalises a terminal key event (shift is part of an upper-case letter).
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut modifiers =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        if matches!(ev.code, KeyCode::Char(_) | KeyCode::BackTab) {
            modifiers -= KeyModifiers::SHIFT;
        }
        Key {
            code: ev.code,
            modifiers,
        }
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            s.push_str("ctrl-");
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            s.push_str("alt-");
        }
        s.push_str(&match self.code {
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::BackTab => "shift-tab".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Char(' ') => "space".into(),
            KeyCode::Char(c) => c.to_string(),
            other => format!("{other:?}"),
        });
        s
    }
}

/// Which keys do what.
#[derive(Debug, Clone)]
pub struct KeyMap {
    pub bindings: BTreeMap<Action, Vec<Key>>,
}

fn keys(names: &[&str]) -> Vec<Key> {
    names.iter().filter_map(|n| Key::parse(n)).collect()
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap {
            bindings: ACTIONS.iter().map(|i| (i.action, keys(i.keys))).collect(),
        }
    }
}

impl KeyMap {
    /// The action of a key outside the logs pane.
    pub fn action_for(&self, key: &Key) -> Option<Action> {
        self.action_in(key, false)
    }

    /// The action of a key; in the logs pane its own actions come first.
    pub fn action_in(&self, key: &Key, logs: bool) -> Option<Action> {
        let mut bound = self
            .bindings
            .iter()
            .filter(|(_, ks)| ks.contains(key))
            .map(|(a, _)| *a);
        if logs {
            bound.min_by_key(|a| !a.logs_only())
        } else {
            bound.find(|a| !a.logs_only())
        }
    }

    /// The first key of an action, for hints.
    pub fn hint(&self, action: Action) -> Option<String> {
        self.bindings.get(&action)?.first().map(Key::label)
    }

    /// Replaces an action's keys; returns the names that did not parse.
    pub fn set(&mut self, action: Action, names: &[String]) -> Vec<String> {
        let (good, bad): (Vec<_>, Vec<_>) = names.iter().partition(|n| Key::parse(n).is_some());
        self.bindings
            .insert(action, good.iter().filter_map(|n| Key::parse(n)).collect());
        bad.into_iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_map() {
        let map = KeyMap::default();
        assert_eq!(
            map.action_for(&Key::parse("j").expect("j")),
            Some(Action::Down)
        );
        assert_eq!(
            map.action_for(&Key::parse("shift-tab").expect("bt")),
            Some(Action::PrevPane)
        );
        assert_eq!(
            map.action_for(&Key::parse("ctrl-c").expect("^c")),
            Some(Action::Quit)
        );
        assert_eq!(
            map.action_for(&Key::parse("R").expect("R")),
            Some(Action::Refresh)
        );
        assert!(Key::parse("nonsense-key").is_none());
        let c = Key::parse("c").expect("c");
        assert_eq!(map.action_for(&c), None, "logs keys do nothing elsewhere");
        assert_eq!(map.action_in(&c, true), Some(Action::LogsContainer));
        let n = Key::parse("n").expect("n");
        assert_eq!(map.action_in(&n, true), Some(Action::NextOutOfSync));
        let shifted = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
        assert_eq!(
            map.action_for(&Key::from_event(&shifted)),
            Some(Action::Refresh)
        );
    }

    #[test]
    fn every_action_is_in_the_table_once_and_its_default_keys_parse() {
        for info in &ACTIONS {
            assert_eq!(
                ACTIONS.iter().filter(|i| i.action == info.action).count(),
                1,
                "{}",
                info.name
            );
            assert_eq!(Action::from_name(info.name), Some(info.action));
            assert_eq!(info.action.info().name, info.name);
            for k in info.keys {
                assert!(Key::parse(k).is_some(), "{}: {k}", info.name);
            }
        }
        let toml = default_keys_toml();
        assert!(toml.contains("quit = [\"q\", \"ctrl-c\"]\n"), "{toml}");
    }

    #[test]
    fn remapping_replaces_keys_and_reports_bad_ones() {
        let mut map = KeyMap::default();
        let bad = map.set(Action::Down, &["x".into(), "hyper-q".into()]);
        assert_eq!(bad, ["hyper-q"]);
        assert_eq!(
            map.action_for(&Key::parse("x").expect("x")),
            Some(Action::Down)
        );
        assert_eq!(map.action_for(&Key::parse("j").expect("j")), None);
        assert_eq!(map.hint(Action::Down).as_deref(), Some("x"));
    }
}
