//! The live-drift lens on the real control plane: removed fields, per-key annotations with
//! their own owner, `stringData` from any manager, allocated fields never read as Git's,
//! and normalised values explained.

mod common;

use common::app::{TestApp, drift_of};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Secret, Service};
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

fn as_manager(manager: &str) -> PatchParams {
    PatchParams {
        field_manager: Some(manager.into()),
        ..Default::default()
    }
}

const WEB: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: front}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n        ports:\n        - containerPort: 8080\n        resources:\n          limits: {cpu: 1000m, memory: 1024Mi}\n";

#[tokio::test]
async fn removed_fields_and_annotations_per_key_with_their_owner() {
    let app = TestApp::new("lens", true);
    app.repo.write("app/web.yaml", WEB);
    app.repo.commit("web");
    app.sync(&[]);
    let deployments: Api<Deployment> = Api::namespaced(common::admin_client().await, &app.ns);
    deployments
        .patch(
            "web",
            &as_manager("kubectl-label"),
            &Patch::Merge(json!({"metadata": {"labels": {"tier": null}}})),
        )
        .await
        .expect("remove a label");
    deployments
        .patch(
            "web",
            &as_manager("kubectl-edit"),
            &Patch::Json::<()>(
                serde_json::from_value(json!([
                    {"op": "remove", "path": "/spec/template/spec/containers/0/ports"}
                ]))
                .expect("patch"),
            ),
        )
        .await
        .expect("remove the container port");
    deployments
        .patch(
            "web",
            &as_manager("kubectl-annotate"),
            &Patch::Merge(json!({"metadata": {"annotations": {"on-call": "ana"}}})),
        )
        .await
        .expect("annotate");

    let (code, doc) = app.diff_json(&["--lens", "drift"]);
    assert_eq!(code, 1, "{doc:#}");
    let web = TestApp::object(&doc, "Deployment", "web");
    let drift = drift_of(web);
    for removed in [
        "metadata.labels.tier",
        "spec.template.spec.containers[name=app].ports",
    ] {
        assert!(
            drift.contains(&(removed.into(), String::new(), true)),
            "{removed} in {drift:?}"
        );
    }
    // The annotation alone, with its own manager: not the whole map, not the controller's
    // revision annotation.
    assert!(
        drift.contains(&(
            "metadata.annotations.on-call".into(),
            "kubectl-annotate".into(),
            false
        )),
        "{drift:?}"
    );
    assert!(
        !drift
            .iter()
            .any(|(p, _, _)| p == "metadata.annotations" || p.contains("revision")),
        "{drift:?}"
    );
    let (_, text) = app.text("diff", &["--lens", "drift"]);
    assert!(
        text.contains("metadata.labels.tier removed live (Git: \"front\")"),
        "{text}"
    );
    // Git's 1000m and 1024Mi are the cluster's 1 and 1Gi: the same, and said so.
    assert!(
        text.contains("Git's \"1000m\" is the cluster's \"1\": the same quantity"),
        "{text}"
    );
    assert!(
        !drift.iter().any(|(p, _, _)| p.contains("resources")),
        "{drift:?}"
    );
    app.delete_namespace().await;
}

#[tokio::test]
async fn a_secret_key_added_through_string_data_by_another_manager_is_flagged_masked() {
    let app = TestApp::new("stringdata", true);
    app.repo.write(
        "app/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  user: admin\n",
    );
    app.repo.commit("secret");
    app.sync(&[]);
    let secrets: Api<Secret> = Api::namespaced(common::admin_client().await, &app.ns);
    let token = "vault-token-6b1f2e9a";
    secrets
        .patch(
            "db",
            &PatchParams::apply("vault-injector"),
            &Patch::Apply(json!({"apiVersion": "v1", "kind": "Secret",
                "metadata": {"name": "db"}, "stringData": {"token": token}})),
        )
        .await
        .expect("another manager adds a key");
    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 1, "{doc:#}");
    let drift = drift_of(TestApp::object(&doc, "Secret", "db"));
    assert!(
        drift.contains(&("data.token".into(), "vault-injector".into(), false)),
        "{drift:?}"
    );
    let (_, text) = app.text("diff", &[]);
    assert!(text.contains("data.token = \"<masked>\""), "{text}");
    let all = format!("{doc}{text}");
    for form in common::secret_encodings(token) {
        assert!(!all.contains(&form), "the token leaked as {form}");
    }
    app.delete_namespace().await;
}

#[tokio::test]
async fn node_ports_are_never_git_values() {
    let app = TestApp::new("nodeport", true);
    app.repo.write(
        "app/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  type: NodePort\n  selector: {app: web}\n  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n",
    );
    app.repo.commit("service");
    app.sync(&[]);
    let (code, text) = app.text("diff", &[]);
    assert_eq!(code, 0, "no nodePort drift after a sync: {text}");
    assert!(!text.contains("nodePort"), "{text}");

    let services: Api<Service> = Api::namespaced(common::admin_client().await, &app.ns);
    let live = services.get("web").await.expect("service");
    let allocated = live
        .spec
        .and_then(|s| s.ports)
        .and_then(|p| p[0].node_port)
        .expect("an allocated nodePort");
    // Another free port of the range, set by hand.
    let mut wanted = None;
    for candidate in (30000..32767).map(|p| 30000 + (p + allocated - 30000 + 1) % 2767) {
        let set = services
            .patch(
                "web",
                &as_manager("kubectl-patch"),
                &Patch::Json::<()>(
                    serde_json::from_value(json!([
                        {"op": "replace", "path": "/spec/ports/0/nodePort", "value": candidate}
                    ]))
                    .expect("patch"),
                ),
            )
            .await;
        if set.is_ok() {
            wanted = Some(candidate);
            break;
        }
    }
    let wanted = wanted.expect("a free nodePort");
    let (code, text) = app.text("diff", &["--lens", "drift"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "spec.ports[port=80,protocol=TCP].nodePort = {wanted} (Git: unset)  by kubectl-patch"
        )),
        "{text}"
    );
    app.delete_namespace().await;
}
