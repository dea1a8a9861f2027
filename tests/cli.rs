//! The command line's conventions: shell completion, the man page, `version`, `-o yaml`,
//! `NO_COLOR`/`--color`, and the kubectl plugin name, with the real binary (and the real
//! kubectl and control plane where they take part).

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::repo::{TestRepo, config_map};
use common::tui::Tmux;

fn kdrift_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kdrift"));
    cmd.args(args).current_dir(dir).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run kdrift")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn bash_completion_sources_cleanly_and_completes_subcommands_and_flags() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("kdrift.bash");
    let out = kdrift_in(dir.path(), &["completion", "bash"], &[]);
    assert!(out.status.success());
    std::fs::write(&script, &out.stdout).expect("write");
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let probe = format!(
            "set -e; source {}; COMP_WORDS=({}); COMP_CWORD={}; COMP_LINE='{line}'; COMP_POINT={}; _kdrift kdrift '{}' '{}'; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            script.display(),
            words.join(" "),
            words.len() - 1,
            line.len(),
            words[words.len() - 1],
            words[words.len().saturating_sub(2)],
        );
        let out = Command::new("bash")
            .args(["--norc", "--noprofile", "-c", &probe])
            .output()
            .expect("bash");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let subcommands = complete("kdrift ");
    for sub in [
        "diff",
        "sync",
        "rollback",
        "history",
        "completion",
        "version",
    ] {
        assert!(
            subcommands.lines().any(|l| l == sub),
            "{sub}: {subcommands}"
        );
    }
    assert_eq!(complete("kdrift sy").trim(), "sync");
    let flags = complete("kdrift diff --le");
    assert_eq!(flags.trim(), "--lens");
    for shell in ["zsh", "fish"] {
        let out = kdrift_in(dir.path(), &["completion", shell], &[]);
        assert!(
            out.status.success() && stdout(&out).contains("kdrift"),
            "{shell}"
        );
    }
}

#[test]
fn the_man_page_renders_with_man() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = kdrift_in(dir.path(), &["man"], &[]);
    assert!(out.status.success());
    let page = dir.path().join("kdrift.1");
    std::fs::write(&page, &out.stdout).expect("write");
    let rendered = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .expect("man (apt-get install man-db)");
    let text = String::from_utf8_lossy(&rendered.stdout);
    assert!(
        rendered.status.success(),
        "{}",
        String::from_utf8_lossy(&rendered.stderr)
    );
    for part in [
        "NAME",
        "SYNOPSIS",
        "--request-timeout",
        "--as",
        "diff",
        "rollback",
    ] {
        assert!(text.contains(part), "{part} missing:\n{text}");
    }
    assert!(!text.contains("\\f"), "unrendered roff:\n{text}");
}

#[test]
fn version_names_the_commit_and_the_client_libraries_in_text_json_and_yaml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(common::repo_root())
        .output()
        .expect("git");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let text = stdout(&kdrift_in(dir.path(), &["version"], &[]));
    assert!(
        text.contains(env!("CARGO_PKG_VERSION")) && text.contains("kube 5."),
        "{text}"
    );
    assert!(
        text.contains(&format!("commit {head}")),
        "{text} (HEAD {head})"
    );
    let long = stdout(&kdrift_in(dir.path(), &["--version"], &[]));
    assert!(long.contains(&head), "{long}");
    let json: serde_json::Value =
        serde_json::from_slice(&kdrift_in(dir.path(), &["version", "-o", "json"], &[]).stdout)
            .expect("json");
    let yaml: serde_json::Value = serde_saphyr::from_str(&stdout(&kdrift_in(
        dir.path(),
        &["version", "-o", "yaml"],
        &[],
    )))
    .expect("yaml");
    assert_eq!(json, yaml);
    assert_eq!(json["commit"], head.as_str());
}

#[test]
fn as_kubectl_kdrift_the_binary_is_a_kubectl_plugin() {
    let cluster = common::cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_kdrift"),
        dir.path().join("kubectl-kdrift"),
    )
    .expect("symlink");
    let kubectl = common::built_kubectl();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = |args: &[&str]| {
        Command::new(&kubectl)
            .args(args)
            .env("PATH", &path)
            .env("KUBECONFIG", &cluster.admin_kubeconfig)
            .output()
            .expect("kubectl")
    };
    let list = run(&["plugin", "list"]);
    assert!(
        stdout(&list).contains("kubectl-kdrift"),
        "{}",
        stdout(&list)
    );
    let help = run(&["kdrift", "--help"]);
    assert!(
        stdout(&help).contains("Usage: kubectl kdrift"),
        "{}",
        stdout(&help)
    );
    // kubectl's flag spellings, and the KUBECONFIG kubectl passes on.
    let health = run(&["kdrift", "health", "-o", "json", "--request-timeout", "20s"]);
    assert!(
        health.status.code().is_some_and(|c| c < 2),
        "{}{}",
        stdout(&health),
        String::from_utf8_lossy(&health.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&health.stdout).expect("json");
    assert!(doc["nodes"].is_array(), "{doc}");
}

fn drifted_app() -> (TestRepo, String) {
    let cluster = common::cluster();
    let ns = cluster.restricted_namespace.clone();
    // Short: the tree's column cuts long names, and the TUI test looks for the row.
    let unique = common::unique_name("c");
    let name = format!("colour{}", unique.rsplit('-').next().unwrap_or("0"));
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map(&name, "k", "one"));
    repo.commit("one");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &name);
    repo.write("app/cm.yaml", &config_map(&name, "k", "two"));
    repo.commit("two");
    (repo, name)
}

/// The command run in a pseudo-terminal by `script`, its output as the terminal got it.
fn in_terminal(command: &str, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new("script");
    cmd.args(["-qec", command, "/dev/null"])
        .env_remove("NO_COLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("script (util-linux)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn no_color_and_color_never_print_no_escape_codes_on_a_terminal() {
    let cluster = common::cluster();
    let (repo, name) = drifted_app();
    let diff = format!(
        "{} --kubeconfig {} diff --repo {} --path app -n {} --app-name {name}",
        env!("CARGO_BIN_EXE_kdrift"),
        cluster.admin_kubeconfig.display(),
        repo.path().display(),
        cluster.restricted_namespace
    );
    let coloured = in_terminal(&diff, &[]);
    assert!(
        coloured.contains("\x1b[3"),
        "a terminal gets colour: {coloured:?}"
    );
    assert!(coloured.contains("two"));
    let plain = in_terminal(&diff, &[("NO_COLOR", "1")]);
    assert!(
        plain.contains("two") && !plain.contains('\x1b'),
        "{plain:?}"
    );
    let never = in_terminal(&format!("{diff} --color never"), &[]);
    assert!(
        never.contains("two") && !never.contains('\x1b'),
        "{never:?}"
    );
    let piped = kdrift_in(
        repo.path(),
        &[
            "--kubeconfig",
            &cluster.admin_kubeconfig.to_string_lossy(),
            "diff",
            "--path",
            "app",
            "-n",
            &cluster.restricted_namespace,
            "--app-name",
            &name,
            "--color",
            "always",
        ],
        &[],
    );
    assert!(
        stdout(&piped).contains("\x1b[3"),
        "--color always into a pipe"
    );
}

#[test]
fn under_no_color_the_tuis_selection_is_reverse_video() {
    let cluster = common::cluster();
    let (repo, name) = drifted_app();
    let tui = Tmux::start(
        &common::tui::kdrift_command(
            &cluster.admin_kubeconfig,
            &repo,
            &cluster.restricted_namespace,
            &name,
        ),
        &[("NO_COLOR", "1")],
    );
    tui.wait_for("the app", 60, |s| {
        common::tui::object_row(s, &name, "OutOfSync")
    });
    let styled = tui.screen_with_escapes();
    assert!(styled.contains("\x1b[7m"), "no reverse video:\n{styled:?}");
    let colours = sgr_colours(&styled);
    assert!(
        colours.is_empty(),
        "colours under NO_COLOR: {colours:?}\n{styled:?}"
    );
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}

/// The colour parameters (30–37, 38, 40–47, 48, 90–97, 100–107) of every SGR sequence.
fn sgr_colours(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for part in text.split("\x1b[").skip(1) {
        let Some(end) = part.find(|c: char| !c.is_ascii_digit() && c != ';') else {
            continue;
        };
        if !part[end..].starts_with('m') {
            continue;
        }
        for param in part[..end].split(';').filter_map(|p| p.parse::<u32>().ok()) {
            if matches!(param, 30..=38 | 40..=48 | 90..=97 | 100..=107) {
                found.push(part[..end].to_string());
                break;
            }
        }
    }
    found
}

#[test]
fn without_a_terminal_the_tui_says_so_in_kdrifts_words() {
    let cluster = common::cluster();
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map("headless", "k", "v"));
    repo.commit("one");
    let kubeconfig = cluster.admin_kubeconfig.to_string_lossy().into_owned();
    // Standard output a pipe, as under a script or a CI job.
    let out = kdrift_in(
        repo.path(),
        &["--kubeconfig", &kubeconfig, "--path", "app"],
        &[],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("standard output is not a terminal")
            && stderr.contains("headless subcommand"),
        "{stderr}"
    );
    assert!(stdout(&out).is_empty(), "nothing drawn into the pipe");
    // Under setsid in a terminal: `wrap` runs kdrift on the app, `redirect` follows it.
    let under_setsid = |wrap: &str, redirect: &str| {
        in_terminal(
            &format!(
                "setsid -w {wrap}{} --kubeconfig {kubeconfig} --repo {} --path app{redirect}",
                env!("CARGO_BIN_EXE_kdrift"),
                repo.path().display()
            ),
            &[],
        )
    };
    // A terminal for output but none to control (setsid): not the OS's bare error.
    let shown = under_setsid("", " < /dev/null");
    assert!(
        shown.contains("there is no controlling terminal") && !shown.contains("os error"),
        "{shown}"
    );
    // No controlling terminal but standard input one (`setsid` typed in a terminal): the
    // TUI takes it, as crossterm would, until SIGTERM ends it (with the screen restored).
    let shown = under_setsid("timeout -s TERM 5 ", "");
    assert!(
        shown.contains("\x1b[?1049h")
            && shown.ends_with("\x1b[?1049l")
            && !shown.contains("no controlling terminal"),
        "{shown:?}"
    );
    // The demo says so before it builds or starts anything.
    let out = kdrift_in(repo.path(), &["demo"], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("standard output is not a terminal")
            && !stderr.contains("starting the local control plane"),
        "{stderr}"
    );
}
