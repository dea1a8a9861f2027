//! The history pane and the commit it picks as the Git side.

use super::*;

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
        std::sync::Arc::make_mut(o).status = SyncStatus::Missing;
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
    // The newest commit holds HEAD's objects: HEAD's own verdict answers for it.
    assert!(
        matches!(cmds.as_slice(), [Command::MatchCommits { commits }] if *commits == ids[1..]),
        "{cmds:?}"
    );
    let head = s.data.drift.as_ref().expect("fixture drift");
    assert_eq!(s.commit_matches(&ids[0]), Some(head.in_sync()));
    update(
        &mut s,
        Input::Msg(Msg::CommitMatch {
            commit: ids[1].clone(),
            matches: true,
        }),
    );
    assert_eq!(s.history.matches.get(&ids[1]), Some(&true));

    // A newest commit that changed no object: the one before it holds HEAD's objects too.
    let mut s = fixtures::state();
    s.history.entries.clear();
    let mut entries = fixtures::history();
    entries[0].changes = Some(Default::default());
    let cmds = update(
        &mut s,
        Input::Msg(Msg::History {
            result: Ok(entries),
            done: true,
        }),
    );
    assert!(
        matches!(cmds.as_slice(), [Command::MatchCommits { commits }] if *commits == ids[2..]),
        "{cmds:?}"
    );
    assert!(s.history.as_head.contains(&ids[1]));
}

#[test]
fn a_marked_commit_is_compared_with_the_picked_one_and_e_exports_the_comparison() {
    use crate::model::review::{AppReview, ObjectChange};
    let mut s = fixtures::state();
    s.mode.focus = Pane::History;
    s.history.selected = 2;
    let marked = s.history.entries[2].commit.id.clone();
    let cmds = press(&mut s, KeyCode::Char('m'));
    assert!(
        matches!(cmds.as_slice(), [Command::Compare { base, head, .. }] if *base == marked && head == "HEAD"),
        "marked against HEAD first: {cmds:?}"
    );
    let generation = s.history.review_gen;
    let key = fixtures::drift().objects[0].key.clone();
    let diff = crate::model::diff::unified(
        "a",
        "k: one\n",
        "b",
        "k: two\n",
        std::time::Duration::from_secs(1),
    );
    let review = AppReview {
        path: "app".into(),
        changed: vec![ObjectChange {
            key: key.clone(),
            source: "app/x.yaml".into(),
            diff,
        }],
        ..Default::default()
    };
    // A stale comparison is dropped.
    update(
        &mut s,
        Input::Msg(Msg::Compared {
            generation: generation - 1,
            result: Ok(Box::default()),
        }),
    );
    assert!(s.history.review.is_none());
    update(
        &mut s,
        Input::Msg(Msg::Compared {
            generation,
            result: Ok(Box::new(review)),
        }),
    );
    s.mode.focus = Pane::Tree;
    let row = s
        .tree
        .rows
        .iter()
        .position(|r| r.id == crate::app::tree::NodeId::Object(key.clone()));
    s.tree.selected = row.expect("the object's row");
    let text = crate::app::view::diff_text(&s);
    assert!(
        text.starts_with(&format!("# marked {} → Git @ HEAD", &marked[..7])),
        "{text}"
    );
    assert!(text.contains("+k: two"), "{text}");
    let cmds = press(&mut s, KeyCode::Char('e'));
    match cmds.as_slice() {
        [Command::Export { what, markdown }] => {
            assert_eq!(what, "review");
            assert!(
                markdown.contains("| <code>app</code> | 0 | 1 |"),
                "{markdown}"
            );
        }
        other => panic!("{other:?}"),
    }
    // Picking another commit compares the marked one with it.
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    let picked = s.history.entries[1].commit.id.clone();
    let cmds = press(&mut s, KeyCode::Enter);
    assert!(
        cmds.iter().any(|c| matches!(c, Command::Compare { base, head, generation: g } if *base == marked && *head == picked && *g == s.history.review_gen)),
        "{cmds:?}"
    );
    // Marking it again unmarks: the diff pane is Git versus live only.
    s.history.selected = 2;
    assert!(press(&mut s, KeyCode::Char('m')).is_empty());
    assert!(s.history.marked.is_none() && s.history.review.is_none());
}

#[test]
fn a_big_app_shows_how_many_objects_are_judged_while_it_loads() {
    let mut s = fixtures::state();
    s.data.drift = None;
    update(
        &mut s,
        Input::Msg(Msg::DriftProgress {
            judged: 150,
            total: 10_000,
        }),
    );
    let app_row = s
        .tree
        .rows
        .iter()
        .find(|r| r.id == crate::app::tree::NodeId::App)
        .expect("the app row");
    assert_eq!(
        app_row.badges,
        [crate::app::tree::Badge::Muted(
            "loading… 150 of 10000 objects judged".into()
        )]
    );
}
