//! A live object as a watch keeps it: the server's JSON text as it came, beside the few
//! metadata fields the store and the app's filters read. At 10,000 objects a parsed tree
//! (`DynamicObject`, whose flattened fields serde also buffers while reading) cost several
//! times the text; an object is parsed only when it is judged, and dropped after.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::core::{ApiResource, DynamicResourceScope, Resource};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone)]
pub struct LiveObject {
    /// Name, namespace, uid, resourceVersion, labels, annotations and owners only.
    pub metadata: ObjectMeta,
    raw: Box<RawValue>,
}

/// The metadata read when an object arrives; everything else (managedFields first of all)
/// stays text.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Head {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    metadata: Head,
}

impl<'de> Deserialize<'de> for LiveObject {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let head = serde_json::from_str::<Envelope>(raw.get())
            .map_err(serde::de::Error::custom)?
            .metadata;
        let metadata = ObjectMeta {
            name: head.name,
            namespace: head.namespace,
            uid: head.uid,
            resource_version: head.resource_version,
            labels: head.labels,
            annotations: head.annotations,
            owner_references: head.owner_references,
            ..ObjectMeta::default()
        };
        Ok(LiveObject { metadata, raw })
    }
}

impl LiveObject {
    /// The whole object as JSON, with `apiVersion` and `kind` (list and watch items may
    /// lack them).
    pub fn value(&self, resource: &ApiResource) -> Result<Value, String> {
        let mut value: Value = serde_json::from_str(self.raw.get())
            .map_err(|e| format!("the live object cannot be read: {e}"))?;
        if let Some(map) = value.as_object_mut() {
            map.insert("apiVersion".into(), resource.api_version.clone().into());
            map.insert("kind".into(), resource.kind.clone().into());
        }
        Ok(value)
    }

    /// Identity and metadata alone, as JSON: enough to tell whose object it is.
    pub fn head(&self, resource: &ApiResource) -> Value {
        serde_json::json!({
            "apiVersion": resource.api_version,
            "kind": resource.kind,
            "metadata": self.metadata,
        })
    }

    pub fn label(&self, key: &str) -> Option<&str> {
        self.metadata.labels.as_ref()?.get(key).map(String::as_str)
    }

    /// Bytes of JSON text kept.
    pub fn size(&self) -> usize {
        self.raw.get().len()
    }
}

impl Resource for LiveObject {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn group(dt: &ApiResource) -> Cow<'_, str> {
        dt.group.as_str().into()
    }

    fn version(dt: &ApiResource) -> Cow<'_, str> {
        dt.version.as_str().into()
    }

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }

    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }

    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }

    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }

    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configmaps() -> ApiResource {
        ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            plural: "configmaps".into(),
        }
    }

    #[test]
    fn a_watch_event_keeps_the_text_and_reads_the_head() {
        let line = r#"{"type":"ADDED","object":{"metadata":{"name":"a","namespace":"ns","resourceVersion":"7","labels":{"app.kdrift.dev/name":"web"},"managedFields":[{"manager":"kdrift","operation":"Apply","fieldsV1":{"f:data":{"f:k":{}}}}]},"data":{"k":"v"}}}"#;
        let event: kube::core::WatchEvent<LiveObject> =
            serde_json::from_str(line).expect("a watch event");
        let kube::core::WatchEvent::Added(obj) = event else {
            panic!("not an ADDED event");
        };
        assert_eq!(obj.metadata.name.as_deref(), Some("a"));
        assert_eq!(obj.metadata.resource_version.as_deref(), Some("7"));
        assert_eq!(obj.label("app.kdrift.dev/name"), Some("web"));
        assert!(obj.metadata.managed_fields.is_none(), "left as text");
        let value = obj.value(&configmaps()).expect("parses");
        assert_eq!(value["kind"], "ConfigMap");
        assert_eq!(value["data"]["k"], "v");
        assert_eq!(
            value["metadata"]["managedFields"][0]["manager"], "kdrift",
            "the whole object is kept"
        );
        assert_eq!(obj.head(&configmaps())["metadata"]["namespace"], "ns");
    }

    #[test]
    fn a_list_reads_every_item() {
        let text = r#"{"apiVersion":"v1","kind":"ConfigMapList","metadata":{"resourceVersion":"9"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"},"data":{}}]}"#;
        let list: kube::core::ObjectList<LiveObject> = serde_json::from_str(text).expect("a list");
        let names: Vec<_> = list
            .items
            .iter()
            .filter_map(|o| o.metadata.name.clone())
            .collect();
        assert_eq!(names, ["a", "b"]);
    }
}
