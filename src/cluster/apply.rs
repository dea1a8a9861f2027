//! Server-side apply (for real and as a dry-run) and the dry-run create that shows what the
//! API server would default.

use kube::api::{Api, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::Value;

use super::discovery::Served;
use super::{ClusterError, Connection};
use crate::model::drift::Preview;
use crate::model::plan::Conflict;
use crate::model::secret::scrub;

/// Why an apply did not happen.
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyError {
    /// Another field manager owns fields this apply sets differently.
    Conflict(Vec<Conflict>),
    /// The object's namespace does not exist (yet): a sync that creates it first can
    /// still apply the object.
    NamespaceMissing(String),
    /// Anything else (forbidden, invalid, webhook denied…), already phrased for an operator.
    Failed(String),
}

impl std::fmt::Display for ApplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApplyError::Conflict(c) => {
                let list: Vec<String> = c.iter().map(|c| c.to_string()).collect();
                write!(
                    f,
                    "conflicts with other field managers: {}",
                    list.join("; ")
                )
            }
            ApplyError::NamespaceMissing(m) | ApplyError::Failed(m) => f.write_str(m),
        }
    }
}

fn api(conn: &Connection, served: &Served, namespace: Option<&str>) -> Api<DynamicObject> {
    match (served.namespaced, namespace) {
        (true, Some(ns)) => Api::namespaced_with(conn.client.clone(), ns, &served.resource),
        _ => Api::all_with(conn.client.clone(), &served.resource),
    }
}

fn name_and_namespace(content: &Value) -> (String, Option<String>) {
    let meta = content.get("metadata");
    let name = meta
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let ns = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Value::as_str)
        .map(str::to_string);
    (name, ns)
}

fn conflicts_of(status: &kube::core::Status) -> Vec<Conflict> {
    let causes: Vec<Conflict> = status
        .details
        .iter()
        .flat_map(|d| d.causes.iter())
        .filter(|c| c.reason == "FieldManagerConflict")
        .map(|c| {
            let manager = c.message.split('"').nth(1).unwrap_or(c.message.as_str());
            Conflict {
                field: c.field.clone(),
                manager: manager.to_string(),
                operation: None,
            }
        })
        .collect();
    if causes.is_empty() {
        vec![Conflict {
            field: String::new(),
            manager: status.message.clone(),
            operation: None,
        }]
    } else {
        causes
    }
}

/// Server-side apply of `content` with `field_manager`; `dry_run` changes nothing.
pub async fn apply(
    conn: &Connection,
    served: &Served,
    content: &Value,
    field_manager: &str,
    force: bool,
    dry_run: bool,
) -> Result<Value, ApplyError> {
    let (name, ns) = name_and_namespace(content);
    let mut params = PatchParams::apply(field_manager);
    if force {
        params = params.force();
    }
    if dry_run {
        params = params.dry_run();
    }
    let verb = if dry_run { "apply (dry-run)" } else { "apply" };
    let what = format!("{} {name}", served.resource.kind);
    match api(conn, served, ns.as_deref())
        .patch(&name, &params, &Patch::Apply(content))
        .await
    {
        Ok(obj) => Ok(serde_json::to_value(obj).unwrap_or(Value::Null)),
        Err(kube::Error::Api(status)) if status.code == 409 => Err(ApplyError::Conflict(
            conflicts_of(&status)
                .into_iter()
                .map(|c| Conflict {
                    manager: scrub(&c.manager, content),
                    ..c
                })
                .collect(),
        )),
        Err(kube::Error::Api(status))
            if status.code == 404
                && status
                    .details
                    .as_ref()
                    .is_some_and(|d| d.kind == "namespaces") =>
        {
            let missing = status
                .details
                .as_ref()
                .map(|d| d.name.clone())
                .unwrap_or_default();
            Err(ApplyError::NamespaceMissing(format!(
                "cannot {verb} {what}: namespace {missing:?} does not exist"
            )))
        }
        Err(e) => {
            let err: ClusterError = conn.error(e, verb, &what, ns.as_deref());
            Err(ApplyError::Failed(scrub(&err.to_string(), content)))
        }
    }
}

/// The apply preview: a dry-run apply; on conflict, a forced dry-run shows what a forced
/// sync would do, and the conflicts are kept.
pub async fn preview(
    conn: &Connection,
    served: &Served,
    content: &Value,
    field_manager: &str,
) -> Preview {
    match apply(conn, served, content, field_manager, false, true).await {
        Ok(after) => Preview {
            result: Ok(after),
            conflicts: Vec::new(),
            namespace_missing: false,
        },
        Err(ApplyError::Conflict(mut conflicts)) => {
            crate::model::fields::sort_conflicts(&mut conflicts);
            Preview {
                result: apply(conn, served, content, field_manager, true, true)
                    .await
                    .map_err(|e| e.to_string()),
                conflicts,
                namespace_missing: false,
            }
        }
        Err(e) => Preview {
            namespace_missing: matches!(e, ApplyError::NamespaceMissing(_)),
            result: Err(e.to_string()),
            conflicts: Vec::new(),
        },
    }
}

/// The apply preview in one request for an object that exists: a forced dry-run apply,
/// with the conflicts an unforced one would have met read off what it took from other
/// managers. Where that reading is not sure, [`preview`]'s two requests.
pub async fn forced_preview(
    conn: &Connection,
    served: &Served,
    content: &Value,
    field_manager: &str,
    live: &Value,
) -> Preview {
    match apply(conn, served, content, field_manager, true, true).await {
        Ok(after) => match crate::model::fields::taken_by_force(live, &after, field_manager) {
            Some(conflicts) => Preview {
                result: Ok(after),
                conflicts,
                namespace_missing: false,
            },
            None => {
                tracing::debug!(target: "kdrift::dry_run", object = %name_and_namespace(content).0,
                    "dry-run apply (unforced: conflicts not readable off managedFields)");
                preview(conn, served, content, field_manager).await
            }
        },
        Err(e) => Preview {
            namespace_missing: matches!(e, ApplyError::NamespaceMissing(_)),
            result: Err(e.to_string()),
            conflicts: Vec::new(),
        },
    }
}

/// The Git object as the API server would store it, defaults included: a dry-run create
/// under a generated name. `None` when the server will not say (e.g. a fixed nodePort in
/// use, the namespace missing).
pub async fn reference(conn: &Connection, served: &Served, content: &Value) -> Option<Value> {
    let (name, ns) = name_and_namespace(content);
    let mut body = content.clone();
    let meta = body.get_mut("metadata")?.as_object_mut()?;
    meta.remove("name");
    meta.remove("resourceVersion");
    meta.insert("generateName".into(), Value::String(format!("{name}-")));
    let obj: DynamicObject = serde_json::from_value(body).ok()?;
    let params = PostParams {
        dry_run: true,
        field_manager: Some("kdrift-reference".into()),
    };
    let created = api(conn, served, ns.as_deref())
        .create(&params, &obj)
        .await
        .ok()?;
    let mut value = serde_json::to_value(created).ok()?;
    let meta = value.get_mut("metadata")?.as_object_mut()?;
    meta.remove("generateName");
    meta.insert("name".into(), Value::String(name));
    Some(value)
}

/// The object as the API server has it now (`None` when it cannot be read).
pub async fn get_live(conn: &Connection, served: &Served, content: &Value) -> Option<Value> {
    let (name, ns) = name_and_namespace(content);
    let obj = api(conn, served, ns.as_deref()).get(&name).await.ok()?;
    serde_json::to_value(obj).ok()
}
