//! `update` tested by pane; the helpers here drive it as keys and workers would.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::fixtures;
use crate::app::state::Lens;

fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(state: &mut AppState, code: KeyCode) -> Vec<Command> {
    update(state, key(code))
        .into_iter()
        .filter(|c| !matches!(c, Command::Highlight { .. }))
        .collect()
}

/// The tree row of the app object named `name`.
fn object_id(s: &AppState, name: &str) -> NodeId {
    s.tree
        .rows
        .iter()
        .find(|r| matches!(&r.id, NodeId::Object(k) if k.name == name))
        .map(|r| r.id.clone())
        .unwrap_or_else(|| panic!("no row for {name}"))
}

fn select(s: &mut AppState, id: &NodeId) {
    s.tree.selected = s.tree.rows.iter().position(|r| &r.id == id).expect("row");
}

fn lines(generation: u64, source: &str, texts: &[&str]) -> Input {
    Input::Msg(Msg::Logs {
        generation,
        event: crate::cluster::logs::LogEvent::Lines {
            source: source.into(),
            lines: texts.iter().map(|t| (None, t.to_string())).collect(),
        },
    })
}

/// The apply worker's end: everything applied.
fn sync_done(s: &mut AppState, generation: u64) {
    sync_done_with(s, generation, Default::default());
}

fn sync_done_with(s: &mut AppState, generation: u64, outcome: crate::ops::sync::Outcome) {
    update(
        s,
        Input::Msg(Msg::SyncDone {
            generation,
            outcome,
        }),
    );
}

/// The plan worker's answer.
fn planned(s: &mut AppState, generation: u64, plan: crate::model::plan::Plan) {
    let prepared = crate::ops::sync::Prepared {
        mode: crate::ops::sync::Mode::Sync,
        commit: "abc1234def5678".into(),
        short: "abc1234".into(),
        desired: Default::default(),
        plan,
        handles: Default::default(),
        against_head: None,
        whole: true,
        guard: None,
    };
    update(
        s,
        Input::Msg(Msg::Plan {
            generation,
            result: Ok(Box::new(prepared)),
        }),
    );
}

fn prune_item(name: &str) -> crate::model::plan::PlanItem {
    crate::model::plan::PlanItem {
        key: crate::model::object::ObjectKey {
            group: String::new(),
            kind: "ConfigMap".into(),
            namespace: Some("shop".into()),
            name: name.into(),
        },
        action: crate::model::plan::Action::Prune,
        force: false,
        note: "tracked for this app, not in Git".into(),
        preview: None,
        conflicts: Vec::new(),
        drift_remains: false,
        migration: None,
        repair: None,
        after_crd: false,
    }
}

/// A rollback to the second commit, its popup waiting for the fixture's plan.
fn rollback_of_commit_1() -> (AppState, u64, crate::model::plan::Plan) {
    let mut s = fixtures::state();
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    press(&mut s, KeyCode::Char('r'));
    let generation = s.popup.generation;
    let plan = crate::model::plan::build(
        &fixtures::drift().objects,
        &crate::model::plan::PlanOptions {
            desired_count: 4,
            ..Default::default()
        },
    );
    (s, generation, plan)
}

mod flows;
mod history;
mod logs;
mod navigation;
