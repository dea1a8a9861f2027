//! Judging one desired object against its live one: the dry-runs (apply preview and the
//! reference create), cached by (object, desired content, live resourceVersion).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use serde_json::Value;

use super::verdicts::{fingerprint, sole_owner};
use super::{DriftOptions, Target};
use crate::cluster::Connection;
use crate::cluster::apply::{get_live, preview, reference};
use crate::model::drift::{Inputs, Lens, ObjectReport, Preview, assess};

/// The drift lens alone does not ask for the dry-run apply.
pub(super) const NOT_ASKED: &str = "not asked: the live-drift lens needs no dry-run apply";
use crate::model::object::ObjectKey;

type CacheKey = (ObjectKey, u64, String);

type Entry = (Preview, Option<Value>);

/// Desired versions kept per object at one resourceVersion (HEAD and picked commits).
const PER_OBJECT: usize = 4;
/// Entries kept in all; the oldest go first beyond it.
pub const MAX_ENTRIES: usize = 20_000;

/// Dry-run results by (object, desired content, live resourceVersion): unchanged inputs
/// are never dry-run twice. Bounded: a new resourceVersion of an object supersedes its
/// older ones (they can never be asked for again), an object keeps at most
/// [`PER_OBJECT`] desired versions, and the whole cache at most [`MAX_ENTRIES`].
#[derive(Default)]
pub struct DryRunCache {
    store: Mutex<Store>,
    /// Synced verdicts that outlive the process.
    verdicts: super::verdicts::Verdicts,
    /// The server's answers that outlive the process.
    results: super::results::Results,
}

#[derive(Default)]
struct Store {
    by_object: HashMap<ObjectKey, Vec<(u64, String, u64, Entry)>>,
    /// Insertion order: sequence number to object, for evicting the oldest.
    order: std::collections::BTreeMap<u64, ObjectKey>,
    next: u64,
    len: usize,
}

impl Store {
    fn remove_where(&mut self, key: &ObjectKey, drop: impl Fn(&(u64, String, u64, Entry)) -> bool) {
        let Some(list) = self.by_object.get_mut(key) else {
            return;
        };
        let before = list.len();
        let mut gone = Vec::new();
        list.retain(|e| {
            let d = drop(e);
            if d {
                gone.push(e.2);
            }
            !d
        });
        self.len -= before - list.len();
        if list.is_empty() {
            self.by_object.remove(key);
        }
        for seq in gone {
            self.order.remove(&seq);
        }
    }
}

impl DryRunCache {
    /// A cache whose Synced verdicts persist in the user's cache directory.
    pub fn persistent() -> Self {
        DryRunCache {
            store: Mutex::default(),
            verdicts: super::verdicts::Verdicts::persistent(),
            results: super::results::Results::persistent(),
        }
    }

    /// Writes what outlives the process (verdicts and dry-run results) now.
    pub fn save(&self) {
        self.verdicts.save();
        self.results.save();
    }

    /// The verdicts that outlive the process.
    pub fn verdicts(&self) -> &super::verdicts::Verdicts {
        &self.verdicts
    }

    pub(super) fn get(&self, key: &CacheKey) -> Option<Entry> {
        let store = self.store.lock().ok()?;
        store
            .by_object
            .get(&key.0)?
            .iter()
            .find(|(hash, rv, _, _)| *hash == key.1 && *rv == key.2)
            .map(|(_, _, _, entry)| entry.clone())
    }

    pub(super) fn put(&self, key: CacheKey, value: Entry) {
        let Ok(mut store) = self.store.lock() else {
            return;
        };
        let (object, hash, rv) = key;
        // Another resourceVersion is superseded (or this very entry is replaced).
        store.remove_where(&object, |(h, r, _, _)| *r != rv || *h == hash);
        let seq = store.next;
        store.next += 1;
        store.order.insert(seq, object.clone());
        let list = store.by_object.entry(object.clone()).or_default();
        list.push((hash, rv, seq, value));
        let oldest = (list.len() > PER_OBJECT).then(|| list[0].2);
        store.len += 1;
        if let Some(oldest) = oldest {
            store.remove_where(&object, |e| e.2 == oldest);
        }
        while store.len > MAX_ENTRIES {
            let Some((seq, object)) = store.order.pop_first() else {
                break;
            };
            store.remove_where(&object, |e| e.2 == seq);
        }
    }

    pub fn len(&self) -> usize {
        self.store.lock().map(|s| s.len).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn hash_value(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

fn resource_version(obj: Option<&Value>) -> String {
    obj.and_then(|l| l.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The dry-runs for one object at the live resourceVersion, from the cache or the server.
async fn dry_runs(
    conn: &Connection,
    t: &Target,
    body: &Value,
    live: Option<&Value>,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> Entry {
    let lens = opts.lens as u64;
    let cache_key = (t.id.key(), hash_value(body) ^ lens, resource_version(live));
    if let Some(hit) = cache.get(&cache_key) {
        return hit;
    }
    let asker = format!("{}\n{}\n{}", conn.server, conn.context, opts.field_manager);
    let kept = live.and_then(|l| super::results::key_of(l, body, lens, &asker));
    if let Some(hit) = kept.and_then(|k| cache.results.get(k)) {
        cache.put(cache_key, hit.clone());
        return hit;
    }
    // Each lens asks only what it shows: the preview no dry-run create, live drift no
    // dry-run apply (a missing object still needs the apply: it is its whole preview).
    let dry_run = if opts.lens == Lens::Drift && live.is_some() {
        Preview {
            result: Err(NOT_ASKED.into()),
            conflicts: Vec::new(),
            namespace_missing: false,
        }
    } else {
        tracing::debug!(target: "kdrift::dry_run", object = %t.id, "dry-run apply");
        preview(conn, &t.served, body, &opts.field_manager).await
    };
    let reference_asked = live.is_some() && opts.lens != Lens::Preview;
    let reference_obj = match live {
        Some(_) if reference_asked => {
            tracing::debug!(target: "kdrift::dry_run", object = %t.id, "dry-run create");
            reference(conn, &t.served, body).await
        }
        _ => None,
    };
    // Kept only when the apply saw the very object the watch holds (else the next run
    // settles it anew), and not when a reference was asked and not given (a failure: the
    // server may answer next time).
    let settled = match &dry_run.result {
        Ok(after) => resource_version(Some(after)) == resource_version(live),
        Err(_) => true,
    } && (reference_obj.is_some() || !reference_asked);
    if let Some(k) = kept.filter(|_| settled) {
        cache.results.insert(k, &dry_run, reference_obj.as_ref());
    }
    cache.put(cache_key, (dry_run.clone(), reference_obj.clone()));
    (dry_run, reference_obj)
}

/// Times the live copy is read again when the dry-run saw a newer object than the watch.
const SETTLE_TRIES: usize = 3;

pub(super) async fn assess_target(
    conn: &Connection,
    t: &Target,
    body: Value,
    live: Option<Value>,
    silenced: Vec<crate::model::ignore::Ignored>,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> ObjectReport {
    let key = t.id.key();
    let mut live = live;
    // Known Synced, with kdrift the only owner besides controllers (a verdict kept from an
    // earlier run, or read off the live object's own managedFields): no request at all.
    let known = opts.local_verdicts
        && live.as_ref().is_some_and(|l| {
            sole_owner(l, &opts.field_manager)
                && (crate::model::local::locally_synced(l, &body, &opts.field_manager)
                    || cache.verdicts().contains(fingerprint(l, &body)))
        });
    let mut entry = match &live {
        Some(l) if known => (
            Preview {
                result: Ok(l.clone()),
                conflicts: Vec::new(),
                namespace_missing: false,
            },
            None,
        ),
        _ => dry_runs(conn, t, &body, live.as_ref(), opts, cache).await,
    };
    // Settling: the preview compares like with like. A controller writes just after a
    // sync (a Deployment's revision annotation), so the watch's copy may be older than the
    // object the dry-run was made against; read it again until both agree.
    for _ in 0..SETTLE_TRIES {
        let Ok(after) = &entry.0.result else { break };
        if live.is_none() || resource_version(Some(after)) == resource_version(live.as_ref()) {
            break;
        }
        let Some(fresh) = get_live(conn, &t.served, &body).await else {
            break;
        };
        live = Some(fresh);
        entry = dry_runs(conn, t, &body, live.as_ref(), opts, cache).await;
    }
    let (mut dry_run, reference_obj) = entry;
    // The drift lens did not ask for the apply: judged by live drift alone.
    let not_asked = matches!(&dry_run.result, Err(e) if e == NOT_ASKED);
    if not_asked && let Some(l) = &live {
        dry_run.result = Ok(l.clone());
    }
    if let Some(live) = &live {
        for c in &mut dry_run.conflicts {
            c.operation = operation_of(live, &c.manager);
        }
    }
    let unstable = &t.unstable;
    let rules = crate::model::ignore::for_object(&opts.ignore, &key, Some(&body));
    let desired = t.manifest(body);
    let mut report = assess(&Inputs {
        key: &key,
        desired: Some(&desired),
        live: live.as_ref(),
        preview: Some(&dry_run),
        reference: reference_obj.as_ref(),
        field_manager: &opts.field_manager,
        deadline: opts.diff_deadline,
        rules: &rules,
        silenced: &silenced,
        known,
    });
    if not_asked {
        // Without the apply's result, what a migration would then remove is unknown.
        report.migration = None;
    }
    if let Some(l) = &live
        && report.status == crate::model::drift::SyncStatus::Synced
        && report.ignored.is_empty()
        && !not_asked
        && !known
        && opts.lens == Lens::Both
        && sole_owner(l, &opts.field_manager)
    {
        cache.verdicts().insert(fingerprint(l, &desired.content));
    }
    if !unstable.is_empty() {
        report.reason.push_str(&format!(
            " (fields that change from render to render, kept as the cluster has them, not drift: {})",
            unstable.join(", ")
        ));
    }
    report
}

/// How `manager` last wrote to a live object (`Apply` or `Update`), from its managedFields.
fn operation_of(live: &Value, manager: &str) -> Option<String> {
    live.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e.get("manager").and_then(Value::as_str) == Some(manager))?
        .get("operation")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> ObjectKey {
        ObjectKey {
            group: String::new(),
            kind: "ConfigMap".into(),
            namespace: Some("ns".into()),
            name: format!("cm-{i}"),
        }
    }

    fn entry() -> Entry {
        (
            Preview {
                result: Ok(Value::Null),
                conflicts: Vec::new(),
                namespace_missing: false,
            },
            None,
        )
    }

    #[test]
    fn churn_keeps_one_entry_per_object_and_resource_version() {
        let cache = DryRunCache::default();
        // 149 objects updated 40 times each: ~6,000 updates, as the soak's churn.
        for rv in 0..40 {
            for i in 0..149 {
                cache.put((key(i), 7, rv.to_string()), entry());
            }
        }
        assert_eq!(cache.len(), 149);
        assert!(cache.get(&(key(3), 7, "39".into())).is_some());
        assert!(cache.get(&(key(3), 7, "38".into())).is_none(), "superseded");
    }

    #[test]
    fn desired_versions_per_object_and_the_whole_cache_are_capped() {
        let cache = DryRunCache::default();
        for hash in 0..10 {
            cache.put((key(0), hash, "1".into()), entry());
        }
        assert_eq!(cache.len(), PER_OBJECT);
        assert!(cache.get(&(key(0), 9, "1".into())).is_some());
        assert!(cache.get(&(key(0), 0, "1".into())).is_none());
        for i in 0..MAX_ENTRIES + 500 {
            cache.put((key(i + 1), 1, "1".into()), entry());
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(
            cache
                .get(&(key(MAX_ENTRIES + 500), 1, "1".into()))
                .is_some(),
            "newest kept"
        );
        assert!(cache.get(&(key(1), 1, "1".into())).is_none(), "oldest gone");
    }
}
