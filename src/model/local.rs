//! Synced without asking the server: when kdrift's own apply entry owns exactly the fields
//! the Git object sets, each holds Git's value (a quantity or a number written another way
//! counts as the same), and nobody but kdrift and the controllers owns anything, a dry-run
//! apply would change nothing. Only a sure answer is given: anything this cannot read
//! with certainty (a list keyed in a way it cannot match, `stringData`, a value Git sets to
//! null) returns `false`, and the dry-run decides. The dry-run create (defaults) is only
//! needed when another manager owns fields, which rules the local verdict out.

use serde_json::{Map, Value};

use super::equivalent::same_value;

use super::fields::{Seg, is_controller_entry, parse_seg};

/// Whether applying `body` as `ours` would leave `live` as it is, with nobody but kdrift
/// and the controllers owning anything (then no dry-run of either kind is needed).
pub fn locally_synced(live: &Value, body: &Value, ours: &str) -> bool {
    let Some(entries) = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
    else {
        return false;
    };
    let others = entries.iter().any(|e| {
        let own = e.get("manager").and_then(Value::as_str) == Some(ours)
            && e.get("operation").and_then(Value::as_str) == Some("Apply")
            && e.get("subresource").is_none_or(|s| s.as_str() == Some(""));
        !own && !is_controller_entry(e)
    });
    !others && locally_applied(live, body, ours)
}

/// Whether applying `body` as `ours` would change nothing: kdrift's apply entry owns
/// exactly the fields Git sets and each holds Git's value. Others may own fields too (the
/// same values, or fields Git does not set): an apply that changes no value conflicts with
/// no one, so its dry-run would return `live` itself.
pub fn locally_applied(live: &Value, body: &Value, ours: &str) -> bool {
    match super::fields::applied_by(live, ours) {
        Some(fields) => object_covered(body, fields, live, true, ""),
        None => false,
    }
}

fn children(fields: &Value) -> Vec<(Seg, &Value)> {
    fields
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| k.as_str() != ".")
                .filter_map(|(k, v)| Some((parse_seg(k)?, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Identity and bookkeeping no managedFields entry lists.
fn unlisted(top: bool, key: &str, value: &Value) -> bool {
    (top && matches!(key, "apiVersion" | "kind" | "status"))
        || (key == "creationTimestamp" && value.is_null())
}

/// `name`: the map's own key (its values' parent, for quantities).
fn object_covered(body: &Value, fields: &Value, live_value: &Value, top: bool, name: &str) -> bool {
    let (Some(body), Some(live)) = (body.as_object(), live_value.as_object()) else {
        return false;
    };
    let owned = children(fields);
    // Every field kdrift owns is one Git still sets (else the apply would remove it).
    for (seg, _) in &owned {
        let Seg::Field(name) = seg else { return false };
        if !body.contains_key(name) {
            return false;
        }
    }
    for (key, value) in body {
        if unlisted(top, key, value) {
            continue;
        }
        if top && key == "metadata" {
            if !metadata_covered(value, fields, live_value) {
                return false;
            }
            continue;
        }
        if top && key == "stringData" {
            return false;
        }
        let Some(node) = owned
            .iter()
            .find(|(s, _)| matches!(s, Seg::Field(n) if n == key))
            .map(|(_, n)| *n)
        else {
            // An empty map or list Git writes is kept by no one: the same as none.
            if is_empty(value) && live.get(key).is_none_or(is_empty) {
                continue;
            }
            return false;
        };
        if !value_covered(value, node, live.get(key), key, name) {
            return false;
        }
    }
    true
}

fn metadata_covered(meta: &Value, fields: &Value, live: &Value) -> bool {
    let Some(meta) = meta.as_object() else {
        return false;
    };
    let rest: Map<String, Value> = meta
        .iter()
        .filter(|(k, v)| !matches!(k.as_str(), "name" | "namespace") && !unlisted(false, k, v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let node = fields
        .get("f:metadata")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    let live_meta = live.get("metadata").cloned().unwrap_or(Value::Null);
    object_covered(&Value::Object(rest), &node, &live_meta, false, "metadata")
}

fn is_empty(v: &Value) -> bool {
    v.as_object().is_some_and(Map::is_empty) || v.as_array().is_some_and(Vec::is_empty)
}

fn value_covered(
    body: &Value,
    node: &Value,
    live: Option<&Value>,
    key: &str,
    parent: &str,
) -> bool {
    let Some(live) = live else {
        return is_empty(body);
    };
    match body {
        Value::Null => false,
        Value::Object(_) if children(node).is_empty() => body == live,
        Value::Object(_) => object_covered(body, node, live, false, key),
        Value::Array(items) => list_covered(items, node, live),
        scalar => children(node).is_empty() && same_value(scalar, live, parent),
    }
}

/// A list: atomic (compared whole), a set (`v:` items) or keyed (`k:` items, each matched
/// to the one live item with those key values).
fn list_covered(items: &[Value], node: &Value, live: &Value) -> bool {
    let Some(live_items) = live.as_array() else {
        return false;
    };
    let owned = children(node);
    if owned.is_empty() {
        return items.len() == live_items.len()
            && items.iter().zip(live_items).all(|(a, b)| a == b);
    }
    if owned.len() != items.len() || live_items.len() != items.len() {
        return false;
    }
    let mut used = vec![false; owned.len()];
    for item in items {
        let mut found = None;
        for (i, (seg, child)) in owned.iter().enumerate() {
            let hit = match seg {
                Seg::Value(v) => v == item,
                Seg::Key(keys) => keys
                    .iter()
                    .all(|(k, v)| item.get(k).is_none_or(|have| have == v)),
                _ => false,
            };
            if hit && !used[i] {
                if found.is_some() {
                    return false; // more than one candidate: not sure
                }
                found = Some((i, seg, *child));
            }
        }
        let Some((i, seg, child)) = found else {
            return false;
        };
        used[i] = true;
        if let Seg::Key(keys) = seg {
            let matching: Vec<&Value> = live_items
                .iter()
                .filter(|l| keys.iter().all(|(k, v)| l.get(k) == Some(v)))
                .collect();
            let [live_item] = matching.as_slice() else {
                return false;
            };
            if !object_covered(item, child, live_item, false, "") {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests;
