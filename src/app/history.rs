//! The history pane's data: the app's commits, page by page, the one picked as the diff's
//! Git side, and its drift. A leaf of `app/`.

use super::msg::Command;
use crate::cluster::drift::DriftReport;
use crate::git::history::HistoryEntry;

/// How many rows before the end trigger the next page.
const PREFETCH: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct HistoryPane {
    pub entries: Vec<HistoryEntry>,
    pub selected: usize,
    /// Every page has come.
    pub done: bool,
    pub loading: bool,
    pub error: Option<String>,
    /// The Git side picked in the history pane (a full hash), with its drift when computed.
    pub selected_commit: Option<String>,
    /// The drift of the selected commit, or why it could not be computed (kept apart
    /// from HEAD's, so each Git side shows its own error).
    pub commit_drift: Option<Result<DriftReport, String>>,
    /// Generation of the picked commit's drift request (older results are dropped).
    pub commit_gen: u64,
    /// Whether a listed commit's objects are exactly what the cluster holds (the first
    /// ones only: each costs a drift computation).
    pub matches: std::collections::BTreeMap<String, bool>,
    /// Commits whose objects are HEAD's (no newer listed commit changed one): they match
    /// the cluster exactly when HEAD does, with no drift computed for them.
    pub as_head: std::collections::BTreeSet<String>,
    /// The first page was asked (with the app's first report).
    pub first_asked: bool,
    /// The commit marked to compare with (a full hash).
    pub marked: Option<String>,
    /// The marked commit compared with the Git side (the picked commit, else HEAD).
    pub review: Option<Result<Box<crate::model::review::AppReview>, String>>,
    pub review_gen: u64,
}

/// How many commits, from the newest, get a "matches the cluster" badge.
const MATCHED: usize = 20;

impl HistoryPane {
    /// Asks for the next page when none is loading and more may come.
    fn load_more(&mut self) -> Vec<Command> {
        if self.done || self.loading {
            return Vec::new();
        }
        self.loading = true;
        vec![Command::LoadHistory]
    }

    /// The first page, once the app's objects are on screen, without waiting for the
    /// pane's focus.
    pub fn first_page(&mut self) -> Vec<Command> {
        if self.first_asked || self.done {
            return Vec::new();
        }
        self.first_asked = true;
        self.loading = true;
        vec![Command::LoadHistory]
    }

    /// The pane got focus: its first page, if it has none yet.
    pub fn on_focus(&mut self) -> Vec<Command> {
        if self.entries.is_empty() {
            self.load_more()
        } else {
            Vec::new()
        }
    }

    /// Moves the cursor; near the end, the next page is asked for.
    pub fn move_by(&mut self, delta: isize) -> Vec<Command> {
        let max = self.entries.len().saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
        if self.selected + PREFETCH >= self.entries.len() {
            self.load_more()
        } else {
            Vec::new()
        }
    }

    /// A page of commits; the first ones are asked whether they match the cluster.
    pub fn on_page(
        &mut self,
        result: Result<Vec<HistoryEntry>, String>,
        done: bool,
    ) -> Vec<Command> {
        self.loading = false;
        let before = self.entries.len();
        match result {
            Ok(page) => self.entries.extend(page),
            Err(e) => self.error = Some(e),
        }
        self.done = done;
        // Newest first: while no commit changed an object, the older one holds HEAD's.
        for e in &self.entries {
            self.as_head.insert(e.commit.id.clone());
            let unchanged = e.error.is_none() && e.changes.as_ref().is_some_and(|c| c.is_empty());
            if !unchanged {
                break;
            }
        }
        let commits: Vec<String> = self
            .entries
            .iter()
            .skip(before)
            .take(MATCHED.saturating_sub(before))
            .filter(|e| !self.as_head.contains(&e.commit.id))
            .map(|e| e.commit.id.clone())
            .collect();
        if commits.is_empty() {
            Vec::new()
        } else {
            vec![Command::MatchCommits { commits }]
        }
    }

    /// Picks the commit under the cursor as the Git side; picking it again goes back to
    /// HEAD.
    pub fn toggle_pick(&mut self) -> Vec<Command> {
        let Some(entry) = self.entries.get(self.selected) else {
            return Vec::new();
        };
        self.commit_gen += 1;
        self.commit_drift = None;
        if self.selected_commit.as_deref() == Some(entry.commit.id.as_str()) {
            self.selected_commit = None;
            return self.compare();
        }
        self.selected_commit = Some(entry.commit.id.clone());
        let mut commands = vec![Command::DriftAt {
            generation: self.commit_gen,
            commit: entry.commit.id.clone(),
        }];
        commands.extend(self.compare());
        commands
    }

    /// Marks the commit under the cursor (again: unmarks it) and compares it with the Git
    /// side.
    pub fn toggle_mark(&mut self) -> Vec<Command> {
        let Some(entry) = self.entries.get(self.selected) else {
            return Vec::new();
        };
        if self.marked.as_deref() == Some(entry.commit.id.as_str()) {
            self.marked = None;
            self.review = None;
            self.review_gen += 1;
            return Vec::new();
        }
        self.marked = Some(entry.commit.id.clone());
        self.compare()
    }

    /// The comparison of the marked commit with the Git side, asked for again.
    fn compare(&mut self) -> Vec<Command> {
        self.review_gen += 1;
        self.review = None;
        let Some(marked) = self.marked.clone() else {
            return Vec::new();
        };
        let head = self
            .selected_commit
            .clone()
            .unwrap_or_else(|| "HEAD".to_string());
        if head == marked {
            return Vec::new();
        }
        vec![Command::Compare {
            generation: self.review_gen,
            base: marked,
            head,
        }]
    }

    pub fn on_compared(
        &mut self,
        generation: u64,
        result: Result<Box<crate::model::review::AppReview>, String>,
    ) {
        if generation == self.review_gen {
            self.review = Some(result);
        }
    }

    /// The picked commit's drift, unless a newer pick superseded it.
    pub fn on_drift(&mut self, generation: u64, commit: &str, result: Result<DriftReport, String>) {
        if generation == self.commit_gen && self.selected_commit.as_deref() == Some(commit) {
            self.commit_drift = Some(result);
        }
    }
}
