//! Every common GitOps source against real Git repositories, the real `helm`, `jsonnet`
//! and `kubectl kustomize`, and the local control plane: Helm charts (made by `helm
//! create`, with a vendored dependency, CRDs and a second values file), render-unstable
//! Secrets, jsonnet, hooks, unsupported directories, and kustomize that reads only what it
//! needs.

mod common;

use std::process::{Command, Output, Stdio};

use common::repo::TestRepo;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;

/// Runs the real binary in the repository, with the pinned helm and jsonnet.
fn kdrift(repo: &TestRepo, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&common::cluster().admin_kubeconfig)
        .args(args)
        .env("KDRIFT_HELM", common::built_helm())
        .env("KDRIFT_JSONNET", common::built_jsonnet())
        .env("KDRIFT_KUSTOMIZE", common::built_kubectl())
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A chart made by `helm create`, plus a vendored dependency, a CRD in crds/, and a
/// second values file named in the app file.
fn chart_repo() -> TestRepo {
    let repo = TestRepo::new();
    let status = Command::new(common::built_helm())
        .args(["create", "web"])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .status()
        .expect("helm create");
    assert!(status.success());
    std::fs::create_dir_all(repo.path().join("charts")).expect("mkdir");
    std::fs::rename(repo.path().join("web"), repo.path().join("charts/web")).expect("move");
    let chart = repo.path().join("charts/web/Chart.yaml");
    let mut text = std::fs::read_to_string(&chart).expect("Chart.yaml");
    text.push_str("dependencies:\n- name: common\n  version: 0.1.0\n  repository: https://charts.example.invalid\n");
    std::fs::write(&chart, text).expect("write Chart.yaml");
    repo.write(
        "charts/web/charts/common/Chart.yaml",
        "apiVersion: v2\nname: common\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/web/charts/common/templates/settings.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\ndata:\n  tier: shared\n",
    );
    repo.write(
        "charts/web/crds/widgets.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.test.kdrift.dev\nspec:\n  group: test.kdrift.dev\n  names: {kind: Widget, plural: widgets, singular: widget}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n",
    );
    repo.write("charts/web/values-prod.yaml", "replicaCount: 2\n");
    repo.write(
        "charts/web/.kdrift.yaml",
        "helm:\n  valueFiles: [values-prod.yaml]\n",
    );
    repo
}

async fn cleanup(ns: &str) {
    let _ = Api::<Namespace>::all(common::admin_client().await)
        .delete(ns, &DeleteParams::default())
        .await;
}

fn ensure_namespace(repo: &TestRepo, ns: &str) {
    repo.write(
        "charts/ns/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
}

#[tokio::test]
async fn a_helm_chart_renders_syncs_diffs_catches_edits_and_rolls_back() {
    let ns = common::unique_name("helm");
    let repo = chart_repo();
    ensure_namespace(&repo, &ns);
    let first = repo.commit("chart web 0.1.0");
    repo.write("README.md", "unrelated\n");
    let unrelated = repo.commit("docs only");
    repo.write("charts/web/values-prod.yaml", "replicaCount: 3\n");
    let values = repo.commit("three replicas in prod");
    let ns_args = ["--path", "charts/web", "-n", ns.as_str()];

    // Render: every object, each named by its template; CRDs and the dependency too.
    let mut args = vec!["render"];
    args.extend(ns_args);
    let out = kdrift(&repo, &args);
    let rendered = text(&out);
    assert_eq!(out.status.code(), Some(0), "{rendered}");
    for source in [
        "# Source: charts/web/templates/deployment.yaml",
        "# Source: charts/web/templates/service.yaml",
        "# Source: charts/web/templates/serviceaccount.yaml",
        "# Source: charts/web/charts/common/templates/settings.yaml",
        "# Source: charts/web/crds/widgets.yaml",
    ] {
        assert!(rendered.contains(source), "{source} missing:\n{rendered}");
    }
    assert!(
        rendered.contains("replicas: 3"),
        "the second values file applies:\n{rendered}"
    );
    assert!(
        rendered.contains("# Hook Pod/"),
        "helm create's test is a hook:\n{rendered}"
    );

    let kubectl = |args: &[&str]| kdrift(&repo, args);
    let out = kubectl(&["sync", "--yes", "--path", "charts/ns"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut sync = vec!["sync", "--yes"];
    sync.extend(ns_args);
    let out = kubectl(&sync);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let mut diff = vec!["diff"];
    diff.extend(ns_args);
    let out = kubectl(&diff);
    assert_eq!(
        out.status.code(),
        Some(0),
        "sync then diff:\n{}",
        text(&out)
    );

    // A live edit, by hand, is caught with its manager.
    let deployments: Api<Deployment> = Api::namespaced(common::admin_client().await, &ns);
    deployments
        .patch(
            "web",
            &PatchParams {
                field_manager: Some("kubectl-label".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"metadata": {"labels": {"hotfix": "yes"}}})),
        )
        .await
        .expect("label by hand");
    let out = kubectl(&diff);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("kubectl-label"), "{}", text(&out));

    // Rollback to the first chart version restores two replicas.
    let mut rollback = vec!["rollback", &first[..8], "--yes"];
    rollback.extend(ns_args);
    let out = kubectl(&rollback);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let replicas = common::replicas(&deployments, "web").await;
    assert_eq!(replicas, Some(2));

    // History: the commits that touched the chart or its values file, no others.
    let mut history = vec!["history", "-o", "json"];
    history.extend(ns_args);
    let out = kubectl(&history);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("history json");
    let ids: Vec<&str> = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [values.as_str(), first.as_str()], "{doc}");
    assert!(!ids.contains(&unrelated.as_str()));
    cleanup(&ns).await;
}

#[tokio::test]
async fn a_random_secret_is_unstable_not_drift_and_never_shown() {
    let ns = common::unique_name("helm-rand");
    let repo = TestRepo::new();
    repo.write(
        "charts/db/Chart.yaml",
        "apiVersion: v2\nname: db\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/db/templates/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db-password\ndata:\n  password: {{ randAlphaNum 24 | b64enc | quote }}\n",
    );
    ensure_namespace(&repo, &ns);
    repo.commit("a chart with a random password");
    let out = kdrift(&repo, &["sync", "--yes", "--path", "charts/ns"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let args = ["--path", "charts/db", "-n", ns.as_str()];
    let mut outputs = Vec::new();
    for verb in [&["sync", "--yes"][..], &["diff"][..], &["render"][..]] {
        let mut a = verb.to_vec();
        a.extend(args);
        let out = kdrift(&repo, &a);
        outputs.push((verb[0], out.status.code(), text(&out)));
    }
    assert_eq!(outputs[0].1, Some(0), "{}", outputs[0].2);
    assert_eq!(outputs[1].1, Some(0), "sync then diff:\n{}", outputs[1].2);
    assert!(
        outputs[1].2.contains("change from render to render"),
        "{}",
        outputs[1].2
    );
    // A second diff is clean too: the live value is kept, not churned.
    let mut a = vec!["diff"];
    a.extend(args);
    assert_eq!(kdrift(&repo, &a).status.code(), Some(0));

    let secret = Api::<Secret>::namespaced(common::admin_client().await, &ns)
        .get("db-password")
        .await
        .expect("secret");
    let value = secret
        .data
        .and_then(|d| d.get("password").cloned())
        .expect("password");
    let raw = String::from_utf8_lossy(&value.0).into_owned();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&value.0);
    assert_eq!(raw.len(), 24);
    for (verb, _, out) in &outputs {
        assert!(!out.contains(&raw), "{verb} shows the secret");
        assert!(!out.contains(&encoded), "{verb} shows it base64-encoded");
    }
    cleanup(&ns).await;
}

#[test]
fn jsonnet_renders_with_its_imports_and_app_file() {
    let repo = TestRepo::new();
    repo.write("lib/names.libsonnet", "{ name(app): app + '-config' }\n");
    repo.write(
        "apps/settings/main.jsonnet",
        "local names = import '../../lib/names.libsonnet';\n[{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: names.name('web') }, data: { env: std.extVar('env') } }]\n",
    );
    repo.write(
        "apps/settings/.kdrift.yaml",
        "jsonnet:\n  extVars: {env: prod}\n",
    );
    repo.commit("jsonnet app");
    let out = kdrift(&repo, &["render", "--path", "apps/settings", "-n", "team"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("name: web-config"), "{t}");
    assert!(t.contains("env: prod"), "{t}");
    assert!(
        t.contains("# Source: jsonnet apps/settings/main.jsonnet"),
        "{t}"
    );
}

#[tokio::test]
async fn hooks_are_listed_not_errors_and_run_only_when_asked() {
    let ns = common::unique_name("hooks");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write(
        "app/migrate.yaml",
        &format!("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\n  namespace: {ns}\n  annotations:\n    argocd.argoproj.io/hook: PostSync\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: m\n        image: busybox\n"),
    );
    repo.commit("an app with a hook");
    let out = kdrift(&repo, &["render", "--path", "app"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(!t.contains("error"), "{t}");
    assert!(
        t.contains(&format!("Job/{ns}/migrate-* (hook PostSync)")),
        "{t}"
    );
    let out = kdrift(
        &repo,
        &["sync", "--yes", "--path", "app", "--app-name", &ns],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("Hooks: 1 not run"), "{t}");
    let jobs: Api<k8s_openapi::api::batch::v1::Job> =
        Api::namespaced(common::admin_client().await, &ns);
    let none = jobs.list(&Default::default()).await.expect("jobs");
    assert!(none.items.is_empty(), "not run unless asked");
    let out = kdrift(
        &repo,
        &[
            "sync",
            "--yes",
            "--hooks",
            "--path",
            "app",
            "--app-name",
            &ns,
        ],
    );
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("1 hook(s) run"), "{t}");
    let one = jobs.list(&Default::default()).await.expect("jobs");
    assert_eq!(one.items.len(), 1);
    let name = one.items[0].metadata.name.clone().unwrap_or_default();
    assert!(
        name.starts_with("migrate-") && name.len() > "migrate-".len(),
        "{name}"
    );
    cleanup(&ns).await;
}

#[test]
fn a_directory_of_unsupported_files_says_what_they_are() {
    let repo = TestRepo::new();
    repo.write("app/main.cue", "package app\n");
    repo.write("app/README.md", "# app\n");
    repo.commit("a cue app");
    let out = kdrift(&repo, &["render", "--path", "app"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("1 CUE file(s) (.cue)"), "{t}");
}

#[test]
fn kustomize_reads_only_its_files_and_history_follows_its_bases() {
    let repo = TestRepo::new();
    repo.write(
        "base/deployment.yaml",
        &common::repo::deployment("web", 1, "nginx:1.27"),
    );
    repo.write("base/kustomization.yaml", "resources:\n- deployment.yaml\n");
    repo.write(
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamespace: prod\n",
    );
    repo.write("unrelated/big.bin", "a large file a mirror leaves out\n");
    let first = repo.commit("overlay on a base");
    repo.write(
        "base/deployment.yaml",
        &common::repo::deployment("web", 2, "nginx:1.27"),
    );
    let base_only = repo.commit("the base alone changes");
    repo.write("unrelated/other.txt", "x\n");
    repo.commit("unrelated change");

    // A blob outside the overlay's files goes missing from the object database.
    let blob = repo.git(&["rev-parse", &format!("{first}:unrelated/big.bin")]);
    let loose = repo
        .path()
        .join(".git/objects")
        .join(&blob[..2])
        .join(&blob[2..]);
    std::fs::remove_file(&loose).expect("remove the loose object");

    let out = kdrift(&repo, &["render", "--path", "overlays/prod"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.contains("replicas: 2"), "{t}");
    let out = kdrift(&repo, &["history", "--path", "overlays/prod", "-o", "json"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    let commits = doc["commits"].as_array().expect("commits");
    let ids: Vec<&str> = commits.iter().filter_map(|c| c["id"].as_str()).collect();
    assert_eq!(ids, [base_only.as_str(), first.as_str()], "{doc}");
    assert_eq!(commits[0]["changes"]["modified"][0]["name"], "web", "{doc}");
    for c in commits {
        assert!(c["error"].is_null(), "{c}");
    }
}

#[test]
fn a_local_file_dependency_renders_and_its_changes_are_the_charts_history() {
    let repo = TestRepo::new();
    repo.write(
        "charts/common/Chart.yaml",
        "apiVersion: v2\nname: common\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/common/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\ndata: {a: \"1\"}\n",
    );
    repo.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\ndependencies:\n- name: common\n  version: 0.1.0\n  repository: file://../common\n",
    );
    repo.write(
        "charts/web/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\n",
    );
    let first = repo.commit("a chart with a local dependency");
    repo.write("charts/other/notes.txt", "unrelated\n");
    repo.commit("unrelated");
    repo.write(
        "charts/common/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-common\ndata: {a: \"2\"}\n",
    );
    let dep_change = repo.commit("the dependency changes");
    let out = kdrift(&repo, &["render", "--path", "charts/web"]);
    let t = text(&out);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(
        t.contains("# Source: charts/common/templates/cm.yaml"),
        "{t}"
    );
    assert!(t.contains("name: web-common"), "{t}");
    let out = kdrift(&repo, &["history", "--path", "charts/web", "-o", "json"]);
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    let ids: Vec<&str> = doc["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [dep_change.as_str(), first.as_str()], "{doc}");
    assert_eq!(
        doc["commits"][0]["changes"]["modified"][0]["name"],
        "web-common"
    );
}

#[test]
fn a_chart_without_helm_says_what_to_install_not_a_flood_of_yaml_errors() {
    let repo = TestRepo::new();
    repo.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/web/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    repo.commit("a chart");
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args([
            "render",
            "--path",
            "charts/web",
            "--helm",
            "/nonexistent/helm",
        ])
        .current_dir(repo.path())
        .output()
        .expect("run kdrift");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert_eq!(t.lines().count(), 1, "one message: {t}");
    assert!(t.contains("cannot run /nonexistent/helm"), "{t}");
    // No helm anywhere: what it is and what to install.
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args(["render", "--path", "charts/web"])
        .env("PATH", "/nonexistent")
        .env_remove("KDRIFT_HELM")
        .current_dir(repo.path())
        .output()
        .expect("run kdrift");
    let t = text(&out);
    assert_eq!(out.status.code(), Some(2), "{t}");
    assert!(
        t.contains("charts/web is a Helm chart (Chart.yaml), and rendering it needs `helm`"),
        "{t}"
    );
}

#[tokio::test]
async fn apps_lists_each_app_once_and_a_sync_shows_in_its_row() {
    let ns = common::unique_name("apps");
    let repo = common::repo::two_apps(&ns);
    repo.write("docs/README.md", "# not an app\n");
    // The root app file names one of them.
    repo.write(
        ".kdrift.yaml",
        "apps:\n- {path: overlays/dev, name: dev-overlay}\n",
    );
    let head = repo.commit("two apps and a base");

    let apps = |repo: &TestRepo| {
        let out = kdrift(repo, &["apps", "-n", &ns, "-o", "json"]);
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", text(&out)))
    };
    let doc = apps(&repo);
    let listed: Vec<(String, String)> = doc["apps"]
        .as_array()
        .expect("apps")
        .iter()
        // Apps another test's Argo CD Applications declare (other repositories) aside.
        .filter(|a| a["controller"].is_null())
        .map(|a| {
            (
                a["path"].as_str().unwrap_or("").to_string(),
                a["kind"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            ("overlays/dev".to_string(), "kustomize".to_string()),
            ("plain".to_string(), "plain".to_string())
        ],
        "{doc}"
    );
    let plain = |doc: &serde_json::Value| {
        doc["apps"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["path"] == "plain").cloned())
            .expect("the plain app")
    };
    assert_eq!(plain(&doc)["objects"], 3);
    assert!(plain(&doc)["live_commit"].is_null());
    let dev = doc["apps"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["path"] == "overlays/dev"))
        .expect("the overlay");
    assert_eq!(
        dev["name"], "dev-overlay",
        "declared in the root app file: {dev}"
    );

    let out = kdrift(&repo, &["sync", "--yes", "--path", "plain", "-n", &ns]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = apps(&repo);
    let row = plain(&doc);
    assert_eq!(row["summary"]["Synced"], 3, "{row}");
    assert_eq!(row["live_commit"], head.as_str(), "{row}");
    assert_eq!(row["behind"], 0, "{row}");
    // Drifted apps come first: the kustomize app was never synced.
    assert_eq!(doc["apps"][0]["path"], "overlays/dev", "{doc}");
    cleanup(&ns).await;
}

#[test]
fn nothing_outside_the_repository_is_read_and_a_symlink_loop_is_an_error() {
    let repo = TestRepo::new();
    // kustomize: a referenced file that is a loop of symlinks.
    repo.write("loop/kustomization.yaml", "resources:\n- a.yaml\n");
    repo.symlink("loop/a.yaml", "b.yaml");
    repo.symlink("loop/b.yaml", "a.yaml");
    // Helm: a value file outside the repository.
    repo.write(
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/web/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n",
    );
    repo.write(
        "charts/web/.kdrift.yaml",
        "helm:\n  valueFiles: [/etc/hostname]\n",
    );
    // jsonnet: an import past the repository's root.
    repo.write(
        "apps/j/main.jsonnet",
        "{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { h: importstr '../../../../../../../../etc/hostname' } }\n",
    );
    repo.commit("three ways out");
    for (path, expect) in [
        ("loop", "more than 40 symlinks"),
        ("charts/web", "points outside the repository; refused"),
        ("apps/j", "imports files outside the repository"),
    ] {
        let out = kdrift(&repo, &["render", "--path", path]);
        let t = text(&out);
        assert_eq!(out.status.code(), Some(2), "{path}: {t}");
        assert!(t.contains(expect), "{path}: {t}");
    }
}
