//! Carrying out a sync plan: applies in order (Namespaces and CRDs first, waiting for each
//! CRD to be Established), per-object errors that never stop the others, then prunes, only
//! when every apply succeeded. Every write passes the read-only gateway.

use std::collections::HashMap;
use std::time::Duration;

use kube::api::{Api, DeleteParams, DynamicObject};
use serde::Serialize;

use super::Connection;
use super::apply::apply;
use super::discovery::Served;
use super::drift::Handle;
use super::drift::verdicts::{Verdicts, fingerprint, sole_owner};
use crate::model::object::ObjectKey;
use crate::model::plan::{Action, Gateway, Mutation, Plan, PlanItem};

#[derive(Debug, Clone, Serialize)]
pub struct ItemResult {
    pub key: ObjectKey,
    pub action: Action,
    /// What happened ("created", "updated", "deleted") or why it failed.
    pub outcome: Result<String, String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncOutcome {
    pub results: Vec<ItemResult>,
    /// Why the prune phase did not run, when it was planned and skipped.
    pub prune_skipped: Option<String>,
}

impl SyncOutcome {
    /// How many objects this action succeeded on.
    pub fn done(&self, action: Action) -> usize {
        self.results
            .iter()
            .filter(|r| r.action == action && r.outcome.is_ok())
            .count()
    }

    pub fn failed(&self) -> Vec<&ItemResult> {
        self.results.iter().filter(|r| r.outcome.is_err()).collect()
    }
}

const ESTABLISH_TIMEOUT: Duration = Duration::from_secs(30);

async fn wait_established(conn: &Connection, served: &Served, name: &str) -> Result<(), String> {
    let api: Api<DynamicObject> = Api::all_with(conn.client.clone(), &served.resource);
    let deadline = tokio::time::Instant::now() + ESTABLISH_TIMEOUT;
    loop {
        if let Ok(crd) = api.get(name).await {
            let established = crd
                .data
                .pointer("/status/conditions")
                .and_then(|c| c.as_array())
                .is_some_and(|cs| {
                    cs.iter()
                        .any(|c| c["type"] == "Established" && c["status"] == "True")
                });
            if established {
                return Ok(());
            }
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "CustomResourceDefinition {name} not Established within {}s",
                ESTABLISH_TIMEOUT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn apply_item(
    conn: &Connection,
    item: &PlanItem,
    handle: Option<&Handle>,
    field_manager: &str,
    verdicts: Option<&Verdicts>,
) -> Result<String, String> {
    let handle = handle.ok_or("nothing to apply: no desired body")?;
    let (served, body) = steps::resolve(conn, handle).await?;
    let mut done = Vec::new();
    if let Some(repair) = &item.repair {
        steps::repair(conn, &served, &item.key, repair, &body, field_manager).await?;
        done.push(format!("repaired {}", repair.pointer));
    }
    if item.action == Action::Update
        && steps::migrate(conn, &served, &item.key, &body, field_manager).await?
    {
        done.push("moved field ownership into kdrift's apply entry".to_string());
    }
    // No preview means the planning dry-run could not run (its namespace or its kind was
    // still missing, or a repair came first): dry-run now, so an invalid object is never
    // half-written.
    if item.preview.is_none() || !done.is_empty() {
        apply(conn, &served, &body, field_manager, item.force, true)
            .await
            .map_err(|e| match done.is_empty() {
                true => format!("dry-run failed, nothing written: {e}"),
                false => format!(
                    "{}; then the apply's dry-run failed, so Git's version was not applied: {e}",
                    done.join("; ")
                ),
            })?;
    }
    let applied = apply(conn, &served, &body, field_manager, item.force, false)
        .await
        .map_err(|e| e.to_string())?;
    // What kdrift alone owns is Synced as applied: the next diff needs no dry-run for it.
    if let Some(v) = verdicts
        && sole_owner(&applied, field_manager)
    {
        v.insert(fingerprint(&applied, &body));
    }
    if item.key.kind == "CustomResourceDefinition" && item.key.group == "apiextensions.k8s.io" {
        wait_established(conn, &served, &item.key.name).await?;
    }
    done.insert(
        0,
        if item.action == Action::Create {
            "created"
        } else {
            "updated"
        }
        .to_string(),
    );
    Ok(done.join("; "))
}

mod steps;

async fn delete_item(
    conn: &Connection,
    item: &PlanItem,
    handle: Option<&Handle>,
) -> Result<String, String> {
    let served = handle
        .and_then(|h| h.served.as_ref())
        .ok_or("no API resource known for it")?;
    let api: Api<DynamicObject> = match &item.key.namespace {
        Some(ns) => Api::namespaced_with(conn.client.clone(), ns, &served.resource),
        None => Api::all_with(conn.client.clone(), &served.resource),
    };
    api.delete(&item.key.name, &DeleteParams::background())
        .await
        .map(|_| "deleted".to_string())
        .map_err(|e| {
            conn.error(
                e,
                "delete",
                &format!("{} {}", item.key.kind, item.key.name),
                item.key.namespace.as_deref(),
            )
            .to_string()
        })
}

/// Runs the plan; `progress` hears of each result as it happens.
pub async fn execute(
    conn: &Connection,
    gateway: Gateway,
    plan: &Plan,
    handles: &HashMap<ObjectKey, Handle>,
    field_manager: &str,
    verdicts: Option<&Verdicts>,
    progress: &mut (dyn FnMut(&ItemResult) + Send),
) -> Result<SyncOutcome, String> {
    let mut outcome = SyncOutcome::default();
    let applies: Vec<&PlanItem> = plan
        .items
        .iter()
        .filter(|i| matches!(i.action, Action::Create | Action::Update))
        .collect();
    let prunes: Vec<&PlanItem> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Prune)
        .collect();
    if !applies.is_empty() {
        gateway.allow(Mutation::Apply)?;
    }
    for item in applies {
        let result = ItemResult {
            key: item.key.clone(),
            action: item.action,
            outcome: apply_item(conn, item, handles.get(&item.key), field_manager, verdicts).await,
        };
        progress(&result);
        outcome.results.push(result);
    }
    if prunes.is_empty() {
        return Ok(outcome);
    }
    if !outcome.failed().is_empty() {
        outcome.prune_skipped = Some(
            "prune skipped: some applies failed (prune runs only after every apply succeeded)"
                .into(),
        );
        return Ok(outcome);
    }
    gateway.allow(Mutation::Prune)?;
    for item in prunes {
        let result = ItemResult {
            key: item.key.clone(),
            action: item.action,
            outcome: delete_item(conn, item, handles.get(&item.key)).await,
        };
        progress(&result);
        outcome.results.push(result);
    }
    Ok(outcome)
}
