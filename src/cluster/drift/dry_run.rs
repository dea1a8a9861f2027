//! Judging one desired object against its live one: the dry-runs (apply preview and the
//! reference create), cached by (object, desired content, live resourceVersion).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;

use serde_json::Value;

use super::{DriftOptions, Target};
use crate::cluster::Connection;
use crate::cluster::apply::{preview, reference};
use crate::model::drift::{Inputs, ObjectReport, Preview, assess};
use crate::model::object::{Manifest, ObjectKey};
use crate::model::tracking::with_tracking;

type CacheKey = (ObjectKey, u64, String);

/// Dry-run results by (object, desired content, live resourceVersion): unchanged inputs
/// are never dry-run twice.
#[derive(Default)]
pub struct DryRunCache(Mutex<HashMap<CacheKey, (Preview, Option<Value>)>>);

impl DryRunCache {
    pub(super) fn get(&self, key: &CacheKey) -> Option<(Preview, Option<Value>)> {
        self.0.lock().ok()?.get(key).cloned()
    }

    pub(super) fn put(&self, key: CacheKey, value: (Preview, Option<Value>)) {
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, value);
        }
    }

    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn hash_value(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

pub(super) async fn assess_target(
    conn: &Connection,
    t: Target,
    live: Option<Value>,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> ObjectReport {
    let key = t.manifest.id.key();
    let body = with_tracking(&t.manifest.content, &opts.app, &opts.applyset);
    let rv = live
        .as_ref()
        .and_then(|l| l.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let cache_key = (key.clone(), hash_value(&body), rv);
    let (dry_run, reference_obj) = match cache.get(&cache_key) {
        Some(hit) => hit,
        None => {
            let dry_run = preview(conn, &t.served, &body, &opts.field_manager).await;
            let reference_obj = match &live {
                Some(_) => reference(conn, &t.served, &body).await,
                None => None,
            };
            cache.put(cache_key, (dry_run.clone(), reference_obj.clone()));
            (dry_run, reference_obj)
        }
    };
    let mut dry_run = dry_run;
    if let Some(live) = &live {
        for c in &mut dry_run.conflicts {
            c.operation = operation_of(live, &c.manager);
        }
    }
    let unstable = t.manifest.unstable.clone();
    let desired = Manifest {
        content: body,
        ..t.manifest
    };
    let mut report = assess(&Inputs {
        key: &key,
        desired: Some(&desired),
        live: live.as_ref(),
        preview: Some(&dry_run),
        reference: reference_obj.as_ref(),
        field_manager: &opts.field_manager,
        deadline: opts.diff_deadline,
    });
    if !unstable.is_empty() {
        report.reason.push_str(&format!(
            " (fields that change from render to render, kept as the cluster has them, not drift: {})",
            unstable.join(", ")
        ));
    }
    report
}

/// How `manager` last wrote to a live object (`Apply` or `Update`), from its managedFields.
fn operation_of(live: &Value, manager: &str) -> Option<String> {
    live.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e.get("manager").and_then(Value::as_str) == Some(manager))?
        .get("operation")?
        .as_str()
        .map(str::to_string)
}
