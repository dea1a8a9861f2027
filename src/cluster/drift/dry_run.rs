//! Judging one desired object against its live one: the dry-runs (apply preview and the
//! reference create), each asked only where the live object's own managedFields cannot
//! answer it, and cached by (object, desired content, live resourceVersion).

use serde_json::Value;

use super::verdicts::{fingerprint, sole_owner};
use super::{DriftOptions, Target};
use crate::cluster::Connection;
use crate::cluster::apply::{forced_preview, get_live, preview, reference};
use crate::model::drift::{Desired, Inputs, Lens, ObjectReport, Preview, assess};
use crate::model::fields::{applied_by, stored_steps, undeclared_by_git};
use crate::model::local::locally_applied;

mod cache;

pub use cache::DryRunCache;
use cache::Entry;

/// The drift lens alone does not ask for the dry-run apply.
pub(super) const NOT_ASKED: &str = "not asked: the live-drift lens needs no dry-run apply";

fn hash_value(v: &Value) -> u64 {
    use std::hash::{DefaultHasher, Hash, Hasher};
    let mut h = DefaultHasher::new();
    v.to_string().hash(&mut h);
    h.finish()
}

fn resource_version(obj: Option<&Value>) -> String {
    obj.and_then(|l| l.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// The apply's result when it needs no request: Git's apply would change nothing, so it
/// is the live object itself.
fn applied_without_asking(live: Option<&Value>, body: &Value, opts: &DriftOptions) -> bool {
    opts.local_verdicts && live.is_some_and(|l| locally_applied(l, body, &opts.field_manager))
}

/// Where the dry-run create is needed, the one place defaults decide a verdict: live drift
/// judges the fields other managers own against Git as the server would store it, and
/// only a field Git does not declare can hold a default. When every field others own is
/// one Git declares (kdrift's entry in the apply's result lists them) or one the server
/// never defaults (`model::fields::undeclared_by_git` names which), the apply's result
/// stands for the reference; see [`stand_in_reference`].
fn reference_needed(live: Option<&Value>, preview: &Preview, opts: &DriftOptions) -> bool {
    let Some(live) = live else { return false };
    if opts.lens == Lens::Preview {
        return false;
    }
    !(opts.local_verdicts && undeclared(live, preview, opts).is_some())
}

/// The fields others own that Git does not declare and the server never defaults; `None`
/// where the reference must be asked.
fn undeclared(live: &Value, preview: &Preview, opts: &DriftOptions) -> Option<Vec<Vec<String>>> {
    let after = preview.result.as_ref().ok()?;
    let declared = applied_by(after, &opts.field_manager)?;
    undeclared_by_git(live, declared, &opts.field_manager)
}

/// The apply's result as the reference: Git's fields as the server stores them, declared
/// under the reference's manager, as a dry-run create would have them; without the
/// fields others set that Git does not declare, which such a create would not hold.
fn stand_in_reference(
    live: Option<&Value>,
    preview: &Preview,
    opts: &DriftOptions,
) -> Option<Value> {
    let after = preview.result.as_ref().ok()?;
    let mut entry = crate::model::fields::applied_entry(after, &opts.field_manager)?.clone();
    entry["manager"] = Value::String(crate::model::fields::REFERENCE_MANAGER.into());
    let mut reference = after.clone();
    reference["metadata"]["managedFields"] = Value::Array(vec![entry]);
    let undeclared = live
        .and_then(|l| undeclared(l, preview, opts))
        .unwrap_or_default();
    for steps in undeclared.iter().filter_map(|p| stored_steps(p)) {
        if let Some((last, parents)) = steps.split_last()
            && let Some(map) = parents
                .iter()
                .try_fold(&mut reference, |v, s| v.get_mut(*s))
                .and_then(Value::as_object_mut)
        {
            map.remove(*last);
        }
    }
    Some(reference)
}

/// The dry-runs for one object at the live resourceVersion, from the cache or the server.
async fn dry_runs(
    conn: &Connection,
    t: &Target,
    body: &Value,
    live: Option<&Value>,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> Entry {
    let lens = opts.lens as u64;
    let cache_key = (t.id.key(), hash_value(body) ^ lens, resource_version(live));
    if let Some(hit) = cache.get(&cache_key) {
        return hit;
    }
    let asker = format!("{}\n{}\n{}", conn.server, conn.context, opts.field_manager);
    let kept = live.and_then(|l| super::results::key_of(l, body, lens, &asker));
    // One copy of each answer: the store that outlives the process holds its text (read
    // again when asked again); memory only what that store does not keep.
    if let Some(hit) = kept.and_then(|k| cache.results().get(k)) {
        return hit;
    }
    let dry_run = apply_preview(conn, t, body, live, opts).await;
    let reference_asked = reference_needed(live, &dry_run, opts);
    let reference_obj = if reference_asked {
        tracing::debug!(target: "kdrift::dry_run", object = %t.id, "dry-run create");
        reference(conn, &t.served, body).await
    } else {
        None
    };
    // Kept only when the apply saw the very object the watch holds (else the next run
    // settles it anew), and not when a reference was asked and not given (a failure: the
    // server may answer next time).
    let settled = match &dry_run.result {
        Ok(after) => resource_version(Some(after)) == resource_version(live),
        Err(_) => true,
    } && (reference_obj.is_some() || !reference_asked);
    let stored = kept.filter(|_| settled);
    if let Some(k) = stored {
        cache.results().insert(k, &dry_run, reference_obj.as_ref());
    }
    if opts.remember && stored.is_none() {
        cache.put(cache_key, (dry_run.clone(), reference_obj.clone()));
    }
    (dry_run, reference_obj)
}

/// The apply preview, asked of the server only where the live object cannot answer it.
/// Each lens asks only what it shows: live drift no dry-run apply (a missing object still
/// needs it: it is its whole preview).
async fn apply_preview(
    conn: &Connection,
    t: &Target,
    body: &Value,
    live: Option<&Value>,
    opts: &DriftOptions,
) -> Preview {
    let known = |result| Preview {
        result,
        conflicts: Vec::new(),
        namespace_missing: false,
    };
    match live {
        Some(l) if applied_without_asking(live, body, opts) => known(Ok(l.clone())),
        Some(_) if opts.lens == Lens::Drift => known(Err(NOT_ASKED.into())),
        Some(l) if opts.local_verdicts => {
            tracing::debug!(target: "kdrift::dry_run", object = %t.id, "dry-run apply (forced)");
            forced_preview(conn, &t.served, body, &opts.field_manager, l).await
        }
        _ => {
            tracing::debug!(target: "kdrift::dry_run", object = %t.id, "dry-run apply");
            preview(conn, &t.served, body, &opts.field_manager).await
        }
    }
}

/// Times the live copy is read again when the dry-run saw a newer object than the watch.
const SETTLE_TRIES: usize = 3;

pub(super) async fn assess_target(
    conn: &Connection,
    t: &Target,
    body: Value,
    live: Option<Value>,
    silenced: Vec<crate::model::ignore::Ignored>,
    opts: &DriftOptions,
    cache: &DryRunCache,
) -> ObjectReport {
    let key = t.id.key();
    let mut live = live;
    // Known Synced, with kdrift the only owner besides controllers (a verdict kept from an
    // earlier run, or read off the live object's own managedFields): no request at all.
    let known = opts.local_verdicts
        && live.as_ref().is_some_and(|l| {
            sole_owner(l, &opts.field_manager)
                && (crate::model::local::locally_synced(l, &body, &opts.field_manager)
                    || cache.verdicts().contains(fingerprint(l, &body)))
        });
    let mut entry = match &live {
        Some(l) if known => (
            Preview {
                result: Ok(l.clone()),
                conflicts: Vec::new(),
                namespace_missing: false,
            },
            None,
        ),
        _ => dry_runs(conn, t, &body, live.as_ref(), opts, cache).await,
    };
    // Settling: the preview compares like with like. A controller writes just after a
    // sync (a Deployment's revision annotation), so the watch's copy may be older than the
    // object the dry-run was made against; read it again until both agree.
    for _ in 0..SETTLE_TRIES {
        let Ok(after) = &entry.0.result else { break };
        if live.is_none() || resource_version(Some(after)) == resource_version(live.as_ref()) {
            break;
        }
        let Some(fresh) = get_live(conn, &t.served, &body).await else {
            break;
        };
        live = Some(fresh);
        entry = dry_runs(conn, t, &body, live.as_ref(), opts, cache).await;
    }
    let (mut dry_run, mut reference_obj) = entry;
    if !known && reference_obj.is_none() && !reference_needed(live.as_ref(), &dry_run, opts) {
        reference_obj = stand_in_reference(live.as_ref(), &dry_run, opts);
    }
    // The drift lens did not ask for the apply: judged by live drift alone.
    let not_asked = matches!(&dry_run.result, Err(e) if e == NOT_ASKED);
    if not_asked && let Some(l) = &live {
        dry_run.result = Ok(l.clone());
    }
    if let Some(live) = &live {
        for c in &mut dry_run.conflicts {
            c.operation = operation_of(live, &c.manager);
        }
    }
    let unstable = &t.unstable;
    let rules = crate::model::ignore::for_object(&opts.ignore, &key, Some(&body));
    let mut report = assess(&Inputs {
        key: &key,
        desired: Some(Desired {
            source: &t.source,
            content: &body,
        }),
        live: live.as_ref(),
        preview: Some(&dry_run),
        reference: reference_obj.as_ref(),
        field_manager: &opts.field_manager,
        deadline: opts.diff_deadline,
        rules: &rules,
        silenced: &silenced,
        known,
    });
    if not_asked {
        // Without the apply's result, what a migration would then remove is unknown.
        report.migration = None;
    }
    if let Some(l) = &live
        && report.status == crate::model::drift::SyncStatus::Synced
        && report.ignored.is_empty()
        && !not_asked
        && !known
        && opts.lens == Lens::Both
        && sole_owner(l, &opts.field_manager)
    {
        cache.verdicts().insert(fingerprint(l, &body));
    }
    if !unstable.is_empty() {
        report.reason.push_str(&format!(
            " (fields that change from render to render, kept as the cluster has them, not drift: {})",
            unstable.join(", ")
        ));
    }
    report
}

/// How `manager` last wrote to a live object (`Apply` or `Update`), from its managedFields.
fn operation_of(live: &Value, manager: &str) -> Option<String> {
    live.pointer("/metadata/managedFields")?
        .as_array()?
        .iter()
        .find(|e| e.get("manager").and_then(Value::as_str) == Some(manager))?
        .get("operation")?
        .as_str()
        .map(str::to_string)
}
