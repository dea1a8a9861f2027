//! Secret values never reach a terminal or a file in any encoding: every form of an app
//! Secret's values (a 3-character one and an older value left in the live Secret's
//! last-applied annotation among them) printed by a pod, read through the TUI's logs pane,
//! its pager and kdrift's own log at trace level.

mod common;

use std::io::Write;

use common::repo::{TestRepo, deployment};
use common::sync_app;
use common::tui::{Tmux, kdrift_command};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

#[tokio::test]
async fn no_encoding_of_a_secret_value_reaches_the_screen_the_pager_or_the_log() {
    let cluster = common::cluster();
    let log_file = cluster
        .pod_log_file
        .clone()
        .expect("the test appends to the pod log file the local cluster serves");
    let ns = common::unique_name("masking");
    let app = format!("test-{ns}");
    let unique = common::unique_name("x");
    let suffix = unique.rsplit('-').next().unwrap_or("0");
    let long = format!("Tr0ub4dor&3/horse+staple-{suffix}");
    let short = "q7x".to_string();
    let old = format!("old-pass/{suffix}&");
    let repo = TestRepo::new();
    repo.write(
        "app/namespace.yaml",
        &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
    );
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.27"));
    repo.write(
        "app/credentials.yaml",
        &format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: credentials\nstringData:\n  password: \"{long}\"\n  pin: {short}\n"
        ),
    );
    repo.commit("release");
    sync_app(&cluster.admin_kubeconfig, &repo, &ns, &app);
    let client = common::admin_client().await;
    // A leftover of an earlier `kubectl apply`: the older value lives on in the annotation.
    let leftover = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "credentials", "namespace": ns},
        "stringData": {"password": old}});
    Api::<Secret>::namespaced(client.clone(), &ns)
        .patch(
            "credentials",
            &PatchParams {
                field_manager: Some("kubectl-client-side-apply".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"metadata": {"annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": leftover.to_string()
            }}})),
        )
        .await
        .expect("annotate");
    common::running_pod(&ns, "app=web").await;

    let pager_dir = tempfile::tempdir().expect("tempdir");
    let data_dir = tempfile::tempdir().expect("tempdir");
    let pager = format!("cp -t {}", pager_dir.path().display());
    let data_home = data_dir.path().to_string_lossy().into_owned();
    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &app),
        &[
            ("PAGER", &pager),
            ("KDRIFT_LOG", "trace"),
            ("XDG_DATA_HOME", &data_home),
        ],
    );
    tui.wait_for("the synced workload", 60, |s| {
        s.contains("web (1 pod) Synced")
    });
    tui.keys(&[
        "/", "w", "e", "b", "Enter", "NPage", "NPage", "NPage", "NPage", "l",
    ]);
    tui.wait_for("the logs pane", 30, |s| {
        s.contains("Logs: Deployment web")
            && (s.contains("streaming") || s.contains("waiting for lines"))
    });
    let forms: Vec<String> = [&long, &short, &old]
        .iter()
        .flat_map(|v| common::secret_encodings(v))
        .collect();
    let marker = format!("leak-{suffix}");
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log_file)
        .expect("open the CRI log file");
    for (i, form) in forms.iter().enumerate() {
        writeln!(
            file,
            "{} stdout F {marker}-{i} value {form} end",
            jiff::Timestamp::now()
        )
        .expect("append");
    }
    drop(file);
    let last = format!("{marker}-{}", forms.len() - 1);
    let screen = tui.wait_for("the printed lines", 30, |s| s.contains(&last));
    let leaked = |text: &str| -> Vec<String> {
        forms
            .iter()
            .filter(|f| text.contains(f.as_str()))
            .cloned()
            .collect()
    };
    assert!(
        leaked(&screen).is_empty(),
        "on screen: {:?}\n{screen}",
        leaked(&screen)
    );
    assert!(screen.contains("value <masked> end"), "{screen}");

    tui.keys(&["o"]);
    let paged = common::eventually("the pager to get the buffer", 20, || {
        let dir = pager_dir.path().to_path_buf();
        async move {
            let entry = std::fs::read_dir(dir).ok()?.next()?.ok()?;
            std::fs::read_to_string(entry.path()).ok()
        }
    })
    .await;
    assert!(paged.contains(&last), "{paged}");
    assert!(
        leaked(&paged).is_empty(),
        "in the pager: {:?}",
        leaked(&paged)
    );
    // The pod log file is shared by every run on this cluster: count this run's lines only
    // (an earlier run's lines carry the same short value, masked as well).
    let masked_here = paged
        .lines()
        .filter(|line| line.contains(&format!("{marker}-")) && line.contains("value <masked> end"))
        .count();
    assert_eq!(masked_here, forms.len(), "every form masked:\n{paged}");
    tui.keys(&["Escape", "q"]);
    tui.wait_for("exit", 20, |s| s.contains("EXITED=0"));
    let log = std::fs::read_to_string(data_dir.path().join("kdrift/kdrift.log"))
        .expect("kdrift.log at trace level");
    assert!(log.lines().count() > 10, "trace logging was on");
    assert!(leaked(&log).is_empty(), "in kdrift.log: {:?}", leaked(&log));
}
