//! One commit's files, read by path straight from Git objects, and exported to a
//! directory only as far as a renderer needs them (a missing blob elsewhere in the
//! repository, as in a partial clone, costs nothing).

use std::collections::BTreeSet;
use std::path::Path;

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::GitError;
use super::tree::{files_under, resolve_link};
use crate::model::logs::clean;

pub type Entry = (ObjectId, EntryKind);

/// The files of one commit.
pub struct CommitFiles<'r> {
    pub repo: &'r gix::Repository,
    pub root_tree: ObjectId,
}

impl CommitFiles<'_> {
    /// What is at `path` ("" is the root tree).
    pub fn entry(&self, path: &str) -> Result<Option<Entry>, GitError> {
        if path.is_empty() {
            return Ok(Some((self.root_tree, EntryKind::Tree)));
        }
        let tree = self
            .repo
            .find_tree(self.root_tree)
            .map_err(GitError::read)?;
        Ok(tree
            .lookup_entry_by_path(path)
            .map_err(GitError::read)?
            .map(|e| (e.object_id(), e.mode().kind())))
    }

    /// The names directly in a directory (none when it is not one).
    pub fn names_in(&self, dir: &str) -> Result<Vec<String>, GitError> {
        let Some((id, EntryKind::Tree)) = self.entry(dir)? else {
            return Ok(Vec::new());
        };
        let tree = self.repo.find_tree(id).map_err(GitError::read)?;
        let decoded = tree.decode().map_err(GitError::read)?;
        Ok(decoded
            .entries
            .iter()
            .map(|e| e.filename.to_string())
            .collect())
    }

    /// A file's bytes (a symlink is followed inside the repository); `None` when absent.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        self.read_following(path, 0)
    }

    fn read_following(&self, path: &str, depth: usize) -> Result<Option<Vec<u8>>, GitError> {
        const MAX_LINKS: usize = 40;
        if depth > MAX_LINKS {
            return Err(GitError::Source(format!(
                "{}: more than {MAX_LINKS} symlinks in a row (a loop?); refused",
                clean(path)
            )));
        }
        let Some((id, kind)) = self.entry(path)? else {
            return Ok(None);
        };
        let blob = |id: ObjectId| -> Result<Vec<u8>, GitError> {
            Ok(self
                .repo
                .find_blob(id)
                .map_err(|e| GitError::Source(format!("cannot read {path}: {e}")))?
                .data
                .clone())
        };
        match kind {
            EntryKind::Blob | EntryKind::BlobExecutable => Ok(Some(blob(id)?)),
            EntryKind::Link => {
                let target = String::from_utf8_lossy(&blob(id)?).into_owned();
                match resolve_link(path, &target) {
                    Some(resolved) if resolved != path => self.read_following(&resolved, depth + 1),
                    _ => Err(GitError::Source(format!(
                        "symlink {} -> {} points outside the repository; refused",
                        clean(path),
                        clean(&target)
                    ))),
                }
            }
            _ => Ok(None),
        }
    }

    /// Writes the files at `paths` (files, or directories with everything under them)
    /// under `dest`, at their repository paths.
    pub fn export(&self, paths: &BTreeSet<String>, dest: &Path) -> Result<(), GitError> {
        for path in paths {
            match self.entry(path)? {
                Some((id, EntryKind::Tree)) => {
                    for file in files_under(self.repo, id, path)? {
                        self.write_file(&file.path, (file.id, file.kind), dest)?;
                    }
                }
                Some(entry) => self.write_file(path, entry, dest)?,
                None => {}
            }
        }
        Ok(())
    }

    /// Writes one file under `dest`. A symlink is written as the file it points to inside
    /// the repository, never as a link: the renderer cannot follow it out of the export.
    fn write_file(&self, path: &str, entry: Entry, dest: &Path) -> Result<(), GitError> {
        let target = dest.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(GitError::read)?;
        }
        let data = match entry.1 {
            EntryKind::Blob | EntryKind::BlobExecutable => self
                .repo
                .find_blob(entry.0)
                .map_err(|e| GitError::Source(format!("cannot read {}: {e}", clean(path))))?
                .data
                .clone(),
            EntryKind::Link => self.read(path)?.ok_or_else(|| {
                GitError::Source(format!(
                    "symlink {} points at no file of this commit (a directory or nothing); refused",
                    clean(path)
                ))
            })?,
            _ => return Ok(()),
        };
        std::fs::write(&target, &data).map_err(GitError::read)
    }
}
