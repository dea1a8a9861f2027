//! Shared test support: the real local control plane.
//!
//! The first test that needs a cluster runs `tools/cluster/kdrift-cluster up` (idempotent,
//! serialised by a lock file), unless `KDRIFT_TEST_KUBECONFIG` names an existing disposable
//! cluster. `tests/run` (the README's test command) brings it down after the run.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use kube::config::{KubeConfigOptions, Kubeconfig};

pub struct TestCluster {
    pub admin_kubeconfig: PathBuf,
    /// A user allowed only in `restricted_namespace`; `None` on a user-supplied cluster
    /// unless `KDRIFT_TEST_RESTRICTED_KUBECONFIG` is set.
    pub restricted_kubeconfig: Option<PathBuf>,
    pub restricted_namespace: String,
    /// CRI-format file that KWOK serves as every pod's log.
    pub pod_log_file: Option<PathBuf>,
    /// Directory of the locally built binaries (kubectl among them).
    pub bin_dir: Option<PathBuf>,
    /// Where `kdrift-cluster` keeps pids and ports (local cluster only).
    pub state_dir: Option<PathBuf>,
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn cluster_script() -> PathBuf {
    repo_root().join("tools/cluster/kdrift-cluster")
}

/// The checkout's control-plane tooling.
pub fn cluster_tool() -> kdrift::cluster::local::Tool {
    kdrift::cluster::local::Tool {
        script: cluster_script(),
    }
}

/// The cluster every integration test talks to, started on first use.
pub fn cluster() -> &'static TestCluster {
    static CLUSTER: OnceLock<TestCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| match std::env::var_os("KDRIFT_TEST_KUBECONFIG") {
        Some(kc) => TestCluster {
            admin_kubeconfig: PathBuf::from(kc),
            restricted_kubeconfig: std::env::var_os("KDRIFT_TEST_RESTRICTED_KUBECONFIG")
                .map(PathBuf::from),
            restricted_namespace: std::env::var("KDRIFT_TEST_RESTRICTED_NAMESPACE")
                .unwrap_or_else(|_| "kdrift-restricted".into()),
            pod_log_file: std::env::var_os("KDRIFT_TEST_POD_LOG_FILE").map(PathBuf::from),
            bin_dir: None,
            state_dir: None,
        },
        None => start_local_cluster(),
    })
}

fn start_local_cluster() -> TestCluster {
    let tool = cluster_tool();
    tool.run("up", &[]).expect("kdrift-cluster up");
    let env = tool.env().expect("kdrift-cluster env");
    TestCluster {
        state_dir: env.state_dir().map(Path::to_path_buf),
        admin_kubeconfig: env.admin_kubeconfig,
        restricted_kubeconfig: Some(env.restricted_kubeconfig),
        restricted_namespace: env.restricted_namespace,
        pod_log_file: Some(env.pod_log_file),
        bin_dir: Some(env.bin_dir),
    }
}

pub async fn client_for(kubeconfig: &Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).expect("read kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("load kubeconfig");
    kube::Client::try_from(config).expect("build client")
}

pub async fn admin_client() -> kube::Client {
    client_for(&cluster().admin_kubeconfig).await
}

/// A namespace name unique to this test run, so tests never see each other's objects.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}-{}-{n}-{:x}", std::process::id(), nanos % 0xffff)
}

/// Polls `check` until it returns `Some`, for at most `secs` seconds.
pub async fn eventually<T, F, Fut>(what: &str, secs: u64, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {secs}s waiting for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

pub mod app;
pub mod repo;

/// Scales a Deployment as `kubectl scale` would: an imperative update by another field
/// manager.
pub async fn scale_by_hand(
    deployments: &kube::Api<k8s_openapi::api::apps::v1::Deployment>,
    name: &str,
    manager: &str,
    replicas: i32,
) {
    deployments
        .patch_scale(
            name,
            &kube::api::PatchParams {
                field_manager: Some(manager.into()),
                ..Default::default()
            },
            &kube::api::Patch::Merge(serde_json::json!({"spec": {"replicas": replicas}})),
        )
        .await
        .expect("scale");
}

/// A Deployment's replica count as the API has it now.
pub async fn replicas(
    deployments: &kube::Api<k8s_openapi::api::apps::v1::Deployment>,
    name: &str,
) -> Option<i32> {
    deployments
        .get(name)
        .await
        .expect("get the deployment")
        .spec
        .and_then(|s| s.replicas)
}

/// `kdrift sync --yes` of the repository's `app` path, with the real binary.
pub fn run_sync(
    kubeconfig: &Path,
    repo: &repo::TestRepo,
    ns: &str,
    app: &str,
) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args([
            "sync",
            "--yes",
            "--path",
            "app",
            "--namespace",
            ns,
            "--app-name",
            app,
        ])
        .current_dir(repo.path())
        .output()
        .expect("run kdrift sync")
}

/// Syncs the test app, as an operator would before looking at it; it must succeed.
pub fn sync_app(kubeconfig: &Path, repo: &repo::TestRepo, ns: &str, app: &str) {
    let out = run_sync(kubeconfig, repo, ns, app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
pub mod tui;

/// Every encoded form of a value, as a leaking program would print it: as written, base64
/// (padded, unpadded, URL-safe), URL-encoded, JSON-escaped (Go's `\u0026`, an escaped `/`).
pub fn secret_encodings(raw: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let url: String = raw
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let json = serde_json::to_string(raw).expect("json");
    let json = json.trim_matches('"');
    let mut forms = vec![
        raw.to_string(),
        STANDARD.encode(raw),
        STANDARD_NO_PAD.encode(raw),
        URL_SAFE_NO_PAD.encode(raw),
        url,
        json.replace('&', "\\u0026"),
        json.replace('/', "\\/"),
    ];
    forms.sort();
    forms.dedup();
    forms
}

/// Waits until a pod with `label` runs in `namespace`.
pub async fn running_pod(namespace: &str, label: &str) {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams};
    let pods: Api<Pod> = Api::namespaced(admin_client().await, namespace);
    eventually(&format!("a pod {label} to run"), 60, || {
        let pods = pods.clone();
        async move {
            let list = pods.list(&ListParams::default().labels(label)).await.ok()?;
            list.items
                .iter()
                .any(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
                .then_some(())
        }
    })
    .await;
}

/// The kubectl built for the local control plane (it carries kustomize), built if needed.
pub fn built_kubectl() -> PathBuf {
    built_tools().bin_dir.join("kubectl")
}

/// The pinned `helm` the tooling builds (as the control plane, from Go modules).
pub fn built_helm() -> PathBuf {
    built_tools().helm
}

/// The pinned `jsonnet` (go-jsonnet) the tooling builds.
pub fn built_jsonnet() -> PathBuf {
    built_tools().jsonnet
}

fn built_tools() -> kdrift::cluster::local::ClusterEnv {
    static ENV: OnceLock<kdrift::cluster::local::ClusterEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let tool = cluster_tool();
        tool.run("build", &[]).expect("kdrift-cluster build");
        tool.env().expect("kdrift-cluster env")
    })
    .clone()
}
