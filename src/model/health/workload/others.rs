//! Health of the kinds that run no pods of their own directly: Jobs and CronJobs, Services,
//! Ingresses, PVCs and HPAs.

use serde_json::Value;

use super::{condition, condition_text, conditions, flag, int, text};
use crate::model::health::Health;

pub(super) fn job(obj: &Value) -> (Health, String) {
    for c in conditions(obj).filter(|c| text(c, &["status"]) == Some("True")) {
        match text(c, &["type"]) {
            Some("Failed") => return (Health::Degraded, condition_text(c)),
            Some("Complete") => return (Health::Healthy, "completed".into()),
            _ => {}
        }
    }
    if flag(obj, &["spec", "suspend"]) {
        return (Health::Suspended, "job suspended".into());
    }
    let active = int(obj, &["status", "active"]);
    (
        Health::Progressing,
        format!("running ({active} active pods)"),
    )
}

pub(super) fn cron_job(obj: &Value) -> (Health, String) {
    if flag(obj, &["spec", "suspend"]) {
        return (Health::Suspended, "cron job suspended".into());
    }
    match text(obj, &["status", "lastScheduleTime"]) {
        Some(t) => (Health::Healthy, format!("last scheduled {t}")),
        None => (Health::Healthy, "not scheduled yet".into()),
    }
}

pub(super) fn lb_addresses(obj: &Value) -> Vec<String> {
    obj.get("status")
        .and_then(|s| s.get("loadBalancer"))
        .and_then(|l| l.get("ingress"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| text(i, &["ip"]).or(text(i, &["hostname"])))
        .map(str::to_string)
        .collect()
}

pub(super) fn service(obj: &Value) -> (Health, String) {
    let type_ = text(obj, &["spec", "type"]).unwrap_or("ClusterIP");
    if type_ != "LoadBalancer" {
        return (Health::Healthy, type_.to_string());
    }
    let addresses = lb_addresses(obj);
    if addresses.is_empty() {
        (
            Health::Progressing,
            "waiting for a load balancer address".into(),
        )
    } else {
        (
            Health::Healthy,
            format!("load balancer at {}", addresses.join(", ")),
        )
    }
}

pub(super) fn ingress(obj: &Value) -> (Health, String) {
    let addresses = lb_addresses(obj);
    if addresses.is_empty() {
        (
            Health::Progressing,
            "waiting for an address from the ingress controller".into(),
        )
    } else {
        (Health::Healthy, format!("address {}", addresses.join(", ")))
    }
}

pub(super) fn pvc(obj: &Value) -> (Health, String) {
    match text(obj, &["status", "phase"]).unwrap_or("Pending") {
        "Bound" => (Health::Healthy, "bound".into()),
        "Lost" => (Health::Degraded, "the bound volume is lost".into()),
        phase => (
            Health::Progressing,
            format!("{phase}: waiting for a volume"),
        ),
    }
}

pub(super) fn hpa(obj: &Value) -> (Health, String) {
    for type_ in ["AbleToScale", "ScalingActive"] {
        if let Some(c) = condition(obj, type_).filter(|c| text(c, &["status"]) == Some("False")) {
            let reason = text(c, &["reason"]).unwrap_or("");
            // Argo CD treats a disabled scale target (replicas 0) as fine.
            if reason == "ScalingDisabled" {
                continue;
            }
            return (
                Health::Degraded,
                format!("{type_}=False: {}", condition_text(c)),
            );
        }
    }
    let current = int(obj, &["status", "currentReplicas"]);
    let desired = int(obj, &["status", "desiredReplicas"]);
    (
        Health::Healthy,
        format!("{current} current, {desired} desired replicas"),
    )
}
