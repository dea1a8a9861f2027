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

/// Sizes the panes have on screen, computed by `ui::layout` from the terminal's size (the
/// one place that knows the chrome) and kept by the loop, so paging matches what is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Lines of log text the logs pane shows at once.
    pub logs_lines: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Layout { logs_lines: 19 }
    }
}

/// What the cluster and Git said, and where they come from.
#[derive(Debug, Clone)]
pub struct Data {
    pub context: String,
    pub server: String,
    pub app_name: String,
    pub app_path: String,
    /// Short hash of HEAD (the default Git side).
    pub head: String,
    pub health: Option<crate::model::health::report::HealthReport>,
    pub health_error: Option<String>,
    /// The last report read while the API server answered, and when (Unix seconds): what
    /// `health` is derived from while it does not.
    pub health_read: Option<(crate::model::health::report::HealthReport, i64)>,
    /// Since when (Unix seconds) the API server has not answered a health poll.
    pub unreachable_since: Option<i64>,
    pub pods: AppPods,
    /// HEAD's drift, kept live by watches.
    pub drift: Option<crate::cluster::drift::DriftReport>,
    pub drift_error: Option<String>,
    /// Before HEAD's first report: objects judged so far, of all.
    pub drift_progress: Option<(usize, usize)>,
    /// State of the live watches.
    pub live: crate::model::drift::LiveState,
    pub readonly: bool,
    /// The commit the cluster was last rolled back to from here (short), if any.
    pub cluster_at: Option<String>,
    /// The commit the app's sync record says the cluster runs (full), if any.
    pub live_commit: Option<String>,
    /// What RBAC certainly refuses (sync, rollback, logs), judged when the app opens.
    pub access: crate::model::access::Access,
    /// Problems with the config, shown in the status bar and the help.
    pub warnings: Vec<String>,
    /// A fixed "now" (seconds) for reproducible screens; `None` reads the clock.
    pub now_override: Option<i64>,
}

impl Data {
    pub fn new(
        context: String,
        server: String,
        app_name: String,
        app_path: String,
        head: String,
    ) -> Self {
        Data {
            context,
            server,
            app_name,
            app_path,
            head,
            health: None,
            health_error: None,
            health_read: None,
            unreachable_since: None,
            pods: AppPods::new(),
            drift: None,
            drift_error: None,
            drift_progress: None,
            live: Default::default(),
            readonly: false,
            cluster_at: None,
            live_commit: None,
            access: Default::default(),
            warnings: Vec::new(),
            now_override: None,
        }
    }
}

/// Which screen is up: the repository's apps, or one app.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    Apps,
    #[default]
    App,
}
