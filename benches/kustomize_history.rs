//! History of a kustomize overlay: 100 commits touching its base, its overlay or files
//! outside both, with each commit's object changes (rendered by the pinned `kustomize`).
//! Prints kdrift's time next to `git log -- base overlay` on the same repository, as a
//! ratio.
//!
//! `cargo bench --bench kustomize_history` runs it in full; without `--bench` (as `cargo
//! test --all-targets` runs it) it only checks itself on 12 commits.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use kdrift::git::history::History;
use kdrift::git::{App, AppSpec};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@kdrift.invalid",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn deployment(replicas: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n"
    )
}

/// Commit i changes the base (i % 3 == 0), the overlay (1) or a file outside both (2).
fn generate(dir: &Path, commits: usize) {
    git(dir, &["init", "-q", "-b", "main"]);
    write(
        dir,
        "base/kustomization.yaml",
        "resources:\n- deployment.yaml\n- config.yaml\n",
    );
    write(dir, "base/deployment.yaml", &deployment(1));
    write(
        dir,
        "base/config.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: info\n",
    );
    write(
        dir,
        "overlays/prod/kustomization.yaml",
        "resources:\n- ../../base\nnamespace: prod\ncommonLabels:\n  rev: \"0\"\n",
    );
    write(dir, "docs/notes.md", "0\n");
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "start"]);
    for i in 1..commits {
        match i % 3 {
            0 => write(dir, "base/deployment.yaml", &deployment(1 + i % 7)),
            1 => write(
                dir,
                "overlays/prod/kustomization.yaml",
                &format!(
                    "resources:\n- ../../base\nnamespace: prod\ncommonLabels:\n  rev: \"{i}\"\n"
                ),
            ),
            _ => write(dir, "docs/notes.md", &format!("{i}\n")),
        }
        git(dir, &["commit", "-q", "-am", &format!("change {i}")]);
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn kustomize() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("KDRIFT_KUSTOMIZE") {
        return p.into();
    }
    let tool = kdrift::cluster::local::Tool {
        script: Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/cluster/kdrift-cluster"),
    };
    tool.run("build", &[]).expect("build the tools");
    tool.env().expect("tools env").kustomize
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (commits, runs) = if full { (100, 3) } else { (12, 1) };
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), commits);
    let mut spec = AppSpec {
        repo: Some(dir.path().to_path_buf()),
        path: "overlays/prod".into(),
        load: Default::default(),
        tools: Default::default(),
    };
    spec.tools.kustomize.program = Some(kustomize());
    let app = App::open(&spec).expect("open");
    let head = app.resolve("HEAD").expect("HEAD");
    let touching = 1 + (1..commits).filter(|i| i % 3 != 2).count();

    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let mut history = History::first_parent(&app, head);
        let page = history.next_page(commits + 1).expect("history");
        assert_eq!(
            page.len(),
            touching,
            "every commit touching base or overlay, no others"
        );
        for c in &page {
            let entry = history.changes(c);
            assert!(entry.error.is_none(), "{:?}", entry.error);
        }
        samples.push(start.elapsed());
    }
    let kdrift = median(samples);
    let mut samples = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let out = Command::new("git")
            .args([
                "log",
                "--first-parent",
                "--format=%H%x09%an%x09%at%x09%s",
                "--name-status",
                "--",
            ])
            .args(["base", "overlays/prod"])
            .current_dir(dir.path())
            .output()
            .expect("git log");
        assert!(out.status.success());
        samples.push(start.elapsed());
    }
    let git = median(samples);
    println!(
        "history of a kustomize overlay, {commits} commits ({touching} touching it) with object changes: kdrift {:.0} ms   git log --name-status -- base overlays/prod {:.1} ms   ratio {:.0}",
        kdrift.as_secs_f64() * 1000.0,
        git.as_secs_f64() * 1000.0,
        kdrift.as_secs_f64() / git.as_secs_f64()
    );
}
