//! What the sync pipeline tells every front end: the summary of an apply (never "matches"
//! while anything differs), the hooks it runs or not, and the prunes held apart.

use super::sync::{Outcome, Prepared};
use crate::model::hook::{Hook, Phase};
use crate::model::plan::{Action, Plan};

/// The hooks a sync runs (all of them with `--hooks`), in their phase.
pub fn hooks_to_run(prepared: &Prepared, asked: bool) -> Vec<Hook> {
    if asked {
        prepared
            .desired
            .hooks
            .iter()
            .filter(|h| h.phase != Phase::Never)
            .cloned()
            .collect()
    } else {
        Vec::new()
    }
}

/// What to say of hooks that a sync does not run.
pub fn hooks_note(prepared: &Prepared, asked: bool) -> Option<String> {
    let hooks: Vec<&Hook> = prepared
        .desired
        .hooks
        .iter()
        .filter(|h| h.phase != Phase::Never)
        .collect();
    if hooks.is_empty() {
        return None;
    }
    let list: Vec<String> = hooks.iter().map(|h| h.label()).collect();
    Some(if asked {
        format!(
            "Hooks: {} to run (before the apply: PreSync/pre-*; after it: the rest): {}",
            hooks.len(),
            list.join(", ")
        )
    } else {
        format!(
            "Hooks: {} not run (kdrift sync --hooks runs them): {}",
            hooks.len(),
            list.join(", ")
        )
    })
}

/// What a finished apply did, in one text for every front end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub text: String,
    /// Everything planned was applied and nothing was left alone.
    pub complete: bool,
}

pub fn summary(plan: &Plan, outcome: &Outcome) -> Summary {
    if let Some(why) = &outcome.refused {
        return Summary {
            text: format!("Nothing applied: {why}"),
            complete: false,
        };
    }
    let done = |a: Action| outcome.sync.done(a);
    let mut text = format!(
        "Synced: {} created, {} updated, {} pruned, {} unchanged.",
        done(Action::Create),
        done(Action::Update),
        done(Action::Prune),
        plan.count(Action::Unchanged)
    );
    let hooks = done(Action::Hook);
    if hooks > 0 {
        text.push_str(&format!(" {hooks} hook(s) run."));
    }
    if let Some(reason) = &outcome.sync.prune_skipped {
        text.push_str(&format!("\n{reason}"));
    }
    if let Some(why) = &outcome.record_error {
        text.push_str(&format!("\nThe sync record was not written: {why}"));
    }
    let failed: Vec<String> = outcome
        .sync
        .failed()
        .iter()
        .map(|r| r.key.to_string())
        .collect();
    if !failed.is_empty() {
        text.push_str(&format!("\nFailed: {}", failed.join(", ")));
    }
    let left: Vec<String> = plan
        .items
        .iter()
        .filter(|i| matches!(i.action, Action::Conflict | Action::Error))
        .map(|i| format!("{} ({})", i.key, i.action.label()))
        .collect();
    if !left.is_empty() {
        text.push_str(&format!("\nLeft alone: {}", left.join(", ")));
    }
    let drifted = plan.items.iter().filter(|i| i.drift_remains).count();
    if drifted > 0 {
        text.push_str(&format!(
            "\n{drifted} object(s) keep fields set outside Git, which a sync does not remove (`kdrift diff --lens drift` lists them)."
        ));
    }
    Summary {
        text,
        complete: failed.is_empty() && left.is_empty() && outcome.sync.prune_skipped.is_none(),
    }
}

/// Splits the prunes off a plan, for front ends that offer them only after the apply.
pub fn split_prunes(plan: Plan) -> (Plan, Option<Plan>) {
    let (prunes, rest): (Vec<_>, Vec<_>) = plan
        .items
        .into_iter()
        .partition(|i| i.action == Action::Prune);
    let apply = Plan {
        items: rest,
        prune_refused: plan.prune_refused,
    };
    let prunes = (!prunes.is_empty()).then_some(Plan {
        items: prunes,
        prune_refused: None,
    });
    (apply, prunes)
}
