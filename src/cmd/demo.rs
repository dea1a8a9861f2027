//! `kdrift demo`: the embedded default. Brings up the local control plane (building it on
//! first use), makes a demo GitOps repository with a real history, syncs an older commit,
//! changes a few things live as other field managers, writes some pod logs, and opens the
//! TUI on it. `kdrift demo --down` stops the control plane.

use std::path::{Path, PathBuf};
use std::process::Command;

use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

use super::ExitCode;
use crate::cluster::local::Tool;
use crate::cluster::{ConnectOptions, Connection};
use crate::config::settings::Settings;
use crate::model::plan::{Gateway, Mutation};

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

/// The control-plane tooling, written out of the binary so the demo needs no checkout.
fn tool() -> anyhow::Result<Tool> {
    Ok(Tool::written_to(&dirs()?.cache_dir().join("tools"))?)
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

/// Syncs the commit before HEAD (the broken release) through the one sync pipeline, as
/// `kdrift sync --rev HEAD~1 --yes` would.
async fn sync_older(ctx: &crate::ops::Context) -> anyhow::Result<()> {
    use crate::ops::sync::{self, Mode, Request};
    let request = Request {
        rev: "HEAD~1".into(),
        mode: Mode::Sync,
        only: Vec::new(),
        force_conflicts: Vec::new(),
        prune: false,
        create_namespace: false,
    };
    let prepared = sync::prepare(ctx, &request, &mut |_| {})
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let outcome = sync::apply(
        ctx,
        &prepared.plan,
        &prepared.handles,
        &[],
        None,
        Some(&prepared.synced()),
        None,
        &mut |_| {},
    )
    .await;
    let summary = sync::summary(&prepared.plan, &outcome);
    anyhow::ensure!(
        outcome.complete(),
        "syncing the demo failed: {}",
        summary.text
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
    settings: &Settings,
    config: crate::config::Config,
) -> anyhow::Result<ExitCode> {
    if down {
        tool()?.run("down", &[]).map_err(anyhow::Error::msg)?;
        return Ok(0);
    }
    // The demo syncs and edits its cluster: read-only mode refuses before anything starts
    // (the pipeline's gateway would refuse the sync anyway).
    let gateway = Gateway {
        readonly: settings.readonly,
    };
    if let Err(refusal) = gateway.allow(Mutation::Apply) {
        eprintln!(
            "kdrift demo: {refusal}; the demo syncs an older commit and edits objects by hand, so it cannot run read-only"
        );
        return Ok(2);
    }
    // The demo ends in the TUI: without a terminal, say so before minutes of set-up.
    crate::app::run::require_terminal()?;
    eprintln!(
        "kdrift demo: starting the local control plane (the first run builds it and the renderers from Go modules: 10-25 minutes)…"
    );
    let tool = tool()?;
    tool.run("up", &[]).map_err(anyhow::Error::msg)?;
    let env = tool.env().map_err(anyhow::Error::msg)?;
    let kubeconfig = env.admin_kubeconfig.clone();
    eprintln!("kdrift demo: writing the demo repository…");
    let repo = make_repo()?;
    let conn = Connection::open(&ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        context: None,
        ..Default::default()
    })
    .await?;
    eprintln!("kdrift demo: syncing the commit before HEAD, then changing things by hand…");
    let mut app_args = cli.app.clone();
    app_args.repo = Some(repo.clone());
    app_args.path = "app".into();
    let ctx = super::app::context(&conn, &app_args, Some(APP), settings).await?;
    sync_older(&ctx).await?;
    drift_live(&conn).await?;
    write_logs(&env.pod_log_file)?;
    eprintln!(
        "kdrift demo: ready. Repository {}, kubeconfig {}. Stop it with `kdrift demo --down`.",
        repo.display(),
        kubeconfig.display()
    );
    super::tui::open(ctx, config, None, None).await
}
