//! Turning commands into work: the workers of the app on screen (drift, health, pods,
//! history), replaced when the overview opens another app, and the one-off tasks
//! (plans, applies, logs, highlighting).

use std::cell::RefCell;
use std::sync::Arc;

use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;

use super::state::AppState;
use super::update::{Command, Input, update};
use super::workers::{self, Context};
use crate::cli::AppArgs;
use crate::config::settings::Settings;

/// An app opened from the overview: its context, its HEAD (short), and the commit its
/// record says the cluster runs (full).
pub type Opened = Result<(Context, String, Option<String>), String>;

/// The long-running workers of the app on screen.
pub struct AppWorkers {
    pub ctx: Context,
    /// Tags what these workers send; a new one at each start and stop, so that the loop
    /// keeps only the running app's messages.
    pub epoch: u64,
    drift: Option<JoinHandle<()>>,
    health: Option<JoinHandle<()>>,
    pods: Option<JoinHandle<()>>,
    access: Option<JoinHandle<()>>,
    history: Option<std::sync::mpsc::Sender<()>>,
}

/// Epochs are never reused, whichever `AppWorkers` takes one (0 is no app's).
fn next_epoch() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl AppWorkers {
    pub fn new(ctx: Context) -> Self {
        AppWorkers {
            ctx,
            epoch: next_epoch(),
            drift: None,
            health: None,
            pods: None,
            access: None,
            history: None,
        }
    }

    pub fn stop(&mut self) {
        for task in [
            self.drift.take(),
            self.health.take(),
            self.pods.take(),
            self.access.take(),
        ]
        .into_iter()
        .flatten()
        {
            task.abort();
        }
        // Dropping the sender ends the history thread.
        self.history = None;
        self.epoch = next_epoch();
    }

    /// Starts the app's workers (or, with `app` false, only the cluster's health).
    pub fn start(&mut self, tx: &workers::Sender, refresh: &Refresh, app: bool) -> bool {
        self.stop();
        let tx = &tx.for_app(self.epoch);
        self.health = Some(workers::spawn_health(
            &self.ctx,
            tx.clone(),
            refresh.health.clone(),
        ));
        if !app {
            return false;
        }
        // The drift worker reads Git and tells the pods' watches where to look, and the
        // access review what to review.
        let (namespaces, workloads) = tokio::sync::watch::channel(None);
        let (objects, to_review) = tokio::sync::oneshot::channel();
        self.pods = Some(workers::spawn_pods(&self.ctx, tx.clone(), workloads));
        self.drift = Some(workers::spawn_drift(
            &self.ctx,
            tx.clone(),
            refresh.drift.clone(),
            workers::ReadFromGit {
                namespaces,
                objects: Some(objects),
            },
        ));
        self.access = Some(workers::spawn_access(&self.ctx, tx.clone(), to_review));
        let history = workers::spawn_history(self.ctx.spec.clone(), tx.clone());
        // The first page of history is asked with the app's first report (see
        // `HistoryPane::first_page`): both read Git, and the tree comes first. Until then
        // the pane says it is loading.
        self.history = Some(history);
        true
    }
}

pub struct Refresh {
    pub health: Arc<Notify>,
    pub drift: Arc<Notify>,
    pub apps: Arc<Notify>,
}

/// Updates the state with an input and starts the work its commands ask for.
pub struct Dispatch<'a> {
    /// The running logs session, stopped when another starts or the pane closes.
    pub logs: RefCell<Option<JoinHandle<()>>>,
    pub app: RefCell<AppWorkers>,
    pub tx: &'a workers::Sender,
    pub refresh: &'a Refresh,
    pub syntax: &'a str,
    /// With the overview: how to open its apps, and where opened apps arrive.
    pub overview: Option<(AppArgs, Settings, mpsc::UnboundedSender<Opened>)>,
}

impl Dispatch<'_> {
    /// An app opened from the overview arrives: its workers replace the last app's.
    pub fn opened(&self, state: &mut AppState, opened: Opened) {
        match opened {
            Ok((ctx, head, live)) => {
                let (name, path) = (ctx.drift.app.clone(), ctx.spec.path.clone());
                let mut app = self.app.borrow_mut();
                app.stop();
                *app = AppWorkers::new(ctx);
                let loading = app.start(self.tx, self.refresh, true);
                let cluster_at = live
                    .as_deref()
                    .filter(|l| !l.starts_with(head.as_str()))
                    .map(|l| crate::model::logs::clean(&crate::model::applyset::short(l)));
                state.open_app(name, path, head);
                state.data.cluster_at = cluster_at;
                state.data.live_commit = live;
                state.history.loading = loading;
            }
            Err(e) => state.mode.notice = Some(e),
        }
    }

    fn open(&self, path: String, name: String, namespace: String) {
        let Some((args, settings, back)) = &self.overview else {
            return;
        };
        let (conn, back) = (self.app.borrow().ctx.conn.clone(), back.clone());
        let (mut args, mut settings) = (args.clone(), settings.clone());
        args.path = path;
        // The overview's row already resolved them (declared or discovered).
        args.namespace = Some(namespace.clone());
        settings.namespace = namespace;
        settings.namespace_source = crate::config::settings::NamespaceSource::Flag;
        tokio::spawn(async move {
            let opened = async {
                let name = (!name.is_empty()).then_some(name);
                let ctx = crate::ops::context::context(&conn, &args, name.as_deref(), &settings)
                    .await
                    .map_err(|e| e.to_string())?;
                let (_, head) = crate::ops::sync::desired_head(&ctx.spec).await?;
                let live = ctx.record.as_ref().and_then(|r| r.live_commit.clone());
                Ok((ctx, head, live))
            };
            let _ = back.send(opened.await);
        });
    }

    /// A worker's message, unless it comes from an app's workers stopped since it was sent.
    pub fn deliver(&self, state: &mut AppState, epoch: u64, msg: super::msg::Msg) {
        if epoch == 0 || epoch == self.app.borrow().epoch {
            self.apply(state, Input::Msg(msg));
        }
    }

    /// Returns text to page, when asked: only the loop owns the terminal.
    // Over 80 lines: one arm per command, each handing its work to a worker; a table of
    // them would hide which state each borrows.
    pub fn apply(&self, state: &mut AppState, input: Input) -> Option<String> {
        let mut page = None;
        // Work for the app on screen is the app's: dropped with it when another opens.
        let app_tx = self.tx.for_app(self.app.borrow().epoch);
        for command in update(state, input) {
            let tx = &app_tx;
            match command {
                Command::LoadHistory => {
                    if let Some(h) = &self.app.borrow().history {
                        let _ = h.send(());
                    }
                }
                Command::DriftAt { generation, commit } => {
                    workers::spawn_drift_at(&self.app.borrow().ctx, tx.clone(), generation, commit)
                }
                Command::Refresh => {
                    self.refresh.health.notify_one();
                    self.refresh.drift.notify_one();
                    self.refresh.apps.notify_one();
                }
                Command::Highlight { generation, text } => {
                    workers::spawn_highlight(tx.clone(), generation, text, self.syntax.to_string())
                }
                Command::Plan { generation, kind } => {
                    workers::spawn_plan(&self.app.borrow().ctx, tx.clone(), generation, kind)
                }
                Command::Apply {
                    generation,
                    plan,
                    handles,
                    revert,
                    synced,
                    guard,
                } => {
                    let apply = workers::Apply {
                        generation,
                        plan: *plan,
                        handles,
                        revert,
                        synced,
                        guard,
                    };
                    workers::spawn_apply(&self.app.borrow().ctx, tx.clone(), apply)
                }
                Command::StartLogs {
                    generation,
                    request,
                } => {
                    let task = workers::spawn_logs(
                        &self.app.borrow().ctx,
                        tx.clone(),
                        generation,
                        request,
                    );
                    if let Some(old) = self.logs.replace(Some(task)) {
                        old.abort();
                    }
                }
                Command::StopLogs => {
                    if let Some(old) = self.logs.take() {
                        old.abort();
                    }
                }
                Command::Pager { text } => page = Some(text),
                Command::MatchCommits { commits } => {
                    workers::spawn_matches(&self.app.borrow().ctx, tx.clone(), commits)
                }
                Command::OpenApp {
                    path,
                    name,
                    namespace,
                } => self.open(path, name, namespace),
                Command::Compare {
                    generation,
                    base,
                    head,
                } => workers::spawn_compare(
                    &self.app.borrow().ctx,
                    tx.clone(),
                    generation,
                    base,
                    head,
                ),
                Command::Export { what, markdown } => workers::spawn_export(
                    tx.clone(),
                    &self.app.borrow().ctx.drift.app,
                    &what,
                    markdown,
                ),
                Command::CloseApp => {
                    if let Some(old) = self.logs.take() {
                        old.abort();
                    }
                    self.app.borrow_mut().start(tx, self.refresh, false);
                    self.refresh.apps.notify_one();
                }
            }
        }
        page
    }
}
