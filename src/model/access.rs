//! What the user may do, judged from the RBAC rules a SelfSubjectRulesReview returns, so
//! that keys whose action would certainly be refused are shown as such before they are
//! pressed. Only a certain "no" mutes a key: rules the review could not list (another
//! authorizer, a webhook) or a review that failed leave the key as it is.

use std::collections::BTreeMap;

/// One resource rule, as `SelfSubjectRulesReview.status.resourceRules` gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
}

/// The review of one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    pub rules: Vec<Rule>,
    /// The API server said its list is incomplete (authorizers that cannot list rules).
    pub incomplete: bool,
}

/// An object the app would write, as RBAC names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub group: String,
    /// The resource's plural (`deployments`).
    pub resource: String,
    /// The namespace it is in; `None` when cluster-scoped.
    pub namespace: Option<String>,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Verdict {
    #[default]
    Unknown,
    Allowed,
    /// Certainly refused, with why in a sentence.
    Forbidden(String),
}

impl Verdict {
    pub fn forbidden(&self) -> Option<&str> {
        match self {
            Verdict::Forbidden(why) => Some(why),
            _ => None,
        }
    }
}

/// The verdicts the TUI's keys need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    /// Sync and rollback: server-side apply of the app's objects.
    pub apply: Verdict,
    /// Reading the logs of the app's pods.
    pub logs: Verdict,
}

impl Rule {
    fn allows(&self, verb: &str, group: &str, resource: &str, name: &str) -> bool {
        let any = |list: &[String], wanted: &str| list.iter().any(|v| v == "*" || v == wanted);
        let resource_matches = self.resources.iter().any(|r| {
            r == "*"
                || r == resource
                // `*/scale`: that subresource of every resource.
                || r.strip_prefix("*/").is_some_and(|sub| {
                    resource.split_once('/').is_some_and(|(_, s)| s == sub)
                })
        });
        any(&self.verbs, verb)
            && any(&self.api_groups, group)
            && resource_matches
            && (self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == name))
    }
}

impl Review {
    /// `Some(true)` allowed, `Some(false)` certainly refused, `None` cannot tell.
    pub fn allows(&self, verb: &str, group: &str, resource: &str, name: &str) -> Option<bool> {
        if self
            .rules
            .iter()
            .any(|r| r.allows(verb, group, resource, name))
        {
            Some(true)
        } else if self.incomplete {
            None
        } else {
            Some(false)
        }
    }
}

/// Judges the app's keys. `reviews` maps each namespace reviewed to its review (or why it
/// could not be had); cluster-scoped objects are judged by `app_namespace`'s review, which
/// carries the rules of cluster-wide bindings.
pub fn judge(
    who: &str,
    app_namespace: &str,
    targets: &[Target],
    reviews: &BTreeMap<String, Result<Review, String>>,
) -> Access {
    Access {
        apply: judge_apply(who, app_namespace, targets, reviews),
        logs: match reviews.get(app_namespace) {
            Some(Ok(review)) => match review.allows("get", "", "pods/log", "") {
                Some(true) => Verdict::Allowed,
                Some(false) => Verdict::Forbidden(format!(
                    "{who} may not get pods/log in namespace {app_namespace} (RBAC, from a SelfSubjectRulesReview)"
                )),
                None => Verdict::Unknown,
            },
            _ => Verdict::Unknown,
        },
    }
}

fn judge_apply(
    who: &str,
    app_namespace: &str,
    targets: &[Target],
    reviews: &BTreeMap<String, Result<Review, String>>,
) -> Verdict {
    if targets.is_empty() {
        return Verdict::Unknown;
    }
    let mut refused = std::collections::BTreeSet::new();
    for t in targets {
        let ns = t.namespace.as_deref().unwrap_or(app_namespace);
        let Some(Ok(review)) = reviews.get(ns) else {
            return Verdict::Unknown;
        };
        // Server-side apply is a PATCH (that may create).
        match review.allows("patch", &t.group, &t.resource, &t.name) {
            Some(true) => return Verdict::Allowed,
            None => return Verdict::Unknown,
            Some(false) => {
                let resource = if t.group.is_empty() {
                    t.resource.clone()
                } else {
                    format!("{}.{}", t.resource, t.group)
                };
                let scope = match &t.namespace {
                    Some(ns) => format!("namespace {ns}"),
                    None => "the cluster".to_string(),
                };
                refused.insert((resource, scope));
            }
        }
    }
    let mut by_scope: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (resource, scope) in refused {
        by_scope.entry(scope).or_default().push(resource);
    }
    let parts: Vec<String> = by_scope
        .into_iter()
        .map(|(scope, resources)| format!("{} in {scope}", resources.join(", ")))
        .collect();
    Verdict::Forbidden(format!(
        "{who} may not patch any of the app's objects ({}; RBAC, from a SelfSubjectRulesReview)",
        parts.join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> Rule {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect();
        Rule {
            verbs: s(verbs),
            api_groups: s(groups),
            resources: s(resources),
            resource_names: Vec::new(),
        }
    }

    fn target(group: &str, resource: &str, ns: Option<&str>) -> Target {
        Target {
            group: group.into(),
            resource: resource.into(),
            namespace: ns.map(str::to_string),
            name: "x".into(),
        }
    }

    fn reviews(ns: &str, review: Review) -> BTreeMap<String, Result<Review, String>> {
        BTreeMap::from([(ns.to_string(), Ok(review))])
    }

    #[test]
    fn a_viewer_is_certainly_refused_apply_and_the_reason_names_the_resources() {
        let viewer = Review {
            rules: vec![rule(
                &["get", "list", "watch"],
                &["", "apps"],
                &["configmaps", "deployments", "pods"],
            )],
            incomplete: false,
        };
        let access = judge(
            "jane",
            "web",
            &[
                target("", "configmaps", Some("web")),
                target("apps", "deployments", Some("web")),
            ],
            &reviews("web", viewer),
        );
        let why = access.apply.forbidden().expect("forbidden");
        assert!(
            why.contains("jane") && why.contains("configmaps, deployments.apps in namespace web"),
            "{why}"
        );
        assert_eq!(
            access.logs,
            Verdict::Forbidden(
                "jane may not get pods/log in namespace web (RBAC, from a SelfSubjectRulesReview)"
                    .into()
            )
        );
    }

    #[test]
    fn one_writable_object_is_enough_not_to_mute_and_wildcards_count() {
        let editor = Review {
            rules: vec![
                rule(&["patch"], &[""], &["configmaps"]),
                rule(&["get"], &[""], &["*/log"]),
            ],
            incomplete: false,
        };
        let access = judge(
            "u",
            "web",
            &[
                target("apps", "deployments", Some("web")),
                target("", "configmaps", Some("web")),
            ],
            &reviews("web", editor),
        );
        assert_eq!(access.apply, Verdict::Allowed);
        assert_eq!(access.logs, Verdict::Allowed);
        let admin = Review {
            rules: vec![rule(&["*"], &["*"], &["*"])],
            incomplete: false,
        };
        assert_eq!(
            judge(
                "u",
                "web",
                &[target("apps", "deployments", None)],
                &reviews("web", admin)
            )
            .apply,
            Verdict::Allowed
        );
    }

    #[test]
    fn an_incomplete_or_missing_review_never_mutes() {
        let partial = Review {
            rules: Vec::new(),
            incomplete: true,
        };
        let access = judge(
            "u",
            "web",
            &[target("", "configmaps", Some("web"))],
            &reviews("web", partial),
        );
        assert_eq!(access, Access::default());
        let failed = BTreeMap::from([("web".to_string(), Err("forbidden".to_string()))]);
        let access = judge(
            "u",
            "web",
            &[target("", "configmaps", Some("web"))],
            &failed,
        );
        assert_eq!(access, Access::default());
        let elsewhere = judge(
            "u",
            "web",
            &[target("", "configmaps", Some("other"))],
            &reviews("web", Review::default()),
        );
        assert_eq!(
            elsewhere.apply,
            Verdict::Unknown,
            "no review of namespace other"
        );
    }

    #[test]
    fn resource_names_limit_a_rule_to_those_objects() {
        let named = Review {
            rules: vec![Rule {
                resource_names: vec!["only-this".into()],
                ..rule(&["patch"], &[""], &["configmaps"])
            }],
            incomplete: false,
        };
        let access = judge(
            "u",
            "web",
            &[target("", "configmaps", Some("web"))],
            &reviews("web", named),
        );
        assert!(access.apply.forbidden().is_some());
    }
}
