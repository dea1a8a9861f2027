//! Apps Argo CD and Flux already manage. No controller runs: the tests install minimal
//! CRDs for Application, Kustomization and GitRepository (tests/fixtures/crds, written from
//! the documented fields) and write the status the controller would write.

mod common;

use common::repo::{TestRepo, config_map, deployment};
use common::tui::Tmux;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams, PostParams};
use serde_json::{Value, json};
use std::process::{Command, Output, Stdio};

async fn install_crds(client: &kube::Client) {
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    for file in ["application", "kustomization", "gitrepository"] {
        let path = common::repo_root().join(format!("tests/fixtures/crds/{file}.yaml"));
        let text = std::fs::read_to_string(&path).expect("crd fixture");
        let crd: Value = kdrift::model::manifest::parse_yaml(&text).expect("crd yaml");
        let name = crd["metadata"]["name"].as_str().expect("name").to_string();
        crds.patch(
            &name,
            &PatchParams::apply("kdrift-tests").force(),
            &Patch::Apply(&crd),
        )
        .await
        .expect("install crd");
        common::eventually(&format!("{name} Established"), 30, || async {
            let c = crds.get(&name).await.ok()?;
            let ok = c
                .status?
                .conditions?
                .iter()
                .any(|c| c.type_ == "Established" && c.status == "True");
            ok.then_some(())
        })
        .await;
    }
}

fn resource(group: &str, version: &str, kind: &str, plural: &str) -> ApiResource {
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: format!("{group}/{version}"),
        kind: kind.into(),
        plural: plural.into(),
    }
}

fn applications() -> ApiResource {
    resource("argoproj.io", "v1alpha1", "Application", "applications")
}

/// Creates a custom resource and writes its status, as its controller would.
async fn create_with_status(client: &kube::Client, ar: &ApiResource, ns: &str, mut obj: Value) {
    let status = obj.as_object_mut().and_then(|o| o.remove("status"));
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, ar);
    let created: DynamicObject = serde_json::from_value(obj).expect("object");
    let name = created.metadata.name.clone().expect("name");
    api.create(&PostParams::default(), &created)
        .await
        .expect("create");
    if let Some(status) = status {
        api.patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": status})),
        )
        .await
        .expect("write status");
    }
}

async fn namespace(client: &kube::Client, name: &str) {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).expect("ns");
    api.create(&PostParams::default(), &ns)
        .await
        .expect("namespace");
}

/// Deletes the test's namespaces (and the custom resources in them) when the test ends,
/// passed or not, so later tests never meet its Applications.
struct Cleanup(Vec<String>);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = Command::new(common::built_kubectl())
            .arg("--kubeconfig")
            .arg(&common::cluster().admin_kubeconfig)
            .args(["delete", "namespace", "--wait=true", "--timeout=60s"])
            .args(&self.0)
            .output();
    }
}

fn kdrift(repo: &TestRepo, args: &[&str]) -> (i32, String, String) {
    let out: Output = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&common::cluster().admin_kubeconfig)
        .args(args)
        .env("KDRIFT_HELM", common::built_helm())
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("json: {e}: {text}"))
}

fn row<'a>(apps: &'a Value, path: &str) -> &'a Value {
    apps["apps"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|r| r["path"] == path && r["controller"].is_object())
        })
        .unwrap_or_else(|| panic!("no controller app at {path} in {apps:#}"))
}

/// A repository with a plain app and a chart, whose origin is `url`.
fn shop_repo(url: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("apps/web/web.yaml", &deployment("web", 2, "nginx:1.27"));
    repo.write(
        "apps/web/settings.yaml",
        &config_map("web-settings", "mode", "fast"),
    );
    repo.write(
        "charts/api/Chart.yaml",
        "apiVersion: v2\nname: api\nversion: 0.1.0\n",
    );
    repo.write(
        "charts/api/values.yaml",
        "replicaCount: 1\ngreeting: hello\n",
    );
    repo.write("charts/api/values-prod.yaml", "greeting: prod\n");
    repo.write(
        "charts/api/templates/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\ndata:\n  greeting: {{ .Values.greeting | quote }}\n  replicas: {{ .Values.replicaCount | quote }}\n",
    );
    repo.write(
        "apps/flux/settings.yaml",
        &config_map("flux-settings", "mode", "slow"),
    );
    repo.commit("shop");
    repo.git(&["remote", "add", "origin", url]);
    repo
}

// Over 80 lines: one scenario, an operator's walk through an Argo CD-managed repository:
// discovery, rendering options, ignore rules (CLI and TUI), tracking, the sync guard.
#[tokio::test]
async fn argo_cd_applications_are_found_rendered_as_declared_and_never_fought() {
    let client = common::admin_client().await;
    install_crds(&client).await;
    let argocd = common::unique_name("argocd");
    let shop = common::unique_name("shop");
    let repo_name = common::unique_name("shop-repo");
    let repo = shop_repo(&format!("https://github.com/example/{repo_name}.git"));
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let _cleanup = Cleanup(vec![argocd.clone(), shop.clone()]);
    namespace(&client, &argocd).await;
    namespace(&client, &shop).await;
    let app = |name: &str, url: &str, source: Value, extra: Value| {
        let mut spec = json!({"source": source, "destination": {"server": "https://kubernetes.default.svc", "namespace": shop}, "project": "default"});
        spec["source"]["repoURL"] = json!(url);
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            spec[k] = v;
        }
        json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": name, "namespace": argocd}, "spec": spec,
            "status": {"sync": {"status": "Synced", "revision": head}, "health": {"status": "Healthy"}}})
    };
    // The ssh (scp-like) form of the same repository, and the https one.
    let ssh = format!("git@github.com:example/{repo_name}.git");
    let https = format!("https://github.com/example/{repo_name}");
    for obj in [
        app(
            "web",
            &ssh,
            json!({"path": "apps/web", "targetRevision": "HEAD"}),
            json!({
            "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]}),
        ),
        app(
            "api",
            &https,
            json!({"path": "charts/api", "helm": {"releaseName": "shop-api",
            "valueFiles": ["values-prod.yaml"], "values": "replicaCount: 3\n"}}),
            json!({
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}}),
        ),
        app(
            "elsewhere",
            "https://github.com/example/another.git",
            json!({"path": "deploy"}),
            json!({}),
        ),
    ] {
        create_with_status(&client, &applications(), &argocd, obj).await;
    }

    // Discovered and matched, with Argo CD's view beside kdrift's.
    let (_, out, err) = kdrift(&repo, &["apps", "-o", "json"]);
    let apps = json_of(&out);
    let web = row(&apps, "apps/web");
    assert_eq!(web["name"], "web", "{err}{web:#}");
    assert_eq!(web["namespace"], shop.as_str());
    assert_eq!(web["controller"]["controller"], "Argo CD");
    assert_eq!(web["controller"]["status"]["sync"], "Synced");
    assert_eq!(row(&apps, "charts/api")["controller"]["auto_sync"], true);
    let elsewhere = row(&apps, "deploy");
    assert!(
        elsewhere["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("is not this one")),
        "{elsewhere:#}"
    );
    let (_, text, _) = kdrift(&repo, &["apps"]);
    assert!(
        text.contains(&format!("Argo CD: Application {argocd}/web Synced")),
        "{text}"
    );
    assert!(
        text.contains("kdrift finds"),
        "Synced for Argo CD, not for kdrift: {text}"
    );

    // The chart renders with the Application's release name, value files and values.
    let (code, out, err) = kdrift(&repo, &["diff", "--path", "charts/api", "-o", "json"]);
    assert_eq!(code, 1, "{err}{out}");
    let diff = json_of(&out);
    let config = diff["objects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["key"]["name"] == "shop-api-config"))
        .unwrap_or_else(|| panic!("release name from the Application: {diff:#}"));
    assert_eq!(config["key"]["namespace"], shop.as_str());
    let preview = config["preview"]["unified"].as_str().unwrap_or_default();
    assert!(
        preview.contains("greeting: prod") && preview.contains("replicas: \"3\""),
        "{preview}"
    );

    // Auto-synced: refused without --suspend-controller, and in read-only mode.
    let applications_api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &argocd, &applications());
    let automated = |a: DynamicObject| {
        a.data
            .pointer("/spec/syncPolicy/automated")
            .cloned()
            .filter(|v| !v.is_null())
    };
    let (code, out, err) = kdrift(&repo, &["sync", "--path", "charts/api", "--yes"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("syncs Application") && out.contains("revert commit"),
        "{out}"
    );
    assert!(err.contains("--suspend-controller"), "{err}");
    let (code, _, err) = kdrift(
        &repo,
        &[
            "--readonly",
            "sync",
            "--path",
            "charts/api",
            "--yes",
            "--suspend-controller",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        automated(applications_api.get("api").await.expect("api")).is_some(),
        "read-only wrote"
    );
    let (code, out, err) = kdrift(
        &repo,
        &["sync", "--path", "charts/api", "--suspend-controller"],
    );
    assert_ne!(code, 0, "no confirmation on a closed stdin: {out}{err}");
    assert!(
        automated(applications_api.get("api").await.expect("api")).is_some(),
        "unconfirmed wrote"
    );
    let (code, out, err) = kdrift(
        &repo,
        &[
            "sync",
            "--path",
            "charts/api",
            "--yes",
            "--suspend-controller",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("disabled Argo CD's auto-sync") && out.contains("resume with: kubectl"),
        "{out}"
    );
    assert!(
        automated(applications_api.get("api").await.expect("api")).is_none(),
        "auto-sync still on"
    );
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), &shop);
    assert!(
        configs
            .get_opt("shop-api-config")
            .await
            .expect("get")
            .is_some()
    );

    // The Application's ignoreDifferences silence a field, named with the rule.
    let (code, out, err) = kdrift(&repo, &["sync", "--path", "apps/web", "--yes"]);
    assert_eq!(code, 0, "not auto-synced: {out}{err}");
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &shop);
    common::scale_by_hand(&deployments, "web", "kubectl-scale", 5).await;
    let (code, out, _) = kdrift(&repo, &["diff", "--path", "apps/web", "-o", "json"]);
    let diff = json_of(&out);
    assert_eq!(code, 0, "{diff:#}");
    let rule = format!("Application {argocd}/web spec.ignoreDifferences[0]");
    assert!(out.contains(&rule), "{diff:#}");
    let tui = Tmux::start(
        &format!(
            "{} --kubeconfig {} --repo {} --path apps/web",
            env!("CARGO_BIN_EXE_kdrift"),
            common::cluster().admin_kubeconfig.display(),
            repo.path().display()
        ),
        &[("KDRIFT_HELM", &common::built_helm().display().to_string())],
    );
    tui.wait_for("the app's objects", 60, |s| {
        common::tui::object_row(s, "web", "Synced")
    });
    tui.keys(&[
        "/", "D", "e", "p", "l", "o", "y", "Enter", "NPage", "NPage", "NPage", "NPage", "d",
    ]);
    tui.wait_for("the rule named in the diff", 30, |s| {
        // The pane wraps: the rule's origin reads across the lines.
        s.contains("ignored by rules")
            && s.contains("ignored by Application")
            && s.contains(&format!("{argocd}/web spec.ignoreDifferences[0]"))
    });
    tui.keys(&["q"]);

    // Objects Argo CD marks for the app, not in Git: Extra.
    let stray: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "stray",
        "labels": {"app.kubernetes.io/instance": "web"}}, "data": {"a": "1"}}))
    .expect("cm");
    configs
        .create(&PostParams::default(), &stray)
        .await
        .expect("stray");
    let (code, out, _) = kdrift(&repo, &["diff", "--path", "apps/web", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let extra = json_of(&out)["objects"]
        .as_array()
        .and_then(|o| o.iter().find(|o| o["key"]["name"] == "stray").cloned())
        .expect("stray listed");
    assert_eq!(extra["status"], "Extra");
    assert_eq!(extra["marked_by"], "Argo CD");
    // Shown, never pruned by kdrift: it deletes only what it marked itself.
    let (_, out, _) = kdrift(
        &repo,
        &["sync", "--path", "apps/web", "--prune", "--dry-run"],
    );
    assert!(
        out.lines()
            .any(|l| l.contains("keep") && l.contains("stray") && l.contains("marked by Argo CD")),
        "{out}"
    );
    // What a controller made (a CronJob's Job copies the instance label) is not the app's.
    let owned: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "made-by-a-controller",
        "labels": {"app.kubernetes.io/instance": "web"},
        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "x", "uid": "6f1c7a9e-0000-4000-8000-000000000001", "controller": true}]}})).expect("cm");
    configs
        .create(&PostParams::default(), &owned)
        .await
        .expect("owned");
    let (_, out, _) = kdrift(&repo, &["diff", "--path", "apps/web", "-o", "json"]);
    assert!(!out.contains("made-by-a-controller"), "{out}");
}

#[tokio::test]
async fn flux_kustomizations_are_found_by_their_git_repository_and_suspended_before_a_sync() {
    let client = common::admin_client().await;
    install_crds(&client).await;
    let flux = common::unique_name("flux");
    let target = common::unique_name("fluxapp");
    let repo_name = common::unique_name("shop-repo");
    let repo = shop_repo(&format!("git@github.com:example/{repo_name}.git"));
    let first = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write("apps/flux/more.yaml", &config_map("flux-more", "k", "v"));
    repo.commit("more");
    let _cleanup = Cleanup(vec![flux.clone(), target.clone()]);
    namespace(&client, &flux).await;
    namespace(&client, &target).await;
    create_with_status(
        &client,
        &resource("source.toolkit.fluxcd.io", "v1", "GitRepository", "gitrepositories"),
        &flux,
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "shop", "namespace": flux},
            "spec": {"url": format!("ssh://git@github.com/example/{repo_name}"), "ref": {"branch": "main"}, "interval": "1m"}}),
    )
    .await;
    let kustomizations = resource(
        "kustomize.toolkit.fluxcd.io",
        "v1",
        "Kustomization",
        "kustomizations",
    );
    create_with_status(
        &client,
        &kustomizations,
        &flux,
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "shop-flux", "namespace": flux},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "shop"}, "path": "./apps/flux",
                "targetNamespace": target, "prune": true, "interval": "5m"},
            "status": {"lastAppliedRevision": format!("main@sha1:{first}"),
                "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded", "message": "", "lastTransitionTime": "2026-12-01T00:00:00Z"}],
                "inventory": {"entries": [{"id": format!("{target}_flux-settings__ConfigMap"), "v": "v1"}]}}}),
    )
    .await;

    let (_, out, _) = kdrift(&repo, &["apps", "-o", "json"]);
    let apps = json_of(&out);
    let app = row(&apps, "apps/flux");
    assert_eq!(app["controller"]["controller"], "Flux");
    assert_eq!(
        app["namespace"],
        target.as_str(),
        "targetNamespace used: {app:#}"
    );
    let notes = app["notes"].to_string();
    assert!(
        notes.contains("Flux is at") && notes.contains("not HEAD"),
        "{notes}"
    );

    // Flux reconciles on its own: a sync suspends the Kustomization first.
    let (code, _, err) = kdrift(&repo, &["sync", "--path", "apps/flux", "--yes"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, err) = kdrift(
        &repo,
        &[
            "sync",
            "--path",
            "apps/flux",
            "--yes",
            "--suspend-controller",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains(&format!(
            "resume with: flux resume kustomization shop-flux -n {flux}"
        )),
        "{out}"
    );
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &flux, &kustomizations);
    let ks = api.get("shop-flux").await.expect("kustomization");
    assert_eq!(ks.data.pointer("/spec/suspend"), Some(&json!(true)));

    // What Flux marks for the Kustomization, not in Git: Extra.
    let configs: Api<ConfigMap> = Api::namespaced(client.clone(), &target);
    let stray: ConfigMap = serde_json::from_value(json!({"metadata": {"name": "flux-stray",
        "labels": {"kustomize.toolkit.fluxcd.io/name": "shop-flux", "kustomize.toolkit.fluxcd.io/namespace": flux}},
        "data": {"a": "1"}})).expect("cm");
    configs
        .create(&PostParams::default(), &stray)
        .await
        .expect("stray");
    let (code, out, _) = kdrift(&repo, &["diff", "--path", "apps/flux", "-o", "json"]);
    assert_eq!(code, 1, "{out}");
    let doc = json_of(&out);
    let status_of = |name: &str| {
        doc["objects"]
            .as_array()
            .and_then(|o| o.iter().find(|o| o["key"]["name"] == name))
            .map(|o| o["status"].clone())
    };
    assert_eq!(status_of("flux-stray"), Some(json!("Extra")), "{doc:#}");
    assert_eq!(status_of("flux-more"), Some(json!("Synced")), "{doc:#}");
}
