//! The app file (`.kdrift.yaml` beside an app's sources): how to render it, declared in Git
//! rather than in flags.
//!
//! ```yaml
//! namespace: shop            # the app's target namespace (a flag still wins)
//! helm:
//!   releaseName: web         # default: the app's name
//!   valueFiles: [values-prod.yaml]   # after the chart's values.yaml, relative to the chart
//!   set: {image.tag: "1.2.0"}
//!   skipCrds: false
//! apps:                      # in the repository's root .kdrift.yaml only
//! - {path: legacy/manifests, name: legacy, namespace: legacy}
//! createNamespace: true     # a sync creates a missing namespace (dry-run first)
//! ignoreDifferences:         # not drift; still listed as ignored, with the rule
//! - {group: apps, kind: Deployment, managedFieldsManagers: [kube-controller-manager]}
//! - {kind: Deployment, name: web, jsonPointers: [/metadata/annotations/sidecar.istio.io~1status]}
//! jsonnet:
//!   main: main.jsonnet       # default: the only .jsonnet file
//!   extVars: {env: prod}
//!   tlas: {replicas: "3"}
//!   libs: [vendor]           # -J paths, relative to the app
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;

use super::manifest::LoadError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppFile {
    pub namespace: Option<String>,
    #[serde(default)]
    pub helm: HelmOptions,
    #[serde(default)]
    pub jsonnet: JsonnetOptions,
    /// In the repository's root app file: apps declared by hand (a path discovery would
    /// not find, or a name and namespace of its own).
    #[serde(default)]
    pub apps: Vec<DeclaredApp>,
    /// Fields that are not drift (Argo CD's `ignoreDifferences` fields).
    #[serde(default)]
    pub ignore_differences: Vec<super::ignore::IgnoreRule>,
    /// A sync creates the objects' namespaces that neither Git nor the cluster has.
    #[serde(default)]
    pub create_namespace: bool,
}

/// An app declared in the root app file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeclaredApp {
    pub path: String,
    /// The app name in the tracking label and the record.
    pub name: Option<String>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmOptions {
    pub release_name: Option<String>,
    #[serde(default)]
    pub value_files: Vec<String>,
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    #[serde(default)]
    pub skip_crds: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JsonnetOptions {
    pub main: Option<String>,
    #[serde(default)]
    pub ext_vars: BTreeMap<String, String>,
    #[serde(default)]
    pub tlas: BTreeMap<String, String>,
    #[serde(default)]
    pub libs: Vec<String>,
}

/// Parses an app file; a bad one is an error naming the file, the line and the column.
pub fn parse(file: &str, text: &str) -> Result<AppFile, LoadError> {
    if text.trim().is_empty() {
        return Ok(AppFile::default());
    }
    serde_saphyr::from_str_with_options::<AppFile>(text, super::manifest::yaml_options()).map_err(
        |e| {
            let mut error = super::manifest::yaml_error(file, e);
            error.message = error
                .message
                .replacen("invalid YAML", "invalid app file", 1);
            error
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_parse_and_unknown_keys_are_errors_with_a_place() {
        let f = parse(
            "app/.kdrift.yaml",
            "namespace: shop\nhelm:\n  releaseName: web\n  valueFiles: [values-prod.yaml]\n  set: {image.tag: \"1.2\"}\njsonnet:\n  extVars: {env: prod}\n",
        )
        .expect("parse");
        assert_eq!(f.namespace.as_deref(), Some("shop"));
        assert_eq!(f.helm.release_name.as_deref(), Some("web"));
        assert_eq!(f.helm.value_files, ["values-prod.yaml"]);
        assert_eq!(f.helm.set.get("image.tag").map(String::as_str), Some("1.2"));
        assert_eq!(
            f.jsonnet.ext_vars.get("env").map(String::as_str),
            Some("prod")
        );
        let e = parse("app/.kdrift.yaml", "helm:\n  valuesFiles: [x]\n").expect_err("typo");
        assert_eq!(e.file, "app/.kdrift.yaml");
        assert!(e.line.is_some(), "{e}");
        assert!(e.message.contains("valuesFiles"), "{e}");
        assert_eq!(parse("f", "").expect("empty"), AppFile::default());
    }
}
