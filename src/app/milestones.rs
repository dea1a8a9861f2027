//! The TUI's milestones, logged at debug under `kdrift::frames` for `benches/tui_scale.sh`:
//! the first frame, the tree with every object, every verdict in (with counts), all timed
//! from the process's start, and each key press's time from its arrival to the frame that
//! shows it.

use std::collections::BTreeMap;
use std::time::Instant;

use super::state::AppState;

pub const TARGET: &str = "kdrift::frames";

#[derive(Default)]
pub struct Milestones {
    tree: bool,
    verdicts: bool,
    /// Key presses handled since the last frame, by arrival.
    keys: Vec<Instant>,
}

/// Milliseconds since the process started, as every milestone is timed.
pub fn ms() -> f64 {
    crate::logging::since_start().as_secs_f64() * 1000.0
}

/// The first frame was drawn (logged once, whichever draws it: the skeleton or the loop).
pub fn first_frame() {
    static DRAWN: std::sync::Once = std::sync::Once::new();
    DRAWN.call_once(|| {
        tracing::debug!(target: TARGET, ms = ms(), "first frame");
    });
}

impl Milestones {
    /// A key press that arrived at `at` was handled; the next frame answers it.
    pub fn key(&mut self, at: Instant) {
        self.keys.push(at);
    }

    /// A frame of `state` was drawn.
    pub fn drawn(&mut self, state: &AppState) {
        if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
            self.keys.clear();
            return;
        }
        first_frame();
        for at in self.keys.drain(..) {
            tracing::debug!(target: TARGET, us = at.elapsed().as_micros() as u64, "key to frame");
        }
        let Some(report) = state.data.drift.as_ref() else {
            return;
        };
        if !self.tree {
            self.tree = true;
            tracing::debug!(target: TARGET, ms = ms(), objects = report.objects.len(), rows = state.tree.rows.len(), "tree with every object");
        }
        if !self.verdicts && report.pending == 0 {
            self.verdicts = true;
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for o in &report.objects {
                *counts.entry(o.status.label()).or_default() += 1;
            }
            let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{s} {n}")).collect();
            tracing::debug!(target: TARGET, ms = ms(), counts = %counts.join(", "), "every verdict");
        }
    }
}
