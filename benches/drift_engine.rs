//! The drift engine on generated objects, without a cluster: both lenses, masking, diffs.
//!
//! `cargo bench --bench drift_engine` runs 1,000 objects (10% drifted); without `--bench`
//! (as `cargo test --all-targets` runs it) it only checks itself on 50.

use std::time::{Duration, Instant};

use kdrift::model::drift::{Desired, Inputs, Preview, SyncStatus, assess};
use kdrift::model::object::{Compact, Manifest, ObjectId, SourceRef};
use serde_json::{Value, json};

fn desired(i: usize) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": format!("web-{i}"), "namespace": "bench", "labels": {"app": format!("web-{i}")}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": format!("web-{i}")}},
            "template": {"metadata": {"labels": {"app": format!("web-{i}")}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                    "ports": [{"containerPort": 8080}],
                    "env": [{"name": "MODE", "value": "prod"}, {"name": "INDEX", "value": i.to_string()}]}]}}}
    })
}

/// The live object: desired plus server fields, defaults, status and managedFields; every
/// tenth one edited by another manager.
fn live(i: usize) -> Value {
    let mut v = desired(i);
    v["metadata"]["uid"] = json!(format!("uid-{i}"));
    v["metadata"]["resourceVersion"] = json!("12345");
    v["metadata"]["generation"] = json!(3);
    v["spec"]["revisionHistoryLimit"] = json!(10);
    v["spec"]["progressDeadlineSeconds"] = json!(600);
    v["spec"]["strategy"] = json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}});
    v["status"] = json!({"replicas": 2, "readyReplicas": 2, "availableReplicas": 2});
    let mut managed = vec![
        json!({"manager": "kdrift", "operation": "Apply", "fieldsV1": {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {
            ".": {}, "f:image": {}, "f:name": {}, "f:env": {"k:{\"name\":\"MODE\"}": {".": {}, "f:name": {}, "f:value": {}}}}}}}}}}),
    ];
    if i.is_multiple_of(10) {
        v["metadata"]["labels"]["team"] = json!("payments");
        v["spec"]["replicas"] = json!(5);
        managed.push(json!({"manager": "kubectl-label", "operation": "Update", "fieldsV1": {"f:metadata": {"f:labels": {"f:team": {}}}}}));
        managed.push(json!({"manager": "kubectl", "operation": "Update", "subresource": "scale", "fieldsV1": {"f:spec": {"f:replicas": {}}}}));
    }
    v["metadata"]["managedFields"] = Value::Array(managed);
    v
}

fn manifest(i: usize) -> Manifest {
    Manifest {
        id: ObjectId {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            namespace: Some("bench".into()),
            name: format!("web-{i}"),
        },
        source: SourceRef {
            file: "bench.yaml".into(),
            document: i,
            line: 1,
        },
        content: Compact::new(&desired(i)),
        unstable: Vec::new(),
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (n, runs) = if full { (1000, 5) } else { (50, 1) };
    let inputs: Vec<(Manifest, Value, Value, Preview)> = (0..n)
        .map(|i| {
            let live = live(i);
            let mut after = live.clone();
            after["spec"]["replicas"] = json!(2);
            (
                manifest(i),
                desired(i),
                live,
                Preview {
                    result: Ok(after),
                    conflicts: vec![],
                    namespace_missing: false,
                },
            )
        })
        .collect();
    let mut samples: Vec<Duration> = Vec::new();
    let mut out_of_sync = 0;
    for _ in 0..runs {
        let start = Instant::now();
        out_of_sync = inputs
            .iter()
            .map(|(m, content, live, preview)| {
                let key = m.id.key();
                assess(&Inputs {
                    key: &key,
                    desired: Some(Desired {
                        source: &m.source,
                        content,
                    }),
                    live: Some(live),
                    preview: Some(preview),
                    reference: None,
                    field_manager: "kdrift",
                    deadline: Duration::from_millis(500),
                    rules: &[],
                    silenced: &[],
                    known: false,
                })
            })
            .filter(|r| r.status == SyncStatus::OutOfSync)
            .count();
        samples.push(start.elapsed());
    }
    samples.sort();
    let median = samples[samples.len() / 2];
    assert_eq!(out_of_sync, n / 10, "every tenth object drifted");
    println!(
        "drift engine: {n} objects ({out_of_sync} drifted), median of {runs}: {:.1} ms ({:.1} µs per object)",
        median.as_secs_f64() * 1000.0,
        median.as_secs_f64() * 1e6 / n as f64
    );
}
