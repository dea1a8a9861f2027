//! What the user may do in the app's namespaces: one SelfSubjectRulesReview per namespace
//! (and a SelfSubjectReview for the user's name), judged by `model::access`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::authorization::v1::{SelfSubjectRulesReview, SelfSubjectRulesReviewSpec};
use kube::api::{Api, PostParams};

use super::{Connection, discovery};
use crate::model::access::{Access, Review, Rule, Target, judge};
use crate::model::object::ObjectId;

/// At most this many namespaces are reviewed (one request each).
const MAX_NAMESPACES: usize = 8;

/// The verdicts for the app's keys; anything that cannot be read leaves them unknown.
pub async fn review(conn: &Connection, objects: &[ObjectId], app_namespace: &str) -> Access {
    let Ok(resolved) = discovery::resolve(conn, objects.iter()).await else {
        return Access::default();
    };
    let targets: Vec<Target> = objects
        .iter()
        .filter_map(|id| {
            let served = discovery::lookup(&resolved, id)?.as_ref().ok()?;
            Some(Target {
                group: id.group.clone(),
                resource: served.resource.plural.clone(),
                namespace: served.namespaced.then(|| {
                    id.namespace
                        .clone()
                        .unwrap_or_else(|| app_namespace.to_string())
                }),
                name: id.name.clone(),
            })
        })
        .collect();
    let namespaces: BTreeSet<String> = std::iter::once(app_namespace.to_string())
        .chain(targets.iter().filter_map(|t| t.namespace.clone()))
        .take(MAX_NAMESPACES)
        .collect();
    let mut reviews = BTreeMap::new();
    for ns in namespaces {
        let review = rules_review(conn, &ns).await;
        reviews.insert(ns, review);
    }
    judge(&who(conn).await, app_namespace, &targets, &reviews)
}

async fn rules_review(conn: &Connection, namespace: &str) -> Result<Review, String> {
    let request = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(namespace.to_string()),
        },
        ..Default::default()
    };
    let answer = Api::<SelfSubjectRulesReview>::all(conn.client.clone())
        .create(&PostParams::default(), &request)
        .await
        .map_err(|e| {
            conn.error(e, "create", "selfsubjectrulesreviews", Some(namespace))
                .to_string()
        })?;
    let status = answer
        .status
        .ok_or("the review came back without a status")?;
    Ok(Review {
        incomplete: status.incomplete,
        rules: status
            .resource_rules
            .into_iter()
            .map(|r| Rule {
                verbs: r.verbs,
                api_groups: r.api_groups.unwrap_or_default(),
                resources: r.resources.unwrap_or_default(),
                resource_names: r.resource_names.unwrap_or_default(),
            })
            .collect(),
    })
}

/// The user's name as the API server sees it (impersonation included), else "you".
async fn who(conn: &Connection) -> String {
    Api::<SelfSubjectReview>::all(conn.client.clone())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .ok()
        .and_then(|r| r.status?.user_info?.username)
        .map(|name| crate::model::logs::clean(&name))
        .unwrap_or_else(|| "you".to_string())
}
