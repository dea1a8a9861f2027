//! Live objects through watches (kube-rs `watcher` with backoff), each into a store of its
//! own. A relist never reads as a deletion: the store swaps atomically on a completed list.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use kube::api::Api;
use kube::discovery::ApiResource;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use tokio::sync::watch;

use super::Connection;

mod store;
mod stored;
use store::LiveStore;
pub use stored::LiveObject;
use stored::Wire;

/// What one watch covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub resource: ApiResource,
    /// `None`: all namespaces (or a cluster-scoped kind).
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
}

impl Scope {
    pub fn describe(&self) -> String {
        let mut s = self.resource.plural.clone();
        if !self.resource.group.is_empty() {
            s = format!("{s}.{}", self.resource.group);
        }
        if let Some(ns) = &self.namespace {
            s = format!("{s} in namespace {ns}");
        }
        s
    }
}

/// Where a watch stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchState {
    Starting,
    /// The initial list is complete; the store is current.
    Synced,
    /// The watch failed (it keeps retrying with backoff); the store may be stale.
    Failed(String),
}

pub struct LiveWatch {
    pub scope: Scope,
    store: LiveStore,
    pub state: watch::Receiver<WatchState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LiveWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Whether `event` makes a watch in `state` current: a completed list, or, after a
/// failure, an event of a watch that resumed. A relist after a failure is current only once
/// complete: until then the store holds the objects from before the failure.
fn answers<K>(state: &WatchState, event: &Event<K>) -> bool {
    match event {
        Event::InitDone => true,
        Event::Init | Event::InitApply(_) => false,
        Event::Apply(_) | Event::Delete(_) => matches!(state, WatchState::Failed(_)),
    }
}

/// Why a watch failed, in kdrift's words: when the API refused the list or the watch, the
/// verb, the resource and the namespace with the server's reason.
pub(crate) fn watch_failure(
    conn: &Connection,
    e: watcher::Error,
    plural: &str,
    namespace: Option<&str>,
) -> String {
    match e {
        watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e) => {
            conn.error(e, "watch", plural, namespace).to_string()
        }
        other => other.to_string(),
    }
}

impl LiveWatch {
    /// Starts watching; `changed` is told (with no payload) after every applied event, for
    /// views that redraw on change.
    pub fn start(
        conn: &Connection,
        scope: Scope,
        changed: Option<Arc<tokio::sync::Notify>>,
    ) -> Self {
        let api: Api<Wire> = match &scope.namespace {
            Some(ns) => Api::namespaced_with(conn.stream_client.clone(), ns, &scope.resource),
            None => Api::all_with(conn.stream_client.clone(), &scope.resource),
        };
        let mut config = watcher::Config::default();
        if let Some(selector) = &scope.label_selector {
            config = config.labels(selector);
        }
        let store = LiveStore::default();
        let mut writer = store.writer();
        let (tx, rx) = watch::channel(WatchState::Starting);
        let conn = conn.clone();
        let scope_for_task = scope.clone();
        let task = tokio::spawn(async move {
            let stream = watcher::watcher(api, config).backoff(Quick::default());
            futures::pin_mut!(stream);
            while let Some(event) = stream.next().await {
                match event {
                    Ok(event) => {
                        let current = answers(&tx.borrow(), &event);
                        writer.apply(event);
                        if current {
                            let _ = tx.send(WatchState::Synced);
                        }
                    }
                    Err(e) => {
                        let (ns, what) = (
                            scope_for_task.namespace.as_deref(),
                            &scope_for_task.resource.plural,
                        );
                        let message = watch_failure(&conn, e, what, ns);
                        let _ = tx.send(WatchState::Failed(message));
                    }
                }
                if let Some(n) = &changed {
                    n.notify_one();
                }
            }
        });
        LiveWatch {
            scope,
            store,
            state: rx,
            task,
        }
    }

    /// Waits until the watch has listed (Ok) or failed (Err with the reason), at most
    /// `timeout`.
    pub async fn ready(&self, timeout: Duration) -> Result<(), String> {
        let mut rx = self.state.clone();
        let wait = async {
            loop {
                match &*rx.borrow_and_update() {
                    WatchState::Synced => return Ok(()),
                    WatchState::Failed(reason) => return Err(reason.clone()),
                    WatchState::Starting => {}
                }
                if rx.changed().await.is_err() {
                    return Err("the watch stopped".to_string());
                }
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {}s", timeout.as_secs())))
    }

    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<Arc<LiveObject>> {
        self.store.get(namespace, name)
    }

    /// Every object held now, each with its key.
    pub fn objects(&self) -> Vec<(crate::model::object::ObjectKey, Arc<LiveObject>)> {
        self.store.keyed(&self.scope.resource)
    }
}

/// A listed object as JSON, with `apiVersion` and `kind` (list and watch items may lack them).
pub fn object_value(
    obj: &kube::api::DynamicObject,
    resource: &ApiResource,
) -> Option<serde_json::Value> {
    let mut value = serde_json::to_value(obj).ok()?;
    let map = value.as_object_mut()?;
    map.insert("apiVersion".into(), resource.api_version.clone().into());
    map.insert("kind".into(), resource.kind.clone().into());
    Some(value)
}

/// Retry a failed watch soon: from 250 ms, doubling to at most 3 s, back to the start once
/// events flow. kube's default grows to 30 s, so after an outage the watches (and the
/// screen) stayed stale long after the API server was back; a 410 relists at once.
#[derive(Debug, Clone)]
struct Quick {
    next: std::time::Duration,
}

const QUICK_FIRST: std::time::Duration = std::time::Duration::from_millis(250);
const QUICK_MAX: std::time::Duration = std::time::Duration::from_secs(3);

impl Default for Quick {
    fn default() -> Self {
        Quick { next: QUICK_FIRST }
    }
}

impl Iterator for Quick {
    type Item = std::time::Duration;

    fn next(&mut self) -> Option<Self::Item> {
        let now = self.next;
        self.next = (self.next * 2).min(QUICK_MAX);
        Some(now)
    }
}

impl kube::runtime::utils::Backoff for Quick {
    fn reset(&mut self) {
        self.next = QUICK_FIRST;
    }
}

#[cfg(test)]
mod backoff_tests {
    use super::*;
    use kube::runtime::utils::Backoff;

    #[test]
    fn retries_stay_within_seconds_and_reset() {
        let mut b = Quick::default();
        let delays: Vec<u128> = (&mut b).take(6).map(|d| d.as_millis()).collect();
        assert_eq!(delays, [250, 500, 1000, 2000, 3000, 3000]);
        b.reset();
        assert_eq!(b.next().map(|d| d.as_millis()), Some(250));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relist_after_a_failure_is_current_only_once_complete() {
        let failed = WatchState::Failed("connection refused".into());
        assert!(!answers(&failed, &Event::<()>::Init));
        assert!(!answers(&failed, &Event::InitApply(())));
        assert!(answers(&failed, &Event::<()>::InitDone));
        // A watch that resumed without relisting is current again at its first event.
        assert!(answers(&failed, &Event::Apply(())));
        assert!(answers(&failed, &Event::Delete(())));
        // The first list is complete at its end, not at its first object.
        assert!(!answers(&WatchState::Starting, &Event::InitApply(())));
        assert!(!answers(&WatchState::Starting, &Event::Apply(())));
        assert!(answers(&WatchState::Starting, &Event::<()>::InitDone));
        assert!(!answers(&WatchState::Synced, &Event::Apply(())));
    }
}
