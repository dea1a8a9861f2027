//! Text from others is inert: file names carrying ESC, BEL, CR and newline never put a
//! control byte on stdout or stderr, and `render` stays valid YAML.

mod common;

use std::process::{Command, Output, Stdio};

use common::repo::TestRepo;

fn offline(repo: &TestRepo, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("home");
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args(args)
        .env("HOME", home.path())
        .env("KUBECONFIG", home.path().join("none"))
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift")
}

/// Control bytes but the newline that ends lines (and none inside them).
fn controls(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .copied()
        .filter(|b| (*b < 0x20 && *b != b'\n') || *b == 0x7f)
        .collect()
}

#[test]
fn hostile_file_names_reach_no_terminal_and_render_stays_yaml() {
    let repo = TestRepo::new();
    let names = [
        "app/title\u{1b}]0;owned\u{7}.yaml",
        "app/cr\rline.yaml",
        "app/new\nline: injected.yaml",
        "app/clear\u{1b}[2J.yaml",
    ];
    for (i, name) in names.iter().enumerate() {
        repo.write(
            name,
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  k: v\n"),
        );
    }
    repo.write(
        "app/broken\u{1b}[31m.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
    );
    repo.commit("hostile names \u{1b}]0;commit\u{7}");
    repo.write(
        "app/title\u{1b}]0;owned\u{7}.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-0\ndata:\n  k: changed\n",
    );
    repo.commit("change");

    let out = offline(&repo, &["render", "--path", "app"]);
    assert_eq!(out.status.code(), Some(1), "one file is broken");
    assert!(
        controls(&out.stdout).is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        controls(&out.stderr).is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every document parses, and the four objects (no injected key) are there.
    let mut objects = 0;
    for doc in stdout
        .split("\n---\n")
        .map(|d| d.trim_start_matches("---\n"))
    {
        let value: serde_json::Value =
            serde_saphyr::from_str(doc).unwrap_or_else(|e| panic!("{e}: {doc:?}"));
        assert!(
            value.get("line").is_none(),
            "the newline started a key: {doc}"
        );
        objects += 1;
    }
    assert_eq!(objects, 4, "{stdout}");
    assert!(
        stdout.contains("\\x1b]0;owned\\x07"),
        "the name is shown, escaped: {stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("broken\\x1b[31m.yaml"));

    for args in [
        &["history", "--path", "app"][..],
        &["review", "--path", "app"][..],
        &["render", "--path", "app", "-o", "json"][..],
    ] {
        let out = offline(&repo, args);
        assert!(
            controls(&out.stdout).is_empty(),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            controls(&out.stderr).is_empty(),
            "{args:?}: {:?}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
