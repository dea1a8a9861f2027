//! Which resource serves each desired kind, at which scope, in which version.

use std::collections::{BTreeSet, HashMap};

use kube::api::GroupVersionKind;
use kube::core::discovery::Scope;
use kube::discovery::{ApiResource, Discovery};

use super::Connection;
use crate::model::object::ObjectId;

/// How the cluster serves one group/version/kind.
#[derive(Debug, Clone)]
pub struct Served {
    pub resource: ApiResource,
    pub namespaced: bool,
}

/// `(group, version, kind)`.
pub type Gvk = (String, String, String);

/// `(group, version, kind)` to how it is served, or why it is not.
pub type Resolved = HashMap<Gvk, Result<Served, String>>;

fn gvk_key(id: &ObjectId) -> (String, String, String) {
    (id.group.clone(), id.version.clone(), id.kind.clone())
}

/// Resolves every kind among `ids` with one discovery of the groups involved. A kind the
/// cluster does not serve gets the reason (a missing CRD, an old API version).
pub async fn resolve<'a>(
    conn: &Connection,
    ids: impl IntoIterator<Item = &'a ObjectId>,
) -> Result<Resolved, String> {
    let wanted: BTreeSet<(String, String, String)> = ids.into_iter().map(gvk_key).collect();
    let groups: BTreeSet<&str> = wanted.iter().map(|(g, _, _)| g.as_str()).collect();
    let groups: Vec<&str> = groups.into_iter().collect();
    let discovery = Discovery::new(conn.client.clone())
        .filter(&groups)
        .run()
        .await
        .map_err(|e| conn.error(e, "discover", "API groups", None).to_string())?;
    Ok(wanted
        .into_iter()
        .map(|(group, version, kind)| {
            let gvk = GroupVersionKind::gvk(&group, &version, &kind);
            let api_version = if group.is_empty() {
                version.clone()
            } else {
                format!("{group}/{version}")
            };
            let served = match discovery.resolve_gvk(&gvk) {
                Some((resource, caps)) => Ok(Served {
                    resource,
                    namespaced: caps.scope == Scope::Namespaced,
                }),
                None => {
                    let other = discovery
                        .groups()
                        .find(|g| g.name() == group)
                        .and_then(|g| g.recommended_kind(&kind));
                    Err(match other {
                        Some((ar, _)) => format!(
                            "{kind} {api_version} is not served by the cluster; it serves {}",
                            ar.api_version
                        ),
                        None => format!(
                            "kind {kind} ({api_version}) is not served by the cluster: is its CRD installed?"
                        ),
                    })
                }
            };
            ((group, version, kind), served)
        })
        .collect())
}

pub fn lookup<'a>(resolved: &'a Resolved, id: &ObjectId) -> Option<&'a Result<Served, String>> {
    resolved.get(&gvk_key(id))
}

/// As [`lookup`], with the map's own key (to find what is kept per kind).
pub fn lookup_key<'a>(
    resolved: &'a Resolved,
    id: &ObjectId,
) -> Option<(&'a Gvk, &'a Result<Served, String>)> {
    resolved.get_key_value(&gvk_key(id))
}

/// The server's version and its API group versions, for a chart's `.Capabilities`; what
/// cannot be read is left out (the chart then renders with Helm's defaults).
pub async fn capabilities(conn: &Connection) -> (Option<String>, Vec<String>) {
    let version = conn
        .client
        .apiserver_version()
        .await
        .ok()
        .map(|v| v.git_version);
    let mut apis = Vec::new();
    if let Ok(core) = conn.client.list_core_api_versions().await {
        apis.extend(core.versions);
    }
    if let Ok(groups) = conn.client.list_api_groups().await {
        for g in groups.groups {
            apis.extend(g.versions.into_iter().map(|v| v.group_version));
        }
    }
    (version, apis)
}

/// Each (group, kind) at the version the cluster prefers for it; kinds it does not serve
/// (a CRD since removed) are left out.
pub async fn preferred(conn: &Connection, kinds: &[(String, String)]) -> Vec<ObjectId> {
    if kinds.is_empty() {
        return Vec::new();
    }
    let groups: BTreeSet<&str> = kinds.iter().map(|(g, _)| g.as_str()).collect();
    let groups: Vec<&str> = groups.into_iter().collect();
    let Ok(discovery) = Discovery::new(conn.client.clone())
        .filter(&groups)
        .run()
        .await
    else {
        return Vec::new();
    };
    kinds
        .iter()
        .filter_map(|(group, kind)| {
            let (ar, _) = discovery
                .groups()
                .find(|g| g.name() == group)?
                .recommended_kind(kind)?;
            Some(ObjectId {
                group: group.clone(),
                version: ar.version,
                kind: kind.clone(),
                namespace: None,
                name: String::new(),
            })
        })
        .collect()
}
