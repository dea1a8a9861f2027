//! The sync and rollback popup's data: what it is about and where its flow stands. A leaf
//! of `app/`.

use std::collections::HashMap;

use crate::cluster::drift::Handle;
use crate::cluster::sync::ItemResult;
use crate::model::object::ObjectKey;
use crate::model::plan::Plan;

/// What a sync or rollback popup is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PopupKind {
    /// Sync HEAD: one object, or the whole app.
    Sync { only: Option<ObjectKey> },
    /// Sync the desired state of an older commit.
    Rollback { commit: String },
}

/// Where the popup's flow stands.
#[derive(Debug, Clone)]
pub enum Stage {
    Planning,
    Plan(Box<Plan>, HashMap<ObjectKey, Handle>),
    /// The plan being applied, and the results so far.
    Applying(Box<Plan>, Vec<ItemResult>),
    /// The apply is done; prunes wait for their own confirmation.
    PruneOffer(Vec<ItemResult>, String),
    Done(Vec<ItemResult>, String),
    Refused(String),
}

#[derive(Debug, Clone)]
pub struct Popup {
    pub kind: PopupKind,
    pub stage: Stage,
    pub generation: u64,
    /// Rollback: also write a revert commit on a branch once applied.
    pub revert: bool,
    /// Prunes held back from the apply, offered after it with their own confirmation.
    pub prunes: Option<(Box<Plan>, HashMap<ObjectKey, Handle>)>,
    /// More to say about the result (the revert commit's outcome).
    pub notes: Vec<String>,
    /// The short hash of the commit planned, once the plan came.
    pub short: Option<String>,
    /// What the sync record keeps of the planned sync.
    pub synced: Option<crate::ops::sync::Synced>,
    /// How many objects the running apply writes (for progress).
    pub total: usize,
    /// Rollback: how the commit's objects differ from HEAD's (HEAD → commit).
    pub against_head: Option<crate::model::desired::ObjectChanges>,
    /// The app's controller syncs on its own: confirming suspends it first (shown).
    pub guard: Option<crate::model::controller::Guard>,
}

impl Popup {
    /// Whether confirming the plan would do anything: it writes, prunes wait after it, or a
    /// rollback's revert commit is asked for.
    pub fn confirmable(&self) -> bool {
        match &self.stage {
            Stage::Plan(plan, _) => {
                plan.writes() > 0
                    || self.prunes.is_some()
                    || (self.revert && matches!(self.kind, PopupKind::Rollback { .. }))
            }
            _ => false,
        }
    }

    pub fn new(kind: PopupKind, stage: Stage, generation: u64) -> Self {
        Popup {
            kind,
            stage,
            generation,
            revert: false,
            prunes: None,
            notes: Vec::new(),
            short: None,
            synced: None,
            total: 0,
            against_head: None,
            guard: None,
        }
    }
}

/// The popup, when open, and the generation of its flow.
#[derive(Debug, Clone, Default)]
pub struct PopupPane {
    pub current: Option<Popup>,
    pub generation: u64,
}
