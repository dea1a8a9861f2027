//! Client-side apply to server-side apply: kubectl's rule (`k8s.io/client-go/util/csaupgrade`).
//! Objects first written by `kubectl apply` (client-side) keep the
//! `kubectl-client-side-apply` manager's ownership after kdrift's server-side apply, so a
//! field later removed from Git is never removed live (another manager still owns it) and
//! the last-applied annotation stays for ever. The migration moves those managers' fields
//! into kdrift's own Apply entry and drops their entries; kdrift's next apply then removes
//! what Git no longer sets, the last-applied annotation among them.

use serde::Serialize;
use serde_json::{Map, Value, json};

use super::fields::{display_path, leaf_paths};

/// Managers `kubectl apply` (client-side) and `kubectl create` before it write as.
pub const CLIENT_SIDE_MANAGERS: [&str; 2] = ["kubectl-client-side-apply", "before-first-apply"];

/// What a sync's migration of one object does, for the plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Migration {
    /// The managers whose fields move to kdrift's Apply entry.
    pub from: Vec<String>,
    /// How many fields move.
    pub fields: usize,
    /// Fields that the apply after the migration removes (Git no longer sets them).
    pub removes: Vec<String>,
}

impl std::fmt::Display for Migration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "takes over {} field(s) from {} (client-side apply to server-side apply, as kubectl)",
            self.fields,
            self.from.join(", ")
        )?;
        if !self.removes.is_empty() {
            write!(f, "; then removes {}", self.removes.join(", "))?;
        }
        Ok(())
    }
}

fn entries(obj: &Value) -> &[Value] {
    obj.pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn text<'a>(entry: &'a Value, field: &str) -> &'a str {
    entry.get(field).and_then(Value::as_str).unwrap_or("")
}

/// An entry the migration moves: a client-side manager's, or kdrift's own imperative one
/// (a repair patch), never a subresource's.
fn migrated(entry: &Value, ours: &str) -> bool {
    let manager = text(entry, "manager");
    text(entry, "operation") == "Update"
        && text(entry, "subresource").is_empty()
        && (CLIENT_SIDE_MANAGERS.contains(&manager) || manager == ours)
}

fn is_ours(entry: &Value, ours: &str) -> bool {
    text(entry, "manager") == ours
        && text(entry, "operation") == "Apply"
        && text(entry, "subresource").is_empty()
}

fn leaves_of(entry: &Value) -> Vec<String> {
    entry
        .get("fieldsV1")
        .map(|f| leaf_paths(f).iter().map(|p| display_path(p)).collect())
        .unwrap_or_default()
}

/// Whether `live` needs the migration, and what it does. `after` is the dry-run apply's
/// result (its kdrift entry: the fields Git sets), when there is one.
pub fn needed(live: &Value, after: Option<&Value>, ours: &str) -> Option<Migration> {
    let moving: Vec<&Value> = entries(live).iter().filter(|e| migrated(e, ours)).collect();
    if moving.is_empty() {
        return None;
    }
    let mut from: Vec<String> = moving
        .iter()
        .map(|e| text(e, "manager").to_string())
        .collect();
    from.dedup();
    let mut fields: Vec<String> = moving.iter().flat_map(|e| leaves_of(e)).collect();
    fields.sort();
    fields.dedup();
    let kept: Vec<String> = match after {
        Some(after) => entries(after)
            .iter()
            .filter(|e| is_ours(e, ours))
            .flat_map(leaves_of)
            .collect(),
        None => fields.clone(),
    };
    let others: Vec<String> = entries(live)
        .iter()
        .filter(|e| !migrated(e, ours) && !is_ours(e, ours))
        .flat_map(leaves_of)
        .collect();
    let removes = fields
        .iter()
        .filter(|f| !kept.contains(f) && !others.contains(f))
        .cloned()
        .collect();
    Some(Migration {
        from,
        fields: fields.len(),
        removes,
    })
}

fn union(into: &mut Map<String, Value>, from: &Map<String, Value>) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(Value::Object(a)), Value::Object(b)) => union(a, b),
            (Some(_), _) => {}
            (None, _) => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The live object's managedFields after the migration: the moved entries' fields in
/// kdrift's Apply entry (created if absent), the moved entries gone.
pub fn managed_fields(live: &Value, ours: &str, now: &str) -> Option<Vec<Value>> {
    let all = entries(live);
    if !all.iter().any(|e| migrated(e, ours)) {
        return None;
    }
    let mut fields = Map::new();
    for e in all.iter().filter(|e| migrated(e, ours) || is_ours(e, ours)) {
        if let Some(f) = e.get("fieldsV1").and_then(Value::as_object) {
            union(&mut fields, f);
        }
    }
    let api_version = live.get("apiVersion").cloned().unwrap_or(Value::Null);
    let mut out: Vec<Value> = Vec::new();
    let mut placed = false;
    for e in all {
        if migrated(e, ours) {
            continue;
        }
        if is_ours(e, ours) {
            let mut e = e.clone();
            e["fieldsV1"] = Value::Object(fields.clone());
            out.push(e);
            placed = true;
        } else {
            out.push(e.clone());
        }
    }
    if !placed {
        out.push(json!({
            "manager": ours, "operation": "Apply", "apiVersion": api_version,
            "time": now, "fieldsType": "FieldsV1", "fieldsV1": fields,
        }));
    }
    Some(out)
}

/// The JSON patch that migrates `live`, guarded by its resourceVersion (as csaupgrade).
pub fn patch(live: &Value, ours: &str, now: &str) -> Option<Value> {
    let fields = managed_fields(live, ours, now)?;
    let rv = live.pointer("/metadata/resourceVersion")?.clone();
    Some(json!([
        {"op": "test", "path": "/metadata/resourceVersion", "value": rv},
        {"op": "replace", "path": "/metadata/managedFields", "value": fields},
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "resourceVersion": "7",
        "managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update", "fieldsV1": {
                "f:data": {".": {}, "f:a": {}, "f:gone": {}},
                "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}}}},
            {"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}}}},
            {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:data": {"f:extra": {}}}}
        ]}})
    }

    #[test]
    fn client_side_fields_move_to_our_apply_entry() {
        let fields = managed_fields(&live(), "kdrift", "2026-12-01T00:00:00Z").expect("needed");
        let managers: Vec<&str> = fields.iter().map(|e| text(e, "manager")).collect();
        assert_eq!(managers, ["kdrift", "kubectl-edit"]);
        let ours = &fields[0]["fieldsV1"];
        assert!(ours.pointer("/f:data/f:gone").is_some(), "{ours}");
        assert!(
            ours.pointer(
                "/f:metadata/f:annotations/f:kubectl.kubernetes.io~1last-applied-configuration"
            )
            .is_some()
        );
        let p = patch(&live(), "kdrift", "now").expect("patch");
        assert_eq!(p[0]["value"], "7");
        assert!(
            managed_fields(
                &json!({"metadata": {"managedFields": fields}}),
                "kdrift",
                "now"
            )
            .is_none()
        );
    }

    #[test]
    fn the_plan_names_what_the_next_apply_removes() {
        let after = json!({"metadata": {"managedFields": [
            {"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:data": {"f:a": {}}}}]}});
        let m = needed(&live(), Some(&after), "kdrift").expect("needed");
        assert_eq!(m.from, ["kubectl-client-side-apply"]);
        assert_eq!(m.fields, 3);
        assert_eq!(
            m.removes,
            [
                "data.gone",
                "metadata.annotations.kubectl.kubernetes.io/last-applied-configuration"
            ]
        );
        assert!(m.to_string().contains("then removes data.gone"));
        // A server-side object needs nothing.
        let ssa =
            json!({"metadata": {"managedFields": [{"manager": "kdrift", "operation": "Apply"}]}});
        assert!(needed(&ssa, None, "kdrift").is_none());
    }
}
