//! The drift engine: for each object of the app, is the cluster what Git says, and if not,
//! what differs and who changed it. Two lenses (see DESIGN.md): the apply preview (live
//! versus a server-side dry-run apply of the Git object) and live drift (fields set
//! outside Git, attributed to their field manager).

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::diff::{Diff, unified};
use super::fields::{DriftField, live_drift};
use super::health::Health;
use super::normalize::normalize;
use super::object::{Manifest, ObjectKey, SourceRef};
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

/// Everything the engine needs to judge one object.
pub struct Inputs<'a> {
    pub key: &'a ObjectKey,
    pub desired: Option<&'a Manifest>,
    pub live: Option<&'a Value>,
    pub preview: Option<&'a Preview>,
    /// The Git object as the server would store it (dry-run create), for the drift lens.
    pub reference: Option<&'a Value>,
    pub field_manager: &'a str,
    pub deadline: Duration,
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
    /// Why a dry-run apply of a missing object failed, other than its namespace missing:
    /// a sync would fail too, so it leaves the object alone.
    #[serde(skip)]
    pub dry_run_error: Option<String>,
}

/// Which lens decides and shows drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens {
    Preview,
    Drift,
    Both,
}

impl ObjectReport {
    /// The report as seen through one lens: the other lens's findings are dropped and the
    /// status of an object in both Git and the cluster follows what remains.
    pub fn through(mut self, lens: Lens) -> Self {
        if lens == Lens::Both || !matches!(self.status, SyncStatus::Synced | SyncStatus::OutOfSync)
        {
            return self;
        }
        let preview_differs =
            self.preview.as_ref().is_some_and(|p| !p.is_empty()) || !self.conflicts.is_empty();
        let differs = match lens {
            Lens::Preview => {
                self.drift.clear();
                preview_differs
            }
            _ => {
                self.preview = None;
                self.conflicts.clear();
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

// Over 80 lines: one match over (desired, live, dry-run) with a case per status; split,
// the cases would lose the view of each other that keeps them exhaustive.
fn judge_sync(input: &Inputs<'_>) -> ObjectReport {
    let key = input.key.clone();
    let source = input.desired.map(|d| d.source.clone());
    let after = match input.preview.map(|p| &p.result) {
        Some(Ok(v)) => Some(v.clone()),
        Some(Err(e)) if input.live.is_some() => {
            return ObjectReport::unknown(key, source, format!("dry-run apply failed: {e}"));
        }
        Some(Err(e)) => {
            // Its namespace is usually missing too, and created by the same sync.
            let namespace_missing = input.preview.is_some_and(|p| p.namespace_missing);
            let why = if namespace_missing {
                "its namespace does not exist yet".to_string()
            } else {
                format!("and a dry-run apply fails: {e}")
            };
            return ObjectReport {
                status: SyncStatus::Missing,
                reason: format!("in Git, not in the cluster ({why})"),
                dry_run_error: (!namespace_missing).then(|| e.clone()),
                ..ObjectReport::unknown(key, source, "")
            };
        }
        None => input.desired.map(|d| d.content.clone()),
    };
    let conflicts = input
        .preview
        .map(|p| p.conflicts.clone())
        .unwrap_or_default();
    match (input.desired, input.live) {
        (None, None) => ObjectReport::unknown(key, source, "neither in Git nor in the cluster"),
        (Some(_), None) => {
            let mut after = after;
            mask_pair(None, after.as_mut());
            ObjectReport {
                status: SyncStatus::Missing,
                reason: "in Git, not in the cluster".into(),
                preview: Some(unified(
                    LIVE,
                    "",
                    AFTER,
                    &yaml_of(after.as_ref()),
                    input.deadline,
                )),
                key,
                source,
                drift: Vec::new(),
                conflicts,
                dry_run_error: None,
                health: None,
            }
        }
        (None, Some(live)) => {
            let mut live = live.clone();
            mask_pair(Some(&mut live), None);
            ObjectReport {
                status: SyncStatus::Extra,
                reason: "tracked for this app, not in Git: a prune candidate".into(),
                preview: Some(unified(
                    LIVE,
                    &yaml_of(Some(&live)),
                    "after prune",
                    "",
                    input.deadline,
                )),
                key,
                source,
                drift: Vec::new(),
                conflicts: Vec::new(),
                dry_run_error: None,
                health: None,
            }
        }
        (Some(desired), Some(live)) => {
            let mut live_masked = live.clone();
            let mut after = after.unwrap_or_else(|| desired.content.clone());
            mask_pair(Some(&mut live_masked), Some(&mut after));
            let preview = unified(
                LIVE,
                &yaml_of(Some(&live_masked)),
                AFTER,
                &yaml_of(Some(&after)),
                input.deadline,
            );
            let mut live_for_drift = live.clone();
            let mut reference = input.reference.unwrap_or(&desired.content).clone();
            mask_pair(Some(&mut reference), Some(&mut live_for_drift));
            let drift = live_drift(&live_for_drift, &reference, input.field_manager);
            let mut reasons = Vec::new();
            if !preview.is_empty() {
                reasons.push(format!(
                    "a sync would change it (+{} -{} lines)",
                    preview.added, preview.removed
                ));
            }
            if !drift.is_empty() {
                let mut managers: Vec<&str> = drift.iter().map(|d| d.manager.as_str()).collect();
                managers.sort();
                managers.dedup();
                reasons.push(format!(
                    "{} field(s) set outside Git by {}",
                    drift.len(),
                    managers.join(", ")
                ));
            }
            if !conflicts.is_empty() {
                let list: Vec<String> = conflicts.iter().map(|c| c.to_string()).collect();
                reasons.push(format!("conflicts: {}", list.join("; ")));
            }
            let status = if reasons.is_empty() {
                SyncStatus::Synced
            } else {
                SyncStatus::OutOfSync
            };
            ObjectReport {
                key,
                source,
                status,
                reason: if reasons.is_empty() {
                    "live matches Git".into()
                } else {
                    reasons.join("; ")
                },
                preview: Some(preview),
                drift,
                conflicts,
                dry_run_error: None,
                health: None,
            }
        }
    }
}

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
