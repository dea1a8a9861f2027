//! The resource tree pane's state and keys: rows, selection, folding and the filter.

use super::tree::{NodeId, Row};

/// The resource tree pane: its rows, selection, folding and filter.
#[derive(Debug, Clone, Default)]
pub struct TreePane {
    pub rows: Vec<Row>,
    pub selected: usize,
    /// Rows unfolded by the user, of those folded by default (a workload's pods).
    pub expanded: std::collections::HashSet<NodeId>,
    /// Rows folded by the user, of the others.
    pub collapsed: std::collections::HashSet<NodeId>,
    pub filter: String,
    pub filter_editing: bool,
    /// The selected row while it is away (the Git side's drift is still coming).
    pub awaited: Option<NodeId>,
    /// The first row in view, as last drawn: only the rows in view are drawn.
    pub offset: std::cell::Cell<usize>,
}

impl TreePane {
    /// The rows in view for a pane `height` rows high, scrolled as little as keeps the
    /// selection in view; the offset is kept for the next frame.
    pub fn window(&self, height: usize) -> std::ops::Range<usize> {
        let height = height.max(1);
        let last = self.rows.len().saturating_sub(1);
        let selected = self.selected.min(last);
        // Never scrolled past the last screenful (rows folded away, a taller terminal).
        let mut offset = self
            .offset
            .get()
            .min(self.rows.len().saturating_sub(height));
        if selected < offset {
            offset = selected;
        } else if selected >= offset + height {
            offset = selected + 1 - height;
        }
        self.offset.set(offset);
        offset..(offset + height).min(self.rows.len())
    }
}

impl TreePane {
    pub fn move_by(&mut self, delta: isize) {
        // The user moved on: a row still away no longer wants the selection back.
        self.awaited = None;
        let max = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }

    /// A key while the filter is edited: `enter` keeps it, `esc` clears it.
    pub fn on_filter_key(&mut self, code: crossterm::event::KeyCode) {
        use crossterm::event::KeyCode;
        match code {
            KeyCode::Enter => self.filter_editing = false,
            KeyCode::Esc => {
                self.filter.clear();
                self.filter_editing = false;
            }
            KeyCode::Backspace => {
                self.filter.pop();
            }
            KeyCode::Char(c) => self.filter.push(c),
            _ => {}
        }
    }

    /// Folds or unfolds the selected row (`collapse: None` toggles); whether it changed.
    pub fn fold(&mut self, collapse: Option<bool>) -> bool {
        let Some(row) = self.rows.get(self.selected).cloned() else {
            return false;
        };
        let Some(expanded) = row.expanded else {
            return false;
        };
        let collapse = collapse.unwrap_or(expanded);
        match (row.id.folded_by_default(), collapse) {
            (true, true) => self.expanded.remove(&row.id),
            (true, false) => self.expanded.insert(row.id),
            (false, true) => self.collapsed.insert(row.id),
            (false, false) => self.collapsed.remove(&row.id),
        };
        true
    }

    /// Unfolds the app's levels (cluster, app, namespaces, kinds) the user folded.
    pub fn unfold_app(&mut self) -> bool {
        let app_level = |id: &NodeId| {
            matches!(
                id,
                NodeId::App | NodeId::Namespace(_) | NodeId::Kind(..) | NodeId::Cluster
            )
        };
        let before = self.collapsed.len();
        self.collapsed.retain(|id| !app_level(id));
        self.collapsed.len() != before
    }
}
