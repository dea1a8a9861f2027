//! Helm charts, rendered by the `helm` binary as Argo CD does (`helm template`), on an
//! export of the chart's files: release name, namespace, value files, `--set`, CRDs, and
//! the target cluster's version and APIs when connected. Each object's source is its
//! template. Rendered twice: what differs between the renders is marked unstable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::GitError;
use super::run::run_tool;
use crate::model::appfile::HelmOptions;
use crate::model::desired::DesiredSet;
use crate::model::manifest::{LoadOptions, load_file};
use crate::model::object::Manifest;

/// How to run `helm`, and what the command line adds to the app file.
#[derive(Debug, Clone, Default)]
pub struct Tool {
    /// `helm` to run; `None`: `KDRIFT_HELM`, then PATH.
    pub program: Option<PathBuf>,
    pub timeout: Option<Duration>,
    /// `--release`; default: the app file's, then the app directory's name.
    pub release: Option<String>,
    /// `--values FILE` (relative to the chart), after the app file's.
    pub values: Vec<String>,
    /// `--set KEY=VALUE`, after the app file's.
    pub set: Vec<String>,
    /// Inline values (a controller's `helm.values`), after every values file.
    pub inline_values: Option<String>,
    /// The cluster's version and API versions (`.Capabilities`), when connected.
    pub kube_version: Option<String>,
    pub api_versions: Vec<String>,
}

pub fn program(explicit: Option<&Path>) -> Option<PathBuf> {
    explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("KDRIFT_HELM").map(PathBuf::from))
        .or_else(|| super::run::on_path("helm"))
}

/// The release name: flag, app file, then the chart directory's name.
pub fn release_name(tool: &Tool, options: &HelmOptions, path: &str) -> String {
    tool.release
        .clone()
        .or_else(|| options.release_name.clone())
        .unwrap_or_else(|| {
            let last = path
                .rsplit('/')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("release");
            crate::model::tracking::sanitize(last)
        })
}

/// Value files (relative to the chart) as paths under `root`; one that leaves the
/// repository is refused, never read from the host.
fn value_files(
    tool: &Tool,
    options: &HelmOptions,
    root: &Path,
    path: &str,
) -> Result<Vec<PathBuf>, GitError> {
    options
        .value_files
        .iter()
        .chain(&tool.values)
        .map(|vf| {
            crate::model::source::join_relative(path, vf)
                .filter(|_| !vf.starts_with('/'))
                .map(|p| root.join(p))
                .ok_or_else(|| {
                    GitError::Source(format!(
                        "value file {:?} of {path} points outside the repository; refused",
                        crate::model::logs::clean(vf)
                    ))
                })
        })
        .collect()
}

fn template_command(
    helm: &Path,
    tool: &Tool,
    options: &HelmOptions,
    (chart_dir, values): (&Path, &[PathBuf]),
    path: &str,
    namespace: &str,
) -> Command {
    let mut cmd = Command::new(helm);
    cmd.arg("template")
        .arg(release_name(tool, options, path))
        .arg(chart_dir)
        .arg("--namespace")
        .arg(namespace);
    for vf in values {
        cmd.arg("--values").arg(vf);
    }
    for (k, v) in &options.set {
        cmd.arg("--set").arg(format!("{k}={v}"));
    }
    for s in &tool.set {
        cmd.arg("--set").arg(s);
    }
    if !options.skip_crds {
        cmd.arg("--include-crds");
    }
    if let Some(v) = &tool.kube_version {
        cmd.arg("--kube-version").arg(v);
    }
    for a in &tool.api_versions {
        cmd.arg("--api-versions").arg(a);
    }
    // No network, no repositories, no plugins: what is in Git renders.
    cmd.env("HELM_REPOSITORY_CONFIG", "/dev/null")
        .env("HELM_PLUGINS", "/dev/null");
    cmd
}

/// Where a `# Source: chart/templates/x.yaml` line's template lives in the repository; a
/// local (`file://`) dependency's templates are where that chart is.
fn source_path(app_path: &str, source: &str, local: &[(String, String)]) -> String {
    let rest = source.split_once('/').map(|(_, r)| r).unwrap_or(source);
    for (name, path) in local {
        if let Some(inner) = rest.strip_prefix(&format!("charts/{name}/")) {
            return super::tree::join(path, inner);
        }
    }
    super::tree::join(app_path, rest)
}

/// A chart's local dependencies: (name, repository path).
fn local_dependencies(chart_dir: &Path, app_path: &str) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(chart_dir.join("Chart.yaml")) else {
        return Vec::new();
    };
    let Ok(chart) = crate::model::manifest::parse_yaml(&text) else {
        return Vec::new();
    };
    let Some(serde_json::Value::Array(deps)) = chart.get("dependencies") else {
        return Vec::new();
    };
    deps.iter()
        .filter_map(|d| {
            let name = d.get("name")?.as_str()?;
            let repo = d.get("repository")?.as_str()?.strip_prefix("file://")?;
            let path = crate::model::source::join_relative(app_path, repo)?;
            Some((name.to_string(), path))
        })
        .collect()
}

/// Parses `helm template` output: each document named by its template.
pub fn parse_output(
    output: &str,
    app_path: &str,
    local: &[(String, String)],
    opts: &LoadOptions,
) -> DesiredSet {
    let mut set = DesiredSet::default();
    let opts = LoadOptions {
        max_file_bytes: u64::MAX,
        ..opts.clone()
    };
    let mut current = String::new();
    let mut source = format!("helm template {app_path}");
    let flush = |text: &mut String, source: &str, set: &mut DesiredSet| {
        if !text.trim().is_empty() {
            set.add(load_file(source, text.as_bytes(), &opts));
        }
        text.clear();
    };
    for line in output.lines() {
        if line.starts_with("---") {
            flush(&mut current, &source, &mut set);
            continue;
        }
        if let Some(s) = line.strip_prefix("# Source: ") {
            source = source_path(app_path, s.trim(), local);
        }
        current.push_str(line);
        current.push('\n');
    }
    flush(&mut current, &source, &mut set);
    set
}

/// Dependencies a chart needs from a chart repository and does not vendor in `charts/`.
fn missing_dependencies(chart_dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(chart_dir.join("Chart.yaml")) else {
        return Vec::new();
    };
    let Ok(chart) = crate::model::manifest::parse_yaml(&text) else {
        return Vec::new();
    };
    let vendored = |name: &str| {
        std::fs::read_dir(chart_dir.join("charts"))
            .map(|entries| {
                entries.filter_map(|e| e.ok()).any(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n == name || (n.starts_with(&format!("{name}-")) && n.ends_with(".tgz"))
                })
            })
            .unwrap_or(false)
    };
    crate::model::source::chart_dependencies(&chart)
        .1
        .into_iter()
        .filter(|(name, _)| !vendored(name))
        .collect()
}

/// Renders the chart at `app_path` under `root` (the export, or the working tree).
pub fn render(
    tool: &Tool,
    options: &HelmOptions,
    root: &Path,
    app_path: &str,
    opts: &LoadOptions,
) -> Result<DesiredSet, GitError> {
    let chart_dir = &root.join(app_path);
    let mut values = value_files(tool, options, root, app_path)?;
    // Kept until both renders ran.
    let inline = match &tool.inline_values {
        Some(text) => {
            let mut file = tempfile::Builder::new()
                .prefix("kdrift-values-")
                .suffix(".yaml")
                .tempfile()
                .map_err(GitError::read)?;
            std::io::Write::write_all(&mut file, text.as_bytes()).map_err(GitError::read)?;
            values.push(file.path().to_path_buf());
            Some(file)
        }
        None => None,
    };
    let helm = program(tool.program.as_deref()).ok_or_else(|| {
        GitError::Source(format!(
            "{app_path} is a Helm chart (Chart.yaml), and rendering it needs `helm`: install Helm 3.8 or newer (https://helm.sh/docs/intro/install/) or name it with KDRIFT_HELM"
        ))
    })?;
    let missing = missing_dependencies(chart_dir);
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(n, r)| format!("{n} from {r}"))
            .collect();
        return Err(GitError::Source(format!(
            "the chart at {app_path} needs dependencies from a chart repository: {}; run `helm dependency build {app_path}` and commit its charts/ directory (kdrift renders what is in Git, offline)",
            list.join(", ")
        )));
    }
    let timeout = tool.timeout.unwrap_or(Duration::from_secs(60));
    let label = format!("helm template {app_path}");
    // Local (file://) dependencies are packaged into charts/ first, offline.
    if has_local_dependencies(chart_dir) {
        let mut build = Command::new(&helm);
        build
            .arg("dependency")
            .arg("build")
            .arg(chart_dir)
            .arg("--skip-refresh");
        build.env("HELM_REPOSITORY_CONFIG", "/dev/null");
        run_tool(build, timeout, &format!("helm dependency build {app_path}"))
            .map_err(GitError::Source)?;
    }
    let run = || {
        let cmd = template_command(
            &helm,
            tool,
            options,
            (chart_dir, &values),
            app_path,
            &opts.namespace,
        );
        run_tool(cmd, timeout, &label)
            .map(|out| String::from_utf8_lossy(&out).into_owned())
            .map_err(GitError::Source)
    };
    let first = run()?;
    let second = run()?;
    drop(inline);
    let local = local_dependencies(chart_dir, app_path);
    let mut set = parse_output(&first, app_path, &local, opts);
    let again = parse_output(&second, app_path, &local, opts);
    mark_unstable(&mut set, &again);
    if uses_lookup(chart_dir) {
        set.notes.push(format!(
            "the chart at {app_path} uses `lookup`, which renders empty without a cluster: objects it builds from lookups may differ from what Helm installs"
        ));
    }
    Ok(set)
}

fn has_local_dependencies(chart_dir: &Path) -> bool {
    std::fs::read_to_string(chart_dir.join("Chart.yaml"))
        .ok()
        .and_then(|t| crate::model::manifest::parse_yaml(&t).ok())
        .is_some_and(|c| !crate::model::source::chart_dependencies(&c).0.is_empty())
}

fn uses_lookup(chart_dir: &Path) -> bool {
    let mut stack = vec![chart_dir.join("templates")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if std::fs::read_to_string(&p).is_ok_and(|t| t.contains("lookup ")) {
                return true;
            }
        }
    }
    false
}

/// Marks, per object, the fields whose values differ between two renders.
fn mark_unstable(set: &mut DesiredSet, again: &DesiredSet) {
    let mut notes = Vec::new();
    for (key, m) in set.objects.iter_mut() {
        let Some(other) = again.objects.get(key) else {
            continue;
        };
        let mut paths = Vec::new();
        if m.content != other.content {
            let (this, that) = (m.tree(), other.tree());
            crate::model::normalize::differing_pointers(&this, &that, "", &mut paths);
        }
        if !paths.is_empty() {
            notes.push(format!(
                "{key}: {} change from render to render (not drift): {}",
                if paths.len() == 1 {
                    "a field"
                } else {
                    "fields"
                },
                paths.join(", ")
            ));
            set_unstable(m, paths);
        }
    }
    set.notes.extend(notes);
}

fn set_unstable(m: &mut Manifest, paths: Vec<String>) {
    m.unstable = paths;
}
