//! A live object as a watch keeps it: the server's JSON text as it came, its
//! resourceVersion and the app it is marked for. At 10,000 objects a parsed tree
//! (`DynamicObject`, whose flattened fields serde also buffers while reading) cost several
//! times the text; an object is parsed when it is judged (its metadata alone when an Extra
//! search asks whose it is), and dropped after.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::core::{ApiResource, DynamicResourceScope, Resource};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::model::tracking::TRACKING_LABEL;

/// An object as the watch stream reads it: what the watcher itself needs (its
/// resourceVersion), the store's key and the labels, beside the text. Turned into a
/// [`LiveObject`] once it arrives.
#[derive(Debug, Clone)]
pub struct Wire {
    metadata: ObjectMeta,
    raw: Box<RawValue>,
}

/// A live object as a watch keeps it: the server's JSON text, its resourceVersion and its
/// tracking label. At 10,000 objects a parsed `ObjectMeta` with its label and annotation
/// maps (and the key kube's store builds of each object's kind) cost more than the text
/// itself; the other metadata fields are read off the text when asked.
#[derive(Debug)]
pub struct LiveObject {
    resource_version: Box<str>,
    /// The app the tracking label names: an Extra search reads every object's.
    tracked_for: Option<Box<str>>,
    raw: Box<RawValue>,
}

/// The metadata read off an object's text; everything else (managedFields first of all)
/// is skipped.
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

/// What every arriving object is read for: its key, resourceVersion and labels. Not
/// [`Head`]: annotations (kubectl's last-applied copy of the whole object among them) and
/// owners would be parsed for each watch event, only to be dropped.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Place {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct Envelope<M> {
    #[serde(default)]
    metadata: M,
}

impl<M: serde::de::DeserializeOwned + Default> Envelope<M> {
    /// The metadata read off an object's text; everything else is skipped.
    fn read(raw: &RawValue) -> Result<M, serde_json::Error> {
        serde_json::from_str::<Envelope<M>>(raw.get()).map(|e| e.metadata)
    }
}

impl<'de> Deserialize<'de> for Wire {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let place = Envelope::<Place>::read(&raw).map_err(serde::de::Error::custom)?;
        let metadata = ObjectMeta {
            name: place.name,
            namespace: place.namespace,
            resource_version: place.resource_version,
            labels: place.labels,
            ..ObjectMeta::default()
        };
        Ok(Wire { metadata, raw })
    }
}

impl Wire {
    /// The store's key (namespace, empty when cluster-scoped, and name) and what it keeps.
    pub(super) fn into_stored(self) -> ((Box<str>, Box<str>), LiveObject) {
        let Wire { metadata, raw } = self;
        let key = (
            metadata.namespace.unwrap_or_default().into(),
            metadata.name.unwrap_or_default().into(),
        );
        let resource_version = metadata.resource_version.unwrap_or_default().into();
        let tracked_for = metadata
            .labels
            .and_then(|mut l| l.remove(TRACKING_LABEL))
            .map(String::into_boxed_str);
        (
            key,
            LiveObject {
                resource_version,
                tracked_for,
                raw,
            },
        )
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

    /// Identity and metadata alone (name, namespace, uid, resourceVersion, labels,
    /// annotations, owners), as JSON: enough to tell whose object it is.
    pub fn head(&self, resource: &ApiResource) -> Value {
        let head = Envelope::<Head>::read(&self.raw).unwrap_or_default();
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
        serde_json::json!({
            "apiVersion": resource.api_version,
            "kind": resource.kind,
            "metadata": metadata,
        })
    }

    /// The app its tracking label names.
    pub fn tracked_for(&self) -> Option<&str> {
        self.tracked_for.as_deref()
    }

    pub fn resource_version(&self) -> &str {
        &self.resource_version
    }
}

impl Resource for Wire {
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
        let event: kube::core::WatchEvent<Wire> =
            serde_json::from_str(line).expect("a watch event");
        let kube::core::WatchEvent::Added(obj) = event else {
            panic!("not an ADDED event");
        };
        assert_eq!(obj.metadata.resource_version.as_deref(), Some("7"));
        assert!(obj.metadata.managed_fields.is_none(), "left as text");
        let ((ns, name), obj) = obj.into_stored();
        assert_eq!((&*ns, &*name), ("ns", "a"));
        assert_eq!(obj.resource_version(), "7");
        assert_eq!(obj.tracked_for(), Some("web"));
        let head = obj.head(&configmaps());
        assert_eq!(head["metadata"]["labels"]["app.kdrift.dev/name"], "web");
        assert!(head["metadata"].get("managedFields").is_none());
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
        let list: kube::core::ObjectList<Wire> = serde_json::from_str(text).expect("a list");
        let keys: Vec<_> = list.items.into_iter().map(|o| o.into_stored().0).collect();
        assert_eq!(keys, [("".into(), "a".into()), ("".into(), "b".into())]);
    }
}
