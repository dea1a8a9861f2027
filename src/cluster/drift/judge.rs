//! Judging one desired object against its watch's copy, and judgements kept per object at
//! the live resourceVersion they were made against, for a session that lives on (the TUI):
//! an evaluation after a watch event judges again only the objects whose live copy changed.
//! Bounded by the app: one entry per object.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::dry_run::assess_target;
use super::{DriftOptions, DryRunCache, Handle, Session, Target};
use crate::cluster::Connection;
use crate::cluster::live::LiveWatch;
use crate::model::drift::{ObjectReport, SyncStatus};

/// An object's report, how a sync acts on it, and its live secret values (for masking).
pub(super) type Judged = (Arc<ObjectReport>, Handle, Vec<String>);

#[derive(Default)]
pub(super) struct Memo(Mutex<HashMap<usize, (String, Judged)>>);

impl Memo {
    /// Target `index`'s judgement, when it was made against live `version`.
    pub(super) fn get(&self, index: usize, version: &str) -> Option<Judged> {
        let kept = self.0.lock().ok()?;
        let (at, judged) = kept.get(&index)?;
        (at == version).then(|| judged.clone())
    }

    /// Keeps a judgement made against live `version`. Not one that failed (Unknown, or a
    /// dry-run the server refused or did not answer): it is judged again next time.
    pub(super) fn put(&self, index: usize, version: String, judged: &Judged) {
        if judged.0.status == SyncStatus::Unknown || judged.0.dry_run_error.is_some() {
            return;
        }
        if let Ok(mut kept) = self.0.lock() {
            kept.insert(index, (version, judged.clone()));
        }
    }
}

impl Session {
    /// Target `i` judged against its watch's copy, or as it was against the same version.
    pub(super) async fn judge_kept(
        &self,
        conn: &Connection,
        i: usize,
        w: &LiveWatch,
        cache: &DryRunCache,
    ) -> Judged {
        let t = &self.targets[i];
        let version = w
            .get(t.id.namespace.as_deref(), &t.id.name)
            .map(|o| o.resource_version().to_string());
        let (Some(memo), Some(version)) = (&self.memo, version) else {
            return judge(conn, t, w, &self.opts, cache).await;
        };
        if let Some(kept) = memo.get(i, &version) {
            return kept;
        }
        let judged = judge(conn, t, w, &self.opts, cache).await;
        memo.put(i, version, &judged);
        judged
    }
}

/// One target against its watch's copy, parsed for this judgement only: its report, how a
/// sync acts on it, and its live secret values (for masking).
async fn judge(
    conn: &Connection,
    t: &Target,
    w: &LiveWatch,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> Judged {
    let unreadable = |why: String| {
        let report = ObjectReport::unknown(t.id.key(), Some(t.source.clone()), why);
        (Arc::new(report), t.handle(t.body.clone()), Vec::new())
    };
    let live = match w.get(t.id.namespace.as_deref(), &t.id.name) {
        Some(o) => match o.value(&t.served.resource) {
            Ok(v) => Some(v),
            Err(why) => return unreadable(why),
        },
        None => None,
    };
    let secrets = live
        .as_ref()
        .map(crate::model::secret::plain_values)
        .unwrap_or_default();
    let (body, compact, silenced) = match t.body_for(live.as_ref(), opts) {
        Ok(prepared) => prepared,
        Err(why) => return unreadable(why),
    };
    let report = assess_target(conn, t, body, live, silenced, opts, cache).await;
    (Arc::new(report), t.handle(compact), secrets)
}
