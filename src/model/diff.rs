//! Unified text diffs of normalised YAML, with a deadline so no input can hang us.

use std::time::Duration;

use serde::Serialize;
use similar::{ChangeTag, TextDiff};

/// How long one diff may take before it settles for a coarser answer.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(500);

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diff {
    /// Unified diff with 3 lines of context; empty when both sides are equal.
    pub unified: String,
    pub added: usize,
    pub removed: usize,
}

impl Diff {
    /// No difference.
    pub fn empty() -> Self {
        Diff {
            unified: String::new(),
            added: 0,
            removed: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.removed == 0
    }
}

pub fn unified(
    left_label: &str,
    left: &str,
    right_label: &str,
    right: &str,
    deadline: Duration,
) -> Diff {
    let diff = TextDiff::configure()
        .timeout(deadline)
        .diff_lines(left, right);
    let (mut added, mut removed) = (0, 0);
    for change in diff.iter_all_changes() {
        match change.tag() {
            ChangeTag::Insert => added += 1,
            ChangeTag::Delete => removed += 1,
            ChangeTag::Equal => {}
        }
    }
    let unified = if added + removed == 0 {
        String::new()
    } else {
        diff.unified_diff()
            .context_radius(3)
            .header(left_label, right_label)
            .to_string()
    };
    Diff {
        unified,
        added,
        removed,
    }
}

/// ANSI colours for a unified diff, for terminals.
pub fn colorize(unified: &str) -> String {
    unified
        .lines()
        .map(|l| {
            if l.starts_with("+++") || l.starts_with("---") {
                format!("\x1b[1m{l}\x1b[0m")
            } else if l.starts_with('+') {
                format!("\x1b[32m{l}\x1b[0m")
            } else if l.starts_with('-') {
                format!("\x1b[31m{l}\x1b[0m")
            } else if l.starts_with("@@") {
                format!("\x1b[36m{l}\x1b[0m")
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_count_lines_and_show_context() {
        let d = unified(
            "live",
            "a: 1\nb: 2\nc: 3\n",
            "git",
            "a: 1\nb: 5\nc: 3\n",
            DEFAULT_DEADLINE,
        );
        assert_eq!((d.added, d.removed), (1, 1));
        assert!(d.unified.contains("--- live"));
        assert!(d.unified.contains("-b: 2"));
        assert!(d.unified.contains("+b: 5"));
        assert!(unified("a", "x\n", "b", "x\n", DEFAULT_DEADLINE).is_empty());
    }

    #[test]
    fn pathological_inputs_finish() {
        let left: String = (0..20_000)
            .map(|i| format!("line {}\n", i * 7 % 13))
            .collect();
        let right: String = (0..20_000)
            .map(|i| format!("line {}\n", i * 5 % 11))
            .collect();
        let d = unified("a", &left, "b", &right, Duration::from_millis(50));
        assert!(!d.is_empty());
    }
}
