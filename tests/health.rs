//! `kdrift health` against the real local control plane. The tests here change what the
//! cluster reports (a frozen scheduler, an unready node, fake static pods), so they take a
//! lock and run one at a time.

mod common;

use std::process::Command;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::cmd::health::report;
use kdrift::model::health::Health;
use kdrift::model::health::report::HealthReport;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use serde_json::json;
use tokio::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::const_new(());

async fn connect(kubeconfig: &std::path::Path) -> Connection {
    Connection::open(&ConnectOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        ..Default::default()
    })
    .await
    .expect("connect")
}

async fn admin() -> Connection {
    connect(&common::cluster().admin_kubeconfig).await
}

fn component<'a>(
    r: &'a HealthReport,
    name: &str,
) -> &'a kdrift::model::health::control_plane::ComponentReport {
    r.control_plane
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name} in {r:?}"))
}

#[tokio::test]
async fn healthy_baseline() {
    let _serial = SERIAL.lock().await;
    let conn = admin().await;
    let r = report(&conn, &[]).await.expect("report");
    let api = component(&r, "kube-apiserver");
    assert_eq!(api.verdict.health, Health::Healthy, "{api:?}");
    assert!(
        api.verdict
            .evidence
            .iter()
            .any(|e| e.starts_with("/readyz: all")),
        "{api:?}"
    );
    assert_eq!(component(&r, "etcd").verdict.health, Health::Healthy);
    for name in ["kube-controller-manager", "kube-scheduler"] {
        let c = component(&r, name);
        assert_eq!(c.verdict.health, Health::Healthy, "{c:?}");
        assert!(c.verdict.evidence[0].starts_with("leader "), "{c:?}");
    }
    assert!(r.nodes.len() >= 2, "{:?}", r.nodes);
    for n in &r.nodes {
        assert_eq!(n.ready, "True", "{n:?}");
        assert!(n.heartbeat.as_ref().is_some_and(|h| !h.stale), "{n:?}");
        let proxy = n
            .kube_proxy
            .as_ref()
            .expect("a kube-proxy pod on every node");
        assert_eq!(proxy.phase, "Running", "{n:?}");
        assert_eq!(n.verdict.health, Health::Healthy, "{n:?}");
    }
    assert!(r.healthy);

    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&common::cluster().admin_kubeconfig)
        .args(["health", "--output", "json"])
        .output()
        .expect("run kdrift health");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["healthy"], true);
    assert_eq!(doc["control_plane"].as_array().map(Vec::len), Some(4));
    assert!(doc["nodes"][0]["heartbeat"]["age_secs"].is_i64());
}

/// Freezes a process with SIGSTOP and thaws it on drop, even when the test fails.
struct Frozen(String);

impl Frozen {
    fn new(pid: String) -> Self {
        let ok = Command::new("kill")
            .args(["-STOP", &pid])
            .status()
            .expect("kill -STOP");
        assert!(ok.success());
        Frozen(pid)
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-CONT", &self.0]).status();
    }
}

#[tokio::test]
async fn stopped_scheduler_goes_stale_and_comes_back() {
    let _serial = SERIAL.lock().await;
    let state = common::cluster()
        .state_dir
        .as_ref()
        .expect("this test stops the scheduler process: it needs the local control plane, not KDRIFT_TEST_KUBECONFIG");
    let pid =
        std::fs::read_to_string(state.join("pids/kube-scheduler.pid")).expect("scheduler pid");
    let conn = admin().await;
    {
        let _frozen = Frozen::new(pid.trim().to_string());
        let down = common::eventually("the scheduler to read Down", 60, || async {
            let r = report(&conn, &[]).await.ok()?;
            let c = component(&r, "kube-scheduler").clone();
            (c.verdict.health == Health::Down).then_some(c)
        })
        .await;
        assert!(down.verdict.evidence[0].contains("stale"), "{down:?}");
        assert!(
            down.verdict.evidence[0].contains("past its 15s duration"),
            "{down:?}"
        );
    }
    common::eventually("the scheduler to read Healthy again", 60, || async {
        let r = report(&conn, &[]).await.ok()?;
        (component(&r, "kube-scheduler").verdict.health == Health::Healthy).then_some(())
    })
    .await;
}

/// Deletes the named node (and its lease) on drop.
struct TempNode(String);

impl Drop for TempNode {
    fn drop(&mut self) {
        let kubeconfig = common::cluster().admin_kubeconfig.clone();
        let name = self.0.clone();
        // Drop cannot await; a short-lived runtime on another thread does the cleanup.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Runtime::new().expect("runtime");
            rt.block_on(async {
                let client = common::client_for(&kubeconfig).await;
                let _ = Api::<Node>::all(client.clone())
                    .delete(&name, &DeleteParams::default())
                    .await;
                let _ = Api::<Lease>::namespaced(client, "kube-node-lease")
                    .delete(&name, &DeleteParams::default())
                    .await;
            });
        })
        .join();
    }
}

#[tokio::test]
async fn unready_node_and_stale_node_lease() {
    let _serial = SERIAL.lock().await;
    let conn = admin().await;
    let client = conn.client.clone();
    // Not annotated for KWOK, so nothing heartbeats for it or resets its conditions.
    let name = common::unique_name("unmanaged-node");
    let _cleanup = TempNode(name.clone());
    let nodes: Api<Node> = Api::all(client.clone());
    let node: Node = serde_json::from_value(json!({"metadata": {"name": name}})).expect("node");
    nodes
        .create(&PostParams::default(), &node)
        .await
        .expect("create node");
    let now = jiff::Timestamp::now();
    nodes
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"conditions": [{
                "type": "Ready", "status": "False", "reason": "KubeletNotReady",
                "message": "container runtime network not ready",
                "lastHeartbeatTime": now.to_string(), "lastTransitionTime": now.to_string()
            }]}})),
        )
        .await
        .expect("patch node status");
    let leases: Api<Lease> = Api::namespaced(client.clone(), "kube-node-lease");
    let mut lease: Lease = serde_json::from_value(json!({
        "metadata": {"name": name},
        "spec": {"holderIdentity": name, "leaseDurationSeconds": 40}
    }))
    .expect("lease");
    let renewed = now - jiff::SignedDuration::from_secs(120);
    if let Some(spec) = lease.spec.as_mut() {
        spec.renew_time = Some(MicroTime(renewed));
    }
    leases
        .create(&PostParams::default(), &lease)
        .await
        .expect("create lease");

    let r = report(&conn, &[]).await.expect("report");
    let n = r
        .nodes
        .iter()
        .find(|n| n.name == name)
        .expect("the new node");
    assert_eq!(n.ready, "False");
    assert_eq!(n.verdict.health, Health::Down, "{n:?}");
    let evidence = n.verdict.evidence.join("; ");
    assert!(evidence.contains("KubeletNotReady"), "{evidence}");
    let heartbeat = n.heartbeat.as_ref().expect("heartbeat from the lease");
    assert!(
        heartbeat.stale && heartbeat.age_secs >= 120,
        "{heartbeat:?}"
    );
    assert!(evidence.contains("heartbeat stale"), "{evidence}");
    assert!(!r.healthy);
}

async fn create_namespace(client: &kube::Client) -> String {
    let ns = common::unique_name("health");
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": ns}})).expect("ns");
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .expect("create namespace");
    ns
}

#[tokio::test]
async fn workloads_progress_degrade_and_complete() {
    let _serial = SERIAL.lock().await;
    let conn = admin().await;
    let client = conn.client.clone();
    let ns = create_namespace(&client).await;
    let apply = |doc: serde_json::Value| {
        let client = client.clone();
        let ns = ns.clone();
        async move {
            let kind = doc["kind"].as_str().unwrap_or_default().to_string();
            let name = doc["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let (group, version) = match doc["apiVersion"]
                .as_str()
                .unwrap_or_default()
                .split_once('/')
            {
                Some((g, v)) => (g.to_string(), v.to_string()),
                None => (String::new(), "v1".to_string()),
            };
            let gvk = kube::api::GroupVersionKind::gvk(&group, &version, &kind);
            let ar = kube::api::ApiResource::from_gvk(&gvk);
            let api: Api<kube::api::DynamicObject> = Api::namespaced_with(client, &ns, &ar);
            api.patch(
                &name,
                &PatchParams::apply("kdrift-test"),
                &Patch::Apply(doc),
            )
            .await
            .expect("apply");
        }
    };
    // Pods that can never schedule, and a short deadline so the rollout gives up quickly.
    apply(json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "stuck"},
        "spec": {"replicas": 2, "progressDeadlineSeconds": 10,
            "selector": {"matchLabels": {"app": "stuck"}},
            "template": {"metadata": {"labels": {"app": "stuck"}},
                "spec": {"nodeSelector": {"kdrift.test/no-such-node": "true"},
                         "containers": [{"name": "app", "image": "example.invalid/app:1"}]}}}
    }))
    .await;
    apply(json!({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "task", "image": "busybox:1.36"}]}}}
    }))
    .await;

    let namespaces = vec![ns.clone()];
    let health_of = |kind: &'static str, name: &'static str| {
        let conn = conn.clone();
        let namespaces = namespaces.clone();
        async move {
            let r = report(&conn, &namespaces).await.ok()?;
            r.workloads?
                .into_iter()
                .find(|w| w.kind == kind && w.name == name)
        }
    };
    let first = health_of("Deployment", "stuck")
        .await
        .expect("the deployment");
    assert_eq!(first.verdict.health, Health::Progressing, "{first:?}");
    let degraded = common::eventually("the stuck deployment to read Degraded", 90, || async {
        health_of("Deployment", "stuck")
            .await
            .filter(|w| w.verdict.health == Health::Degraded)
    })
    .await;
    assert!(
        degraded.verdict.evidence[0].contains("ProgressDeadlineExceeded"),
        "{degraded:?}"
    );
    let job = common::eventually("the job to complete", 90, || async {
        health_of("Job", "once")
            .await
            .filter(|w| w.verdict.health == Health::Healthy)
    })
    .await;
    assert_eq!(job.verdict.evidence[0], "completed");

    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[tokio::test]
async fn kubeadm_style_static_pods_are_found_and_judged() {
    let _serial = SERIAL.lock().await;
    let conn = admin().await;
    let pods: Api<Pod> = Api::namespaced(conn.client.clone(), "kube-system");
    let suffix = common::unique_name("cp");
    let make = |component: &str, node: &str| -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": format!("{component}-{suffix}"), "labels": {"component": component, "tier": "control-plane"}},
            "spec": {"nodeName": node, "containers": [{"name": component, "image": format!("registry.k8s.io/{component}:v1.36.3")}]}
        }))
        .expect("pod")
    };
    // On a KWOK node the pod goes Running and Ready; on a node that does not exist it stays
    // Pending, as a static pod whose kubelet is gone would.
    let ready = make("etcd", "kdrift-node-1");
    let stuck = make("kube-controller-manager", "kdrift-absent-node");
    let names = [
        ready.metadata.name.clone().unwrap_or_default(),
        stuck.metadata.name.clone().unwrap_or_default(),
    ];
    pods.create(&PostParams::default(), &ready)
        .await
        .expect("create etcd pod");
    pods.create(&PostParams::default(), &stuck)
        .await
        .expect("create kcm pod");

    let r = common::eventually("the etcd static pod to run", 60, || async {
        let r = report(&conn, &[]).await.ok()?;
        component(&r, "etcd")
            .verdict
            .evidence
            .iter()
            .any(|e| e.contains(&names[0]) && e.contains("Running, ready"))
            .then_some(r)
    })
    .await;
    assert_eq!(component(&r, "etcd").verdict.health, Health::Healthy);
    let kcm = component(&r, "kube-controller-manager");
    assert_eq!(kcm.verdict.health, Health::Degraded, "{kcm:?}");
    assert!(
        kcm.verdict
            .evidence
            .iter()
            .any(|e| e.contains(&names[1]) && e.contains("not ready")),
        "{kcm:?}"
    );

    for name in &names {
        let _ = pods
            .delete(name, &DeleteParams::default().grace_period(0))
            .await;
    }
}

#[tokio::test]
async fn restricted_user_gets_unknown_with_forbidden_and_the_rest() {
    let cluster = common::cluster();
    let kubeconfig = cluster
        .restricted_kubeconfig
        .as_ref()
        .expect("a restricted kubeconfig (set KDRIFT_TEST_RESTRICTED_KUBECONFIG with KDRIFT_TEST_KUBECONFIG)");
    let conn = connect(kubeconfig).await;
    let r = report(&conn, std::slice::from_ref(&cluster.restricted_namespace))
        .await
        .expect("report");
    assert_eq!(
        component(&r, "kube-apiserver").verdict.health,
        Health::Healthy
    );
    assert_eq!(component(&r, "etcd").verdict.health, Health::Healthy);
    let sched = component(&r, "kube-scheduler");
    assert_eq!(sched.verdict.health, Health::Unknown);
    assert!(sched.verdict.evidence[0].contains("forbidden"), "{sched:?}");
    let nodes = r.nodes_unavailable.as_deref().expect("nodes are forbidden");
    assert!(nodes.contains("forbidden: cannot list nodes"), "{nodes}");
    assert!(r.workloads.is_some(), "its own namespace is readable");
    assert!(
        r.workloads_unavailable.is_empty(),
        "{:?}",
        r.workloads_unavailable
    );
    assert!(!r.healthy);

    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("health")
        .output()
        .expect("run kdrift health");
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("forbidden: cannot list nodes"), "{text}");
}

#[test]
fn unreachable_server_exits_2_with_a_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = dir.path().join("kubeconfig");
    // Port 1 on loopback: nothing listens there.
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: not-a-secret\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n",
    )
    .expect("write kubeconfig");
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&kubeconfig)
        .arg("health")
        .output()
        .expect("run kdrift health");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot reach the API server at https://127.0.0.1:1"),
        "{err}"
    );
}

#[tokio::test]
async fn an_apps_objects_are_judged_and_missing_ones_named() {
    let _serial = SERIAL.lock().await;
    let conn = admin().await;
    let ns = create_namespace(&conn.client).await;
    let repo = common::repo::TestRepo::new();
    repo.write(
        "app/web.yaml",
        &common::repo::deployment("web", 1, "nginx:1.27"),
    );
    repo.write("app/cm.yaml", &common::repo::config_map("absent", "a", "1"));
    repo.commit("app");
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(conn.client.clone(), &ns);
    let body: serde_json::Value =
        serde_saphyr::from_str(&common::repo::deployment("web", 1, "nginx:1.27")).expect("yaml");
    deployments
        .patch(
            "web",
            &PatchParams::apply("kdrift-test"),
            &Patch::Apply(body),
        )
        .await
        .expect("apply");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_kdrift"))
            .arg("--kubeconfig")
            .arg(&common::cluster().admin_kubeconfig)
            .args([
                "health",
                "--path",
                "app",
                "--app-namespace",
                &ns,
                "--output",
                "json",
            ])
            .current_dir(repo.path())
            .output()
            .expect("run kdrift health")
    };
    let doc = common::eventually("the app's deployment to be healthy", 60, || async {
        let out = run();
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
        let web = doc["workloads"]
            .as_array()?
            .iter()
            .find(|w| w["name"] == "web")?
            .clone();
        (web["health"] == "Healthy").then_some((doc, out.status.code()))
    })
    .await;
    let (doc, code) = doc;
    let absent = doc["workloads"]
        .as_array()
        .and_then(|w| w.iter().find(|w| w["name"] == "absent").cloned())
        .expect("absent");
    assert_eq!(absent["health"], "Missing");
    assert_eq!(code, Some(1), "a missing object is not healthy");
    let _ = Api::<Namespace>::all(conn.client.clone())
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[tokio::test]
async fn all_namespaces_judges_the_workloads_of_every_namespace() {
    let conn = admin().await;
    let ns = create_namespace(&conn.client).await;
    let service: k8s_openapi::api::core::v1::Service = serde_json::from_value(json!({
        "metadata": {"name": "every-ns-svc"},
        "spec": {"ports": [{"port": 80}], "selector": {"app": "x"}}
    }))
    .expect("service");
    Api::<k8s_openapi::api::core::v1::Service>::namespaced(conn.client.clone(), &ns)
        .create(&PostParams::default(), &service)
        .await
        .expect("create service");
    let health = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kdrift"))
            .arg("--kubeconfig")
            .arg(&common::cluster().admin_kubeconfig)
            .arg("health")
            .args(args)
            .output()
            .expect("run kdrift health")
    };
    let out = health(&["-A", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let workloads = doc["workloads"].as_array().expect("workloads");
    let seen = |ns: &str, name: &str| {
        workloads
            .iter()
            .any(|w| w["namespace"] == ns && w["name"] == name)
    };
    assert!(seen(&ns, "every-ns-svc"), "{doc}");
    assert!(seen("default", "kubernetes"), "{doc}");
    let refused = health(&["-A", "-n", "default"]);
    assert_eq!(refused.status.code(), Some(2));
    let _ = Api::<Namespace>::all(conn.client.clone())
        .delete(&ns, &DeleteParams::default())
        .await;
}
