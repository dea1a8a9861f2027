//! YAML problems in kdrift's words (the parser's own text names its option types), and the
//! line of each item of a `List`, so every object of a list has its own source line.

use serde_saphyr::budget::BudgetBreach;

use super::LoadError;
use crate::model::text::inert;

/// A YAML error naming the file, line and column; `text` (the document, padded so its
/// line numbers are the file's) lets a duplicate key name its first line too.
pub fn yaml_error_in(file: &str, e: serde_saphyr::Error, text: Option<&str>) -> LoadError {
    let location = e.location();
    let line = location.as_ref().map(|l| l.line() as usize);
    let message = match &e {
        serde_saphyr::Error::Budget { breach, .. } => budget(breach),
        serde_saphyr::Error::DuplicateMappingKey { key: Some(key), .. } => {
            let first = line
                .zip(text)
                .and_then(|(line, text)| first_line_of_key(text, key, line));
            match first {
                Some(first) => format!(
                    "the key {:?} appears twice in one mapping (lines {first} and {}): keep one",
                    inert(key),
                    line.unwrap_or(0)
                ),
                None => format!(
                    "the key {:?} appears twice in one mapping: keep one",
                    inert(key)
                ),
            }
        }
        serde_saphyr::Error::DuplicateMappingKey { key: None, .. } => {
            "a key appears twice in one mapping: keep one".to_string()
        }
        _ => {
            let message = e.to_string();
            // The parser's message may start with its location; ours names the file's.
            message
                .split_once(": ")
                .filter(|(head, _)| head.contains("line"))
                .map(|(_, rest)| rest.to_string())
                .unwrap_or(message)
        }
    };
    LoadError {
        file: file.into(),
        line,
        column: location.as_ref().map(|l| l.column() as usize),
        message: format!("invalid YAML: {message}"),
    }
}

fn budget(breach: &BudgetBreach) -> String {
    match breach {
        BudgetBreach::Nodes { nodes } => format!(
            "too many YAML nodes in one document (over {}): refused as a likely resource bomb; split the document",
            nodes.saturating_sub(1)
        ),
        BudgetBreach::Depth { depth } => format!(
            "nested more than {} levels deep: refused as a likely resource bomb",
            depth.saturating_sub(1)
        ),
        BudgetBreach::Aliases { .. }
        | BudgetBreach::Anchors { .. }
        | BudgetBreach::AliasAnchorRatio { .. } => {
            "too many aliases (*name) for its anchors: refused as a likely alias bomb (\"billion laughs\")".into()
        }
        BudgetBreach::Events { .. } | BudgetBreach::ScalarBytes { .. } => {
            "the document is too large to read safely: split it".into()
        }
        BudgetBreach::Documents { documents } => {
            format!("too many YAML documents in one file (over {})", documents.saturating_sub(1))
        }
        BudgetBreach::MergeKeys { .. } => "too many merge keys (<<)".into(),
        _ => "the document exceeds a safety limit of the YAML reader".into(),
    }
}

/// The first line above `before` where `key:` starts at the indentation `before` has.
fn first_line_of_key(text: &str, key: &str, before: usize) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.get(before.checked_sub(1)?)?;
    let indent = at.len() - at.trim_start().len();
    let wanted = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    lines[..before - 1]
        .iter()
        .enumerate()
        .rev()
        .find_map(|(i, l)| {
            let rest = l.get(indent..)?;
            let here = l.len() - l.trim_start().len() == indent;
            (here && wanted.iter().any(|w| rest.starts_with(w.as_str()))).then_some(i + 1)
        })
}

/// The file line of each item of a block-style `items:` list, when there are exactly
/// `count` of them; `None` (every item then reads the list's line) otherwise.
pub fn list_item_lines(text: &str, count: usize) -> Option<Vec<usize>> {
    let lines: Vec<&str> = text.lines().collect();
    let items_at = lines.iter().position(|l| l.trim_end() == "items:")?;
    let base = lines[items_at].len() - lines[items_at].trim_start().len();
    let mut found = Vec::new();
    let mut item_indent = None;
    for (i, l) in lines.iter().enumerate().skip(items_at + 1) {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = l.len() - trimmed.len();
        if indent < base || (indent == base && !trimmed.starts_with("- ")) {
            break;
        }
        if trimmed.starts_with("- ") || trimmed == "-" {
            let wanted = *item_indent.get_or_insert(indent);
            if indent == wanted {
                found.push(i + 1);
            }
        }
    }
    (found.len() == count).then_some(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_key_names_both_lines() {
        let text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  k: a\n  other: x\n  k: b\n";
        assert_eq!(first_line_of_key(text, "k", 6), Some(4));
        assert_eq!(first_line_of_key(text, "kind", 2), None);
    }

    #[test]
    fn list_items_get_their_own_lines() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n# between\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: b\n";
        assert_eq!(list_item_lines(text, 2), Some(vec![4, 9]));
        assert_eq!(list_item_lines(text, 3), None);
        let indented = "kind: List\nitems:\n  - kind: A\n    x:\n      - nested\n  - kind: B\n";
        assert_eq!(list_item_lines(indented, 2), Some(vec![3, 6]));
    }
}
