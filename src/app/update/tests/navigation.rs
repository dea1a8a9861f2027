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
