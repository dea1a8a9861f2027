use super::*;

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).expect("valid timestamp")
}

fn cond(type_: &str, status: &str, reason: &str) -> ConditionFacts {
    ConditionFacts {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: None,
        last_transition: Some(ts(500)),
    }
}

fn healthy_node() -> NodeFacts {
    NodeFacts {
        name: "node-1".into(),
        conditions: vec![
            cond("Ready", "True", "KubeletReady"),
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID"),
            cond("NetworkUnavailable", "False", "RouteCreated"),
        ],
        kubelet_version: Some("kwok-v0.8.0".into()),
        lease: Source::Read(Some(LeaseFacts {
            holder: Some("node-1".into()),
            renew_time: Some(ts(990)),
            duration_secs: Some(40),
        })),
        unschedulable: false,
        taints: vec![],
        kube_proxy: Source::Read(Some(PodState {
            name: "kube-proxy-abcde".into(),
            phase: "Running".into(),
            ready: true,
            restarts: 0,
        })),
        pod_count: Source::Read(3),
    }
}

#[test]
fn healthy_node_with_non_semver_kubelet() {
    let report = judge(&healthy_node(), ts(1_000));
    assert_eq!(report.verdict.health, Health::Healthy, "{report:?}");
    assert_eq!(report.ready, "True");
    assert_eq!(report.kubelet_version.as_deref(), Some("kwok-v0.8.0"));
    assert_eq!(report.heartbeat.as_ref().map(|h| h.age_secs), Some(10));
    assert_eq!(report.pod_count, Some(3));
    assert_eq!(report.conditions.len(), 5);
}

#[test]
fn not_ready_node_is_down_with_reason() {
    let mut node = healthy_node();
    node.conditions[0] = ConditionFacts {
        message: Some("container runtime is down".into()),
        ..cond("Ready", "False", "KubeletNotReady")
    };
    let report = judge(&node, ts(1_000));
    assert_eq!(report.verdict.health, Health::Down);
    assert_eq!(report.ready, "False");
    let text = report.verdict.evidence.join("; ");
    assert!(text.contains("KubeletNotReady"), "{text}");
    assert!(text.contains("container runtime is down"), "{text}");
}

#[test]
fn stale_lease_degrades_the_node() {
    let report = judge(&healthy_node(), ts(1_100));
    assert_eq!(report.verdict.health, Health::Degraded);
    assert!(report.heartbeat.as_ref().is_some_and(|h| h.stale));
    assert!(report.verdict.evidence.iter().any(|e| e.contains("stale")));
}

#[test]
fn pressure_degrades_the_node() {
    let mut node = healthy_node();
    node.conditions[2] = cond("DiskPressure", "True", "KubeletHasDiskPressure");
    let report = judge(&node, ts(1_000));
    assert_eq!(report.verdict.health, Health::Degraded);
    assert!(
        report
            .verdict
            .evidence
            .iter()
            .any(|e| e.contains("DiskPressure=True"))
    );
}

#[test]
fn missing_kube_proxy_degrades_the_node() {
    let mut node = healthy_node();
    node.kube_proxy = Source::Read(None);
    let report = judge(&node, ts(1_000));
    assert_eq!(report.verdict.health, Health::Degraded);
}

#[test]
fn unreadable_sources_read_unknown_but_keep_ready() {
    let mut node = healthy_node();
    node.lease = Source::Unavailable("forbidden: cannot list leases".into());
    node.kube_proxy = Source::Unavailable("forbidden: cannot list pods".into());
    let report = judge(&node, ts(1_000));
    assert_eq!(report.verdict.health, Health::Healthy);
    assert!(
        report
            .verdict
            .evidence
            .iter()
            .any(|e| e.contains("forbidden"))
    );
}
