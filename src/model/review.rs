//! Code review of manifests: what a change does to an app's objects once rendered, object
//! by object (created, deleted, changed with its diff, renamed), Secrets masked. Pure: the
//! two desired sets come from Git, the live part (what a sync of the change would overwrite
//! or prune) from a drift report.

use std::collections::BTreeSet;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::desired::DesiredSet;
use super::diff::{Diff, unified};
use super::normalize::normalize;
use super::object::{Manifest, ObjectKey};
use super::secret::mask_pair_as;
use super::yaml::to_yaml;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectChange {
    pub key: ObjectKey,
    /// The file (or render) the object comes from, on the side that has it.
    pub source: String,
    /// Normalised, Secrets masked: the whole object for created and deleted ones.
    pub diff: Diff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    pub from: ObjectKey,
    pub to: ObjectKey,
    /// The file of the new object, and of the old one.
    pub source: String,
    pub from_source: String,
    /// Empty when only the identity changed.
    pub diff: Diff,
}

/// What a sync of the change would do to the cluster as it is now (`--live`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LiveEffects {
    /// Fields someone set live that the change's objects declare: (object, field, manager).
    pub would_overwrite: Vec<Overwrite>,
    /// Objects the change removes that the cluster holds, tracked as the app's.
    pub would_prune: Vec<ObjectKey>,
    /// Objects the cluster could not judge (dry-run refused, not served).
    pub unknown: Vec<(ObjectKey, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overwrite {
    pub key: ObjectKey,
    pub field: String,
    pub manager: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AppReview {
    pub path: String,
    pub created: Vec<ObjectChange>,
    pub deleted: Vec<ObjectChange>,
    pub changed: Vec<ObjectChange>,
    pub renamed: Vec<Rename>,
    /// Files of the change under the app that change no object.
    pub files_without_object_change: Vec<String>,
    /// Manifest errors on either side (file, line, what): the review is partial.
    pub errors: Vec<String>,
    /// How many of them are HEAD's (the change leaves them; the base's it may fix).
    pub head_errors: usize,
    pub live: Option<LiveEffects>,
}

impl AppReview {
    pub fn object_changes(&self) -> usize {
        self.created.len() + self.deleted.len() + self.changed.len() + self.renamed.len()
    }
}

/// The object as a reviewer reads it: normalised YAML.
fn text(value: &Value) -> String {
    to_yaml(&normalize(value))
}

fn masked_pair(before: Option<&Manifest>, after: Option<&Manifest>) -> (String, String) {
    let (mut b, mut a) = (before.map(Manifest::tree), after.map(Manifest::tree));
    mask_pair_as(b.as_mut(), a.as_mut(), ("before", "after"));
    (
        b.as_ref().map(text).unwrap_or_default(),
        a.as_ref().map(text).unwrap_or_default(),
    )
}

fn label(key: &ObjectKey) -> String {
    match &key.namespace {
        Some(ns) => format!("{}/{ns}/{}", key.kind, key.name),
        None => format!("{}/{}", key.kind, key.name),
    }
}

/// The object without its identity, to find the same content under a new name.
fn without_identity(m: &Manifest) -> Value {
    let mut v = normalize(&m.tree());
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("name");
        meta.remove("namespace");
    }
    v
}

/// A deleted and a created object of one kind with the same content is a rename: each
/// pair goes to `review.renamed`; the keys paired on each side come back.
fn pair_renames(
    deleted: &[&Manifest],
    created: &[&Manifest],
    review: &mut AppReview,
    diff: &impl Fn(Option<&Manifest>, Option<&Manifest>, &str, &str) -> Diff,
) -> (BTreeSet<ObjectKey>, BTreeSet<ObjectKey>) {
    let mut renamed_from = BTreeSet::new();
    let mut renamed_to = BTreeSet::new();
    for old in deleted {
        let Some(new) = created.iter().find(|new| {
            new.id.kind == old.id.kind
                && new.id.group == old.id.group
                && !renamed_to.contains(&new.id.key())
                && without_identity(new) == without_identity(old)
        }) else {
            continue;
        };
        let (from, to) = (old.id.key(), new.id.key());
        renamed_from.insert(from.clone());
        renamed_to.insert(to.clone());
        review.renamed.push(Rename {
            diff: diff(Some(old), Some(new), &label(&from), &label(&to)),
            source: new.source.file.clone(),
            from_source: old.source.file.clone(),
            from,
            to,
        });
    }
    (renamed_from, renamed_to)
}

/// Compares the app's desired state at two commits. `changed_files` are the change's files
/// under the app; `plain` says the app is plain YAML (each object's file is its source,
/// so a file that sources no changed object changed none).
pub fn compare(
    path: &str,
    base: &DesiredSet,
    head: &DesiredSet,
    changed_files: &[String],
    plain: bool,
    deadline: Duration,
) -> AppReview {
    let mut review = AppReview {
        path: path.to_string(),
        ..Default::default()
    };
    let diff = |before: Option<&Manifest>, after: Option<&Manifest>, from: &str, to: &str| {
        let (b, a) = masked_pair(before, after);
        unified(from, &b, to, &a, deadline)
    };
    let mut created: Vec<&Manifest> = Vec::new();
    let mut deleted: Vec<&Manifest> = Vec::new();
    // A changed object may have moved file: its old file is part of the change too.
    let mut old_sources: Vec<&str> = Vec::new();
    for (key, after) in &head.objects {
        match base.objects.get(key) {
            None => created.push(after),
            Some(before)
                if before.content != after.content
                    && normalize(&before.tree()) != normalize(&after.tree()) =>
            {
                let name = label(key);
                old_sources.push(&before.source.file);
                review.changed.push(ObjectChange {
                    key: key.clone(),
                    source: after.source.file.clone(),
                    diff: diff(Some(before), Some(after), &name, &name),
                });
            }
            Some(_) => {}
        }
    }
    for (key, before) in &base.objects {
        if !head.objects.contains_key(key) {
            deleted.push(before);
        }
    }
    let (renamed_from, renamed_to) = pair_renames(&deleted, &created, &mut review, &diff);
    for m in created {
        let key = m.id.key();
        if renamed_to.contains(&key) {
            continue;
        }
        review.created.push(ObjectChange {
            diff: diff(None, Some(m), "/dev/null", &label(&key)),
            source: m.source.file.clone(),
            key,
        });
    }
    for m in deleted {
        let key = m.id.key();
        if renamed_from.contains(&key) {
            continue;
        }
        review.deleted.push(ObjectChange {
            diff: diff(Some(m), None, &label(&key), "/dev/null"),
            source: m.source.file.clone(),
            key,
        });
    }
    let sources: BTreeSet<&str> = review
        .created
        .iter()
        .chain(&review.deleted)
        .chain(&review.changed)
        .map(|c| c.source.as_str())
        .chain(
            review
                .renamed
                .iter()
                .flat_map(|r| [r.source.as_str(), r.from_source.as_str()]),
        )
        .chain(old_sources)
        .collect();
    let no_object_change = review.object_changes() == 0;
    review.files_without_object_change = changed_files
        .iter()
        .filter(|f| no_object_change || (plain && !sources.contains(f.as_str())))
        .cloned()
        .collect();
    review.head_errors = head.errors.len();
    review.errors = base
        .errors
        .iter()
        .map(|e| format!("base: {e}"))
        .chain(head.errors.iter().map(|e| format!("head: {e}")))
        .collect();
    review
}

/// What a sync of HEAD would do to the objects the change touches, from HEAD's drift
/// report: fields set outside Git that HEAD's Git declares (drift fields with a Git value,
/// and conflicts with imperative edits), and deleted objects the cluster still holds.
pub fn live_effects<R: std::borrow::Borrow<super::drift::ObjectReport>>(
    review: &AppReview,
    objects: &[R],
) -> LiveEffects {
    use super::drift::SyncStatus;
    let touched: BTreeSet<&ObjectKey> = review
        .created
        .iter()
        .chain(&review.changed)
        .map(|c| &c.key)
        .chain(review.renamed.iter().map(|r| &r.to))
        .collect();
    let removed: BTreeSet<&ObjectKey> = review
        .deleted
        .iter()
        .map(|c| &c.key)
        .chain(review.renamed.iter().map(|r| &r.from))
        .collect();
    let mut effects = LiveEffects::default();
    for o in objects.iter().map(|o| o.borrow()) {
        if touched.contains(&o.key) {
            let mut fields: BTreeSet<(String, String)> = o
                .drift
                .iter()
                .filter(|d| d.git.is_some())
                .map(|d| (d.path.clone(), d.manager.clone()))
                .collect();
            fields.extend(
                o.conflicts
                    .iter()
                    .filter(|c| c.is_drift())
                    // Conflicts name fields as `.spec.x`, drift as `spec.x`: one spelling.
                    .map(|c| {
                        (
                            c.field.trim_start_matches('.').to_string(),
                            c.manager.clone(),
                        )
                    }),
            );
            effects
                .would_overwrite
                .extend(fields.into_iter().map(|(field, manager)| Overwrite {
                    key: o.key.clone(),
                    field,
                    manager,
                }));
            if o.status == SyncStatus::Unknown {
                effects.unknown.push((o.key.clone(), o.reason.clone()));
            }
        }
        if removed.contains(&o.key) && o.status == SyncStatus::Extra {
            effects.would_prune.push(o.key.clone());
        }
    }
    effects
}

pub mod markdown;

#[cfg(test)]
mod tests;
