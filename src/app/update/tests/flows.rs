//! The sync and rollback popups: plan, confirm, apply, prune, revert commit.

use super::*;

#[test]
fn sync_flow_plans_confirms_applies_and_read_only_refuses() {
    use crate::app::state::{PopupKind, Stage};
    let mut s = fixtures::state();
    let cmds = press(&mut s, KeyCode::Char('S'));
    let generation = s.popup.generation;
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
    planned(&mut s, generation, plan);
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::Plan(..))
    ));
    let cmds = press(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(cmds.as_slice(), [Command::Apply { .. }]),
        "{cmds:?}"
    );
    sync_done(&mut s, generation);
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::Done(..))
    ));
    press(&mut s, KeyCode::Char('x'));
    assert!(s.popup.current.is_none(), "any key closes the result");

    // Read-only: the gateway refuses before any plan is asked for.
    s.data.readonly = true;
    let cmds = press(&mut s, KeyCode::Char('S'));
    assert!(cmds.is_empty());
    match s.popup.current.as_ref().map(|p| &p.stage) {
        Some(Stage::Refused(why)) => {
            assert!(why.contains("read-only mode: refusing to sync"), "{why}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn keys_rbac_certainly_refuses_ask_for_no_plan_and_say_why() {
    use crate::app::state::Stage;
    use crate::model::access::{Access, Verdict};
    let mut s = fixtures::state();
    s.data.access = Access {
        apply: Verdict::Forbidden("jane may not patch any of the app's objects".into()),
        logs: Verdict::Forbidden("jane may not get pods/log in namespace web".into()),
    };
    let cmds = press(&mut s, KeyCode::Char('S'));
    assert!(
        cmds.is_empty(),
        "no dry-run for a certain refusal: {cmds:?}"
    );
    let popup = s.popup.current.as_ref().expect("a popup");
    match &popup.stage {
        Stage::Refused(why) => assert!(why.contains("not allowed: jane may not patch"), "{why}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!popup.confirmable(), "no y is offered");
    press(&mut s, KeyCode::Esc);
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    assert!(press(&mut s, KeyCode::Char('r')).is_empty());
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::Refused(_))
    ));
    press(&mut s, KeyCode::Esc);
    s.mode.focus = Pane::Tree;
    assert!(press(&mut s, KeyCode::Char('l')).is_empty());
    assert!(s.logs.view.is_none());
    assert!(
        s.mode
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("pods/log")),
        "{:?}",
        s.mode.notice
    );
}

#[test]
fn rollback_starts_from_the_history_pane() {
    use crate::app::state::PopupKind;
    let mut s = fixtures::state();
    assert!(
        press(&mut s, KeyCode::Char('r')).is_empty(),
        "r does nothing in the tree"
    );
    s.mode.focus = Pane::History;
    s.history.selected = 2;
    let cmds = press(&mut s, KeyCode::Char('r'));
    let id = s.history.entries[2].commit.id.clone();
    assert!(
        matches!(cmds.as_slice(), [Command::Plan { kind: PopupKind::Rollback { commit }, .. }] if *commit == id),
        "{cmds:?}"
    );
}

#[test]
fn prunes_wait_for_their_own_confirmation_after_the_apply() {
    use crate::app::state::Stage;
    let mut s = fixtures::state();
    press(&mut s, KeyCode::Char('S'));
    let generation = s.popup.generation;
    update(
        &mut s,
        Input::Msg(Msg::Sync {
            generation,
            event: crate::ops::sync::Event::Planning { objects: 4 },
        }),
    );
    assert_eq!(
        s.popup.current.as_ref().map(|p| p.total),
        Some(4),
        "planning progress"
    );
    let mut plan = crate::model::plan::build(
        &fixtures::drift().objects,
        &crate::model::plan::PlanOptions {
            desired_count: 4,
            ..Default::default()
        },
    );
    let writes = plan.writes();
    plan.items.push(prune_item("old-settings"));
    planned(&mut s, generation, plan);
    let cmds = press(&mut s, KeyCode::Char('y'));
    match cmds.as_slice() {
        [Command::Apply { plan, .. }] => {
            assert_eq!(plan.writes(), writes, "the first apply holds no prune");
            assert_eq!(plan.count(crate::model::plan::Action::Prune), 0);
        }
        other => panic!("{other:?}"),
    }
    sync_done(&mut s, generation);
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::PruneOffer(..))
    ));
    let cmds = press(&mut s, KeyCode::Char('P'));
    match cmds.as_slice() {
        [Command::Apply { plan, .. }] => {
            assert_eq!(plan.items.len(), 1);
            assert_eq!(plan.items[0].key.name, "old-settings");
        }
        other => panic!("{other:?}"),
    }
    sync_done(&mut s, generation);
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::Done(..))
    ));

    // Any other key at the offer keeps the objects.
    press(&mut s, KeyCode::Esc);
    press(&mut s, KeyCode::Char('S'));
    let generation = s.popup.generation;
    let plan = crate::model::plan::Plan {
        items: vec![prune_item("old-settings")],
        prune_refused: None,
    };
    planned(&mut s, generation, plan);
    assert!(
        press(&mut s, KeyCode::Char('y')).is_empty(),
        "nothing to apply"
    );
    assert!(matches!(
        s.popup.current.as_ref().map(|p| &p.stage),
        Some(Stage::PruneOffer(..))
    ));
    assert!(press(&mut s, KeyCode::Char('n')).is_empty());
    assert!(s.popup.current.is_none());
}

#[test]
fn rollback_can_ask_for_a_revert_commit() {
    let (mut s, generation, plan) = rollback_of_commit_1();
    planned(&mut s, generation, plan);
    let id = s.history.entries[1].commit.id.clone();
    let worker = fixtures::drift()
        .objects
        .iter()
        .find(|o| o.key.name == "worker")
        .expect("worker")
        .key
        .clone();
    update(
        &mut s,
        Input::Msg(Msg::Sync {
            generation,
            event: crate::ops::sync::Event::AgainstHead(crate::model::desired::ObjectChanges {
                modified: vec![worker.clone()],
                ..Default::default()
            }),
        }),
    );
    let against = s
        .popup
        .current
        .as_ref()
        .and_then(|p| p.against_head.as_ref());
    assert_eq!(against.map(|c| c.modified.clone()), Some(vec![worker]));
    press(&mut s, KeyCode::Char('b'));
    let cmds = press(&mut s, KeyCode::Char('y'));
    assert!(
        matches!(cmds.as_slice(), [Command::Apply { revert: Some(c), .. }] if *c == id),
        "{cmds:?}"
    );
    sync_done_with(
        &mut s,
        generation,
        crate::ops::sync::Outcome {
            revert: Some(Ok("Wrote revert commit abc1234".into())),
            ..Default::default()
        },
    );
    assert_eq!(
        s.popup.current.as_ref().map(|p| p.notes.clone()),
        Some(vec!["Wrote revert commit abc1234".to_string()])
    );
    assert_eq!(s.data.cluster_at.as_deref(), Some(&id[..7]));
}

#[test]
fn a_rollback_that_failed_does_not_claim_the_cluster_is_at_its_commit() {
    let (mut s, generation, plan) = rollback_of_commit_1();
    let failed = crate::cluster::sync::ItemResult {
        key: plan.items[0].key.clone(),
        action: crate::model::plan::Action::Update,
        outcome: Err("forbidden".into()),
    };
    planned(&mut s, generation, plan);
    press(&mut s, KeyCode::Char('y'));
    sync_done_with(
        &mut s,
        generation,
        crate::ops::sync::Outcome {
            sync: crate::cluster::sync::SyncOutcome {
                results: vec![failed],
                prune_skipped: None,
            },
            ..Default::default()
        },
    );
    assert_eq!(
        s.data.cluster_at, None,
        "the rollback did not apply completely"
    );
    match s.popup.current.as_ref().map(|p| &p.stage) {
        Some(crate::app::state::Stage::Done(_, text)) => {
            assert!(text.contains("Failed: "), "{text}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_error_only_plan_offers_no_confirmation_and_says_why() {
    use crate::app::state::Stage;
    let mut s = fixtures::state();
    press(&mut s, KeyCode::Char('S'));
    let generation = s.popup.generation;
    let mut denied = prune_item("forbidden");
    denied.action = crate::model::plan::Action::Error;
    denied.note = "forbidden: cannot patch".into();
    planned(
        &mut s,
        generation,
        crate::model::plan::Plan {
            items: vec![denied],
            prune_refused: None,
        },
    );
    let popup = s.popup.current.as_ref().expect("popup");
    assert!(!popup.confirmable(), "nothing a confirmation could do");
    assert!(press(&mut s, KeyCode::Char('y')).is_empty(), "no apply");
    match s.popup.current.as_ref().map(|p| &p.stage) {
        Some(Stage::Done(_, text)) => {
            assert!(
                text.contains("left alone (0 conflict(s), 1 error(s)"),
                "{text}"
            );
            assert!(!text.contains("already matches"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}
