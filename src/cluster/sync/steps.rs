//! The steps before an object's apply: its kind resolved (a CRD created by this sync), a
//! list Git's apply cannot merge into replaced with Git's, and client-side-apply ownership
//! migrated. Each write is dry-run first, as the apply is.

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use crate::cluster::Connection;
use crate::cluster::apply::get_live;
use crate::cluster::discovery::{self, Served};
use crate::cluster::drift::Handle;
use crate::model::drift::Repair;
use crate::model::object::ObjectKey;
use crate::model::secret::scrub;

/// How the cluster serves the object now, and its body scoped to that.
pub(super) async fn resolve(conn: &Connection, handle: &Handle) -> Result<(Served, Value), String> {
    let body = handle
        .body
        .as_ref()
        .ok_or("nothing to apply: not in Git")?
        .value()?;
    if let Some(served) = &handle.served {
        return Ok((Served::clone(served), body));
    }
    let (id, namespace) = handle
        .pending
        .as_deref()
        .ok_or("no API resource known for it")?;
    let resolved = discovery::resolve(conn, [id]).await?;
    let served = match discovery::lookup(&resolved, id) {
        Some(Ok(served)) => served.clone(),
        Some(Err(why)) => return Err(why.clone()),
        None => return Err("not resolved by discovery".into()),
    };
    let mut body = body;
    if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
        if !served.namespaced {
            meta.remove("namespace");
        } else if !meta.contains_key("namespace") {
            meta.insert("namespace".into(), Value::String(namespace.clone()));
        }
    }
    Ok((served, body))
}

fn api(conn: &Connection, served: &Served, key: &ObjectKey) -> Api<DynamicObject> {
    match &key.namespace {
        Some(ns) if served.namespaced => {
            Api::namespaced_with(conn.client.clone(), ns, &served.resource)
        }
        _ => Api::all_with(conn.client.clone(), &served.resource),
    }
}

/// A JSON patch, dry-run then for real, as `field_manager`.
async fn json_patch(
    conn: &Connection,
    served: &Served,
    key: &ObjectKey,
    ops: Value,
    field_manager: &str,
    what: &str,
    body: &Value,
) -> Result<(), String> {
    let patch: json_patch::Patch =
        serde_json::from_value(ops).map_err(|e| format!("cannot build the {what} patch: {e}"))?;
    let api = api(conn, served, key);
    for dry_run in [true, false] {
        let params = PatchParams {
            dry_run,
            field_manager: Some(field_manager.to_string()),
            ..Default::default()
        };
        api.patch(&key.name, &params, &Patch::Json::<()>(patch.clone()))
            .await
            .map_err(|e| {
                let verb = if dry_run { "patch (dry-run)" } else { "patch" };
                let err = conn.error(
                    e,
                    verb,
                    &format!("{} {}", key.kind, key.name),
                    key.namespace.as_deref(),
                );
                scrub(&format!("{what}: {err}"), body)
            })?;
    }
    Ok(())
}

/// Removes the list's items set outside Git and adds Git's missing ones (the merge with
/// live is invalid, so the apply alone cannot repair it); each removal tests its item first.
pub(super) async fn repair(
    conn: &Connection,
    served: &Served,
    key: &ObjectKey,
    repair: &Repair,
    body: &Value,
    field_manager: &str,
) -> Result<(), String> {
    let what = format!("repair {}", repair.pointer);
    json_patch(
        conn,
        served,
        key,
        repair.ops.clone(),
        field_manager,
        &what,
        body,
    )
    .await
}

/// Times the migration is tried again after a controller wrote the object between kdrift's
/// read and its patch (the patch is guarded by the resourceVersion read).
const MIGRATE_TRIES: usize = 3;

/// Moves client-side-apply ownership (and kdrift's own imperative entry, left by a
/// repair) into kdrift's Apply entry, when the live object has any.
pub(super) async fn migrate(
    conn: &Connection,
    served: &Served,
    key: &ObjectKey,
    body: &Value,
    field_manager: &str,
) -> Result<bool, String> {
    let version = |v: &Value| v.pointer("/metadata/resourceVersion").cloned();
    let Some(mut live) = get_live(conn, served, body).await else {
        return Ok(false);
    };
    let mut tries = 0;
    loop {
        tries += 1;
        let now = crate::model::time::now_rfc3339();
        let Some(ops) = crate::model::migrate::patch(&live, field_manager, &now) else {
            return Ok(false);
        };
        let Err(e) = json_patch(
            conn,
            served,
            key,
            ops,
            field_manager,
            "migrate client-side-apply ownership",
            body,
        )
        .await
        else {
            return Ok(true);
        };
        // A Deployment's controller writes its revision annotation just after a change:
        // the guard failed on a newer object, not on a wrong patch. Read it again.
        match get_live(conn, served, body).await {
            Some(newer) if tries < MIGRATE_TRIES && version(&newer) != version(&live) => {
                live = newer
            }
            _ => return Err(e),
        }
    }
}
