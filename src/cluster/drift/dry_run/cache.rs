//! The dry-run results kept in memory, by (object, desired content, live resourceVersion),
//! with the verdicts and answers that outlive the process.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::Value;

use crate::model::drift::Preview;
use crate::model::object::ObjectKey;

pub(super) type CacheKey = (ObjectKey, u64, String);

pub(super) type Entry = (Preview, Option<Value>);

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
    verdicts: crate::cluster::drift::verdicts::Verdicts,
    /// The server's answers that outlive the process.
    results: crate::cluster::drift::results::Results,
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
            verdicts: crate::cluster::drift::verdicts::Verdicts::persistent(),
            results: crate::cluster::drift::results::Results::persistent(),
        }
    }

    /// Writes what outlives the process (verdicts and dry-run results) now.
    pub fn save(&self) {
        self.verdicts.save();
        self.results.save();
    }

    /// The server's answers that outlive the process.
    pub(super) fn results(&self) -> &crate::cluster::drift::results::Results {
        &self.results
    }

    /// The verdicts that outlive the process.
    pub fn verdicts(&self) -> &crate::cluster::drift::verdicts::Verdicts {
        &self.verdicts
    }

    pub(in crate::cluster::drift) fn get(&self, key: &CacheKey) -> Option<Entry> {
        let store = self.store.lock().ok()?;
        store
            .by_object
            .get(&key.0)?
            .iter()
            .find(|(hash, rv, _, _)| *hash == key.1 && *rv == key.2)
            .map(|(_, _, _, entry)| entry.clone())
    }

    pub(in crate::cluster::drift) fn put(&self, key: CacheKey, value: Entry) {
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
