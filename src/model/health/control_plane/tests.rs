use super::*;

const READYZ_OK: &str = "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\nreadyz check passed\n";
const READYZ_ETCD_DOWN: &str = "[+]ping ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]informer-sync ok\nreadyz check failed\n";

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).expect("valid timestamp")
}

fn lease(holder: &str, renewed: i64, duration: i64) -> Source<Option<LeaseFacts>> {
    Source::Read(Some(LeaseFacts {
        holder: Some(holder.into()),
        renew_time: Some(ts(renewed)),
        duration_secs: Some(duration),
    }))
}

fn healthy_facts() -> ControlPlaneFacts {
    ControlPlaneFacts {
        version: Source::Read("v1.36.3".into()),
        readyz: Source::Read(parse_verbose_checks(READYZ_OK)),
        livez: Source::Read(parse_verbose_checks(READYZ_OK)),
        controller_manager_lease: lease("kcm-1", 1_000, 15),
        scheduler_lease: lease("sched-1", 1_002, 15),
        static_pods: Source::Read(vec![]),
        now: ts(1_005),
    }
}

fn component<'a>(reports: &'a [ComponentReport], name: &str) -> &'a ComponentReport {
    reports.iter().find(|r| r.name == name).expect("component")
}

#[test]
fn parses_verbose_checks() {
    let checks = parse_verbose_checks(READYZ_ETCD_DOWN);
    assert_eq!(checks.len(), 4);
    assert_eq!(
        checks[1],
        Check {
            name: "etcd".into(),
            ok: false
        }
    );
    assert!(checks[0].ok);
}

#[test]
fn healthy_baseline_is_healthy_with_evidence() {
    let reports = judge(&healthy_facts());
    assert_eq!(reports.len(), 4);
    for r in &reports {
        assert_eq!(r.verdict.health, Health::Healthy, "{r:?}");
        assert!(!r.verdict.evidence.is_empty());
    }
    let sched = component(&reports, "kube-scheduler");
    assert!(sched.verdict.evidence[0].contains("sched-1"));
}

#[test]
fn failing_etcd_check_makes_etcd_down_and_apiserver_degraded() {
    let mut facts = healthy_facts();
    facts.readyz = Source::Read(parse_verbose_checks(READYZ_ETCD_DOWN));
    let reports = judge(&facts);
    assert_eq!(component(&reports, "etcd").verdict.health, Health::Down);
    let api = component(&reports, "kube-apiserver");
    assert_eq!(api.verdict.health, Health::Degraded);
    assert!(api.verdict.evidence.iter().any(|e| e.contains("etcd")));
}

#[test]
fn stale_lease_reads_down_with_its_age() {
    let mut facts = healthy_facts();
    facts.scheduler_lease = lease("sched-1", 900, 15);
    let reports = judge(&facts);
    let sched = component(&reports, "kube-scheduler");
    assert_eq!(sched.verdict.health, Health::Down);
    assert!(sched.verdict.evidence[0].contains("stale"), "{sched:?}");
    assert!(sched.verdict.evidence[0].contains("105s"), "{sched:?}");
}

#[test]
fn forbidden_lease_reads_unknown_with_the_reason() {
    let mut facts = healthy_facts();
    facts.controller_manager_lease = Source::Unavailable("forbidden: cannot get leases".into());
    let reports = judge(&facts);
    let kcm = component(&reports, "kube-controller-manager");
    assert_eq!(kcm.verdict.health, Health::Unknown);
    assert!(kcm.verdict.evidence[0].contains("forbidden"));
}

#[test]
fn unreachable_apiserver_is_down() {
    let mut facts = healthy_facts();
    facts.readyz = Source::Unavailable("connection refused".into());
    facts.livez = Source::Unavailable("connection refused".into());
    let reports = judge(&facts);
    assert_eq!(
        component(&reports, "kube-apiserver").verdict.health,
        Health::Down
    );
    assert_eq!(component(&reports, "etcd").verdict.health, Health::Unknown);
}

#[test]
fn static_pods_are_judged_with_the_component() {
    let mut facts = healthy_facts();
    facts.static_pods = Source::Read(vec![
        (
            "kube-scheduler".into(),
            StaticPodFacts {
                name: "kube-scheduler-cp1".into(),
                phase: "Running".into(),
                ready: false,
                restarts: 4,
            },
        ),
        (
            "etcd".into(),
            StaticPodFacts {
                name: "etcd-cp1".into(),
                phase: "Running".into(),
                ready: true,
                restarts: 0,
            },
        ),
    ]);
    let reports = judge(&facts);
    let sched = component(&reports, "kube-scheduler");
    assert_eq!(sched.verdict.health, Health::Degraded);
    assert!(
        sched
            .verdict
            .evidence
            .iter()
            .any(|e| e.contains("4 restarts"))
    );
    let etcd = component(&reports, "etcd");
    assert_eq!(etcd.verdict.health, Health::Healthy);
    assert!(etcd.verdict.evidence.iter().any(|e| e.contains("etcd-cp1")));
}
