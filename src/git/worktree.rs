//! The working tree, uncommitted edits included: the operator's view before committing.

use std::path::Path;

use super::GitError;
use super::render::{Renderers, explain_empty, render_worktree};
use crate::model::desired::DesiredSet;
use crate::model::manifest::many::{FileRead, load_files};
use crate::model::manifest::{LoadError, LoadOptions, is_manifest_file};

pub fn load(
    root: &Path,
    path: &str,
    opts: &LoadOptions,
    tools: &Renderers,
) -> Result<DesiredSet, GitError> {
    let dir = root.join(path);
    if !dir.exists() {
        return Err(GitError::PathNotFound {
            path: path.to_string(),
            rev: "the working tree".into(),
        });
    }
    if dir.is_dir()
        && let Some(set) = render_worktree(root, path, opts, tools)?
    {
        return Ok(set);
    }
    let mut files = Vec::new();
    collect(root, &dir, &mut files)?;
    files.sort();
    let mut set = DesiredSet::default();
    let reads = files
        .iter()
        .map(|rel| (rel.clone(), read_one(root, rel, opts)));
    set.add_all(load_files(reads, opts));
    explain_empty(&mut set, path, &files);
    Ok(set)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), GitError> {
    if dir.is_file() {
        out.push(relative(root, dir));
        return Ok(());
    }
    for entry in std::fs::read_dir(dir).map_err(GitError::read)? {
        let entry = entry.map_err(GitError::read)?;
        let p = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        // Symlinked directories are not followed (they could loop or leave the repository).
        let ft = entry.file_type().map_err(GitError::read)?;
        if ft.is_dir() {
            collect(root, &p, out)?;
        } else if is_manifest_file(&p.to_string_lossy()) {
            out.push(relative(root, &p));
        }
    }
    Ok(())
}

fn relative(root: &Path, p: &Path) -> String {
    p.strip_prefix(root)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A file's bytes, refused when it leaves the repository or is over the cap.
fn read_one(root: &Path, rel: &str, opts: &LoadOptions) -> FileRead {
    let full = root.join(rel);
    let fail = |message: String| LoadError {
        file: rel.to_string(),
        line: None,
        column: None,
        message,
    };
    // A symlink must stay inside the repository, as in Git mode.
    match full.canonicalize() {
        Ok(target) if !target.starts_with(root.canonicalize().unwrap_or(root.to_path_buf())) => {
            return Err(fail(format!(
                "symlink to {} points outside the repository; refused",
                target.display()
            )));
        }
        Err(e) => return Err(fail(e.to_string())),
        Ok(_) => {}
    }
    match std::fs::metadata(&full) {
        Ok(m) if m.len() > opts.max_file_bytes => {
            return Err(fail(format!(
                "file is {} bytes, over the {}-byte cap; refused (raise it with --max-file-size)",
                m.len(),
                opts.max_file_bytes
            )));
        }
        Err(e) => return Err(fail(e.to_string())),
        Ok(_) => {}
    }
    std::fs::read(&full).map_err(|e| fail(e.to_string()))
}
