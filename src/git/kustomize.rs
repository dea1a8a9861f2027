//! kustomize apps: the commit's tree is exported to a temporary directory (symlinks leaving
//! the repository refused) and `kustomize build` (or `kubectl kustomize`) runs on it with a
//! timeout.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use gix::ObjectId;
use gix::objs::tree::EntryKind;

use super::GitError;
use super::tree::{files_under, resolve_link};
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadOptions, load_file};

/// File names that make a directory a kustomization.
pub const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

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

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
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
        let mut cmd = self.command(dir)?;
        let program = cmd.get_program().to_string_lossy().into_owned();
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| GitError::Kustomize(format!("cannot run {program}: {e}")))?;
        // Read both pipes while waiting, so a chatty tool cannot block on a full pipe.
        let stdout = child.stdout.take().map(reader_thread);
        let stderr = child.stderr.take().map(reader_thread);
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(GitError::Kustomize(format!(
                        "{program} on {label} did not finish within {}s; stopped",
                        self.timeout.as_secs()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(GitError::Kustomize(e.to_string())),
            }
        };
        let out = stdout.and_then(|t| t.join().ok()).unwrap_or_default();
        let err = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
        if !status.success() {
            return Err(GitError::Kustomize(format!(
                "{program} failed on {label} ({status}): {}",
                String::from_utf8_lossy(&err).trim()
            )));
        }
        Ok(out)
    }
}

fn reader_thread<R: Read + Send + 'static>(mut r: R) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Writes the commit's whole tree under `dir` (overlays reach into sibling directories).
fn export(repo: &gix::Repository, root_tree: ObjectId, dir: &Path) -> Result<(), GitError> {
    for file in files_under(repo, root_tree, "")? {
        let dest = dir.join(&file.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(GitError::read)?;
        }
        let blob = repo.find_blob(file.id).map_err(GitError::read)?;
        match file.kind {
            EntryKind::Link => {
                let target = String::from_utf8_lossy(&blob.data).into_owned();
                if resolve_link(&file.path, &target).is_none() {
                    return Err(GitError::Kustomize(format!(
                        "symlink {} -> {target} points outside the repository; refused",
                        file.path
                    )));
                }
                std::os::unix::fs::symlink(&target, &dest).map_err(GitError::read)?;
            }
            EntryKind::Blob | EntryKind::BlobExecutable => {
                std::fs::write(&dest, &blob.data).map_err(GitError::read)?;
            }
            _ => {}
        }
    }
    Ok(())
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

pub fn build_commit(
    repo: &gix::Repository,
    root_tree: ObjectId,
    path: &str,
    opts: &LoadOptions,
    tool: &Tool,
) -> Result<DesiredSet, GitError> {
    let tmp = tempfile::Builder::new()
        .prefix("kdrift-kustomize-")
        .tempdir()
        .map_err(GitError::read)?;
    export(repo, root_tree, tmp.path())?;
    let output = tool.build(&tmp.path().join(path), path)?;
    Ok(parse_output(&output, path, opts))
}
