//! The TUI's state: owned by the UI task alone; workers send owned data back as `Msg`s.

use std::collections::HashSet;

use crate::cluster::drift::DriftReport;
use crate::config::keymap::KeyMap;
use crate::git::history::HistoryEntry;
use crate::model::health::report::HealthReport;
use crate::model::object::ObjectKey;

pub use super::data::{AppPods, Highlighted, Lens, Pane, SpanStyle};
pub use super::popup::{Popup, PopupKind, Stage};

use super::tree::{NodeId, Row, TreeInputs, build_rows};

#[derive(Debug, Clone)]
pub struct AppState {
    pub context: String,
    pub server: String,
    pub app_name: String,
    pub app_path: String,
    /// Short hash of HEAD (the default Git side).
    pub head: String,
    pub health: Option<HealthReport>,
    pub health_error: Option<String>,
    pub pods: AppPods,
    /// Objects whose pods are shown (objects start folded: a workload may have many).
    pub expanded: HashSet<NodeId>,
    pub drift: Option<DriftReport>,
    pub drift_error: Option<String>,
    /// State of the live watches.
    pub live: crate::model::drift::LiveState,
    /// The Git side picked in the history pane, with its drift when computed.
    pub selected_commit: Option<String>,
    /// The drift of the selected commit, or why it could not be computed (kept apart
    /// from HEAD's, so each Git side shows its own error).
    pub commit_drift: Option<Result<DriftReport, String>>,
    pub commit_gen: u64,
    pub history: Vec<HistoryEntry>,
    pub history_done: bool,
    pub history_loading: bool,
    pub history_error: Option<String>,
    pub focus: Pane,
    pub tree_selected: usize,
    pub history_selected: usize,
    pub diff_scroll: u16,
    pub collapsed: HashSet<NodeId>,
    pub filter: String,
    pub filter_editing: bool,
    pub lens: Lens,
    pub help: bool,
    pub help_scroll: u16,
    pub warnings: Vec<String>,
    pub highlighted: Option<Highlighted>,
    /// The text last sent for highlighting (the newest request wins).
    pub highlight_requested: String,
    pub highlight_gen: u64,
    pub keymap: KeyMap,
    pub popup: Option<Popup>,
    pub popup_gen: u64,
    pub readonly: bool,
    /// The commit the cluster was last rolled back to from here (short), if any.
    pub cluster_at: Option<String>,
    /// The logs pane, when open (it covers the tree, history and diff).
    pub logs: Option<super::logs_view::LogsView>,
    pub logs_gen: u64,
    pub log_buffer_lines: usize,
    pub log_tail_lines: usize,
    /// A one-off message for the status bar (why a key did nothing); cleared by the next key.
    pub notice: Option<String>,
    /// Terminal rows, kept by the loop (the logs pane pages by it).
    pub screen_rows: u16,
    /// A fixed "now" (seconds) for reproducible screens; `None` reads the clock.
    pub now_override: Option<i64>,
    pub quit: bool,
    pub rows: Vec<Row>,
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
            context,
            server,
            app_name,
            app_path,
            head,
            health: None,
            health_error: None,
            pods: AppPods::new(),
            expanded: HashSet::new(),
            drift: None,
            drift_error: None,
            live: Default::default(),
            selected_commit: None,
            commit_drift: None,
            commit_gen: 0,
            history: Vec::new(),
            history_done: false,
            history_loading: false,
            history_error: None,
            focus: Pane::Tree,
            tree_selected: 0,
            history_selected: 0,
            diff_scroll: 0,
            collapsed: HashSet::new(),
            filter: String::new(),
            filter_editing: false,
            lens: Lens::Preview,
            help: false,
            help_scroll: 0,
            warnings: Vec::new(),
            highlighted: None,
            highlight_requested: String::new(),
            highlight_gen: 0,
            keymap,
            popup: None,
            popup_gen: 0,
            readonly: false,
            cluster_at: None,
            logs: None,
            logs_gen: 0,
            log_buffer_lines: 10_000,
            log_tail_lines: 1_000,
            notice: None,
            screen_rows: 24,
            now_override: None,
            quit: false,
            rows: Vec::new(),
        };
        s.rebuild();
        s
    }

    /// Recomputes the visible tree rows, keeping the selection on the same node.
    pub fn rebuild(&mut self) {
        let selected = self.rows.get(self.tree_selected).map(|r| r.id.clone());
        self.rows = build_rows(&TreeInputs {
            context: &self.context,
            app_name: &self.app_name,
            app_path: &self.app_path,
            health: self.health.as_ref(),
            drift: self.drift.as_ref(),
            drift_error: self.drift_error.as_deref(),
            pods: &self.pods,
            filter: &self.filter,
            expanded: &self.expanded,
            collapsed: &self.collapsed,
        });
        if let Some(i) = selected.and_then(|id| self.rows.iter().position(|r| r.id == id)) {
            self.tree_selected = i;
        }
        self.tree_selected = self.tree_selected.min(self.rows.len().saturating_sub(1));
    }

    pub fn now(&self) -> i64 {
        self.now_override
            .unwrap_or_else(|| jiff::Timestamp::now().as_second())
    }

    pub fn selected_row(&self) -> Option<&Row> {
        self.rows.get(self.tree_selected)
    }

    /// The drift report the diff pane reads: the selected commit's when there is one.
    pub fn active_drift(&self) -> Option<&DriftReport> {
        match &self.selected_commit {
            Some(_) => self.commit_drift.as_ref().and_then(|r| r.as_ref().ok()),
            None => self.drift.as_ref(),
        }
    }

    /// Why the diff pane's Git side has no drift report, when it failed.
    pub fn active_drift_error(&self) -> Option<&str> {
        match &self.selected_commit {
            Some(_) => self
                .commit_drift
                .as_ref()
                .and_then(|r| r.as_ref().err())
                .map(String::as_str),
            None => self.drift_error.as_deref(),
        }
    }

    /// Lines the logs pane shows at once (screen less status bar, borders and header).
    pub fn logs_page(&self) -> usize {
        usize::from(self.screen_rows.saturating_sub(5)).max(1)
    }

    pub fn selected_object(&self) -> Option<&ObjectKey> {
        match &self.selected_row()?.id {
            NodeId::Object(key) => Some(key),
            _ => None,
        }
    }
}
