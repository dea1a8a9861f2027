//! Faults on the real local control plane with the TUI open: the API server stopped and
//! started again, etcd paused, KWOK restarted. What the screen says during and after,
//! within bounded time. One test, in its own binary: the faults would disturb any test
//! running beside it.

mod common;

use std::process::Command;

use common::repo::{TestRepo, config_map};
use common::tui::{Tmux, kdrift_command, object_row};

fn fault(what: &str) {
    let cluster = common::cluster();
    let state_dir = cluster
        .state_dir
        .as_ref()
        .expect("the fault tests need the local control plane, not KDRIFT_TEST_KUBECONFIG's");
    let status = Command::new("bash")
        .arg(common::cluster_script())
        .args(["fault", what])
        .env("KDRIFT_CLUSTER_DIR", state_dir)
        .status()
        .expect("kdrift-cluster fault");
    assert!(status.success(), "kdrift-cluster fault {what}");
}

/// Undoes the faults still in place when the test ends (it may fail half-way): the
/// binaries that run after it need the cluster whole.
#[derive(Default)]
struct Undo {
    apiserver_stopped: bool,
    etcd_paused: bool,
}

impl Undo {
    fn apply(&mut self, what: &str) {
        fault(what);
        match what {
            "stop-apiserver" => self.apiserver_stopped = true,
            "start-apiserver" => self.apiserver_stopped = false,
            "pause-etcd" => self.etcd_paused = true,
            "resume-etcd" => self.etcd_paused = false,
            _ => {}
        }
    }
}

impl Drop for Undo {
    fn drop(&mut self) {
        if self.etcd_paused {
            fault("resume-etcd");
        }
        if self.apiserver_stopped {
            fault("start-apiserver");
        }
    }
}

fn row(screen: &str, component: &str, health: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(&format!(" {component} {health}")))
}

#[test]
fn the_tui_tells_the_truth_through_an_api_server_outage_an_etcd_pause_and_a_kwok_restart() {
    let cluster = common::cluster();
    let ns = cluster.restricted_namespace.clone();
    let unique = common::unique_name("f");
    let name = format!("fault{}", unique.rsplit('-').next().unwrap_or("0"));
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map(&name, "k", "v"));
    repo.commit("one");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &name);
    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &name),
        &[],
    );
    tui.wait_for("a healthy, live start", 60, |s| {
        row(s, "kube-apiserver", "Healthy")
            && object_row(s, &name, "Synced")
            && s.contains("│ live")
    });

    // The first node selected: the diff pane shows its heartbeat's age.
    tui.keys(&["Down", "Down", "Down", "Down", "Down", "Down", "Down"]);
    tui.wait_for("the node's details", 10, |s| {
        s.contains("# node kdrift-node-1")
    });
    let mut undo = Undo::default();
    // The API server goes away: within one poll every component reads Unknown.
    undo.apply("stop-apiserver");
    let screen = tui.wait_for("Unknown while the API server is down", 20, |s| {
        row(s, "kube-apiserver", "Unknown") && row(s, "etcd", "Unknown")
    });
    assert!(!row(&screen, "kube-scheduler", "Healthy"), "{screen}");
    assert!(
        screen.contains("API server unreachable since"),
        "the node says why:\n{screen}"
    );
    let heartbeat = |s: &str| -> Option<String> {
        s.lines()
            .find(|l| l.contains("heartbeat") && l.contains("s ago"))
            .map(str::to_string)
    };
    let before = heartbeat(&screen);
    std::thread::sleep(std::time::Duration::from_secs(6));
    let later = tui.screen();
    assert_ne!(
        heartbeat(&later),
        before,
        "heartbeats age while unread:\n{later}"
    );
    fault("start-apiserver");
    let started = std::time::Instant::now();
    tui.wait_for(
        "live again within 10 s of the API server's return",
        10,
        |s| {
            row(s, "kube-apiserver", "Healthy")
                && s.contains("│ live")
                && object_row(s, &name, "Synced")
        },
    );
    eprintln!(
        "live again {:?} after the API server was ready",
        started.elapsed()
    );

    // etcd paused: Down within one poll (the API server says so on /readyz).
    undo.apply("pause-etcd");
    let screen = tui.wait_for("etcd Down while paused", 20, |s| row(s, "etcd", "Down"));
    undo.apply("resume-etcd");
    assert!(
        row(&screen, "kube-apiserver", "Degraded") || row(&screen, "kube-apiserver", "Unknown"),
        "{screen}"
    );
    tui.wait_for("etcd Healthy again", 60, |s| {
        row(s, "etcd", "Healthy") && s.contains("│ live")
    });

    // KWOK (every node's agent) restarts: the nodes come back Ready.
    common::cluster_tool()
        .run(
            "restart-kwok",
            &[(
                "KDRIFT_CLUSTER_DIR",
                cluster.state_dir.as_deref().expect("state dir"),
            )],
        )
        .expect("restart-kwok");
    // Ready, and their kubelets' leases renewed again: the tests after this one start from
    // a whole cluster. A restarted KWOK renews each lease once, then not for about its
    // 40 s duration (the heartbeats go stale for a moment, measured by hand), then every
    // 10 s: Healthy is waited for past that window.
    let restarted = std::time::Instant::now();
    tui.wait_for(
        "the nodes and kubelets Healthy after KWOK's restart",
        150,
        |s| {
            let nodes: Vec<&str> = s.lines().filter(|l| l.contains(" kdrift-node-")).collect();
            let kubelets: Vec<&str> = s.lines().filter(|l| l.contains(" kubelet kwok")).collect();
            nodes.len() >= 2
                && kubelets.len() >= 2
                && nodes.iter().chain(&kubelets).all(|l| l.contains("Healthy"))
                && row(s, "kube-apiserver", "Healthy")
                && restarted.elapsed() > std::time::Duration::from_secs(60)
        },
    );
    // The controllers, which lost their leases during the outage, lead again.
    tui.wait_for("the whole control plane Healthy", 90, |s| {
        row(s, "kube-controller-manager", "Healthy") && row(s, "kube-scheduler", "Healthy")
    });
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}
