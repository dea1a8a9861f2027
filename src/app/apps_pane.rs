//! The apps overview's data: one row per app of the repository, kept current by a worker,
//! and the cursor. A leaf of `app/`.

use crate::ops::apps::AppRow;

#[derive(Debug, Clone, Default)]
pub struct AppsPane {
    pub rows: Vec<AppRow>,
    pub selected: usize,
    /// The first rows have not come yet.
    pub loading: bool,
    pub error: Option<String>,
}

impl AppsPane {
    pub fn move_by(&mut self, delta: isize) {
        let max = self.rows.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }

    /// New rows, the cursor kept on the same app.
    pub fn on_rows(&mut self, result: Result<Vec<AppRow>, String>) {
        self.loading = false;
        match result {
            Ok(rows) => {
                let at = self.rows.get(self.selected).map(|r| r.path.clone());
                self.rows = rows;
                if let Some(i) = at.and_then(|p| self.rows.iter().position(|r| r.path == p)) {
                    self.selected = i;
                }
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
                self.error = None;
            }
            Err(e) => self.error = Some(e),
        }
    }
}
