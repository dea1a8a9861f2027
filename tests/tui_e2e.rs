//! The real binary in a pseudo-terminal (tmux) against the real local control plane.

mod common;

use std::process::Command;

use common::repo::{TestRepo, deployment};
use common::sync_app;
use common::tui::{Tmux, kdrift_command, object_row};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, DeleteParams, Patch, PatchParams};
use serde_json::json;

#[tokio::test]
async fn browse_drift_and_history_then_quit_restores_the_terminal() {
    let cluster = common::cluster();
    let ns = common::unique_name("tui");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.26"));
    let older = repo.commit("first release");
    repo.write("app/web.yaml", &deployment("web", 3, "nginx:1.27"));
    repo.commit("scale up and new image");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let client = common::admin_client().await;
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .patch(
            "web",
            &PatchParams {
                field_manager: Some("kubectl-label".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"metadata": {"labels": {"team": "payments"}}})),
        )
        .await
        .expect("label");

    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app),
        &[],
    );
    let screen = tui.wait_for("nodes, control plane and the app", 60, |s| {
        s.matches("Ready=True").count() >= 2
            && s.contains("kube-scheduler Healthy")
            && object_row(s, "web", "OutOfSync")
    });
    assert!(
        screen.contains("kube-apiserver Healthy") && screen.contains("etcd Healthy"),
        "{screen}"
    );

    tui.keys(&["n", "d"]);
    tui.wait_for("the live drift naming kubectl-label", 20, |s| {
        s.contains("set by kubectl-label") && s.contains("team")
    });

    // Pick the older commit: the Git side of the diff becomes that commit.
    tui.keys(&["d", "Tab"]);
    tui.wait_for("the history", 20, |s| s.contains("first release"));
    tui.keys(&["j", "Enter"]);
    let short = &older[..7];
    let screen = tui.wait_for("the diff against the older commit", 30, |s| {
        s.contains(&format!("Git @ {short} (selected commit)")) && s.contains("+  replicas: 1")
    });
    assert!(screen.contains("nginx:1.26"), "{screen}");

    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    assert!(
        screen.lines().any(|l| l.trim() == "icanon"),
        "the terminal is back in cooked mode:\n{screen}"
    );
    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[test]
fn a_worker_panic_restores_the_terminal_and_prints_the_panic() {
    let cluster = common::cluster();
    let repo = one_object_repo();
    let command = kdrift_command(
        &cluster.admin_kubeconfig,
        &repo,
        "kdrift-panic-test",
        "panic-test",
    );
    let tui = Tmux::start(
        &command,
        &[("KDRIFT_TEST_WORKER_PANIC", "1"), ("RUST_BACKTRACE", "0")],
    );
    tui.wait_for("the app", 60, |s| s.contains("settings Missing"));
    // Selecting the object asks a worker to highlight its diff: that worker panics.
    tui.keys(&["n"]);
    let screen = tui.wait_for("kdrift to exit", 30, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=101"), "{screen}");
    assert!(
        screen.contains("worker panic requested by KDRIFT_TEST_WORKER_PANIC"),
        "{screen}"
    );
    assert!(screen.lines().any(|l| l.trim() == "icanon"), "{screen}");
}

#[test]
fn the_demo_opens_on_a_drifted_app_with_five_commits() {
    let cluster = common::cluster();
    let state_dir = cluster.state_dir.as_ref().expect(
        "the demo drives the local control plane's own tooling, not KDRIFT_TEST_KUBECONFIG",
    );
    let data = tempfile::tempdir().expect("tempdir");
    let env = [
        ("KDRIFT_CLUSTER_DIR", state_dir.to_str().unwrap_or_default()),
        ("XDG_DATA_HOME", data.path().to_str().unwrap_or_default()),
    ];
    let tui = Tmux::start(&format!("{} demo", env!("CARGO_BIN_EXE_kdrift")), &env);
    // The control plane's health comes from its own worker, sometimes after the tree.
    let screen = tui.wait_for("the demo's tree, history and health", 120, |s| {
        s.contains("App kdrift-demo")
            && s.contains("Initial release of web")
            && object_row(s, "web", "OutOfSync")
            && s.contains("kube-scheduler Healthy")
    });
    for subject in [
        "Initial release of web",
        "Scale web to 3 replicas",
        "Friendlier greeting",
        "Release web 1.1.0",
        "Fix the 1.1.0 image tag",
    ] {
        assert!(screen.contains(subject), "{subject} missing:\n{screen}");
    }
    assert!(
        screen.contains("kube-scheduler Healthy") && screen.matches("Ready=True").count() >= 2,
        "{screen}"
    );
    tui.keys(&["n", "d"]);
    tui.wait_for("the hand-made changes with their managers", 20, |s| {
        s.contains("set by kubectl-")
    });
    // The demo's keys work: logs of the web Deployment (the next object not in sync after
    // the ConfigMap)...
    tui.keys(&["n", "l"]);
    tui.wait_for("the demo's log lines", 30, |s| {
        s.contains("Logs: Deployment web") && s.contains("listening on :8080")
    });
    // ... and a sync of the whole app, from its plan.
    tui.keys(&["Escape", "S"]);
    tui.wait_for("the sync plan", 30, |s| s.contains("change(s)"));
    tui.keys(&["y"]);
    tui.wait_for("the sync result", 30, |s| s.contains("Synced: "));
    tui.keys(&["x"]);
    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
}

#[tokio::test]
async fn sync_a_drifted_object_from_the_tui_and_read_only_refuses() {
    let cluster = common::cluster();
    let ns = common::unique_name("tuisync");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write("app/web.yaml", &deployment("web", 2, "nginx:1.27"));
    repo.commit("release");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let client = common::admin_client().await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    common::scale_by_hand(&deployments, "web", "kubectl", 6).await;

    let readonly = Tmux::start(
        &format!(
            "{} --readonly",
            kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app)
        ),
        &[],
    );
    readonly.wait_for("the drifted object", 60, |s| {
        object_row(s, "web", "OutOfSync")
    });
    readonly.keys(&["S"]);
    readonly.wait_for("the read-only refusal", 20, |s| {
        s.contains("read-only mode: refusing to sync")
    });
    drop(readonly);

    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app),
        &[],
    );
    tui.wait_for("the drifted object", 60, |s| {
        object_row(s, "web", "OutOfSync")
    });
    tui.keys(&["n", "n", "s"]);
    let screen = tui.wait_for("the plan", 30, |s| {
        s.contains("restores fields changed outside Git") && s.contains("apply")
    });
    assert!(
        screen.contains("-  replicas: 6") || screen.contains("replicas"),
        "{screen}"
    );
    tui.keys(&["y"]);
    tui.wait_for("the result", 30, |s| {
        s.contains("Synced: 0 created, 1 updated")
    });
    tui.keys(&["x"]);
    tui.wait_for("the object to read Synced", 30, |s| {
        object_row(s, "web", "Synced")
    });
    assert_eq!(common::replicas(&deployments, "web").await, Some(2));
    tui.keys(&["q"]);
    tui.wait_for("kdrift to exit", 20, |s| s.contains("EXITED=0"));
    let _ = Api::<Namespace>::all(client)
        .delete(&ns, &DeleteParams::default())
        .await;
}

#[test]
fn sigterm_restores_the_terminal() {
    let cluster = common::cluster();
    let repo = one_object_repo();
    let marker = common::unique_name("sigterm");
    // The app name makes this process easy to find among others.
    let tui = Tmux::start(
        &kdrift_command(
            &cluster.admin_kubeconfig,
            &repo,
            "kdrift-sigterm-test",
            &marker,
        ),
        &[],
    );
    tui.wait_for("the app", 60, |s| s.contains("settings Missing"));
    // Only kdrift itself, not the shell around it, whose command line holds the same words.
    let pattern = format!("^{} .*--app-name {marker}", env!("CARGO_BIN_EXE_kdrift"));
    let status = Command::new("pkill")
        .args(["-TERM", "-f", "--", &pattern])
        .status()
        .expect("pkill");
    assert!(status.success(), "the kdrift process was found");
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    assert!(screen.lines().any(|l| l.trim() == "icanon"), "{screen}");
}

#[test]
fn sigint_and_sigquit_from_outside_restore_the_terminal_under_dash() {
    let cluster = common::cluster();
    let repo = one_object_repo();
    for signal in ["INT", "QUIT"] {
        let marker = common::unique_name(&format!("sig{}", signal.to_lowercase()));
        let kdrift = kdrift_command(
            &cluster.admin_kubeconfig,
            &repo,
            "kdrift-signal-test",
            &marker,
        );
        // dash, which leaves the terminal as the program left it.
        let tui = Tmux::start(&format!("dash -c '{kdrift}'"), &[]);
        tui.wait_for("the app", 60, |s| s.contains("settings Missing"));
        assert_eq!(
            tui.display("#{alternate_on}"),
            "1",
            "the TUI holds the alternate screen"
        );
        let pattern = format!("^{} .*--app-name {marker}", env!("CARGO_BIN_EXE_kdrift"));
        let status = Command::new("pkill")
            .args([&format!("-{signal}"), "-f", "--", &pattern])
            .status()
            .expect("pkill");
        assert!(status.success(), "the kdrift process was found");
        let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
        assert!(screen.contains("EXITED=0"), "SIG{signal}: {screen}");
        assert!(
            screen.lines().any(|l| l.trim() == "icanon"),
            "SIG{signal}: cooked mode: {screen}"
        );
        assert_eq!(
            tui.display("#{alternate_on}"),
            "0",
            "SIG{signal}: alternate screen left"
        );
        assert_eq!(
            tui.display("#{cursor_flag}"),
            "1",
            "SIG{signal}: cursor shown"
        );
    }
}

#[test]
fn ctrl_z_suspends_with_the_terminal_restored_and_resumes() {
    let cluster = common::cluster();
    let repo = one_object_repo();
    let kdrift = kdrift_command(
        &cluster.admin_kubeconfig,
        &repo,
        "kdrift-suspend-test",
        "suspend-test",
    );
    // A shell with job control, as an operator's: Ctrl-Z stops kdrift and the shell goes
    // on; it prints whether the terminal is cooked, waits for a line, then `fg`.
    let tui = Tmux::start(
        &format!(
            "bash -c 'set -m; {kdrift}; echo SUSPENDED; stty -a | grep -q -- \" icanon\" && echo COOKED-WHILE-STOPPED; read _; fg'"
        ),
        &[],
    );
    tui.wait_for("the app", 60, |s| s.contains("settings Missing"));
    tui.keys(&["C-z"]);
    let screen = tui.wait_for("the shell after the stop", 20, |s| s.contains("SUSPENDED"));
    assert!(
        screen.contains("COOKED-WHILE-STOPPED"),
        "the terminal is restored while kdrift is stopped:\n{screen}"
    );
    assert!(!screen.contains("Resources"), "{screen}");
    tui.keys(&["Enter"]);
    tui.wait_for("the TUI back after fg", 20, |s| {
        s.contains("settings Missing")
    });
    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    assert!(screen.lines().any(|l| l.trim() == "icanon"), "{screen}");
}

/// A repository whose app is one ConfigMap, for tests about the terminal, not the app.
fn one_object_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "app/cm.yaml",
        &common::repo::config_map("settings", "a", "1"),
    );
    repo.commit("one object");
    repo
}

#[tokio::test]
async fn the_apps_overview_lists_the_apps_updates_live_and_opens_one() {
    let cluster = common::cluster();
    let ns = common::unique_name("tui-apps");
    let repo = common::repo::two_apps(&ns);
    repo.commit("two apps and a base");
    let command = format!(
        "{} --kubeconfig {} --repo {} --namespace {ns}",
        env!("CARGO_BIN_EXE_kdrift"),
        cluster.admin_kubeconfig.display(),
        repo.path().display()
    );
    let kustomize = common::built_kubectl();
    let tui = Tmux::start(
        &command,
        &[("KDRIFT_KUSTOMIZE", &kustomize.to_string_lossy())],
    );
    let screen = tui.wait_for("the overview with both apps", 60, |s| {
        s.contains("Apps (2)") && s.contains("overlays/dev") && s.contains("plain ")
    });
    assert!(
        !screen.contains("base "),
        "a base is part of its overlay:\n{screen}"
    );
    assert!(screen.contains("kube-scheduler Healthy"), "{screen}");

    // A sync from elsewhere shows in the plain app's row.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&cluster.admin_kubeconfig)
        .args(["sync", "--yes", "--path", "plain", "-n", &ns])
        .current_dir(repo.path())
        .output()
        .expect("kdrift sync");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    tui.wait_for("the plain app's row to turn Synced", 40, |s| {
        s.lines()
            .any(|l| l.contains("plain ") && l.contains("Synced 3") && l.contains("live "))
    });

    // Open it; esc comes back to the overview.
    let screen = tui.screen();
    let rows: Vec<&str> = screen.lines().filter(|l| l.contains(" obj ")).collect();
    let down = rows
        .iter()
        .position(|l| l.contains("plain "))
        .expect("plain's row");
    for _ in 0..down {
        tui.keys(&["j"]);
    }
    tui.keys(&["Enter"]);
    tui.wait_for("the plain app's screen", 30, |s| {
        s.contains("App ") && object_row(s, "settings", "Synced") && s.contains("esc apps")
    });
    tui.keys(&["Escape"]);
    tui.wait_for("the overview again", 30, |s| s.contains("Apps (2)"));
    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    let _ = kube::Api::<k8s_openapi::api::core::v1::Namespace>::all(common::admin_client().await)
        .delete(&ns, &Default::default())
        .await;
}

#[tokio::test]
async fn a_picked_commit_shows_the_counts_kdrift_diff_gives_for_it() {
    let cluster = common::cluster();
    let ns = common::unique_name("tui-pick");
    let app = format!("test-{ns}");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.26"));
    repo.write("app/old.yaml", &common::repo::config_map("old", "a", "1"));
    let older = repo.commit("first release, with a config map HEAD dropped");
    repo.remove("app/old.yaml");
    repo.write("app/web.yaml", &deployment("web", 3, "nginx:1.27"));
    repo.commit("scale up, new image, no config map");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);

    // What the headless diff says of the older commit.
    let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(&cluster.admin_kubeconfig)
        .args([
            "diff",
            "--path",
            "app",
            "--namespace",
            &ns,
            "--app-name",
            &app,
        ])
        .args(["--rev", &older, "-o", "json"])
        .current_dir(repo.path())
        .output()
        .expect("kdrift diff");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("diff json");
    let summary = &doc["summary"];
    let expected = format!(
        "Synced {} OutOfSync {} Missing {} Extra {}",
        summary["Synced"], summary["OutOfSync"], summary["Missing"], summary["Extra"]
    );
    assert_ne!(summary["Missing"], 0, "{doc}");

    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app),
        &[],
    );
    tui.wait_for("HEAD's counts", 60, |s| {
        s.contains("Synced 2 OutOfSync 0 Missing 0")
    });
    tui.keys(&["Tab"]);
    tui.wait_for("the history", 20, |s| s.contains("first release"));
    tui.keys(&["j", "Enter"]);
    let screen = tui.wait_for("the older commit's counts", 30, |s| s.contains(&expected));
    assert!(object_row(&screen, "old", "Missing"), "{screen}");
    assert!(object_row(&screen, "web", "OutOfSync"), "{screen}");
    tui.keys(&["q"]);
    let screen = tui.wait_for("kdrift to exit", 20, |s| s.contains("END-OF-RUN"));
    assert!(screen.contains("EXITED=0"), "{screen}");
    let _ = Api::<Namespace>::all(common::admin_client().await)
        .delete(&ns, &DeleteParams::default())
        .await;
}
