//! `managedFields`: who owns which field, and the live-drift lens built on it.
//!
//! Live drift is what the cluster holds that Git does not say: fields owned by a manager
//! other than kdrift and the control plane's controllers, whose live value is absent from
//! (or differs from) the reference, i.e. the Git object as the API server would store it
//! (with its defaults, from a dry-run create) or, failing that, the Git object itself.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

/// One step of a field path, as `fieldsV1` writes them.
#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    /// `f:name`
    Field(String),
    /// `k:{"name":"app"}`: the list item whose fields match.
    Key(Map<String, Value>),
    /// `v:"value"`: the set item equal to it.
    Value(Value),
    /// `i:0`
    Index(usize),
}

pub fn parse_seg(key: &str) -> Option<Seg> {
    let (tag, rest) = key.split_once(':')?;
    match tag {
        "f" => Some(Seg::Field(rest.to_string())),
        "k" => serde_json::from_str::<Map<String, Value>>(rest)
            .ok()
            .map(Seg::Key),
        "v" => serde_json::from_str(rest).ok().map(Seg::Value),
        "i" => rest.parse().ok().map(Seg::Index),
        _ => None,
    }
}

/// A path rendered as operators read it: `spec.template.spec.containers[name=app].env`.
pub fn display_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Field(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(name);
            }
            Seg::Key(keys) => {
                let parts: Vec<String> = keys
                    .iter()
                    .map(|(k, v)| match v {
                        Value::String(s) => format!("{k}={s}"),
                        other => format!("{k}={other}"),
                    })
                    .collect();
                out.push_str(&format!("[{}]", parts.join(",")));
            }
            Seg::Value(v) => out.push_str(&format!("[={v}]")),
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value at `path`, if any.
pub fn lookup<'a>(value: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, seg| match seg {
        Seg::Field(name) => v.get(name),
        Seg::Index(i) => v.get(i),
        Seg::Key(keys) => v
            .as_array()?
            .iter()
            .find(|item| keys.iter().all(|(k, kv)| item.get(k) == Some(kv))),
        Seg::Value(x) => v.as_array()?.iter().find(|item| *item == x),
    })
}

/// The JSON pointer of a managedFields path in `value` (list items resolved to indices).
pub fn pointer_of(value: &Value, path: &[Seg]) -> Option<String> {
    let mut out = String::new();
    let mut here = value;
    for seg in path {
        let (step, next) = match seg {
            Seg::Field(name) => (name.replace('~', "~0").replace('/', "~1"), here.get(name)?),
            Seg::Index(i) => (i.to_string(), here.get(i)?),
            Seg::Key(keys) => {
                let items = here.as_array()?;
                let i = items
                    .iter()
                    .position(|item| keys.iter().all(|(k, v)| item.get(k) == Some(v)))?;
                (i.to_string(), &items[i])
            }
            Seg::Value(x) => {
                let items = here.as_array()?;
                let i = items.iter().position(|item| item == x)?;
                (i.to_string(), &items[i])
            }
        };
        out.push('/');
        out.push_str(&step);
        here = next;
    }
    Some(out)
}

/// Managers whose fields are the control plane's business, never drift in either lens:
/// the one list of controllers (metadata they write, such as a Deployment's
/// `deployment.kubernetes.io/revision`, is theirs too).
pub const CONTROLLER_MANAGERS: [&str; 4] = [
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-apiserver",
];

/// Whether a managedFields entry is a controller's or a status write: never drift.
pub fn is_controller_entry(entry: &Value) -> bool {
    let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
    let subresource = entry
        .get("subresource")
        .and_then(Value::as_str)
        .unwrap_or("");
    CONTROLLER_MANAGERS.contains(&manager) || subresource == "status"
}

/// A field the cluster holds that Git does not say, and who wrote it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DriftField {
    pub path: String,
    pub manager: String,
    /// `Apply` or `Update`.
    pub operation: String,
    pub time: Option<String>,
    /// The live value (secret values masked).
    pub live: Value,
    /// What Git (with defaults) says there, if anything.
    pub git: Option<Value>,
    /// Git sets this field and the cluster no longer has it. managedFields do not record
    /// who removes a field, so `manager` is empty.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// Where it is, as a JSON pointer (what ignore rules name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The path as managedFields name it (list items by their keys).
    #[serde(skip)]
    pub segs: Vec<Seg>,
}

impl fmt::Display for DriftField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let compact = |v: &Value| {
            let s = v.to_string();
            if s.len() > 80 {
                format!(
                    "{}…",
                    &s[..s.char_indices().nth(77).map_or(s.len(), |(i, _)| i)]
                )
            } else {
                s
            }
        };
        if self.removed {
            let git = self.git.as_ref().map(compact).unwrap_or_default();
            return write!(
                f,
                "{} removed live (Git: {git})  by someone: managedFields do not record removals",
                self.path
            );
        }
        write!(f, "{} = {}", self.path, compact(&self.live))?;
        match &self.git {
            Some(git) => write!(f, " (Git: {})", compact(git))?,
            None => f.write_str(" (Git: unset)")?,
        }
        write!(f, "  by {} ({})", self.manager, self.operation)
    }
}

/// Computes the live-drift lens of `live` against `reference`; `ours` is kdrift's own field
/// manager. Secret values must already be masked in both.
pub fn live_drift(live: &Value, reference: &Value, ours: &str) -> Vec<DriftField> {
    let Some(entries) = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries {
        let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
        if manager == ours || is_controller_entry(entry) {
            continue;
        }
        let Some(fields) = entry.get("fieldsV1") else {
            continue;
        };
        let owner = Owner {
            manager: manager.to_string(),
            operation: entry
                .get("operation")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            time: entry
                .get("time")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        walk(fields, &mut Vec::new(), live, reference, &owner, &mut out);
    }
    out.retain(|f| !f.path.starts_with("status") && !is_server_metadata(&f.path));
    out
}

fn is_server_metadata(path: &str) -> bool {
    path.starts_with("metadata.annotations.kubectl.kubernetes.io/last-applied-configuration")
        || path == "metadata.managedFields"
}

struct Owner {
    manager: String,
    operation: String,
    time: Option<String>,
}

fn walk(
    node: &Value,
    path: &mut Vec<Seg>,
    live: &Value,
    reference: &Value,
    owner: &Owner,
    out: &mut Vec<DriftField>,
) {
    // A Secret's `stringData` is stored in `data`: a manager that applied `stringData`
    // owns a key the object holds under `data`.
    let stored = stored_path(path);
    let Some(live_value) = lookup(live, &stored) else {
        return;
    };
    let git = lookup(reference, &stored);
    let children: Vec<(Seg, &Value)> = node
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.as_str() != ".")
                .filter_map(|(k, v)| Some((parse_seg(k)?, v)))
                .collect()
        })
        .unwrap_or_default();
    let report = |out: &mut Vec<DriftField>| {
        out.push(DriftField {
            path: display_path(&stored),
            manager: owner.manager.clone(),
            operation: owner.operation.clone(),
            time: owner.time.clone(),
            live: live_value.clone(),
            git: git.cloned(),
            removed: false,
            pointer: pointer_of(live, &stored),
            segs: stored.clone(),
        })
    };
    match git {
        // Git says nothing here: the whole subtree is someone else's, except maps read per
        // key (labels, annotations, data), where each key has its own owner.
        None if !path.is_empty() && (!per_key(path) || children.is_empty()) => report(out),
        Some(g) if children.is_empty() => {
            let parent = match path.len().checked_sub(2).map(|i| &path[i]) {
                Some(Seg::Field(name)) => name.as_str(),
                _ => "",
            };
            if !super::equivalent::same_value(g, live_value, parent) {
                report(out);
            }
        }
        _ => {
            for (seg, child) in children {
                path.push(seg);
                walk(child, path, live, reference, owner, out);
                path.pop();
            }
        }
    }
}

/// The leaf paths of a fieldsV1 set (what a manager owns, field by field).
pub fn leaf_paths(fields: &Value) -> Vec<Vec<Seg>> {
    fn walk(node: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        let children: Vec<(&String, &Value)> = node
            .as_object()
            .map(|m| m.iter().filter(|(k, _)| k.as_str() != ".").collect())
            .unwrap_or_default();
        if children.is_empty() {
            if !path.is_empty() {
                out.push(path.clone());
            }
            return;
        }
        for (k, child) in children {
            if let Some(seg) = parse_seg(k) {
                path.push(seg);
                walk(child, path, out);
                path.pop();
            }
        }
    }
    let mut out = Vec::new();
    walk(fields, &mut Vec::new(), &mut out);
    out
}

/// Maps whose keys are independent settings, each with its own owner: reported per key.
fn per_key(path: &[Seg]) -> bool {
    let names: Vec<&str> = path
        .iter()
        .map(|s| match s {
            Seg::Field(f) => f.as_str(),
            _ => "",
        })
        .collect();
    matches!(
        names.as_slice(),
        ["metadata", "annotations" | "labels"] | ["data" | "stringData" | "binaryData"]
    )
}

/// Where the server stores a path: `stringData.k` is kept as `data.k`.
pub fn stored_path(path: &[Seg]) -> Vec<Seg> {
    let mut stored = path.to_vec();
    if let Some(Seg::Field(first)) = stored.first_mut()
        && first == "stringData"
    {
        *first = "data".into();
    }
    stored
}

mod allocated;
mod owned;
mod removed;
pub use allocated::strip_allocated;
pub use owned::{
    applied_by, applied_entry, others_within, sort_conflicts, stored_steps, taken_by_force,
    undeclared_by_git,
};
pub use removed::{REFERENCE_MANAGER, removed_live};

#[cfg(test)]
mod tests;
