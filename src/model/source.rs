//! What kind of source an app path is, and what each kind reads: a kustomization's
//! resources, bases, components, patches and generator files; a chart's value files and
//! local dependencies; a jsonnet file's imports. Pure: callers read the files.

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Plain,
    Kustomize,
    Helm,
    Jsonnet,
}

impl SourceKind {
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Plain => "plain",
            SourceKind::Kustomize => "kustomize",
            SourceKind::Helm => "helm",
            SourceKind::Jsonnet => "jsonnet",
        }
    }
}

/// File names that make a directory a kustomization.
pub const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The app file beside the app's sources: render options declared in Git.
pub const APP_FILE: &str = ".kdrift.yaml";

/// Decides from the names of the files directly in the app directory.
pub fn detect(names: &[String]) -> SourceKind {
    let has = |n: &str| names.iter().any(|x| x == n);
    if KUSTOMIZATION_FILES.iter().any(|n| has(n)) {
        SourceKind::Kustomize
    } else if has("Chart.yaml") {
        SourceKind::Helm
    } else if names.iter().any(|n| n.ends_with(".jsonnet")) {
        SourceKind::Jsonnet
    } else {
        SourceKind::Plain
    }
}

/// Files kdrift cannot render, by what they are, for a path that holds no manifests.
pub fn unsupported(paths: &[String]) -> Option<String> {
    const KNOWN: [(&str, &str); 10] = [
        (".cue", "CUE"),
        (".tf", "Terraform"),
        (".pkl", "Pkl"),
        (".star", "Starlark (ytt, Tilt)"),
        (".dhall", "Dhall"),
        (".ts", "TypeScript (cdk8s?)"),
        (".py", "Python (cdk8s?)"),
        (".tpl", "Go templates outside a Helm chart"),
        (
            ".libsonnet",
            "jsonnet libraries without a .jsonnet entry point",
        ),
        (".j2", "Jinja templates"),
    ];
    let mut found: Vec<String> = Vec::new();
    for (ext, what) in KNOWN {
        let n = paths.iter().filter(|p| p.ends_with(ext)).count();
        if n > 0 {
            found.push(format!("{n} {what} file(s) ({ext})"));
        }
    }
    if paths
        .iter()
        .any(|p| p.ends_with("plugin.yaml") || p.ends_with(".argocd-source.yaml"))
    {
        found
            .push("an Argo CD config-management plugin's files (kdrift cannot run plugins)".into());
    }
    (!found.is_empty()).then(|| {
        format!(
            "no Kubernetes manifests here, only {}: kdrift renders plain YAML/JSON, kustomize, Helm charts and jsonnet",
            found.join(", ")
        )
    })
}

/// What a kustomization refers to, relative to its directory.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KustomizeRefs {
    /// Files and directories in the repository.
    pub local: Vec<String>,
    /// Remote bases (URLs), which kdrift does not fetch.
    pub remote: Vec<String>,
}

fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.starts_with("git@")
        || entry.contains("?ref=")
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The paths a kustomization (parsed) names: resources, bases, components, crds,
/// generators/transformers/validators given as files, patches (`path`), the old
/// `patchesStrategicMerge` and `patchesJson6902`, replacements, configurations,
/// openapi, and the files of config map and secret generators (`files` as `key=path`,
/// `envs`, `env`).
pub fn kustomize_refs(k: &Value) -> KustomizeRefs {
    let mut all: Vec<String> = Vec::new();
    for key in [
        "resources",
        "bases",
        "components",
        "crds",
        "generators",
        "transformers",
        "validators",
        "configurations",
        "patchesStrategicMerge",
    ] {
        // Inline YAML (a patch or a generator written in place) holds a newline.
        all.extend(
            strings(k.get(key))
                .into_iter()
                .filter(|s| !s.contains('\n')),
        );
    }
    for key in ["patches", "patchesJson6902", "replacements"] {
        if let Some(Value::Array(items)) = k.get(key) {
            all.extend(
                items
                    .iter()
                    .filter_map(|i| i.get("path").and_then(Value::as_str).map(str::to_string)),
            );
        }
    }
    if let Some(p) = k.pointer("/openapi/path").and_then(Value::as_str) {
        all.push(p.to_string());
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        if let Some(Value::Array(items)) = k.get(key) {
            for g in items {
                for f in strings(g.get("files")) {
                    // `key=path` names the key; the file is after `=`.
                    all.push(f.rsplit_once('=').map(|(_, p)| p.to_string()).unwrap_or(f));
                }
                all.extend(strings(g.get("envs")));
                all.extend(strings(g.get("env")));
            }
        }
    }
    let (remote, local): (Vec<String>, Vec<String>) = all.into_iter().partition(|e| is_remote(e));
    KustomizeRefs { local, remote }
}

/// Joins a path relative to `dir` (both repository-relative) and normalises it; `None`
/// when it leaves the repository.
pub fn join_relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if rel.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// A chart's local dependencies (`repository: file://…`) and those that need a chart
/// repository, from its Chart.yaml (parsed).
pub fn chart_dependencies(chart: &Value) -> (Vec<String>, Vec<(String, String)>) {
    let mut local = Vec::new();
    let mut remote = Vec::new();
    if let Some(Value::Array(deps)) = chart.get("dependencies") {
        for d in deps {
            let name = d.get("name").and_then(Value::as_str).unwrap_or("?");
            match d.get("repository").and_then(Value::as_str) {
                Some(r) if r.starts_with("file://") => {
                    local.push(r.trim_start_matches("file://").to_string())
                }
                Some(r) if !r.is_empty() => remote.push((name.to_string(), r.to_string())),
                _ => {}
            }
        }
    }
    (local, remote)
}

/// The files a jsonnet file imports (`import`, `importstr`, `importbin`), as written.
pub fn jsonnet_imports(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for keyword in ["importstr", "importbin", "import"] {
        let mut rest = text;
        while let Some(i) = rest.find(keyword) {
            let after = &rest[i + keyword.len()..];
            rest = after;
            let trimmed = after.trim_start();
            let Some(quote) = trimmed.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            if let Some(end) = trimmed[1..].find(quote) {
                let path = &trimmed[1..1 + end];
                if !out.iter().any(|p: &String| p == path) {
                    out.push(path.to_string());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
