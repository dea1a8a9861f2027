//! The TUI's flows end to end, the real binary in tmux against the real control plane:
//! logs of a workload (a freshly appended line appears; `$PAGER` gets the buffer) and a
//! rollback that writes its revert commit.

mod common;

use std::io::Write;

use common::repo::{TestRepo, deployment};
use common::sync_app;
use common::tui::{Tmux, kdrift_command, object_row};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams};

fn namespace(ns: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
}

#[tokio::test]
async fn logs_of_a_workload_show_a_freshly_appended_line_and_go_to_the_pager() {
    let cluster = common::cluster();
    let log_file = cluster.pod_log_file.clone().expect(
        "the logs test appends to the pod log file the local cluster serves (KDRIFT_TEST_POD_LOG_FILE)",
    );
    let ns = common::unique_name("tuilogs");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write("app/namespace.yaml", &namespace(&ns));
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.27"));
    // The app's Secret: a pod that prints its value must not put it on the screen.
    let password = common::unique_name("pw-value");
    repo.write(
        "app/credentials.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials\nstringData:\n  password: {password}\n"
        ),
    );
    repo.commit("release");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let client = common::admin_client().await;
    common::running_pod(&ns, "app=web").await;

    let pager_dir = tempfile::tempdir().expect("tempdir");
    let pager = format!("cp -t {}", pager_dir.path().display());
    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app),
        &[("PAGER", &pager)],
    );
    tui.wait_for("the synced workload and its pod", 60, |s| {
        s.contains("web (1 pod) Synced")
    });
    // Filtered to "web", the Deployment is the last row of the tree.
    tui.keys(&[
        "/", "w", "e", "b", "Enter", "NPage", "NPage", "NPage", "NPage", "l",
    ]);
    tui.wait_for("the logs pane asking for lines", 30, |s| {
        s.contains("Logs: Deployment web")
            && (s.contains("streaming") || s.contains("waiting for lines"))
    });

    let marker = common::unique_name("fresh-log-line");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_file)
        .expect("open the CRI log file");
    writeln!(
        file,
        "{} stdout F {marker} login with {password}",
        jiff::Timestamp::now()
    )
    .expect("append a line");
    drop(file);
    let screen = tui.wait_for("the appended line", 30, |s| s.contains(&marker));
    assert!(
        screen.contains("following"),
        "follow is on by default:\n{screen}"
    );
    assert!(
        screen.contains(&format!("{marker} login with <masked>")) && !screen.contains(&password),
        "the app's Secret value is masked:\n{screen}"
    );

    // `o`: the buffer goes to $PAGER with the terminal handed over, then the pane is back.
    tui.keys(&["o"]);
    let paged = common::eventually("the pager to get the buffer", 20, || {
        let dir = pager_dir.path().to_path_buf();
        async move {
            let entry = std::fs::read_dir(dir).ok()?.next()?.ok()?;
            std::fs::read_to_string(entry.path()).ok()
        }
    })
    .await;
    assert!(paged.contains(&marker), "{paged}");
    assert!(
        !paged.contains(&password),
        "no Secret value in the pager either"
    );
    assert!(paged.contains("[web-"), "lines carry their pod: {paged}");
    tui.keys(&["t"]);
    tui.wait_for("the pane back, with timestamps", 20, |s| {
        s.contains("Logs: Deployment web") && s.contains(&format!("Z {marker}"))
    });

    tui.keys(&["Escape"]);
    tui.wait_for("the tree again", 20, |s| s.contains("web (1 pod) Synced"));
    // Unfolded, the Deployment shows its pod; `l` on the pod streams that pod alone.
    tui.keys(&["Enter"]);
    tui.wait_for("the pod row", 20, |s| {
        s.lines()
            .any(|l| l.contains(" web-") && l.contains("Healthy"))
    });
    tui.keys(&["Down", "l"]);
    let screen = tui.wait_for("the pod's logs", 30, |s| {
        s.contains("Logs: pod web-") && s.contains(&marker)
    });
    assert!(
        !screen.contains(&format!("] {marker}")),
        "one pod: no pod prefix\n{screen}"
    );

    // The node agent restarts: the stream drops, the pane reconnects from its last
    // timestamp, and nothing it already showed comes twice.
    let state_dir = cluster.state_dir.as_ref().expect(
        "the reconnect check restarts the local control plane's KWOK, not KDRIFT_TEST_KUBECONFIG's",
    );
    common::cluster_tool()
        .run(
            "restart-kwok",
            &[("KDRIFT_CLUSTER_DIR", state_dir.as_path())],
        )
        .expect("kdrift-cluster restart-kwok");
    let after = common::unique_name("after-reconnect");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_file)
        .expect("open the CRI log file");
    writeln!(file, "{} stdout F {after}", jiff::Timestamp::now()).expect("append a line");
    drop(file);
    let screen = tui.wait_for("the line written after the reconnect", 60, |s| {
        s.contains(&after) && s.contains("streaming")
    });
    assert_eq!(
        screen.matches(marker.as_str()).count(),
        1,
        "the line before the drop is shown once:\n{screen}"
    );
    tui.keys(&["Escape", "q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[tokio::test]
async fn rollback_from_the_history_matches_the_cluster_and_writes_the_revert_branch() {
    let cluster = common::cluster();
    let ns = common::unique_name("tuiroll");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write("app/namespace.yaml", &namespace(&ns));
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.26"));
    let older = repo.commit("first release");
    repo.write("app/web.yaml", &deployment("web", 3, "nginx:1.27"));
    repo.commit("scale up and new image");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let head_before = repo.git(&["rev-parse", "HEAD"]);

    let command = kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let tui = Tmux::start(&command, &[]);
    tui.wait_for("the synced app", 60, |s| object_row(s, "web", "Synced"));
    tui.keys(&["Tab"]);
    tui.wait_for("the history", 20, |s| s.contains("first release"));
    tui.keys(&["j", "r"]);
    let short = &older[..7];
    let screen = tui.wait_for("the rollback plan", 30, |s| {
        s.contains(&format!("Roll back to {short}")) && s.contains("change(s)")
    });
    assert!(screen.contains("nginx:1.26"), "{screen}");
    tui.keys(&["b"]);
    tui.wait_for("the revert commit option on", 10, |s| {
        s.contains("[x] also write a revert commit")
    });
    tui.keys(&["y"]);
    let branch = format!("kdrift/rollback-{short}");
    tui.wait_for("the result with the revert commit", 30, |s| {
        s.contains("Synced: ") && s.contains(&format!("on branch {branch}"))
    });

    let web = Api::<Deployment>::namespaced(common::admin_client().await, &ns)
        .get("web")
        .await
        .expect("web");
    let spec = web.spec.expect("spec");
    assert_eq!(spec.replicas, Some(1));
    let image = spec.template.spec.expect("pod spec").containers[0]
        .image
        .clone();
    assert_eq!(image.as_deref(), Some("nginx:1.26"));
    let tip = repo.git(&["rev-parse", &branch]);
    assert_eq!(
        repo.git(&["rev-parse", &format!("{}:app", tip.trim())]),
        repo.git(&["rev-parse", &format!("{older}:app")]),
        "the revert branch holds the app path as of the older commit"
    );
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        head_before,
        "HEAD is untouched"
    );

    tui.keys(&["x"]);
    tui.wait_for("the status bar naming the cluster's commit", 20, |s| {
        s.contains(&format!("cluster at {short}, not HEAD"))
    });
    // The history pane marks the commit the record now names.
    tui.wait_for("the live badge on the rolled-back commit", 20, |s| {
        s.lines().any(|l| l.contains(short) && l.contains("[live]"))
    });
    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    // A new session reads the same from the record in the cluster.
    let again = Tmux::start(&command, &[]);
    again.wait_for("a new session naming the cluster's commit", 60, |s| {
        s.contains(&format!("cluster at {short}, not HEAD"))
            && s.lines().any(|l| l.contains(short) && l.contains("[live]"))
    });
    again.keys(&["q"]);
    let screen = again.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    let _ = Api::<Namespace>::all(common::admin_client().await)
        .delete(&ns, &DeleteParams::default())
        .await;
}
