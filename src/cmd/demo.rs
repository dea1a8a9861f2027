//! `kdrift demo`: the embedded default. Brings up the local control plane (building it on
//! first use), makes a demo GitOps repository with a real history, syncs an older commit,
//! changes a few things live as other field managers, writes some pod logs, and opens the
//! TUI on it. `kdrift demo --down` stops the control plane.

use std::path::{Path, PathBuf};
use std::process::Command;

use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::ExitCode;
use crate::cluster::drift::{DriftOptions, DryRunCache, compute};
use crate::cluster::{ConnectOptions, Connection};
use crate::model::plan::{Gateway, PlanOptions, build};

const SCRIPT: &str = include_str!("../../tests/cluster/kdrift-cluster");
const SEED: &str = include_str!("../../tests/cluster/seed.yaml");
pub const NAMESPACE: &str = "kdrift-demo";
const APP: &str = "kdrift-demo";

/// (subject, replicas, image, greeting): the demo's history, oldest first.
const HISTORY: [(&str, u32, &str, &str); 5] = [
    (
        "Initial release of web",
        1,
        "ghcr.io/kdrift/web:1.0.0",
        "hello",
    ),
    (
        "Scale web to 3 replicas",
        3,
        "ghcr.io/kdrift/web:1.0.0",
        "hello",
    ),
    (
        "Friendlier greeting",
        3,
        "ghcr.io/kdrift/web:1.0.0",
        "hello, operator",
    ),
    (
        "Release web 1.1.0",
        3,
        "ghcr.io/kdrift/web:1.1.0-broken",
        "hello, operator",
    ),
    (
        "Fix the 1.1.0 image tag",
        3,
        "ghcr.io/kdrift/web:1.1.0",
        "hello, operator",
    ),
];

fn dirs() -> anyhow::Result<directories::ProjectDirs> {
    crate::config::project_dirs()
        .ok_or_else(|| anyhow::anyhow!("no home directory to keep the demo in"))
}

/// Writes the control-plane tooling out of the binary, so the demo needs no checkout.
fn cluster_script() -> anyhow::Result<PathBuf> {
    let dir = dirs()?.cache_dir().join("tools");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("seed.yaml"), SEED)?;
    let script = dir.join("kdrift-cluster");
    std::fs::write(&script, SCRIPT)?;
    Ok(script)
}

fn script(verb: &str) -> anyhow::Result<String> {
    let out = Command::new("bash")
        .arg(cluster_script()?)
        .arg(verb)
        .stderr(std::process::Stdio::inherit())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "the local control plane's `{verb}` failed (see above)"
    );
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn env_value(env: &str, name: &str) -> anyhow::Result<PathBuf> {
    env.lines()
        .find_map(|l| l.strip_prefix(&format!("export {name}=")))
        .map(PathBuf::from)
        .ok_or_else(|| anyhow::anyhow!("the control plane tooling did not say {name}"))
}

fn fill(template: &str, replicas: u32, image: &str, greeting: &str) -> String {
    template
        .replace("{{replicas}}", &replicas.to_string())
        .replace("{{image}}", image)
        .replace("{{greeting}}", greeting)
}

fn git(repo: &Path, args: &[&str]) -> anyhow::Result<()> {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=kdrift demo",
            "-c",
            "user.email=demo@kdrift.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(repo)
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| anyhow::anyhow!("cannot run git ({e}): install git"))?;
    anyhow::ensure!(
        status.success(),
        "git {args:?} failed in {}",
        repo.display()
    );
    Ok(())
}

/// A fresh demo repository with the five-commit history.
fn make_repo() -> anyhow::Result<PathBuf> {
    let repo = dirs()?.data_dir().join("demo-repo");
    if repo.exists() {
        std::fs::remove_dir_all(&repo)?;
    }
    let app = repo.join("app");
    std::fs::create_dir_all(&app)?;
    git(&repo, &["init", "-q", "-b", "main"])?;
    for (subject, replicas, image, greeting) in HISTORY {
        std::fs::write(
            app.join("namespace.yaml"),
            include_str!("../../assets/demo/namespace.yaml"),
        )?;
        std::fs::write(
            app.join("service.yaml"),
            include_str!("../../assets/demo/service.yaml"),
        )?;
        std::fs::write(
            app.join("web.yaml"),
            fill(
                include_str!("../../assets/demo/web.yaml"),
                replicas,
                image,
                greeting,
            ),
        )?;
        std::fs::write(
            app.join("config.yaml"),
            fill(
                include_str!("../../assets/demo/config.yaml"),
                replicas,
                image,
                greeting,
            ),
        )?;
        git(&repo, &["add", "-A"])?;
        git(&repo, &["commit", "-q", "-m", subject])?;
    }
    Ok(repo)
}

/// Syncs the commit before HEAD (the broken release), as kdrift sync would.
async fn sync_older(conn: &Connection, repo: &Path) -> anyhow::Result<()> {
    let app = crate::git::App::open(&crate::git::AppSpec {
        repo: Some(repo.to_path_buf()),
        path: "app".into(),
        load: Default::default(),
        kustomize: Default::default(),
    })?;
    let desired = app.desired_at(app.resolve("HEAD~1")?)?;
    let opts = DriftOptions::new(APP, NAMESPACE);
    let report = compute(conn, &desired, &opts, &DryRunCache::default()).await?;
    let plan = build(
        &report.objects,
        &PlanOptions {
            desired_count: desired.len(),
            ..Default::default()
        },
    );
    let outcome = crate::cluster::sync::execute(
        conn,
        Gateway::default(),
        &plan,
        &report.handles,
        &opts.field_manager,
        &mut |_| {},
    )
    .await
    .map_err(anyhow::Error::msg)?;
    anyhow::ensure!(
        outcome.failed().is_empty(),
        "syncing the demo failed: {:?}",
        outcome.failed()
    );
    Ok(())
}

/// Someone changes things by hand: a label, the replica count, a ConfigMap key.
async fn drift_live(conn: &Connection) -> anyhow::Result<()> {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::ConfigMap;
    let as_manager = |m: &str| PatchParams {
        field_manager: Some(m.into()),
        ..Default::default()
    };
    let deployments: Api<Deployment> = Api::namespaced(conn.client.clone(), NAMESPACE);
    deployments
        .patch(
            "web",
            &as_manager("kubectl-label"),
            &Patch::Merge(json!({"metadata": {"labels": {"hotfix": "ticket-4711"}}})),
        )
        .await?;
    deployments
        .patch_scale(
            "web",
            &as_manager("kubectl"),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await?;
    Api::<ConfigMap>::namespaced(conn.client.clone(), NAMESPACE)
        .patch(
            "web-config",
            &as_manager("kubectl-edit"),
            &Patch::Merge(json!({"data": {"DEBUG": "true"}})),
        )
        .await?;
    Ok(())
}

fn write_logs(file: &Path) -> anyhow::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(file)?;
    let now = jiff::Timestamp::now();
    for line in [
        "starting web 1.1.0",
        "listening on :8080",
        "GET / 200 3ms",
        "GET /healthz 200 1ms",
    ] {
        writeln!(f, "{now} stdout F {line}")?;
    }
    Ok(())
}

pub async fn run(
    down: bool,
    cli: &crate::cli::Cli,
    config: crate::config::Config,
) -> anyhow::Result<ExitCode> {
    if down {
        script("down")?;
        return Ok(0);
    }
    eprintln!(
        "kdrift demo: starting the local control plane (the first run builds it from Go modules: 5-20 minutes)…"
    );
    script("up")?;
    let env = script("env")?;
    let kubeconfig = env_value(&env, "KDRIFT_ADMIN_KUBECONFIG")?;
    eprintln!("kdrift demo: writing the demo repository…");
    let repo = make_repo()?;
    let conn = Connection::open(&ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        context: None,
    })
    .await?;
    eprintln!("kdrift demo: syncing the commit before HEAD, then changing things by hand…");
    sync_older(&conn, &repo).await?;
    drift_live(&conn).await?;
    write_logs(&env_value(&env, "KDRIFT_POD_LOG_FILE")?)?;
    eprintln!(
        "kdrift demo: ready. Repository {}, kubeconfig {}. Stop it with `kdrift demo --down`.",
        repo.display(),
        kubeconfig.display()
    );
    let mut cli_for_tui = cli.app.clone();
    cli_for_tui.repo = Some(repo);
    cli_for_tui.path = "app".into();
    cli_for_tui.namespace = NAMESPACE.into();
    let readonly = cli.readonly || config.readonly;
    super::tui::open(conn, &cli_for_tui, Some(APP), config, readonly).await
}
