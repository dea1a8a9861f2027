//! Running hooks (`kdrift sync --hooks`): each is dry-run first, then created (a
//! `generateName` hook gets a new object every run) or applied (a named one).

use kube::api::{Api, DynamicObject, PostParams};

use super::Connection;
use super::apply::apply;
use super::discovery::{self, Served};
use crate::model::hook::Hook;

fn api(conn: &Connection, served: &Served, hook: &Hook) -> Api<DynamicObject> {
    match (&hook.id.namespace, served.namespaced) {
        (Some(ns), true) => Api::namespaced_with(conn.client.clone(), ns, &served.resource),
        _ => Api::all_with(conn.client.clone(), &served.resource),
    }
}

async fn write(
    conn: &Connection,
    served: &Served,
    hook: &Hook,
    field_manager: &str,
    dry_run: bool,
) -> Result<String, String> {
    if !hook.generated {
        return apply(conn, served, &hook.content, field_manager, false, dry_run)
            .await
            .map(|_| format!("applied {}", hook.id.name))
            .map_err(|e| e.to_string());
    }
    let object: DynamicObject = serde_json::from_value(hook.content.clone())
        .map_err(|e| format!("not a valid object: {e}"))?;
    let params = PostParams {
        dry_run,
        field_manager: Some(field_manager.to_string()),
    };
    let verb = if dry_run {
        "create (dry-run)"
    } else {
        "create"
    };
    api(conn, served, hook)
        .create(&params, &object)
        .await
        .map(|created| format!("created {}", created.metadata.name.unwrap_or_default()))
        .map_err(|e| {
            conn.error(
                e,
                verb,
                &format!("{} {}*", hook.id.kind, hook.id.name),
                hook.id.namespace.as_deref(),
            )
            .to_string()
        })
}

/// Runs one hook: a dry-run, then the real write. What was created, or why not.
pub async fn run(conn: &Connection, hook: &Hook, field_manager: &str) -> Result<String, String> {
    let resolved = discovery::resolve(conn, [&hook.id]).await?;
    let served = match discovery::lookup(&resolved, &hook.id) {
        Some(Ok(served)) => served.clone(),
        Some(Err(why)) => return Err(why.clone()),
        None => {
            return Err(format!(
                "kind {} is not served by the cluster",
                hook.id.kind
            ));
        }
    };
    write(conn, &served, hook, field_manager, true)
        .await
        .map_err(|e| format!("dry-run failed, nothing written: {e}"))?;
    write(conn, &served, hook, field_manager, false).await
}
