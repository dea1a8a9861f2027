//! What one sync reaches beyond the objects it can dry-run now: namespaces its objects go
//! into that neither Git nor the cluster has, created when asked (`--create-namespace`,
//! the app file's `createNamespace: true`, as Argo CD's `CreateNamespace=true`) through
//! the same dry-run and confirmation, otherwise left alone with the way out named; and the
//! kinds its own CRDs define, whose instances wait for them.

use std::collections::{BTreeSet, HashMap};

use k8s_openapi::api::core::v1::Namespace;
use kube::api::Api;
use kube::discovery::ApiResource;
use serde_json::json;

use super::Context;
use crate::cluster::apply::apply;
use crate::cluster::discovery::Served;
use crate::cluster::drift::Handle;
use crate::model::desired::DesiredSet;
use crate::model::object::ObjectKey;
use crate::model::plan::{Action, Plan, PlanItem};

fn namespace_key(name: &str) -> ObjectKey {
    ObjectKey {
        group: String::new(),
        kind: "Namespace".into(),
        namespace: None,
        name: name.to_string(),
    }
}

/// Namespaces the plan creates objects in that Git does not declare and the cluster lacks.
async fn missing(ctx: &Context, desired: &DesiredSet, plan: &Plan) -> Vec<String> {
    let wanted: BTreeSet<&str> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Create)
        .filter_map(|i| i.key.namespace.as_deref())
        .filter(|ns| !desired.objects.contains_key(&namespace_key(ns)))
        .collect();
    let api: Api<Namespace> = Api::all(ctx.conn.client.clone());
    let mut out = Vec::new();
    for ns in wanted {
        if let Ok(None) = api.get_opt(ns).await {
            out.push(ns.to_string());
        }
    }
    out
}

/// Adds the creation of each missing namespace to the plan (dry-run now), or, when not
/// asked for, turns the creates into that namespace into errors that say what to do.
pub async fn plan_missing(
    ctx: &Context,
    desired: &DesiredSet,
    create: bool,
    plan: &mut Plan,
    handles: &mut HashMap<ObjectKey, Handle>,
) {
    let missing = missing(ctx, desired, plan).await;
    if missing.is_empty() {
        return;
    }
    if !create {
        for item in plan.items.iter_mut() {
            if item.action == Action::Create
                && item
                    .key
                    .namespace
                    .as_ref()
                    .is_some_and(|ns| missing.contains(ns))
            {
                item.action = Action::Error;
                item.note = format!(
                    "namespace {} does not exist and Git does not declare it: add a Namespace to Git, or sync with --create-namespace (createNamespace: true in .kdrift.yaml)",
                    item.key.namespace.as_deref().unwrap_or_default()
                );
            }
        }
        return;
    }
    let served = Served {
        resource: ApiResource::erase::<Namespace>(&()),
        namespaced: false,
    };
    let mut created = Vec::new();
    for ns in missing {
        let key = namespace_key(&ns);
        let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
        let dry_run = apply(
            &ctx.conn,
            &served,
            &body,
            &ctx.drift.field_manager,
            false,
            true,
        )
        .await;
        let (action, note, preview) = match dry_run {
            Ok(after) => (
                Action::Create,
                "created for the app's objects (--create-namespace); not tracked, so prune never deletes it".to_string(),
                Some(crate::model::diff::unified(
                    "live",
                    "",
                    "after sync (server dry-run)",
                    &crate::model::yaml::to_yaml(&crate::model::normalize::normalize(&after)),
                    ctx.drift.diff_deadline,
                )),
            ),
            Err(e) => (Action::Error, format!("cannot create the namespace: {e}"), None),
        };
        handles.insert(
            key.clone(),
            Handle {
                served: Some(std::sync::Arc::new(served.clone())),
                body: Some(crate::model::object::Compact::new(&body)),
                pending: None,
            },
        );
        created.push(PlanItem {
            key,
            action,
            force: false,
            note,
            preview,
            conflicts: Vec::new(),
            drift_remains: false,
            migration: None,
            repair: None,
            after_crd: false,
        });
    }
    created.append(&mut plan.items);
    plan.items = created;
}

/// The kinds the desired state's own CustomResourceDefinitions define, as (group, kind).
pub fn defined_kinds(desired: &DesiredSet) -> Vec<(String, String)> {
    desired
        .objects
        .values()
        .filter(|m| m.id.kind == "CustomResourceDefinition" && m.id.group == "apiextensions.k8s.io")
        .filter_map(|m| {
            let tree = m.tree();
            let group = tree.pointer("/spec/group")?.as_str()?;
            let kind = tree.pointer("/spec/names/kind")?.as_str()?;
            Some((group.to_string(), kind.to_string()))
        })
        .collect()
}
