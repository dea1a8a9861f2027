//! Hooks: objects a sync runs around the apply rather than keeps in sync: Argo CD's
//! `argocd.argoproj.io/hook`, Helm's `helm.sh/hook`, and any object named only by
//! `generateName` (a new one each run). They are listed, never diffed, and created only
//! when asked (`kdrift sync --hooks`).

use serde::Serialize;
use serde_json::Value;

use super::object::{ObjectId, SourceRef};

pub const ARGO_HOOK: &str = "argocd.argoproj.io/hook";
pub const HELM_HOOK: &str = "helm.sh/hook";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Before the apply: Argo CD `PreSync`, Helm `pre-install`/`pre-upgrade`.
    Before,
    /// After it: `Sync`/`PostSync`, `post-install`/`post-upgrade`, or unannotated.
    After,
    /// Not part of a sync: Helm's `test`, `*-delete`, `*-rollback` hooks, Argo CD's
    /// `PostDelete`/`SyncFail`: listed, never run by kdrift.
    Never,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hook {
    /// Its identity; `name` is the `generateName` prefix when `generated`.
    pub id: ObjectId,
    /// Named by `generateName`: the API server picks the name.
    pub generated: bool,
    /// The hook annotation, as written (`PreSync`, `pre-install,pre-upgrade`…).
    pub annotation: Option<String>,
    pub phase: Phase,
    pub source: SourceRef,
    #[serde(skip)]
    pub content: Value,
}

/// The hook annotation of an object, if it has one (Argo CD's `Skip` is not a hook).
pub fn annotation(value: &Value) -> Option<String> {
    let annotations = value.pointer("/metadata/annotations")?;
    [ARGO_HOOK, HELM_HOOK].iter().find_map(|key| {
        annotations
            .get(*key)
            .and_then(Value::as_str)
            .filter(|a| !a.trim().is_empty() && *a != "Skip")
            .map(str::to_string)
    })
}

/// When a hook runs, from its annotation.
pub fn phase(annotation: Option<&str>) -> Phase {
    let Some(a) = annotation else {
        return Phase::After;
    };
    let phases: Vec<&str> = a.split(',').map(str::trim).collect();
    if phases
        .iter()
        .any(|p| matches!(*p, "PreSync" | "pre-install" | "pre-upgrade"))
    {
        Phase::Before
    } else if phases.iter().any(|p| {
        matches!(
            *p,
            "Sync" | "PostSync" | "post-install" | "post-upgrade" | "crd-install"
        )
    }) {
        Phase::After
    } else {
        Phase::Never
    }
}

impl Hook {
    /// What kdrift does with it, in words.
    pub fn run_note(&self) -> &'static str {
        match self.phase {
            Phase::Never => "never run by kdrift (a test, delete or rollback hook)",
            Phase::Before => "run before the apply by `kdrift sync --hooks`",
            Phase::After => "run after the apply by `kdrift sync --hooks`",
        }
    }

    /// How it reads in a list: kind, namespace, name (with `*` for a generated suffix) and
    /// its annotation.
    pub fn label(&self) -> String {
        let name = if self.generated {
            format!("{}*", self.id.name)
        } else {
            self.id.name.clone()
        };
        let at = match &self.id.namespace {
            Some(ns) => format!("{}/{ns}/{name}", self.id.kind),
            None => format!("{}/{name}", self.id.kind),
        };
        match &self.annotation {
            Some(a) => format!("{at} (hook {a})"),
            None => format!("{at} (generateName)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_and_phases() {
        let argo = json!({"metadata": {"annotations": {ARGO_HOOK: "PreSync"}}});
        assert_eq!(annotation(&argo).as_deref(), Some("PreSync"));
        assert_eq!(phase(annotation(&argo).as_deref()), Phase::Before);
        let helm = json!({"metadata": {"annotations": {HELM_HOOK: "post-install,post-upgrade"}}});
        assert_eq!(phase(annotation(&helm).as_deref()), Phase::After);
        let helm_pre =
            json!({"metadata": {"annotations": {HELM_HOOK: "pre-upgrade, pre-install"}}});
        assert_eq!(phase(annotation(&helm_pre).as_deref()), Phase::Before);
        let skip = json!({"metadata": {"annotations": {ARGO_HOOK: "Skip"}}});
        assert_eq!(annotation(&skip), None);
        assert_eq!(phase(None), Phase::After);
        assert_eq!(phase(Some("test")), Phase::Never);
        assert_eq!(phase(Some("pre-delete")), Phase::Never);
    }
}
