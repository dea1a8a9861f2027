//! Gathers what the drift engine needs: discovery, live objects from watches, dry-runs
//! (concurrent, bounded, cached), and runs the engine over every object of the app.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use futures::StreamExt;

use super::discovery::{self, Served};
use super::live::{LiveWatch, Scope, object_value};
use super::{ClusterError, Connection};
use crate::model::desired::DesiredSet;
use crate::model::drift::{Inputs, ObjectReport, SyncStatus, assess};
use crate::model::object::{ObjectId, ObjectKey};
use crate::model::tracking::{TRACKING_LABEL, is_tracked, with_tracking};

/// One-shot drift of a desired set: start the watches, evaluate once.
pub async fn compute(
    conn: &Connection,
    desired: &DesiredSet,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> Result<DriftReport, ClusterError> {
    Ok(Session::start(conn, desired, opts, None)
        .await?
        .evaluate(conn, cache)
        .await)
}

type WatchId = (String, String, Option<String>, bool);

/// The live side of an app kept current by watches: evaluate it again whenever `changed`
/// fires, and only objects whose live resourceVersion moved are dry-run again.
pub struct Session {
    opts: DriftOptions,
    targets: Vec<Target>,
    /// Objects judged before any watch (their kind is not served).
    unresolved: Vec<ObjectReport>,
    /// The manifests among them whose kind is not served (yet).
    pending: Vec<crate::model::object::Manifest>,
    watches: HashMap<WatchId, LiveWatch>,
    /// The desired state's load errors, carried to every report.
    load_errors: Vec<crate::model::manifest::LoadError>,
}

impl Session {
    // Over 80 lines: discovery, scoping and one watch per kind and namespace, in the order
    // the API must be asked; a candidate to split by step.
    pub async fn start(
        conn: &Connection,
        desired: &DesiredSet,
        opts: &DriftOptions,
        changed: Option<Arc<tokio::sync::Notify>>,
    ) -> Result<Self, ClusterError> {
        let mut tracked_ids: Vec<ObjectId> = TRACKED_KINDS
            .iter()
            .map(|(g, v, k)| ObjectId {
                group: (*g).into(),
                version: (*v).into(),
                kind: (*k).into(),
                namespace: None,
                name: String::new(),
            })
            .collect();
        // The record's inventory: kinds this app synced before, at their served version.
        let known = |g: &str, k: &str| tracked_ids.iter().any(|t| t.group == g && t.kind == k);
        let wanted: Vec<(String, String)> = opts
            .inventory
            .iter()
            .map(|gk| match gk.split_once('.') {
                Some((kind, group)) => (group.to_string(), kind.to_string()),
                None => (String::new(), gk.clone()),
            })
            .filter(|(g, k)| !known(g, k))
            .collect();
        tracked_ids.extend(discovery::preferred(conn, &wanted).await);
        let resolved = discovery::resolve(
            conn,
            desired.objects.values().map(|m| &m.id).chain(&tracked_ids),
        )
        .await
        .map_err(ClusterError::Config)?;

        let mut reports = Vec::new();
        let mut pending = Vec::new();
        let mut targets = Vec::new();
        for manifest in desired.objects.values() {
            match discovery::lookup(&resolved, &manifest.id) {
                Some(Ok(served)) => targets.push(Target {
                    manifest: scoped(manifest.clone(), served, &opts.namespace),
                    served: served.clone(),
                }),
                Some(Err(reason)) => {
                    pending.push(manifest.clone());
                    reports.push(ObjectReport {
                        not_served: true,
                        ..ObjectReport::unknown(
                            manifest.id.key(),
                            Some(manifest.source.clone()),
                            reason.clone(),
                        )
                    })
                }
                None => reports.push(ObjectReport::unknown(
                    manifest.id.key(),
                    Some(manifest.source.clone()),
                    "not resolved by discovery",
                )),
            }
        }

        let mut namespaces: Vec<String> = targets
            .iter()
            .filter_map(|t| t.manifest.id.namespace.clone())
            .chain([opts.namespace.clone()])
            .collect();
        namespaces.sort();
        namespaces.dedup();

        // One unfiltered watch per (kind, namespace) of the desired objects; label-selected
        // ones for the other tracked kinds.
        let mut scopes: BTreeMap<(String, String, Option<String>, bool), Scope> = BTreeMap::new();
        for t in &targets {
            let ns = t.manifest.id.namespace.as_deref();
            scopes
                .entry(watch_id(&t.served.resource, ns, false))
                .or_insert_with(|| Scope {
                    resource: t.served.resource.clone(),
                    namespace: ns.map(str::to_string),
                    label_selector: None,
                });
        }
        // A controller's marks are not one label (Argo CD annotates): its apps watch the
        // tracked kinds unfiltered.
        let selector = opts
            .controller
            .is_none()
            .then(|| format!("{TRACKING_LABEL}={}", opts.app));
        for id in &tracked_ids {
            let Some(Ok(served)) = discovery::lookup(&resolved, id) else {
                continue;
            };
            let scope_namespaces: Vec<Option<String>> = if served.namespaced {
                namespaces.iter().cloned().map(Some).collect()
            } else {
                vec![None]
            };
            for ns in scope_namespaces {
                if scopes.contains_key(&watch_id(&served.resource, ns.as_deref(), false)) {
                    continue;
                }
                scopes
                    .entry(watch_id(
                        &served.resource,
                        ns.as_deref(),
                        selector.is_some(),
                    ))
                    .or_insert_with(|| Scope {
                        resource: served.resource.clone(),
                        namespace: ns,
                        label_selector: selector.clone(),
                    });
            }
        }
        let watches: HashMap<WatchId, LiveWatch> = scopes
            .into_iter()
            .map(|(id, scope)| (id, LiveWatch::start(conn, scope, changed.clone())))
            .collect();
        Ok(Session {
            opts: opts.clone(),
            targets,
            unresolved: reports,
            pending,
            watches,
            load_errors: desired.errors.clone(),
        })
    }

    /// Whether every watch has listed and none is failing.
    /// Judges every object against the watches' current stores.
    pub async fn evaluate(&self, conn: &Connection, cache: &DryRunCache) -> DriftReport {
        self.evaluate_reporting(conn, cache, None).await
    }

    /// As [`evaluate`](Self::evaluate), telling `progress` (judged, of all) as objects are
    /// judged, for a screen that would otherwise say only "loading" for a big app.
    // Over 80 lines: desired, live-only and unresolved objects judged in one bounded
    // concurrent pass; a candidate to split by source of objects.
    pub async fn evaluate_reporting(
        &self,
        conn: &Connection,
        cache: &DryRunCache,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> DriftReport {
        let opts = &self.opts;
        let watches = &self.watches;
        let mut reports = self.unresolved.clone();
        let targets: Vec<Target> = self.targets.clone();
        let readiness: HashMap<_, Result<(), String>> = futures::future::join_all(
            watches
                .iter()
                .map(|(id, w)| async move { (id.clone(), w.ready(opts.watch_timeout).await) }),
        )
        .await
        .into_iter()
        .collect();

        let mut handles: HashMap<ObjectKey, Handle> = targets
            .iter()
            .map(|t| {
                (
                    t.manifest.id.key(),
                    Handle {
                        served: Some(t.served.clone()),
                        body: Some(with_tracking(
                            &t.manifest.content,
                            &opts.app,
                            &opts.applyset,
                        )),
                        pending: None,
                    },
                )
            })
            .collect();
        for m in &self.pending {
            handles.insert(
                m.id.key(),
                Handle {
                    served: None,
                    body: Some(with_tracking(&m.content, &opts.app, &opts.applyset)),
                    pending: Some((m.id.clone(), opts.namespace.clone())),
                },
            );
        }
        // Live object (or why it is unknown) for each target.
        let mut jobs = Vec::new();
        let mut live_secret_values = Vec::new();
        for t in targets {
            let ns = t.manifest.id.namespace.clone();
            let id = watch_id(&t.served.resource, ns.as_deref(), false);
            match (watches.get(&id), readiness.get(&id)) {
                (Some(w), Some(Ok(()))) => {
                    let live = w
                        .get(ns.as_deref(), &t.manifest.id.name)
                        .and_then(|o| object_value(&o, &t.served.resource));
                    if let Some(l) = &live {
                        live_secret_values.extend(crate::model::secret::plain_values(l));
                    }
                    let t = keep_live_unstable(t, live.as_ref());
                    let (t, silenced) = respect_rules(t, live.as_ref(), opts);
                    if let Some(h) = handles.get_mut(&t.manifest.id.key()) {
                        h.body = Some(with_tracking(
                            &t.manifest.content,
                            &opts.app,
                            &opts.applyset,
                        ));
                    }
                    jobs.push((t, live, silenced));
                }
                (_, Some(Err(reason))) => reports.push(ObjectReport::unknown(
                    t.manifest.id.key(),
                    Some(t.manifest.source.clone()),
                    format!("live state unknown: {reason}"),
                )),
                _ => reports.push(ObjectReport::unknown(
                    t.manifest.id.key(),
                    Some(t.manifest.source.clone()),
                    "live state unknown: not watched",
                )),
            }
        }

        let total = jobs.len();
        let mut assessed = futures::stream::iter(jobs)
            .map(|(t, live, silenced)| assess_target(conn, t, live, silenced, opts, cache))
            .buffer_unordered(opts.concurrency.max(1));
        let mut judged = 0;
        while let Some(report) = assessed.next().await {
            reports.push(report);
            judged += 1;
            if let Some(tell) = progress
                && (judged % PROGRESS_EVERY == 0 || judged == total)
            {
                tell(judged, total);
            }
        }

        // Extra: tracked for this app, absent from Git.
        let desired_keys: HashSet<ObjectKey> = reports.iter().map(|r| r.key.clone()).collect();
        let mut seen = HashSet::new();
        for w in watches.values() {
            for obj in w.store.state() {
                let Some(value) = object_value(&obj, &w.scope.resource) else {
                    continue;
                };
                let by_controller = opts.controller.as_ref().is_some_and(|c| c.tracks(&value));
                if !is_tracked(&value, &opts.app) && !by_controller {
                    continue;
                }
                live_secret_values.extend(crate::model::secret::plain_values(&value));
                let key = live_key(&value);
                if desired_keys.contains(&key) || !seen.insert(key.clone()) {
                    continue;
                }
                handles.insert(
                    key.clone(),
                    Handle {
                        served: Some(Served {
                            resource: w.scope.resource.clone(),
                            namespaced: key.namespace.is_some(),
                        }),
                        body: None,
                        pending: None,
                    },
                );
                let mut report = assess(&Inputs {
                    key: &key,
                    desired: None,
                    live: Some(&value),
                    preview: None,
                    reference: None,
                    field_manager: &opts.field_manager,
                    deadline: opts.diff_deadline,
                    rules: &[],
                    silenced: &[],
                    known: false,
                });
                if let Some(c) = opts
                    .controller
                    .as_ref()
                    .filter(|_| !is_tracked(&value, &opts.app))
                    && report.status == SyncStatus::Extra
                {
                    report.marked_by = Some(c.controller.label().to_string());
                    report.reason = format!(
                        "marked by {} for {}, not in Git (kdrift prunes only what it marked; prune it with {})",
                        c.controller.label(),
                        c.object(),
                        c.controller.label()
                    );
                }
                reports.push(report);
            }
        }
        reports.sort_by(|a, b| a.key.cmp(&b.key));
        DriftReport {
            app: opts.app.clone(),
            objects: reports,
            handles,
            load_errors: self.load_errors.clone(),
            live_secret_values,
        }
    }
}

/// How often (in objects judged) progress is told.
const PROGRESS_EVERY: usize = 50;

mod dry_run;
mod live_state;
mod options;
mod report;
mod targets;
pub mod verdicts;

pub use dry_run::DryRunCache;
use dry_run::assess_target;
pub use options::DriftOptions;
pub use report::{DriftReport, Handle};
use targets::{
    TRACKED_KINDS, Target, keep_live_unstable, live_key, respect_rules, scoped, watch_id,
};
