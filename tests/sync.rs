//! Sync, prune, rollback and read-only mode, driving the real binary against the real
//! local control plane.

mod common;

use std::process::{Command, Output, Stdio};

use common::repo::{TestRepo, config_map, deployment};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;

struct Case {
    repo: TestRepo,
    ns: String,
    app: String,
    kubeconfig: std::path::PathBuf,
}

impl Case {
    fn new(prefix: &str) -> Self {
        let ns = common::unique_name(prefix);
        let repo = TestRepo::new();
        repo.write(
            "app/namespace.yaml",
            &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
        );
        Case {
            app: format!("test-{ns}"),
            ns,
            repo,
            kubeconfig: common::cluster().admin_kubeconfig.clone(),
        }
    }

    fn kdrift(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_kdrift"));
        cmd.arg("--kubeconfig").arg(&self.kubeconfig).args(args);
        cmd.args([
            "--path",
            "app",
            "--namespace",
            &self.ns,
            "--app-name",
            &self.app,
        ]);
        cmd.current_dir(self.repo.path())
            .stdin(Stdio::null())
            .output()
            .expect("run kdrift")
    }

    fn sync(&self, extra: &[&str]) -> (i32, String) {
        let mut args = vec!["sync", "--yes"];
        args.extend_from_slice(extra);
        let out = self.kdrift(&args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    }

    async fn client(&self) -> kube::Client {
        common::client_for(&self.kubeconfig).await
    }

    async fn cleanup(&self) {
        let _ = Api::<Namespace>::all(self.client().await)
            .delete(&self.ns, &DeleteParams::default())
            .await;
    }
}

async fn resource_versions(client: &kube::Client, ns: &str) -> Vec<(String, String)> {
    let cms = Api::<ConfigMap>::namespaced(client.clone(), ns)
        .list(&Default::default())
        .await
        .expect("list");
    let deps = Api::<Deployment>::namespaced(client.clone(), ns)
        .list(&Default::default())
        .await
        .expect("list");
    // kube-root-ca.crt is the controller manager's, and appears whenever it gets to it.
    let mut v: Vec<(String, String)> = cms
        .items
        .iter()
        .filter(|o| o.metadata.name.as_deref() != Some("kube-root-ca.crt"))
        .map(|o| {
            (
                o.metadata.name.clone().unwrap_or_default(),
                o.metadata.resource_version.clone().unwrap_or_default(),
            )
        })
        .chain(deps.items.iter().map(|o| {
            (
                o.metadata.name.clone().unwrap_or_default(),
                o.metadata.resource_version.clone().unwrap_or_default(),
            )
        }))
        .collect();
    v.sort();
    v
}

/// kdrift's managedFields entry and the generation of the Deployment `web`.
async fn kdrift_entry(client: &kube::Client, ns: &str) -> (String, Option<i64>) {
    let web = Api::<Deployment>::namespaced(client.clone(), ns)
        .get("web")
        .await
        .expect("web");
    let entry = web
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .find(|m| m.manager.as_deref() == Some("kdrift"))
        .map(|m| format!("{:?} {:?}", m.time, m.fields_v1))
        .unwrap_or_default();
    (entry, web.metadata.generation)
}

#[tokio::test]
async fn first_sync_creates_second_writes_nothing_and_drift_is_restored() {
    let case = Case::new("sync");
    case.repo
        .write("app/web.yaml", &deployment("web", 2, "nginx:1.27"));
    case.repo
        .write("app/settings.yaml", &config_map("settings", "mode", "fast"));
    case.repo.commit("app");

    let (code, text) = case.sync(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("3 created"), "{text}");
    let client = case.client().await;
    // The ConfigMap changes only when someone writes it; the Deployment's status moves on
    // its own, so for it the evidence is kdrift's own managedFields entry and generation.
    let before = (
        resource_versions(&client, &case.ns).await,
        kdrift_entry(&client, &case.ns).await,
    );
    // settings, web, and the app's ApplySet parent (the sync record): a second sync of
    // the same commit writes none of them.
    assert_eq!(before.0.len(), 3, "settings, web, the record: {before:?}");
    assert!(
        before
            .0
            .iter()
            .any(|(name, _)| *name == format!("kdrift-{}", case.app)),
        "{before:?}"
    );

    let (code, text) = case.sync(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Nothing to do"), "{text}");
    let after = (
        resource_versions(&client, &case.ns).await,
        kdrift_entry(&client, &case.ns).await,
    );
    assert_eq!(
        after.0.iter().find(|(n, _)| n == "settings"),
        before.0.iter().find(|(n, _)| n == "settings")
    );
    assert_eq!(after.1, before.1, "the second sync wrote nothing");

    // Someone scales the Deployment by hand: sync restores Git's replica count.
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &case.ns);
    common::scale_by_hand(&deployments, "web", "kubectl", 7).await;
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("restores fields changed outside Git"),
        "{text}"
    );
    assert_eq!(common::replicas(&deployments, "web").await, Some(2));

    // Another declarative owner takes the replica count: reported and left alone…
    deployments
        .patch("web", &PatchParams::apply("other-gitops").force(),
            &Patch::Apply(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 4}})))
        .await
        .expect("other owner");
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("conflict")
            && text.contains("other-gitops")
            && text.contains(".spec.replicas"),
        "{text}"
    );
    assert_eq!(common::replicas(&deployments, "web").await, Some(4));
    // …until named in --force-conflicts.
    let only = format!("Deployment/{}/web", case.ns);
    let (code, text) = case.sync(&["--force-conflicts", &only]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(common::replicas(&deployments, "web").await, Some(2));
    case.cleanup().await;
}

#[tokio::test]
async fn prune_deletes_only_tracked_objects_and_refuses_an_empty_desired_state() {
    let case = Case::new("prune");
    case.repo
        .write("app/keep.yaml", &config_map("keep", "a", "1"));
    case.repo
        .write("app/old.yaml", &config_map("old", "a", "1"));
    case.repo.commit("two");
    assert_eq!(case.sync(&[]).0, 0);
    let client = case.client().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &case.ns);
    cms.patch(
        "lookalike",
        &PatchParams::apply("someone"),
        &Patch::Apply(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "lookalike"}}),
        ),
    )
    .await
    .expect("untracked");
    case.repo.remove("app/old.yaml");
    case.repo.commit("drop old");

    let (code, text) = case.sync(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("a prune candidate (use --prune)"), "{text}");
    assert!(
        cms.get_opt("old").await.expect("get").is_some(),
        "no prune without --prune"
    );

    let (code, text) = case.sync(&["--prune"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("1 pruned"), "{text}");
    assert!(cms.get_opt("old").await.expect("get").is_none());
    assert!(
        cms.get_opt("lookalike").await.expect("get").is_some(),
        "never an untracked look-alike"
    );
    assert!(cms.get_opt("keep").await.expect("get").is_some());

    // An empty desired state (a wrong path, say) never prunes.
    let empty = TestRepo::new();
    empty.write("app/README.md", "nothing here\n");
    empty.commit("empty");
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&case.kubeconfig)
        .args([
            "sync",
            "--yes",
            "--prune",
            "--path",
            "app",
            "--namespace",
            &case.ns,
            "--app-name",
            &case.app,
        ])
        .current_dir(empty.path())
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("refusing to prune: the desired state is empty"),
        "{text}"
    );
    assert!(cms.get_opt("keep").await.expect("get").is_some());
    case.cleanup().await;
}

#[tokio::test]
async fn rollback_restores_an_older_commit_and_writes_a_revert_commit() {
    let case = Case::new("rollback");
    case.repo
        .write("app/web.yaml", &deployment("web", 2, "nginx:1.26"));
    let good = case.repo.commit("good release");
    case.repo
        .write("app/web.yaml", &deployment("web", 5, "nginx:broken"));
    case.repo.write("README.md", "outside the app\n");
    case.repo.commit("bad release");
    assert_eq!(case.sync(&[]).0, 0);
    let head_before = case.repo.git(&["rev-parse", "HEAD"]);
    let branch_before = case.repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]);
    case.repo.write("app/uncommitted.txt", "work in progress\n");
    let status_before = case.repo.git(&["status", "--porcelain"]);

    let out = case.kdrift(&["rollback", &good[..8], "--yes", "--write-revert-commit"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let web = Api::<Deployment>::namespaced(case.client().await, &case.ns)
        .get("web")
        .await
        .expect("web");
    let spec = web.spec.expect("spec");
    assert_eq!(spec.replicas, Some(2));
    let image = spec
        .template
        .spec
        .and_then(|s| s.containers.first().and_then(|c| c.image.clone()));
    assert_eq!(image.as_deref(), Some("nginx:1.26"));

    let branch = format!("kdrift/rollback-{}", &good[..7]);
    assert!(text.contains(&branch), "{text}");
    assert_eq!(
        case.repo.git(&["rev-parse", &format!("{branch}:app")]),
        case.repo.git(&["rev-parse", &format!("{good}:app")])
    );
    assert_eq!(
        case.repo
            .git(&["rev-parse", &format!("{branch}:README.md")]),
        case.repo.git(&["rev-parse", "HEAD:README.md"])
    );
    assert_eq!(
        case.repo.git(&["rev-parse", &format!("{branch}^")]),
        head_before
    );
    assert_eq!(
        case.repo.git(&["rev-parse", "HEAD"]),
        head_before,
        "HEAD untouched"
    );
    assert_eq!(
        case.repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]),
        branch_before
    );
    assert_eq!(
        case.repo.git(&["status", "--porcelain"]),
        status_before,
        "working tree untouched"
    );

    // The cluster is now behind HEAD, and diff says so.
    let out = case.kdrift(&["diff"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+  replicas: 5"));
    case.cleanup().await;
}

#[tokio::test]
async fn readonly_refuses_and_invalid_objects_block_nothing_else() {
    let case = Case::new("readonly");
    case.repo
        .write("app/good.yaml", &config_map("good", "a", "1"));
    case.repo.write("app/bad.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n  - port: 99999999\n");
    case.repo.commit("one invalid");
    let client = case.client().await;

    for args in [
        vec!["--readonly", "sync", "--yes"],
        vec!["--readonly", "sync", "--yes", "--prune"],
        vec!["--readonly", "rollback", "HEAD", "--yes"],
    ] {
        let out = case.kdrift(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("read-only mode: refusing to"),
            "{args:?}"
        );
    }
    assert!(
        Api::<Namespace>::all(client.clone())
            .get_opt(&case.ns)
            .await
            .expect("get")
            .is_none(),
        "nothing written"
    );

    // Its namespace is created by this sync, so the invalid object is dry-run just before
    // its turn: that fails, nothing is written for it, the rest applies.
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("dry-run failed, nothing written")
            && text.contains("must be between 1 and 65535"),
        "{text}"
    );
    assert!(
        Api::<ConfigMap>::namespaced(client.clone(), &case.ns)
            .get_opt("good")
            .await
            .expect("get")
            .is_some()
    );
    // With the namespace there, the planning dry-run already fails: the object is left alone.
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "error     Service/{}/bad  dry-run failed, left alone",
            case.ns
        )),
        "{text}"
    );
    assert!(
        text.contains("Nothing to apply, and the cluster does not match")
            && text.contains("1 object(s) left alone"),
        "{text}"
    );
    assert!(
        Api::<k8s_openapi::api::core::v1::Service>::namespaced(client.clone(), &case.ns)
            .get_opt("bad")
            .await
            .expect("get")
            .is_none()
    );

    // Without --yes and without a terminal, kdrift will not ask: it refuses.
    case.repo
        .write("app/good.yaml", &config_map("good", "a", "2"));
    case.repo.commit("change good");
    let out = case.kdrift(&["sync"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("stdin is not a terminal"));
    let good = Api::<ConfigMap>::namespaced(client.clone(), &case.ns)
        .get("good")
        .await
        .expect("good");
    assert_eq!(
        good.data.and_then(|d| d.get("a").cloned()).as_deref(),
        Some("1"),
        "nothing applied"
    );
    case.cleanup().await;
}

#[tokio::test]
async fn restricted_user_gets_forbidden_objects_reported_and_allowed_ones_applied() {
    let cluster = common::cluster();
    let kubeconfig = cluster
        .restricted_kubeconfig
        .clone()
        .expect("restricted kubeconfig");
    let ns = cluster.restricted_namespace.clone();
    let repo = TestRepo::new();
    let name = common::unique_name("allowed");
    repo.write("app/allowed.yaml", &config_map(&name, "a", "1"));
    repo.write("app/forbidden.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: kdrift-test-forbidden\nrules: []\n");
    repo.commit("mixed permissions");
    let out = common::run_sync(&kubeconfig, &repo, &ns, "restricted-test");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("ClusterRole.rbac.authorization.k8s.io/kdrift-test-forbidden")
            && text.contains("forbidden"),
        "{text}"
    );
    let admin = common::admin_client().await;
    let cms: Api<ConfigMap> = Api::namespaced(admin, &ns);
    assert!(cms.get_opt(&name).await.expect("get").is_some(), "{text}");
    let _ = cms.delete(&name, &DeleteParams::default()).await;
}

/// A config file for kdrift in a temporary directory.
fn config_file(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("config file");
    std::fs::write(file.path(), text).expect("write config");
    file
}

#[tokio::test]
async fn a_rollback_that_fails_in_part_writes_no_revert_commit() {
    let case = Case::new("partial-rollback");
    let other_ns = format!("{}-b", case.ns);
    case.repo
        .write("app/good.yaml", &config_map("good", "a", "1"));
    case.repo.write(
        "app/other-ns.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {other_ns}\n"),
    );
    // Its namespace is created by the same sync, so it is dry-run just before its turn,
    // and fails there: an apply that fails.
    case.repo.write("app/bad.yaml", &format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  namespace: {other_ns}\nspec:\n  ports:\n  - port: 99999999\n"));
    let old = case.repo.commit("old, with an invalid Service");
    case.repo.remove("app/other-ns.yaml");
    case.repo.remove("app/bad.yaml");
    case.repo
        .write("app/good.yaml", &config_map("good", "a", "2"));
    case.repo.commit("head");
    assert_eq!(case.sync(&[]).0, 0);

    let out = case.kdrift(&["rollback", &old[..8], "--yes", "--write-revert-commit"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAILED"), "{text}");
    assert!(
        text.contains("revert commit not written: the rollback to"),
        "{text}"
    );
    let branches = case.repo.git(&["branch", "--list", "kdrift/*"]);
    assert_eq!(branches, "", "no revert branch: {text}");
    let _ = Api::<Namespace>::all(case.client().await)
        .delete(&other_ns, &DeleteParams::default())
        .await;
    case.cleanup().await;
}

#[tokio::test]
async fn the_config_files_field_manager_is_the_one_headless_sync_applies_with() {
    let case = Case::new("manager");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "1"));
    case.repo.commit("one config map");
    let config = config_file("field_manager = \"ops-bot\"\n");
    let config_arg = config.path().to_string_lossy().into_owned();
    let (code, text) = case.sync(&["--config", &config_arg]);
    assert_eq!(code, 0, "{text}");
    let cm = Api::<ConfigMap>::namespaced(case.client().await, &case.ns)
        .get("settings")
        .await
        .expect("settings");
    let managers: Vec<(String, String)> = cm
        .metadata
        .managed_fields
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                m.manager.unwrap_or_default(),
                m.operation.unwrap_or_default(),
            )
        })
        .collect();
    assert!(
        managers.contains(&("ops-bot".into(), "Apply".into())),
        "{managers:?}"
    );
    assert!(!managers.iter().any(|(m, _)| m == "kdrift"), "{managers:?}");
    // Diff dry-runs as the same manager: nothing differs.
    let out = case.kdrift(&["--config", &config_arg, "diff"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    case.cleanup().await;
}

#[tokio::test]
async fn an_explicit_namespace_flag_wins_over_the_config_even_when_it_says_default() {
    let repo = TestRepo::new();
    let name = common::unique_name("ns-flag");
    repo.write("app/cm.yaml", &config_map(&name, "a", "1"));
    repo.commit("a config map without a namespace");
    let config = config_file("namespace = \"kdrift-from-config\"\n");
    let kdrift = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_kdrift"))
            .arg("--kubeconfig")
            .arg(&common::cluster().admin_kubeconfig)
            .arg("--config")
            .arg(config.path())
            .args(args)
            .current_dir(repo.path())
            .stdin(Stdio::null())
            .output()
            .expect("run kdrift")
    };
    let rendered = kdrift(&["render", "--path", "app"]);
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(text.contains("namespace: kdrift-from-config"), "{text}");

    let out = kdrift(&[
        "sync",
        "--yes",
        "--path",
        "app",
        "-n",
        "default",
        "--app-name",
        &name,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let cms: Api<ConfigMap> = Api::namespaced(common::admin_client().await, "default");
    assert!(cms.get_opt(&name).await.expect("get").is_some());
    let _ = cms.delete(&name, &DeleteParams::default()).await;
}

#[tokio::test]
async fn sync_never_says_the_cluster_matches_while_fields_set_outside_git_remain() {
    let case = Case::new("no-false-match");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "1"));
    case.repo.commit("one config map");
    assert_eq!(case.sync(&[]).0, 0);
    Api::<ConfigMap>::namespaced(case.client().await, &case.ns)
        .patch(
            "settings",
            &PatchParams {
                field_manager: Some("kubectl-label".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"metadata": {"labels": {"hotfix": "ticket-1"}}})),
        )
        .await
        .expect("label by hand");
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("already matches"), "{text}");
    assert!(
        text.contains("1 object(s) keep fields set outside Git"),
        "{text}"
    );
    assert_eq!(case.kdrift(&["diff"]).status.code(), Some(1));
    case.cleanup().await;
}

#[test]
fn the_demo_refuses_to_start_in_read_only_mode() {
    let home = tempfile::tempdir().expect("home");
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args(["--readonly", "demo"])
        .env("HOME", home.path())
        .env_remove("XDG_CACHE_HOME")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift demo");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("read-only mode: refusing to sync"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("starting the local control plane"),
        "refused before anything started: {stderr}"
    );
    // Only kdrift's own log file: no demo repository, no control-plane tooling.
    let data = home.path().join(".local/share/kdrift");
    let written: Vec<String> = std::fs::read_dir(&data)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(written, vec!["kdrift.log".to_string()], "{written:?}");
    assert!(!home.path().join(".cache/kdrift").exists());
}

/// `kubectl` (the one built for the local control plane) against the test cluster.
fn kubectl(case: &Case, args: &[&str]) -> String {
    let out = Command::new(common::built_kubectl())
        .arg("--kubeconfig")
        .arg(&case.kubeconfig)
        .args(args)
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_sync_record_is_an_applyset_any_process_reads() {
    let case = Case::new("record");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "1"));
    case.repo
        .write("app/web.yaml", &deployment("web", 1, "nginx:1.27"));
    let old = case.repo.commit("first");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "2"));
    let head = case.repo.commit("second");
    assert_eq!(case.sync(&[]).0, 0);

    // An object tracked the old way (the label alone) is adopted, not recreated.
    let client = case.client().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), &case.ns);
    cms.patch(
        "legacy",
        &PatchParams::apply("kdrift"),
        &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "legacy", "labels": {"app.kdrift.dev/name": case.app}},
            "data": {"k": "v"}})),
    )
    .await
    .expect("a legacy object");
    let uid = cms.get("legacy").await.expect("legacy").metadata.uid;
    case.repo
        .write("app/legacy.yaml", &config_map("legacy", "k", "v"));
    let head = {
        let _ = head;
        case.repo.commit("legacy in Git")
    };
    assert_eq!(case.sync(&[]).0, 0);
    let adopted = cms.get("legacy").await.expect("legacy");
    assert_eq!(adopted.metadata.uid, uid, "adopted without recreation");

    // kubectl finds the parent by the KEP's id, and the app's objects by part-of.
    let id = kdrift::model::applyset::app_id(&case.app, &case.ns);
    let parents = kubectl(
        &case,
        &[
            "get",
            "configmap",
            "-A",
            "-l",
            &format!("applyset.kubernetes.io/id={id}"),
            "-o",
            "name",
        ],
    );
    assert_eq!(parents.trim(), format!("configmap/kdrift-{}", case.app));
    let members = kubectl(
        &case,
        &[
            "get",
            "configmaps,deployments",
            "-n",
            &case.ns,
            "-l",
            &format!("applyset.kubernetes.io/part-of={id}"),
            "-o",
            "name",
        ],
    );
    let mut members: Vec<&str> = members.lines().collect();
    members.sort();
    assert_eq!(
        members,
        [
            "configmap/legacy",
            "configmap/settings",
            "deployment.apps/web"
        ]
    );

    // A rollback in one process (pruning what the old commit did not have); other
    // processes name the live commit from the record.
    let out = case.kdrift(&["rollback", &old[..8], "--yes", "--prune"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let diff = case.kdrift(&["diff"]);
    let text = String::from_utf8_lossy(&diff.stdout);
    assert!(
        text.contains(&format!("cluster at {}", &old[..7])) && text.contains("not HEAD"),
        "{text}"
    );
    let json_diff = case.kdrift(&["diff", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json_diff.stdout).expect("json");
    assert_eq!(doc["live_commit"], old.as_str());
    let history = case.kdrift(&["history"]);
    let text = String::from_utf8_lossy(&history.stdout);
    let live_line = text
        .lines()
        .find(|l| l.contains("[live"))
        .unwrap_or_else(|| panic!("no live badge:\n{text}"));
    assert!(live_line.starts_with(&old[..7]), "{text}");
    // Older commits say whether their objects still match the cluster.
    let history = case.kdrift(&["history", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&history.stdout).expect("history json");
    assert_eq!(doc["live_commit"], old.as_str(), "{doc}");
    assert_eq!(doc["matches_cluster"][old.as_str()], true, "{doc}");
    assert_eq!(doc["matches_cluster"][head.as_str()], false, "{doc}");
    let log = case.kdrift(&["log", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&log.stdout).expect("log json");
    assert_eq!(doc["record"]["live_commit"], old.as_str());
    assert_eq!(doc["record"]["previous_commit"], head.as_str());
    assert_eq!(doc["record"]["history"][0]["mode"], "rollback");
    // The user is who the API server says the kubeconfig's user is.
    let me = Api::<k8s_openapi::api::authentication::v1::SelfSubjectReview>::all(client.clone())
        .create(&Default::default(), &Default::default())
        .await
        .expect("self subject review")
        .status
        .and_then(|s| s.user_info)
        .and_then(|u| u.username)
        .expect("a user name");
    assert_eq!(doc["record"]["history"][0]["user"], me.as_str());
    case.cleanup().await;
}

#[tokio::test]
async fn a_sync_that_leaves_an_object_alone_does_not_move_the_live_commit() {
    let case = Case::new("record-partial");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "1"));
    let first = case.repo.commit("first");
    assert_eq!(case.sync(&[]).0, 0);
    // Another applier takes the key over; Git then changes it: a conflict, left alone.
    Api::<ConfigMap>::namespaced(case.client().await, &case.ns)
        .patch(
            "settings",
            &PatchParams::apply("other-applier").force(),
            &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings"}, "data": {"a": "theirs"}})),
        )
        .await
        .expect("another applier");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "2"));
    let second = case.repo.commit("second");
    let (code, text) = case.sync(&[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("conflict"), "{text}");
    let log = case.kdrift(&["log", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&log.stdout).expect("log json");
    assert_eq!(doc["record"]["live_commit"], first.as_str(), "{doc}");
    assert_ne!(doc["record"]["live_commit"], second.as_str());
    case.cleanup().await;
}

#[tokio::test]
async fn prune_reads_the_records_inventory_for_kinds_it_does_not_always_search() {
    let case = Case::new("inventory");
    case.repo
        .write("app/settings.yaml", &config_map("settings", "a", "1"));
    // NetworkPolicy is not among the kinds kdrift always searches for tracked objects.
    case.repo.write(
        "app/policy.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny-all\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n",
    );
    case.repo.commit("with a network policy");
    assert_eq!(case.sync(&[]).0, 0);
    case.repo.remove("app/policy.yaml");
    case.repo.commit("policy dropped");
    let (code, text) = case.sync(&["--prune"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("prune     NetworkPolicy.networking.k8s.io/") && text.contains("deleted"),
        "{text}"
    );
    let policies: Api<k8s_openapi::api::networking::v1::NetworkPolicy> =
        Api::namespaced(case.client().await, &case.ns);
    common::eventually("the policy to be gone", 30, || async {
        policies
            .get_opt("deny-all")
            .await
            .ok()
            .and_then(|p| p.is_none().then_some(()))
    })
    .await;
    case.cleanup().await;
}
