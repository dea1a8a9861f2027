//! Workers: they never touch `AppState`; they send owned results back as `Msg`s. Blocking
//! work (gix, highlighting) runs off the async threads.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::msg::Msg;
use crate::cluster::drift::{Session, compute};
use crate::git::AppSpec;
pub use crate::ops::Context;
use crate::ops::sync::{self, Event, Mode, Request, RevertRequest};

pub use super::msg::Sender;

const DEBOUNCE: Duration = Duration::from_millis(300);
const PROGRESS_PERIOD: Duration = Duration::from_millis(200);

const APPS_PERIOD: Duration = Duration::from_secs(10);

/// The apps overview's rows, every few seconds and on refresh.
pub fn spawn_apps(
    conn: crate::cluster::Connection,
    args: crate::cli::AppArgs,
    settings: crate::config::settings::Settings,
    tx: Sender,
    refresh: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let rows = crate::ops::apps::rows(&conn, &args, &settings)
                .await
                .map_err(|e| format!("{e:#}"));
            if tx.send(Msg::Apps(rows)).is_err() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(APPS_PERIOD) => {}
                _ = refresh.notified() => {}
            }
        }
    })
}

/// Where the drift worker tells the other workers what it read from Git.
pub struct ReadFromGit {
    /// The namespaces of the app's workloads, for the pods' watches (on every read).
    pub namespaces: tokio::sync::watch::Sender<Option<Vec<String>>>,
    /// The app's objects, for the access review (once, after the first tree).
    pub objects: Option<tokio::sync::oneshot::Sender<Vec<crate::model::object::ObjectId>>>,
}

/// The drift of HEAD, kept live by watches: re-evaluated (debounced) whenever a watched
/// object changes, and on refresh (which also rereads Git).
pub fn spawn_drift(
    ctx: &Context,
    tx: Sender,
    refresh: Arc<Notify>,
    mut read: ReadFromGit,
) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let mut judged_once = false;
        loop {
            let desired = match desired_at(&ctx.spec, "HEAD").await {
                Ok(d) => d,
                Err(e) => {
                    let _ = tx.send(Msg::Drift {
                        generation: 0,
                        commit: None,
                        result: Err(e),
                    });
                    refresh.notified().await;
                    continue;
                }
            };
            tracing::debug!(target: super::milestones::TARGET, ms = super::milestones::ms(), objects = desired.len(), "Git read");
            let workloads = Some(workload_namespaces(&desired, &ctx.drift.namespace));
            read.namespaces.send_if_modified(|held| {
                let moved = *held != workloads;
                if moved {
                    *held = workloads;
                }
                moved
            });
            let changed = Arc::new(Notify::new());
            let session = match Session::start(
                &ctx.conn,
                &desired,
                &ctx.drift,
                Some(changed.clone()),
            )
            .await
            {
                Ok(s) => s,
                Err(e) => {
                    let _ = tx.send(Msg::Drift {
                        generation: 0,
                        commit: None,
                        result: Err(e.to_string()),
                    });
                    refresh.notified().await;
                    continue;
                }
            };
            let objects = read
                .objects
                .take()
                .map(|to| (to, desired.objects.values().map(|m| m.id.clone()).collect()));
            // The session keeps what it needs of Git's objects, compactly.
            drop(desired);
            // The tree shows every object at once, verdicts following (a refresh keeps the
            // last report on screen instead).
            if !judged_once {
                let outline = Msg::Drift {
                    generation: 0,
                    commit: None,
                    result: Ok(session.outline()),
                };
                if tx.send(outline).is_err() {
                    return;
                }
            }
            if let Some((to, objects)) = objects {
                let _ = to.send(objects);
            }
            judged_once = true;
            let mut first = true;
            loop {
                let progress_tx = tx.clone();
                // At most every PROGRESS_PERIOD: each one redraws the tree.
                let told = std::sync::Mutex::new(std::time::Instant::now());
                let tell = move |judged: usize, total: usize| {
                    let Ok(mut last) = told.lock() else { return };
                    if judged < total && last.elapsed() < PROGRESS_PERIOD {
                        return;
                    }
                    *last = std::time::Instant::now();
                    let _ = progress_tx.send(Msg::DriftProgress { judged, total });
                };
                let progress: Option<&(dyn Fn(usize, usize) + Sync)> =
                    if first { Some(&tell) } else { None };
                first = false;
                let report = session
                    .evaluate_reporting(&ctx.conn, &ctx.cache, progress)
                    .await;
                let live = session.live_state();
                if progress.is_some() {
                    // The first evaluation of a big app frees the Git side's parsed copies
                    // and the lists: give that memory back.
                    tokio::task::spawn_blocking(crate::memory::release_freed);
                }
                if tx.send(Msg::Live(live)).is_err()
                    || tx
                        .send(Msg::Drift {
                            generation: 0,
                            commit: None,
                            result: Ok(report),
                        })
                        .is_err()
                {
                    return;
                }
                tokio::select! {
                    _ = changed.notified() => {
                        // Let a burst of watch events settle into one evaluation.
                        tokio::time::sleep(DEBOUNCE).await;
                    }
                    _ = refresh.notified() => break,
                }
            }
        }
    })
}

/// Namespaces where the app has objects that run pods.
fn workload_namespaces(desired: &crate::model::desired::DesiredSet, default: &str) -> Vec<String> {
    let mut out: Vec<String> = desired
        .objects
        .keys()
        .filter(|k| crate::cluster::logs::has_logs(k))
        .map(|k| k.namespace.clone().unwrap_or_else(|| default.to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The desired state at a revision, read off the async threads.
async fn desired_at(
    spec: &AppSpec,
    rev: &str,
) -> Result<crate::model::desired::DesiredSet, String> {
    sync::desired_at(spec, rev)
        .await
        .map(|(_, desired)| desired)
}

/// The drift against a selected commit; the UI drops it if a newer selection came.
pub fn spawn_drift_at(ctx: &Context, tx: Sender, generation: u64, commit: String) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let desired = desired_at(&ctx.spec, &commit).await;
        let result = match desired {
            Ok(d) => compute(&ctx.conn, &d, &ctx.drift, &ctx.cache)
                .await
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let _ = tx.send(Msg::Drift {
            generation,
            commit: Some(commit),
            result,
        });
    });
}

/// Whether each commit's objects are exactly what the cluster holds, one by one.
pub fn spawn_matches(ctx: &Context, tx: Sender, commits: Vec<String>) {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        for commit in commits {
            let Ok(desired) = desired_at(&ctx.spec, &commit).await else {
                continue;
            };
            if !desired.errors.is_empty() {
                continue;
            }
            if let Ok(report) = compute(&ctx.conn, &desired, &ctx.drift, &ctx.cache).await {
                let matches = report.in_sync();
                if tx.send(Msg::CommitMatch { commit, matches }).is_err() {
                    return;
                }
            }
        }
    });
}

pub fn spawn_highlight(tx: Sender, generation: u64, text: String, syntax: String) {
    tokio::task::spawn_blocking(move || {
        #[cfg(debug_assertions)]
        if std::env::var_os("KDRIFT_TEST_WORKER_PANIC").is_some() {
            panic!("worker panic requested by KDRIFT_TEST_WORKER_PANIC");
        }
        let highlighted = crate::ui::highlight::highlight(&text, &syntax);
        let _ = tx.send(Msg::Highlighted {
            generation,
            highlighted,
        });
    });
}

/// The plan of a sync (HEAD) or a rollback (a commit), from the one pipeline.
pub fn spawn_plan(ctx: &Context, tx: Sender, generation: u64, kind: super::state::PopupKind) {
    use super::state::PopupKind;
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let (rev, mode) = match &kind {
            PopupKind::Rollback { commit } => (commit.clone(), Mode::Rollback),
            PopupKind::Sync { .. } => ("HEAD".to_string(), Mode::Sync),
        };
        let only = match &kind {
            PopupKind::Sync { only: Some(key) } => vec![crate::model::plan::selector(key)],
            _ => Vec::new(),
        };
        // Prunes are planned with the headless command's rules, then held back by the
        // popup for a confirmation of their own.
        let request = Request {
            rev,
            mode,
            only,
            force_conflicts: Vec::new(),
            prune: true,
            create_namespace: false,
        };
        let events_tx = tx.clone();
        let mut events = move |event: Event| {
            let _ = events_tx.send(Msg::Sync { generation, event });
        };
        let result = sync::prepare(&ctx, &request, &mut events)
            .await
            .map(Box::new)
            .map_err(|e| e.to_string());
        let _ = tx.send(Msg::Plan { generation, result });
    });
}

/// A confirmed plan to apply.
pub struct Apply {
    pub generation: u64,
    pub plan: crate::model::plan::Plan,
    pub handles:
        std::collections::HashMap<crate::model::object::ObjectKey, crate::cluster::drift::Handle>,
    /// Rollback: write the revert commit of this commit once every object applied.
    pub revert: Option<String>,
    /// What the sync record keeps of it.
    pub synced: Option<crate::ops::sync::Synced>,
    /// The app's controller, suspended first (the popup showed why).
    pub guard: Option<crate::model::controller::Guard>,
}

/// Applies a confirmed plan through the pipeline, reporting each object as it goes.
pub fn spawn_apply(ctx: &Context, tx: Sender, apply: Apply) {
    let ctx = ctx.clone();
    let generation = apply.generation;
    tokio::spawn(async move {
        let events_tx = tx.clone();
        let mut events = move |event: Event| {
            let _ = events_tx.send(Msg::Sync { generation, event });
        };
        let revert = apply.revert.map(|commit| RevertRequest {
            commit,
            branch: None,
        });
        let outcome = sync::apply(
            &ctx,
            &apply.plan,
            &apply.handles,
            &[],
            revert,
            apply.synced.as_ref(),
            apply.guard.as_ref(),
            &mut events,
        )
        .await;
        let _ = tx.send(Msg::SyncDone {
            generation,
            outcome,
        });
    });
}

/// A logs session: its events come back tagged with its generation. Aborting the returned
/// handle stops every stream of the session.
pub fn spawn_logs(
    ctx: &Context,
    tx: Sender,
    generation: u64,
    request: crate::cluster::logs::LogRequest,
) -> tokio::task::JoinHandle<()> {
    let conn = ctx.conn.clone();
    let sink: crate::cluster::logs::Sink =
        Arc::new(move |event| tx.send(Msg::Logs { generation, event }).is_ok());
    tokio::spawn(crate::cluster::logs::run_session(conn, request, sink))
}

mod cluster;
mod tasks;
pub use cluster::{Namespaces, spawn_health, spawn_pods};
pub use tasks::{spawn_access, spawn_compare, spawn_export, spawn_history};
