//! What flows through the loop: keys and workers' results in (`Input`, `Msg`), work to
//! start out (`Command`). A leaf: it knows the data, not the state or the panes.

use std::collections::HashMap;

use crossterm::event::KeyEvent;

use super::data::{AppPods, Highlighted};
use super::popup::PopupKind;
use crate::cluster::drift::{DriftReport, Handle};
use crate::git::history::HistoryEntry;
use crate::model::health::report::HealthReport;
use crate::model::object::ObjectKey;
use crate::model::plan::Plan;
use crate::ops::sync::{Event, Outcome, Prepared};

/// Where workers send their results: each message tagged with the app's workers that sent
/// it (0: no app's), so that the loop drops what a stopped app's workers still send (a big
/// app's evaluation runs to its end: its judging threads are not cancelled at an await).
#[derive(Clone)]
pub struct Sender {
    tx: tokio::sync::mpsc::UnboundedSender<(u64, Msg)>,
    epoch: u64,
}

/// The loop has ended: nobody reads what a worker sends.
#[derive(Debug)]
pub struct Closed;

pub type Receiver = tokio::sync::mpsc::UnboundedReceiver<(u64, Msg)>;

impl Sender {
    /// The loop's channel, and a sender for work no app owns.
    pub fn channel() -> (Sender, Receiver) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (Sender { tx, epoch: 0 }, rx)
    }

    /// The same channel, for the workers of the app started as `epoch`.
    pub fn for_app(&self, epoch: u64) -> Sender {
        Sender {
            tx: self.tx.clone(),
            epoch,
        }
    }

    /// Fails once the loop has ended.
    pub fn send(&self, msg: Msg) -> Result<(), Closed> {
        self.tx.send((self.epoch, msg)).map_err(|_| Closed)
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// Results from workers.
#[derive(Debug)]
pub enum Msg {
    Health(Result<HealthReport, String>),
    /// The drift of HEAD (`commit: None`) or of a selected commit (`generation` must match).
    Drift {
        generation: u64,
        commit: Option<String>,
        result: Result<DriftReport, String>,
    },
    History {
        result: Result<Vec<HistoryEntry>, String>,
        done: bool,
    },
    Live(crate::model::drift::LiveState),
    /// HEAD's first evaluation: objects judged so far, of all.
    DriftProgress {
        judged: usize,
        total: usize,
    },
    /// The pods of the app's workloads, by workload.
    Pods(Result<AppPods, String>),
    Highlighted {
        generation: u64,
        highlighted: Highlighted,
    },
    /// A sync or rollback plan (a dry-run), or why there is none.
    Plan {
        generation: u64,
        result: Result<Box<Prepared>, String>,
    },
    /// Progress of the popup's sync: planning, the rollback's HEAD side, each object.
    Sync {
        generation: u64,
        event: Event,
    },
    /// The apply finished: results, refusal, revert commit.
    SyncDone {
        generation: u64,
        outcome: Outcome,
    },
    /// Lines or state from the logs session `generation`.
    Logs {
        generation: u64,
        event: crate::cluster::logs::LogEvent,
    },
    /// Whether a commit's objects are exactly what the cluster holds.
    CommitMatch {
        commit: String,
        matches: bool,
    },
    /// The apps overview's rows.
    Apps(Result<Vec<crate::ops::apps::AppRow>, String>),
    /// The comparison of the marked commit with the Git side picked.
    Compared {
        generation: u64,
        result: Result<Box<crate::model::review::AppReview>, String>,
    },
    /// Where an export was written, or why it was not.
    Exported(Result<String, String>),
    /// What the user may do with the app (RBAC).
    Access(crate::model::access::Access),
    /// The app asked for is open: its name, path and HEAD (short).
    AppOpened(Result<(String, String, String), String>),
}

#[derive(Debug)]
pub enum Input {
    Key(KeyEvent),
    Msg(Msg),
}

/// Work for the loop to start.
#[derive(Debug, Clone)]
pub enum Command {
    LoadHistory,
    DriftAt {
        generation: u64,
        commit: String,
    },
    Refresh,
    Highlight {
        generation: u64,
        text: String,
    },
    Plan {
        generation: u64,
        kind: PopupKind,
    },
    Apply {
        generation: u64,
        plan: Box<Plan>,
        handles: HashMap<ObjectKey, Handle>,
        /// Rollback: the commit whose revert commit to write once applied.
        revert: Option<String>,
        /// What the sync record keeps of it.
        synced: Option<crate::ops::sync::Synced>,
        /// The app's controller, suspended first.
        guard: Option<crate::model::controller::Guard>,
    },
    /// Starts a logs session (stopping any other).
    StartLogs {
        generation: u64,
        request: crate::cluster::logs::LogRequest,
    },
    StopLogs,
    /// Shows text in `$PAGER`, the terminal handed over meanwhile.
    Pager {
        text: String,
    },
    /// Opens the app at this path (from the overview): its workers start.
    OpenApp {
        path: String,
        /// The row's app name and namespace (as discovered or declared).
        name: String,
        namespace: String,
    },
    /// Asks whether these commits' objects are what the cluster holds.
    MatchCommits {
        commits: Vec<String>,
    },
    /// Back to the overview: the app's workers stop.
    CloseApp,
    /// Compares the app at two commits (the marked one, the Git side picked).
    Compare {
        generation: u64,
        base: String,
        head: String,
    },
    /// Writes Markdown to a file in kdrift's data directory.
    Export {
        what: String,
        markdown: String,
    },
}
