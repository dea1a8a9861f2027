//! What the drift engine hands over: every object's report, and how a sync acts on each.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use crate::cluster::discovery::Served;
use crate::model::drift::{ObjectReport, SyncStatus};
use crate::model::object::{ObjectId, ObjectKey};

#[derive(Debug, Clone, Serialize)]
pub struct DriftReport {
    pub app: String,
    /// Shared with the session's memo of judgements (the TUI): a kept judgement is one copy.
    pub objects: Vec<Arc<ObjectReport>>,
    /// How to apply each desired object (its body with the tracking mark) or delete each
    /// tracked one: what a sync acts on.
    #[serde(skip)]
    pub handles: HashMap<ObjectKey, Handle>,
    /// Files of the desired state that failed to load (the rest is judged).
    #[serde(skip)]
    pub load_errors: Vec<crate::model::manifest::LoadError>,
    /// The plain values of the app's live Secrets (last-applied leftovers included), for
    /// masking free text such as logs. Never serialised.
    #[serde(skip)]
    pub live_secret_values: Vec<String>,
    /// Objects whose verdict is still coming (the server's dry-run): shown, judged later.
    #[serde(skip)]
    pub pending: usize,
}

/// What a sync needs to act on one object.
#[derive(Debug, Clone)]
pub struct Handle {
    /// How the cluster serves it; `None` while its kind is not served yet (a CRD the same
    /// sync creates): resolved from `pending` at apply time.
    pub served: Option<Arc<Served>>,
    /// The desired body (with the tracking mark); `None` for an object only live.
    pub body: Option<crate::model::object::Compact>,
    /// The object's identity and the app's namespace, for a kind not served yet.
    pub pending: Option<Box<(ObjectId, String)>>,
}

impl DriftReport {
    pub fn count(&self, status: SyncStatus) -> usize {
        self.objects.iter().filter(|o| o.status == status).count()
    }

    pub fn in_sync(&self) -> bool {
        self.objects.iter().all(|o| o.status == SyncStatus::Synced)
    }
}

impl super::Session {
    /// Every object Git declares, each verdict still coming: what the TUI shows of a big
    /// app while its first evaluation runs. Nothing in it comes from the cluster.
    pub fn outline(&self) -> DriftReport {
        let mut objects = self.unresolved.clone();
        objects.extend(
            self.targets
                .iter()
                .map(|t| Arc::new(ObjectReport::judging(t.id.key(), Some(t.source.clone())))),
        );
        objects.sort_by(|a, b| a.key.cmp(&b.key));
        DriftReport {
            app: self.opts.app.clone(),
            objects,
            handles: HashMap::new(),
            load_errors: self.load_errors.clone(),
            live_secret_values: Vec::new(),
            pending: self.targets.len(),
        }
    }
}
