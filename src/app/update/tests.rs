use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::fixtures;

fn key(code: KeyCode) -> Input {
    Input::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(state: &mut AppState, code: KeyCode) -> Vec<Command> {
    update(state, key(code))
        .into_iter()
        .filter(|c| !matches!(c, Command::Highlight { .. }))
        .collect()
}

#[test]
fn navigation_moves_and_clamps_and_collapses() {
    let mut s = fixtures::state();
    assert_eq!(s.tree_selected, 0);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.tree_selected, 2);
    press(&mut s, KeyCode::Up);
    assert_eq!(s.tree_selected, 1);
    for _ in 0..500 {
        press(&mut s, KeyCode::Char('j'));
    }
    assert_eq!(s.tree_selected, s.rows.len() - 1);
    // Collapse the control plane: its components disappear from the rows.
    s.tree_selected = s
        .rows
        .iter()
        .position(|r| r.id == NodeId::ControlPlane)
        .expect("cp");
    let before = s.rows.len();
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.rows.len(), before - 4);
    assert_eq!(
        s.rows[s.tree_selected].id,
        NodeId::ControlPlane,
        "selection stays on the node"
    );
    press(&mut s, KeyCode::Char('l'));
    assert_eq!(s.rows.len(), before);
}

#[test]
fn filter_narrows_the_app_objects() {
    let mut s = fixtures::state();
    let objects = |s: &AppState| {
        s.rows
            .iter()
            .filter(|r| matches!(r.id, NodeId::Object(_)))
            .count()
    };
    let all = objects(&s);
    assert!(all >= 3);
    press(&mut s, KeyCode::Char('/'));
    assert!(s.filter_editing);
    for c in "front".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(s.filter, "front");
    assert_eq!(objects(&s), 1);
    press(&mut s, KeyCode::Enter);
    assert!(!s.filter_editing);
    assert_eq!(objects(&s), 1, "the filter stays after enter");
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Esc);
    assert_eq!(objects(&s), all, "esc clears it");
}

#[test]
fn next_out_of_sync_and_lens_toggle() {
    let mut s = fixtures::state();
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(
        s.selected_object().map(|k| k.name.as_str()),
        Some("settings"),
        "Missing comes first (ConfigMap)"
    );
    press(&mut s, KeyCode::Char('n'));
    let key = s.selected_object().cloned().expect("an object");
    assert_eq!(key.name, "frontend");
    assert!(crate::app::view::diff_text(&s).contains("lens: apply preview"));
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(s.lens, Lens::Drift);
    let text = crate::app::view::diff_text(&s);
    assert!(text.contains("@@ set by kubectl-label"), "{text}");
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(s.lens, Lens::Preview);
}

#[test]
fn panes_cycle_history_loads_and_commits_select() {
    let mut s = fixtures::state();
    s.history.clear();
    s.history_done = false;
    assert!(matches!(
        press(&mut s, KeyCode::Tab).as_slice(),
        [Command::LoadHistory]
    ));
    assert_eq!(s.focus, Pane::History);
    update(
        &mut s,
        Input::Msg(Msg::History {
            result: Ok(fixtures::history()),
            done: true,
        }),
    );
    assert_eq!(s.history.len(), 3);
    press(&mut s, KeyCode::Char('j'));
    let cmds = press(&mut s, KeyCode::Enter);
    let id = s.history[1].commit.id.clone();
    assert!(
        matches!(cmds.as_slice(), [Command::DriftAt { generation, commit }] if *generation == s.commit_gen && *commit == id),
        "{cmds:?}"
    );
    assert_eq!(s.selected_commit.as_deref(), Some(id.as_str()));
    // A stale result (older generation) is dropped; the current one lands.
    let stale = Msg::Drift {
        generation: s.commit_gen - 1,
        commit: Some(id.clone()),
        result: Ok(fixtures::drift()),
    };
    update(&mut s, Input::Msg(stale));
    assert!(s.commit_drift.is_none());
    let fresh = Msg::Drift {
        generation: s.commit_gen,
        commit: Some(id),
        result: Ok(fixtures::drift()),
    };
    update(&mut s, Input::Msg(fresh));
    assert!(s.commit_drift.is_some());
    press(&mut s, KeyCode::BackTab);
    assert_eq!(s.focus, Pane::Tree);
}

#[test]
fn help_and_quit() {
    let mut s = fixtures::state();
    press(&mut s, KeyCode::Char('?'));
    assert!(s.help);
    press(&mut s, KeyCode::Char('x'));
    assert!(!s.help);
    press(&mut s, KeyCode::Char('q'));
    assert!(s.quit);
}

#[test]
fn sync_flow_plans_confirms_applies_and_read_only_refuses() {
    use crate::app::state::{PopupKind, Stage};
    let mut s = fixtures::state();
    let cmds = press(&mut s, KeyCode::Char('S'));
    let generation = s.popup_gen;
    assert!(
        matches!(
            cmds.as_slice(),
            [Command::Plan {
                kind: PopupKind::Sync { only: None },
                ..
            }]
        ),
        "{cmds:?}"
    );
    let plan = crate::model::plan::build(
        &fixtures::drift().objects,
        &crate::model::plan::PlanOptions {
            desired_count: 4,
            ..Default::default()
        },
    );
    let writes = plan.writes();
    assert!(writes > 0);
    update(
        &mut s,
        Input::Msg(Msg::Plan {
            generation,
            result: Ok((plan, Default::default())),
        }),
    );
    assert!(matches!(
        s.popup.as_ref().map(|p| &p.stage),
        Some(Stage::Plan(..))
    ));
    let cmds = press(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(cmds.as_slice(), [Command::Apply { .. }]),
        "{cmds:?}"
    );
    update(
        &mut s,
        Input::Msg(Msg::SyncDone {
            generation,
            refused: None,
        }),
    );
    assert!(matches!(
        s.popup.as_ref().map(|p| &p.stage),
        Some(Stage::Done(..))
    ));
    press(&mut s, KeyCode::Char('x'));
    assert!(s.popup.is_none(), "any key closes the result");

    // Read-only: the gateway refuses before any plan is asked for.
    s.readonly = true;
    let cmds = press(&mut s, KeyCode::Char('S'));
    assert!(cmds.is_empty());
    match s.popup.as_ref().map(|p| &p.stage) {
        Some(Stage::Refused(why)) => {
            assert!(why.contains("read-only mode: refusing to sync"), "{why}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn rollback_starts_from_the_history_pane() {
    use crate::app::state::PopupKind;
    let mut s = fixtures::state();
    assert!(
        press(&mut s, KeyCode::Char('r')).is_empty(),
        "r does nothing in the tree"
    );
    s.focus = Pane::History;
    s.history_selected = 2;
    let cmds = press(&mut s, KeyCode::Char('r'));
    let id = s.history[2].commit.id.clone();
    assert!(
        matches!(cmds.as_slice(), [Command::Plan { kind: PopupKind::Rollback { commit }, .. }] if *commit == id),
        "{cmds:?}"
    );
}
