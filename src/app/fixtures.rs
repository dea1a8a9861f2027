//! Fixture state for tests, snapshots and benchmarks: built by the real model functions
//! from fixed Kubernetes facts and objects, so it looks like a real cluster.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::state::AppState;
use crate::cluster::drift::DriftReport;
use crate::config::keymap::KeyMap;
use crate::git::history::{CommitSummary, HistoryEntry};
use crate::model::desired::ObjectChanges;
use crate::model::drift::{Desired, Inputs, Preview, assess};
use crate::model::health::Source;
use crate::model::health::control_plane::{
    self, ControlPlaneFacts, LeaseFacts, parse_verbose_checks,
};
use crate::model::health::node::{self, ConditionFacts, NodeFacts, PodState};
use crate::model::health::report::HealthReport;
use crate::model::object::{Compact, Manifest, ObjectId, SourceRef};

const NOW: i64 = 1_790_000_000;

fn ts(secs: i64) -> Timestamp {
    Timestamp::from_second(secs).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn node_facts(name: &str, heartbeat_age: i64) -> NodeFacts {
    let cond = |t: &str, s: &str, r: &str| ConditionFacts {
        type_: t.into(),
        status: s.into(),
        reason: Some(r.into()),
        message: None,
        last_transition: Some(ts(NOW - 3600)),
    };
    NodeFacts {
        name: name.into(),
        conditions: vec![
            cond("Ready", "True", "KubeletReady"),
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID"),
            cond("NetworkUnavailable", "False", "RouteCreated"),
        ],
        kubelet_version: Some("kwok-0.8.0".into()),
        lease: Source::Read(Some(LeaseFacts {
            holder: Some(name.into()),
            renew_time: Some(ts(NOW - heartbeat_age)),
            duration_secs: Some(40),
        })),
        unschedulable: false,
        taints: vec![],
        kube_proxy: Source::Read(Some(PodState {
            name: format!("kube-proxy-{name}"),
            phase: "Running".into(),
            ready: true,
            restarts: 0,
        })),
        pod_count: Source::Read(4),
    }
}

pub fn health() -> HealthReport {
    let checks =
        parse_verbose_checks("[+]ping ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n");
    let lease = |h: &str| {
        Source::Read(Some(LeaseFacts {
            holder: Some(h.into()),
            renew_time: Some(ts(NOW - 2)),
            duration_secs: Some(15),
        }))
    };
    let facts = ControlPlaneFacts {
        version: Source::Read("v1.36.3".into()),
        readyz: Source::Read(checks.clone()),
        livez: Source::Read(checks),
        controller_manager_lease: lease("kcm_1"),
        scheduler_lease: lease("sched_1"),
        static_pods: Source::Read(vec![]),
        now: ts(NOW),
    };
    let nodes = vec![
        node::judge(&node_facts("node-1", 4), ts(NOW)),
        node::judge(&node_facts("node-2", 90), ts(NOW)),
    ];
    HealthReport::new(
        "admin@local".into(),
        "https://127.0.0.1:6443/".into(),
        control_plane::judge(&facts),
        Ok(nodes),
        None,
        vec![],
    )
}

fn deployment(name: &str, replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "shop", "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "app", "image": image}]}}}})
}

fn manifest(content: Value) -> Manifest {
    let kind = content["kind"].as_str().unwrap_or_default().to_string();
    let name = content["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (group, version) =
        crate::model::object::split_api_version(content["apiVersion"].as_str().unwrap_or_default());
    Manifest {
        id: ObjectId {
            group,
            version,
            kind,
            namespace: Some("shop".into()),
            name,
        },
        source: SourceRef {
            file: "app/shop.yaml".into(),
            document: 0,
            line: 1,
        },
        content: Compact::new(&content),
        unstable: Vec::new(),
    }
}

fn with_status(mut v: Value, managers: Value) -> Value {
    v["metadata"]["managedFields"] = managers;
    if v["kind"] == "Deployment" {
        let r = v["spec"]["replicas"].clone();
        v["metadata"]["generation"] = json!(1);
        v["status"] = json!({"observedGeneration": 1, "replicas": r, "updatedReplicas": r, "availableReplicas": r});
    }
    v
}

/// The drift of a small shop app: one object synced, one drifted by `kubectl-label`,
/// one scaled by hand, one missing.
pub fn drift() -> DriftReport {
    let ours = json!([{"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]);
    let labelled = json!([
        {"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
        {"manager": "kubectl-label", "operation": "Update", "time": "2026-01-01T00:00:00Z", "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}}}}}
    ]);
    let mut frontend_live = deployment("frontend", 2, "shop/frontend:1.4");
    frontend_live["metadata"]["labels"]["team"] = json!("payments");
    let cases = vec![
        (
            deployment("api", 2, "shop/api:2.0"),
            Some(with_status(
                deployment("api", 2, "shop/api:2.0"),
                ours.clone(),
            )),
        ),
        (
            deployment("frontend", 2, "shop/frontend:1.4"),
            Some(with_status(frontend_live, labelled)),
        ),
        (
            deployment("worker", 1, "shop/worker:3.1"),
            Some(with_status(
                deployment("worker", 3, "shop/worker:3.1"),
                ours,
            )),
        ),
        (
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": {"mode": "fast"}}),
            None,
        ),
    ];
    let objects = cases
        .into_iter()
        .map(|(git, live)| {
            let m = manifest(git.clone());
            let key = m.id.key();
            let preview = Preview {
                result: Ok(live
                    .clone()
                    .map(|mut l| {
                        l["spec"]["replicas"] = git["spec"]["replicas"].clone();
                        l
                    })
                    .unwrap_or(git)),
                conflicts: vec![],
                namespace_missing: false,
            };
            std::sync::Arc::new(assess(&Inputs {
                key: &key,
                desired: Some(Desired {
                    source: &m.source,
                    content: &m.tree(),
                }),
                live: live.as_ref(),
                preview: Some(&preview),
                reference: None,
                field_manager: "kdrift",
                deadline: std::time::Duration::from_millis(500),
                rules: &[],
                silenced: &[],
                known: false,
            }))
        })
        .collect();
    DriftReport {
        app: "shop".into(),
        objects,
        handles: HashMap::new(),
        load_errors: Vec::new(),
        live_secret_values: Vec::new(),
        pending: 0,
    }
}

pub fn history() -> Vec<HistoryEntry> {
    let key = |name: &str| crate::model::object::ObjectKey {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: Some("shop".into()),
        name: name.into(),
    };
    [
        ("c3d4e5f", "Scale the worker", "worker"),
        ("b2c3d4e", "Bump frontend to 1.4", "frontend"),
        ("a1b2c3d", "Initial release", "api"),
    ]
    .iter()
    .enumerate()
    .map(|(i, (short, subject, name))| HistoryEntry {
        commit: CommitSummary {
            id: format!("{short}{}", "0".repeat(33)),
            short: short.to_string(),
            author: "Ada Operator".into(),
            email: "ada@example.test".into(),
            time: NOW - 3600 * (i as i64 + 1) * 24,
            subject: subject.to_string(),
            parent: None,
            oid: gix::ObjectId::null(gix::hash::Kind::Sha1),
        },
        changes: Some(ObjectChanges {
            added: vec![],
            removed: vec![],
            modified: vec![key(name)],
        }),
        error: None,
    })
    .collect()
}

pub fn state() -> AppState {
    let mut s = AppState::new(
        "admin@local".into(),
        "https://127.0.0.1:6443/".into(),
        "shop".into(),
        "app".into(),
        "c3d4e5f".into(),
        KeyMap::default(),
    );
    s.data.health = Some(health());
    s.data.drift = Some(drift());
    s.history.entries = history();
    s.history.done = true;
    s.data.live = crate::model::drift::LiveState::Live;
    s.data.now_override = Some(NOW);
    s.rebuild();
    super::update::refresh_diff(&mut s);
    s
}
