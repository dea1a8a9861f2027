//! The sync and rollback flows of the TUI: plan (a dry-run), confirm, apply, results. The
//! same plan, safety rules and read-only gateway as the headless commands.

use super::state::{AppState, Pane, Popup, PopupKind, Stage};
use super::update::Command;
use crate::config::keymap::Action;
use crate::model::plan::{Action as PlanAction, Gateway, Mutation, Plan, PlanItem};

/// Opens a popup for a sync (of the selected object or the app) or a rollback.
pub fn start(state: &mut AppState, action: Action) -> Vec<Command> {
    let kind = match action {
        Action::SyncSelected => match state.selected_object() {
            Some(key) if state.focus == Pane::Tree => PopupKind::Sync {
                only: Some(key.clone()),
            },
            _ => return Vec::new(),
        },
        Action::SyncApp => PopupKind::Sync { only: None },
        Action::Rollback => match state.history.get(state.history_selected) {
            Some(entry) if state.focus == Pane::History => PopupKind::Rollback {
                commit: entry.commit.id.clone(),
            },
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    state.popup_gen += 1;
    let mutation = if matches!(kind, PopupKind::Rollback { .. }) {
        Mutation::Rollback
    } else {
        Mutation::Apply
    };
    if let Err(refusal) = (Gateway {
        readonly: state.readonly,
    })
    .allow(mutation)
    {
        state.popup = Some(Popup::new(kind, Stage::Refused(refusal), state.popup_gen));
        return Vec::new();
    }
    let command = Command::Plan {
        generation: state.popup_gen,
        kind: kind.clone(),
    };
    state.popup = Some(Popup::new(kind, Stage::Planning, state.popup_gen));
    vec![command]
}

/// Keys while a popup is open: confirm applies a plan, the prune key prunes when offered,
/// the revert key toggles the rollback's revert commit; anything else closes it (except
/// while applying, which runs to its end).
pub fn on_key(state: &mut AppState, action: Option<Action>) -> Vec<Command> {
    let Some(popup) = state.popup.as_mut() else {
        return Vec::new();
    };
    match (&popup.stage, action) {
        (Stage::Applying(_), _) => Vec::new(),
        (Stage::Plan(..), Some(Action::RevertCommit))
            if matches!(popup.kind, PopupKind::Rollback { .. }) =>
        {
            popup.revert = !popup.revert;
            Vec::new()
        }
        (Stage::Plan(plan, handles), Some(Action::Confirm | Action::Expand)) => {
            if plan.writes() == 0 {
                let text = "Nothing to apply: the cluster already matches.".to_string();
                popup.stage = if popup.prunes.is_some() {
                    Stage::PruneOffer(Vec::new(), text)
                } else {
                    Stage::Done(Vec::new(), text)
                };
                return Vec::new();
            }
            let command = Command::Apply {
                generation: popup.generation,
                plan: plan.clone(),
                handles: handles.clone(),
                kind: popup.kind.clone(),
                revert: match &popup.kind {
                    PopupKind::Rollback { commit } if popup.revert => Some(commit.clone()),
                    _ => None,
                },
            };
            popup.total = plan.writes();
            popup.stage = Stage::Applying(Vec::new());
            vec![command]
        }
        (Stage::PruneOffer(..), Some(Action::Prune)) => {
            let Some((plan, handles)) = popup.prunes.take() else {
                return Vec::new();
            };
            let writes = plan.writes();
            let command = Command::Apply {
                generation: popup.generation,
                plan,
                handles,
                kind: popup.kind.clone(),
                revert: None,
            };
            popup.total = writes;
            popup.stage = Stage::Applying(Vec::new());
            vec![command]
        }
        (Stage::Planning, Some(Action::Quit)) | (_, _) => {
            state.popup = None;
            Vec::new()
        }
    }
}

/// Splits the prunes off a plan: they are offered only after the apply, on their own.
pub fn split_prunes(plan: Plan) -> (Plan, Option<Box<Plan>>) {
    let (prunes, rest): (Vec<PlanItem>, Vec<PlanItem>) = plan
        .items
        .into_iter()
        .partition(|i| i.action == PlanAction::Prune);
    let apply = Plan {
        items: rest,
        prune_refused: plan.prune_refused,
    };
    let prunes = (!prunes.is_empty()).then(|| {
        Box::new(Plan {
            items: prunes,
            prune_refused: None,
        })
    });
    (apply, prunes)
}

/// A one-line summary of what a finished apply did.
pub fn summary(results: &[crate::cluster::sync::ItemResult]) -> String {
    let ok = results.iter().filter(|r| r.outcome.is_ok()).count();
    let failed: Vec<String> = results
        .iter()
        .filter(|r| r.outcome.is_err())
        .map(|r| r.key.to_string())
        .collect();
    let pruned = results
        .iter()
        .filter(|r| r.action == PlanAction::Prune && r.outcome.is_ok())
        .count();
    if failed.is_empty() {
        format!("Applied {} object(s), pruned {pruned}.", ok - pruned)
    } else {
        format!("Applied {ok}, failed: {}", failed.join(", "))
    }
}
