//! kustomize apps: the files the overlay reads (its resources, bases, components, patches
//! and generator files, followed recursively) are exported to a temporary directory
//! (symlinks leaving the repository refused) and `kustomize build` (or `kubectl
//! kustomize`) runs on it with a timeout.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::GitError;
use super::files::CommitFiles;
use super::inputs::Inputs;
use super::run::{on_path, run_tool};
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadOptions, load_file};

/// File names that make a directory a kustomization.
pub const FILE_NAMES: [&str; 3] = crate::model::source::KUSTOMIZATION_FILES;

/// Which program renders kustomizations, and how long it may take.
#[derive(Debug, Clone)]
pub struct Tool {
    /// `kustomize` or `kubectl` (by file name); `None` searches PATH for either.
    pub program: Option<PathBuf>,
    pub timeout: Duration,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            program: None,
            timeout: Duration::from_secs(60),
        }
    }
}

impl Tool {
    fn command(&self, dir: &Path) -> Result<Command, GitError> {
        let program = match &self.program {
            Some(p) => p.clone(),
            None => on_path("kustomize").or_else(|| on_path("kubectl")).ok_or_else(|| {
                GitError::Kustomize(
                    "neither `kustomize` nor `kubectl` is on PATH: install one, or name it with --kustomize PATH"
                        .into(),
                )
            })?,
        };
        let is_kubectl = program
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("kubectl"));
        let mut cmd = Command::new(&program);
        cmd.arg(if is_kubectl { "kustomize" } else { "build" })
            .arg(dir);
        Ok(cmd)
    }

    /// Runs the tool on `dir` and returns what it printed.
    pub fn build(&self, dir: &Path, label: &str) -> Result<Vec<u8>, GitError> {
        let cmd = self.command(dir)?;
        let program = cmd.get_program().to_string_lossy().into_owned();
        run_tool(cmd, self.timeout, &format!("{program} on {label}")).map_err(GitError::Kustomize)
    }
}

/// Parses a build's output into a desired set; objects name `kustomize build PATH`.
pub fn parse_output(output: &[u8], path: &str, opts: &LoadOptions) -> DesiredSet {
    let label = format!(
        "kustomize build {}",
        if path.is_empty() { "." } else { path }
    );
    // The output is the tool's, not a file in the repository: no size cap applies to it.
    let opts = LoadOptions {
        max_file_bytes: u64::MAX,
        ..opts.clone()
    };
    let mut set = DesiredSet::default();
    set.add(load_file(&format!("{label}.yaml"), output, &opts));
    for m in set.objects.values_mut() {
        m.source.file = label.clone();
    }
    set
}

/// Renders a kustomization at a commit from an export of exactly the files it reads.
pub fn build_commit(
    files: &CommitFiles<'_>,
    inputs: &Inputs,
    path: &str,
    opts: &LoadOptions,
    tool: &Tool,
) -> Result<DesiredSet, GitError> {
    if !inputs.remote.is_empty() {
        return Err(GitError::Kustomize(format!(
            "{} refers to remote bases, which kdrift does not fetch (it renders what is in Git, offline): {}; vendor them into the repository",
            if path.is_empty() { "." } else { path },
            inputs.remote.join(", ")
        )));
    }
    let tmp = tempfile::Builder::new()
        .prefix("kdrift-kustomize-")
        .tempdir()
        .map_err(GitError::read)?;
    files.export(&inputs.paths, tmp.path())?;
    let output = tool.build(&tmp.path().join(path), path)?;
    Ok(parse_output(&output, path, opts))
}
