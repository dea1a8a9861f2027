//! The sync and rollback flows of the TUI: plan (a dry-run), confirm, apply, results. The
//! plan, the apply, the revert-commit policy and the summary come from `ops::sync`, the
//! pipeline the headless commands run.

use super::msg::{Command, Msg};
use super::state::{AppState, Pane, Popup, PopupKind, Stage};
use crate::config::keymap::Action;
use crate::model::plan::{Action as PlanAction, Gateway, Mutation};
use crate::ops::sync::{self, Event, Outcome};

/// Opens a popup for a sync (of the selected object or the app) or a rollback.
pub fn start(state: &mut AppState, action: Action) -> Vec<Command> {
    let kind = match action {
        Action::SyncSelected => match state.selected_object() {
            Some(key) if state.mode.focus == Pane::Tree => PopupKind::Sync {
                only: Some(key.clone()),
            },
            _ => return Vec::new(),
        },
        Action::SyncApp => PopupKind::Sync { only: None },
        Action::Rollback => match state.history.entries.get(state.history.selected) {
            Some(entry) if state.mode.focus == Pane::History => PopupKind::Rollback {
                commit: entry.commit.id.clone(),
            },
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    state.popup.generation += 1;
    if let Some(why) = state.data.access.apply.forbidden() {
        state.popup.current = Some(Popup::new(
            kind,
            Stage::Refused(format!("not allowed: {why}")),
            state.popup.generation,
        ));
        return Vec::new();
    }
    let mutation = if matches!(kind, PopupKind::Rollback { .. }) {
        Mutation::Rollback
    } else {
        Mutation::Apply
    };
    if let Err(refusal) = (Gateway {
        readonly: state.data.readonly,
    })
    .allow(mutation)
    {
        state.popup.current = Some(Popup::new(
            kind,
            Stage::Refused(refusal),
            state.popup.generation,
        ));
        return Vec::new();
    }
    let command = Command::Plan {
        generation: state.popup.generation,
        kind: kind.clone(),
    };
    state.popup.current = Some(Popup::new(kind, Stage::Planning, state.popup.generation));
    vec![command]
}

/// Keys while a popup is open: confirm applies a plan, the prune key prunes when offered,
/// the revert key toggles the rollback's revert commit; anything else closes it (except
/// while applying, which runs to its end).
pub fn on_key(state: &mut AppState, action: Option<Action>) -> Vec<Command> {
    let Some(popup) = state.popup.current.as_mut() else {
        return Vec::new();
    };
    let can_confirm = popup.confirmable();
    match (&popup.stage, action) {
        (Stage::Applying(..), _) => Vec::new(),
        (Stage::Plan(..), Some(Action::Export)) => super::export::export(state),
        (Stage::Plan(..), Some(Action::RevertCommit))
            if matches!(popup.kind, PopupKind::Rollback { .. }) =>
        {
            popup.revert = !popup.revert;
            Vec::new()
        }
        (Stage::Plan(plan, _), Some(Action::Confirm | Action::Expand)) if !can_confirm => {
            // Nothing a confirmation could do: say why, and offer nothing.
            let text = plan
                .nothing_to_apply(popup.short.as_deref().unwrap_or("the commit"))
                .unwrap_or_default();
            popup.stage = Stage::Done(Vec::new(), text);
            Vec::new()
        }
        (Stage::Plan(plan, _), Some(Action::Confirm | Action::Expand))
            if plan.writes() == 0 && popup.prunes.is_some() && !popup.revert =>
        {
            let text = plan
                .nothing_to_apply(popup.short.as_deref().unwrap_or("the commit"))
                .unwrap_or_default();
            popup.stage = Stage::PruneOffer(Vec::new(), text);
            Vec::new()
        }
        (Stage::Plan(plan, handles), Some(Action::Confirm | Action::Expand)) => {
            let command = Command::Apply {
                generation: popup.generation,
                plan: plan.clone(),
                handles: handles.clone(),
                revert: match &popup.kind {
                    PopupKind::Rollback { commit } if popup.revert => Some(commit.clone()),
                    _ => None,
                },
                synced: popup.synced.clone(),
                guard: popup.guard.clone(),
            };
            popup.total = plan.writes();
            popup.stage = Stage::Applying(plan.clone(), Vec::new());
            vec![command]
        }
        (Stage::PruneOffer(..), Some(Action::Prune)) => {
            let Some((plan, handles)) = popup.prunes.take() else {
                return Vec::new();
            };
            let command = Command::Apply {
                generation: popup.generation,
                plan: plan.clone(),
                handles,
                revert: None,
                synced: popup.synced.clone(),
                guard: None,
            };
            popup.total = plan.writes();
            popup.stage = Stage::Applying(plan, Vec::new());
            vec![command]
        }
        (Stage::Planning, Some(Action::Quit)) | (_, _) => {
            state.popup.current = None;
            Vec::new()
        }
    }
}

/// Messages of the popup's flow (plan, progress, results), for the popup they belong to.
pub fn on_msg(state: &mut AppState, msg: Msg) -> Vec<Command> {
    match msg {
        Msg::Plan { generation, result } => {
            if let Some(p) = state
                .popup
                .current
                .as_mut()
                .filter(|p| p.generation == generation)
            {
                p.stage = match result {
                    Ok(prepared) => {
                        let prepared = *prepared;
                        p.synced = Some(prepared.synced());
                        p.guard = prepared.guard.clone();
                        p.short = Some(prepared.short);
                        let (apply, prunes) = sync::split_prunes(prepared.plan);
                        p.prunes = prunes.map(|plan| (Box::new(plan), prepared.handles.clone()));
                        Stage::Plan(Box::new(apply), prepared.handles)
                    }
                    Err(e) => Stage::Refused(e),
                };
            }
        }
        Msg::Sync { generation, event } => {
            if let Some(p) = state
                .popup
                .current
                .as_mut()
                .filter(|p| p.generation == generation)
            {
                match event {
                    Event::Planning { objects } => p.total = objects,
                    Event::AgainstHead(changes) => p.against_head = Some(changes),
                    Event::Applied(result) => {
                        if let Stage::Applying(_, results) = &mut p.stage {
                            results.push(result);
                        }
                    }
                }
            }
        }
        Msg::SyncDone {
            generation,
            outcome,
        } => return sync_done(state, generation, outcome),
        _ => {}
    }
    state.rebuild();
    Vec::new()
}

fn sync_done(state: &mut AppState, generation: u64, outcome: Outcome) -> Vec<Command> {
    let Some(p) = state
        .popup
        .current
        .as_mut()
        .filter(|p| p.generation == generation)
    else {
        return Vec::new();
    };
    let Stage::Applying(plan, _) = &p.stage else {
        return Vec::new();
    };
    let summary = sync::summary(plan, &outcome);
    if let Some(done) = &outcome.controller {
        p.notes.push(done.clone());
    }
    match &outcome.revert {
        Some(Ok(text)) => p.notes.push(text.clone()),
        Some(Err(why)) => p.notes.push(why.clone()),
        None => {}
    }
    let complete = outcome.complete();
    let left_alone = plan.count(PlanAction::Conflict) + plan.count(PlanAction::Error);
    let at_commit = crate::ops::record::at_commit(&outcome, left_alone);
    let results = outcome.sync.results;
    p.stage = match outcome.refused {
        Some(why) => Stage::Refused(why),
        None if p.prunes.is_some() && complete => Stage::PruneOffer(results, summary.text),
        None => {
            let mut text = summary.text;
            if p.prunes.take().is_some() {
                text.push_str("\nPrune not offered: some applies failed.");
            }
            Stage::Done(results, text)
        }
    };
    // Only a rollback that applied completely, nothing left alone, puts the cluster at
    // its commit (and a rollback to HEAD is no longer "not HEAD").
    match (&p.kind, at_commit) {
        (PopupKind::Rollback { commit }, true) => {
            let short = crate::model::applyset::short(commit);
            state.data.cluster_at = (short != state.data.head).then_some(short);
        }
        (PopupKind::Sync { only: None }, true) => state.data.cluster_at = None,
        _ => {}
    }
    // The record moved with it: the history's live badge follows.
    if at_commit && !matches!(p.kind, PopupKind::Sync { only: Some(_) }) {
        state.data.live_commit = p.synced.as_ref().map(|s| s.commit.clone());
    }
    state.rebuild();
    // The cluster changed: which commits it matches is asked again.
    state.history.matches.clear();
    // Those holding HEAD's objects follow HEAD's new verdict on their own.
    let commits: Vec<String> = state
        .history
        .entries
        .iter()
        .take(20)
        .filter(|e| !state.history.as_head.contains(&e.commit.id))
        .map(|e| e.commit.id.clone())
        .collect();
    vec![Command::Refresh, Command::MatchCommits { commits }]
}
