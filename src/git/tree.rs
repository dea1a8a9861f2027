//! Trees and blobs at a commit: the app's manifests straight from Git objects.

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::GitError;
use super::files::CommitFiles;
use super::inputs::Inputs;
use super::render::{Renderers, explain_empty, render_commit};
use crate::model::desired::DesiredSet;
use crate::model::manifest::many::{FileRead, load_files, load_read};
use crate::model::manifest::{FileLoad, LoadError, LoadOptions, is_manifest_file};
use crate::model::source::SourceKind;

/// The object at the app path in one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppTree {
    pub root_tree: ObjectId,
    /// The tree (or file) at the app path; `None` when the path does not exist there.
    pub entry: Option<(ObjectId, EntryKind)>,
}

impl AppTree {
    pub fn at(repo: &gix::Repository, commit: ObjectId, path: &str) -> Result<Self, GitError> {
        let commit = repo.find_commit(commit).map_err(GitError::read)?;
        let tree = commit.tree().map_err(GitError::read)?;
        let entry = if path.is_empty() {
            Some((tree.id, EntryKind::Tree))
        } else {
            tree.lookup_entry_by_path(path)
                .map_err(GitError::read)?
                .map(|e| (e.object_id(), e.mode().kind()))
        };
        Ok(AppTree {
            root_tree: tree.id,
            entry,
        })
    }

    /// The id of what is at the app path: equal ids mean identical content.
    pub fn id(&self) -> Option<ObjectId> {
        self.entry.map(|(id, _)| id)
    }
}

/// A file in a tree, with its path relative to the repository root.
#[derive(Debug, Clone)]
pub struct TreeFile {
    pub path: String,
    pub id: ObjectId,
    pub kind: EntryKind,
}

/// Every file under `tree`, recursively, with paths prefixed by `prefix`, sorted.
pub fn files_under(
    repo: &gix::Repository,
    tree: ObjectId,
    prefix: &str,
) -> Result<Vec<TreeFile>, GitError> {
    let tree = repo.find_tree(tree).map_err(GitError::read)?;
    let mut files: Vec<TreeFile> = tree
        .traverse()
        .breadthfirst
        .files()
        .map_err(GitError::read)?
        .into_iter()
        .filter(|e| !e.mode.is_tree())
        .map(|e| TreeFile {
            path: join(prefix, &e.filepath.to_string()),
            id: e.oid,
            kind: e.mode.kind(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

pub fn join(prefix: &str, rest: &str) -> String {
    match (prefix.is_empty(), rest.is_empty()) {
        (true, _) => rest.to_string(),
        (_, true) => prefix.to_string(),
        _ => format!("{prefix}/{rest}"),
    }
}

/// Resolves a symlink's target against the link's directory; `None` when it leaves the
/// repository (or is absolute).
pub fn resolve_link(link_path: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let dir = link_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    crate::model::source::join_relative(dir, target)
}

/// Reads a blob, refusing it unread when its header says it is over the cap.
fn read_blob(
    repo: &gix::Repository,
    id: ObjectId,
    path: &str,
    opts: &LoadOptions,
) -> Result<Vec<u8>, LoadError> {
    let error = |message: String| LoadError {
        file: path.to_string(),
        line: None,
        column: None,
        message,
    };
    let header = repo.find_header(id).map_err(|e| error(e.to_string()))?;
    if header.size() > opts.max_file_bytes {
        return Err(error(format!(
            "file is {} bytes, over the {}-byte cap; refused (raise it with --max-file-size)",
            header.size(),
            opts.max_file_bytes
        )));
    }
    let mut blob = repo.find_blob(id).map_err(|e| error(e.to_string()))?;
    Ok(blob.take_data())
}

/// The bytes of one file of a commit, symlinks followed inside the repository only; `None`
/// for what is not a file (a submodule).
fn read_tree_file(
    repo: &gix::Repository,
    root_tree: ObjectId,
    file: &TreeFile,
    opts: &LoadOptions,
) -> Option<FileRead> {
    let fail = |message: String| LoadError {
        file: file.path.clone(),
        line: None,
        column: None,
        message,
    };
    let id = match file.kind {
        EntryKind::Link => {
            let target = match read_blob(repo, file.id, &file.path, opts) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => return Some(Err(e)),
            };
            let Some(resolved) = resolve_link(&file.path, &target) else {
                return Some(Err(fail(format!(
                    "symlink to {target:?} points outside the repository; refused"
                ))));
            };
            let entry = repo
                .find_tree(root_tree)
                .ok()
                .and_then(|t| t.lookup_entry_by_path(&resolved).ok().flatten());
            match entry {
                Some(e) if e.mode().is_blob() => e.object_id(),
                _ => {
                    return Some(Err(fail(format!(
                        "symlink target {resolved:?} is not a file in this commit"
                    ))));
                }
            }
        }
        EntryKind::Blob | EntryKind::BlobExecutable => file.id,
        _ => return None,
    };
    Some(read_blob(repo, id, &file.path, opts))
}

/// Loads one manifest file of a commit.
fn load_tree_file(
    repo: &gix::Repository,
    root_tree: ObjectId,
    file: &TreeFile,
    opts: &LoadOptions,
) -> FileLoad {
    match read_tree_file(repo, root_tree, file, opts) {
        Some(read) => load_read(&file.path, read, opts),
        None => FileLoad::default(),
    }
}

/// The plain (non-kustomize) desired state of a tree at `prefix`, and every file under it.
pub fn load_plain(
    repo: &gix::Repository,
    root_tree: ObjectId,
    tree: ObjectId,
    prefix: &str,
    opts: &LoadOptions,
) -> Result<(DesiredSet, Vec<TreeFile>), GitError> {
    let files = files_under(repo, tree, prefix)?;
    let reads = files
        .iter()
        .filter(|file| is_manifest_file(&file.path))
        .filter_map(|file| {
            read_tree_file(repo, root_tree, file, opts).map(|read| (file.path.clone(), read))
        });
    let mut set = DesiredSet::default();
    set.add_all(load_files(reads, opts));
    Ok((set, files))
}

/// The desired state of the app at a commit: kustomize output where the app path holds a
/// kustomization, the manifest files under it otherwise.
pub fn load_commit(
    repo: &gix::Repository,
    commit: ObjectId,
    tree: &AppTree,
    path: &str,
    opts: &LoadOptions,
    tools: &Renderers,
) -> Result<DesiredSet, GitError> {
    let rev = commit.to_hex_with_len(12).to_string();
    let Some((id, kind)) = tree.entry else {
        return Err(GitError::PathNotFound {
            path: path.to_string(),
            rev,
        });
    };
    match kind {
        EntryKind::Tree => {
            let files = CommitFiles {
                repo,
                root_tree: tree.root_tree,
            };
            let inputs = Inputs::at(&files, path)?;
            if inputs.kind != SourceKind::Plain {
                return render_commit(&files, &inputs, path, opts, tools);
            }
            let (mut set, files) = load_plain(repo, tree.root_tree, id, path, opts)?;
            set.errors.extend(inputs.problems);
            let all: Vec<String> = files.into_iter().map(|f| f.path).collect();
            explain_empty(&mut set, path, &all);
            Ok(set)
        }
        EntryKind::Blob | EntryKind::BlobExecutable | EntryKind::Link => {
            let mut set = DesiredSet::default();
            let file = TreeFile {
                path: path.to_string(),
                id,
                kind,
            };
            set.add(load_tree_file(repo, tree.root_tree, &file, opts));
            Ok(set)
        }
        EntryKind::Commit => Err(GitError::NotADirectory {
            path: path.to_string(),
            rev,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_inside_and_refuse_outside() {
        assert_eq!(
            resolve_link("a/b/link.yaml", "../c.yaml").as_deref(),
            Some("a/c.yaml")
        );
        assert_eq!(
            resolve_link("link.yaml", "./x/y.yaml").as_deref(),
            Some("x/y.yaml")
        );
        assert_eq!(resolve_link("a/link.yaml", "../../etc/passwd"), None);
        assert_eq!(resolve_link("a/link.yaml", "/etc/passwd"), None);
    }
}

/// A file that differs between two trees: what it was and what it is (absent = `None`).
#[derive(Debug, Clone)]
pub struct FileChange {
    pub path: String,
    pub old: Option<(ObjectId, EntryKind)>,
    pub new: Option<(ObjectId, EntryKind)>,
}

pub(super) type Entries = std::collections::BTreeMap<String, (ObjectId, EntryKind)>;

/// The entries directly in a tree, by name.
pub(super) fn entries(repo: &gix::Repository, tree: Option<ObjectId>) -> Result<Entries, GitError> {
    let Some(tree) = tree else {
        return Ok(Entries::new());
    };
    let tree = repo.find_tree(tree).map_err(GitError::read)?;
    let decoded = tree.decode().map_err(GitError::read)?;
    Ok(decoded
        .entries
        .iter()
        .map(|e| (e.filename.to_string(), (e.oid.to_owned(), e.mode.kind())))
        .collect())
}

/// The files that differ between two trees, skipping identical subtrees unread.
pub fn changed_files(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: Option<ObjectId>,
    prefix: &str,
    out: &mut Vec<FileChange>,
) -> Result<(), GitError> {
    if old == new {
        return Ok(());
    }
    let (old_entries, new_entries) = (entries(repo, old)?, entries(repo, new)?);
    let names: std::collections::BTreeSet<&String> =
        old_entries.keys().chain(new_entries.keys()).collect();
    for name in names {
        let (o, n) = (
            old_entries.get(name).copied(),
            new_entries.get(name).copied(),
        );
        if o == n {
            continue;
        }
        let path = join(prefix, name);
        let is_tree = |e: &(ObjectId, EntryKind)| e.1 == EntryKind::Tree;
        let (o_tree, n_tree) = (o.filter(is_tree), n.filter(is_tree));
        if o_tree.is_some() || n_tree.is_some() {
            changed_files(repo, o_tree.map(|e| e.0), n_tree.map(|e| e.0), &path, out)?;
        }
        let (o_file, n_file) = (o.filter(|e| !is_tree(e)), n.filter(|e| !is_tree(e)));
        if o_file != n_file {
            out.push(FileChange {
                path,
                old: o_file,
                new: n_file,
            });
        }
    }
    Ok(())
}

/// Loads one file of a commit by id and kind (see [`load_tree_file`]).
pub fn load_entry(
    repo: &gix::Repository,
    root_tree: ObjectId,
    path: &str,
    entry: (ObjectId, EntryKind),
    opts: &LoadOptions,
) -> FileLoad {
    let file = TreeFile {
        path: path.to_string(),
        id: entry.0,
        kind: entry.1,
    };
    load_tree_file(repo, root_tree, &file, opts)
}
