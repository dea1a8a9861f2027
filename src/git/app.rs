//! The app: a repository, a path inside it and a revision (or the working tree).

use std::path::{Path, PathBuf};

use gix::ObjectId;

use super::render::Renderers;
use super::tree::{AppTree, load_commit};
use super::{GitError, worktree};
use crate::model::desired::DesiredSet;
use crate::model::manifest::LoadOptions;

/// The bound of the cache of decoded pack entries, per open repository.
const PACK_CACHE_BYTES: usize = 8 * 1024 * 1024;

/// Which state of the repository to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revision {
    /// Any commit-ish: branch, tag, short hash, `HEAD~3`.
    Rev(String),
    /// The working tree, uncommitted edits included.
    Worktree,
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct AppSpec {
    /// A directory inside the repository (default: the current directory).
    pub repo: Option<PathBuf>,
    /// Path of the app inside the repository, relative to its root ("" = the root).
    pub path: String,
    pub load: LoadOptions,
    pub tools: Renderers,
}

/// An opened app.
pub struct App {
    pub repo: gix::Repository,
    /// The working tree's root (the repository's directory for a bare repository).
    pub root: PathBuf,
    pub path: String,
    pub load: LoadOptions,
    pub tools: Renderers,
}

/// Normalises an app path: forward slashes, no leading `./`, no `..` escapes; an absolute
/// path is refused rather than read as relative (`/etc` is not `etc`).
pub fn normalise_path(path: &str) -> Result<String, GitError> {
    if path.starts_with('/') || path.starts_with('\\') {
        return Err(GitError::BadPath(path.to_string()));
    }
    let mut parts = Vec::new();
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => return Err(GitError::BadPath(path.to_string())),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

impl App {
    pub fn open(spec: &AppSpec) -> Result<Self, GitError> {
        let start = match &spec.repo {
            Some(p) => p.clone(),
            None => std::env::current_dir().map_err(GitError::read)?,
        };
        let mut repo = gix::discover(&start).map_err(|e| GitError::NoRepository {
            path: start.clone(),
            reason: e.to_string(),
        })?;
        // Manifests of one app are near copies of each other, so a packed repository
        // stores most as deltas of deltas: without a cache of decoded bases, every blob
        // inflates its whole chain again (a sixth of reading a 10,000-file app).
        repo.objects.set_pack_cache(|| {
            Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
                PACK_CACHE_BYTES,
            ))
        });
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| repo.path().to_path_buf());
        Ok(App {
            repo,
            root,
            path: normalise_path(&spec.path)?,
            load: spec.load.clone(),
            tools: spec.tools.clone(),
        })
    }

    /// The commit a revision names.
    pub fn resolve(&self, rev: &str) -> Result<ObjectId, GitError> {
        let not_found = |reason: String| GitError::RevisionNotFound {
            rev: rev.to_string(),
            repo: self.root.clone(),
            reason,
        };
        let id = self.repo.rev_parse_single(rev).map_err(|e| {
            // A repository without a first commit has no HEAD to name.
            if self.repo.head().is_ok_and(|h| h.is_unborn()) {
                GitError::NoCommits(self.root.clone())
            } else {
                // gix's own text names its internals ("delegate.traverse(NthAncestor(1))").
                let text = e.to_string();
                not_found(if text.contains("Ancestor") || text.contains("traverse") {
                    "the history does not go back that far".into()
                } else if text.contains("ambiguous") || text.contains("Ambiguous") {
                    "it is ambiguous: give more of the hash".into()
                } else {
                    "no such commit, branch or tag".into()
                })
            }
        })?;
        let commit = id
            .object()
            .map_err(|e| not_found(e.to_string()))?
            .peel_to_commit()
            .map_err(|e| not_found(e.to_string()))?;
        Ok(commit.id)
    }

    /// The desired state at a revision.
    pub fn desired(&self, revision: &Revision) -> Result<DesiredSet, GitError> {
        match revision {
            Revision::Worktree => worktree::load(&self.root, &self.path, &self.load, &self.tools),
            Revision::Rev(rev) => {
                let commit = self.resolve(rev)?;
                self.desired_at(commit)
            }
        }
    }

    /// The app file at HEAD (the default when there is none or it does not parse; its
    /// errors are reported with the desired state).
    pub fn app_file(&self) -> crate::model::appfile::AppFile {
        let Ok(head) = self.resolve("HEAD") else {
            return Default::default();
        };
        let Ok(tree) = AppTree::at(&self.repo, head, "") else {
            return Default::default();
        };
        let files = super::files::CommitFiles {
            repo: &self.repo,
            root_tree: tree.root_tree,
        };
        super::inputs::Inputs::at(&files, &self.path)
            .map(|i| i.app_file)
            .unwrap_or_default()
    }

    /// The desired state at a commit, read from Git objects only.
    pub fn desired_at(&self, commit: ObjectId) -> Result<DesiredSet, GitError> {
        let tree = AppTree::at(&self.repo, commit, &self.path)?;
        load_commit(
            &self.repo,
            commit,
            &tree,
            &self.path,
            &self.load,
            &self.tools,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_paths_are_normalised_and_kept_inside() {
        assert_eq!(normalise_path("./deploy//web/").unwrap(), "deploy/web");
        assert_eq!(normalise_path("").unwrap(), "");
        assert!(normalise_path("../elsewhere").is_err());
        assert!(normalise_path("a/../../b").is_err());
    }
}
