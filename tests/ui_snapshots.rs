//! Snapshots of every pane, the help popup and the status bar, in each theme, drawn from
//! fixture state with ratatui's TestBackend. The snapshot holds the text and the styles, so
//! a theme's colours are part of it.

use kdrift::app::fixtures;
use kdrift::app::state::{AppState, Lens, Pane};
use kdrift::app::update::{Input, update};
use kdrift::config::theme::{BUILT_IN, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(state: &AppState, theme: &Theme, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal
        .draw(|f| kdrift::ui::draw(f, state, theme))
        .expect("draw");
    format!("{:?}", terminal.backend().buffer())
}

fn theme(name: &str) -> Theme {
    let text = BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .expect("built-in");
    Theme::parse(name, text, &mut Vec::new())
}

/// The fixture with the drifted object selected and its diff highlighted as the worker
/// would.
fn drifted_state(theme: &Theme) -> AppState {
    let mut s = fixtures::state();
    let key = |c| {
        Input::Key(crossterm::event::KeyEvent::new(
            c,
            crossterm::event::KeyModifiers::NONE,
        ))
    };
    update(&mut s, key(crossterm::event::KeyCode::Char('n')));
    update(&mut s, key(crossterm::event::KeyCode::Char('n')));
    kdrift::app::update::refresh_diff(&mut s);
    let text = s.diff.text.clone();
    s.diff.highlighted = Some(kdrift::ui::highlight::highlight(&text, &theme.syntax));
    s
}

#[test]
fn every_pane_in_every_theme() {
    for (name, _) in BUILT_IN {
        let t = theme(name);
        let s = drifted_state(&t);
        insta::assert_snapshot!(format!("screen_{name}"), render(&s, &t, 110, 32));
    }
}

#[test]
fn help_popup_in_every_theme() {
    for (name, _) in BUILT_IN {
        let t = theme(name);
        let mut s = fixtures::state();
        s.mode.help = true;
        insta::assert_snapshot!(format!("help_{name}"), render(&s, &t, 80, 24));
    }
}

#[test]
fn small_terminal_history_focus_and_drift_lens() {
    let t = theme("dark");
    let mut s = drifted_state(&t);
    s.diff.lens = Lens::Drift;
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    kdrift::app::update::refresh_diff(&mut s);
    let text = s.diff.text.clone();
    s.diff.highlighted = Some(kdrift::ui::highlight::highlight(&text, &t.syntax));
    insta::assert_snapshot!("screen_80x24_drift_lens", render(&s, &t, 80, 24));
}

#[test]
fn node_and_component_show_their_health_evidence() {
    let t = theme("dark");
    let mut s = fixtures::state();
    let row = |s: &AppState, id: &kdrift::app::tree::NodeId| {
        s.tree.rows.iter().position(|r| &r.id == id).expect("row")
    };
    s.tree.selected = row(&s, &kdrift::app::tree::NodeId::Node("node-2".into()));
    kdrift::app::update::refresh_diff(&mut s);
    let text = s.diff.text.clone();
    assert!(
        text.contains("heartbeat 90s ago (lease 40s) STALE"),
        "{text}"
    );
    insta::assert_snapshot!("screen_node_evidence", render(&s, &t, 100, 30));
    s.tree.selected = row(
        &s,
        &kdrift::app::tree::NodeId::Component("kube-scheduler".into()),
    );
    assert!(kdrift::app::view::diff_text(&s).contains("leader sched_1"));
}

#[test]
fn logs_pane_with_sources_search_and_escape_sequences_stripped() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use kdrift::app::update::Msg;
    use kdrift::cluster::logs::LogEvent;
    let t = theme("dark");
    let mut s = fixtures::state();
    s.mode.layout = kdrift::ui::layout(ratatui::layout::Rect::new(0, 0, 80, 16));
    s.tree.selected = s
        .tree
        .rows
        .iter()
        .position(|r| matches!(&r.id, kdrift::app::tree::NodeId::Object(k) if k.name == "worker"))
        .expect("worker");
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    update(&mut s, key(KeyCode::Char('l')));
    let generation = s.logs.view.as_ref().expect("pane").generation;
    let lines = |source: &str, texts: &[&str]| {
        Input::Msg(Msg::Logs {
            generation,
            event: LogEvent::Lines {
                source: source.into(),
                lines: texts
                    .iter()
                    .map(|t| (None, kdrift::model::logs::clean(t)))
                    .collect(),
            },
        })
    };
    update(
        &mut s,
        lines(
            "worker-1/app",
            &[
                "starting worker",
                "\u{1b}[31mERROR\u{1b}[0m queue full",
                "ok",
            ],
        ),
    );
    update(
        &mut s,
        lines(
            "worker-2/app",
            &["starting worker", "error: retrying in 5s"],
        ),
    );
    for c in "/error".chars() {
        update(&mut s, key(KeyCode::Char(c)));
    }
    let screen = render(&s, &t, 80, 16);
    assert!(
        screen.contains("[worker-1/app] ERROR queue full"),
        "{screen}"
    );
    assert!(
        !screen.contains("[31m"),
        "escape sequences never reach the screen"
    );
    insta::assert_snapshot!("logs_pane", screen);
}

#[test]
fn rollback_popup_shows_the_plan_against_head_prunes_and_the_revert_option() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use kdrift::app::update::Msg;
    let t = theme("dark");
    let mut s = fixtures::state();
    let key = |c| Input::Key(KeyEvent::new(c, KeyModifiers::NONE));
    s.mode.focus = Pane::History;
    s.history.selected = 1;
    update(&mut s, key(KeyCode::Char('r')));
    let generation = s.popup.generation;
    let report = fixtures::drift();
    let worker = report
        .objects
        .iter()
        .find(|o| o.key.name == "worker")
        .expect("worker")
        .key
        .clone();
    let mut plan = kdrift::model::plan::build(
        &report.objects,
        &kdrift::model::plan::PlanOptions {
            desired_count: 4,
            ..Default::default()
        },
    );
    let mut gone = plan.items[0].clone();
    gone.key.name = "old-settings".into();
    gone.action = kdrift::model::plan::Action::Prune;
    plan.items.push(gone);
    update(
        &mut s,
        Input::Msg(Msg::Sync {
            generation,
            event: kdrift::ops::sync::Event::AgainstHead(kdrift::model::desired::ObjectChanges {
                modified: vec![worker],
                ..Default::default()
            }),
        }),
    );
    let commit = s.history.entries[1].commit.id.clone();
    update(
        &mut s,
        Input::Msg(Msg::Plan {
            generation,
            result: Ok(Box::new(kdrift::ops::sync::Prepared {
                mode: kdrift::ops::sync::Mode::Rollback,
                short: commit[..7].to_string(),
                commit,
                desired: Default::default(),
                plan,
                handles: Default::default(),
                against_head: None,
                whole: true,
                guard: None,
            })),
        }),
    );
    update(&mut s, key(KeyCode::Char('b')));
    let screen = render(&s, &t, 120, 36);
    for part in [
        "[HEAD differs]",
        "[same as HEAD]",
        "prune 1 object(s) tracked for this app but gone from Git",
        "[x] also write a revert commit",
    ] {
        assert!(screen.contains(part), "{part} missing:\n{screen}");
    }
    insta::assert_snapshot!("rollback_popup", screen);
}
