//! Every action of the TUI as data, once: name, scope, default keys and help. The keymap,
//! the help, the key hints and the default config file's `[keys]` come from this table.

use super::keymap::Action;

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
pub const ACTIONS: [ActionInfo; 32] = [
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
        action: Action::Mark,
        name: "mark",
        scope: Scope::Panes,
        keys: &["m"],
        help: "mark the commit under the cursor; enter on another compares the two (again: unmark)",
    },
    ActionInfo {
        action: Action::Export,
        name: "export",
        scope: Scope::Panes,
        keys: &["e"],
        help: "export the diff pane (the comparison of the marked commit, the plan in a popup) as Markdown to a file",
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
