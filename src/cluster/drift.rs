//! Gathers what the drift engine needs: discovery, live objects from watches, dry-runs
//! (concurrent, bounded, cached), and runs the engine over every object of the app.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use super::discovery::{self, Served};
use super::live::{LiveWatch, Scope};
use super::{ClusterError, Connection};
use crate::model::desired::DesiredSet;
use crate::model::drift::{Inputs, ObjectReport, SyncStatus, assess};
use crate::model::object::{Compact, ObjectId, ObjectKey};
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
    unresolved: Vec<Arc<ObjectReport>>,
    /// The manifests among them whose kind is not served (yet).
    pending: Vec<crate::model::object::Manifest>,
    watches: HashMap<WatchId, LiveWatch>,
    /// The desired state's load errors, carried to every report.
    load_errors: Vec<crate::model::manifest::LoadError>,
    /// Judgements by live resourceVersion, for a session kept live by its watches.
    memo: Option<judge::Memo>,
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
        // One copy of how each kind is served, shared by its objects.
        let shared: HashMap<&discovery::Gvk, Arc<Served>> = resolved
            .iter()
            .filter_map(|(k, r)| Some((k, Arc::new(r.as_ref().ok()?.clone()))))
            .collect();
        for manifest in desired.objects.values() {
            match discovery::lookup_key(&resolved, &manifest.id) {
                Some((key, Ok(_))) => match Target::new(manifest, &shared[key], opts) {
                    Ok(target) => targets.push(target),
                    Err(e) => reports.push(ObjectReport::unknown(
                        manifest.id.key(),
                        Some(manifest.source.clone()),
                        e,
                    )),
                },
                Some((_, Err(reason))) => {
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
            .filter_map(|t| t.id.namespace.clone())
            .chain([opts.namespace.clone()])
            .collect();
        namespaces.sort();
        namespaces.dedup();

        // One unfiltered watch per (kind, namespace) of the desired objects; label-selected
        // ones for the other tracked kinds.
        let mut scopes: BTreeMap<(String, String, Option<String>, bool), Scope> = BTreeMap::new();
        for t in &targets {
            let ns = t.id.namespace.as_deref();
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
            opts: DriftOptions {
                remember: changed.is_some(),
                ..opts.clone()
            },
            targets,
            unresolved: reports.into_iter().map(Arc::new).collect(),
            pending,
            watches,
            load_errors: desired.errors.clone(),
            memo: changed.is_some().then(judge::Memo::default),
        })
    }

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
        let readiness: HashMap<_, Result<(), String>> = futures::future::join_all(
            watches
                .iter()
                .map(|(id, w)| async move { (id.clone(), w.ready(opts.watch_timeout).await) }),
        )
        .await
        .into_iter()
        .collect();

        let mut handles: HashMap<ObjectKey, Handle> = HashMap::new();
        for m in &self.pending {
            handles.insert(
                m.id.key(),
                Handle {
                    served: None,
                    body: m
                        .content
                        .value()
                        .ok()
                        .map(|v| Compact::new(&with_tracking(&v, &opts.app, &opts.applyset))),
                    pending: Some(Box::new((m.id.clone(), opts.namespace.clone()))),
                },
            );
        }
        // Each target against its watch; a live object is parsed only while it is judged.
        let mut jobs = Vec::new();
        // Judged with no live copy (a failing watch): their stale copies' secrets are
        // still masked.
        let mut unjudged = HashSet::new();
        for (i, t) in self.targets.iter().enumerate() {
            let ns = t.id.namespace.as_deref();
            let id = watch_id(&t.served.resource, ns, false);
            match (watches.get(&id), readiness.get(&id)) {
                // Its handle comes with its judgement.
                (Some(_), Some(Ok(()))) => {
                    jobs.push((i, id));
                    continue;
                }
                (_, Some(Err(reason))) => {
                    unjudged.insert(t.id.key());
                    reports.push(Arc::new(ObjectReport::unknown(
                        t.id.key(),
                        Some(t.source.clone()),
                        format!("live state unknown: {reason}"),
                    )))
                }
                _ => reports.push(Arc::new(ObjectReport::unknown(
                    t.id.key(),
                    Some(t.source.clone()),
                    "live state unknown: not watched",
                ))),
            }
            handles.insert(t.id.key(), t.handle(t.body.clone()));
        }

        reports.reserve(jobs.len());
        let mut live_secret_values = Vec::new();
        for (report, handle, secrets) in self.judge_all(conn, jobs, cache, progress).await {
            handles.insert(report.key.clone(), handle);
            live_secret_values.extend(secrets);
            reports.push(report);
        }

        // Extra: tracked for this app, absent from Git.
        let desired_keys: HashSet<&ObjectKey> = reports.iter().map(|r| &r.key).collect();
        let mut seen = HashSet::new();
        let mut extra = Vec::new();
        for w in watches.values() {
            for (key, obj) in w.objects() {
                // A judged desired object was read while it was judged.
                if desired_keys.contains(&key) && !unjudged.contains(&key) {
                    continue;
                }
                let ours = obj.tracked_for() == Some(&opts.app);
                if !ours && opts.controller.is_none() {
                    continue;
                }
                let head = obj.head(&w.scope.resource);
                let by_controller = opts.controller.as_ref().is_some_and(|c| c.tracks(&head));
                if !ours && !by_controller {
                    continue;
                }
                if unjudged.contains(&key)
                    && let Ok(value) = obj.value(&w.scope.resource)
                {
                    live_secret_values.extend(crate::model::secret::plain_values(&value));
                }
                if desired_keys.contains(&key) || !seen.insert(key.clone()) {
                    continue;
                }
                let value = match obj.value(&w.scope.resource) {
                    Ok(value) => value,
                    Err(why) => {
                        extra.push(Arc::new(ObjectReport::unknown(key, None, why)));
                        continue;
                    }
                };
                live_secret_values.extend(crate::model::secret::plain_values(&value));
                handles.insert(
                    key.clone(),
                    Handle {
                        served: Some(Arc::new(Served {
                            resource: w.scope.resource.clone(),
                            namespaced: key.namespace.is_some(),
                        })),
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
                extra.push(Arc::new(report));
            }
        }
        drop(desired_keys);
        reports.extend(extra);
        reports.sort_by(|a, b| a.key.cmp(&b.key));
        DriftReport {
            app: opts.app.clone(),
            objects: reports,
            handles,
            load_errors: self.load_errors.clone(),
            live_secret_values,
            pending: 0,
        }
    }
}

/// How often (in objects judged) progress is told.
const PROGRESS_EVERY: usize = 50;

mod dry_run;
mod judge;
mod live_state;
mod options;
mod report;
pub mod results;
mod targets;
pub mod verdicts;

pub use dry_run::DryRunCache;
pub use options::DriftOptions;
pub use report::{DriftReport, Handle};
use targets::{TRACKED_KINDS, Target, watch_id};
