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
    Mark,
    Export,
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

pub use super::actions::{ACTIONS, ActionInfo, Scope, default_keys_toml};

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
