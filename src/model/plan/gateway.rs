//! The one gateway every mutation passes, and the plan as text.

use super::{Action, Plan};

/// Every mutation kdrift can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutation {
    Apply,
    Prune,
    Rollback,
    RevertCommit,
    /// Disable a controller's auto-sync (or suspend it) before a sync.
    SuspendController,
}

impl Mutation {
    fn verb(self) -> &'static str {
        match self {
            Mutation::Apply => "sync",
            Mutation::Prune => "prune",
            Mutation::Rollback => "roll back",
            Mutation::RevertCommit => "write a revert commit",
            Mutation::SuspendController => "suspend the app's controller",
        }
    }
}

/// The plan as text: one line per object, its preview under each write, the counts.
pub fn render(plan: &Plan, rev: &str) -> String {
    let mut out = format!("Plan for {rev} (from a server-side dry-run):\n");
    for item in &plan.items {
        out.push_str(&format!(
            "  {:<9} {}  {}\n",
            item.action.label(),
            item.key,
            crate::model::text::inert(&item.note)
        ));
        if item.action.writes()
            && item.action != Action::Prune
            && let Some(p) = item.preview.as_ref().filter(|p| !p.is_empty())
        {
            for line in p.unified.lines() {
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    if let Some(reason) = &plan.prune_refused {
        out.push_str(&format!("  {reason}\n"));
    }
    let counts: Vec<String> = plan
        .counts()
        .iter()
        .map(|(a, n)| format!("{n} {}", a.label()))
        .collect();
    out.push_str(&format!("  ({})\n", counts.join(", ")));
    out
}

/// The one door every mutation passes; read-only mode shuts it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Gateway {
    pub readonly: bool,
}

impl Gateway {
    pub fn allow(&self, m: Mutation) -> Result<(), String> {
        if self.readonly {
            Err(format!(
                "read-only mode: refusing to {}; start kdrift without --readonly (and without readonly = true in the config) to allow it",
                m.verb()
            ))
        } else {
            Ok(())
        }
    }
}
