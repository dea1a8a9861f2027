//! The objects one watch holds, keyed by namespace and name. kube's reflector store keyed
//! each object by a reference carrying a copy of its kind's `ApiResource` (five strings),
//! which at 10,000 objects weighed as much as the objects' text.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use kube::discovery::ApiResource;
use kube::runtime::watcher::Event;

use crate::model::object::ObjectKey;

use super::stored::{LiveObject, Wire};

/// Namespace (empty when cluster-scoped), then name.
type Objects = HashMap<Box<str>, HashMap<Box<str>, Arc<LiveObject>>>;

/// A watch's objects, shared by the watch that fills it and the evaluations that read it.
#[derive(Clone, Default)]
pub struct LiveStore(Arc<RwLock<Objects>>);

impl LiveStore {
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<LiveObject>> {
        let objects = self.read();
        objects.get(namespace.unwrap_or(""))?.get(name).cloned()
    }

    /// Every object held now, each with its key (its kind's, as `resource` serves it).
    pub fn keyed(&self, resource: &ApiResource) -> Vec<(ObjectKey, Arc<LiveObject>)> {
        let objects = self.read();
        let key = |ns: &str, name: &str| ObjectKey {
            group: resource.group.clone(),
            kind: resource.kind.clone(),
            namespace: Some(ns.to_string()).filter(|ns| !ns.is_empty()),
            name: name.to_string(),
        };
        objects
            .iter()
            .flat_map(|(ns, by_name)| {
                by_name
                    .iter()
                    .map(move |(name, o)| (key(ns, name), o.clone()))
            })
            .collect()
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.read().values().map(HashMap::len).sum()
    }

    #[cfg(test)]
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Objects> {
        self.0.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// A poisoned lock only means a reader panicked; the map itself is whole (each write
    /// is one insert, remove or swap), so the watch keeps it current rather than
    /// reading every object as gone.
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Objects> {
        self.0.write().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn writer(&self) -> Writer {
        Writer {
            store: self.clone(),
            relisting: None,
        }
    }
}

/// Applies a watch's events to its store. A relist fills a new map, swapped in whole once
/// the list is complete, so objects never vanish while it runs.
pub(super) struct Writer {
    store: LiveStore,
    relisting: Option<Objects>,
}

impl Writer {
    pub(super) fn apply(&mut self, event: Event<Wire>) {
        match event {
            Event::Init => self.relisting = Some(Objects::new()),
            Event::InitApply(o) => insert(self.relisting.get_or_insert_default(), o),
            Event::InitDone => {
                let listed = self.relisting.take().unwrap_or_default();
                *self.store.write() = listed;
            }
            Event::Apply(o) => {
                insert(&mut self.store.write(), o);
            }
            Event::Delete(o) => {
                let ((ns, name), _) = o.into_stored();
                let mut objects = self.store.write();
                if let Some(in_ns) = objects.get_mut(&ns) {
                    in_ns.remove(&name);
                    if in_ns.is_empty() {
                        objects.remove(&ns);
                    }
                }
            }
        }
    }
}

fn insert(objects: &mut Objects, o: Wire) {
    let ((ns, name), stored) = o.into_stored();
    objects
        .entry(ns)
        .or_default()
        .insert(name, Arc::new(stored));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(ns: &str, name: &str, rv: &str) -> Wire {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": ns, "resourceVersion": rv}
        }))
        .expect("an object")
    }

    #[test]
    fn a_relist_swaps_in_whole_and_events_apply_between() {
        let store = LiveStore::default();
        let mut w = store.writer();
        w.apply(Event::Init);
        w.apply(Event::InitApply(wire("a", "x", "1")));
        assert!(store.is_empty(), "nothing shown before the list completes");
        w.apply(Event::InitDone);
        assert_eq!(
            store
                .get(Some("a"), "x")
                .map(|o| o.resource_version().to_string()),
            Some("1".into())
        );
        w.apply(Event::Apply(wire("a", "x", "2")));
        w.apply(Event::Apply(wire("b", "y", "3")));
        assert_eq!(store.len(), 2);
        assert_eq!(
            store
                .get(Some("a"), "x")
                .map(|o| o.resource_version().to_string()),
            Some("2".into())
        );
        // A relist keeps the old objects until it has listed, then holds only what it listed.
        w.apply(Event::Init);
        w.apply(Event::InitApply(wire("b", "y", "4")));
        assert_eq!(store.len(), 2);
        w.apply(Event::InitDone);
        assert_eq!(store.len(), 1);
        assert!(store.get(Some("a"), "x").is_none());
        w.apply(Event::Delete(wire("b", "y", "5")));
        assert!(store.is_empty());
        assert!(store.get(None, "y").is_none());
    }
}
