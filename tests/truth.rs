//! Diff truth on the real control plane: no false alarm after a sync, every live edit
//! shown with its owner (removed fields too), and sync repairing what the merge cannot.

mod common;

use common::app::{TestApp, drift_of};
use common::repo::config_map;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Service};
use kdrift::cluster::apply::apply;
use kdrift::cluster::discovery;
use kdrift::cluster::drift::{DriftOptions, DryRunCache, compute};
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::model::desired::DesiredSet;
use kdrift::model::drift::SyncStatus;
use kdrift::model::tracking::with_tracking;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

fn as_manager(manager: &str) -> PatchParams {
    PatchParams {
        field_manager: Some(manager.into()),
        ..Default::default()
    }
}

fn deployment_with_env(name: &str, value: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        env:\n        - {{name: ROUND, value: \"{value}\"}}\n"
    )
}

fn service(name: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{extra}  selector: {{app: {name}}}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n"
    )
}

fn desired(app: &TestApp) -> DesiredSet {
    app.desired()
}

/// Applies every object as kdrift's sync does (server-side apply, tracking mark),
/// namespaces first, and returns at once: what a sync leaves behind for the next look.
async fn apply_all(conn: &Connection, set: &DesiredSet, app: &TestApp) {
    let applyset = kdrift::model::applyset::app_id(&app.name, &app.ns);
    let resolved = discovery::resolve(conn, set.objects.values().map(|m| &m.id))
        .await
        .expect("discovery");
    let mut objects: Vec<_> = set.objects.values().collect();
    objects.sort_by_key(|m| m.id.kind != "Namespace");
    for m in objects {
        let served = discovery::lookup(&resolved, &m.id)
            .and_then(|r| r.as_ref().ok())
            .expect("served");
        let body = with_tracking(&m.tree(), &app.name, &applyset);
        apply(conn, served, &body, "kdrift", false, false)
            .await
            .unwrap_or_else(|e| panic!("apply {}: {e}", m.id));
    }
}

#[tokio::test]
async fn sync_then_diff_is_in_sync_every_time() {
    let app = TestApp::new("settle", true);
    for i in 0..10 {
        app.repo.write(
            &format!("app/cm-{i}.yaml"),
            &config_map(&format!("cm-{i}"), "k", "v"),
        );
        app.repo.write(
            &format!("app/svc-{i}.yaml"),
            &service(&format!("web-{i}"), ""),
        );
    }
    let conn = Connection::open(&ConnectOptions {
        kubeconfig: Some(common::cluster().admin_kubeconfig.clone()),
        ..Default::default()
    })
    .await
    .expect("connect");
    // The dry-run path (the local verdict would decide most of these without one).
    let mut opts = DriftOptions::new(&app.name, &app.ns);
    opts.local_verdicts = false;
    let mut failures = Vec::new();
    for round in 0..20 {
        // Every round rolls every Deployment out: the deployment controller writes its
        // revision annotation (and status) just after the apply, while the diff looks.
        for i in 0..10 {
            app.repo.write(
                &format!("app/web-{i}.yaml"),
                &deployment_with_env(&format!("web-{i}"), &round.to_string()),
            );
        }
        app.repo.commit(&format!("round {round}"));
        let set = desired(&app);
        apply_all(&conn, &set, &app).await;
        let report = compute(&conn, &set, &opts, &DryRunCache::default())
            .await
            .expect("diff");
        let off: Vec<String> = report
            .objects
            .iter()
            .filter(|o| o.status != SyncStatus::Synced)
            .map(|o| format!("{} {}: {}", o.status, o.key, o.reason))
            .collect();
        if !off.is_empty() {
            failures.push(format!("round {round}: {}", off.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of 20 rounds: {}",
        failures.len(),
        failures.join("\n")
    );
    // And through the binary, as a user runs it.
    app.sync(&[]);
    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(doc["summary"]["Synced"], 31, "{doc:#}");
    app.delete_namespace().await;
}

#[tokio::test]
async fn a_port_changed_by_hand_is_drift_and_sync_repairs_it() {
    let app = TestApp::new("port", true);
    // A second port whose allocated nodePort the repair must leave alone.
    app.repo.write(
        "app/svc.yaml",
        &service("web", "  type: NodePort\n").replace(
            "    targetPort: 8080\n",
            "    targetPort: 8080\n  - name: metrics\n    port: 9090\n",
        ),
    );
    app.repo.commit("service");
    app.sync(&[]);
    let client = common::admin_client().await;
    let services: Api<Service> = Api::namespaced(client, &app.ns);
    let metrics_node_port = |s: Service| {
        s.spec
            .and_then(|s| s.ports)
            .and_then(|p| p.into_iter().find(|p| p.port == 9090))
            .and_then(|p| p.node_port)
    };
    let allocated = metrics_node_port(services.get("web").await.expect("get"));
    assert!(allocated.is_some());
    services
        .patch(
            "web",
            &as_manager("kubectl-patch"),
            &Patch::Json::<()>(
                serde_json::from_value(json!([
                    {"op": "replace", "path": "/spec/ports/0/port", "value": 81}
                ]))
                .expect("patch"),
            ),
        )
        .await
        .expect("change the port by hand");

    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 1, "drift, not an error: {doc:#}");
    let svc = TestApp::object(&doc, "Service", "web");
    assert_eq!(svc["status"], "OutOfSync", "{svc:#}");
    let drift = drift_of(svc);
    assert!(
        drift.contains(&(
            "spec.ports[port=81,protocol=TCP]".into(),
            "kubectl-patch".into(),
            false
        )),
        "{drift:?}"
    );
    assert!(
        drift
            .iter()
            .any(|(p, _, removed)| p == "spec.ports[port=80,protocol=TCP]" && *removed),
        "{drift:?}"
    );
    assert!(svc["repair"]["pointer"] == "/spec/ports", "{svc:#}");
    let (code, _) = app.text("diff", &["--lens", "drift"]);
    assert_eq!(code, 1, "the drift lens sees it without the dry-run");

    // Not without a confirmation (stdin is not a terminal): nothing written.
    let (code, text) = app.text("sync", &[]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains("removes spec.ports[port=81,protocol=TCP] (set by kubectl-patch) and adds Git's spec.ports[port=80,protocol=TCP] in /spec/ports"),
        "{text}"
    );
    let port = |s: Service| s.spec.and_then(|s| s.ports).map(|p| p[0].port);
    assert_eq!(port(services.get("web").await.expect("get")), Some(81));

    let text = app.sync(&[]);
    assert!(text.contains("repaired /spec/ports"), "{text}");
    let repaired = services.get("web").await.expect("get");
    assert_eq!(
        metrics_node_port(repaired.clone()),
        allocated,
        "the untouched item keeps its nodePort"
    );
    let ports: Vec<i32> = repaired
        .spec
        .and_then(|s| s.ports)
        .map(|p| p.iter().map(|p| p.port).collect())
        .unwrap_or_default();
    let mut ports = ports;
    ports.sort();
    assert_eq!(ports, [80, 9090], "Git's ports, the hand-made one gone");
    let (code, text) = app.text("diff", &[]);
    assert_eq!(code, 0, "{text}");
    app.delete_namespace().await;
}

#[tokio::test]
async fn a_manifest_the_server_rejects_exits_one_present_or_absent() {
    let app = TestApp::new("rejected", true);
    app.repo.write("app/svc.yaml", &service("web", ""));
    app.repo.commit("service");
    app.sync(&[]);
    // Git now asks for a port no Service may have; and a new object equally invalid.
    app.repo.write(
        "app/svc.yaml",
        &service("web", "").replace("port: 80", "port: 99999"),
    );
    app.repo.write(
        "app/other.yaml",
        &service("other", "").replace("port: 80", "port: 99999"),
    );
    app.repo.commit("invalid");
    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    assert_eq!(
        TestApp::object(&doc, "Service", "web")["status"],
        "OutOfSync"
    );
    assert_eq!(
        TestApp::object(&doc, "Service", "other")["status"],
        "Missing"
    );
    let web = TestApp::object(&doc, "Service", "web");
    assert!(
        web["dry_run_error"]
            .as_str()
            .is_some_and(|e| e.contains("99999")),
        "{web:#}"
    );
    app.delete_namespace().await;
}

#[tokio::test]
async fn client_side_applied_objects_converge() {
    let app = TestApp::new("csa", true);
    app.repo.write(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n  extra: \"yes\"\n",
    );
    app.repo
        .write("app/web.yaml", &deployment_with_env("web", "1"));
    app.repo.commit("settings");
    let kubeconfig = common::cluster().admin_kubeconfig.clone();
    let kubectl = |args: &[&str]| {
        let out = std::process::Command::new(common::built_kubectl())
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args)
            .current_dir(app.repo.path())
            .output()
            .expect("kubectl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    kubectl(&["apply", "-f", "app/namespace.yaml"]);
    kubectl(&[
        "apply",
        "-n",
        &app.ns,
        "-f",
        "app/cm.yaml",
        "-f",
        "app/web.yaml",
    ]);
    let text = app.sync(&[]);
    assert!(text.contains("moved field ownership"), "{text}");

    app.repo.write(
        "app/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n",
    );
    app.repo.write(
        "app/web.yaml",
        &deployment_with_env("web", "1")
            .replace("        env:\n        - {name: ROUND, value: \"1\"}\n", ""),
    );
    app.repo.commit("extra and env removed from Git");
    app.sync(&[]);
    let (code, text) = app.text("diff", &[]);
    assert_eq!(code, 0, "{text}");
    let client = common::admin_client().await;
    let cm = Api::<ConfigMap>::namespaced(client.clone(), &app.ns)
        .get("settings")
        .await
        .expect("cm");
    let web = Api::<Deployment>::namespaced(client.clone(), &app.ns)
        .get("web")
        .await
        .expect("deployment");
    let cm = serde_json::to_value(cm).expect("json");
    let web = serde_json::to_value(web).expect("json");
    assert!(
        cm.pointer("/data/extra").is_none(),
        "removed from Git, removed live: {cm:#}"
    );
    assert!(
        web.pointer("/spec/template/spec/containers/0/env")
            .is_none(),
        "removed from Git, removed live: {web:#}"
    );
    for (kind, live) in [("ConfigMap", &cm), ("Deployment", &web)] {
        assert!(
            live.pointer("/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration")
                .is_none(),
            "{kind}: {live:#}"
        );
        let managers: Vec<&str> = live["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["manager"].as_str())
            .collect();
        assert!(
            !managers.contains(&"kubectl-client-side-apply"),
            "{kind}: {managers:?}"
        );
    }
    app.delete_namespace().await;
}

/// `kdrift` with its own cache and log directories, logging every dry-run request.
fn isolated(app: &TestApp, dirs: &std::path::Path, args: &[&str]) -> (i32, usize) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&common::cluster().admin_kubeconfig)
        .args(args)
        .args([
            "--path",
            "app",
            "--namespace",
            &app.ns,
            "--app-name",
            &app.name,
        ])
        .current_dir(app.repo.path())
        .env("XDG_CACHE_HOME", dirs.join("cache"))
        .env("XDG_DATA_HOME", dirs.join("data"))
        .env("KDRIFT_LOG", "kdrift::dry_run=debug")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run kdrift");
    let log = dirs.join("data/kdrift/kdrift.log");
    let requests = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("dry-run"))
        .count();
    let _ = std::fs::remove_file(&log);
    (out.status.code().unwrap_or(-1), requests)
}

#[tokio::test]
async fn an_unchanged_app_is_judged_without_dry_runs_and_a_change_is_never_missed() {
    let app = TestApp::new("verdicts", true);
    for i in 0..5 {
        app.repo.write(
            &format!("app/cm-{i}.yaml"),
            &config_map(&format!("cm-{i}"), "k", "v"),
        );
    }
    app.repo
        .write("app/web.yaml", &deployment_with_env("web", "1"));
    app.repo.write("app/svc.yaml", &service("svc", ""));
    app.repo.commit("app");
    let dirs = tempfile::tempdir().expect("tempdir");
    let (code, _) = isolated(&app, dirs.path(), &["sync", "--yes"]);
    assert_eq!(code, 0);
    // Right after kdrift's sync (the deployment controller wrote status and its revision
    // annotation meanwhile): no request.
    assert_eq!(isolated(&app, dirs.path(), &["diff"]), (0, 0));
    // Someone else's label: Git's apply would change nothing (the label is not Git's), and
    // no default can stand in a label: the live object answers, no request.
    let client = common::admin_client().await;
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), &app.ns);
    configs
        .patch(
            "cm-3",
            &as_manager("kubectl-label"),
            &Patch::Merge(json!({"metadata": {"labels": {"hotfix": "yes"}}})),
        )
        .await
        .expect("label");
    assert_eq!(isolated(&app, dirs.path(), &["diff"]), (1, 0));
    // A field Git leaves to the server's default, set by someone else: only the dry-run
    // create knows the default it is judged against.
    Api::<Service>::namespaced(client.clone(), &app.ns)
        .patch(
            "svc",
            &as_manager("kubectl-edit"),
            &Patch::Merge(json!({"spec": {"sessionAffinity": "ClientIP"}})),
        )
        .await
        .expect("session affinity");
    assert_eq!(isolated(&app, dirs.path(), &["diff"]), (1, 1));
    // The server's answers for it are kept: asked again unchanged, nothing is dry-run, and
    // the answer is the same.
    assert_eq!(isolated(&app, dirs.path(), &["diff"]), (1, 0));
    // A changed Git object is dry-run again too.
    app.repo
        .write("app/cm-1.yaml", &config_map("cm-1", "k", "changed"));
    app.repo.commit("cm-1 changed");
    let (code, requests) = isolated(&app, dirs.path(), &["diff"]);
    assert_eq!(code, 1);
    assert_eq!(
        requests, 1,
        "cm-1 alone (one forced apply: nobody else owns a field, so no create): svc's answers are kept"
    );
    // Each lens asks only what it shows: the preview cm-1's apply alone (the others' are
    // known without asking), live drift a create for cm-1 (its apply not asked, nothing
    // stands in for it) and for svc; cm-3's apply is known, so its label needs none.
    assert_eq!(
        isolated(&app, dirs.path(), &["diff", "--lens", "preview"]).1,
        1
    );
    assert_eq!(
        isolated(&app, dirs.path(), &["diff", "--lens", "drift"]).1,
        2
    );
    app.delete_namespace().await;
}
