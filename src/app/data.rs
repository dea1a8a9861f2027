//! Plain data the state, the messages and the panes share. A leaf of `app/`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tree,
    History,
    Diff,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lens {
    Preview,
    Drift,
}

/// Highlighted diff lines: (style tag, text) spans per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlighted {
    pub source: String,
    pub lines: Vec<Vec<(SpanStyle, String)>>,
}

/// What a span of the diff pane looks like, in theme terms or as a syntax colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanStyle {
    Plain,
    Added,
    Removed,
    Hunk,
    Muted,
    Rgb(u8, u8, u8),
}

/// Pods of the app's workloads, by (kind, namespace, name) of the workload.
pub type AppPods = std::collections::BTreeMap<
    crate::model::health::pod::WorkloadId,
    Vec<crate::model::health::pod::PodFacts>,
>;
