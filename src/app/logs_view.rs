//! The logs pane's data: the buffer, what it shows and the streams' state. A leaf of
//! `app/` (the keys that change it are in `logs.rs`).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cluster::logs::{ContainerChoice, LogRequest, LogTarget, PodLogs};
use crate::model::logs::LogBuffer;

#[derive(Debug, Clone)]
pub struct LogsView {
    pub title: String,
    pub target: LogTarget,
    pub generation: u64,
    pub buffer: LogBuffer,
    pub pods: Vec<PodLogs>,
    pub container: ContainerChoice,
    pub previous: bool,
    /// Stick to the newest line; off while paused or scrolled back.
    pub follow: bool,
    /// The first line shown when not following (a sequence number of the buffer).
    pub top: u64,
    pub wrap: bool,
    pub timestamps: bool,
    pub hscroll: u16,
    pub search: String,
    pub search_editing: bool,
    /// State per stream (`pod/container`), and of the session under "".
    pub status: BTreeMap<String, String>,
    /// The app's Secret values, masked in every line.
    pub redact: Arc<crate::model::secret::Redactor>,
}

impl LogsView {
    /// Whether lines carry their pod/container (several streams).
    pub fn with_source(&self) -> bool {
        matches!(self.target, LogTarget::Workload(_)) || self.container == ContainerChoice::All
    }

    /// A one-line state: following or paused, what is hidden, streams' state.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        parts.push(if self.follow {
            "following".to_string()
        } else {
            let behind = self
                .buffer
                .last_seq()
                .map(|last| last.saturating_sub(self.top))
                .unwrap_or(0);
            format!("paused ({behind} lines below)")
        });
        parts.push(match &self.container {
            ContainerChoice::Default => "default container".into(),
            ContainerChoice::Named(c) => format!("container {c}"),
            ContainerChoice::All => "all containers".into(),
        });
        if self.previous {
            parts.push("previous instance".into());
        }
        parts.push(format!(
            "{}/{} lines",
            self.buffer.len(),
            self.buffer.capacity()
        ));
        if self.buffer.evicted() > 0 {
            parts.push(format!("{} dropped", self.buffer.evicted()));
        }
        // Streams in the same state are counted, not listed: a workload may have many pods.
        let mut states: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (source, text) in &self.status {
            states
                .entry(text.as_str())
                .or_default()
                .push(source.as_str());
        }
        for (text, sources) in states {
            parts.push(match sources.as_slice() {
                [""] => text.to_string(),
                [one] if self.status.len() > 1 => format!("{one}: {text}"),
                [_] => text.to_string(),
                many => format!("{text} ({} streams)", many.len()),
            });
        }
        parts.join(" · ")
    }

    /// The buffer as text, as shown (source, timestamps), for `$PAGER`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in self.buffer.iter() {
            out.push_str(
                &self
                    .buffer
                    .format(line, self.with_source(), self.timestamps),
            );
            out.push('\n');
        }
        out
    }

    pub(super) fn request(&self, tail: usize) -> LogRequest {
        LogRequest {
            target: self.target.clone(),
            container: self.container.clone(),
            previous: self.previous,
            tail: tail as i64,
            redact: self.redact.clone(),
        }
    }

    /// Every container name the pods have, in order of first appearance.
    pub(super) fn container_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for pod in &self.pods {
            for c in &pod.containers {
                if !names.contains(c) {
                    names.push(c.clone());
                }
            }
        }
        names
    }
}

/// The logs pane, when open (it covers the tree, history and diff), and its settings.
#[derive(Debug, Clone)]
pub struct LogsPane {
    pub view: Option<LogsView>,
    pub generation: u64,
    /// Lines a pane keeps, and fetches when it opens.
    pub buffer_lines: usize,
    pub tail_lines: usize,
}

impl Default for LogsPane {
    fn default() -> Self {
        LogsPane {
            view: None,
            generation: 0,
            buffer_lines: 10_000,
            tail_lines: 1_000,
        }
    }
}
