//! Judging an object both in Git and in the cluster, through both lenses.

use serde_json::{Value, json};

use super::{AFTER, Desired, Inputs, LIVE, ObjectReport, Repair, SyncStatus, yaml_of};
use crate::model::diff::unified;
use crate::model::equivalent::explain;
use crate::model::fields::{
    DriftField, Seg, is_controller_entry, live_drift, lookup, pointer_of, removed_live,
    strip_allocated,
};
use crate::model::ignore::{Ignored, filter_drift, silences_conflict, strip_pointers};
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

/// A list Git's apply cannot merge into: items another manager set that Git does not have
/// (a port changed by hand), in a list the server's rejection names.
fn repair_of(drift: &[DriftField], live: &Value, error: &str) -> Option<Repair> {
    let mut lists: Vec<Vec<Seg>> = Vec::new();
    for d in drift.iter().filter(|d| !d.removed) {
        if let Some((Seg::Key(_), parent)) = d.segs.split_last()
            && !lists.contains(&parent.to_vec())
        {
            lists.push(parent.to_vec());
        }
    }
    let list = lists.into_iter().find(|parent| {
        matches!(parent.last(), Some(Seg::Field(name)) if error.contains(&format!("{name}[")))
    })?;
    let pointer = pointer_of(live, &list)?;
    let in_list = |d: &&DriftField| {
        d.segs.len() == list.len() + 1
            && d.segs.starts_with(&list)
            && matches!(d.segs.last(), Some(Seg::Key(_)))
    };
    let mut removals: Vec<(usize, Value, String)> = drift
        .iter()
        .filter(|d| !d.removed)
        .filter(in_list)
        .filter_map(|d| {
            let at = pointer_of(live, &d.segs)?;
            let index = at.rsplit('/').next()?.parse().ok()?;
            Some((
                index,
                lookup(live, &d.segs)?.clone(),
                format!("{} (set by {})", d.path, d.manager),
            ))
        })
        .collect();
    removals.sort_by_key(|r| std::cmp::Reverse(r.0));
    let mut ops = Vec::new();
    for (index, value, _) in &removals {
        ops.push(json!({"op": "test", "path": format!("{pointer}/{index}"), "value": value}));
        ops.push(json!({"op": "remove", "path": format!("{pointer}/{index}")}));
    }
    let mut added = Vec::new();
    for d in drift.iter().filter(|d| d.removed).filter(in_list) {
        if let Some(git) = &d.git {
            ops.push(json!({"op": "add", "path": format!("{pointer}/-"), "value": git}));
            added.push(d.path.clone());
        }
    }
    Some(Repair {
        pointer,
        foreign: removals
            .into_iter()
            .rev()
            .map(|(_, _, what)| what)
            .collect(),
        added,
        ops: Value::Array(ops),
    })
}

/// Known Synced (a kept verdict, or kdrift alone owning exactly Git's values): both lenses
/// are empty by that knowledge, so no text is rendered and no drift walked; only the notes
/// on values Git writes differently from the server are read.
fn known_synced(input: &Inputs<'_>, desired: Desired<'_>, live: &Value) -> ObjectReport {
    let notes = if crate::model::secret::is_secret(live) {
        let (mut live_side, mut git_side) = (live.clone(), desired.content.clone());
        mask_pair(Some(&mut live_side), None);
        mask_pair(None, Some(&mut git_side));
        explain(&crate::model::normalize::normalize(&git_side), &live_side)
    } else {
        explain(&crate::model::normalize::normalize(desired.content), live)
    };
    let ignored = input.silenced.to_vec();
    let mut reason = "live matches Git".to_string();
    if !ignored.is_empty() {
        reason.push_str(&format!(
            " ({} difference(s) ignored by rules)",
            ignored.len()
        ));
    }
    ObjectReport {
        status: SyncStatus::Synced,
        preview: Some(crate::model::diff::Diff::empty()),
        ignored,
        notes,
        ..ObjectReport::unknown(input.key.clone(), Some(desired.source.clone()), reason)
    }
}

// Over 80 lines: the two lenses side by side, then one status from both; split, the
// reasons would lose the view of each other that keeps the status honest.
pub(super) fn judge(
    input: &Inputs<'_>,
    desired: Desired<'_>,
    live: &Value,
    rejected: Option<String>,
) -> ObjectReport {
    if input.known {
        return known_synced(input, desired, live);
    }
    let rules = input.rules;
    let mut ignored: Vec<Ignored> = input.silenced.to_vec();
    let after = match input.preview.map(|p| &p.result) {
        Some(Ok(v)) => Some(v),
        _ => None,
    };
    let preview = after.map(|after| {
        let (mut live_side, mut after_side) = (live.clone(), after.clone());
        settle_controller_metadata(&mut live_side, &mut after_side, desired.content);
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
    strip_allocated(&mut reference, desired.content);
    mask_pair(Some(&mut live_side), Some(&mut reference));
    mask_pair(None, Some(&mut git_side));
    let mut drift = if input.known {
        Vec::new()
    } else {
        live_drift(&live_side, &reference, input.field_manager)
    };
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
    if !input.known {
        drift.extend(
            removed_live(&live_side, declared, &git_side)
                .into_iter()
                .filter(|d| !mark.contains(&d.path)),
        );
    }
    let (drift, silenced) = filter_drift(drift, rules);
    ignored.extend(silenced);
    let notes = explain(&crate::model::normalize::normalize(&git_side), &live_side);
    let migration = crate::model::migrate::needed(live, after, input.field_manager);
    let repair = rejected.as_ref().and_then(|e| repair_of(&drift, live, e));

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
        migration: migration.map(Box::new),
        repair: repair.map(Box::new),
        marked_by: None,
        not_served: false,
        judging: false,
    }
}
