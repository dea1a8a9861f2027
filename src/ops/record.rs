//! The sync record on the app's ApplySet parent: read by every front end (which commit the
//! cluster runs, in any session), written by the pipeline after a sync that changed
//! something, through the gateway.

use std::collections::BTreeSet;

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams, PostParams};

use super::Context;
use super::sync::{Mode, Outcome};
use crate::model::applyset::{self, Record, SyncEntry};
use crate::model::object::ObjectKey;
use crate::model::plan::{Action, Mutation};

const TOOLING: &str = concat!("kdrift/", env!("CARGO_PKG_VERSION"));

/// The app's record, if its parent exists (and can be read).
pub async fn read(ctx: &Context) -> Result<Option<Record>, String> {
    let api: Api<ConfigMap> = Api::namespaced(ctx.conn.client.clone(), &ctx.drift.namespace);
    let name = applyset::parent_name(&ctx.drift.app);
    match api.get_opt(&name).await {
        Ok(Some(cm)) => {
            let value = serde_json::to_value(cm).map_err(|e| e.to_string())?;
            Ok(Some(Record::from_parent(&value)))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(ctx
            .conn
            .error(
                e,
                "get",
                &format!("ConfigMap {name}"),
                Some(&ctx.drift.namespace),
            )
            .to_string()),
    }
}

/// Who the API server says we are (SelfSubjectReview), or why it would not say.
async fn whoami(ctx: &Context) -> String {
    let api: Api<SelfSubjectReview> = Api::all(ctx.conn.client.clone());
    match api
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
    {
        Ok(r) => r
            .status
            .and_then(|s| s.user_info)
            .and_then(|u| u.username)
            .unwrap_or_else(|| "unknown".into()),
        Err(_) => "unknown (SelfSubjectReview refused)".into(),
    }
}

/// What a sync applies, for the record.
#[derive(Debug, Clone)]
pub struct Synced {
    pub commit: String,
    pub mode: Mode,
    /// Every object the desired state holds (their kinds go into the inventory).
    pub desired: Vec<ObjectKey>,
    /// The whole app (not `--only` some objects): only then can it put the cluster at the
    /// commit.
    pub whole: bool,
}

/// Records a sync on the parent, unless it changed nothing and the record already names
/// its commit (a second sync of the same commit writes nothing). Returns what was said.
/// The history entry of a sync.
async fn entry(
    ctx: &Context,
    synced: &Synced,
    outcome: &Outcome,
    (created, updated, pruned): (usize, usize, usize),
) -> SyncEntry {
    // A partial sync is recorded too, but the cluster is at the commit only if complete.
    SyncEntry {
        commit: synced.commit.clone(),
        mode: match synced.mode {
            Mode::Sync => "sync".into(),
            Mode::Rollback => "rollback".into(),
        },
        time: jiff::Timestamp::now().to_string(),
        user: whoami(ctx).await,
        created,
        updated,
        pruned,
        failed: outcome
            .sync
            .failed()
            .iter()
            .map(|r| r.key.to_string())
            .collect(),
    }
}

/// Whether a sync put the cluster at its commit: nothing refused, failed or left alone.
pub fn at_commit(outcome: &Outcome, left_alone: usize) -> bool {
    outcome.complete() && left_alone == 0
}

pub async fn write(
    ctx: &Context,
    synced: &Synced,
    outcome: &Outcome,
    left_alone: usize,
) -> Result<bool, String> {
    let done = |a: Action| outcome.sync.done(a);
    let (created, updated, pruned) = (
        done(Action::Create),
        done(Action::Update),
        done(Action::Prune),
    );
    // An unreadable record is not an empty one: writing over it would lose its history.
    let previous = read(ctx).await?.unwrap_or_default();
    let wrote = created + updated + pruned > 0;
    if !wrote && previous.live_commit.as_deref() == Some(synced.commit.as_str()) {
        return Ok(false);
    }
    let entry = entry(ctx, synced, outcome, (created, updated, pruned)).await;
    let kinds: BTreeSet<String> = synced.desired.iter().map(applyset::group_kind).collect();
    let record = if synced.whole && at_commit(outcome, left_alone) {
        previous.after(entry, kinds)
    } else {
        previous.after_partial(entry)
    };
    let namespaces: BTreeSet<String> = synced
        .desired
        .iter()
        .filter_map(|k| k.namespace.clone())
        .collect();
    let parent = applyset::parent_object(
        &ctx.drift.app,
        &ctx.drift.namespace,
        &record,
        &namespaces,
        TOOLING,
    );
    ctx.gateway.allow(Mutation::Apply)?;
    let api: Api<ConfigMap> = Api::namespaced(ctx.conn.client.clone(), &ctx.drift.namespace);
    let name = applyset::parent_name(&ctx.drift.app);
    api.patch(
        &name,
        &PatchParams::apply(&ctx.drift.field_manager).force(),
        &Patch::Apply(&parent),
    )
    .await
    .map_err(|e| {
        ctx.conn
            .error(
                e,
                "apply",
                &format!("ConfigMap {name} (the sync record)"),
                Some(&ctx.drift.namespace),
            )
            .to_string()
    })?;
    Ok(true)
}

/// "cluster at <short> (rollback …), not HEAD", when the record says so.
pub fn cluster_at(record: &Record, head: &str) -> Option<String> {
    let live = record.live_commit.as_deref()?;
    if live == head {
        return None;
    }
    let short = applyset::short(live);
    let clean = crate::model::logs::clean;
    let how = match record.history.iter().find(|e| e.commit == live) {
        Some(e) if e.mode == "rollback" => {
            format!(" (rolled back by {} at {})", clean(&e.user), clean(&e.time))
        }
        Some(e) => format!(" (synced by {} at {})", clean(&e.user), clean(&e.time)),
        None => String::new(),
    };
    Some(format!("cluster at {}{how}, not HEAD", clean(&short)))
}
