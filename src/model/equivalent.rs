//! Values that read differently and mean the same to the API server: quantities (`1000m`
//! is `1`, `1024Mi` is `1Gi`), a number written as a string (int-or-string fields), an empty
//! map or list and no value at all. Judged equal, and explained where a user could doubt it.

use serde_json::Value;

/// A quantity as an exact rational: (numerator, power of ten, power of two).
fn quantity(text: &str) -> Option<(i128, i32, u32)> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let (ten, two) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        _ => return None,
    };
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let digits = format!("{whole}{frac}");
    let n: i128 = digits.parse().ok()?;
    Some((n, ten - frac.len() as i32, two))
}

/// The quantity scaled to an exact integer in units of 10^-9, when it fits.
fn nano_units(text: &str) -> Option<i128> {
    let (n, ten, two) = quantity(text)?;
    let mut v = n.checked_mul(1i128.checked_shl(two)?)?;
    let exp = ten + 9;
    if exp >= 0 {
        v = v.checked_mul(10i128.checked_pow(exp as u32)?)?;
    } else {
        let d = 10i128.checked_pow((-exp) as u32)?;
        if v % d != 0 {
            return None;
        }
        v /= d;
    }
    Some(v)
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Why `git` and `live` are the same value though they read differently; `None` when
/// they differ (or are identical).
pub fn equivalent(git: &Value, live: &Value) -> Option<&'static str> {
    if git == live {
        return None;
    }
    let (Some(g), Some(l)) = (as_text(git), as_text(live)) else {
        return None;
    };
    if g == l {
        return Some("the same number, written as a string on one side (int-or-string)");
    }
    let any_suffix = |s: &str| s.chars().any(|c| c.is_ascii_alphabetic());
    if (any_suffix(&g) || any_suffix(&l))
        && let (Some(a), Some(b)) = (nano_units(&g), nano_units(&l))
        && a == b
    {
        return Some("the same quantity");
    }
    None
}

/// Maps whose values are quantities the API server stores in canonical form (`1000m` is
/// kept as `1`). Elsewhere (a ConfigMap value, an env var) a value written differently is
/// a change.
pub const QUANTITY_MAPS: [&str; 8] = [
    "limits",
    "requests",
    "hard",
    "default",
    "defaultRequest",
    "max",
    "min",
    "capacity",
];

/// Whether Git's value and live's are the same where they stand (`parent`: the key of the
/// map holding them): equal, or the same quantity in a map of quantities.
pub fn same_value(git: &Value, live: &Value, parent: &str) -> bool {
    git == live
        || (QUANTITY_MAPS.contains(&parent) && equivalent(git, live) == Some("the same quantity"))
}

/// Whether a value Git writes is empty (`{}`, `[]`, `null`): the server drops it, so
/// "empty" and "absent" are the same.
pub fn is_empty(v: &Value) -> bool {
    v.is_null()
        || v.as_object().is_some_and(|m| m.is_empty())
        || v.as_array().is_some_and(|a| a.is_empty())
}

/// Notes for the places where Git's text and the live object read differently but mean
/// the same: walked through maps and through lists of named items.
pub fn explain(git: &Value, live: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(git, Some(live), &mut String::new(), &mut out);
    out
}

fn walk(git: &Value, live: Option<&Value>, path: &mut String, out: &mut Vec<String>) {
    let at = |p: &str| {
        if p.is_empty() {
            "(root)".to_string()
        } else {
            p.to_string()
        }
    };
    match (git, live) {
        (Value::Object(g), Some(Value::Object(l))) => {
            for (k, gv) in g {
                if path.is_empty() && k == "status" {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
                walk(gv, l.get(k), path, out);
                path.truncate(len);
            }
        }
        (Value::Array(g), Some(Value::Array(l))) => {
            for (i, gv) in g.iter().enumerate() {
                let name = gv.get("name");
                let lv = match name {
                    Some(n) => l.iter().find(|x| x.get("name") == Some(n)),
                    None => l.get(i),
                };
                let len = path.len();
                match name.and_then(Value::as_str) {
                    Some(n) => path.push_str(&format!("[name={n}]")),
                    None => path.push_str(&format!("[{i}]")),
                }
                walk(gv, lv, path, out);
                path.truncate(len);
            }
        }
        (g, None) if is_empty(g) && !g.is_null() => out.push(format!(
            "{}: Git's empty {} is the same as none (the API server does not keep it)",
            at(path),
            if g.is_array() { "list" } else { "map" }
        )),
        (g, Some(l)) => {
            // The key of the map holding the value (`limits` for `…limits.cpu`).
            let parent = path
                .rsplit('.')
                .nth(1)
                .unwrap_or_default()
                .split('[')
                .next()
                .unwrap_or_default();
            if g != l && same_value(g, l, parent) {
                out.push(format!(
                    "{}: Git's {g} is the cluster's {l}: the same quantity",
                    at(path)
                ));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn quantities_and_numbers_written_two_ways_are_equal() {
        for (git, live) in [
            ("1000m", "1"),
            ("1024Mi", "1Gi"),
            ("0.5", "500m"),
            ("1k", "1000"),
            ("2Gi", "2147483648"),
            ("100M", "100000k"),
        ] {
            assert_eq!(
                equivalent(&json!(git), &json!(live)),
                Some("the same quantity"),
                "{git} = {live}"
            );
        }
        for (git, live) in [
            ("1000m", "2"),
            ("1Gi", "1G"),
            ("100Mi", "100M"),
            ("abc", "abd"),
        ] {
            assert_eq!(
                equivalent(&json!(git), &json!(live)),
                None,
                "{git} != {live}"
            );
        }
        assert!(equivalent(&json!("8080"), &json!(8080)).is_some());
        assert_eq!(
            equivalent(&json!(1), &json!(1)),
            None,
            "identical needs no note"
        );
    }

    #[test]
    fn empty_and_absent_and_quantities_are_explained_with_their_path() {
        let git = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "resources": {"limits": {"cpu": "1000m", "memory": "1024Mi"}}, "env": []}]}}},
            "metadata": {"annotations": {}}});
        let live = json!({"spec": {"template": {"spec": {
            "containers": [{"name": "app", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}},
            "metadata": {}});
        let notes = explain(&git, &live);
        assert_eq!(
            notes,
            [
                "metadata.annotations: Git's empty map is the same as none (the API server does not keep it)",
                "spec.template.spec.containers[name=app].env: Git's empty list is the same as none (the API server does not keep it)",
                "spec.template.spec.containers[name=app].resources.limits.cpu: Git's \"1000m\" is the cluster's \"1\": the same quantity",
                "spec.template.spec.containers[name=app].resources.limits.memory: Git's \"1024Mi\" is the cluster's \"1Gi\": the same quantity",
            ]
        );
    }
}
