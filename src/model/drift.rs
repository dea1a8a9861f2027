//! The drift engine: for each object of the app, is the cluster what Git says, and if not,
//! what differs and who changed it. Two lenses (see DESIGN.md): the apply preview (live
//! versus a server-side dry-run apply of the Git object) and live drift (fields set
//! outside Git, attributed to their field manager).

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::diff::{Diff, unified};
use super::fields::DriftField;
use super::health::Health;
use super::ignore::{IgnoreRule, Ignored};
use super::migrate::Migration;
use super::normalize::normalize;
use super::object::{ObjectKey, SourceRef};
use super::plan::Conflict;
use super::secret::mask_pair;
use super::yaml::to_yaml;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum SyncStatus {
    Synced,
    OutOfSync,
    /// In Git, not in the cluster.
    Missing,
    /// In the cluster with this app's tracking mark, not in Git: a prune candidate.
    Extra,
    /// Not known (yet), or an error: the reason says which.
    Unknown,
}

impl SyncStatus {
    pub fn label(self) -> &'static str {
        match self {
            SyncStatus::Synced => "Synced",
            SyncStatus::OutOfSync => "OutOfSync",
            SyncStatus::Missing => "Missing",
            SyncStatus::Extra => "Extra",
            SyncStatus::Unknown => "Unknown",
        }
    }
}

impl std::fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// The outcome of a server-side dry-run apply of the Git object.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The object as it would be after the apply, or why the dry-run failed.
    pub result: Result<Value, String>,
    /// Fields another manager owns with a different value.
    pub conflicts: Vec<Conflict>,
    /// The dry-run failed only because the object's namespace does not exist yet.
    pub namespace_missing: bool,
}

/// The Git side of a judgement: where it is written, and its body as judged (parsed once
/// for the judgement, with kdrift's marks and the ignore rules applied).
#[derive(Debug, Clone, Copy)]
pub struct Desired<'a> {
    pub source: &'a SourceRef,
    pub content: &'a Value,
}

/// Everything the engine needs to judge one object.
pub struct Inputs<'a> {
    pub key: &'a ObjectKey,
    pub desired: Option<Desired<'a>>,
    pub live: Option<&'a Value>,
    pub preview: Option<&'a Preview>,
    /// The Git object as the server would store it (dry-run create), for the drift lens.
    pub reference: Option<&'a Value>,
    pub field_manager: &'a str,
    pub deadline: Duration,
    /// The ignore rules that apply to this object.
    pub rules: &'a [IgnoreRule],
    /// Fields the rules already kept out of the dry-run body (see [`super::ignore::respect`]).
    pub silenced: &'a [Ignored],
    /// Known Synced without a dry-run (a kept verdict, or the local one): the preview is
    /// the live object and there is no reference to judge live drift by, so none is.
    pub known: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ObjectReport {
    pub key: ObjectKey,
    pub source: Option<SourceRef>,
    pub status: SyncStatus,
    pub reason: String,
    /// Apply preview: live versus after a sync (server dry-run); secrets masked.
    pub preview: Option<Diff>,
    /// Live drift: fields set outside Git, with their managers; secrets masked.
    pub drift: Vec<DriftField>,
    pub conflicts: Vec<Conflict>,
    /// Workload health of the live object, when there is one.
    pub health: Option<Health>,
    /// Why the server rejected the dry-run apply (other than a missing namespace): a
    /// missing object is left alone by a sync; a live one stays diffable by its live drift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dry_run_error: Option<String>,
    /// Differences ignore rules silenced, each with its rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<Ignored>,
    /// Where Git's text and the cluster read differently but mean the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// A sync first moves client-side-apply ownership to kdrift (see `model::migrate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<Box<Migration>>,
    /// A list the live object holds in a shape Git's apply cannot merge into (a port changed
    /// by hand): a sync replaces it with Git's, after the same dry-run and confirmation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<Box<Repair>>,
    /// Extra by another controller's marks alone (Argo CD, Flux): shown, never pruned by
    /// kdrift, which deletes only what it marked itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marked_by: Option<String>,
    /// Unknown because its kind is not served (yet): a CRD of the same sync may define it.
    #[serde(skip)]
    pub not_served: bool,
    /// Its verdict is still coming (the TUI's first outline of a big app).
    #[serde(skip)]
    pub judging: bool,
}

/// A list the merge with live makes invalid (a port changed by hand leaves an item keyed by
/// the new port beside Git's): a sync removes the items set outside Git and adds Git's
/// missing ones, each removal guarded by a test of the item, then applies Git's version.
/// Everything else in the list (other items, allocated values) stays.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    /// The list, as a JSON pointer (`/spec/ports`).
    pub pointer: String,
    /// The items live holds that Git does not, with their managers.
    pub foreign: Vec<String>,
    /// Git's items live lacks.
    pub added: Vec<String>,
    /// The JSON patch.
    #[serde(skip)]
    pub ops: serde_json::Value,
}

impl std::fmt::Display for Repair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "removes {}", self.foreign.join(", "))?;
        if !self.added.is_empty() {
            write!(f, " and adds Git's {}", self.added.join(", "))?;
        }
        write!(
            f,
            " in {} (a JSON patch, dry-run first), then applies Git's version",
            self.pointer
        )
    }
}

/// Which lens decides and shows drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens {
    Preview = 1,
    Drift = 2,
    Both = 3,
}

impl ObjectReport {
    /// The report as seen through one lens: the other lens's findings are dropped and the
    /// status of an object in both Git and the cluster follows what remains.
    pub fn through(mut self, lens: Lens) -> Self {
        if lens == Lens::Both || !matches!(self.status, SyncStatus::Synced | SyncStatus::OutOfSync)
        {
            return self;
        }
        // A dry-run the server rejects is a difference the preview lens sees: a sync of
        // Git's version fails.
        let preview_differs = self.preview.as_ref().is_some_and(|p| !p.is_empty())
            || !self.conflicts.is_empty()
            || self.dry_run_error.is_some();
        let differs = match lens {
            Lens::Preview => {
                self.drift.clear();
                self.ignored.retain(|i| i.lens != "drift");
                preview_differs
            }
            _ => {
                self.preview = None;
                self.conflicts.clear();
                self.ignored.retain(|i| i.lens == "drift");
                !self.drift.is_empty()
            }
        };
        self.status = if differs {
            SyncStatus::OutOfSync
        } else {
            SyncStatus::Synced
        };
        if !differs {
            self.reason = "live matches Git through this lens".into();
        }
        self
    }

    pub fn unknown(key: ObjectKey, source: Option<SourceRef>, reason: impl Into<String>) -> Self {
        ObjectReport {
            key,
            source,
            status: SyncStatus::Unknown,
            reason: reason.into(),
            preview: None,
            drift: Vec::new(),
            conflicts: Vec::new(),
            dry_run_error: None,
            health: None,
            ignored: Vec::new(),
            notes: Vec::new(),
            migration: None,
            repair: None,
            marked_by: None,
            not_served: false,
            judging: false,
        }
    }

    /// An object whose verdict is still coming.
    pub fn judging(key: ObjectKey, source: Option<SourceRef>) -> Self {
        ObjectReport {
            judging: true,
            ..ObjectReport::unknown(key, source, "judging…")
        }
    }
}

const LIVE: &str = "live";
const AFTER: &str = "after sync (server dry-run)";

fn yaml_of(v: Option<&Value>) -> String {
    v.map(|v| to_yaml(&normalize(v))).unwrap_or_default()
}

/// Judges one object: sync status through both lenses, and the live object's health.
pub fn assess(input: &Inputs<'_>) -> ObjectReport {
    let mut report = judge_sync(input);
    report.health = input
        .live
        .map(|live| super::health::workload::judge(&input.key.kind, live).health);
    report
}

fn judge_sync(input: &Inputs<'_>) -> ObjectReport {
    let key = input.key.clone();
    let source = input.desired.map(|d| d.source.clone());
    let rejected = match input.preview.map(|p| &p.result) {
        Some(Err(e)) => Some(e.clone()),
        _ => None,
    };
    match (input.desired, input.live) {
        (None, None) => ObjectReport::unknown(key, source, "neither in Git nor in the cluster"),
        (Some(_), None) if rejected.is_some() => {
            let e = rejected.unwrap_or_default();
            // Its namespace is usually missing too, and created by the same sync.
            let namespace_missing = input.preview.is_some_and(|p| p.namespace_missing);
            let why = if namespace_missing {
                "its namespace does not exist yet".to_string()
            } else {
                format!("and a dry-run apply fails: {e}")
            };
            ObjectReport {
                status: SyncStatus::Missing,
                reason: format!("in Git, not in the cluster ({why})"),
                dry_run_error: (!namespace_missing).then_some(e),
                ..ObjectReport::unknown(key, source, "")
            }
        }
        (Some(desired), None) => {
            let mut after = match input.preview.map(|p| &p.result) {
                Some(Ok(v)) => v.clone(),
                _ => desired.content.clone(),
            };
            mask_pair(None, Some(&mut after));
            ObjectReport {
                status: SyncStatus::Missing,
                reason: "in Git, not in the cluster".into(),
                preview: Some(unified(
                    LIVE,
                    "",
                    AFTER,
                    &yaml_of(Some(&after)),
                    input.deadline,
                )),
                conflicts: input
                    .preview
                    .map(|p| p.conflicts.clone())
                    .unwrap_or_default(),
                ..ObjectReport::unknown(key, source, "")
            }
        }
        (None, Some(live)) => {
            let mut live = live.clone();
            mask_pair(Some(&mut live), None);
            let preview = unified(
                LIVE,
                &yaml_of(Some(&live)),
                "after prune",
                "",
                input.deadline,
            );
            if super::ignore::ignores_extraneous(&live) {
                return ObjectReport {
                    status: SyncStatus::Synced,
                    reason: format!(
                        "tracked for this app, not in Git; not counted ({}: IgnoreExtraneous)",
                        super::ignore::COMPARE_OPTIONS
                    ),
                    preview: Some(preview),
                    ..ObjectReport::unknown(key, source, "")
                };
            }
            ObjectReport {
                status: SyncStatus::Extra,
                reason: "tracked for this app, not in Git: a prune candidate".into(),
                preview: Some(preview),
                ..ObjectReport::unknown(key, source, "")
            }
        }
        (Some(desired), Some(live)) => present::judge(input, desired, live, rejected),
    }
}

mod present;

#[cfg(test)]
mod tests;

/// Whether the live side is current: watches synced and flowing, or why not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum LiveState {
    #[default]
    Starting,
    Live,
    Stale(String),
    /// Some watches fail (a kind the user may not watch, say), the others are live.
    Partial {
        failed: Vec<String>,
        total: usize,
    },
}

impl LiveState {
    pub fn is_live(&self) -> bool {
        *self == LiveState::Live
    }
}

impl std::fmt::Display for LiveState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LiveState::Starting => f.write_str("starting"),
            LiveState::Live => f.write_str("live"),
            LiveState::Stale(why) => write!(f, "stale: {why}"),
            LiveState::Partial { failed, total } => {
                write!(f, "live, except {}; {total} watches", failed.join("; "))
            }
        }
    }
}
