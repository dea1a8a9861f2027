//! Judging one desired object against its watch's copy, and judgements kept per object at
//! the live resourceVersion they were made against, for a session that lives on (the TUI):
//! an evaluation after a watch event judges again only the objects whose live copy changed.
//! Bounded by the app: one entry per object.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use futures::StreamExt;

use super::dry_run::assess_target;
use super::{DriftOptions, DryRunCache, Handle, Session, Target, WatchId};
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

/// Fewer jobs than this per thread are not worth a thread.
const MIN_JOBS_PER_THREAD: usize = 256;

impl Session {
    /// Every job (a target and its watch) judged, on every core: parsing the live copy and
    /// comparing it is most of a big app's evaluation, more than its dry-runs once cached.
    /// Each judging thread takes the next job when it has room, so the objects that need
    /// a request (often neighbours) do not all fall to one thread; together they keep
    /// `concurrency` requests in flight at most.
    pub(super) async fn judge_all(
        &self,
        conn: &Connection,
        jobs: Vec<(usize, WatchId)>,
        cache: &DryRunCache,
        progress: Option<&(dyn Fn(usize, usize) + Sync)>,
    ) -> Vec<Judged> {
        let total = jobs.len();
        let concurrency = self.opts.concurrency.max(1);
        let runtime = tokio::runtime::Handle::current();
        let multi_thread = runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread;
        let threads = crate::memory::cpu_threads()
            .min(concurrency)
            .min(total / MIN_JOBS_PER_THREAD)
            .max(1);
        let share = Share {
            session: self,
            conn,
            cache,
            queue: Mutex::new(jobs.into_iter()),
            judged: AtomicUsize::new(0),
            total,
            progress,
        };
        if threads < 2 || !multi_thread {
            return share.judge(concurrency).await;
        }
        // Off the runtime's workers while it lasts: each thread drives its share's requests
        // itself, the runtime's I/O driver serving them all.
        let in_flight = (concurrency / threads).max(1);
        tokio::task::block_in_place(|| {
            std::thread::scope(|scope| {
                let shares: Vec<_> = (0..threads)
                    .map(|_| scope.spawn(|| runtime.block_on(share.judge(in_flight))))
                    .collect();
                let mut all = Vec::with_capacity(total);
                for share in shares {
                    match share.join() {
                        Ok(done) => all.extend(done),
                        Err(panic) => std::panic::resume_unwind(panic),
                    }
                }
                all
            })
        })
    }

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

/// The jobs of one evaluation, taken one at a time by whichever judging thread has room.
struct Share<'a> {
    session: &'a Session,
    conn: &'a Connection,
    cache: &'a DryRunCache,
    queue: Mutex<std::vec::IntoIter<(usize, WatchId)>>,
    judged: AtomicUsize,
    total: usize,
    progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
}

impl Share<'_> {
    /// Judges jobs from the queue, `in_flight` at a time, until it is empty.
    async fn judge(&self, in_flight: usize) -> Vec<Judged> {
        let next = std::iter::from_fn(|| self.queue.lock().ok()?.next());
        futures::stream::iter(next)
            .map(|(i, id)| {
                let watch = &self.session.watches[&id];
                self.session.judge_kept(self.conn, i, watch, self.cache)
            })
            .buffer_unordered(in_flight)
            .inspect(|_| self.tell())
            .collect()
            .await
    }

    fn tell(&self) {
        let done = self.judged.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(tell) = self.progress
            && (done.is_multiple_of(super::PROGRESS_EVERY) || done == self.total)
        {
            tell(done, self.total);
        }
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
