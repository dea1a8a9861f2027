//! The pods of an app's workloads kept by watches (pods, and only the metadata of
//! ReplicaSets and Jobs, for ownership) instead of lists on every poll: the tree gets a new
//! grouping only when something changed, a burst of events folded into one.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, PartialObjectMeta};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};

use super::{controller, pod_facts};
use crate::cluster::Connection;
use crate::model::health::pod::{Owners, PodFacts, WorkloadId, by_workload};

/// Events of a burst are folded into one grouping, sent this long after the first.
const SETTLE: Duration = Duration::from_millis(250);

pub type Grouped = Result<BTreeMap<WorkloadId, Vec<PodFacts>>, String>;

/// What kdrift keeps of one watched object.
#[derive(Clone)]
enum Fact {
    Pod(PodFacts),
    /// A ReplicaSet's or Job's controller (kind, name).
    Owner(String, String),
}

/// One watch's objects by name, and the list being read again after a restart (the old
/// set stays until the new one is complete).
pub(crate) struct Relisted<T> {
    now: HashMap<String, T>,
    relisting: Option<HashMap<String, T>>,
}

impl<T> Default for Relisted<T> {
    fn default() -> Self {
        Relisted {
            now: HashMap::new(),
            relisting: None,
        }
    }
}

impl<T> Relisted<T> {
    /// Takes one event (an object's name, and what is kept of it: `None` keeps nothing);
    /// whether what it holds changed.
    pub(crate) fn apply(&mut self, event: Event<(String, Option<T>)>) -> bool {
        match event {
            Event::Init => {
                self.relisting = Some(HashMap::new());
                false
            }
            Event::InitApply((name, kept)) => {
                if let Some(kept) = kept {
                    self.relisting.get_or_insert_default().insert(name, kept);
                }
                false
            }
            Event::InitDone => {
                self.now = self.relisting.take().unwrap_or_default();
                true
            }
            Event::Apply((name, Some(kept))) => {
                self.now.insert(name, kept);
                true
            }
            Event::Apply((name, None)) | Event::Delete((name, _)) => {
                self.now.remove(&name).is_some()
            }
        }
    }

    pub(crate) fn values(&self) -> impl Iterator<Item = (&String, &T)> {
        self.now.iter()
    }
}

/// One watch of a kind in a namespace.
#[derive(Default)]
struct Held {
    kind: &'static str,
    namespace: String,
    objects: Relisted<Fact>,
}

type Named = (String, Option<Fact>);

fn named<K>(event: Event<K>, fact: impl Fn(&K) -> Named) -> Event<Named> {
    match event {
        Event::Apply(k) => Event::Apply(fact(&k)),
        Event::Delete(k) => Event::Delete(fact(&k)),
        Event::Init => Event::Init,
        Event::InitApply(k) => Event::InitApply(fact(&k)),
        Event::InitDone => Event::InitDone,
    }
}

fn pod_fact(pod: &Pod) -> Named {
    let name = pod.metadata.name.clone().unwrap_or_default();
    (name, pod_facts(pod).map(Fact::Pod))
}

fn owner_fact<K>(meta: &PartialObjectMeta<K>) -> Named {
    let name = meta.metadata.name.clone().unwrap_or_default();
    let owner = controller(meta.metadata.owner_references.as_ref())
        .map(|o| Fact::Owner(o.kind.clone(), o.name.clone()));
    (name, owner)
}

type Changes = std::pin::Pin<Box<dyn Stream<Item = (usize, Result<Event<Named>, String>)> + Send>>;

/// One watch of `kind` in `ns`, its events tagged with `index`.
fn watch_of<K>(api: Api<K>, index: usize, what: String, fact: fn(&K) -> Named) -> Changes
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug + Send + 'static,
{
    Box::pin(
        watcher::watcher(api, watcher::Config::default())
            .default_backoff()
            .map(move |r| {
                let event = r
                    .map(|e| named(e, fact))
                    .map_err(|e| format!("watching {what}: {e}"));
                (index, event)
            }),
    )
}

/// Watches the pods of `namespaces` until `send` refuses (the receiver is gone), sending
/// each new grouping, and a watch's failure (it retries with backoff).
pub async fn watch_app_pods(
    conn: Connection,
    namespaces: Vec<String>,
    send: impl Fn(Grouped) -> bool,
) {
    let mut held = Vec::new();
    let mut streams = Vec::new();
    for ns in &namespaces {
        // Watches are long by design: the client without the request timeout.
        let client = conn.stream_client.clone();
        let what = |kind: &str| format!("{kind} in namespace {ns}");
        let base = held.len();
        streams.push(watch_of(
            Api::<Pod>::namespaced(client.clone(), ns),
            base,
            what("pods"),
            pod_fact,
        ));
        streams.push(watch_of(
            Api::<PartialObjectMeta<ReplicaSet>>::namespaced(client.clone(), ns),
            base + 1,
            what("replicasets"),
            owner_fact,
        ));
        streams.push(watch_of(
            Api::<PartialObjectMeta<Job>>::namespaced(client, ns),
            base + 2,
            what("jobs"),
            owner_fact,
        ));
        for kind in ["Pod", "ReplicaSet", "Job"] {
            held.push(Held {
                kind,
                namespace: ns.clone(),
                ..Held::default()
            });
        }
    }
    if streams.is_empty() {
        let _ = send(Ok(BTreeMap::new()));
        return;
    }
    let mut events = futures::stream::select_all(streams);
    let mut due: Option<tokio::time::Instant> = None;
    // The first grouping waits for every list (or its failure): pods listed before their
    // ReplicaSets would not find their Deployment yet.
    let mut unlisted: std::collections::HashSet<usize> = (0..held.len()).collect();
    loop {
        let wait = async {
            match due {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            next = events.next() => match next {
                Some((i, Ok(event))) => {
                    if matches!(event, Event::InitDone) {
                        unlisted.remove(&i);
                    }
                    if held[i].objects.apply(event) && due.is_none() && unlisted.is_empty() {
                        due = Some(tokio::time::Instant::now() + SETTLE);
                    }
                }
                Some((i, Err(e))) => {
                    if unlisted.remove(&i) && unlisted.is_empty() && due.is_none() {
                        due = Some(tokio::time::Instant::now() + SETTLE);
                    }
                    if !send(Err(e)) {
                        return;
                    }
                }
                None => return,
            },
            () = wait => {
                due = None;
                if !send(Ok(grouped(&held))) {
                    return;
                }
            }
        }
    }
}

fn grouped(held: &[Held]) -> BTreeMap<WorkloadId, Vec<PodFacts>> {
    let mut pods = Vec::new();
    let mut owners = Owners::new();
    for h in held {
        for (name, fact) in h.objects.values() {
            match fact {
                Fact::Pod(p) => pods.push(p.clone()),
                Fact::Owner(kind, owner) => {
                    owners.insert(
                        (h.kind.to_string(), h.namespace.clone(), name.clone()),
                        (kind.clone(), owner.clone()),
                    );
                }
            }
        }
    }
    by_workload(pods, &owners)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(name: &str) -> Named {
        (
            name.into(),
            Some(Fact::Owner("Deployment".into(), "web".into())),
        )
    }

    fn names(h: &Relisted<Fact>) -> Vec<&str> {
        let mut v: Vec<&str> = h.now.keys().map(String::as_str).collect();
        v.sort();
        v
    }

    #[test]
    fn a_relist_replaces_what_was_held_only_once_it_is_complete() {
        let mut h = Relisted::default();
        assert!(!h.apply(Event::Init));
        assert!(!h.apply(Event::InitApply(owner("a"))));
        assert!(names(&h).is_empty(), "nothing until the list is complete");
        assert!(h.apply(Event::InitDone));
        assert_eq!(names(&h), ["a"]);
        assert!(h.apply(Event::Apply(owner("b"))));
        assert!(h.apply(Event::Delete(owner("a"))));
        assert!(
            !h.apply(Event::Delete(owner("a"))),
            "already gone: no change"
        );
        // A restart: `b` went while the watch was down, `c` came.
        h.apply(Event::Init);
        h.apply(Event::InitApply(owner("c")));
        assert_eq!(
            names(&h),
            ["b"],
            "the old set stays on screen while relisting"
        );
        h.apply(Event::InitDone);
        assert_eq!(names(&h), ["c"]);
    }
}
