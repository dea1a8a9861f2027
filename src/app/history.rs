//! The history pane's data: the app's commits, page by page, the one picked as the diff's
//! Git side, and its drift. A leaf of `app/`.

use crate::cluster::drift::DriftReport;
use crate::git::history::HistoryEntry;

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
}
