use serde_json::json;

use super::*;

fn application() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "api", "namespace": "argocd"},
        "spec": {
            "source": {"repoURL": "https://github.com/example/shop.git", "targetRevision": "main",
                "path": "./charts/api/", "helm": {"releaseName": "shop-api", "valueFiles": ["values-prod.yaml"],
                "values": "replicaCount: 3\n", "parameters": [{"name": "image.tag", "value": "1.2"}]}},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": "shop"},
            "ignoreDifferences": [{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
                {"kind": "Secret", "jqPathExpressions": [".data.x"]}],
            "syncPolicy": {"automated": {"prune": true, "selfHeal": true}}},
        "status": {"sync": {"status": "Synced", "revision": "abc123"}, "health": {"status": "Healthy"}}})
}

#[test]
fn an_application_gives_path_namespace_helm_rules_and_status() {
    let apps = from_application(&application());
    assert_eq!(apps.len(), 1);
    let a = &apps[0];
    assert_eq!(a.path, "charts/api");
    assert_eq!(a.target_namespace.as_deref(), Some("shop"));
    assert_eq!(a.helm.release_name.as_deref(), Some("shop-api"));
    assert_eq!(a.helm.value_files, ["values-prod.yaml"]);
    assert_eq!(a.helm.values.as_deref(), Some("replicaCount: 3\n"));
    assert_eq!(a.helm.parameters, ["image.tag=1.2"]);
    assert!(a.auto_sync);
    assert_eq!(a.status.sync.as_deref(), Some("Synced"));
    assert_eq!(a.status.revision.as_deref(), Some("abc123"));
    assert_eq!(a.ignore[0].json_pointers, ["/spec/replicas"]);
    assert_eq!(
        a.ignore[0].origin,
        "Application argocd/api spec.ignoreDifferences[0]"
    );
    assert!(
        a.unsupported[0].contains("jqPathExpressions"),
        "{:?}",
        a.unsupported
    );
    let g = guard(a).expect("auto-synced");
    assert_eq!(
        g.patch,
        json!({"spec": {"syncPolicy": {"automated": null}}})
    );
    assert!(g.resume.contains("\"selfHeal\":true"), "{}", g.resume);
    assert!(g.warning.contains("revert commit"), "{}", g.warning);
}

#[test]
fn urls_match_across_https_ssh_and_scp_forms() {
    let forms = [
        "https://github.com/example/shop.git",
        "https://GitHub.com/example/shop/",
        "ssh://git@github.com/example/shop",
        "ssh://git@github.com:22/example/shop.git",
        "git@github.com:example/shop.git",
        "http://token@github.com/example/shop",
    ];
    for f in forms {
        assert_eq!(normalize_url(f), "github.com/example/shop", "{f}");
    }
    assert_ne!(
        normalize_url("git@github.com:example/other.git"),
        "github.com/example/shop"
    );
    let apps = from_application(&application());
    assert!(
        find(
            &apps,
            &["git@github.com:example/shop.git".into()],
            "charts/api"
        )
        .is_some()
    );
    assert!(
        find(
            &apps,
            &["git@github.com:example/shop.git".into()],
            "charts/web"
        )
        .is_none()
    );
    assert!(
        find(
            &apps,
            &["https://gitlab.com/example/shop".into()],
            "charts/api"
        )
        .is_none()
    );
}

#[test]
fn a_flux_kustomization_reads_its_repository_and_inventory() {
    let repos = [
        json!({"metadata": {"name": "shop", "namespace": "flux-system"},
        "spec": {"url": "ssh://git@github.com/example/shop", "ref": {"branch": "main"}}}),
    ];
    let ks = json!({"metadata": {"name": "web", "namespace": "flux-system"},
        "spec": {"sourceRef": {"kind": "GitRepository", "name": "shop"}, "path": "./apps/web",
            "targetNamespace": "web", "prune": true},
        "status": {"lastAppliedRevision": "main@sha1:0123abcd",
            "conditions": [{"type": "Ready", "status": "True"}],
            "inventory": {"entries": [{"id": "web_web_apps_Deployment", "v": "v1"}, {"id": "web_cfg__ConfigMap", "v": "v1"}]}}});
    let app = from_kustomization(&ks, &repos);
    assert_eq!(
        app.repo_url.as_deref(),
        Some("ssh://git@github.com/example/shop")
    );
    assert_eq!(app.target_revision.as_deref(), Some("main"));
    assert_eq!(app.path, "apps/web");
    assert_eq!(app.status.revision.as_deref(), Some("0123abcd"));
    assert_eq!(app.status.sync.as_deref(), Some("Ready"));
    assert_eq!(app.inventory_kinds, ["ConfigMap", "Deployment.apps"]);
    let live = json!({"metadata": {"labels": {"kustomize.toolkit.fluxcd.io/name": "web",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system"}}});
    assert!(app.tracks(&live));
    assert_eq!(
        guard(&app).expect("flux always reconciles").patch,
        json!({"spec": {"suspend": true}})
    );
    let mut suspended = app.clone();
    suspended.suspended = true;
    assert!(guard(&suspended).is_none());
}

#[test]
fn argo_cd_marks_by_annotation_or_label() {
    let app = &from_application(&application())[0];
    let object = |annotations: Value, labels: Value| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "annotations": annotations, "labels": labels}})
    };
    let id = |id: &str| json!({"argocd.argoproj.io/tracking-id": id});
    assert!(app.tracks(&object(id("api:apps/Deployment:shop/web"), json!({}))));
    assert!(
        !app.tracks(&object(id("api:apps/Deployment:shop/other"), json!({}))),
        "the whole id names the object"
    );
    assert!(!app.tracks(&object(id("api2:apps/Deployment:shop/web"), json!({}))));
    assert!(app.tracks(&object(
        json!({}),
        json!({"app.kubernetes.io/instance": "api"})
    )));
    let mut made = object(json!({}), json!({"app.kubernetes.io/instance": "api"}));
    made["metadata"]["ownerReferences"] =
        json!([{"kind": "CronJob", "name": "c", "controller": true}]);
    assert!(
        !app.tracks(&made),
        "a controller's product is not the app's"
    );
}
