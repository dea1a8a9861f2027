//! Workload health by kind, as Argo CD and kstatus judge it.

use serde_json::Value;

use super::{Health, Verdict};

/// Judges a live object of `kind` from its JSON form. Kinds without rules are Healthy
/// when they exist.
pub fn judge(kind: &str, obj: &Value) -> Verdict {
    let (health, reason) = match kind {
        "Deployment" => deployment(obj),
        "StatefulSet" => stateful_set(obj),
        "DaemonSet" => daemon_set(obj),
        "ReplicaSet" => replica_set(obj),
        "Pod" => pod(obj),
        "Job" => job(obj),
        "CronJob" => cron_job(obj),
        "Service" => service(obj),
        "Ingress" => ingress(obj),
        "PersistentVolumeClaim" => pvc(obj),
        "HorizontalPodAutoscaler" => hpa(obj),
        _ => (Health::Healthy, "exists".to_string()),
    };
    Verdict::new(health, reason)
}

/// The verdict for an object the app declares but the cluster lacks.
pub fn missing() -> Verdict {
    Verdict::new(Health::Missing, "not found in the cluster")
}

fn int(v: &Value, path: &[&str]) -> i64 {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

fn text<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
}

fn flag(v: &Value, path: &[&str]) -> bool {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn conditions(v: &Value) -> impl Iterator<Item = &Value> {
    v.get("status")
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn condition<'a>(v: &'a Value, type_: &str) -> Option<&'a Value> {
    conditions(v).find(|c| text(c, &["type"]) == Some(type_))
}

fn condition_text(c: &Value) -> String {
    let reason = text(c, &["reason"]).unwrap_or("");
    match text(c, &["message"]).filter(|m| !m.is_empty()) {
        Some(m) if !reason.is_empty() => format!("{reason}: {m}"),
        Some(m) => m.to_string(),
        None => reason.to_string(),
    }
}

/// `Some` when the controller has not yet seen the latest spec.
fn generation_pending(obj: &Value) -> Option<(Health, String)> {
    let generation = int(obj, &["metadata", "generation"]);
    let observed = int(obj, &["status", "observedGeneration"]);
    (generation > observed).then(|| {
        (
            Health::Progressing,
            format!("waiting for the controller to observe generation {generation}"),
        )
    })
}

fn deployment(obj: &Value) -> (Health, String) {
    if flag(obj, &["spec", "paused"]) {
        return (Health::Suspended, "rollout paused".into());
    }
    if let Some(pending) = generation_pending(obj) {
        return pending;
    }
    if let Some(c) = condition(obj, "Progressing")
        .filter(|c| text(c, &["reason"]) == Some("ProgressDeadlineExceeded"))
    {
        return (Health::Degraded, condition_text(c));
    }
    if let Some(c) =
        condition(obj, "ReplicaFailure").filter(|c| text(c, &["status"]) == Some("True"))
    {
        return (Health::Degraded, condition_text(c));
    }
    let want = obj
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let replicas = int(obj, &["status", "replicas"]);
    let updated = int(obj, &["status", "updatedReplicas"]);
    let available = int(obj, &["status", "availableReplicas"]);
    if updated < want {
        return (
            Health::Progressing,
            format!("{updated} of {want} replicas updated"),
        );
    }
    if replicas > updated {
        return (
            Health::Progressing,
            format!("{} old replicas pending termination", replicas - updated),
        );
    }
    if available < updated {
        return (
            Health::Progressing,
            format!("{available} of {updated} updated replicas available"),
        );
    }
    (
        Health::Healthy,
        format!("{available}/{want} replicas available"),
    )
}

fn stateful_set(obj: &Value) -> (Health, String) {
    if let Some(pending) = generation_pending(obj) {
        return pending;
    }
    let want = obj
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let ready = int(obj, &["status", "readyReplicas"]);
    if ready < want {
        return (
            Health::Progressing,
            format!("{ready} of {want} replicas ready"),
        );
    }
    if text(obj, &["spec", "updateStrategy", "type"]) == Some("OnDelete") {
        return (
            Health::Healthy,
            format!("{ready}/{want} ready (OnDelete updates)"),
        );
    }
    let updated = int(obj, &["status", "updatedReplicas"]);
    let partition = int(
        obj,
        &["spec", "updateStrategy", "rollingUpdate", "partition"],
    );
    if updated < want - partition {
        return (
            Health::Progressing,
            format!("{updated} of {} replicas updated", want - partition),
        );
    }
    let current = text(obj, &["status", "currentRevision"]);
    let update = text(obj, &["status", "updateRevision"]);
    if partition == 0 && current.is_some() && current != update {
        return (
            Health::Progressing,
            "waiting for the rolling update to finish".into(),
        );
    }
    (Health::Healthy, format!("{ready}/{want} replicas ready"))
}

fn daemon_set(obj: &Value) -> (Health, String) {
    if let Some(pending) = generation_pending(obj) {
        return pending;
    }
    let desired = int(obj, &["status", "desiredNumberScheduled"]);
    let updated = int(obj, &["status", "updatedNumberScheduled"]);
    let available = int(obj, &["status", "numberAvailable"]);
    if text(obj, &["spec", "updateStrategy", "type"]) != Some("OnDelete") && updated < desired {
        return (
            Health::Progressing,
            format!("{updated} of {desired} pods updated"),
        );
    }
    if available < desired {
        return (
            Health::Progressing,
            format!("{available} of {desired} pods available"),
        );
    }
    (
        Health::Healthy,
        format!("{available}/{desired} pods available"),
    )
}

fn replica_set(obj: &Value) -> (Health, String) {
    if let Some(pending) = generation_pending(obj) {
        return pending;
    }
    if let Some(c) =
        condition(obj, "ReplicaFailure").filter(|c| text(c, &["status"]) == Some("True"))
    {
        return (Health::Degraded, condition_text(c));
    }
    let want = obj
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let available = int(obj, &["status", "availableReplicas"]);
    if available < want {
        return (
            Health::Progressing,
            format!("{available} of {want} replicas available"),
        );
    }
    (
        Health::Healthy,
        format!("{available}/{want} replicas available"),
    )
}

/// Container waiting reasons that will not resolve without a change.
const STUCK_REASONS: [&str; 7] = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
];

fn pod(obj: &Value) -> (Health, String) {
    let statuses = ["initContainerStatuses", "containerStatuses"]
        .iter()
        .flat_map(|k| {
            obj.get("status")
                .and_then(|s| s.get(k))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
        });
    for cs in statuses {
        if let Some(reason) =
            text(cs, &["state", "waiting", "reason"]).filter(|r| STUCK_REASONS.contains(r))
        {
            let name = text(cs, &["name"]).unwrap_or("?");
            let message = text(cs, &["state", "waiting", "message"]).unwrap_or("");
            return (
                Health::Degraded,
                format!("container {name}: {reason} {message}")
                    .trim_end()
                    .to_string(),
            );
        }
    }
    match text(obj, &["status", "phase"]).unwrap_or("Pending") {
        "Succeeded" => (Health::Healthy, "completed".into()),
        "Failed" => (
            Health::Degraded,
            text(obj, &["status", "message"])
                .or(text(obj, &["status", "reason"]))
                .unwrap_or("pod failed")
                .to_string(),
        ),
        "Running" => match condition(obj, "Ready") {
            Some(c) if text(c, &["status"]) == Some("True") => {
                (Health::Healthy, "running and ready".into())
            }
            Some(c) => (
                Health::Progressing,
                format!("running, not ready: {}", condition_text(c)),
            ),
            None => (
                Health::Progressing,
                "running, readiness not reported yet".into(),
            ),
        },
        phase => {
            match condition(obj, "PodScheduled").filter(|c| text(c, &["status"]) == Some("False")) {
                Some(c) => (
                    Health::Progressing,
                    format!("{phase}: {}", condition_text(c)),
                ),
                None => (Health::Progressing, phase.to_string()),
            }
        }
    }
}

mod others;

use others::{cron_job, hpa, ingress, job, pvc, service};

#[cfg(test)]
mod tests;

/// The judged health of one app object, with recent Warning events about it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkloadReport {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    #[serde(flatten)]
    pub verdict: Verdict,
    pub warnings: Vec<String>,
}
