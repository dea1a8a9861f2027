//! Reading the apps Argo CD and Flux manage (when their CRDs are served; never required),
//! and the one write kdrift makes to them: suspending auto-sync before a sync, dry-run
//! first, through the gateway.

use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use serde_json::Value;

use super::Connection;
use super::discovery::{self, Served};
use crate::model::controller::{self, ControllerApp, Guard};
use crate::model::object::ObjectId;
use crate::model::plan::{Gateway, Mutation};

const KINDS: [(&str, &str, &str); 4] = [
    ("argoproj.io", "v1alpha1", "Application"),
    ("kustomize.toolkit.fluxcd.io", "v1", "Kustomization"),
    ("source.toolkit.fluxcd.io", "v1", "GitRepository"),
    ("helm.toolkit.fluxcd.io", "v2", "HelmRelease"),
];

fn id(group: &str, version: &str, kind: &str) -> ObjectId {
    ObjectId {
        group: group.into(),
        version: version.into(),
        kind: kind.into(),
        namespace: None,
        name: String::new(),
    }
}

async fn served(conn: &Connection, kind: &str) -> Option<Served> {
    let (g, v, k) = KINDS.iter().find(|(_, _, k)| *k == kind)?;
    let wanted = id(g, v, k);
    let resolved = discovery::resolve(conn, [&wanted]).await.ok()?;
    discovery::lookup(&resolved, &wanted)?
        .as_ref()
        .ok()
        .cloned()
}

async fn list_kind(conn: &Connection, served: &Option<Served>) -> Vec<Value> {
    let Some(served) = served else {
        return Vec::new();
    };
    let api: Api<DynamicObject> = Api::all_with(conn.client.clone(), &served.resource);
    match api.list(&ListParams::default()).await {
        Ok(list) => list
            .items
            .into_iter()
            .filter_map(|o| serde_json::to_value(o).ok())
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Every app the controllers declare in the cluster; empty when none is installed (or the
/// user may not list them).
pub async fn list(conn: &Connection) -> Vec<ControllerApp> {
    let ids: Vec<ObjectId> = KINDS.iter().map(|(g, v, k)| id(g, v, k)).collect();
    let Ok(resolved) = discovery::resolve(conn, ids.iter()).await else {
        return Vec::new();
    };
    let served_of = |kind: &str| {
        ids.iter()
            .find(|i| i.kind == kind)
            .and_then(|i| discovery::lookup(&resolved, i))
            .and_then(|r| r.as_ref().ok())
            .cloned()
    };
    let applications = list_kind(conn, &served_of("Application")).await;
    let kustomizations = list_kind(conn, &served_of("Kustomization")).await;
    let repositories = list_kind(conn, &served_of("GitRepository")).await;
    let releases = list_kind(conn, &served_of("HelmRelease")).await;
    let mut out: Vec<ControllerApp> = applications
        .iter()
        .flat_map(controller::from_application)
        .collect();
    out.extend(
        kustomizations
            .iter()
            .map(|k| controller::from_kustomization(k, &repositories)),
    );
    out.extend(
        releases
            .iter()
            .filter_map(|r| controller::from_helm_release(r, &repositories)),
    );
    out
}

/// Applies the guard (disable auto-sync, or suspend), dry-run first, through the gateway.
pub async fn suspend(
    conn: &Connection,
    gateway: Gateway,
    guard: &Guard,
    field_manager: &str,
) -> Result<String, String> {
    gateway.allow(Mutation::SuspendController)?;
    let served = served(conn, &guard.kind)
        .await
        .ok_or_else(|| format!("{} is not served by the cluster", guard.kind))?;
    let api: Api<DynamicObject> =
        Api::namespaced_with(conn.client.clone(), &guard.namespace, &served.resource);
    let what = format!("{} {}", guard.kind, guard.name);
    for dry_run in [true, false] {
        let params = PatchParams {
            dry_run,
            field_manager: Some(field_manager.to_string()),
            ..Default::default()
        };
        api.patch(&guard.name, &params, &Patch::Merge(&guard.patch))
            .await
            .map_err(|e| {
                let verb = if dry_run { "patch (dry-run)" } else { "patch" };
                conn.error(e, verb, &what, Some(&guard.namespace))
                    .to_string()
            })?;
    }
    Ok(match guard.controller {
        controller::Controller::ArgoCd => format!(
            "disabled Argo CD's auto-sync of Application {}/{}; resume with: {}",
            guard.namespace, guard.name, guard.resume
        ),
        controller::Controller::Flux => format!(
            "suspended Flux's {} {}/{}; resume with: {}",
            guard.kind, guard.namespace, guard.name, guard.resume
        ),
    })
}
