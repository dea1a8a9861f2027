//! `kdrift review` on real repositories (a chart made by `helm create`, plain YAML), with no
//! cluster configured, and with `--live` against the local control plane.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::repo::{TestRepo, config_map};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, Patch, PatchParams, PostParams};
use serde_json::json;

/// The real binary with no cluster at all: no kubeconfig anywhere, no in-cluster account.
fn offline(repo: &TestRepo, args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("home");
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args(args)
        .env("HOME", home.path())
        .env("KUBECONFIG", home.path().join("no-such-kubeconfig"))
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("KDRIFT_HELM", common::built_helm())
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift")
}

fn live(kubeconfig: &Path, repo: &TestRepo, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .current_dir(repo.path())
        .stdin(Stdio::null())
        .output()
        .expect("run kdrift")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

fn names(app: &serde_json::Value, what: &str) -> Vec<String> {
    app[what]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| {
                    format!(
                        "{}/{}",
                        c["key"]["kind"].as_str().unwrap_or(""),
                        c["key"]["name"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_values_edit_of_a_chart_reports_exactly_the_objects_it_alters_with_no_cluster() {
    let repo = TestRepo::new();
    let status = Command::new(common::built_helm())
        .args(["create", "web"])
        .current_dir(repo.path())
        .stdout(Stdio::null())
        .status()
        .expect("helm create");
    assert!(status.success());
    repo.write("README.md", "# the web chart\n");
    repo.commit("helm create web");
    let values = repo.path().join("web/values.yaml");
    let text_before = std::fs::read_to_string(&values).expect("values");
    assert!(
        text_before.contains("tag: \"\""),
        "helm create's values changed shape"
    );
    std::fs::write(
        &values,
        text_before.replacen("tag: \"\"", "tag: \"1.27.3\"", 1),
    )
    .expect("edit values");
    repo.commit("web: image 1.27.3");

    let out = offline(&repo, &["review", "HEAD~1..HEAD", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc = json(&out);
    let apps = doc["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1, "{doc}");
    let app = &apps[0];
    assert_eq!(app["path"], "web");
    assert_eq!(names(app, "changed"), ["Deployment/web"], "{doc}");
    for other in ["created", "deleted", "renamed"] {
        assert!(
            app[other].as_array().is_some_and(Vec::is_empty),
            "{other}: {doc}"
        );
    }
    let diff = app["changed"][0]["diff"]["unified"]
        .as_str()
        .unwrap_or_default();
    assert!(
        diff.contains("+        image: \"nginx:1.27.3\"") || diff.contains("nginx:1.27.3"),
        "{diff}"
    );
    assert_eq!(app["changed"][0]["diff"]["added"], 1, "{diff}");

    // A change to the README only: no object change, exit 0.
    repo.write("README.md", "# the web chart, documented\n");
    repo.commit("docs");
    let out = offline(&repo, &["review", "HEAD~1..HEAD", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc = json(&out);
    assert_eq!(doc["object_changes"], 0);
    assert_eq!(
        doc["files_outside_apps"],
        serde_json::json!(["README.md"]),
        "{doc}"
    );
    let out = offline(&repo, &["review"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn a_rename_is_a_rename_and_a_readme_changes_no_object() {
    let repo = TestRepo::new();
    repo.write("app/settings.yaml", &config_map("settings", "mode", "fast"));
    repo.write("app/other.yaml", &config_map("other", "k", "v"));
    let base = repo.commit("two config maps");
    repo.remove("app/settings.yaml");
    repo.write(
        "app/renamed.yaml",
        &config_map("settings-v2", "mode", "fast"),
    );
    repo.write("app/README.md", "what these are\n");
    repo.commit("rename settings");
    let out = offline(
        &repo,
        &[
            "review",
            &format!("{base}..HEAD"),
            "--path",
            "app",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let doc = json(&out);
    let app = &doc["apps"][0];
    assert_eq!(app["renamed"][0]["from"]["name"], "settings", "{doc}");
    assert_eq!(app["renamed"][0]["to"]["name"], "settings-v2", "{doc}");
    assert!(
        app["created"].as_array().is_some_and(Vec::is_empty),
        "{doc}"
    );
    assert!(
        app["deleted"].as_array().is_some_and(Vec::is_empty),
        "{doc}"
    );
    assert_eq!(
        app["files_without_object_change"],
        json!(["app/README.md"]),
        "{doc}"
    );
    let shown = text(&offline(
        &repo,
        &["review", &format!("{base}.."), "--path", "app"],
    ));
    assert!(
        shown.contains("renamed  ConfigMap/default/settings -> ConfigMap/default/settings-v2"),
        "{shown}"
    );
}

#[test]
fn the_markdown_parses_into_a_table_and_folded_diffs_and_holds_no_secret() {
    let repo = TestRepo::new();
    let secret = |v: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {v}\n"
        )
    };
    repo.write("app/db.yaml", &secret("\"Tr0ub4dor&3/horse+staple\""));
    repo.write(
        "app/cm.yaml",
        &config_map("web", "fence", "```not a fence```"),
    );
    repo.commit("one");
    repo.write("app/db.yaml", &secret("n3w-S3cret"));
    repo.write(
        "app/cm.yaml",
        &config_map("web", "fence", "````still not````"),
    );
    repo.write(
        "app/extra.yaml",
        &config_map("extra|</code><b>x</b>", "k", "v"),
    );
    repo.commit("two");
    let out = offline(&repo, &["review", "--path", "app", "-o", "markdown"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let markdown = String::from_utf8_lossy(&out.stdout).into_owned();
    for raw in ["Tr0ub4dor&3/horse+staple", "n3w-S3cret"] {
        for form in common::secret_encodings(raw) {
            assert!(!markdown.contains(&form), "{form} leaked:\n{markdown}");
        }
    }

    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    let (mut tables, mut header_cells, mut diff_blocks, mut in_head) = (0, 0, 0, false);
    let mut details_open = 0i32;
    for event in Parser::new_ext(&markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => tables += 1,
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => in_head = false,
            Event::Start(Tag::TableCell) if in_head => header_cells += 1,
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(lang))) if &*lang == "diff" => {
                diff_blocks += 1
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                assert!(
                    !html.contains("<b>"),
                    "a name injected markup: {html}\n{markdown}"
                );
                details_open += html.matches("<details>").count() as i32;
                details_open -= html.matches("</details>").count() as i32;
            }
            _ => {}
        }
    }
    assert_eq!(tables, 1, "{markdown}");
    assert_eq!(header_cells, 7, "{markdown}");
    assert_eq!(diff_blocks, 3, "secret, config map, extra:\n{markdown}");
    assert_eq!(details_open, 0, "unbalanced <details>:\n{markdown}");

    // A limit a code host imposes: the diffs give way, the summary stays.
    let out = offline(
        &repo,
        &[
            "review",
            "--path",
            "app",
            "-o",
            "markdown",
            "--max-chars",
            "1200",
        ],
    );
    let short = String::from_utf8_lossy(&out.stdout);
    assert!(short.len() <= 1200, "{} chars", short.len());
    assert!(
        short.contains("| App |") && short.contains("more object diffs left out"),
        "{short}"
    );
}

#[tokio::test]
async fn live_review_names_the_drift_a_change_would_overwrite_and_what_it_would_prune() {
    let cluster = common::cluster();
    let ns = common::unique_name("review-live");
    let admin = common::admin_client().await;
    let namespace: Namespace =
        serde_json::from_value(json!({"metadata": {"name": ns}})).expect("namespace");
    Api::<Namespace>::all(admin.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .expect("namespace");
    let repo = TestRepo::new();
    repo.write(
        "app/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n",
    );
    repo.write("app/old.yaml", &config_map("old-settings", "k", "v"));
    repo.commit("web without replicas, and old settings");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &ns);
    // Someone scales by hand (as `kubectl edit` would write it).
    Api::<Deployment>::namespaced(admin.clone(), &ns)
        .patch(
            "web",
            &PatchParams {
                field_manager: Some("kubectl-edit".into()),
                ..Default::default()
            },
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .expect("scale by hand");
    // The change now declares replicas, and removes the old settings.
    let web = std::fs::read_to_string(repo.path().join("app/web.yaml")).expect("web");
    repo.write(
        "app/web.yaml",
        &web.replace("spec:\n  selector:", "spec:\n  replicas: 2\n  selector:"),
    );
    repo.remove("app/old.yaml");
    repo.commit("declare replicas, drop old settings");

    let out = live(
        &cluster.admin_kubeconfig,
        &repo,
        &[
            "review",
            "--path",
            "app",
            "-n",
            &ns,
            "--app-name",
            &ns,
            "--live",
        ],
    );
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("would overwrite live drift (kubectl-edit): Deployment/")
            && said.contains("replicas"),
        "{said}"
    );
    assert!(
        said.contains(&format!("would prune ConfigMap/{ns}/old-settings")),
        "{said}"
    );
    let md = live(
        &cluster.admin_kubeconfig,
        &repo,
        &[
            "review",
            "--path",
            "app",
            "-n",
            &ns,
            "--app-name",
            &ns,
            "--live",
            "-o",
            "markdown",
        ],
    );
    let md = String::from_utf8_lossy(&md.stdout);
    assert!(
        md.contains("| 1 | 1 |"),
        "prune and overwrite counts:\n{md}"
    );
    // Nothing was written: the Deployment keeps its hand-set replicas.
    let deployment = Api::<Deployment>::namespaced(admin, &ns)
        .get("web")
        .await
        .expect("web");
    assert_eq!(deployment.spec.and_then(|s| s.replicas), Some(5));
}

#[tokio::test]
async fn in_the_tui_a_marked_commit_is_compared_with_a_picked_one_and_e_writes_markdown() {
    use common::tui::{Tmux, kdrift_command};
    let cluster = common::cluster();
    let ns = cluster.restricted_namespace.clone();
    // Short: the tree's column cuts long names.
    let unique = common::unique_name("m");
    let name = format!("mk{}", unique.rsplit('-').next().unwrap_or("0"));
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map(&name, "colour", "red-one"));
    repo.commit("first");
    repo.write("app/cm.yaml", &config_map(&name, "colour", "green-two"));
    repo.commit("second");
    repo.write("app/cm.yaml", &config_map(&name, "colour", "blue-three"));
    repo.commit("third");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &name);
    let data = tempfile::tempdir().expect("data dir");
    let data_home = data.path().to_string_lossy().into_owned();
    let tui = Tmux::start(
        &kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &name),
        &[("XDG_DATA_HOME", &data_home)],
    );
    tui.wait_for("the app in sync", 60, |s| {
        common::tui::object_row(s, &name, "Synced")
    });
    // History: the oldest commit marked, the middle one picked as the Git side.
    tui.keys(&["Tab"]);
    tui.wait_for("the history", 20, |s| {
        s.contains("first") && s.contains("third")
    });
    tui.keys(&["Down", "Down", "m"]);
    tui.wait_for("the mark", 10, |s| s.contains("marked ◆"));
    tui.keys(&["Up", "Enter"]);
    tui.wait_for("the picked commit's drift", 30, |s| {
        common::tui::object_row(s, &name, "OutOfSync")
    });
    // Back to the tree, on the object.
    tui.keys(&["Tab", "Tab", "n"]);
    let screen = tui.wait_for("the three-way comparison", 30, |s| {
        s.contains("# marked ") && s.contains("green-two") && s.contains("red-one")
    });
    assert!(screen.contains("versus live"), "{screen}");
    tui.keys(&["e"]);
    let screen = tui.wait_for("the export's path", 20, |s| s.contains("exported to"));
    let exports = std::path::Path::new(&data_home).join("kdrift/exports");
    let files: Vec<_> = std::fs::read_dir(&exports)
        .unwrap_or_else(|e| panic!("{e}: {screen}"))
        .flatten()
        .collect();
    assert_eq!(files.len(), 1, "{screen}");
    let markdown = std::fs::read_to_string(files[0].path()).expect("export");
    assert!(markdown.starts_with("## kdrift review `"), "{markdown}");
    assert!(
        markdown.contains("green-two") && markdown.contains("red-one"),
        "{markdown}"
    );
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}
