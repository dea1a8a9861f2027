use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("no Git repository at or above {path}: {reason}")]
    NoRepository { path: PathBuf, reason: String },
    #[error("revision {rev:?} not found in {repo}: {reason}")]
    RevisionNotFound {
        rev: String,
        repo: PathBuf,
        reason: String,
    },
    #[error("path {path:?} does not exist at {rev}")]
    PathNotFound { path: String, rev: String },
    #[error("{path:?} is not a directory or manifest file at {rev}")]
    NotADirectory { path: String, rev: String },
    #[error(
        "the app path {0:?} must be relative to the repository root (such as apps/web) and stay inside it"
    )]
    BadPath(String),
    #[error("the repository at {0} has no commits yet: commit the manifests first")]
    NoCommits(PathBuf),
    #[error("reading the repository: {0}")]
    Read(String),
    #[error("kustomize: {0}")]
    Kustomize(String),
    /// Rendering a source (a chart, jsonnet, the files it needs) failed.
    #[error("{0}")]
    Source(String),
}

impl GitError {
    pub fn read(e: impl std::fmt::Display) -> Self {
        GitError::Read(e.to_string())
    }
}
