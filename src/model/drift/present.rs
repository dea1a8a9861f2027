//! Judging an object both in Git and in the cluster, through both lenses.

use serde_json::Value;

use super::{AFTER, Inputs, LIVE, ObjectReport, Repair, SyncStatus, yaml_of};
use crate::model::diff::unified;
use crate::model::equivalent::explain;
use crate::model::fields::{
    DriftField, is_controller_entry, live_drift, removed_live, strip_allocated,
};
use crate::model::ignore::{Ignored, filter_drift, silences_conflict, strip_pointers};
use crate::model::object::Manifest;
use crate::model::secret::mask_pair;

/// Metadata maps whose keys controllers write.
const METADATA_MAPS: [&str; 2] = ["annotations", "labels"];

/// Annotation and label keys a controller owns on `obj` (the deployment controller's
/// `deployment.kubernetes.io/revision`, say).
fn controller_keys(obj: &Value) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let entries = obj
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for entry in entries.iter().filter(|e| is_controller_entry(e)) {
        for map in METADATA_MAPS {
            let owned = entry
                .pointer(&format!("/fieldsV1/f:metadata/f:{map}"))
                .and_then(Value::as_object);
            for k in owned.into_iter().flat_map(|m| m.keys()) {
                if let Some(name) = k.strip_prefix("f:") {
                    out.push((map, name.to_string()));
                }
            }
        }
    }
    out
}

/// Controller-owned metadata never counts as a difference: it is removed from both sides
/// of the preview unless Git sets it. A controller writes it just after an apply, so a
/// live copy a moment old and a dry-run a moment later disagree on it.
fn settle_controller_metadata(live: &mut Value, after: &mut Value, desired: &Value) {
    let mut keys = controller_keys(live);
    keys.extend(controller_keys(after));
    for (map, key) in keys {
        if desired
            .pointer(&format!("/metadata/{map}"))
            .and_then(|m| m.get(&key))
            .is_some()
        {
            continue;
        }
        for side in [&mut *live, &mut *after] {
            if let Some(m) = side
                .pointer_mut(&format!("/metadata/{map}"))
                .and_then(Value::as_object_mut)
            {
                m.remove(&key);
            }
        }
    }
}

/// A list Git's apply cannot merge into: live items of a list another manager changed
/// (a port changed by hand leaves an item Git does not have beside Git's own).
fn repair_of(drift: &[DriftField], body: &Value) -> Option<Repair> {
    let mut pointer = None;
    let mut foreign = Vec::new();
    for d in drift.iter().filter(|d| !d.removed && d.path.ends_with(']')) {
        let Some((parent, last)) = d.pointer.as_deref().and_then(|p| p.rsplit_once('/')) else {
            continue;
        };
        if last.parse::<usize>().is_err() || !body.pointer(parent).is_some_and(Value::is_array) {
            continue;
        }
        if pointer.get_or_insert_with(|| parent.to_string()) == parent {
            foreign.push(format!("{} set by {}", d.path, d.manager));
        }
    }
    pointer.map(|pointer| Repair { pointer, foreign })
}

// Over 80 lines: the two lenses side by side, then one status from both; split, the
// reasons would lose the view of each other that keeps the status honest.
pub(super) fn judge(
    input: &Inputs<'_>,
    desired: &Manifest,
    live: &Value,
    rejected: Option<String>,
) -> ObjectReport {
    let rules = input.rules;
    let mut ignored: Vec<Ignored> = input.silenced.to_vec();
    let after = match input.preview.map(|p| &p.result) {
        Some(Ok(v)) => Some(v),
        _ => None,
    };
    let preview = after.map(|after| {
        let (mut live_side, mut after_side) = (live.clone(), after.clone());
        settle_controller_metadata(&mut live_side, &mut after_side, &desired.content);
        strip_pointers(&mut live_side, rules);
        strip_pointers(&mut after_side, rules);
        mask_pair(Some(&mut live_side), Some(&mut after_side));
        unified(
            LIVE,
            &yaml_of(Some(&live_side)),
            AFTER,
            &yaml_of(Some(&after_side)),
            input.deadline,
        )
    });
    let mut conflicts = Vec::new();
    for c in input
        .preview
        .map(|p| p.conflicts.clone())
        .unwrap_or_default()
    {
        match silences_conflict(rules, &c.field, &c.manager) {
            Some(rule) => ignored.push(Ignored {
                lens: "conflict".into(),
                path: c.field.clone(),
                manager: Some(c.manager.clone()),
                rule,
            }),
            None => conflicts.push(c),
        }
    }

    let mut live_side = live.clone();
    let mut git_side = desired.content.clone();
    let mut reference = input
        .reference
        .cloned()
        .unwrap_or_else(|| desired.content.clone());
    strip_allocated(&mut reference, &desired.content);
    mask_pair(Some(&mut live_side), Some(&mut reference));
    mask_pair(None, Some(&mut git_side));
    let mut drift = live_drift(&live_side, &reference, input.field_manager);
    let declared = if input.reference.is_some() {
        &reference
    } else {
        &Value::Null
    };
    // kdrift's tracking mark is not Git's: its absence is a sync to come (the preview
    // shows it), not a removal.
    let mark = [
        format!("metadata.labels.{}", crate::model::tracking::TRACKING_LABEL),
        format!("metadata.labels.{}", crate::model::applyset::PART_OF_LABEL),
    ];
    drift.extend(
        removed_live(&live_side, declared, &git_side)
            .into_iter()
            .filter(|d| !mark.contains(&d.path)),
    );
    let (drift, silenced) = filter_drift(drift, rules);
    ignored.extend(silenced);
    let notes = explain(&crate::model::normalize::normalize(&git_side), &live_side);
    let migration = crate::model::migrate::needed(live, after, input.field_manager);
    let repair = rejected
        .as_ref()
        .and_then(|_| repair_of(&drift, &desired.content));

    let mut reasons = Vec::new();
    if let Some(e) = &rejected {
        reasons.push(format!(
            "the server rejects Git's version (dry-run apply): {e}"
        ));
    }
    if let Some(p) = preview.as_ref().filter(|p| !p.is_empty()) {
        reasons.push(format!(
            "a sync would change it (+{} -{} lines)",
            p.added, p.removed
        ));
    }
    let set: Vec<&DriftField> = drift.iter().filter(|d| !d.removed).collect();
    if !set.is_empty() {
        let mut managers: Vec<&str> = set.iter().map(|d| d.manager.as_str()).collect();
        managers.sort();
        managers.dedup();
        reasons.push(format!(
            "{} field(s) set outside Git by {}",
            set.len(),
            managers.join(", ")
        ));
    }
    let removed = drift.len() - set.len();
    if removed > 0 {
        reasons.push(format!("{removed} field(s) Git sets removed live"));
    }
    if !conflicts.is_empty() {
        let list: Vec<String> = conflicts.iter().map(|c| c.to_string()).collect();
        reasons.push(format!("conflicts: {}", list.join("; ")));
    }
    let status = if reasons.is_empty() {
        SyncStatus::Synced
    } else {
        SyncStatus::OutOfSync
    };
    let mut reason = if reasons.is_empty() {
        "live matches Git".to_string()
    } else {
        reasons.join("; ")
    };
    if !ignored.is_empty() {
        reason.push_str(&format!(
            " ({} difference(s) ignored by rules)",
            ignored.len()
        ));
    }
    ObjectReport {
        key: input.key.clone(),
        source: Some(desired.source.clone()),
        status,
        reason,
        preview,
        drift,
        conflicts,
        health: None,
        dry_run_error: rejected,
        ignored,
        notes,
        migration,
        repair,
    }
}
