//! Sync plans and the safety rules around them: what a sync (or rollback) would do to each
//! object, which conflicts it may resolve, what prune may delete, and the one gateway that
//! read-only mode closes.

use std::fmt;

use serde::Serialize;

use super::diff::Diff;
use super::drift::{ObjectReport, Repair, SyncStatus};
use super::fields::CONTROLLER_MANAGERS;
use super::migrate::Migration;
use super::object::ObjectKey;

/// A field another manager owns, as the API server reports a conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub field: String,
    pub manager: String,
    /// How that manager wrote it: `Update` (an imperative edit) or `Apply`.
    pub operation: Option<String>,
}

impl Conflict {
    /// An imperative edit (kubectl scale/edit/patch/label…) of a field Git declares is drift:
    /// Git is the source of truth and a sync restores it. A field another declarative owner
    /// (an applier, a controller) manages is a real conflict, left alone unless forced.
    pub fn is_drift(&self) -> bool {
        self.operation.as_deref() == Some("Update")
            && !CONTROLLER_MANAGERS.contains(&self.manager.as_str())
    }
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (owned by {}", self.field, self.manager)?;
        if let Some(op) = &self.operation {
            write!(f, " via {op}")?;
        }
        f.write_str(")")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    Create,
    Update,
    Unchanged,
    Prune,
    /// Left alone: conflicts with another owner (not named in --force-conflicts).
    Conflict,
    /// Left alone: the dry-run failed, or its state is unknown.
    Error,
    /// A prune candidate, but prune was not asked for or is not allowed.
    Keep,
    /// A hook run around the apply (`--hooks`).
    Hook,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Prune => "prune",
            Action::Conflict => "conflict",
            Action::Error => "error",
            Action::Keep => "keep",
            Action::Hook => "hook",
        }
    }

    pub fn writes(self) -> bool {
        matches!(self, Action::Create | Action::Update | Action::Prune)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub key: ObjectKey,
    pub action: Action,
    /// Apply with force: conflicts that are drift, or named in --force-conflicts.
    pub force: bool,
    pub note: String,
    pub preview: Option<Diff>,
    pub conflicts: Vec<Conflict>,
    /// Nothing to apply, but fields set outside Git remain live (a sync never removes
    /// fields it does not own): the object is not in sync.
    pub drift_remains: bool,
    /// Client-side-apply ownership moved to kdrift before the apply.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<Migration>,
    /// A list replaced with Git's before the apply (the merge with live is invalid).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
    /// Created only once its CustomResourceDefinition (in the same sync) is Established:
    /// dry-run and applied then.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_crd: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    /// Why prune did not happen at all, when it was asked for and refused.
    pub prune_refused: Option<String>,
}

/// Names an object as `KIND/NAMESPACE/NAME` (or `KIND/NAME` when cluster-scoped); the kind
/// may carry its group (`Deployment.apps`).
pub fn matches_selector(key: &ObjectKey, selector: &str) -> bool {
    let parts: Vec<&str> = selector.split('/').collect();
    let (kind, ns, name) = match parts.as_slice() {
        [kind, name] => (*kind, None, *name),
        [kind, ns, name] => (*kind, Some(*ns).filter(|n| !n.is_empty()), *name),
        _ => return false,
    };
    let kind_ok = match kind.split_once('.') {
        Some((k, g)) => k.eq_ignore_ascii_case(&key.kind) && g == key.group,
        None => kind.eq_ignore_ascii_case(&key.kind),
    };
    kind_ok && name == key.name && ns == key.namespace.as_deref()
}

/// The selector (`--only`) naming exactly this object.
pub fn selector(key: &ObjectKey) -> String {
    let kind = if key.group.is_empty() {
        key.kind.clone()
    } else {
        format!("{}.{}", key.kind, key.group)
    };
    match &key.namespace {
        Some(ns) => format!("{kind}/{ns}/{}", key.name),
        None => format!("{kind}/{}", key.name),
    }
}

/// Kinds prune deletes only when named explicitly (`--only`): deleting one deletes
/// everything in it.
pub fn is_guarded_kind(key: &ObjectKey) -> bool {
    (key.group.is_empty() && key.kind == "Namespace")
        || (key.group == "apiextensions.k8s.io" && key.kind == "CustomResourceDefinition")
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub prune: bool,
    /// `--only` selectors; empty = everything.
    pub only: Vec<String>,
    pub force_conflicts: Vec<String>,
    /// How many objects the desired state holds (prune refuses an empty one).
    pub desired_count: usize,
    /// Kinds (group, kind) the desired state's own CustomResourceDefinitions define.
    pub defined_kinds: Vec<(String, String)>,
}

fn selected(key: &ObjectKey, selectors: &[String]) -> bool {
    selectors.is_empty() || selectors.iter().any(|s| matches_selector(key, s))
}

/// Builds the plan from the drift reports (whose dry-runs already ran).
// Over 80 lines: one match from status to action with the safety rules side by side
// (prune refusal, guarded kinds, conflicts); the rules read best together.
pub fn build<R: std::borrow::Borrow<ObjectReport>>(reports: &[R], opts: &PlanOptions) -> Plan {
    let mut plan = Plan::default();
    if opts.prune && opts.desired_count == 0 {
        plan.prune_refused = Some(
            "refusing to prune: the desired state is empty (a wrong path or revision would delete everything)"
                .into(),
        );
    }
    let reports = reports.iter().map(|r| r.borrow());
    for r in reports.filter(|r| selected(&r.key, &opts.only)) {
        let preview = r.preview.clone();
        let found = r.conflicts.clone();
        let item = |action: Action, force: bool, note: String| PlanItem {
            key: r.key.clone(),
            action,
            force,
            note,
            preview: preview.clone(),
            conflicts: found.clone(),
            drift_remains: false,
            migration: r.migration.as_deref().cloned(),
            repair: None,
            after_crd: false,
        };
        let named_force = opts
            .force_conflicts
            .iter()
            .any(|s| matches_selector(&r.key, s));
        plan.items.push(match r.status {
            SyncStatus::Missing => match &r.dry_run_error {
                Some(e) => item(Action::Error, false, format!("dry-run failed, left alone: {e}")),
                None => item(Action::Create, false, r.reason.clone()),
            },
            SyncStatus::Unknown if r.not_served && opts.defined_kinds.iter().any(|(g, k)| *g == r.key.group && *k == r.key.kind) => PlanItem {
                after_crd: true,
                ..item(Action::Create, false, "its kind is defined by a CustomResourceDefinition in this sync: dry-run and applied once that is Established".into())
            },
            SyncStatus::Unknown => item(Action::Error, false, r.reason.clone()),
            SyncStatus::Synced => match &r.migration {
                Some(m) => item(Action::Update, false, m.to_string()),
                None => item(Action::Unchanged, false, "matches Git".into()),
            },
            SyncStatus::OutOfSync if r.dry_run_error.is_some() => match (&r.repair, &r.dry_run_error) {
                (Some(repair), Some(e)) => PlanItem {
                    repair: Some(Repair::clone(repair)),
                    ..item(Action::Update, false, format!("the server rejects Git's version ({e}); this sync {repair}"))
                },
                (_, e) => item(Action::Error, false, format!("the server rejects Git's version, left alone: {}", e.as_deref().unwrap_or_default())),
            },
            SyncStatus::Extra if r.marked_by.is_some() => item(
                Action::Keep,
                false,
                format!("not in Git, marked by {} (kdrift prunes only what it marked)", r.marked_by.as_deref().unwrap_or_default()),
            ),
            SyncStatus::Extra if plan.prune_refused.is_some() || !opts.prune => {
                item(Action::Keep, false, "not in Git: a prune candidate (use --prune)".into())
            }
            SyncStatus::Extra if is_guarded_kind(&r.key) && !opts.only.iter().any(|s| matches_selector(&r.key, s)) => item(
                Action::Keep,
                false,
                format!("not in Git, but a {} is pruned only when named with --only", r.key.kind),
            ),
            SyncStatus::Extra => item(Action::Prune, false, "tracked for this app, not in Git".into()),
            SyncStatus::OutOfSync => {
                let real: Vec<&Conflict> = found.iter().filter(|c| !c.is_drift()).collect();
                let changes = r.preview.as_ref().is_some_and(|p| !p.is_empty()) || !found.is_empty();
                if !real.is_empty() && !named_force {
                    let list: Vec<String> = real.iter().map(|c| c.to_string()).collect();
                    item(
                        Action::Conflict,
                        false,
                        format!("conflicts with another owner: {}; left alone (name it in --force-conflicts to take it over)", list.join(", ")),
                    )
                } else if changes || r.migration.is_some() {
                    let mut note = if found.is_empty() {
                        "differs from Git".to_string()
                    } else {
                        let list: Vec<String> = found.iter().map(|c| c.to_string()).collect();
                        format!("restores fields changed outside Git: {}", list.join(", "))
                    };
                    if let Some(m) = &r.migration {
                        note = if changes { format!("{note}; {m}") } else { m.to_string() };
                    }
                    item(Action::Update, !found.is_empty(), note)
                } else {
                    let managers: Vec<String> = r.drift.iter().map(|d| format!("{} ({})", d.path, d.manager)).collect();
                    PlanItem {
                        drift_remains: true,
                        ..item(
                            Action::Unchanged,
                            false,
                            format!("nothing to apply; fields set outside Git remain (a sync never removes fields it does not own): {}", managers.join(", ")),
                        )
                    }
                }
            }
        });
    }
    // Namespaces and CRDs first, prunes last.
    plan.items.sort_by_key(|i| {
        (
            i.action == Action::Prune,
            !is_guarded_kind(&i.key),
            i.key.clone(),
        )
    });
    plan
}

impl Plan {
    pub fn count(&self, action: Action) -> usize {
        self.items.iter().filter(|i| i.action == action).count()
    }

    pub fn writes(&self) -> usize {
        self.items.iter().filter(|i| i.action.writes()).count()
    }

    /// How many items each action has, in plan order, actions with none left out.
    pub fn counts(&self) -> Vec<(Action, usize)> {
        [
            Action::Create,
            Action::Update,
            Action::Unchanged,
            Action::Prune,
            Action::Conflict,
            Action::Error,
            Action::Keep,
        ]
        .into_iter()
        .map(|a| (a, self.count(a)))
        .filter(|(_, n)| *n > 0)
        .collect()
    }

    /// What to tell the user when the plan writes nothing (`None` when it writes): never
    /// "matches" while anything stays different from Git.
    pub fn nothing_to_apply(&self, commit: &str) -> Option<String> {
        if self.writes() > 0 {
            return None;
        }
        let mut remains = Vec::new();
        let (conflicts, errors) = (self.count(Action::Conflict), self.count(Action::Error));
        if conflicts + errors > 0 {
            remains.push(format!(
                "{} object(s) left alone ({conflicts} conflict(s), {errors} error(s): see the plan)",
                conflicts + errors
            ));
        }
        let drifted = self.items.iter().filter(|i| i.drift_remains).count();
        if drifted > 0 {
            remains.push(format!(
                "{drifted} object(s) keep fields set outside Git, which a sync does not remove (`kdrift diff --lens drift` lists them)"
            ));
        }
        let kept = self.count(Action::Keep);
        if kept > 0 {
            remains.push(format!(
                "{kept} object(s) tracked for this app but not in Git stay (prune candidates)"
            ));
        }
        Some(if remains.is_empty() {
            format!("Nothing to do: the cluster already matches {commit}; no object was written.")
        } else {
            format!(
                "Nothing to apply, and the cluster does not match {commit}: {}.",
                remains.join("; ")
            )
        })
    }

    /// Guarded prunes (Namespaces, CRDs) that need a second confirmation.
    pub fn guarded_prunes(&self) -> Vec<&PlanItem> {
        self.items
            .iter()
            .filter(|i| i.action == Action::Prune && is_guarded_kind(&i.key))
            .collect()
    }
}

mod gateway;
pub use gateway::{Gateway, Mutation, render};

#[cfg(test)]
mod tests;
