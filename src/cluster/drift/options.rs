//! What the drift engine is asked: the app, its marks, the lens, the rules.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct DriftOptions {
    /// The app name in the tracking label.
    pub app: String,
    /// The app's ApplySet id (its members' `part-of` label).
    pub applyset: String,
    /// Kinds the app's record lists (`contains-group-kinds`, as `Kind.group`): searched for
    /// members to prune, beyond the kinds kdrift always searches.
    pub inventory: Vec<String>,
    pub field_manager: String,
    /// The app's target namespace (searched for Extra objects even when Git has none there).
    pub namespace: String,
    /// Dry-runs in flight at once.
    pub concurrency: usize,
    pub diff_deadline: Duration,
    pub watch_timeout: Duration,
    /// The app file's ignore rules (each object's own annotation adds to them).
    pub ignore: Vec<crate::model::ignore::IgnoreRule>,
    /// Create the target namespace when missing (the app file's `createNamespace`).
    pub create_namespace: bool,
    /// The Argo CD or Flux app that manages this one: its marks also make objects the
    /// app's (Extra when not in Git).
    pub controller: Option<crate::model::controller::ControllerApp>,
    /// Which lens the caller shows: the dry-runs the other needs are not made.
    pub lens: crate::model::drift::Lens,
    /// Decide Synced without a dry-run when sure (kept verdicts, the object's own
    /// managedFields); off only to compare with the dry-run's verdict.
    pub local_verdicts: bool,
    /// Keep the server's answers in memory for the next evaluation: set by a session its
    /// watches keep live (a one-shot evaluation would only hold them to its end).
    pub(super) remember: bool,
}

impl DriftOptions {
    pub fn new(app: &str, namespace: &str) -> Self {
        DriftOptions {
            app: app.to_string(),
            applyset: crate::model::applyset::app_id(app, namespace),
            inventory: Vec::new(),
            field_manager: "kdrift".into(),
            namespace: namespace.to_string(),
            concurrency: 8,
            diff_deadline: crate::model::diff::DEFAULT_DEADLINE,
            watch_timeout: Duration::from_secs(30),
            ignore: Vec::new(),
            create_namespace: false,
            controller: None,
            lens: crate::model::drift::Lens::Both,
            local_verdicts: true,
            remember: false,
        }
    }
}
