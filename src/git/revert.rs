//! Revert commits: a commit on top of HEAD whose app path matches an older commit's tree
//! (the rest of the tree unchanged), on its own branch, written with gix without touching
//! the working tree, the index or the current branch.

use gix::ObjectId;
use gix::refs::transaction::PreviousValue;

use super::tree::AppTree;
use super::{App, GitError};

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevertCommit {
    pub commit: ObjectId,
    pub branch: String,
}

/// What `write` did, in a sentence: the commit and branch, or why none was needed.
pub fn describe(written: Option<&RevertCommit>, rev: ObjectId) -> String {
    match written {
        Some(rc) => format!(
            "Wrote revert commit {} on branch {}: the app path as of {}, on top of HEAD.",
            rc.commit.to_hex_with_len(7),
            rc.branch,
            rev.to_hex_with_len(7)
        ),
        None => format!(
            "No revert commit needed: HEAD's app path already matches {}.",
            rev.to_hex_with_len(7)
        ),
    }
}

pub fn default_branch(rev: ObjectId) -> String {
    format!("kdrift/rollback-{}", rev.to_hex_with_len(7))
}

/// Writes the revert commit for the app path at `rev` on `branch` (default
/// `kdrift/rollback-<short rev>`). `Ok(None)` when HEAD's app path already matches `rev`.
pub fn write(
    app: &App,
    rev: ObjectId,
    branch: Option<&str>,
) -> Result<Option<RevertCommit>, GitError> {
    let repo = &app.repo;
    let head = app.resolve("HEAD")?;
    let head_tree = AppTree::at(repo, head, &app.path)?;
    let rev_tree = AppTree::at(repo, rev, &app.path)?;
    if head_tree.entry == rev_tree.entry {
        return Ok(None);
    }
    let new_tree = if app.path.is_empty() {
        rev_tree.root_tree
    } else {
        let mut editor = repo
            .edit_tree(head_tree.root_tree)
            .map_err(GitError::read)?;
        match rev_tree.entry {
            Some((id, kind)) => editor
                .upsert(app.path.as_str(), kind, id)
                .map_err(GitError::read)?,
            None => editor.remove(app.path.as_str()).map_err(GitError::read)?,
        };
        editor.write().map_err(GitError::read)?.detach()
    };
    let short = rev.to_hex_with_len(7).to_string();
    let shown_path = if app.path.is_empty() {
        "."
    } else {
        app.path.as_str()
    };
    let message = format!(
        "Roll back {shown_path} to {short}\n\nWritten by kdrift rollback: the tree at {shown_path} is as of {rev};\nthe rest of the repository is as at {head}.\n"
    );
    let commit = repo
        .new_commit(message, new_tree, [head])
        .map_err(|e| GitError::Read(format!("{e} (set git config user.name and user.email)")))?;
    let branch = branch
        .map(str::to_string)
        .unwrap_or_else(|| default_branch(rev));
    repo.reference(
        format!("refs/heads/{branch}").as_str(),
        commit.id,
        PreviousValue::MustNotExist,
        format!("kdrift rollback to {short}"),
    )
    .map_err(|e| GitError::Read(format!("cannot create branch {branch}: {e}")))?;
    Ok(Some(RevertCommit {
        commit: commit.id,
        branch,
    }))
}
