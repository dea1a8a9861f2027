//! Turning the app arguments into an opened app.

use std::time::Duration;

use crate::cli::AppArgs;
use crate::git::kustomize::Tool;
use crate::git::{App, AppSpec, GitError, Revision};
use crate::model::manifest::LoadOptions;

pub fn open(args: &AppArgs) -> Result<App, GitError> {
    App::open(&AppSpec {
        repo: args.repo.clone(),
        path: args.path.clone(),
        load: LoadOptions {
            namespace: args.namespace.clone(),
            max_file_bytes: args.max_file_size,
        },
        kustomize: Tool {
            program: args.kustomize.clone(),
            timeout: Duration::from_secs(args.kustomize_timeout),
        },
    })
}

/// The revision to read (`--rev`, or the working tree with `--worktree`) and the full hash
/// of the commit, if it is one.
pub fn revision(
    app: &App,
    rev: &str,
    worktree: bool,
) -> Result<(Revision, Option<String>), GitError> {
    if worktree {
        return Ok((Revision::Worktree, None));
    }
    let id = app.resolve(rev)?.to_string();
    Ok((Revision::Rev(id.clone()), Some(id)))
}
