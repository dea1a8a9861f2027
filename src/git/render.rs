//! The desired state of an app from its source, at a commit or in the working tree: plain
//! manifests, kustomize, a Helm chart or jsonnet, decided by what the app path holds.

use std::path::Path;

use super::files::CommitFiles;
use super::inputs::Inputs;
use super::{GitError, helm, jsonnet, kustomize};
use crate::model::appfile::AppFile;
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadError, LoadOptions};
use crate::model::source::{APP_FILE, SourceKind, detect, unsupported};

/// The programs that render sources, and how.
#[derive(Debug, Clone, Default)]
pub struct Renderers {
    pub kustomize: kustomize::Tool,
    pub helm: helm::Tool,
    pub jsonnet: jsonnet::Tool,
}

fn export_dir(inputs: &Inputs, files: &CommitFiles<'_>) -> Result<tempfile::TempDir, GitError> {
    let tmp = tempfile::Builder::new()
        .prefix("kdrift-render-")
        .tempdir()
        .map_err(GitError::read)?;
    files.export(&inputs.paths, tmp.path())?;
    Ok(tmp)
}

/// Renders the app whose inputs at a commit are `inputs`.
pub fn render_commit(
    files: &CommitFiles<'_>,
    inputs: &Inputs,
    path: &str,
    opts: &LoadOptions,
    tools: &Renderers,
) -> Result<DesiredSet, GitError> {
    let mut set = match inputs.kind {
        SourceKind::Plain => return Err(GitError::Source("plain apps load file by file".into())),
        SourceKind::Kustomize => {
            kustomize::build_commit(files, inputs, path, opts, &tools.kustomize)?
        }
        SourceKind::Helm => {
            let tmp = export_dir(inputs, files)?;
            helm::render(&tools.helm, &inputs.app_file.helm, tmp.path(), path, opts)?
        }
        SourceKind::Jsonnet => {
            if !inputs.escapes.is_empty() {
                let list: Vec<String> = inputs
                    .escapes
                    .iter()
                    .map(|e| crate::model::logs::clean(e))
                    .collect();
                return Err(GitError::Source(format!(
                    "{path} imports files outside the repository ({}); refused: kdrift renders only what is in Git",
                    list.join(", ")
                )));
            }
            let tmp = export_dir(inputs, files)?;
            let dir = tmp.path().join(path);
            jsonnet::render(&tools.jsonnet, &inputs.app_file.jsonnet, &dir, path, opts)?
        }
    };
    set.errors.extend(inputs.problems.iter().cloned());
    Ok(set)
}

/// A plain app that yielded nothing: say what its files are, if kdrift knows them.
pub fn explain_empty(set: &mut DesiredSet, path: &str, files: &[String]) {
    if set.objects.is_empty()
        && set.errors.is_empty()
        && set.hooks.is_empty()
        && let Some(note) = unsupported(files)
    {
        set.errors.push(LoadError {
            file: if path.is_empty() {
                ".".into()
            } else {
                path.into()
            },
            line: None,
            column: None,
            message: note,
        });
    }
}

/// The app file in the working tree, if any.
fn worktree_app_file(dir: &Path, path: &str) -> Result<AppFile, LoadError> {
    let file = super::tree::join(path, APP_FILE);
    match std::fs::read_to_string(dir.join(APP_FILE)) {
        Ok(text) => crate::model::appfile::parse(&file, &text),
        Err(_) => Ok(AppFile::default()),
    }
}

/// Renders a kustomize, Helm or jsonnet app in the working tree; `None` for plain ones.
pub fn render_worktree(
    root: &Path,
    path: &str,
    opts: &LoadOptions,
    tools: &Renderers,
) -> Result<Option<DesiredSet>, GitError> {
    let dir = &root.join(path);
    let names: Vec<String> = std::fs::read_dir(dir)
        .map_err(GitError::read)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    let (app_file, problem) = match worktree_app_file(dir, path) {
        Ok(f) => (f, None),
        Err(e) => (AppFile::default(), Some(e)),
    };
    let mut set = match detect(&names) {
        SourceKind::Plain => return Ok(None),
        SourceKind::Kustomize => {
            let output = tools.kustomize.build(dir, path)?;
            kustomize::parse_output(&output, path, opts)
        }
        SourceKind::Helm => helm::render(&tools.helm, &app_file.helm, root, path, opts)?,
        SourceKind::Jsonnet => jsonnet::render(&tools.jsonnet, &app_file.jsonnet, dir, path, opts)?,
    };
    set.errors.extend(problem);
    Ok(Some(set))
}
