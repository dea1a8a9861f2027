//! The sync record, in the Kubernetes convention: an ApplySet (KEP-3659, what `kubectl
//! apply --prune --applyset` uses). Each app has a parent ConfigMap in its namespace,
//! labelled with the ApplySet id; every object kdrift applies for the app carries
//! `applyset.kubernetes.io/part-of: <id>`. On the parent kdrift keeps the live commit, the
//! one before it, when and by whom, and the last syncs: an audit trail in the cluster.

use std::collections::BTreeSet;

use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::object::ObjectKey;

pub const ID_LABEL: &str = "applyset.kubernetes.io/id";
pub const PART_OF_LABEL: &str = "applyset.kubernetes.io/part-of";
pub const TOOLING: &str = "applyset.kubernetes.io/tooling";
pub const CONTAINS_GROUP_KINDS: &str = "applyset.kubernetes.io/contains-group-kinds";
pub const ADDITIONAL_NAMESPACES: &str = "applyset.kubernetes.io/additional-namespaces";
pub const LIVE_COMMIT: &str = "kdrift.dev/live-commit";
pub const PREVIOUS_COMMIT: &str = "kdrift.dev/previous-commit";
pub const SYNCED_AT: &str = "kdrift.dev/synced-at";
pub const SYNCED_BY: &str = "kdrift.dev/synced-by";
/// The key of the parent's data holding the last syncs, as JSON.
pub const HISTORY_KEY: &str = "syncs.json";
/// How many syncs the parent keeps.
pub const HISTORY_LIMIT: usize = 20;

/// The first seven characters of a commit as a record names it (records are text anyone
/// may edit: cut by characters, never by bytes).
pub fn short(commit: &str) -> String {
    commit.chars().take(7).collect()
}

/// The parent ConfigMap's name for an app.
pub fn parent_name(app: &str) -> String {
    let mut name = format!("kdrift-{app}")
        .to_ascii_lowercase()
        .replace(['_', '.'], "-");
    name.truncate(253);
    name.trim_end_matches('-').to_string()
}

/// KEP-3659's id: `applyset-` + base64url(sha256(`<name>.<namespace>.<kind>.<group>`)) +
/// `-v1`, as kubectl computes it.
pub fn id(name: &str, namespace: &str, kind: &str, group: &str) -> String {
    let hashed = Sha256::digest(format!("{name}.{namespace}.{kind}.{group}").as_bytes());
    format!(
        "applyset-{}-v1",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hashed)
    )
}

/// The id of an app's ApplySet (its parent is a ConfigMap in `namespace`).
pub fn app_id(app: &str, namespace: &str) -> String {
    id(&parent_name(app), namespace, "ConfigMap", "")
}

/// `Kind.group`, or `Kind` for the core group, as `contains-group-kinds` lists them.
pub fn group_kind(key: &ObjectKey) -> String {
    if key.group.is_empty() {
        key.kind.clone()
    } else {
        format!("{}.{}", key.kind, key.group)
    }
}

/// One sync, as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncEntry {
    pub commit: String,
    /// `sync` or `rollback`.
    pub mode: String,
    /// RFC 3339.
    pub time: String,
    pub user: String,
    pub created: usize,
    pub updated: usize,
    pub pruned: usize,
    pub failed: Vec<String>,
}

/// What the parent says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Record {
    pub id: String,
    pub live_commit: Option<String>,
    pub previous_commit: Option<String>,
    pub synced_at: Option<String>,
    pub synced_by: Option<String>,
    pub group_kinds: BTreeSet<String>,
    /// Newest first.
    pub history: Vec<SyncEntry>,
}

impl Record {
    /// Reads a live parent ConfigMap.
    pub fn from_parent(parent: &Value) -> Record {
        let annotation = |k: &str| {
            parent
                .pointer("/metadata/annotations")
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Record {
            id: parent
                .pointer("/metadata/labels")
                .and_then(|l| l.get(ID_LABEL))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            live_commit: annotation(LIVE_COMMIT),
            previous_commit: annotation(PREVIOUS_COMMIT),
            synced_at: annotation(SYNCED_AT),
            synced_by: annotation(SYNCED_BY),
            group_kinds: annotation(CONTAINS_GROUP_KINDS)
                .map(|s| {
                    s.split(',')
                        .filter(|g| !g.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            history: parent
                .pointer("/data")
                .and_then(|d| d.get(HISTORY_KEY))
                .and_then(Value::as_str)
                .and_then(|s| serde_json::from_str(s).ok())
                .unwrap_or_default(),
        }
    }

    /// The record after a sync that did not put the cluster at its commit (a failure, an
    /// object left alone, one object synced): the entry is kept, nothing else moves.
    pub fn after_partial(&self, entry: SyncEntry) -> Record {
        let mut history = vec![entry];
        history.extend(self.history.iter().take(HISTORY_LIMIT - 1).cloned());
        Record {
            history,
            ..self.clone()
        }
    }

    /// The record after a sync: the new live commit, the entry first, the oldest dropped.
    pub fn after(&self, entry: SyncEntry, group_kinds: BTreeSet<String>) -> Record {
        let mut history = vec![entry.clone()];
        history.extend(self.history.iter().take(HISTORY_LIMIT - 1).cloned());
        let previous = match &self.live_commit {
            Some(live) if *live != entry.commit => Some(live.clone()),
            _ => self.previous_commit.clone(),
        };
        Record {
            id: self.id.clone(),
            live_commit: Some(entry.commit.clone()),
            previous_commit: previous,
            synced_at: Some(entry.time.clone()),
            synced_by: Some(entry.user.clone()),
            group_kinds: self.group_kinds.union(&group_kinds).cloned().collect(),
            history,
        }
    }
}

/// The parent ConfigMap for server-side apply.
pub fn parent_object(
    app: &str,
    namespace: &str,
    record: &Record,
    additional_namespaces: &BTreeSet<String>,
    tooling: &str,
) -> Value {
    let kinds: Vec<&str> = record.group_kinds.iter().map(String::as_str).collect();
    let namespaces: Vec<&str> = additional_namespaces
        .iter()
        .filter(|ns| *ns != namespace)
        .map(String::as_str)
        .collect();
    let mut annotations = json!({
        TOOLING: tooling,
        CONTAINS_GROUP_KINDS: kinds.join(","),
    });
    if !namespaces.is_empty() {
        annotations[ADDITIONAL_NAMESPACES] = json!(namespaces.join(","));
    }
    for (key, value) in [
        (LIVE_COMMIT, &record.live_commit),
        (PREVIOUS_COMMIT, &record.previous_commit),
        (SYNCED_AT, &record.synced_at),
        (SYNCED_BY, &record.synced_by),
    ] {
        if let Some(v) = value {
            annotations[key] = json!(v);
        }
    }
    json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": parent_name(app),
            "namespace": namespace,
            "labels": {ID_LABEL: app_id(app, namespace)},
            "annotations": annotations,
        },
        "data": {HISTORY_KEY: serde_json::to_string(&record.history).unwrap_or_default()},
    })
}

#[cfg(test)]
mod tests;
