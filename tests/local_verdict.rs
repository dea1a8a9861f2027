//! The local verdict (Synced read off the live object's managedFields, no dry-run) gives
//! the dry-run's answer over the drift matrix, and decides the objects nobody touched.

mod common;

use common::app::TestApp;
use kdrift::cluster::apply::apply;
use kdrift::cluster::discovery;
use kdrift::cluster::drift::{DriftOptions, DryRunCache, compute};
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::model::desired::DesiredSet;
use kdrift::model::tracking::with_tracking;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

fn desired(app: &TestApp) -> DesiredSet {
    app.desired()
}

fn as_manager(m: &str) -> PatchParams {
    PatchParams {
        field_manager: Some(m.into()),
        ..Default::default()
    }
}

// Over 80 lines: the matrix is one list of objects and one list of edits, side by side.
#[tokio::test]
async fn the_local_verdict_is_the_dry_runs_over_the_drift_matrix() {
    let app = TestApp::new("local", true);
    let ns = app.ns.clone();
    let group = format!("{ns}.kdrift.test");
    let deploy = |name: &str, extra: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n{extra}"
        )
    };
    let cm = |name: &str, data: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata:\n{data}"
        )
    };
    let files = [
        ("untouched", cm("untouched", "  a: \"1\"\n")),
        ("labelled", cm("labelled", "  a: \"1\"\n")),
        ("key-added", cm("key-added", "  a: \"1\"\n")),
        ("git-changed", cm("git-changed", "  a: \"1\"\n")),
        ("git-removed", cm("git-removed", "  a: \"1\"\n  b: \"2\"\n")),
        ("shared", cm("shared", "  a: \"1\"\n")),
        ("edited", cm("edited", "  a: \"1\"\n  mode: prod\n")),
        (
            "label-removed",
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: label-removed\n  namespace: {ns}\n  labels: {{team: web}}\ndata:\n  a: \"1\"\n"
            ),
        ),
        ("web-port-removed", deploy("web-port-removed", "")),
        ("web-pull-policy", deploy("web-pull-policy", "")),
        ("web-env", deploy("web-env", "")),
        ("web-scaled", deploy("web-scaled", "")),
        ("web-annotated", deploy("web-annotated", "")),
        (
            "web-quantities",
            deploy(
                "web-quantities",
                "        resources:\n          limits: {cpu: 1000m, memory: 1024Mi}\n",
            ),
        ),
        (
            "svc",
            format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  namespace: {ns}\nspec:\n  selector: {{app: web}}\n  ports:\n  - port: 80\n    targetPort: 8080\n"
            ),
        ),
        (
            "secret-data",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-data\n  namespace: {ns}\ndata:\n  k: dmFsdWU=\n"
            ),
        ),
        (
            "secret-extra",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-extra\n  namespace: {ns}\ndata:\n  k: dmFsdWU=\n"
            ),
        ),
        (
            "secret-string",
            format!(
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-string\n  namespace: {ns}\nstringData:\n  k: value\n"
            ),
        ),
        (
            "crd",
            format!(
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gizmos.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: gizmos, singular: gizmo, kind: Gizmo}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {{type: object, x-kubernetes-preserve-unknown-fields: true}}\n"
            ),
        ),
    ];
    for (name, text) in &files {
        app.repo.write(&format!("app/{name}.yaml"), text);
    }
    app.repo.commit("matrix");
    let conn = Connection::open(&ConnectOptions {
        kubeconfig: Some(common::cluster().admin_kubeconfig.clone()),
        ..Default::default()
    })
    .await
    .expect("connect");
    let applyset = kdrift::model::applyset::app_id(&app.name, &ns);
    let apply_set = |set: DesiredSet| {
        let conn = conn.clone();
        let (name, applyset) = (app.name.clone(), applyset.clone());
        async move {
            let mut objects: Vec<_> = set.objects.values().cloned().collect();
            objects.sort_by_key(|m| {
                (
                    m.id.kind != "Namespace",
                    m.id.kind != "CustomResourceDefinition",
                )
            });
            for m in objects {
                let resolved = discovery::resolve(&conn, [&m.id]).await.expect("discovery");
                let served = discovery::lookup(&resolved, &m.id)
                    .and_then(|r| r.as_ref().ok())
                    .expect("served")
                    .clone();
                apply(
                    &conn,
                    &served,
                    &with_tracking(&m.tree(), &name, &applyset),
                    "kdrift",
                    false,
                    false,
                )
                .await
                .unwrap_or_else(|e| panic!("apply {}: {e}", m.id));
            }
        }
    };
    apply_set(desired(&app)).await;
    // The CRD's instance, once the CRD is served.
    common::eventually("the CRD served", 30, || async {
        discovery::resolve(
            &conn,
            [&kdrift::model::object::ObjectId {
                group: group.clone(),
                version: "v1".into(),
                kind: "Gizmo".into(),
                namespace: None,
                name: String::new(),
            }],
        )
        .await
        .ok()?
        .values()
        .next()?
        .as_ref()
        .ok()
        .map(|_| ())
    })
    .await;
    app.repo.write("app/gizmo.yaml", &format!("apiVersion: {group}/v1\nkind: Gizmo\nmetadata:\n  name: gizmo\n  namespace: {ns}\nspec:\n  size: 1\n"));
    app.repo.commit("gizmo");
    apply_set(desired(&app)).await;

    // The edits: by other managers, and in Git.
    let client = common::admin_client().await;
    let cms: Api<k8s_openapi::api::core::v1::ConfigMap> = Api::namespaced(client.clone(), &ns);
    cms.patch(
        "labelled",
        &as_manager("kubectl-label"),
        &Patch::Merge(json!({"metadata": {"labels": {"x": "y"}}})),
    )
    .await
    .expect("label");
    cms.patch(
        "key-added",
        &as_manager("kubectl-patch"),
        &Patch::Merge(json!({"data": {"extra": "1"}})),
    )
    .await
    .expect("key");
    let deployments: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(client.clone(), &ns);
    deployments
        .patch(
            "web-env",
            &as_manager("kubectl-edit"),
            &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "env": [{"name": "DEBUG", "value": "1"}]}]}}}})),
        )
        .await
        .expect("env");
    common::scale_by_hand(&deployments, "web-scaled", "kubectl-scale", 4).await;
    // An annotation and a Secret's key Git does not set: no default can stand there.
    deployments
        .patch(
            "web-annotated",
            &as_manager("kubectl-annotate"),
            &Patch::Merge(json!({"metadata": {"annotations": {"owner": "ops"}}})),
        )
        .await
        .expect("annotation");
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .patch(
            "secret-extra",
            &as_manager("kubectl-patch"),
            &Patch::Merge(json!({"data": {"extra": "c2Vjb25k"}})),
        )
        .await
        .expect("secret key");
    // Another applier declaring the same value: shared, no conflict, nothing to change.
    cms.patch(
        "shared",
        &PatchParams::apply("other-applier"),
        &Patch::Apply(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "shared", "namespace": ns}, "data": {"a": "1"}})),
    )
    .await
    .expect("shared apply");
    // A value Git sets, changed by hand: a conflict.
    cms.patch(
        "edited",
        &as_manager("kubectl-edit"),
        &Patch::Merge(json!({"data": {"mode": "debug"}})),
    )
    .await
    .expect("edit");
    cms.patch(
        "label-removed",
        &as_manager("kubectl-label"),
        &Patch::Json::<()>(
            serde_json::from_value(json!([
            {"op": "remove", "path": "/metadata/labels/team"}]))
            .expect("patch"),
        ),
    )
    .await
    .expect("label removed");
    deployments
        .patch(
            "web-port-removed",
            &as_manager("kubectl-edit"),
            &Patch::Json::<()>(
                serde_json::from_value(json!([
                {"op": "remove", "path": "/spec/template/spec/containers/0/ports"}]))
                .expect("patch"),
            ),
        )
        .await
        .expect("port removed");
    // A field Git leaves to the server's default, set by hand: only the reference knows
    // the default.
    deployments
        .patch(
            "web-pull-policy",
            &as_manager("kubectl-edit"),
            &Patch::Strategic(json!({"spec": {"template": {"spec": {"containers": [
                {"name": "app", "imagePullPolicy": "Always"}]}}}})),
        )
        .await
        .expect("pull policy");
    app.repo
        .write("app/git-changed.yaml", &cm("git-changed", "  a: \"2\"\n"));
    app.repo
        .write("app/git-removed.yaml", &cm("git-removed", "  a: \"1\"\n"));
    app.repo.commit("edits in Git");

    let set = desired(&app);
    let mut dry_run_only = DriftOptions::new(&app.name, &ns);
    dry_run_only.local_verdicts = false;
    let by_dry_run = compute(&conn, &set, &dry_run_only, &DryRunCache::default())
        .await
        .expect("dry-run verdicts");
    let with_local = compute(
        &conn,
        &set,
        &DriftOptions::new(&app.name, &ns),
        &DryRunCache::default(),
    )
    .await
    .expect("local verdicts");
    // The whole answer, not only the status: the reasons (with the preview's size and the
    // conflicts), the live drift's fields and owners, the conflicts' fields and owners.
    let answers = |r: &kdrift::cluster::drift::DriftReport| {
        r.objects
            .iter()
            .map(|o| {
                let drift: Vec<String> = o
                    .drift
                    .iter()
                    .map(|d| format!("{} by {:?} removed={}", d.path, d.manager, d.removed))
                    .collect();
                let conflicts: Vec<String> = o.conflicts.iter().map(|c| c.to_string()).collect();
                (
                    o.key.to_string(),
                    o.status,
                    o.reason.clone(),
                    drift,
                    conflicts,
                )
            })
            .collect::<Vec<_>>()
    };
    let (local_answers, dry_run_answers) = (answers(&with_local), answers(&by_dry_run));
    assert_eq!(local_answers.len(), dry_run_answers.len());
    for (local, asked) in local_answers.iter().zip(&dry_run_answers) {
        assert_eq!(local, asked, "the same answer for {}", asked.0);
    }
    let answer = |name: &str| {
        dry_run_answers
            .iter()
            .find(|a| a.0.ends_with(&format!("/{name}")))
            .unwrap_or_else(|| panic!("{name} judged"))
    };
    assert!(
        answer("edited")
            .4
            .iter()
            .any(|c| c.contains(".data.mode") && c.contains("kubectl-edit")),
        "the edit is a conflict: {:?}",
        answer("edited")
    );
    assert!(
        answer("label-removed")
            .3
            .iter()
            .any(|d| d.contains("metadata.labels.team") && d.ends_with("removed=true")),
        "the label removed by hand: {:?}",
        answer("label-removed")
    );
    assert!(
        answer("web-port-removed")
            .3
            .iter()
            .any(|d| d.contains("ports") && d.ends_with("removed=true")),
        "the port removed by hand: {:?}",
        answer("web-port-removed")
    );
    assert!(
        answer("web-pull-policy")
            .3
            .iter()
            .any(|d| d.contains("imagePullPolicy")),
        "the pull policy set by hand: {:?}",
        answer("web-pull-policy")
    );
    let synced: Vec<String> = by_dry_run
        .objects
        .iter()
        .filter(|o| o.status == kdrift::model::drift::SyncStatus::Synced)
        .map(|o| o.key.name.clone())
        .collect();
    for name in [
        "untouched",
        "shared",
        "web-quantities",
        "svc",
        "secret-data",
        "gizmo",
    ] {
        assert!(
            synced.contains(&name.to_string()),
            "{name} Synced: {synced:?}"
        );
    }
    for name in [
        "labelled",
        "key-added",
        "git-changed",
        "git-removed",
        "edited",
        "label-removed",
        "web-env",
        "web-scaled",
        "web-annotated",
        "secret-extra",
        "web-port-removed",
        "web-pull-policy",
    ] {
        assert!(
            !synced.contains(&name.to_string()),
            "{name} differs: {synced:?}"
        );
    }

    // And the local reading decided the untouched ones itself (the comparison is not empty).
    let (mut decided, mut applied, mut within) = (Vec::new(), Vec::new(), Vec::new());
    for m in set.objects.values() {
        let resolved = discovery::resolve(&conn, [&m.id]).await.expect("discovery");
        let served = discovery::lookup(&resolved, &m.id)
            .and_then(|r| r.as_ref().ok())
            .expect("served")
            .clone();
        let api: Api<DynamicObject> = match &m.id.namespace {
            Some(n) if served.namespaced => {
                Api::namespaced_with(client.clone(), n, &served.resource)
            }
            _ => Api::all_with(client.clone(), &served.resource),
        };
        let live = serde_json::to_value(api.get(&m.id.name).await.expect("live")).expect("json");
        let body = with_tracking(&m.tree(), &app.name, &applyset);
        if kdrift::model::local::locally_synced(&live, &body, "kdrift") {
            decided.push(m.id.name.clone());
        }
        if kdrift::model::local::locally_applied(&live, &body, "kdrift") {
            applied.push(m.id.name.clone());
        }
        // Git's fields in the server's terms: kdrift's entry after a forced dry-run apply.
        let after = apply(&conn, &served, &body, "kdrift", true, true)
            .await
            .unwrap_or_else(|e| panic!("forced dry-run of {}: {e}", m.id));
        if kdrift::model::fields::applied_by(&after, "kdrift")
            .is_some_and(|d| kdrift::model::fields::others_within(&live, d, "kdrift"))
        {
            within.push(m.id.name.clone());
        }
    }
    // The paths the comparison exercised: Git's apply known to change nothing although
    // others own fields (no dry-run apply), and others' fields all Git's (no dry-run create).
    for name in [
        "labelled",
        "shared",
        "web-env",
        "web-pull-policy",
        "key-added",
        "web-annotated",
        "secret-extra",
    ] {
        assert!(
            applied.contains(&name.to_string()),
            "{name} applied locally: {applied:?}"
        );
    }
    for name in [
        "edited",
        "web-scaled",
        "git-changed",
        "label-removed",
        "web-port-removed",
    ] {
        assert!(
            !applied.contains(&name.to_string()),
            "{name} asks for the apply: {applied:?}"
        );
    }
    for name in [
        "shared",
        "edited",
        "web-scaled",
        "label-removed",
        "labelled",
        "key-added",
        "web-annotated",
        "secret-extra",
    ] {
        assert!(
            within.contains(&name.to_string()),
            "{name} needs no create: {within:?}"
        );
    }
    for name in ["web-env", "web-pull-policy"] {
        assert!(
            !within.contains(&name.to_string()),
            "{name} needs the create: {within:?}"
        );
    }
    for name in ["untouched", "web-quantities", "svc", "secret-data", "gizmo"] {
        assert!(
            decided.contains(&name.to_string()),
            "{name} decided locally: {decided:?}"
        );
    }
    for d in &decided {
        assert!(
            synced.contains(d),
            "{d} decided Synced locally but the dry-run says otherwise"
        );
    }
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> = Api::all(client);
    let _ = crds
        .delete(&format!("gizmos.{group}"), &Default::default())
        .await;
    app.delete_namespace().await;
}
