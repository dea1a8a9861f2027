//! The flows every front end runs (headless commands, the TUI, the demo), once: plan,
//! apply, prune, rollback and its revert commit, with their safety rules.

pub mod apps;
pub mod context;
pub mod namespaces;
pub mod record;
pub mod report;
pub mod review;
pub mod sync;

use std::sync::Arc;

use crate::cluster::Connection;
use crate::cluster::drift::{DriftOptions, DryRunCache};
use crate::git::AppSpec;
use crate::model::plan::Gateway;

/// What a flow needs to open the app and reach the cluster.
#[derive(Clone)]
pub struct Context {
    pub conn: Connection,
    pub spec: AppSpec,
    /// App name, field manager and target namespace.
    pub drift: DriftOptions,
    pub cache: Arc<DryRunCache>,
    /// The one door every mutation passes (closed in read-only mode).
    pub gateway: Gateway,
    /// The app's sync record as it was when the context was made (read once).
    pub record: Option<crate::model::applyset::Record>,
}
