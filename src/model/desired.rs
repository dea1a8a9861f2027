//! The desired state of an app: every object Git declares, with what was skipped and what
//! was wrong.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::Serialize;

use super::manifest::{FileLoad, LoadError, Skipped};
use super::object::{Manifest, ObjectKey};

#[derive(Debug, Default, Clone, Serialize)]
pub struct DesiredSet {
    pub objects: BTreeMap<ObjectKey, Manifest>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<LoadError>,
    /// Hooks: run around a sync when asked, never diffed.
    pub hooks: Vec<super::hook::Hook>,
    /// What the source said about itself (a chart using `lookup`, renders that differ).
    pub notes: Vec<String>,
}

impl DesiredSet {
    /// Adds what one file yielded. A second document with an identity already present is an
    /// error naming both places; the first one stays.
    pub fn add(&mut self, load: FileLoad) {
        self.skipped.extend(load.skipped);
        self.errors.extend(load.errors);
        self.hooks.extend(load.hooks);
        for manifest in load.manifests {
            match self.objects.entry(manifest.id.key()) {
                Entry::Occupied(first) => self.errors.push(LoadError {
                    file: manifest.source.file.clone(),
                    line: Some(manifest.source.line),
                    column: None,
                    message: format!(
                        "duplicate object {}: also defined at {}",
                        first.key(),
                        first.get().source
                    ),
                }),
                Entry::Vacant(slot) => {
                    slot.insert(manifest);
                }
            }
        }
    }

    /// Adds what each file yielded, in order (see [`add`](Self::add)).
    pub fn add_all(&mut self, loads: impl IntoIterator<Item = FileLoad>) {
        for load in loads {
            self.add(load);
        }
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}

/// How the objects of two desired sets differ, by identity.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectChanges {
    pub added: Vec<ObjectKey>,
    pub removed: Vec<ObjectKey>,
    pub modified: Vec<ObjectKey>,
}

impl ObjectChanges {
    pub fn between(old: &DesiredSet, new: &DesiredSet) -> Self {
        let mut changes = ObjectChanges::default();
        for (key, manifest) in &new.objects {
            match old.objects.get(key) {
                None => changes.added.push(key.clone()),
                Some(before) if before.content != manifest.content => {
                    changes.modified.push(key.clone())
                }
                Some(_) => {}
            }
        }
        changes.removed = old
            .objects
            .keys()
            .filter(|k| !new.objects.contains_key(*k))
            .cloned()
            .collect();
        changes
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.modified.is_empty()
    }

    /// As [`between`](Self::between), but a file that failed to load on either side says
    /// nothing about its objects: they are neither removed (where it fails) nor added
    /// (where it is fixed). The new side's failures come back as errors of that commit.
    pub fn between_loaded(old: &DesiredSet, new: &DesiredSet) -> (Self, Vec<String>) {
        use std::collections::BTreeSet;
        let failing = |set: &DesiredSet| -> BTreeSet<String> {
            set.errors.iter().map(|e| e.file.clone()).collect()
        };
        let (failed_old, failed_new) = (failing(old), failing(new));
        let mut changes = Self::between(old, new);
        changes.removed.retain(|k| {
            old.objects
                .get(k)
                .is_none_or(|m| !failed_new.contains(&m.source.file))
        });
        changes.added.retain(|k| {
            new.objects
                .get(k)
                .is_none_or(|m| !failed_old.contains(&m.source.file))
        });
        let errors = new
            .errors
            .iter()
            .map(|e| format!("{e} (its objects are unknown at this commit, not removed)"))
            .collect();
        (changes, errors)
    }
}
