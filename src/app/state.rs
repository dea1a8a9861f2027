//! The TUI's state: owned by the UI task alone; workers send owned data back as `Msg`s.

use crate::cluster::drift::DriftReport;
use crate::config::keymap::KeyMap;
use crate::model::object::ObjectKey;

pub use super::apps_pane::AppsPane;
pub use super::data::{AppPods, Data, Highlighted, Layout, Lens, Pane, Screen, SpanStyle};
pub use super::diff::DiffPane;
pub use super::history::HistoryPane;
pub use super::logs_view::LogsPane;
pub use super::popup::{Popup, PopupKind, PopupPane, Stage};
pub use super::tree_pane::TreePane;

use super::tree::{NodeId, Row, TreeInputs, build_rows};

/// The TUI's state, by pane: each pane's own data in its own module, what the cluster and
/// Git said in `data`, what the screen is doing in `mode`.
#[derive(Debug, Clone)]
pub struct AppState {
    pub data: Data,
    pub tree: TreePane,
    pub history: HistoryPane,
    pub diff: DiffPane,
    pub logs: LogsPane,
    pub popup: PopupPane,
    /// The repository's apps, when it has several and no app was named.
    pub apps: AppsPane,
    pub mode: Mode,
}

/// What the screen is doing: focus, help, the keymap, one-off notices.
#[derive(Debug, Clone)]
pub struct Mode {
    pub focus: Pane,
    pub help: bool,
    pub help_scroll: u16,
    pub keymap: KeyMap,
    /// A one-off message for the status bar (why a key did nothing); cleared by the next key.
    pub notice: Option<String>,
    /// The screen's layout, as last drawn (panes read their sizes from it).
    pub layout: Layout,
    pub screen: Screen,
    /// The apps overview is there to go back to (`esc` on an app).
    pub multi_app: bool,
    pub quit: bool,
}

impl AppState {
    pub fn new(
        context: String,
        server: String,
        app_name: String,
        app_path: String,
        head: String,
        keymap: KeyMap,
    ) -> Self {
        let mut s = AppState {
            data: Data::new(context, server, app_name, app_path, head),
            tree: TreePane::default(),
            history: HistoryPane::default(),
            diff: DiffPane::default(),
            logs: LogsPane::default(),
            popup: PopupPane::default(),
            apps: AppsPane::default(),
            mode: Mode {
                focus: Pane::Tree,
                help: false,
                help_scroll: 0,
                keymap,
                notice: None,
                layout: Layout::default(),
                screen: Screen::App,
                multi_app: false,
                quit: false,
            },
        };
        s.rebuild();
        s
    }

    /// Switches to the app at `path`: its own data, tree, history, diff; the cluster's
    /// health, the keymap and the overview stay.
    pub fn open_app(&mut self, app_name: String, app_path: String, head: String) {
        let data = Data {
            health: self.data.health.take(),
            health_error: self.data.health_error.take(),
            health_read: self.data.health_read.take(),
            unreachable_since: self.data.unreachable_since,
            live: self.data.live.clone(),
            readonly: self.data.readonly,
            warnings: std::mem::take(&mut self.data.warnings),
            now_override: self.data.now_override,
            ..Data::new(
                self.data.context.clone(),
                self.data.server.clone(),
                app_name,
                app_path,
                head,
            )
        };
        self.data = data;
        self.tree = TreePane::default();
        self.history = HistoryPane::default();
        self.diff = DiffPane::default();
        self.logs = LogsPane {
            view: None,
            ..self.logs.clone()
        };
        self.popup = PopupPane::default();
        self.mode.focus = Pane::Tree;
        self.mode.screen = Screen::App;
        self.rebuild();
    }

    /// Recomputes the cluster's rows alone (the health poll's), keeping the app's: a big
    /// app's thousands of rows are not rebuilt for a heartbeat's age.
    pub fn rebuild_cluster(&mut self) {
        let Some(app_at) = self.tree.rows.iter().position(|r| r.id == NodeId::App) else {
            return self.rebuild();
        };
        let selected = self.tree.rows.get(self.tree.selected).map(|r| r.id.clone());
        let (head, _) = crate::app::tree::cluster_rows(&self.tree_inputs());
        self.tree.rows.splice(0..app_at, head);
        if let Some(i) = selected.and_then(|id| self.tree.rows.iter().position(|r| r.id == id)) {
            self.tree.selected = i;
        }
        self.tree.selected = self
            .tree
            .selected
            .min(self.tree.rows.len().saturating_sub(1));
    }

    fn tree_inputs(&self) -> TreeInputs<'_> {
        TreeInputs {
            context: &self.data.context,
            app_name: &self.data.app_name,
            app_path: &self.data.app_path,
            health: self.data.health.as_ref(),
            // The Git side picked in the history pane drives the whole tree.
            drift: self.active_drift(),
            drift_error: self.active_drift_error(),
            progress: self
                .history
                .selected_commit
                .is_none()
                .then_some(self.data.drift_progress)
                .flatten(),
            pods: &self.data.pods,
            filter: &self.tree.filter,
            expanded: &self.tree.expanded,
            collapsed: &self.tree.collapsed,
            show_app: self.mode.screen == Screen::App,
        }
    }

    /// Recomputes the visible tree rows, keeping the selection on the same node.
    pub fn rebuild(&mut self) {
        // A row that vanished for a while (its Git side still loading) gets the selection
        // back when it returns.
        let selected = self
            .tree
            .awaited
            .take()
            .or_else(|| self.tree.rows.get(self.tree.selected).map(|r| r.id.clone()));
        self.tree.rows = build_rows(&self.tree_inputs());
        match selected.map(|id| (self.tree.rows.iter().position(|r| r.id == id), id)) {
            Some((Some(i), _)) => self.tree.selected = i,
            Some((None, id)) if self.active_drift().is_none() => self.tree.awaited = Some(id),
            _ => {}
        }
        self.tree.selected = self
            .tree
            .selected
            .min(self.tree.rows.len().saturating_sub(1));
    }

    pub fn now(&self) -> i64 {
        self.data
            .now_override
            .unwrap_or_else(|| jiff::Timestamp::now().as_second())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.tree.rows.get(self.tree.selected)
    }

    /// The drift report the diff pane reads: the selected commit's when there is one.
    pub fn active_drift(&self) -> Option<&DriftReport> {
        match &self.history.selected_commit {
            Some(_) => self
                .history
                .commit_drift
                .as_ref()
                .and_then(|r| r.as_ref().ok()),
            None => self.data.drift.as_ref(),
        }
    }

    /// Why the diff pane's Git side has no drift report, when it failed.
    pub fn active_drift_error(&self) -> Option<&str> {
        match &self.history.selected_commit {
            Some(_) => self
                .history
                .commit_drift
                .as_ref()
                .and_then(|r| r.as_ref().err())
                .map(String::as_str),
            None => self.data.drift_error.as_deref(),
        }
    }

    /// Lines the logs pane shows at once, as the last layout drew it.
    pub fn logs_page(&self) -> usize {
        self.mode.layout.logs_lines.max(1)
    }

    /// Why RBAC certainly refuses `action`, for keys shown as not allowed.
    pub fn not_allowed(&self, action: crate::config::keymap::Action) -> Option<&str> {
        use crate::config::keymap::Action;
        match action {
            Action::SyncApp | Action::SyncSelected | Action::Rollback => {
                self.data.access.apply.forbidden()
            }
            Action::Logs => self.data.access.logs.forbidden(),
            _ => None,
        }
    }

    /// Whether commit `id`'s objects are exactly what the cluster holds, when known.
    pub fn commit_matches(&self, id: &str) -> Option<bool> {
        if self.history.as_head.contains(id) {
            let head = self.data.drift.as_ref().filter(|d| d.pending == 0)?;
            return Some(head.in_sync() && head.load_errors.is_empty());
        }
        self.history.matches.get(id).copied()
    }

    pub fn selected_object(&self) -> Option<&ObjectKey> {
        match &self.selected_row()?.id {
            NodeId::Object(key) => Some(key),
            _ => None,
        }
    }
}
