//! Key-to-frame time of the TUI with 10,000 objects and 10,000 commits: `update()` plus a
//! full draw on a 120x40 TestBackend, per key press; median and p99.
//!
//! `cargo bench --bench tui_frames`; without `--bench` (as `cargo test --all-targets` runs
//! it) it checks itself on 200 objects and commits.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kdrift::app::fixtures;
use kdrift::app::update::{Input, Msg, update};
use kdrift::cluster::drift::DriftReport;
use kdrift::config::theme::{BUILT_IN, Theme};
use kdrift::model::drift::{ObjectReport, SyncStatus};
use kdrift::model::object::ObjectKey;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn big_drift(n: usize) -> DriftReport {
    let statuses = [
        SyncStatus::Synced,
        SyncStatus::Synced,
        SyncStatus::Synced,
        SyncStatus::OutOfSync,
        SyncStatus::Missing,
    ];
    let objects = (0..n)
        .map(|i| ObjectReport {
            status: statuses[i % statuses.len()],
            ..ObjectReport::unknown(
                ObjectKey {
                    group: if i % 2 == 0 {
                        "apps".into()
                    } else {
                        String::new()
                    },
                    kind: if i % 2 == 0 {
                        "Deployment".into()
                    } else {
                        "ConfigMap".into()
                    },
                    namespace: Some(format!("team-{}", i % 20)),
                    name: format!("object-{i:05}"),
                },
                None,
                "fixture",
            )
        })
        .map(std::sync::Arc::new)
        .collect();
    DriftReport {
        app: "bench".into(),
        objects,
        handles: Default::default(),
        load_errors: Vec::new(),
        live_secret_values: Vec::new(),
        pending: 0,
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, presses) = if full { (10_000, 1_000) } else { (200, 50) };
    let theme = Theme::parse("dark", BUILT_IN[0].1, &mut Vec::new());
    let mut state = fixtures::state();
    let template = fixtures::history();
    state.history.entries = (0..n)
        .map(|i| {
            let mut e = template[i % template.len()].clone();
            e.commit.subject = format!("commit {i}");
            e
        })
        .collect();
    update(
        &mut state,
        Input::Msg(Msg::Drift {
            generation: 0,
            commit: None,
            result: Ok(big_drift(n)),
        }),
    );
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    terminal
        .draw(|f| kdrift::ui::draw(f, &state, &theme))
        .expect("draw");
    let keys = [
        KeyCode::Char('j'),
        KeyCode::Char('j'),
        KeyCode::Char('n'),
        KeyCode::Char('d'),
        KeyCode::PageDown,
        KeyCode::Tab,
        KeyCode::Char('j'),
        KeyCode::Tab,
        KeyCode::Tab,
    ];
    let mut samples: Vec<Duration> = (0..presses)
        .map(|i| {
            let key = KeyEvent::new(keys[i % keys.len()], KeyModifiers::NONE);
            let start = Instant::now();
            update(&mut state, Input::Key(key));
            terminal
                .draw(|f| kdrift::ui::draw(f, &state, &theme))
                .expect("draw");
            start.elapsed()
        })
        .collect();
    samples.sort();
    let median = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    assert!(state.tree.rows.len() > n, "every object has a row");
    println!(
        "key-to-frame with {n} objects and {n} commits ({} rows), {presses} key presses: median {:.2} ms, p99 {:.2} ms",
        state.tree.rows.len(),
        median.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    );
}
