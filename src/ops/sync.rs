//! The sync pipeline, one implementation for `kdrift sync`, `kdrift rollback`, the TUI's
//! popups and `kdrift demo`: `prepare` reads the desired state, refuses manifest errors,
//! dry-runs and plans (with a rollback's three-way tags); `apply` carries a confirmed plan
//! out through the gateway and writes a rollback's revert commit only when every apply
//! succeeded; `summary` says what happened, never "matches" while anything differs.

use std::collections::HashMap;
use std::fmt;

use super::Context;
pub use super::record::Synced;
use crate::cluster::drift::{Handle, compute};
use crate::cluster::sync::{ItemResult, SyncOutcome, execute};
use crate::git::App;
use crate::model::desired::{DesiredSet, ObjectChanges};
use crate::model::hook::{Hook, Phase};
use crate::model::object::ObjectKey;
use crate::model::plan::{Action, Mutation, Plan, PlanOptions, build};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Sync a commit (HEAD by default).
    Sync,
    /// Sync an older commit's desired state, tagged against HEAD's.
    Rollback,
}

impl Mode {
    pub fn mutation(self) -> Mutation {
        match self {
            Mode::Sync => Mutation::Apply,
            Mode::Rollback => Mutation::Rollback,
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone)]
pub struct Request {
    pub rev: String,
    pub mode: Mode,
    pub only: Vec<String>,
    pub force_conflicts: Vec<String>,
    pub prune: bool,
    /// Create missing namespaces Git does not declare (or the app file's `createNamespace`).
    pub create_namespace: bool,
}

/// What happens along the way, for progress.
#[derive(Debug, Clone)]
pub enum Event {
    /// The planning dry-run starts on this many objects.
    Planning { objects: usize },
    /// A rollback's commit against HEAD (HEAD → commit).
    AgainstHead(ObjectChanges),
    /// One object applied or deleted (or not).
    Applied(ItemResult),
}

pub type Events<'a> = &'a mut (dyn FnMut(Event) + Send);

/// A plan ready for confirmation.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub mode: Mode,
    /// The full hash of the commit planned, and its short form.
    pub commit: String,
    pub short: String,
    pub desired: DesiredSet,
    pub plan: Plan,
    pub handles: HashMap<ObjectKey, Handle>,
    pub against_head: Option<ObjectChanges>,
    /// The whole app was planned (no `--only`).
    pub whole: bool,
    /// The app's controller syncs on its own: what must happen first, and how to undo it.
    pub guard: Option<crate::model::controller::Guard>,
}

impl Prepared {
    /// What the record keeps of this plan's sync.
    pub fn synced(&self) -> Synced {
        Synced {
            commit: self.commit.clone(),
            mode: self.mode,
            desired: self.desired.objects.keys().cloned().collect(),
            whole: self.whole,
        }
    }
}

/// Why there is no plan.
#[derive(Debug, Clone)]
pub enum Refusal {
    /// The desired state has manifest errors: syncing part of it could delete or break.
    ManifestErrors(Box<DesiredSet>),
    /// Git or the cluster could not be read.
    Failed(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::ManifestErrors(desired) => match desired.errors.first() {
                Some(first) => write!(
                    f,
                    "refusing to sync: {} manifest error(s); fix them first (first: {first})",
                    desired.errors.len()
                ),
                None => f.write_str("refusing to sync: manifest errors"),
            },
            Refusal::Failed(why) => f.write_str(why),
        }
    }
}

/// HEAD of the app's repository, full and short, read off the async threads.
pub async fn desired_head(spec: &crate::git::AppSpec) -> Result<(String, String), String> {
    let spec = spec.clone();
    tokio::task::spawn_blocking(move || {
        let app = App::open(&spec).map_err(|e| e.to_string())?;
        let id = app.resolve("HEAD").map_err(|e| e.to_string())?;
        Ok((id.to_string(), id.to_hex_with_len(7).to_string()))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// The desired state at a revision, read off the async threads; with the commit's hash.
pub async fn desired_at(
    spec: &crate::git::AppSpec,
    rev: &str,
) -> Result<(String, DesiredSet), String> {
    let (spec, rev) = (spec.clone(), rev.to_string());
    tokio::task::spawn_blocking(move || {
        let app = App::open(&spec).map_err(|e| e.to_string())?;
        let id = app.resolve(&rev).map_err(|e| e.to_string())?;
        let desired = app.desired_at(id).map_err(|e| e.to_string())?;
        Ok((id.to_string(), desired))
    })
    .await
    .map_err(|e| e.to_string())?
}

fn short(commit: &str) -> String {
    commit[..commit.len().min(7)].to_string()
}

/// Reads the desired state, refuses manifest errors, dry-runs and plans.
pub async fn prepare(
    ctx: &Context,
    request: &Request,
    events: Events<'_>,
) -> Result<Prepared, Refusal> {
    let (commit, desired) = desired_at(&ctx.spec, &request.rev)
        .await
        .map_err(Refusal::Failed)?;
    events(Event::Planning {
        objects: desired.len(),
    });
    let against_head = match request.mode {
        Mode::Rollback => {
            let (_, head) = desired_at(&ctx.spec, "HEAD")
                .await
                .map_err(Refusal::Failed)?;
            let changes = ObjectChanges::between(&head, &desired);
            events(Event::AgainstHead(changes.clone()));
            Some(changes)
        }
        Mode::Sync => None,
    };
    if !desired.errors.is_empty() {
        return Err(Refusal::ManifestErrors(Box::new(desired)));
    }
    let report = compute(&ctx.conn, &desired, &ctx.drift, &ctx.cache)
        .await
        .map_err(|e| Refusal::Failed(e.to_string()))?;
    let mut plan = build(
        &report.objects,
        &PlanOptions {
            prune: request.prune,
            only: request.only.clone(),
            force_conflicts: request.force_conflicts.clone(),
            desired_count: desired.len(),
            defined_kinds: super::namespaces::defined_kinds(&desired),
        },
    );
    let mut handles = report.handles;
    let create = request.create_namespace || ctx.drift.create_namespace;
    super::namespaces::plan_missing(ctx, &desired, create, &mut plan, &mut handles).await;
    Ok(Prepared {
        mode: request.mode,
        short: short(&commit),
        commit,
        desired,
        plan,
        handles,
        against_head,
        whole: request.only.is_empty(),
        guard: ctx
            .drift
            .controller
            .as_ref()
            .and_then(crate::model::controller::guard),
    })
}

/// A rollback's revert commit, asked for with the confirmation.
#[derive(Debug, Clone)]
pub struct RevertRequest {
    pub commit: String,
    /// Default: `kdrift/rollback-<short>`.
    pub branch: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub sync: SyncOutcome,
    /// The gateway said no before anything was written.
    pub refused: Option<String>,
    /// What became of the revert commit, when one was asked for: what was written, or why
    /// nothing was.
    pub revert: Option<Result<String, String>>,
    /// Why the sync record (the ApplySet parent) could not be written, if it could not.
    pub record_error: Option<String>,
    /// What was done to the app's controller first (auto-sync disabled, suspended), with
    /// how to resume it.
    pub controller: Option<String>,
}

impl Outcome {
    /// Nothing refused, nothing failed.
    pub fn complete(&self) -> bool {
        self.refused.is_none() && self.sync.failed().is_empty()
    }
}

/// Applies a confirmed plan (through the context's gateway), then the revert commit when
/// asked for and every apply succeeded.
// Over 80 lines: the phases of one sync in the order they must run (controller, hooks,
// apply, record, revert commit), each stopping the next on failure.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    ctx: &Context,
    plan: &Plan,
    handles: &HashMap<ObjectKey, Handle>,
    hooks: &[Hook],
    revert: Option<RevertRequest>,
    synced: Option<&Synced>,
    guard: Option<&crate::model::controller::Guard>,
    events: Events<'_>,
) -> Outcome {
    let mut outcome = Outcome::default();
    // The controller first: otherwise it puts HEAD back while (or after) kdrift applies.
    if let Some(guard) = guard {
        match crate::cluster::controllers::suspend(
            &ctx.conn,
            ctx.gateway,
            guard,
            &ctx.drift.field_manager,
        )
        .await
        {
            Ok(done) => outcome.controller = Some(done),
            Err(refusal) => {
                outcome.refused = Some(refusal);
                return outcome;
            }
        }
    }
    let before = run_hooks(ctx, hooks, Phase::Before, &mut outcome, &mut *events).await;
    if !before {
        // A failed PreSync hook stops the sync, as in Argo CD.
        outcome.refused = Some("a hook that runs before the apply failed; nothing applied".into());
        return outcome;
    }
    let mut outcome = apply_plan(ctx, plan, handles, outcome, &mut *events).await;
    ctx.cache.save();
    if outcome.complete() {
        run_hooks(ctx, hooks, Phase::After, &mut outcome, &mut *events).await;
    }
    let left_alone = plan.count(Action::Conflict) + plan.count(Action::Error);
    if let Some(synced) = synced
        && outcome.refused.is_none()
        && let Err(e) = super::record::write(ctx, synced, &outcome, left_alone).await
    {
        outcome.record_error = Some(e);
    }
    if let Some(request) = revert {
        // The revert commit says Git is at the rollback: only when the cluster is.
        outcome.revert = Some(if super::record::at_commit(&outcome, left_alone) {
            write_revert(ctx, request).await
        } else {
            Err(format!(
                "revert commit not written: the rollback to {} did not apply completely",
                short(&request.commit)
            ))
        });
    }
    outcome
}

/// Runs the hooks of one phase through the gateway; whether all succeeded.
async fn run_hooks(
    ctx: &Context,
    hooks: &[Hook],
    phase: Phase,
    outcome: &mut Outcome,
    events: Events<'_>,
) -> bool {
    let mut ok = true;
    for hook in hooks.iter().filter(|h| h.phase == phase) {
        let result = match ctx.gateway.allow(Mutation::Apply) {
            Ok(()) => crate::cluster::hooks::run(&ctx.conn, hook, &ctx.drift.field_manager).await,
            Err(refusal) => Err(refusal),
        };
        ok &= result.is_ok();
        let result = ItemResult {
            key: hook.id.key(),
            action: Action::Hook,
            outcome: result,
        };
        events(Event::Applied(result.clone()));
        outcome.sync.results.push(result);
    }
    ok
}

async fn apply_plan(
    ctx: &Context,
    plan: &Plan,
    handles: &HashMap<ObjectKey, Handle>,
    before: Outcome,
    events: Events<'_>,
) -> Outcome {
    let mut progress = |r: &ItemResult| events(Event::Applied(r.clone()));
    let outcome = match execute(
        &ctx.conn,
        ctx.gateway,
        plan,
        handles,
        &ctx.drift.field_manager,
        Some(ctx.cache.verdicts()),
        &mut progress,
    )
    .await
    {
        Ok(sync) => sync,
        Err(refused) => {
            return Outcome {
                refused: Some(refused),
                ..before
            };
        }
    };
    let mut results = before.sync.results;
    results.extend(outcome.results);
    Outcome {
        sync: SyncOutcome {
            results,
            prune_skipped: outcome.prune_skipped,
        },
        ..before
    }
}

/// The revert commit on its branch; HEAD, index and worktree stay untouched.
async fn write_revert(ctx: &Context, request: RevertRequest) -> Result<String, String> {
    ctx.gateway.allow(Mutation::RevertCommit)?;
    let spec = ctx.spec.clone();
    tokio::task::spawn_blocking(move || {
        let app = App::open(&spec).map_err(|e| e.to_string())?;
        let rev = app.resolve(&request.commit).map_err(|e| e.to_string())?;
        let written = crate::git::revert::write(&app, rev, request.branch.as_deref())
            .map_err(|e| e.to_string())?;
        let review = if written.is_some() {
            " Push it for review."
        } else {
            ""
        };
        Ok(format!(
            "{}{review}",
            crate::git::revert::describe(written.as_ref(), rev)
        ))
    })
    .await
    .map_err(|e| e.to_string())?
}

pub use super::report::{Summary, hooks_note, hooks_to_run, split_prunes, summary};

#[cfg(test)]
mod tests;
