//! The drift engine against the real local control plane.

mod common;

use std::process::Command;

use common::repo::{TestRepo, config_map, deployment};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use kdrift::cluster::apply::apply;
use kdrift::cluster::discovery;
use kdrift::cluster::drift::{DriftOptions, DriftReport, DryRunCache, compute};
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::git::{App, AppSpec, Revision};
use kdrift::model::desired::DesiredSet;
use kdrift::model::drift::SyncStatus;
use kdrift::model::tracking::with_tracking;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;

async fn connect(kubeconfig: &std::path::Path) -> Connection {
    Connection::open(&ConnectOptions {
        kubeconfig: Some(kubeconfig.to_path_buf()),
        context: None,
        ..Default::default()
    })
    .await
    .expect("connect")
}

fn desired(repo: &TestRepo, ns: &str) -> DesiredSet {
    App::open(&AppSpec {
        repo: Some(repo.path().to_path_buf()),
        path: "app".into(),
        load: kdrift::model::manifest::LoadOptions {
            namespace: ns.into(),
            ..Default::default()
        },
        tools: Default::default(),
    })
    .expect("app")
    .desired(&Revision::Rev("HEAD".into()))
    .expect("desired")
}

/// Applies every object as kdrift's sync does (server-side apply, field manager `kdrift`,
/// tracking label), namespaces first.
async fn sync(conn: &Connection, set: &DesiredSet, app: &str, ns: &str) {
    let applyset = kdrift::model::applyset::app_id(app, ns);
    let resolved = discovery::resolve(conn, set.objects.values().map(|m| &m.id))
        .await
        .expect("discovery");
    let mut objects: Vec<_> = set.objects.values().collect();
    objects.sort_by_key(|m| m.id.kind != "Namespace");
    for m in objects {
        let served = discovery::lookup(&resolved, &m.id)
            .and_then(|r| r.as_ref().ok())
            .expect("served");
        apply(
            conn,
            served,
            &with_tracking(&m.tree(), app, &applyset),
            "kdrift",
            false,
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("apply {}: {e}", m.id));
    }
}

async fn diff(conn: &Connection, set: &DesiredSet, app: &str, ns: &str) -> DriftReport {
    compute(
        conn,
        set,
        &DriftOptions::new(app, ns),
        &DryRunCache::default(),
    )
    .await
    .expect("compute drift")
}

fn status_of(report: &DriftReport, key: &str) -> SyncStatus {
    report
        .objects
        .iter()
        .find(|o| o.key.to_string() == key)
        .unwrap_or_else(|| {
            panic!(
                "no {key} in {:#?}",
                report
                    .objects
                    .iter()
                    .map(|o| o.key.to_string())
                    .collect::<Vec<_>>()
            )
        })
        .status
}

fn object<'a>(report: &'a DriftReport, key: &str) -> &'a kdrift::model::drift::ObjectReport {
    report
        .objects
        .iter()
        .find(|o| o.key.to_string() == key)
        .expect("object")
}

fn app_repo(ns: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    // No strategy, revisionHistoryLimit, probes' defaults…: the API server fills them in.
    repo.write("app/web.yaml", &deployment("web", 2, "nginx:1.27"));
    repo.write("app/settings.yaml", &config_map("settings", "mode", "fast"));
    repo.write(
        "app/service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: 8080\n",
    );
    repo.commit("app");
    repo
}

#[tokio::test]
async fn applied_objects_are_synced_and_foreign_changes_are_attributed() {
    let conn = connect(&common::cluster().admin_kubeconfig).await;
    let ns = common::unique_name("drift");
    let app = format!("test-{ns}");
    let repo = app_repo(&ns);
    let set = desired(&repo, &ns);
    sync(&conn, &set, &app, &ns).await;

    let report = diff(&conn, &set, &app, &ns).await;
    for o in &report.objects {
        assert_eq!(o.status, SyncStatus::Synced, "{o:#?}");
    }
    assert_eq!(report.objects.len(), 4);

    // Changes by other field managers.
    let client = conn.client.clone();
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let as_manager = |m: &str| PatchParams {
        field_manager: Some(m.into()),
        ..Default::default()
    };
    deployments
        .patch_scale(
            "web",
            &as_manager("kubectl-scale"),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("scale");
    deployments
        .patch(
            "web",
            &as_manager("kubectl-label"),
            &Patch::Merge(json!({"metadata": {"labels": {"team": "payments"}}})),
        )
        .await
        .expect("label");
    deployments
        .patch(
            "web",
            &as_manager("kubectl-edit"),
            &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [
                {"name": "app", "env": [{"name": "DEBUG", "value": "1"}]}]}}}})),
        )
        .await
        .expect("env");
    Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .patch(
            "settings",
            &as_manager("kubectl-patch"),
            &Patch::Merge(json!({"data": {"extra": "yes"}})),
        )
        .await
        .expect("configmap key");

    let report = diff(&conn, &set, &app, &ns).await;
    let web = object(&report, &format!("Deployment.apps/{ns}/web"));
    assert_eq!(web.status, SyncStatus::OutOfSync, "{web:#?}");
    let drift: Vec<(String, String)> = web
        .drift
        .iter()
        .map(|d| (d.path.clone(), d.manager.clone()))
        .collect();
    assert!(
        drift.contains(&("metadata.labels.team".into(), "kubectl-label".into())),
        "{drift:?}"
    );
    assert!(
        drift.iter().any(
            |(p, m)| p.starts_with("spec.template.spec.containers[name=app].env")
                && m == "kubectl-edit"
        ),
        "{drift:?}"
    );
    assert!(
        drift
            .iter()
            .any(|(p, m)| p == "spec.replicas" && m == "kubectl-scale"),
        "{drift:?}"
    );
    // The apply preview sees the replica count (Git sets it) but not the label or the env
    // var (Git does not set them, so a sync would keep them).
    let preview = &web.preview.as_ref().expect("preview").unified;
    assert!(
        preview.contains("-  replicas: 5") && preview.contains("+  replicas: 2"),
        "{preview}"
    );
    assert!(!preview.contains("team"), "{preview}");
    assert!(!preview.contains("DEBUG"), "{preview}");

    let settings = object(&report, &format!("ConfigMap/{ns}/settings"));
    assert_eq!(settings.status, SyncStatus::OutOfSync);
    assert!(
        settings.preview.as_ref().is_some_and(|p| p.is_empty()),
        "apply preview cannot see it"
    );
    assert_eq!(settings.drift[0].path, "data.extra");
    assert_eq!(settings.drift[0].manager, "kubectl-patch");
    assert_eq!(
        status_of(&report, &format!("Service/{ns}/web")),
        SyncStatus::Synced
    );

    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[tokio::test]
async fn missing_extra_and_unknown() {
    let conn = connect(&common::cluster().admin_kubeconfig).await;
    let ns = common::unique_name("drift");
    let app = format!("test-{ns}");
    let repo = app_repo(&ns);
    repo.write("app/old.yaml", &config_map("old", "a", "1"));
    repo.commit("with old");
    sync(&conn, &desired(&repo, &ns), &app, &ns).await;
    // A look-alike without the tracking mark must never read Extra.
    Api::<ConfigMap>::namespaced(conn.client.clone(), &ns)
        .patch(
            "untracked",
            &PatchParams::apply("someone-else"),
            &Patch::Apply(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "untracked"}}),
            ),
        )
        .await
        .expect("untracked configmap");
    repo.remove("app/old.yaml");
    repo.write(
        "app/widget.yaml",
        "apiVersion: example.kdrift.dev/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {size: 3}\n",
    );
    repo.commit("remove old, add a widget");
    Api::<ConfigMap>::namespaced(conn.client.clone(), &ns)
        .delete("settings", &DeleteParams::default())
        .await
        .expect("delete settings");

    let report = diff(&conn, &desired(&repo, &ns), &app, &ns).await;
    assert_eq!(
        status_of(&report, &format!("ConfigMap/{ns}/settings")),
        SyncStatus::Missing
    );
    assert_eq!(
        status_of(&report, &format!("ConfigMap/{ns}/old")),
        SyncStatus::Extra
    );
    assert!(
        !report.objects.iter().any(|o| o.key.name == "untracked"),
        "untracked look-alike"
    );
    let widget = object(&report, &format!("Widget.example.kdrift.dev/{ns}/w"));
    assert_eq!(widget.status, SyncStatus::Unknown);
    assert!(
        widget.reason.contains("is its CRD installed?"),
        "{}",
        widget.reason
    );
    assert_eq!(
        status_of(&report, &format!("Deployment.apps/{ns}/web")),
        SyncStatus::Synced
    );

    let _ = Api::<Namespace>::all(conn.client.clone())
        .delete(&ns, &DeleteParams::default())
        .await;
}

fn kdrift(repo: &TestRepo, kubeconfig: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .current_dir(repo.path())
        .output()
        .expect("run kdrift")
}

#[tokio::test]
async fn secret_values_never_appear_and_exit_codes_and_schema() {
    let cluster = common::cluster();
    let conn = connect(&cluster.admin_kubeconfig).await;
    let ns = common::unique_name("secret");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write(
        "app/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: git-password-value\n  user: admin-user-value\n",
    );
    repo.commit("secret");
    sync(&conn, &desired(&repo, &ns), &app, &ns).await;
    let base = [
        "diff",
        "--path",
        "app",
        "--namespace",
        &ns,
        "--app-name",
        &app,
    ];

    let out = kdrift(&repo, &cluster.admin_kubeconfig, &base);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Someone changes the password in the cluster.
    Api::<Secret>::namespaced(conn.client.clone(), &ns)
        .patch(
            "db",
            &PatchParams {
                field_manager: Some("kubectl-edit".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"stringData": {"password": "live-password-value"}})),
        )
        .await
        .expect("change secret");
    let mut outputs = Vec::new();
    for extra in [&[][..], &["--output", "json"][..], &["--lens", "drift"][..]] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let out = kdrift(&repo, &cluster.admin_kubeconfig, &args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        outputs.push(out);
    }
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for out in &outputs {
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for raw in [
            "git-password-value",
            "live-password-value",
            "admin-user-value",
        ] {
            assert!(!all.contains(raw), "a secret value leaked");
            assert!(!all.contains(&b64(raw)), "a base64 secret value leaked");
        }
    }
    let text = String::from_utf8_lossy(&outputs[0].stdout);
    assert!(
        text.contains("    -  password: \"<masked: live>\""),
        "{text}"
    );
    assert!(
        text.contains("    +  password: \"<masked: git>\""),
        "{text}"
    );

    let doc: serde_json::Value = serde_json::from_slice(&outputs[1].stdout).expect("json");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo_root().join("assets/schema/diff.schema.json"))
            .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(doc["summary"]["OutOfSync"], 1);

    // Exit code 2: a manifest that fails to load.
    repo.write("app/broken.yaml", "kind: [\n");
    repo.commit("broken");
    assert_eq!(
        kdrift(&repo, &cluster.admin_kubeconfig, &base)
            .status
            .code(),
        Some(2)
    );

    let _ = Api::<Namespace>::all(conn.client.clone())
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[tokio::test]
async fn restricted_user_is_told_what_is_forbidden() {
    let cluster = common::cluster();
    let kubeconfig = cluster
        .restricted_kubeconfig
        .as_ref()
        .expect("restricted kubeconfig");
    let repo = TestRepo::new();
    repo.write("app/allowed.yaml", &config_map("allowed", "a", "1"));
    repo.write(
        "app/elsewhere.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  namespace: default\ndata:\n  a: \"1\"\n",
    );
    repo.commit("two namespaces");
    let out = kdrift(
        &repo,
        kubeconfig,
        &[
            "diff",
            "--path",
            "app",
            "--namespace",
            &cluster.restricted_namespace,
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("forbidden: cannot watch configmaps in namespace default"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Missing    ConfigMap/{}/allowed",
            cluster.restricted_namespace
        )),
        "{text}"
    );
}
