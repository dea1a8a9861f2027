//! Parsing manifest files into desired objects: multi-document YAML, JSON, `kind: List`.
//! Bad input is reported precisely and never stops the other documents and files.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::object::{Compact, Manifest, ObjectId, SourceRef, is_cluster_scoped, split_api_version};

/// Limits and defaults for reading manifests.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Namespace for namespaced objects that name none.
    pub namespace: String,
    /// Files larger than this are refused.
    pub max_file_bytes: u64,
}

pub const DEFAULT_MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            namespace: "default".into(),
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
        }
    }
}

/// A problem with the input, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::text::inert(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": {}", super::text::inert(&self.message))
    }
}

/// A document that is not a Kubernetes object, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub document: usize,
    pub line: usize,
    pub reason: String,
}

/// What one file yielded.
#[derive(Debug, Default, Clone)]
pub struct FileLoad {
    pub manifests: Vec<Manifest>,
    pub hooks: Vec<super::hook::Hook>,
    pub skipped: Vec<Skipped>,
    pub errors: Vec<LoadError>,
}

/// True for the file names kdrift reads as manifests (the app file is kdrift's own).
pub fn is_manifest_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    if name == super::source::APP_FILE {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json")
}

/// Parses one file's bytes. `file` names it in every message.
pub fn load_file(file: &str, bytes: &[u8], opts: &LoadOptions) -> FileLoad {
    let mut out = FileLoad::default();
    if bytes.len() as u64 > opts.max_file_bytes {
        out.errors.push(LoadError {
            file: file.into(),
            line: None,
            column: None,
            message: format!(
                "file is {} bytes, over the {}-byte cap; refused (raise it with --max-file-size)",
                bytes.len(),
                opts.max_file_bytes
            ),
        });
        return out;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            out.errors.push(LoadError {
                file: file.into(),
                line: None,
                column: None,
                message: format!("not UTF-8 text: {e}"),
            });
            return out;
        }
    };
    if file.to_ascii_lowercase().ends_with(".json") {
        match serde_json::from_str::<Value>(text) {
            Ok(value) => {
                let at = Position {
                    document: 0,
                    line: 1,
                    text: None,
                };
                add_document(&mut out, value, file, at, opts)
            }
            Err(e) => out.errors.push(LoadError {
                file: file.into(),
                line: Some(e.line()),
                column: Some(e.column()),
                message: format!("invalid JSON: {e}"),
            }),
        }
        return out;
    }
    for (index, doc) in split_documents(text).into_iter().enumerate() {
        if doc.is_blank() {
            continue;
        }
        // Leading blank lines make the parser's line numbers (in its location and its
        // message) the file's own.
        let padded = format!("{}{}", "\n".repeat(doc.first_line - 1), doc.text);
        match parse_yaml(&padded) {
            Ok(value) => {
                let at = Position {
                    document: index,
                    line: doc.start_line,
                    text: Some(&padded),
                };
                add_document(&mut out, value, file, at, opts)
            }
            Err(e) => out
                .errors
                .push(words::yaml_error_in(file, e, Some(&padded))),
        }
    }
    out
}

/// One YAML document of a stream, with the line it starts on.
#[derive(Debug, PartialEq)]
pub struct RawDocument {
    pub text: String,
    /// The file line of the text's first line.
    pub first_line: usize,
    /// The file line where the document's content starts (after leading comments).
    pub start_line: usize,
}

impl RawDocument {
    fn is_blank(&self) -> bool {
        self.text
            .lines()
            .map(str::trim)
            .all(|l| l.is_empty() || l.starts_with('#'))
    }
}

/// Splits a YAML stream at `---` (and `...`) markers, keeping line numbers. Content after a
/// `---` on the same line stays, with the marker blanked so columns still match. Every
/// segment with any text (comments too) counts as a document, so indexes match the file.
pub fn split_documents(text: &str) -> Vec<RawDocument> {
    let mut docs = Vec::new();
    let mut current = String::new();
    let mut first_line = 1;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let is_start =
            line.starts_with("---") && line[3..].chars().next().is_none_or(char::is_whitespace);
        let is_end = line == "..." || line.starts_with("... ");
        if is_start || is_end {
            push_document(&mut docs, std::mem::take(&mut current), first_line);
            if is_start {
                current.push_str("   ");
                current.push_str(&line[3..]);
                current.push('\n');
                first_line = line_no;
            } else {
                first_line = line_no + 1;
            }
            continue;
        }
        current.push_str(line);
        current.push('\n');
    }
    push_document(&mut docs, current, first_line);
    docs
}

fn push_document(docs: &mut Vec<RawDocument>, text: String, first_line: usize) {
    if text.trim().is_empty() {
        return;
    }
    // An object "starts" at its first line of content, not at comments above it.
    let offset = text
        .lines()
        .position(|l| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .unwrap_or(0);
    docs.push(RawDocument {
        text,
        first_line,
        start_line: first_line + offset,
    });
}

pub(crate) fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // Alias bombs ("billion laughs") expand a few anchors into millions of nodes: refuse
    // them long before they cost memory.
    options.alias_limits.max_total_replayed_events = 100_000;
    options.alias_limits.max_alias_expansions_per_anchor = 1_000;
    options
}

/// One YAML document, with the same limits as manifests.
pub fn parse_yaml(text: &str) -> Result<Value, serde_saphyr::Error> {
    serde_saphyr::from_str_with_options::<Value>(text, yaml_options())
}

/// A YAML error in kdrift's words, naming the file, line and column.
pub fn yaml_error(file: &str, e: serde_saphyr::Error) -> LoadError {
    words::yaml_error_in(file, e, None)
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Where a document is: its index, its first line, its text (for a List's items).
struct Position<'t> {
    document: usize,
    line: usize,
    text: Option<&'t str>,
}

fn add_document(
    out: &mut FileLoad,
    value: Value,
    file: &str,
    at: Position<'_>,
    opts: &LoadOptions,
) {
    let Position {
        document,
        line,
        text,
    } = at;
    let source = SourceRef {
        file: file.into(),
        document,
        line,
    };
    let skip = |reason: &str| Skipped {
        file: file.into(),
        document,
        line,
        reason: reason.into(),
    };
    if value.is_null() {
        return;
    }
    if !value.is_object() {
        out.skipped
            .push(skip("not a mapping: not a Kubernetes object"));
        return;
    }
    let (Some(api_version), Some(kind)) = (str_at(&value, "apiVersion"), str_at(&value, "kind"))
    else {
        out.skipped
            .push(skip("no apiVersion and kind: not a Kubernetes object"));
        return;
    };
    let (group, _) = split_api_version(api_version);
    if group == "kustomize.config.k8s.io" || group == "config.kubernetes.io" {
        out.skipped
            .push(skip("kustomize configuration, not a cluster object"));
        return;
    }
    if kind.ends_with("List")
        && let Some(items) = value.get("items").and_then(Value::as_array)
    {
        let lines = text.and_then(|t| words::list_item_lines(t, items.len()));
        for (i, item) in items.clone().into_iter().enumerate() {
            let item_source = SourceRef {
                line: lines.as_ref().map_or(line, |l| l[i]),
                ..source.clone()
            };
            add_object(out, item, &item_source, opts);
        }
        return;
    }
    add_object(out, value, &source, opts);
}

fn add_object(out: &mut FileLoad, mut value: Value, source: &SourceRef, opts: &LoadOptions) {
    let api_version = str_at(&value, "apiVersion").unwrap_or_default().to_string();
    let kind = str_at(&value, "kind").unwrap_or_default().to_string();
    let meta_text = |key: &str| {
        value
            .get("metadata")
            .and_then(|m| str_at(m, key))
            .filter(|n| !n.is_empty())
            .map(str::to_string)
    };
    let name = meta_text("name");
    let generate_name = meta_text("generateName");
    let hook = super::hook::annotation(&value);
    let generated = name.is_none() && generate_name.is_some();
    let Some(name) = name.or(generate_name) else {
        out.errors.push(LoadError {
            file: source.file.clone(),
            line: Some(source.line),
            column: None,
            message: format!("{kind} object has no metadata.name"),
        });
        return;
    };
    let (group, version) = split_api_version(&api_version);
    let namespace = if is_cluster_scoped(&group, &kind) {
        None
    } else {
        let ns = value
            .get("metadata")
            .and_then(|m| str_at(m, "namespace"))
            .filter(|n| !n.is_empty())
            .unwrap_or(&opts.namespace)
            .to_string();
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
        Some(ns)
    };
    let id = ObjectId {
        group,
        version,
        kind,
        namespace,
        name,
    };
    if generated || hook.is_some() {
        out.hooks.push(super::hook::Hook {
            id,
            generated,
            phase: super::hook::phase(hook.as_deref()),
            annotation: hook,
            source: source.clone(),
            content: value,
        });
        return;
    }
    match Compact::checked(&value) {
        Ok(content) => out.manifests.push(Manifest {
            id,
            source: source.clone(),
            content,
            unstable: Vec::new(),
        }),
        Err(e) => out.errors.push(LoadError {
            file: source.file.clone(),
            line: Some(source.line),
            column: None,
            message: format!("{} {}: {e}", id.kind, id.name),
        }),
    }
}

pub mod many;
mod words;

#[cfg(test)]
mod tests;
