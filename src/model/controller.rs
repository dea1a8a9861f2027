//! Apps another GitOps controller already manages: Argo CD `Application`s and Flux
//! `Kustomization`s (with their `GitRepository`) and `HelmRelease`s, read from the cluster.
//! What kdrift takes from them: the repository and path, the target namespace, Helm
//! options, ignore rules, how the controller marks its objects, whether it syncs on its
//! own (so a kdrift sync would be reverted), and the controller's own view of the app.

use serde::Serialize;
use serde_json::{Value, json};

use super::ignore::IgnoreRule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Controller {
    #[serde(rename = "Argo CD")]
    ArgoCd,
    Flux,
}

impl Controller {
    pub fn label(self) -> &'static str {
        match self {
            Controller::ArgoCd => "Argo CD",
            Controller::Flux => "Flux",
        }
    }
}

/// Helm options a controller declares for a chart.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HelmSource {
    pub release_name: Option<String>,
    /// Relative to the chart.
    pub value_files: Vec<String>,
    /// Inline values (YAML or JSON text).
    pub values: Option<String>,
    /// `--set name=value`.
    pub parameters: Vec<String>,
}

/// What the controller records about the app.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ControllerStatus {
    /// Argo CD's `status.sync.status`, or Flux's Ready condition.
    pub sync: Option<String>,
    /// The commit it last synced (Argo CD `status.sync.revision`, Flux
    /// `status.lastAppliedRevision`'s commit).
    pub revision: Option<String>,
    pub health: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ControllerApp {
    pub controller: Controller,
    /// `Application`, `Kustomization` or `HelmRelease`.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub repo_url: Option<String>,
    /// The revision it follows (`targetRevision`, the GitRepository's ref).
    pub target_revision: Option<String>,
    /// The app's path in the repository (no leading `./`, no trailing `/`).
    pub path: String,
    pub target_namespace: Option<String>,
    pub helm: HelmSource,
    #[serde(skip)]
    pub ignore: Vec<IgnoreRule>,
    /// What kdrift does not apply from the resource, said once.
    pub unsupported: Vec<String>,
    /// The controller syncs on its own: a kdrift sync would be put back.
    pub auto_sync: bool,
    pub suspended: bool,
    /// Argo CD's `spec.syncPolicy.automated`, to say how to resume it.
    #[serde(skip)]
    pub automated: Option<Value>,
    pub status: ControllerStatus,
    /// Kinds its inventory lists (Flux), as `Kind.group`: searched for Extra objects.
    #[serde(skip)]
    pub inventory_kinds: Vec<String>,
    /// It deploys to the cluster it is declared in (not a remote one).
    pub in_cluster: bool,
}

impl ControllerApp {
    /// `Application argocd/web`.
    pub fn object(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }

    /// The controller's view in one line: `Argo CD: Application ns/web Synced at 1a2b3c4,
    /// auto-sync` (its text from the cluster made inert).
    pub fn summary(&self) -> String {
        let rev = self
            .status
            .revision
            .as_deref()
            .map(super::applyset::short)
            .unwrap_or_else(|| "-".into());
        let state = if self.suspended {
            ", suspended"
        } else if self.auto_sync {
            ", auto-sync"
        } else {
            ""
        };
        super::text::inert(&format!(
            "{}: {} {} at {rev}{state}",
            self.controller.label(),
            self.object(),
            self.status.sync.as_deref().unwrap_or("?"),
        ))
    }

    /// Whether a live object carries this controller's mark for the app.
    pub fn tracks(&self, obj: &Value) -> bool {
        let label = |k: &str| {
            obj.pointer("/metadata/labels")
                .and_then(|l| l.get(k))
                .and_then(Value::as_str)
        };
        // What another controller (a CronJob's Job, a Deployment's ReplicaSet) made is not
        // the app's, whatever labels it copied.
        let made_by_controller = obj
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .is_some_and(|refs| {
                refs.iter()
                    .any(|r| r.get("controller") == Some(&Value::Bool(true)))
            });
        if made_by_controller {
            return false;
        }
        match self.controller {
            Controller::ArgoCd => {
                let id = obj
                    .pointer("/metadata/annotations")
                    .and_then(|a| a.get("argocd.argoproj.io/tracking-id"))
                    .and_then(Value::as_str);
                match id {
                    // The whole id names the object: `app:group/Kind:namespace/name`.
                    Some(id) => id == argo_tracking_id(&self.name, obj),
                    // Label tracking (Argo CD 2's default) when the object has no id.
                    None => label("app.kubernetes.io/instance") == Some(self.name.as_str()),
                }
            }
            Controller::Flux => {
                let prefix = if self.kind == "HelmRelease" {
                    "helm.toolkit.fluxcd.io"
                } else {
                    "kustomize.toolkit.fluxcd.io"
                };
                label(&format!("{prefix}/name")) == Some(self.name.as_str())
                    && label(&format!("{prefix}/namespace")) == Some(self.namespace.as_str())
            }
        }
    }
}

/// Argo CD's tracking id of `obj` for `app`.
fn argo_tracking_id(app: &str, obj: &Value) -> String {
    let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    format!("{app}:{group}/{kind}:{ns}/{name}")
}

pub(super) fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

pub(super) fn strings(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A Helm release name (DNS-1123 label-like, at most 53 characters): never an option.
pub fn release_name_ok(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 53
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// A path as written in a CR (`./apps/web/`) as kdrift names it (`apps/web`).
pub fn clean_path(path: &str) -> String {
    let p = path.trim().trim_start_matches("./").trim_matches('/');
    if p == "." {
        String::new()
    } else {
        p.to_string()
    }
}

mod argo;
pub use argo::from_application;

mod flux;
pub use flux::{from_helm_release, from_kustomization};

/// A Git URL as comparable text: scheme, user, `.git` and a trailing `/` dropped, the
/// scp-like ssh form (`git@host:org/repo`) read as `host/org/repo`, the host lowercased.
pub fn normalize_url(url: &str) -> String {
    let mut u = url.trim().to_string();
    if let Some((_, rest)) = u.split_once("://") {
        u = rest.to_string();
    } else if let Some((host, path)) = u.split_once(':')
        && !host.contains('/')
    {
        u = format!("{host}/{path}");
    }
    if let Some((user, rest)) = u.split_once('@')
        && !user.contains('/')
    {
        u = rest.to_string();
    }
    let u = u.trim_end_matches('/');
    let u = u.strip_suffix(".git").unwrap_or(u);
    let (host, path) = u.split_once('/').unwrap_or((u, ""));
    // A port in an ssh URL (`host:22/org`) is not part of the repository's name.
    let host = host.split(':').next().unwrap_or(host).to_lowercase();
    format!("{host}/{path}")
}

/// The controller app for this repository (by its remotes' URLs) and path, if any: only
/// one deployed to this cluster, and only when one alone matches (several, an
/// ApplicationSet's or one per cluster, would leave kdrift guessing whose options apply).
pub fn find<'a>(
    apps: &'a [ControllerApp],
    remotes: &[String],
    path: &str,
) -> Option<&'a ControllerApp> {
    let local: Vec<String> = remotes.iter().map(|r| normalize_url(r)).collect();
    let mut found = apps.iter().filter(|a| {
        a.in_cluster
            && a.path == clean_path(path)
            && a.repo_url
                .as_deref()
                .is_some_and(|u| local.contains(&normalize_url(u)))
    });
    let first = found.next()?;
    found.next().is_none().then_some(first)
}

/// Whether an app's repository is this one.
pub fn is_local(app: &ControllerApp, remotes: &[String]) -> bool {
    let local: Vec<String> = remotes.iter().map(|r| normalize_url(r)).collect();
    app.repo_url
        .as_deref()
        .is_some_and(|u| local.contains(&normalize_url(u)))
}

/// What a sync must do first so the controller does not put HEAD back, and how to undo it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guard {
    pub controller: Controller,
    pub kind: String,
    pub name: String,
    pub namespace: String,
    /// A merge patch of the resource.
    pub patch: Value,
    pub warning: String,
    pub resume: String,
}

/// The guard for a sync of `app` (`None` when the controller would not revert it).
pub fn guard(app: &ControllerApp) -> Option<Guard> {
    if !app.auto_sync || app.suspended {
        return None;
    }
    let (patch, what, resume) = match app.controller {
        Controller::ArgoCd => {
            let original = app.automated.clone().unwrap_or_else(|| json!({}));
            (
                json!({"spec": {"syncPolicy": {"automated": null}}}),
                "disables its auto-sync (spec.syncPolicy.automated)",
                format!(
                    "kubectl -n {} patch application {} --type merge -p '{}'",
                    app.namespace,
                    app.name,
                    json!({"spec": {"syncPolicy": {"automated": original}}})
                ),
            )
        }
        Controller::Flux => (
            json!({"spec": {"suspend": true}}),
            "suspends it (spec.suspend: true)",
            format!(
                "flux resume {} {} -n {}",
                app.kind.to_lowercase(),
                app.name,
                app.namespace
            ),
        ),
    };
    Some(Guard {
        controller: app.controller,
        kind: app.kind.clone(),
        name: app.name.clone(),
        namespace: app.namespace.clone(),
        patch,
        warning: format!(
            "{} syncs {} on its own and would put HEAD back within its interval. To keep Git the source of truth, roll back with a revert commit (`kdrift rollback REV --write-revert-commit`, then merge it). To sync anyway, this sync first {what} of {}",
            app.controller.label(),
            app.object(),
            app.object()
        ),
        resume,
    })
}

#[cfg(test)]
mod tests;
