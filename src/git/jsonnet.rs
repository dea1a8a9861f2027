//! jsonnet apps, evaluated by the `jsonnet` binary (go-jsonnet, the implementation Argo CD
//! embeds) on an export of the files they import, with the app file's external variables,
//! top-level arguments and library paths.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::GitError;
use super::run::{on_path, run_tool};
use crate::model::appfile::JsonnetOptions;
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadOptions, load_file};

#[derive(Debug, Clone, Default)]
pub struct Tool {
    /// `jsonnet` to run; `None`: `KDRIFT_JSONNET`, then PATH.
    pub program: Option<PathBuf>,
    pub timeout: Option<Duration>,
}

fn program(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KDRIFT_JSONNET").map(PathBuf::from))
        .or_else(|| on_path("jsonnet"))
}

/// The entry point: the app file's `main`, else the only `.jsonnet` file in the directory.
fn main_file(dir: &Path, options: &JsonnetOptions, app_path: &str) -> Result<String, GitError> {
    if let Some(main) = &options.main {
        return Ok(main.clone());
    }
    let mut found: Vec<String> = std::fs::read_dir(dir)
        .map_err(GitError::read)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonnet"))
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(GitError::Source(format!("{app_path} has no .jsonnet file"))),
        many => Err(GitError::Source(format!(
            "{app_path} has {} .jsonnet files ({}): name the entry point as `jsonnet: {{main: FILE}}` in {app_path}/.kdrift.yaml",
            many.len(),
            many.join(", ")
        ))),
    }
}

/// Objects from jsonnet's output: an object, a `List`, an array, or an object of objects.
fn objects(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.into_iter().flat_map(objects).collect(),
        Value::Object(ref map) if map.contains_key("kind") => vec![value],
        Value::Object(map) => map.into_iter().flat_map(|(_, v)| objects(v)).collect(),
        _ => Vec::new(),
    }
}

/// Evaluates the app at `dir` (the export, or the working tree).
pub fn render(
    tool: &Tool,
    options: &JsonnetOptions,
    dir: &Path,
    app_path: &str,
    opts: &LoadOptions,
) -> Result<DesiredSet, GitError> {
    let jsonnet = program(tool.program.as_deref()).ok_or_else(|| {
        GitError::Source(format!(
            "{app_path} is a jsonnet app (*.jsonnet), and evaluating it needs `jsonnet` (go-jsonnet): `go install github.com/google/go-jsonnet/cmd/jsonnet@v0.22.0`, or name it with KDRIFT_JSONNET"
        ))
    })?;
    let main = main_file(dir, options, app_path)?;
    let mut cmd = Command::new(jsonnet);
    cmd.current_dir(dir);
    for lib in &options.libs {
        cmd.arg("--jpath").arg(dir.join(lib));
    }
    for (k, v) in &options.ext_vars {
        cmd.arg("--ext-str").arg(format!("{k}={v}"));
    }
    for (k, v) in &options.tlas {
        cmd.arg("--tla-str").arg(format!("{k}={v}"));
    }
    cmd.arg(&main);
    let label = format!("jsonnet {}", super::tree::join(app_path, &main));
    let out = run_tool(cmd, tool.timeout.unwrap_or(Duration::from_secs(60)), &label)
        .map_err(GitError::Source)?;
    let value: Value = serde_json::from_slice(&out)
        .map_err(|e| GitError::Source(format!("{label} printed no JSON: {e}")))?;
    let mut set = DesiredSet::default();
    let opts = LoadOptions {
        max_file_bytes: u64::MAX,
        ..opts.clone()
    };
    for (i, object) in objects(value).into_iter().enumerate() {
        let text = serde_json::to_vec(&object).unwrap_or_default();
        let mut load = load_file(&label, &text, &opts);
        for m in &mut load.manifests {
            m.source.document = i;
        }
        set.add(load);
    }
    Ok(set)
}
