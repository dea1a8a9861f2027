//! The sync and rollback flows of the TUI: plan (a dry-run), confirm, apply, results. The
//! same plan, safety rules and read-only gateway as the headless commands.

use super::state::{AppState, Pane, Popup, PopupKind, Stage};
use super::update::{Command, Msg};
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

/// Messages of the popup's flow (plan, progress, results), for the popup they belong to.
pub fn on_msg(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Plan { generation, result } => {
            if let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation) {
                p.stage = match result {
                    Ok((plan, handles)) => {
                        let (apply, prunes) = split_prunes(plan);
                        p.prunes = prunes.map(|plan| (plan, handles.clone()));
                        Stage::Plan(Box::new(apply), handles)
                    }
                    Err(e) => Stage::Refused(e),
                };
            }
        }
        Msg::Planning {
            generation,
            objects,
        } => {
            if let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation) {
                p.total = objects;
            }
        }
        Msg::AgainstHead {
            generation,
            changes,
        } => {
            if let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation) {
                p.against_head = Some(changes);
            }
        }
        Msg::Reverted { generation, result } => {
            if let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation) {
                p.notes
                    .push(result.unwrap_or_else(|e| format!("revert commit: {e}")));
            }
        }
        Msg::Applied { generation, result } => {
            if let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation)
                && let Stage::Applying(results) = &mut p.stage
            {
                results.push(result);
            }
        }
        Msg::SyncDone {
            generation,
            refused,
        } => return sync_done(state, generation, refused),
        _ => {}
    }
    state.rebuild();
    Vec::new()
}

fn sync_done(state: &mut AppState, generation: u64, refused: Option<String>) -> Vec<Command> {
    let Some(p) = state.popup.as_mut().filter(|p| p.generation == generation) else {
        return Vec::new();
    };
    let results = match &mut p.stage {
        Stage::Applying(r) => std::mem::take(r),
        _ => Vec::new(),
    };
    let failed = results.iter().any(|r| r.outcome.is_err());
    p.stage = match refused {
        Some(why) => Stage::Refused(why),
        None if p.prunes.is_some() && !failed => {
            let text = summary(&results);
            Stage::PruneOffer(results, text)
        }
        None => {
            let mut text = summary(&results);
            if p.prunes.take().is_some() {
                text.push_str(" Prune not offered: some applies failed.");
            }
            Stage::Done(results, text)
        }
    };
    match &p.kind {
        PopupKind::Rollback { commit } => {
            state.cluster_at = Some(commit[..commit.len().min(7)].to_string())
        }
        PopupKind::Sync { only: None } => state.cluster_at = None,
        PopupKind::Sync { .. } => {}
    }
    state.rebuild();
    vec![Command::Refresh]
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
