use serde_json::json;

use super::*;

fn deployment(spec_replicas: i64, status: Value) -> Value {
    json!({
        "metadata": {"name": "web", "generation": 2},
        "spec": {"replicas": spec_replicas},
        "status": status,
    })
}

#[test]
fn deployment_fully_available_is_healthy() {
    let d = deployment(
        3,
        json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}),
    );
    assert_eq!(judge("Deployment", &d).health, Health::Healthy);
}

#[test]
fn deployment_rolling_out_is_progressing() {
    let d = deployment(
        3,
        json!({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 1}),
    );
    let v = judge("Deployment", &d);
    assert_eq!(v.health, Health::Progressing);
    assert!(v.evidence[0].contains("1 of 3"), "{v:?}");
}

#[test]
fn deployment_past_its_deadline_is_degraded_with_reason() {
    let d = deployment(
        2,
        json!({
            "observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 0,
            "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                            "message": "ReplicaSet \"web-1\" has timed out progressing."}]
        }),
    );
    let v = judge("Deployment", &d);
    assert_eq!(v.health, Health::Degraded);
    assert!(v.evidence[0].contains("ProgressDeadlineExceeded"));
}

#[test]
fn deployment_not_yet_observed_and_paused() {
    let d = deployment(1, json!({"observedGeneration": 1}));
    assert_eq!(judge("Deployment", &d).health, Health::Progressing);
    let mut paused = deployment(1, json!({"observedGeneration": 2}));
    paused["spec"]["paused"] = json!(true);
    assert_eq!(judge("Deployment", &paused).health, Health::Suspended);
}

#[test]
fn statefulset_and_daemonset() {
    let sts = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "readyReplicas": 1, "updatedReplicas": 2}});
    assert_eq!(judge("StatefulSet", &sts).health, Health::Progressing);
    let sts_ok = json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
        "status": {"observedGeneration": 1, "readyReplicas": 2, "updatedReplicas": 2,
                   "currentRevision": "a", "updateRevision": "a"}});
    assert_eq!(judge("StatefulSet", &sts_ok).health, Health::Healthy);
    let ds = json!({"metadata": {"generation": 1},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": 2}});
    assert_eq!(judge("DaemonSet", &ds).health, Health::Healthy);
}

#[test]
fn pod_states() {
    let crash = json!({"status": {"phase": "Running", "containerStatuses": [
        {"name": "app", "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}}}]}});
    let v = judge("Pod", &crash);
    assert_eq!(v.health, Health::Degraded);
    assert!(v.evidence[0].contains("CrashLoopBackOff"));
    let ready = json!({"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}});
    assert_eq!(judge("Pod", &ready).health, Health::Healthy);
    let unschedulable = json!({"status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/2 nodes are available"}]}});
    let v = judge("Pod", &unschedulable);
    assert_eq!(v.health, Health::Progressing);
    assert!(v.evidence[0].contains("Unschedulable"));
    assert_eq!(
        judge("Pod", &json!({"status": {"phase": "Succeeded"}})).health,
        Health::Healthy
    );
    assert_eq!(
        judge("Pod", &json!({"status": {"phase": "Failed"}})).health,
        Health::Degraded
    );
}

#[test]
fn job_and_cronjob() {
    let done = json!({"status": {"conditions": [{"type": "Complete", "status": "True"}]}});
    assert_eq!(judge("Job", &done).health, Health::Healthy);
    let failed = json!({"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}});
    let v = judge("Job", &failed);
    assert_eq!(v.health, Health::Degraded);
    assert!(v.evidence[0].contains("BackoffLimitExceeded"));
    assert_eq!(
        judge("Job", &json!({"spec": {"suspend": true}})).health,
        Health::Suspended
    );
    assert_eq!(
        judge("Job", &json!({"status": {"active": 1}})).health,
        Health::Progressing
    );
    assert_eq!(
        judge("CronJob", &json!({"spec": {"suspend": true}})).health,
        Health::Suspended
    );
}

#[test]
fn services_ingress_pvc_hpa() {
    let lb = json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {}}});
    assert_eq!(judge("Service", &lb).health, Health::Progressing);
    let lb_ok = json!({"spec": {"type": "LoadBalancer"}, "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.7"}]}}});
    let v = judge("Service", &lb_ok);
    assert_eq!(v.health, Health::Healthy);
    assert!(v.evidence[0].contains("203.0.113.7"));
    assert_eq!(
        judge("Service", &json!({"spec": {"type": "ClusterIP"}})).health,
        Health::Healthy
    );
    assert_eq!(
        judge("Ingress", &json!({"status": {}})).health,
        Health::Progressing
    );
    assert_eq!(
        judge(
            "PersistentVolumeClaim",
            &json!({"status": {"phase": "Bound"}})
        )
        .health,
        Health::Healthy
    );
    assert_eq!(
        judge(
            "PersistentVolumeClaim",
            &json!({"status": {"phase": "Lost"}})
        )
        .health,
        Health::Degraded
    );
    let hpa = json!({"status": {"conditions": [{"type": "ScalingActive", "status": "False",
        "reason": "FailedGetResourceMetric", "message": "unable to get metrics"}]}});
    let v = judge("HorizontalPodAutoscaler", &hpa);
    assert_eq!(v.health, Health::Degraded);
    assert!(v.evidence[0].contains("FailedGetResourceMetric"));
}

#[test]
fn other_kinds_are_healthy_when_they_exist() {
    assert_eq!(judge("ConfigMap", &json!({})).health, Health::Healthy);
    assert_eq!(missing().health, Health::Missing);
}
