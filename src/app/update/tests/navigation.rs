//! Moving, folding, filtering, the lens, help and quit.

use super::*;

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
fn an_outline_shows_every_object_judging_and_logs_wait_for_the_verdicts() {
    let mut s = fixtures::state();
    let full = s.data.drift.clone().expect("fixture drift");
    let mut outline = full.clone();
    outline.pending = outline.objects.len();
    outline.objects = outline
        .objects
        .iter()
        .map(|o| {
            std::sync::Arc::new(crate::model::drift::ObjectReport::judging(
                o.key.clone(),
                o.source.clone(),
            ))
        })
        .collect();
    outline.handles.clear();
    update(
        &mut s,
        Input::Msg(Msg::Drift {
            generation: 0,
            commit: None,
            result: Ok(outline),
        }),
    );
    let object_rows: Vec<_> = s
        .tree
        .rows
        .iter()
        .filter(|r| matches!(r.id, NodeId::Object(_)))
        .collect();
    assert_eq!(
        object_rows.len(),
        full.objects.len(),
        "every object has its row at once"
    );
    assert!(
        object_rows
            .iter()
            .all(|r| r.badges == vec![crate::app::tree::Badge::Muted("judging…".into())])
    );
    let app = s
        .tree
        .rows
        .iter()
        .find(|r| r.id == NodeId::App)
        .expect("app row");
    assert!(
        matches!(&app.badges[0], crate::app::tree::Badge::Muted(t) if t.contains("judging…")),
        "{:?}",
        app.badges
    );
    let id = object_id(&s, "api");
    select(&mut s, &id);
    press(&mut s, KeyCode::Char('l'));
    assert!(
        s.logs.view.is_none(),
        "no logs before the Secrets to mask are known"
    );
    assert!(
        s.mode
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("once the app is judged"))
    );
    update(
        &mut s,
        Input::Msg(Msg::Drift {
            generation: 0,
            commit: None,
            result: Ok(full),
        }),
    );
    assert!(s.tree.rows.iter().all(|r| {
        !r.badges
            .iter()
            .any(|b| matches!(b, crate::app::tree::Badge::Muted(t) if t.contains("judging")))
    }));
}

#[test]
fn the_tree_window_scrolls_as_little_as_keeps_the_selection_in_view() {
    let mut s = fixtures::state();
    let n = s.tree.rows.len();
    assert!(n > 6, "enough rows to scroll");
    assert_eq!(s.tree.window(4), 0..4);
    s.tree.selected = 5;
    assert_eq!(s.tree.window(4), 2..6, "scrolled down just enough");
    s.tree.selected = 3;
    assert_eq!(s.tree.window(4), 2..6, "still in view: no scroll");
    s.tree.selected = 1;
    assert_eq!(s.tree.window(4), 1..5);
    s.tree.selected = n + 10;
    assert_eq!(
        s.tree.window(4),
        n - 4..n,
        "a stale selection clamps to the last row"
    );
}

#[test]
fn a_health_poll_rebuilds_the_cluster_rows_as_a_full_rebuild_would() {
    let mut s = fixtures::state();
    let id = object_id(&s, "api");
    select(&mut s, &id);
    let mut health = s.data.health.clone().expect("fixture health");
    assert!(health.nodes.len() > 1);
    health.nodes.pop();
    update(&mut s, Input::Msg(Msg::Health(Ok(health))));
    let partial = s.tree.rows.clone();
    assert_eq!(
        s.tree.rows[s.tree.selected].id, id,
        "the selection stays on its object"
    );
    s.rebuild();
    assert_eq!(partial, s.tree.rows, "the same rows as a full rebuild");
    // Unreachable: every component reads Unknown, the app's rows stay.
    update(
        &mut s,
        Input::Msg(Msg::Health(Err("connection refused".into()))),
    );
    let partial = s.tree.rows.clone();
    s.rebuild();
    assert_eq!(partial, s.tree.rows);
}

#[test]
fn a_highlight_or_the_live_state_arriving_rebuilds_no_tree_row() {
    let mut s = fixtures::state();
    let rows = s.tree.rows.len();
    // A row the build would never make: a rebuild would drop it.
    s.tree.rows.push(s.tree.rows[0].clone());
    let (text, generation) = (crate::app::view::diff_text(&s), s.diff.highlight_gen);
    update(
        &mut s,
        Input::Msg(Msg::Highlighted {
            generation,
            highlighted: crate::app::data::Highlighted {
                source: text,
                lines: Vec::new(),
            },
        }),
    );
    assert!(s.diff.highlighted.is_some(), "the highlight is kept");
    update(
        &mut s,
        Input::Msg(Msg::Live(crate::model::drift::LiveState::Live)),
    );
    assert_eq!(s.tree.rows.len(), rows + 1, "no rebuild");
    // A drift report does rebuild them.
    let report = s.data.drift.clone();
    update(
        &mut s,
        Input::Msg(Msg::Drift {
            generation: 0,
            commit: None,
            result: report.ok_or_else(|| "no report".to_string()),
        }),
    );
    assert_eq!(s.tree.rows.len(), rows);
}
