//! What one sync reaches: a CRD and its instances together, a namespace neither Git nor
//! the cluster has (`--create-namespace`), and ignore rules that keep a sync and the diff
//! off fields an autoscaler or a webhook owns.

mod common;

use common::app::TestApp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

fn crd(group: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.{group}\nspec:\n  group: {group}\n  scope: Namespaced\n  names: {{plural: gadgets, singular: gadget, kind: Gadget}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec: {{type: object, x-kubernetes-preserve-unknown-fields: true}}\n"
    )
}

#[tokio::test]
async fn a_crd_its_instances_and_their_namespace_in_one_sync() {
    // No Namespace in Git, and none in the cluster.
    let app = TestApp::new("crd", false);
    let group = format!("{}.kdrift.test", app.ns);
    app.repo.write("app/crd.yaml", &crd(&group));
    app.repo.write(
        "app/gadgets.yaml",
        &format!(
            "apiVersion: {group}/v1\nkind: Gadget\nmetadata: {{name: one}}\nspec: {{size: 1}}\n---\napiVersion: {group}/v1\nkind: Gadget\nmetadata: {{name: two}}\nspec: {{size: 2}}\n"
        ),
    );
    app.repo.commit("crd and gadgets");
    let client = common::admin_client().await;
    let namespaces: Api<Namespace> = Api::all(client.clone());

    // Without --create-namespace: the way out is named, and no instance is attempted.
    let (code, text) = app.text("sync", &["--dry-run"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("namespace {} does not exist", app.ns)),
        "{text}"
    );
    assert!(text.contains("--create-namespace"), "{text}");
    // Asked, but not confirmed (stdin is not a terminal): nothing is created.
    let (code, text) = app.text("sync", &["--create-namespace"]);
    assert_ne!(code, 0, "{text}");
    assert!(
        text.contains(&format!("create    Namespace/{}", app.ns)),
        "{text}"
    );
    assert!(namespaces.get_opt(&app.ns).await.expect("get").is_none());

    let text = app.sync(&["--create-namespace"]);
    // The namespace, the CRD and both instances.
    assert!(text.contains("Synced: 4 created"), "{text}");
    assert!(namespaces.get_opt(&app.ns).await.expect("get").is_some());
    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        doc["summary"]["Synced"], 3,
        "the CRD and both instances: {doc:#}"
    );

    let crds: Api<CustomResourceDefinition> = Api::all(client);
    let _ = crds
        .delete(&format!("gadgets.{group}"), &Default::default())
        .await;
    app.delete_namespace().await;
}

#[tokio::test]
async fn ignore_rules_silence_an_autoscaler_and_a_webhook_and_say_so() {
    let app = TestApp::new("ignore", true);
    app.repo.write(
        "app/web.yaml",
        &common::repo::deployment("web", 2, "nginx:1.27"),
    );
    app.repo.write(
        "app/.kdrift.yaml",
        "ignoreDifferences:\n- group: apps\n  kind: Deployment\n  managedFieldsManagers: [kube-controller-manager]\n- kind: Deployment\n  name: web\n  jsonPointers: [/metadata/annotations/sidecar.kdrift.test~1status]\n",
    );
    app.repo.commit("web with rules");
    app.sync(&[]);
    let deployments: Api<Deployment> = Api::namespaced(common::admin_client().await, &app.ns);
    // What the HPA controller (in kube-controller-manager) writes: the scale subresource.
    common::scale_by_hand(&deployments, "web", "kube-controller-manager", 5).await;
    // What a mutating webhook's controller writes.
    deployments
        .patch(
            "web",
            &PatchParams {
                field_manager: Some("sidecar-injector".into()),
                ..Default::default()
            },
            &Patch::Merge(
                json!({"metadata": {"annotations": {"sidecar.kdrift.test/status": "injected"}}}),
            ),
        )
        .await
        .expect("annotate");

    let (code, doc) = app.diff_json(&[]);
    assert_eq!(code, 0, "both silenced: {doc:#}");
    let web = TestApp::object(&doc, "Deployment", "web");
    let ignored: Vec<(String, String, String)> = web["ignored"]
        .as_array()
        .expect("ignored listed")
        .iter()
        .map(|i| {
            (
                i["lens"].as_str().unwrap_or_default().into(),
                i["path"].as_str().unwrap_or_default().into(),
                i["rule"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    assert!(
        ignored.iter().any(|(lens, path, rule)| lens == "preview"
            && path == "spec.replicas"
            && rule.contains("app/.kdrift.yaml ignoreDifferences[0]: managedFieldsManagers kube-controller-manager")),
        "{ignored:?}"
    );
    assert!(
        ignored.iter().any(|(lens, path, rule)| lens == "drift"
            && path == "metadata.annotations.sidecar.kdrift.test/status"
            && rule.contains("ignoreDifferences[1]: jsonPointers")),
        "{ignored:?}"
    );
    for lens in ["preview", "drift"] {
        let (code, text) = app.text("diff", &["--lens", lens]);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("ignored (1):"), "{lens}: {text}");
    }
    // A sync leaves the autoscaler's replicas alone.
    let (code, text) = app.text("sync", &["--yes"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        common::replicas(&deployments, "web").await,
        Some(5),
        "{text}"
    );
    app.delete_namespace().await;
}
