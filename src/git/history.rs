//! The commits that touch the app path, newest first, page by page, each with the objects
//! it added, removed and modified (comparing the desired sets of the commit and its parent).

use std::collections::HashMap;
use std::sync::Arc;

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use serde::Serialize;

use super::files::CommitFiles;
use super::inputs::{Fingerprint, Inputs};
use super::tree::{AppTree, FileChange, changed_files, load_commit, load_entry};
use crate::model::source::SourceKind;

/// Rendered desired sets kept while walking history.
const SET_CACHE: usize = 256;
/// Objects in all the kept sets at most: a big app's sets are few.
const SET_OBJECTS: usize = 25_000;
/// Parsed files kept while paging through history (cleared past it).
const FILE_CACHE: usize = 1_024;
use super::{App, GitError};
use crate::model::desired::{DesiredSet, ObjectChanges};
use crate::model::manifest::{FileLoad, is_manifest_file};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitSummary {
    pub id: String,
    pub short: String,
    pub author: String,
    pub email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    pub subject: String,
    /// The first parent, if any.
    #[serde(skip)]
    pub parent: Option<ObjectId>,
    #[serde(skip)]
    pub oid: ObjectId,
}

/// A commit of the app's history with its object changes (or why they are unknown).
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    #[serde(flatten)]
    pub commit: CommitSummary,
    pub changes: Option<ObjectChanges>,
    pub error: Option<String>,
}

/// Walks history lazily: each `next_page` reads only as far as it needs.
pub struct History<'a> {
    app: &'a App,
    /// First-parent walk: the next commit to look at.
    next: Option<ObjectId>,
    /// Full-history walk: remaining commits by time, newest first.
    all: Option<std::vec::IntoIter<ObjectId>>,
    /// Rendered sets by what their inputs held (bounded: cleared past `SET_CACHE`).
    sets: HashMap<Fingerprint, Arc<DesiredSet>>,
    last_inputs: Option<(ObjectId, Arc<Inputs>)>,
    /// Files read by (blob, path), as digests: most files are the same blob from commit to
    /// commit (bounded: cleared past `FILE_CACHE`).
    files: HashMap<(ObjectId, String), Arc<FileLoad>>,
}

impl<'a> History<'a> {
    /// First-parent history from `start`, as `git log --first-parent` walks it.
    pub fn first_parent(app: &'a App, start: ObjectId) -> Self {
        History {
            app,
            next: Some(start),
            all: None,
            sets: HashMap::new(),
            last_inputs: None,
            files: HashMap::new(),
        }
    }

    /// Every commit reachable from `start` (merged branches too), newest first.
    pub fn full(app: &'a App, start: ObjectId) -> Result<Self, GitError> {
        let walk = app
            .repo
            .rev_walk([start])
            .sorting(gix::revision::walk::Sorting::ByCommitTime(
                Default::default(),
            ))
            .all()
            .map_err(GitError::read)?;
        let ids = walk
            .map(|info| info.map(|i| i.id).map_err(GitError::read))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(History {
            app,
            next: None,
            all: Some(ids.into_iter()),
            sets: HashMap::new(),
            last_inputs: None,
            files: HashMap::new(),
        })
    }

    fn next_candidate(&mut self) -> Result<Option<ObjectId>, GitError> {
        if let Some(all) = &mut self.all {
            return Ok(all.next());
        }
        let Some(id) = self.next else {
            return Ok(None);
        };
        let commit = self.app.repo.find_commit(id).map_err(GitError::read)?;
        self.next = commit.parent_ids().next().map(|p| p.detach());
        Ok(Some(id))
    }

    /// The inputs of the app at a commit (what its source reads), remembered for the
    /// walk's next step, where this commit is the parent.
    fn inputs_at(&mut self, commit: ObjectId) -> Result<Arc<Inputs>, GitError> {
        if let Some((id, inputs)) = &self.last_inputs
            && *id == commit
        {
            return Ok(inputs.clone());
        }
        let files = self.files_at(commit)?;
        let inputs = Arc::new(Inputs::at(&files, &self.app.path)?);
        self.last_inputs = Some((commit, inputs.clone()));
        Ok(inputs)
    }

    fn files_at(&self, commit: ObjectId) -> Result<CommitFiles<'a>, GitError> {
        let root_tree = AppTree::at(&self.app.repo, commit, "")?.root_tree;
        Ok(CommitFiles {
            repo: &self.app.repo,
            root_tree,
        })
    }

    /// Whether a commit changed anything its app reads (before or after it).
    fn touches(&mut self, commit: ObjectId, parent: Option<ObjectId>) -> Result<bool, GitError> {
        let here = self.inputs_at(commit)?;
        let Some(parent) = parent else {
            return Ok(here
                .fingerprint(&self.files_at(commit)?)?
                .iter()
                .any(|(_, e)| e.is_some()));
        };
        let before = self.inputs_at(parent)?;
        let mut union = here.as_ref().clone();
        union.paths.extend(before.paths.iter().cloned());
        Ok(union.fingerprint(&self.files_at(commit)?)?
            != union.fingerprint(&self.files_at(parent)?)?)
    }

    /// The next `limit` commits that touch what the app reads (its path, and for
    /// kustomize, Helm and jsonnet the files outside it that it names), without their
    /// object changes.
    pub fn next_page(&mut self, limit: usize) -> Result<Vec<CommitSummary>, GitError> {
        let mut page = Vec::new();
        while page.len() < limit {
            let Some(id) = self.next_candidate()? else {
                break;
            };
            let commit = self.app.repo.find_commit(id).map_err(GitError::read)?;
            let parent = commit.parent_ids().next().map(|p| p.detach());
            if self.touches(id, parent)? {
                page.push(summary(&commit, parent)?);
            }
        }
        Ok(page)
    }

    /// The desired set at a commit, cached by what its inputs hold: a commit that changed
    /// nothing the app reads renders from the cache.
    fn set_at(&mut self, commit: ObjectId) -> Result<Arc<DesiredSet>, GitError> {
        let tree = AppTree::at(&self.app.repo, commit, &self.app.path)?;
        if tree.id().is_none() {
            return Ok(Arc::new(DesiredSet::default()));
        }
        let inputs = self.inputs_at(commit)?;
        let key = inputs.fingerprint(&self.files_at(commit)?)?;
        if let Some(set) = self.sets.get(&key) {
            return Ok(set.clone());
        }
        let set = Arc::new(load_commit(
            &self.app.repo,
            commit,
            &tree,
            &self.app.path,
            &self.app.load,
            &self.app.tools,
        )?);
        let held: usize = self.sets.values().map(|s| s.len()).sum();
        if self.sets.len() >= SET_CACHE || held + set.len() > SET_OBJECTS {
            self.sets.clear();
        }
        self.sets.insert(key, set.clone());
        Ok(set)
    }

    /// What a commit changed, object by object, against its first parent.
    pub fn changes(&mut self, commit: &CommitSummary) -> HistoryEntry {
        let (changes, error) = match self.compute_changes(commit) {
            Ok((c, errors)) if errors.is_empty() => (Some(c), None),
            Ok((c, errors)) => (Some(c), Some(errors.join("; "))),
            Err(e) => (None, Some(e.to_string())),
        };
        HistoryEntry {
            commit: commit.clone(),
            changes,
            error,
        }
    }

    fn compute_changes(
        &mut self,
        commit: &CommitSummary,
    ) -> Result<(ObjectChanges, Vec<String>), GitError> {
        let repo = &self.app.repo;
        let new = AppTree::at(repo, commit.oid, &self.app.path)?;
        let old = match commit.parent {
            Some(p) => Some(AppTree::at(repo, p, &self.app.path)?),
            None => None,
        };
        let rendered = self.inputs_at(commit.oid)?.kind != SourceKind::Plain
            || match commit.parent {
                Some(p) => self.inputs_at(p)?.kind != SourceKind::Plain,
                None => false,
            };
        if rendered {
            let new_set = self.set_at(commit.oid)?;
            let old_set = match commit.parent {
                Some(p) => self.set_at(p)?,
                None => Arc::new(DesiredSet::default()),
            };
            return Ok(ObjectChanges::between_loaded(&old_set, &new_set));
        }
        self.changes_from_files(old, new)
    }

    /// Plain apps: only the files that differ are parsed (and parsed files are cached), so
    /// a commit costs what it changed, not the size of the app.
    fn changes_from_files(
        &mut self,
        old: Option<AppTree>,
        new: AppTree,
    ) -> Result<(ObjectChanges, Vec<String>), GitError> {
        let path = self.app.path.clone();
        let old_entry = old.and_then(|t| t.entry);
        let mut changed = Vec::new();
        let is_tree = |e: Option<(ObjectId, EntryKind)>| e.is_some_and(|e| e.1 == EntryKind::Tree);
        if is_tree(old_entry) || is_tree(new.entry) {
            let tree_id = |e: Option<(ObjectId, EntryKind)>| {
                e.filter(|e| e.1 == EntryKind::Tree).map(|e| e.0)
            };
            changed_files(
                &self.app.repo,
                tree_id(old_entry),
                tree_id(new.entry),
                &path,
                &mut changed,
            )?;
        } else if old_entry != new.entry {
            changed.push(FileChange {
                path: path.clone(),
                old: old_entry,
                new: new.entry,
            });
        }
        let mut before = DesiredSet::default();
        let mut after = DesiredSet::default();
        for change in changed.iter().filter(|c| is_manifest_file(&c.path)) {
            if let (Some(entry), Some(tree)) = (change.old, old) {
                before.add(
                    self.file(tree.root_tree, &change.path, entry)
                        .as_ref()
                        .clone(),
                );
            }
            if let Some(entry) = change.new {
                after.add(
                    self.file(new.root_tree, &change.path, entry)
                        .as_ref()
                        .clone(),
                );
            }
        }
        Ok(ObjectChanges::between_loaded(&before, &after))
    }

    fn file(
        &mut self,
        root_tree: ObjectId,
        path: &str,
        entry: (ObjectId, EntryKind),
    ) -> Arc<FileLoad> {
        let key = (entry.0, path.to_string());
        if let Some(load) = self.files.get(&key) {
            return load.clone();
        }
        let load = Arc::new(digest(&load_entry(
            &self.app.repo,
            root_tree,
            path,
            entry,
            &self.app.load,
        )));
        if self.files.len() >= FILE_CACHE {
            self.files.clear();
        }
        self.files.insert(key, load.clone());
        load
    }
}

/// A file's objects with each content reduced to a hash, all that comparing two commits
/// needs: a commit adding every object of a big app parsed them once, not twice.
fn digest(load: &FileLoad) -> FileLoad {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let manifests = load
        .manifests
        .iter()
        .map(|m| {
            let mut h = DefaultHasher::new();
            m.content.text().hash(&mut h);
            crate::model::object::Manifest {
                id: m.id.clone(),
                source: m.source.clone(),
                content: crate::model::object::Compact::new(&h.finish().into()),
                unstable: Vec::new(),
            }
        })
        .collect();
    FileLoad {
        manifests,
        hooks: Vec::new(),
        skipped: Vec::new(),
        errors: load.errors.clone(),
    }
}

fn summary(commit: &gix::Commit<'_>, parent: Option<ObjectId>) -> Result<CommitSummary, GitError> {
    let author = commit.author().map_err(GitError::read)?;
    let time = author.time().map(|t| t.seconds).unwrap_or(0);
    let message = commit.message().map_err(GitError::read)?;
    Ok(CommitSummary {
        id: commit.id.to_string(),
        short: commit.id.to_hex_with_len(7).to_string(),
        author: author.name.to_string(),
        email: author.email.to_string(),
        time,
        subject: message.summary().to_string(),
        parent,
        oid: commit.id,
    })
}
