//! The pods of an app's workloads against the real control plane, kept by watches: grouped
//! under their Deployment (through the ReplicaSet) and their CronJob (through the Job), a
//! scale-down seen without asking again, and what the logs pane streams for a workload.

mod common;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kdrift::cluster::logs::{LogTarget, pods_of};
use kdrift::cluster::pods::watch::{Grouped, watch_app_pods};
use kdrift::cluster::{ConnectOptions, Connection};
use kdrift::model::object::ObjectKey;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use serde_json::json;

fn key(group: &str, kind: &str, ns: &str, name: &str) -> ObjectKey {
    ObjectKey {
        group: group.into(),
        kind: kind.into(),
        namespace: Some(ns.into()),
        name: name.into(),
    }
}

#[tokio::test]
async fn pods_group_under_deployments_and_cron_jobs_and_feed_their_logs() {
    let cluster = common::cluster();
    let conn = Connection::open(&ConnectOptions {
        kubeconfig: Some(cluster.admin_kubeconfig.clone()),
        context: None,
        ..Default::default()
    })
    .await
    .expect("connect");
    let client = common::admin_client().await;
    let ns = common::unique_name("pods");
    let create = PostParams::default();
    Api::<Namespace>::all(client.clone())
        .create(
            &create,
            &serde_json::from_value(json!({"metadata": {"name": ns}})).expect("ns"),
        )
        .await
        .expect("namespace");
    let deployment: Deployment =
        serde_saphyr::from_str(&common::repo::deployment("web", 2, "nginx:1.27")).expect("yaml");
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .create(&create, &deployment)
        .await
        .expect("deployment");
    let cron: CronJob = serde_json::from_value(json!({
        "metadata": {"name": "report"},
        "spec": {"schedule": "0 0 1 1 *", "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "report", "image": "busybox"}]}}}}}
    }))
    .expect("cronjob");
    let cron = Api::<CronJob>::namespaced(client.clone(), &ns)
        .create(&create, &cron)
        .await
        .expect("cronjob");
    // A run of the CronJob, as its controller (or `kubectl create job --from`) makes it.
    let job: Job = serde_json::from_value(json!({
        "metadata": {"name": "report-manual", "ownerReferences": [{
            "apiVersion": "batch/v1", "kind": "CronJob", "name": "report",
            "uid": cron.metadata.uid, "controller": true}]},
        "spec": {"template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "report", "image": "busybox"}]}}}
    }))
    .expect("job");
    Api::<Job>::namespaced(client.clone(), &ns)
        .create(&create, &job)
        .await
        .expect("job");
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    common::eventually("three pods", 60, || {
        let pods = pods.clone();
        async move {
            let n = pods.list(&ListParams::default()).await.ok()?.items.len();
            (n == 3).then_some(())
        }
    })
    .await;

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Grouped>();
    let watch = tokio::spawn(watch_app_pods(conn.clone(), vec![ns.clone()], move |g| {
        tx.send(g).is_ok()
    }));
    let web_id = ("Deployment".to_string(), ns.clone(), "web".to_string());
    let report_id = ("CronJob".to_string(), ns.clone(), "report".to_string());
    let mut next_with = async |want_web: usize| loop {
        let grouped = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
            .await
            .expect("a grouping within a minute")
            .expect("the watch goes on")
            .expect("no watch error");
        if grouped.get(&web_id).map(Vec::len) == Some(want_web) && grouped.contains_key(&report_id)
        {
            return grouped;
        }
    };
    let grouped = next_with(2).await;
    assert!(grouped[&web_id].iter().all(|p| p.name.starts_with("web-")));
    let report = &grouped[&report_id];
    assert_eq!(report.len(), 1, "{grouped:?}");
    assert!(report[0].name.starts_with("report-manual-"));

    let streams = pods_of(
        &conn,
        &LogTarget::Workload(key("apps", "Deployment", &ns, "web")),
    )
    .await
    .expect("web pods");
    assert_eq!(streams.len(), 2);
    assert!(streams.iter().all(|p| p.default_container == "app"));
    let streams = pods_of(
        &conn,
        &LogTarget::Workload(key("batch", "CronJob", &ns, "report")),
    )
    .await
    .expect("report pods");
    assert_eq!(streams.len(), 1);
    assert_eq!(streams[0].default_container, "report");
    let missing = pods_of(
        &conn,
        &LogTarget::Workload(key("apps", "Deployment", &ns, "nope")),
    )
    .await
    .expect_err("no such Deployment");
    assert!(
        missing.contains("get deployment nope") && missing.contains(&ns),
        "the error names the verb and the object: {missing}"
    );

    // Scaled down: the watch sees the pod go, nothing is listed again.
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 1}})),
        )
        .await
        .expect("scale");
    let grouped = next_with(1).await;
    assert_eq!(grouped[&report_id].len(), 1, "{grouped:?}");
    watch.abort();

    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}
