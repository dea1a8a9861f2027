//! Ignore rules: fields a webhook, an operator or an autoscaler owns by design, which the
//! user says are not drift. Declared in the app file (`ignoreDifferences`, Argo CD's field
//! names) or on a Git object (`kdrift.dev/ignore-differences: /spec/replicas,…`). A field a
//! rule silences is never dropped silently: it is listed, with the rule, as ignored.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fields::{Seg, leaf_paths, pointer_of};
use super::object::ObjectKey;

/// The per-object annotation: JSON pointers, separated by commas.
pub const IGNORE_ANNOTATION: &str = "kdrift.dev/ignore-differences";
/// The per-object compare options (`IgnoreExtraneous`, as Argo CD's).
pub const COMPARE_OPTIONS: &str = "kdrift.dev/compare-options";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IgnoreRule {
    /// The API group (`apps`); absent = any.
    pub group: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub json_pointers: Vec<String>,
    /// Fields these managers own live are theirs (an HPA's replicas).
    #[serde(default)]
    pub managed_fields_managers: Vec<String>,
    /// Where the rule was written, for the listing.
    #[serde(skip)]
    pub origin: String,
}

impl IgnoreRule {
    pub fn matches(&self, key: &ObjectKey) -> bool {
        let same = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
        same(&self.group, &key.group)
            && self
                .kind
                .as_deref()
                .is_none_or(|k| k.eq_ignore_ascii_case(&key.kind))
            && same(&self.name, &key.name)
            && same(&self.namespace, key.namespace.as_deref().unwrap_or(""))
    }

    /// The rule as the listing names it.
    pub fn describe(&self) -> String {
        let mut what = Vec::new();
        if !self.json_pointers.is_empty() {
            what.push(format!("jsonPointers {}", self.json_pointers.join(", ")));
        }
        if !self.managed_fields_managers.is_empty() {
            what.push(format!(
                "managedFieldsManagers {}",
                self.managed_fields_managers.join(", ")
            ));
        }
        format!("{}: {}", self.origin, what.join("; "))
    }
}

/// Rules numbered by their place in the app file.
pub fn from_app_file(file: &str, mut rules: Vec<IgnoreRule>) -> Vec<IgnoreRule> {
    for (i, rule) in rules.iter_mut().enumerate() {
        rule.origin = format!("{file} ignoreDifferences[{i}]");
    }
    rules
}

/// The rules that apply to one object: the app's and its own annotation's.
pub fn for_object(
    rules: &[IgnoreRule],
    key: &ObjectKey,
    desired: Option<&Value>,
) -> Vec<IgnoreRule> {
    let mut out: Vec<IgnoreRule> = rules.iter().filter(|r| r.matches(key)).cloned().collect();
    let annotation = desired
        .and_then(|d| d.pointer("/metadata/annotations"))
        .and_then(|a| a.get(IGNORE_ANNOTATION))
        .and_then(Value::as_str);
    if let Some(list) = annotation {
        out.push(IgnoreRule {
            json_pointers: list
                .split(',')
                .map(str::trim)
                .filter(|p| p.starts_with('/'))
                .map(str::to_string)
                .collect(),
            origin: format!("annotation {IGNORE_ANNOTATION}"),
            ..Default::default()
        });
    }
    out
}

/// Whether a live object asks not to count as Extra.
pub fn ignores_extraneous(live: &Value) -> bool {
    live.pointer("/metadata/annotations")
        .and_then(|a| a.get(COMPARE_OPTIONS))
        .and_then(Value::as_str)
        .is_some_and(|o| o.split(',').any(|x| x.trim() == "IgnoreExtraneous"))
}

/// A difference a rule silenced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    /// `preview`, `drift` or `conflict`.
    pub lens: String,
    pub path: String,
    /// Who owns it live, when known.
    pub manager: Option<String>,
    pub rule: String,
}

impl std::fmt::Display for Ignored {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.path, self.lens)?;
        if let Some(m) = &self.manager {
            write!(f, " by {m}")?;
        }
        write!(f, ", ignored by {}", self.rule)
    }
}

/// A JSON pointer as the other listings write paths: `spec.containers[0].image`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for raw in pointer.split('/').skip(1) {
        let step = raw.replace("~1", "/").replace("~0", "~");
        if step.parse::<usize>().is_ok() {
            out.push_str(&format!("[{step}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&step);
        }
    }
    out
}

/// Whether `pointer` is `rule` or lies under it.
pub fn covered(pointer: &str, rule: &str) -> bool {
    pointer == rule || pointer.starts_with(&format!("{}/", rule.trim_end_matches('/')))
}

/// The leaf paths a manager owns in a live object (status writes aside).
pub fn owned_by(live: &Value, managers: &[String]) -> Vec<(String, Vec<Seg>)> {
    let mut out = Vec::new();
    let entries = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for entry in entries {
        let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
        let status = entry.get("subresource").and_then(Value::as_str) == Some("status");
        if status || !managers.iter().any(|m| m == manager) {
            continue;
        }
        if let Some(fields) = entry.get("fieldsV1") {
            out.extend(
                leaf_paths(fields)
                    .into_iter()
                    .map(|path| (manager.to_string(), path)),
            );
        }
    }
    out
}

/// Whether `ours` owns the field at `pointer` live (it, or a field above or below it).
fn we_own(live: &Value, pointer: &str, ours: &str) -> bool {
    let ours = [ours.to_string()];
    owned_by(live, &ours).iter().any(|(_, path)| {
        pointer_of(live, path)
            .is_some_and(|owned| covered(&owned, pointer) || covered(pointer, &owned))
    })
}

/// Makes the body a sync applies respect the rules: a field a rule covers that another
/// manager holds live is left out of the body, so neither the dry-run nor the sync fights
/// it (a field kdrift itself owns stays: leaving it out would delete it). Returns each
/// silenced field whose live value differs from Git's.
pub fn respect(body: &mut Value, live: &Value, rules: &[IgnoreRule], ours: &str) -> Vec<Ignored> {
    let mut silenced = Vec::new();
    for rule in rules {
        let mut targets: Vec<(String, Option<String>)> = rule
            .json_pointers
            .iter()
            .map(|p| (p.clone(), None))
            .collect();
        for (manager, path) in owned_by(live, &rule.managed_fields_managers) {
            if let Some(p) = pointer_of(live, &path) {
                targets.push((p, Some(manager)));
            }
        }
        for (pointer, manager) in targets {
            let git = body.pointer(&pointer).cloned();
            let held = live.pointer(&pointer).cloned();
            if git == held || git.is_none() {
                continue;
            }
            silenced.push(Ignored {
                lens: "preview".into(),
                path: dotted(&pointer),
                manager: manager.clone(),
                rule: rule.describe(),
            });
            // Only through maps: a list index in live need not be the same item in Git.
            let through_list = pointer.split('/').any(|s| s.parse::<usize>().is_ok());
            if held.is_some() && !through_list && !we_own(live, &pointer, ours) {
                remove(body, &pointer);
            }
        }
    }
    silenced
}

fn remove(value: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let last = last.replace("~1", "/").replace("~0", "~");
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// Splits live-drift fields into those that remain and those a rule silences.
pub fn filter_drift(
    drift: Vec<super::fields::DriftField>,
    rules: &[IgnoreRule],
) -> (Vec<super::fields::DriftField>, Vec<Ignored>) {
    let mut kept = Vec::new();
    let mut silenced = Vec::new();
    for field in drift {
        let rule = rules.iter().find(|r| {
            r.managed_fields_managers.contains(&field.manager)
                || field
                    .pointer
                    .as_deref()
                    .is_some_and(|p| r.json_pointers.iter().any(|rp| covered(p, rp)))
        });
        match rule {
            Some(rule) => silenced.push(Ignored {
                lens: "drift".into(),
                path: field.path.clone(),
                manager: (!field.manager.is_empty()).then(|| field.manager.clone()),
                rule: rule.describe(),
            }),
            None => kept.push(field),
        }
    }
    (kept, silenced)
}

/// Removes what the rules cover from one side of the apply preview.
pub fn strip_pointers(side: &mut Value, rules: &[IgnoreRule]) {
    for rule in rules {
        for pointer in &rule.json_pointers {
            remove(side, pointer);
        }
    }
}

/// Whether a conflict's field (`.spec.replicas`) or manager is covered by a rule.
pub fn silences_conflict(rules: &[IgnoreRule], field: &str, manager: &str) -> Option<String> {
    // The server writes the field dotted (`.metadata.annotations.a.b/c`): the rule's
    // pointer is compared in that form, keys with dots intact.
    let under = |dotted: &str| {
        field == dotted
            || field.starts_with(&format!("{dotted}."))
            || field.starts_with(&format!("{dotted}["))
    };
    rules
        .iter()
        .find(|r| {
            r.managed_fields_managers.iter().any(|m| m == manager)
                || r.json_pointers.iter().any(|p| {
                    let dotted: String = p
                        .split('/')
                        .skip(1)
                        .map(|s| format!(".{}", s.replace("~1", "/").replace("~0", "~")))
                        .collect();
                    under(&dotted)
                })
        })
        .map(IgnoreRule::describe)
}

#[cfg(test)]
mod tests;
