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

#[test]
fn navigation_moves_and_clamps_and_collapses() {
    let mut s = fixtures::state();
    assert_eq!(s.tree.selected, 0);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Down);
    assert_eq!(s.tree.selected, 2);
    press(&mut s, KeyCode::Up);
    assert_eq!(s.tree.selected, 1);
    for _ in 0..500 {
        press(&mut s, KeyCode::Char('j'));
    }
    assert_eq!(s.tree.selected, s.tree.rows.len() - 1);
    // Collapse the control plane: its components disappear from the rows.
    s.tree.selected = s
        .tree
        .rows
        .iter()
        .position(|r| r.id == NodeId::ControlPlane)
        .expect("cp");
    let before = s.tree.rows.len();
    press(&mut s, KeyCode::Enter);
    assert_eq!(s.tree.rows.len(), before - 4);
    assert_eq!(
        s.tree.rows[s.tree.selected].id,
        NodeId::ControlPlane,
        "selection stays on the node"
    );
    press(&mut s, KeyCode::Right);
    assert_eq!(s.tree.rows.len(), before);
}

#[test]
fn filter_narrows_the_app_objects() {
    let mut s = fixtures::state();
    let objects = |s: &AppState| {
        s.tree
            .rows
            .iter()
            .filter(|r| matches!(r.id, NodeId::Object(_)))
            .count()
    };
    let all = objects(&s);
    assert!(all >= 3);
    press(&mut s, KeyCode::Char('/'));
    assert!(s.tree.filter_editing);
    for c in "front".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(s.tree.filter, "front");
    assert_eq!(objects(&s), 1);
    press(&mut s, KeyCode::Enter);
    assert!(!s.tree.filter_editing);
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
    assert_eq!(s.diff.lens, Lens::Drift);
    let text = crate::app::view::diff_text(&s);
    assert!(text.contains("@@ set by kubectl-label"), "{text}");
    press(&mut s, KeyCode::Char('d'));
    assert_eq!(s.diff.lens, Lens::Preview);
}

#[test]
fn panes_cycle_history_loads_and_commits_select() {
    let mut s = fixtures::state();
    s.history.entries.clear();
    s.history.done = false;
    assert!(matches!(
        press(&mut s, KeyCode::Tab).as_slice(),
        [Command::LoadHistory]
    ));
    assert_eq!(s.mode.focus, Pane::History);
    update(
        &mut s,
        Input::Msg(Msg::History {
            result: Ok(fixtures::history()),
            done: true,
        }),
    );
    assert_eq!(s.history.entries.len(), 3);
    press(&mut s, KeyCode::Char('j'));
    let cmds = press(&mut s, KeyCode::Enter);
    let id = s.history.entries[1].commit.id.clone();
    assert!(
        matches!(cmds.as_slice(), [Command::DriftAt { generation, commit }] if *generation == s.history.commit_gen && *commit == id),
        "{cmds:?}"
    );
    assert_eq!(s.history.selected_commit.as_deref(), Some(id.as_str()));
    // A stale result (older generation) is dropped; the current one lands.
    let stale = Msg::Drift {
        generation: s.history.commit_gen - 1,
        commit: Some(id.clone()),
        result: Ok(fixtures::drift()),
    };
    update(&mut s, Input::Msg(stale));
    assert!(s.history.commit_drift.is_none());
    let fresh = Msg::Drift {
        generation: s.history.commit_gen,
        commit: Some(id),
        result: Ok(fixtures::drift()),
    };
    update(&mut s, Input::Msg(fresh));
    assert!(s.history.commit_drift.is_some());
    press(&mut s, KeyCode::BackTab);
    assert_eq!(s.mode.focus, Pane::Tree);
}

#[test]
fn help_and_quit() {
    let mut s = fixtures::state();
    press(&mut s, KeyCode::Char('?'));
    assert!(s.mode.help);
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('j'));
    press(&mut s, KeyCode::Char('k'));
    assert!(s.mode.help, "up and down scroll help");
    assert_eq!(s.mode.help_scroll, 1);
    press(&mut s, KeyCode::Char('x'));
    assert!(!s.mode.help);
    assert_eq!(s.mode.help_scroll, 0);
    press(&mut s, KeyCode::Char('q'));
    assert!(s.mode.quit);
}

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

#[test]
fn logs_open_on_workloads_and_kube_proxy_and_explain_elsewhere() {
    use crate::cluster::logs::LogTarget;
    let mut s = fixtures::state();
    let worker = object_id(&s, "worker");
    select(&mut s, &worker);
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if matches!(&request.target, LogTarget::Workload(k) if k.name == "worker")),
        "{cmds:?}"
    );
    assert_eq!(
        press(&mut s, KeyCode::Esc).len(),
        1,
        "esc stops the session"
    );
    assert!(s.logs.view.is_none());

    let proxy = s
        .tree
        .rows
        .iter()
        .find(|r| matches!(r.id, NodeId::KubeProxy(_)))
        .expect("kube-proxy row")
        .id
        .clone();
    select(&mut s, &proxy);
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if matches!(&request.target, LogTarget::Pod { namespace, name }
                if namespace == "kube-system" && name.starts_with("kube-proxy-"))),
        "{cmds:?}"
    );
    press(&mut s, KeyCode::Esc);

    let settings = object_id(&s, "settings");
    select(&mut s, &settings);
    assert!(press(&mut s, KeyCode::Char('l')).is_empty());
    assert!(s.logs.view.is_none());
    assert!(
        s.mode
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("ConfigMap has no logs")),
        "{:?}",
        s.mode.notice
    );
    // Logs-only keys do nothing outside the pane.
    assert!(press(&mut s, KeyCode::Char('o')).is_empty());
}

#[test]
fn logs_follow_pause_search_container_switch_and_pager() {
    use crate::cluster::logs::{ContainerChoice, LogEvent, PodLogs};
    let mut s = fixtures::state();
    s.mode.layout.logs_lines = 5;
    s.logs.buffer_lines = 50;
    let worker = object_id(&s, "worker");
    select(&mut s, &worker);
    press(&mut s, KeyCode::Char('l'));
    let generation = s.logs.view.as_ref().expect("pane").generation;
    update(
        &mut s,
        Input::Msg(Msg::Logs {
            generation,
            event: LogEvent::Pods(vec![PodLogs {
                namespace: "shop".into(),
                name: "worker-1".into(),
                containers: vec!["app".into(), "sidecar".into()],
                default_container: "app".into(),
            }]),
        }),
    );
    let texts: Vec<String> = (0..80).map(|i| format!("line {i}")).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    update(&mut s, lines(generation, "worker-1/app", &refs));
    let view = s.logs.view.as_ref().expect("pane");
    assert_eq!(view.buffer.len(), 50, "bounded by log_buffer_lines");
    assert!(view.follow, "follow is on by default");
    assert!(view.summary().contains("30 dropped"), "{}", view.summary());

    // Scrolling back pauses; the anchored line stays while lines arrive.
    press(&mut s, KeyCode::Up);
    let top = s.logs.view.as_ref().expect("pane").top;
    assert!(!s.logs.view.as_ref().expect("pane").follow);
    update(&mut s, lines(generation, "worker-1/app", &["more"]));
    assert_eq!(s.logs.view.as_ref().expect("pane").top, top);
    press(&mut s, KeyCode::Char(' '));
    assert!(s.logs.view.as_ref().expect("pane").follow, "space resumes");

    // Search jumps to the first match and pauses there.
    press(&mut s, KeyCode::Char('/'));
    for c in "LINE 42".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    let view = s.logs.view.as_ref().expect("pane");
    assert!(!view.follow);
    assert_eq!(
        view.buffer.get(view.top).map(|l| l.text.as_str()),
        Some("line 42")
    );

    // `o` hands the buffer to the pager.
    let cmds = press(&mut s, KeyCode::Char('o'));
    assert!(
        matches!(cmds.as_slice(), [Command::Pager { text }] if text.contains("[worker-1/app] line 79\n[worker-1/app] more\n")),
        "{cmds:?}"
    );

    // A container switch restarts with a new generation; the old one's lines are dropped.
    let cmds = press(&mut s, KeyCode::Char('c'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if request.container == ContainerChoice::Named("app".into())),
        "{cmds:?}"
    );
    update(&mut s, lines(generation, "worker-1/app", &["stale"]));
    assert!(s.logs.view.as_ref().expect("pane").buffer.is_empty());
    let cmds = press(&mut s, KeyCode::Char('p'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }] if request.previous),
        "{cmds:?}"
    );
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
    }
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

#[test]
fn workloads_fold_their_pods_and_l_on_a_pod_opens_its_logs() {
    use crate::cluster::logs::LogTarget;
    use crate::model::health::pod::PodFacts;
    let mut s = fixtures::state();
    let pod = |name: &str, phase: &str| PodFacts {
        namespace: "shop".into(),
        name: name.into(),
        phase: phase.into(),
        ready: usize::from(phase == "Running"),
        containers: 1,
        restarts: 0,
        node: Some("node-1".into()),
        reason: None,
        owner: Some(("ReplicaSet".into(), "worker-5d8".into())),
        terminating: false,
    };
    update(
        &mut s,
        Input::Msg(Msg::Pods(Ok(crate::app::state::AppPods::from([(
            ("Deployment".into(), "shop".into(), "worker".into()),
            vec![
                pod("worker-5d8-a", "Running"),
                pod("worker-5d8-b", "Pending"),
            ],
        )])))),
    );
    let pod_rows = |s: &AppState| {
        s.tree
            .rows
            .iter()
            .filter(|r| matches!(r.id, NodeId::Pod(..)))
            .count()
    };
    let worker = s
        .tree
        .rows
        .iter()
        .find(|r| matches!(&r.id, NodeId::Object(k) if k.name == "worker"))
        .expect("worker row")
        .clone();
    assert_eq!(worker.label, "worker (2 pods)");
    assert_eq!(worker.expanded, Some(false), "pods start folded");
    assert_eq!(pod_rows(&s), 0);
    select(&mut s, &worker.id);
    press(&mut s, KeyCode::Enter);
    assert_eq!(pod_rows(&s), 2);
    press(&mut s, KeyCode::Down);
    let text = crate::app::view::diff_text(&s);
    assert!(text.contains("# pod shop/worker-5d8-a: Healthy"), "{text}");
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if request.target == LogTarget::Pod { namespace: "shop".into(), name: "worker-5d8-a".into() }),
        "{cmds:?}"
    );
    press(&mut s, KeyCode::Esc);
    select(&mut s, &worker.id);
    press(&mut s, KeyCode::Left);
    assert_eq!(pod_rows(&s), 0, "folded again");
}

#[test]
fn a_picked_commits_failed_drift_shows_in_its_own_pane_not_heads() {
    let mut s = fixtures::state();
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    press(&mut s, KeyCode::Enter);
    let id = s.history.entries[1].commit.id.clone();
    let generation = s.history.commit_gen;
    update(
        &mut s,
        Input::Msg(Msg::Drift {
            generation,
            commit: Some(id),
            result: Err("manifest error in web.yaml".into()),
        }),
    );
    assert_eq!(s.data.drift_error, None, "HEAD's side is untouched");
    assert_eq!(s.active_drift_error(), Some("manifest error in web.yaml"));
    // The tree shows the picked side: its error on the app's row, not "loading…".
    let app_row = s
        .tree
        .rows
        .iter()
        .find(|r| r.id == NodeId::App)
        .expect("the app row");
    assert_eq!(
        app_row.badges,
        [crate::app::tree::Badge::Muted(
            "manifest error in web.yaml".into()
        )]
    );
    // Back to HEAD, the objects and their diffs are HEAD's.
    press(&mut s, KeyCode::Enter);
    s.mode.focus = Pane::Tree;
    let worker = object_id(&s, "worker");
    select(&mut s, &worker);
    let text = crate::app::view::diff_text(&s);
    assert!(!text.contains("cannot be computed"), "{text}");
    assert!(!text.contains("computing…"), "{text}");
}

#[test]
fn a_picked_commit_drives_the_tree_the_counts_and_next() {
    use crate::model::drift::SyncStatus;
    let mut s = fixtures::state();
    let synced_at_head = s
        .data
        .drift
        .as_ref()
        .map(|d| d.count(SyncStatus::Synced))
        .unwrap_or(0);
    s.mode.focus = Pane::History;
    s.history.selected = 2;
    press(&mut s, KeyCode::Enter);
    let id = s.history.entries[2].commit.id.clone();
    // At that commit, every object is missing and one file did not load.
    let mut at_commit = fixtures::drift();
    for o in &mut at_commit.objects {
        o.status = SyncStatus::Missing;
    }
    at_commit.load_errors = vec![crate::model::manifest::LoadError {
        file: "app/web.yaml".into(),
        line: Some(3),
        column: Some(1),
        message: "invalid YAML".into(),
    }];
    let generation = s.history.commit_gen;
    update(
        &mut s,
        Input::Msg(Msg::Drift {
            generation,
            commit: Some(id),
            result: Ok(at_commit.clone()),
        }),
    );
    let badges: Vec<_> = s
        .tree
        .rows
        .iter()
        .filter(|r| matches!(r.id, NodeId::Object(_)))
        .flat_map(|r| r.badges.clone())
        .collect();
    assert!(
        badges.contains(&crate::app::tree::Badge::Sync(SyncStatus::Missing)),
        "{badges:?}"
    );
    assert!(!badges.contains(&crate::app::tree::Badge::Sync(SyncStatus::Synced)));
    assert_eq!(
        s.active_drift().map(|d| d.count(SyncStatus::Missing)),
        Some(at_commit.objects.len())
    );
    assert!(synced_at_head > 0, "HEAD's had synced objects");
    let error_row = s
        .tree
        .rows
        .iter()
        .find(|r| matches!(r.id, NodeId::LoadError(0)))
        .expect("a row for the file that failed");
    assert!(
        error_row.label.contains("app/web.yaml:3:1"),
        "{}",
        error_row.label
    );
    // `n` walks the picked commit's drift: the first object is not Synced there.
    s.mode.focus = Pane::Tree;
    press(&mut s, KeyCode::Char('n'));
    assert!(matches!(
        s.selected_row().map(|r| &r.id),
        Some(NodeId::Object(_))
    ));
    // Back to HEAD: HEAD's badges again.
    s.mode.focus = Pane::History;
    press(&mut s, KeyCode::Enter);
    assert!(s.history.selected_commit.is_none());
    assert!(
        s.tree
            .rows
            .iter()
            .all(|r| !matches!(r.id, NodeId::LoadError(_)))
    );
}

#[test]
fn the_first_commits_are_asked_whether_they_match_the_cluster() {
    let mut s = fixtures::state();
    s.history.entries.clear();
    s.history.done = false;
    let cmds = update(
        &mut s,
        Input::Msg(Msg::History {
            result: Ok(fixtures::history()),
            done: true,
        }),
    );
    let ids: Vec<String> = s
        .history
        .entries
        .iter()
        .map(|e| e.commit.id.clone())
        .collect();
    assert!(
        matches!(cmds.as_slice(), [Command::MatchCommits { commits }] if *commits == ids),
        "{cmds:?}"
    );
    update(
        &mut s,
        Input::Msg(Msg::CommitMatch {
            commit: ids[1].clone(),
            matches: true,
        }),
    );
    assert_eq!(s.history.matches.get(&ids[1]), Some(&true));
}
