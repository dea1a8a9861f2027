//! Smoke test of the local control plane itself: the foundation every other test stands on.

mod common;

use std::io::Write;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use kube::api::{Api, DeleteParams, ListParams, LogParams, PostParams};

fn node_is_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[tokio::test]
async fn at_least_two_nodes_are_ready() {
    let nodes: Api<Node> = Api::all(common::admin_client().await);
    let list = nodes
        .list(&ListParams::default())
        .await
        .expect("list nodes");
    let ready = list.items.iter().filter(|n| node_is_ready(n)).count();
    assert!(ready >= 2, "expected at least two Ready nodes, got {ready}");
}

fn deployment(name: &str, ns: &str) -> Deployment {
    serde_json::from_value(serde_json::json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}
            }
        }
    }))
    .expect("valid deployment")
}

#[tokio::test]
async fn deployment_pods_run_and_logs_come_back_through_the_api() {
    let client = common::admin_client().await;
    let ns = common::unique_name("smoke");
    let namespaces: Api<Namespace> = Api::all(client.clone());
    let mut namespace = Namespace::default();
    namespace.metadata.name = Some(ns.clone());
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .expect("create namespace");

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    deployments
        .create(&PostParams::default(), &deployment("web", &ns))
        .await
        .expect("create deployment");

    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let running = common::eventually("two Running pods", 90, || async {
        let list = pods
            .list(&ListParams::default().labels("app=web"))
            .await
            .ok()?;
        let running: Vec<String> = list
            .items
            .iter()
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        (running.len() == 2).then_some(running)
    })
    .await;

    let log_file = common::cluster()
        .pod_log_file
        .clone()
        .expect("the local cluster names its pod log file");
    let marker = format!("kdrift smoke marker {}", common::unique_name("line"));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_file)
        .expect("open the CRI log file");
    writeln!(file, "2026-01-01T00:00:00.000000000Z stdout F {marker}").expect("append a line");
    drop(file);

    let pod = &running[0];
    let text = common::eventually("the appended line in the pod's log", 30, || async {
        let text = pods.logs(pod, &LogParams::default()).await.ok()?;
        text.contains(&marker).then_some(text)
    })
    .await;
    assert!(text.contains(&marker));

    namespaces
        .delete(&ns, &DeleteParams::default())
        .await
        .expect("delete namespace");
}

#[tokio::test]
async fn restricted_user_is_refused_nodes_and_allowed_in_its_namespace() {
    let cluster = common::cluster();
    let kubeconfig = cluster
        .restricted_kubeconfig
        .as_ref()
        .expect("a restricted kubeconfig (set KDRIFT_TEST_RESTRICTED_KUBECONFIG with KDRIFT_TEST_KUBECONFIG)");
    let client = common::client_for(kubeconfig).await;

    let nodes: Api<Node> = Api::all(client.clone());
    match nodes.list(&ListParams::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.code, 403, "{status:?}"),
        other => panic!("listing nodes as the restricted user should be forbidden, got {other:?}"),
    }

    let pods: Api<Pod> = Api::namespaced(client, &cluster.restricted_namespace);
    pods.list(&ListParams::default())
        .await
        .expect("the restricted user may list pods in its namespace");
}
