//! Verdicts that outlive the process: objects judged Synced with no other owner, keyed by
//! a fingerprint of what decided it (the object's uid, its live content and owners except
//! what controllers and status writes own, the desired body, kdrift's version). A second
//! `kdrift diff` of an unchanged app makes no dry-run; so does the first one after a
//! `kdrift sync`, which records what it applied. Bounded: the newest [`MAX_VERDICTS`]
//! are kept, in one file of the user's cache directory.

use std::collections::{HashSet, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::Value;

use crate::model::fields::is_controller_entry;
use crate::model::normalize::normalize;

/// Verdicts kept in all (16 hex digits and a newline each: about 3.4 MB at the bound).
pub const MAX_VERDICTS: usize = 200_000;

const FILE: &str = "synced-verdicts-v1";

#[derive(Default)]
pub struct Verdicts {
    path: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    known: HashSet<u64>,
    order: VecDeque<u64>,
    /// Added since loading: what a save must write.
    added: Vec<u64>,
}

impl State {
    fn insert(&mut self, key: u64) -> bool {
        if !self.known.insert(key) {
            return false;
        }
        self.order.push_back(key);
        while self.order.len() > MAX_VERDICTS {
            if let Some(old) = self.order.pop_front() {
                self.known.remove(&old);
            }
        }
        true
    }
}

fn read(path: &PathBuf) -> Vec<u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| u64::from_str_radix(l.trim(), 16).ok())
        .collect()
}

impl Verdicts {
    /// The verdicts of the user's cache directory (none when it cannot be found).
    pub fn persistent() -> Self {
        let path = crate::config::project_dirs().map(|d| d.cache_dir().join(FILE));
        let mut state = State::default();
        if let Some(p) = &path {
            for key in read(p) {
                state.insert(key);
            }
        }
        Verdicts {
            path,
            state: Mutex::new(state),
        }
    }

    pub fn contains(&self, key: u64) -> bool {
        self.state.lock().is_ok_and(|s| s.known.contains(&key))
    }

    pub fn insert(&self, key: u64) {
        if let Ok(mut s) = self.state.lock()
            && s.insert(key)
        {
            s.added.push(key);
        }
    }

    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.known.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes what was added since loading, merged with what other processes wrote
    /// meanwhile, through a temporary file renamed into place. Failures are silent: the
    /// cache only saves work.
    pub fn save(&self) {
        let (Some(path), Ok(mut s)) = (&self.path, self.state.lock()) else {
            return;
        };
        if s.added.is_empty() {
            return;
        }
        let mut merged = State::default();
        for key in read(path).into_iter().chain(s.added.drain(..)) {
            merged.insert(key);
        }
        let text: String = merged.order.iter().map(|k| format!("{k:016x}\n")).collect();
        replace_file(path, &text, false);
    }
}

/// Replaces a cache file through a temporary file renamed into place, so no reader sees
/// half of one; `private`: readable by its owner alone. Failures are silent: a cache only
/// saves work.
pub(super) fn replace_file(path: &std::path::Path, text: &str, private: bool) {
    use std::io::Write;
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let tmp = dir.join(format!("{}.{}", name.to_string_lossy(), std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if written.is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

impl Drop for Verdicts {
    fn drop(&mut self) {
        self.save();
    }
}

/// Whether the live object has owners other than kdrift's apply, the controllers and
/// status writes: then the drift lens needs the server's defaults, and nothing is kept.
pub fn sole_owner(live: &Value, ours: &str) -> bool {
    live.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|entries| {
            entries.iter().all(|e| {
                is_controller_entry(e)
                    || (e.get("manager").and_then(Value::as_str) == Some(ours)
                        && e.get("operation").and_then(Value::as_str) == Some("Apply"))
            })
        })
}

/// What decides the verdict: the uid; the live object without status, server metadata,
/// and annotations and labels controllers own; every non-controller owner and its fields
/// (not their times); the desired body; kdrift's version.
pub fn fingerprint(live: &Value, body: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    env!("KDRIFT_COMMIT").hash(&mut h);
    live.pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .hash(&mut h);
    let mut content = live.clone();
    let entries = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for entry in entries.iter().filter(|e| is_controller_entry(e)) {
        for map in ["annotations", "labels"] {
            let owned = entry
                .pointer(&format!("/fieldsV1/f:metadata/f:{map}"))
                .and_then(Value::as_object);
            for k in owned.into_iter().flat_map(|m| m.keys()) {
                if let Some(name) = k.strip_prefix("f:")
                    && let Some(m) = content
                        .pointer_mut(&format!("/metadata/{map}"))
                        .and_then(Value::as_object_mut)
                {
                    m.remove(name);
                }
            }
        }
    }
    // Normalised after: a map emptied of controllers' keys reads as none.
    normalize(&content).to_string().hash(&mut h);
    for e in entries.iter().filter(|e| !is_controller_entry(e)) {
        for field in ["manager", "operation", "subresource", "fieldsV1"] {
            e.get(field).map(Value::to_string).hash(&mut h);
        }
    }
    body.to_string().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn live() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "uid": "u1", "resourceVersion": "7",
                "annotations": {"deployment.kubernetes.io/revision": "1"},
                "managedFields": [
                    {"manager": "kdrift", "operation": "Apply", "time": "t1", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
                    {"manager": "kube-controller-manager", "operation": "Update", "fieldsV1": {
                        "f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}}},
                    {"manager": "kube-controller-manager", "operation": "Update", "subresource": "status", "fieldsV1": {"f:status": {}}}
                ]},
            "spec": {"replicas": 2}, "status": {"readyReplicas": 1}})
    }

    #[test]
    fn what_controllers_write_keeps_the_fingerprint_and_anything_else_changes_it() {
        let body = json!({"spec": {"replicas": 2}});
        let base = fingerprint(&live(), &body);
        let mut controller_wrote = live();
        controller_wrote["status"]["readyReplicas"] = json!(2);
        controller_wrote["metadata"]["resourceVersion"] = json!("9");
        controller_wrote["metadata"]["annotations"]["deployment.kubernetes.io/revision"] =
            json!("2");
        controller_wrote["metadata"]["managedFields"][0]["time"] = json!("t2");
        assert_eq!(fingerprint(&controller_wrote, &body), base);
        // As applied (no annotation yet), then the controller's first write.
        let mut applied = live();
        applied["metadata"]
            .as_object_mut()
            .expect("meta")
            .remove("annotations");
        assert_eq!(fingerprint(&applied, &body), base);
        let mut scaled = live();
        scaled["spec"]["replicas"] = json!(5);
        assert_ne!(fingerprint(&scaled, &body), base);
        let mut labelled = live();
        labelled["metadata"]["managedFields"]
            .as_array_mut()
            .expect("entries")
            .push(json!({"manager": "kubectl-label", "operation": "Update", "fieldsV1": {"f:metadata": {"f:labels": {"f:x": {}}}}}));
        assert_ne!(fingerprint(&labelled, &body), base);
        assert!(!sole_owner(&labelled, "kdrift"));
        assert!(sole_owner(&live(), "kdrift"));
        assert_ne!(
            fingerprint(&live(), &json!({"spec": {"replicas": 3}})),
            base
        );
    }

    #[test]
    fn the_store_is_bounded_and_survives_a_save() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE);
        let v = Verdicts {
            path: Some(path.clone()),
            state: Mutex::new(State::default()),
        };
        for k in 0..(MAX_VERDICTS as u64 + 10) {
            v.insert(k);
        }
        assert_eq!(v.len(), MAX_VERDICTS);
        assert!(!v.contains(0) && v.contains(MAX_VERDICTS as u64 + 9));
        v.save();
        let again = read(&path);
        assert_eq!(again.len(), MAX_VERDICTS);
        assert_eq!(again.last(), Some(&(MAX_VERDICTS as u64 + 9)));
    }
}
