//! Kubernetes object identity and desired objects.

use std::fmt;

use serde::Serialize;
use serde_json::Value;

/// Who an object is: group, version, kind, namespace and name. Two objects are the same
/// object when group, kind, namespace and name match; the version is how it is written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectId {
    pub group: String,
    pub version: String,
    pub kind: String,
    /// `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    pub name: String,
}

/// The part of an identity that decides sameness.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl ObjectId {
    pub fn key(&self) -> ObjectKey {
        ObjectKey {
            group: self.group.clone(),
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }

    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for ObjectKey {
    /// `Kind[.group]/namespace/name`, or `Kind[.group]/name` when cluster-scoped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.kind)?;
        if !self.group.is_empty() {
            write!(f, ".{}", self.group)?;
        }
        if let Some(ns) = &self.namespace {
            write!(f, "/{ns}")?;
        }
        write!(f, "/{}", self.name)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.key().fmt(f)
    }
}

/// Splits `apiVersion` into group and version (`v1` is the core group "").
pub fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

/// Kinds that are cluster-scoped, so a missing namespace must not be defaulted. Discovery
/// knows better when a cluster is at hand; this list covers the common ones without one.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("", "ComponentStatus"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("cert-manager.io", "ClusterIssuer"),
];

pub fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED
        .iter()
        .any(|(g, k)| *g == group && *k == kind)
}

/// Where a desired object was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// Path relative to the repository root (or a description such as `kustomize build deploy`).
    pub file: String,
    /// 0-based index of the YAML document in the file.
    pub document: usize,
    /// 1-based line where the document starts.
    pub line: usize,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} (document {})",
            super::text::inert(&self.file),
            self.line,
            self.document
        )
    }
}

/// One object of the desired state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub id: ObjectId,
    pub source: SourceRef,
    /// Kept as text: a 10,000-object app read as parsed trees holds ten times the memory,
    /// and the allocator keeps that peak long after the trees are gone.
    pub content: Compact,
    /// Fields whose value changes from render to render (a chart's `randAlphaNum`, `now`):
    /// JSON pointers, never drift.
    pub unstable: Vec<String>,
}

impl Manifest {
    /// The content as a tree, for the few places that walk it. The loader checked that it
    /// reads back ([`Compact::checked`]); one that does not reads as `null`.
    pub fn tree(&self) -> Value {
        self.content.value().unwrap_or(Value::Null)
    }
}

/// An object kept as its JSON text, shared: a parsed tree of a small object costs ten times
/// its text (every map is a B-tree node), and a big app holds thousands of them while only a
/// few are worked on at once. Keys are written sorted, so two texts are equal exactly when
/// their objects are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compact(std::sync::Arc<str>);

/// How deep the JSON reader reads (serde_json's limit).
pub const MAX_DEPTH: usize = 128;

impl Compact {
    pub fn new(value: &Value) -> Self {
        Compact(value.to_string().into())
    }

    /// The text of a value read from outside, unless it nests too deep to be read back.
    pub fn checked(value: &Value) -> Result<Self, String> {
        if nests_deeper_than(value, MAX_DEPTH - 8) {
            return Err(format!(
                "the object nests more than {} levels deep",
                MAX_DEPTH - 8
            ));
        }
        Ok(Compact::new(value))
    }

    /// The object again. Its text was written from a value; only nesting deeper than the
    /// JSON reader's limit (128 levels) fails to read back.
    pub fn value(&self) -> Result<Value, String> {
        serde_json::from_str(&self.0)
            .map_err(|e| format!("kdrift's copy of the object cannot be read back: {e}"))
    }

    /// The JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl From<&Value> for Compact {
    fn from(value: &Value) -> Self {
        Compact::new(value)
    }
}

impl Serialize for Compact {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

/// Walked without recursion: the value may nest as deep as its reader allowed.
fn nests_deeper_than(value: &Value, limit: usize) -> bool {
    let mut stack = vec![(value, 1usize)];
    while let Some((v, depth)) = stack.pop() {
        if depth > limit {
            return true;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, depth + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, depth + 1))),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compact_object_reads_back_the_same() {
        let v = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3, "d": 1e300}});
        assert_eq!(Compact::new(&v).value(), Ok(v));
    }

    #[test]
    fn an_object_nested_too_deep_to_read_back_is_refused() {
        let mut v = serde_json::json!("leaf");
        for _ in 0..MAX_DEPTH {
            v = serde_json::json!([v]);
        }
        assert!(
            Compact::new(&v).value().is_err(),
            "the reader's limit moved"
        );
        let err = Compact::checked(&v).unwrap_err();
        assert!(err.contains("nests more than"), "{err}");
        let shallow = serde_json::json!({"a": {"b": [1]}});
        assert_eq!(
            Compact::checked(&shallow).map(|c| c.value()),
            Ok(Ok(shallow))
        );
    }

    #[test]
    fn equal_objects_have_equal_text_whatever_the_order_they_were_written_in() {
        let a: Value = serde_json::from_str(r#"{"b": 1, "a": {"d": 2, "c": 3}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"a": {"c": 3, "d": 2}, "b": 1}"#).unwrap();
        assert_eq!(Compact::new(&a), Compact::new(&b));
        assert_ne!(Compact::new(&a), Compact::new(&serde_json::json!({"b": 1})));
    }

    #[test]
    fn keys_display_like_operators_write_them() {
        let id = ObjectId {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: Some("web".into()),
            name: "frontend".into(),
        };
        assert_eq!(id.to_string(), "Deployment.apps/web/frontend");
        assert_eq!(id.api_version(), "apps/v1");
        let ns = ObjectKey {
            group: String::new(),
            kind: "Namespace".into(),
            namespace: None,
            name: "web".into(),
        };
        assert_eq!(ns.to_string(), "Namespace/web");
    }

    #[test]
    fn api_versions_split_into_group_and_version() {
        assert_eq!(split_api_version("v1"), (String::new(), "v1".into()));
        assert_eq!(split_api_version("apps/v1"), ("apps".into(), "v1".into()));
        assert!(is_cluster_scoped("", "Namespace"));
        assert!(!is_cluster_scoped("apps", "Deployment"));
    }
}
