//! Dry-run results that outlive the process: the server's answer for one live object at one
//! resourceVersion (by uid), one desired body, one lens, one server, context and field
//! manager, and one kdrift build. Those inputs decide the answer, so a second `kdrift diff`
//! of an app whose drifted objects did not change asks the server nothing. What can change
//! an answer without changing the object (a CRD's new defaults, a webhook, an upgrade) is
//! bounded by age: an answer is used for [`MAX_AGE`] at most. Secrets are never written
//! (their answers hold their data), nor failures (a timeout says nothing about the next
//! run). Bounded: the newest [`MAX_RESULTS`] entries and at most [`MAX_BYTES`] of text, in
//! one file of the user's cache directory, readable by its owner only.

use std::collections::{HashMap, VecDeque};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::drift::Preview;
use crate::model::plan::Conflict;

pub const MAX_RESULTS: usize = 20_000;
pub const MAX_BYTES: usize = 32 << 20;
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

const FILE: &str = "dry-run-results-v1";

/// One answer as written: the apply's result (`None`: not asked), its conflicts, and the
/// reference create's object.
#[derive(Serialize, Deserialize)]
struct Stored {
    key: String,
    /// When the server answered (seconds since the epoch).
    at: u64,
    after: Option<Value>,
    conflicts: Vec<(String, String)>,
    reference: Option<Value>,
}

#[derive(Default)]
struct State {
    lines: HashMap<u64, Arc<str>>,
    order: VecDeque<u64>,
    bytes: usize,
    added: Vec<u64>,
}

impl State {
    fn remove(&mut self, key: u64) {
        if let Some(gone) = self.lines.remove(&key) {
            self.bytes -= gone.len();
            self.order.retain(|k| *k != key);
        }
    }

    fn insert(&mut self, key: u64, line: Arc<str>) -> bool {
        if self.lines.contains_key(&key) {
            return false;
        }
        self.bytes += line.len();
        self.lines.insert(key, line);
        self.order.push_back(key);
        while self.order.len() > MAX_RESULTS || self.bytes > MAX_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(gone) = self.lines.remove(&old) {
                self.bytes -= gone.len();
            }
        }
        true
    }
}

#[derive(Default)]
pub struct Results {
    path: Option<PathBuf>,
    state: Mutex<State>,
}

/// What decides a dry-run's answer; `asker`: the server, context and field manager. `None`
/// without a uid and a resourceVersion (nothing to pin the live object to) and for Secrets.
pub fn key_of(live: &Value, body: &Value, lens: u64, asker: &str) -> Option<u64> {
    if crate::model::secret::is_secret(live) || crate::model::secret::is_secret(body) {
        return None;
    }
    let meta = live.get("metadata")?;
    let uid = meta.get("uid")?.as_str()?;
    let version = meta.get("resourceVersion")?.as_str()?;
    let mut h = DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    env!("KDRIFT_COMMIT").hash(&mut h);
    (uid, version, lens, asker).hash(&mut h);
    body.to_string().hash(&mut h);
    Some(h.finish())
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Each line is `HEX<TAB>JSON`; a line that is not (a torn write, another version) is
/// skipped, the rest still read.
fn read(path: &PathBuf, mut each: impl FnMut(u64, Arc<str>)) {
    let Ok(file) = std::fs::File::open(path) else {
        return;
    };
    for line in std::io::BufReader::new(file)
        .split(b'\n')
        .map_while(Result::ok)
    {
        let Ok(line) = String::from_utf8(line) else {
            continue;
        };
        let Some((hex, _)) = line.split_once('\t') else {
            continue;
        };
        if let Ok(key) = u64::from_str_radix(hex, 16) {
            each(key, line.into());
        }
    }
}

impl Results {
    /// The results of the user's cache directory (none when it cannot be found).
    pub fn persistent() -> Self {
        let path = crate::config::project_dirs().map(|d| d.cache_dir().join(FILE));
        let mut state = State::default();
        if let Some(p) = &path {
            read(p, |key, line| {
                state.insert(key, line);
            });
        }
        Results {
            path,
            state: Mutex::new(state),
        }
    }

    pub fn get(&self, key: u64) -> Option<(Preview, Option<Value>)> {
        let mut state = self.state.lock().ok()?;
        let line = state.lines.get(&key)?.clone();
        let stored = line
            .split_once('\t')
            .and_then(|(_, json)| serde_json::from_str::<Stored>(json).ok())
            .filter(|s| s.key == format!("{key:016x}"));
        let Some(stored) = stored.filter(|s| now().saturating_sub(s.at) <= MAX_AGE.as_secs())
        else {
            // Unreadable or too old: asked anew, and the new answer takes its place.
            state.remove(key);
            return None;
        };
        drop(state);
        let preview = Preview {
            result: stored
                .after
                .ok_or_else(|| super::dry_run::NOT_ASKED.to_string()),
            conflicts: stored
                .conflicts
                .into_iter()
                .map(|(field, manager)| Conflict {
                    field,
                    manager,
                    operation: None,
                })
                .collect(),
            namespace_missing: false,
        };
        Some((preview, stored.reference))
    }

    /// Keeps an answer; only complete ones (the apply succeeded or was not asked).
    pub fn insert(&self, key: u64, preview: &Preview, reference: Option<&Value>) {
        let after = match &preview.result {
            Ok(after) => Some(after.clone()),
            Err(e) if e == super::dry_run::NOT_ASKED => None,
            Err(_) => return,
        };
        let stored = Stored {
            key: format!("{key:016x}"),
            at: now(),
            after,
            conflicts: preview
                .conflicts
                .iter()
                .map(|c| (c.field.clone(), c.manager.clone()))
                .collect(),
            reference: reference.cloned(),
        };
        let Ok(json) = serde_json::to_string(&stored) else {
            return;
        };
        if let Ok(mut s) = self.state.lock() {
            s.remove(key);
            if s.insert(key, format!("{key:016x}\t{json}").into()) {
                s.added.push(key);
                // What was evicted since need not be written.
                if s.added.len() > MAX_RESULTS {
                    let lines = &s.lines;
                    let kept: Vec<u64> = s
                        .added
                        .iter()
                        .copied()
                        .filter(|k| lines.contains_key(k))
                        .collect();
                    s.added = kept;
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.lines.len()).unwrap_or(0)
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
        read(path, |key, line| {
            merged.insert(key, line);
        });
        for key in std::mem::take(&mut s.added) {
            if let Some(line) = s.lines.get(&key) {
                merged.insert(key, line.clone());
            }
        }
        let mut text = String::with_capacity(merged.bytes + merged.order.len());
        for key in &merged.order {
            if let Some(line) = merged.lines.get(key) {
                text.push_str(line);
                text.push('\n');
            }
        }
        // Objects of the cluster are the user's: readable by its owner alone.
        super::verdicts::replace_file(path, &text, true);
    }
}

impl Drop for Results {
    fn drop(&mut self) {
        self.save();
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn live(rv: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "u1", "resourceVersion": rv}, "data": {"k": "v"}})
    }

    fn preview(after: Value) -> Preview {
        Preview {
            result: Ok(after),
            conflicts: vec![Conflict {
                field: ".data.k".into(),
                manager: "kubectl-edit".into(),
                operation: Some("Update".into()),
            }],
            namespace_missing: false,
        }
    }

    #[test]
    fn an_answer_reads_back_and_is_pinned_to_its_inputs() {
        let results = Results::default();
        let body = json!({"kind": "ConfigMap", "data": {"k": "w"}});
        let key = key_of(&live("7"), &body, 0, "s").expect("a key");
        results.insert(key, &preview(live("7")), Some(&live("1")));
        let (p, reference) = results.get(key).expect("kept");
        assert_eq!(p.result, Ok(live("7")));
        assert_eq!(p.conflicts[0].manager, "kubectl-edit");
        assert_eq!(reference, Some(live("1")));
        let differs = |live: Value, body: &Value, lens: u64, asker: &str| {
            key_of(&live, body, lens, asker) != Some(key)
        };
        assert!(differs(live("8"), &body, 0, "s"), "another resourceVersion");
        assert!(differs(live("7"), &json!({}), 0, "s"), "another body");
        assert!(differs(live("7"), &body, 1, "s"), "another lens");
        assert!(
            differs(live("7"), &body, 0, "t"),
            "another server or manager"
        );
        assert!(!differs(live("7"), &body, 0, "s"), "the same inputs");
    }

    #[test]
    fn secrets_and_failures_are_never_kept() {
        let secret = json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "s", "uid": "u", "resourceVersion": "1"}, "data": {"p": "aHVudGVyMg=="}});
        assert_eq!(key_of(&secret, &secret, 0, "s"), None);
        let results = Results::default();
        let failed = Preview {
            result: Err("timed out".into()),
            conflicts: Vec::new(),
            namespace_missing: false,
        };
        results.insert(1, &failed, None);
        assert!(results.is_empty());
    }

    #[test]
    fn a_torn_or_foreign_line_is_skipped_and_the_rest_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE);
        let results = Results {
            path: Some(path.clone()),
            state: Mutex::default(),
        };
        results.insert(7, &preview(Value::Null), None);
        results.save();
        let good = std::fs::read(&path).expect("written");
        let mut text = b"\xff\xfe torn\n0000000000000009\t{not json\n".to_vec();
        text.extend(good);
        std::fs::write(&path, text).expect("write");
        let mut keys = Vec::new();
        read(&path, |k, _| keys.push(k));
        assert_eq!(keys, [9, 7]);
        let again = Results {
            path: Some(path),
            state: Mutex::default(),
        };
        read(again.path.as_ref().expect("path"), |k, l| {
            again.state.lock().expect("lock").insert(k, l);
        });
        assert!(again.get(9).is_none(), "unreadable: asked anew");
        assert!(again.get(7).is_some());
        assert!(again.get(9).is_none() && again.len() == 1, "and dropped");
    }

    #[test]
    fn entries_are_bounded() {
        let results = Results::default();
        for i in 0..(MAX_RESULTS as u64 + 10) {
            results.insert(i, &preview(Value::Null), None);
        }
        assert_eq!(results.len(), MAX_RESULTS);
        assert!(results.get(0).is_none(), "oldest gone");
        assert!(results.get(MAX_RESULTS as u64 + 9).is_some());
    }
}
