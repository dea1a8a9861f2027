//! The desired state from real Git repositories made in temporary directories.

mod common;

use std::process::Command;
use std::time::Duration;

use common::repo::{TestRepo, config_map, deployment};
use kdrift::git::history::History;
use kdrift::git::kustomize::Tool;
use kdrift::git::{App, AppSpec, Revision};
use kdrift::model::desired::DesiredSet;
use kdrift::model::manifest::LoadOptions;

fn open(repo: &TestRepo, path: &str) -> App {
    open_with(repo, path, LoadOptions::default(), Tool::default())
}

fn open_with(repo: &TestRepo, path: &str, load: LoadOptions, kustomize: Tool) -> App {
    App::open(&AppSpec {
        repo: Some(repo.path().to_path_buf()),
        path: path.into(),
        load,
        tools: kdrift::git::render::Renderers {
            kustomize,
            ..Default::default()
        },
    })
    .expect("open app")
}

fn keys(set: &DesiredSet) -> Vec<String> {
    set.objects.keys().map(|k| k.to_string()).collect()
}

fn head(app: &App) -> DesiredSet {
    app.desired(&Revision::Rev("HEAD".into()))
        .expect("desired at HEAD")
}

fn kdrift(repo: &TestRepo, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kdrift"))
        .args(args)
        .current_dir(repo.path())
        .output()
        .expect("run kdrift")
}

#[test]
fn plain_trees_multi_document_files_lists_and_json() {
    let repo = TestRepo::new();
    repo.write(
        "deploy/app.yaml",
        &format!(
            "{}---\n# only a comment\n---\n{}",
            config_map("one", "a", "1"),
            deployment("web", 2, "nginx:1.27")
        ),
    );
    repo.write(
        "deploy/sub/list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: web}\n  spec: {ports: [{port: 80}]}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: team}\n",
    );
    repo.write(
        "deploy/secret.json",
        r#"{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": "team"}, "data": {"token": "c2VjcmV0LXRva2Vu"}}"#,
    );
    repo.write("deploy/values.yaml", "replicaCount: 3\n");
    repo.write("deploy/README.md", "# not a manifest\n");
    repo.write("elsewhere/other.yaml", &config_map("outside", "a", "1"));
    repo.commit("initial");

    let set = head(&open(&repo, "deploy"));
    assert_eq!(
        keys(&set),
        [
            "ConfigMap/default/one",
            "Namespace/team",
            "Secret/team/creds",
            "Service/default/web",
            "Deployment.apps/default/web"
        ]
    );
    assert!(set.errors.is_empty(), "{:?}", set.errors);
    assert_eq!(set.skipped.len(), 1);
    assert_eq!(set.skipped[0].file, "deploy/values.yaml");
    let web = set
        .objects
        .values()
        .find(|m| m.id.kind == "Deployment")
        .expect("deployment");
    assert_eq!(web.source.file, "deploy/app.yaml");
    assert_eq!(web.source.document, 2);
    assert_eq!(web.source.line, 10);

    // The whole repository is the default app path.
    assert_eq!(head(&open(&repo, "")).len(), 6);
    // --namespace sets the target namespace of objects that name none.
    let other_ns = open_with(
        &repo,
        "deploy",
        LoadOptions {
            namespace: "prod".into(),
            ..Default::default()
        },
        Tool::default(),
    );
    assert!(keys(&head(&other_ns)).contains(&"Deployment.apps/prod/web".to_string()));
}

#[test]
fn any_commit_ish_reads_that_commit_without_touching_the_worktree() {
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map("settings", "mode", "one"));
    let first = repo.commit("first");
    repo.git(&["tag", "v1"]);
    repo.write("app/cm.yaml", &config_map("settings", "mode", "two"));
    repo.commit("second");
    repo.git(&["branch", "keep"]);
    repo.write("app/cm.yaml", &config_map("settings", "mode", "three"));
    repo.commit("third");
    repo.write(
        "app/cm.yaml",
        &config_map("settings", "mode", "uncommitted"),
    );
    let status_before = repo.git(&["status", "--porcelain"]);

    let app = open(&repo, "app");
    let mode = |rev: Revision| {
        let set = app.desired(&rev).expect("desired");
        set.objects.values().next().expect("one object").tree()["data"]["mode"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(mode(Revision::Rev("HEAD".into())), "three");
    assert_eq!(mode(Revision::Rev("HEAD~2".into())), "one");
    assert_eq!(mode(Revision::Rev("v1".into())), "one");
    assert_eq!(mode(Revision::Rev("keep".into())), "two");
    assert_eq!(mode(Revision::Rev(first[..8].to_string())), "one");
    assert_eq!(mode(Revision::Worktree), "uncommitted");
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        status_before,
        "the working tree is untouched"
    );
    assert!(app.resolve("no-such-branch").is_err());

    let out = kdrift(&repo, &["render", "--path", "app", "--worktree"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("mode: uncommitted"));
    let out = kdrift(&repo, &["render", "--path", "app", "--rev", "v1"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("mode: one"));
}

#[test]
fn bad_input_is_reported_and_the_rest_loads() {
    let repo = TestRepo::new();
    repo.write("app/good.yaml", &config_map("good", "a", "1"));
    repo.write(
        "app/broken.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n",
    );
    repo.write(
        "app/noname.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {a: b}\n",
    );
    repo.write("app/dup.yaml", &config_map("good", "a", "2"));
    repo.write(
        "app/big.yaml",
        &format!("{}# {}\n", config_map("big", "a", "1"), "x".repeat(4096)),
    );
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        bomb.push_str(&format!("  {c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    repo.write("app/bomb.yaml", &bomb);
    repo.commit("mixed");

    let app = open_with(
        &repo,
        "app",
        LoadOptions {
            max_file_bytes: 2048,
            ..Default::default()
        },
        Tool::default(),
    );
    let set = head(&app);
    assert_eq!(keys(&set), ["ConfigMap/default/good"]);
    let errors: Vec<String> = set.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    let find = |file: &str| {
        errors
            .iter()
            .find(|e| e.starts_with(file))
            .unwrap_or_else(|| panic!("no error for {file} in {errors:#?}"))
            .clone()
    };
    assert!(find("app/broken.yaml:4:").contains("invalid YAML"));
    assert_eq!(
        find("app/noname.yaml"),
        "app/noname.yaml:1: ConfigMap object has no metadata.name"
    );
    // Files load in path order: dup.yaml defines "good" first, good.yaml repeats it.
    assert_eq!(
        find("app/good.yaml:1"),
        "app/good.yaml:1: duplicate object ConfigMap/default/good: also defined at app/dup.yaml:1 (document 0)"
    );
    assert!(find("app/big.yaml").contains("over the 2048-byte cap"));
    assert!(find("app/bomb.yaml").contains("invalid YAML"));

    let out = kdrift(
        &repo,
        &["render", "--path", "app", "--max-file-size", "2048"],
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("app/broken.yaml:4:"), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("name: good"));
}

#[test]
fn symlinks_inside_are_followed_and_escaping_ones_refused() {
    let repo = TestRepo::new();
    repo.write("shared/cm.yaml", &config_map("shared", "a", "1"));
    repo.symlink("app/linked.yaml", "../shared/cm.yaml");
    repo.symlink("app/escape.yaml", "../../../etc/hostname");
    repo.commit("links");
    let set = head(&open(&repo, "app"));
    assert_eq!(keys(&set), ["ConfigMap/default/shared"]);
    assert_eq!(set.errors.len(), 1);
    assert!(
        set.errors[0]
            .to_string()
            .contains("points outside the repository; refused")
    );
    let wt = open(&repo, "app")
        .desired(&Revision::Worktree)
        .expect("worktree");
    assert_eq!(keys(&wt), ["ConfigMap/default/shared"]);
    assert!(
        wt.errors[0].message.contains("outside the repository"),
        "{:?}",
        wt.errors
    );
}

fn kustomize_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("base/deployment.yaml", &deployment("web", 1, "nginx:1.27"));
    repo.write("base/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\n");
    repo.write(
        "overlays/prod/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: prod\nnamePrefix: prod-\nresources:\n- ../../base\npatches:\n- target: {kind: Deployment, name: web}\n  patch: |-\n    - op: replace\n      path: /spec/replicas\n      value: 4\n",
    );
    repo
}

fn kubectl_tool() -> Tool {
    Tool {
        program: Some(common::built_kubectl()),
        timeout: Duration::from_secs(60),
    }
}

#[test]
fn kustomize_base_and_overlay() {
    let repo = kustomize_repo();
    repo.commit("kustomize app");
    let app = open_with(
        &repo,
        "overlays/prod",
        LoadOptions::default(),
        kubectl_tool(),
    );
    let set = head(&app);
    assert_eq!(
        keys(&set),
        ["Deployment.apps/prod/prod-web"],
        "{:?}",
        set.errors
    );
    let dep = set.objects.values().next().expect("deployment");
    assert_eq!(dep.tree()["spec"]["replicas"], 4);
    assert_eq!(dep.source.file, "kustomize build overlays/prod");

    // History of the overlay sees its commit; the base alone renders too.
    let base = open_with(&repo, "base", LoadOptions::default(), kubectl_tool());
    assert_eq!(keys(&head(&base)), ["Deployment.apps/default/web"]);

    let missing = open_with(
        &repo,
        "overlays/prod",
        LoadOptions::default(),
        Tool {
            program: Some("/nonexistent/kustomize".into()),
            timeout: Duration::from_secs(5),
        },
    );
    let err = missing
        .desired(&Revision::Rev("HEAD".into()))
        .expect_err("no tool");
    assert!(
        err.to_string()
            .contains("cannot run /nonexistent/kustomize"),
        "{err}"
    );
}

#[test]
fn kustomize_export_refuses_symlinks_leaving_the_repository() {
    let repo = kustomize_repo();
    // A link the overlay does not read is never exported: it blocks nothing.
    repo.symlink("elsewhere/hostname", "/etc/hostname");
    repo.commit("an unrelated escaping link");
    let app = open_with(
        &repo,
        "overlays/prod",
        LoadOptions::default(),
        kubectl_tool(),
    );
    let set = head(&app);
    assert_eq!(
        keys(&set),
        ["Deployment.apps/prod/prod-web"],
        "{:?}",
        set.errors
    );
    // One it reads (a generator's env file) is refused.
    repo.symlink("base/secret.env", "/etc/hostname");
    repo.write("base/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- deployment.yaml\nsecretGenerator:\n- name: s\n  envs: [secret.env]\n");
    repo.commit("escaping link");
    let err = app
        .desired(&Revision::Rev("HEAD".into()))
        .expect_err("refused");
    assert!(
        err.to_string()
            .contains("base/secret.env -> /etc/hostname points outside the repository; refused"),
        "{err}"
    );
}

#[test]
fn history_with_rename_deletion_and_merge() {
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map("settings", "mode", "one"));
    repo.write("app/web.yaml", &deployment("web", 1, "nginx:1.27"));
    repo.commit("initial release");
    repo.write("README.md", "outside the app path\n");
    repo.commit("docs only");
    repo.write("app/web.yaml", &deployment("web", 3, "nginx:1.27"));
    repo.commit("scale up");
    repo.git(&["mv", "app/cm.yaml", "app/settings.yaml"]);
    repo.commit("rename a file");
    repo.remove("app/settings.yaml");
    repo.commit("delete settings");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("app/extra.yaml", &config_map("extra", "a", "1"));
    repo.commit("feature: extra config");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("other.txt", "x\n");
    repo.commit("unrelated on main");
    repo.git(&["merge", "-q", "--no-ff", "-m", "merge feature", "feature"]);

    let app = open(&repo, "app");
    let start = app.resolve("HEAD").expect("HEAD");
    let mut history = History::first_parent(&app, start);
    let page = history.next_page(100).expect("history");
    let subjects: Vec<&str> = page.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(
        subjects,
        [
            "merge feature",
            "delete settings",
            "rename a file",
            "scale up",
            "initial release"
        ]
    );
    let entries: Vec<_> = page.iter().map(|c| history.changes(c)).collect();
    let changes = |i: usize| entries[i].changes.clone().expect("changes");
    assert_eq!(changes(0).added[0].to_string(), "ConfigMap/default/extra");
    assert_eq!(
        changes(1).removed[0].to_string(),
        "ConfigMap/default/settings"
    );
    assert!(
        changes(2).is_empty(),
        "a rename changes no object: {:?}",
        changes(2)
    );
    assert_eq!(
        changes(3).modified[0].to_string(),
        "Deployment.apps/default/web"
    );
    assert_eq!(changes(4).added.len(), 2);
    assert_eq!(page[0].author, "Test Author");
    assert_eq!(page[0].short.len(), 7);

    let mut full = History::full(&app, start).expect("full history");
    let all: Vec<String> = full
        .next_page(100)
        .expect("page")
        .into_iter()
        .map(|c| c.subject)
        .collect();
    assert!(
        all.contains(&"feature: extra config".to_string()),
        "{all:?}"
    );

    // Pages continue where the last one stopped.
    let mut paged = History::first_parent(&app, start);
    let one = paged.next_page(2).expect("page 1");
    let two = paged.next_page(2).expect("page 2");
    assert_eq!(one.len(), 2);
    assert_eq!(two[0].subject, "rename a file");

    let out = kdrift(
        &repo,
        &[
            "history", "--path", "app", "--limit", "2", "--output", "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["commits"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        doc["commits"][1]["changes"]["removed"][0]["name"],
        "settings"
    );
    let text =
        String::from_utf8_lossy(&kdrift(&repo, &["history", "--path", "app"]).stdout).into_owned();
    assert!(text.contains("~ Deployment.apps/default/web"), "{text}");
}

#[test]
fn render_masks_secrets_and_prints_json() {
    let repo = TestRepo::new();
    repo.write(
        "app/secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ndata:\n  token: c2VjcmV0LXRva2Vu\nstringData:\n  password: hunter2-plain\n",
    );
    repo.commit("secret");
    for args in [
        vec!["render", "--path", "app"],
        vec!["render", "--path", "app", "-o", "json"],
    ] {
        let out = kdrift(&repo, &args);
        assert_eq!(out.status.code(), Some(0));
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for raw in ["c2VjcmV0LXRva2Vu", "secret-token", "hunter2-plain"] {
            assert!(!all.contains(raw), "secret value leaked in {args:?}");
        }
        assert!(all.contains("token"), "keys stay visible");
    }
    let out = kdrift(&repo, &["render", "--path", "app", "-o", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["objects"][0]["id"]["kind"], "Secret");
    assert_eq!(doc["objects"][0]["content"]["data"]["token"], "<masked>");
    assert!(doc["commit"].as_str().is_some_and(|c| c.len() == 40));
}

#[test]
fn a_file_that_fails_to_parse_in_one_commit_is_an_error_there_not_a_removal() {
    let repo = TestRepo::new();
    repo.write("app/a.yaml", &config_map("a", "k", "v"));
    repo.write("app/b.yaml", &config_map("b", "k", "v"));
    repo.commit("two maps");
    repo.write(
        "app/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: [v\n",
    );
    repo.commit("a broken");
    repo.write("app/a.yaml", &config_map("a", "k", "w"));
    repo.commit("a fixed");
    let app = open(&repo, "app");
    let head = app.resolve("HEAD").expect("HEAD");
    let mut history = History::first_parent(&app, head);
    let page = history.next_page(10).expect("page");
    let entries: Vec<_> = page.iter().map(|c| history.changes(c)).collect();
    let broken = &entries[1];
    assert_eq!(broken.commit.subject, "a broken");
    let changes = broken.changes.as_ref().expect("changes");
    assert!(changes.removed.is_empty(), "not a removal: {changes:?}");
    let error = broken.error.as_deref().expect("an error at that commit");
    assert!(
        error.contains("app/a.yaml:6") && error.contains("unknown at this commit"),
        "{error}"
    );
    let fixed = entries[0].changes.as_ref().expect("changes");
    assert!(
        fixed.added.is_empty(),
        "the fix is not an addition: {fixed:?}"
    );
    assert!(entries[0].error.is_none());
    let out = kdrift(&repo, &["history", "--path", "app"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("! app/a.yaml:6:6: invalid YAML"), "{text}");
    assert!(!text.contains("- ConfigMap/default/a"), "{text}");
}

#[test]
fn yaml_and_repository_problems_are_told_in_kdrifts_words() {
    let repo = TestRepo::new();
    let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
    repo.write(
        "app/deep.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  k: {deep}\n"),
    );
    let many = vec!["1"; 260_000].join(",");
    repo.write(
        "app/big.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: [{many}]\n"),
    );
    repo.write(
        "app/dup.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  k: a\n  other: x\n  k: b\n",
    );
    repo.write(
        "app/list.yaml",
        "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: first\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: second\n",
    );
    repo.commit("problems");
    let out = kdrift(&repo, &["render", "--path", "app", "-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for said in [
        "app/deep.yaml:6:68: invalid YAML: nested more than 64 levels deep",
        "app/big.yaml:6:",
        "too many YAML nodes in one document (over 250000)",
        "app/dup.yaml:8:3: invalid YAML: the key \"k\" appears twice in one mapping (lines 6 and 8)",
    ] {
        assert!(stderr.contains(said), "{said:?} missing:\n{stderr}");
    }
    for debug_text in [
        "Depth {",
        "Nodes {",
        "DuplicateKeyPolicy",
        "budget breached",
    ] {
        assert!(!stderr.contains(debug_text), "{debug_text}: {stderr}");
    }
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let lines: Vec<(String, u64)> = doc["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| {
            (
                o["id"]["name"].as_str().unwrap_or_default().to_string(),
                o["source"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(
        lines.contains(&("first".into(), 4)) && lines.contains(&("second".into(), 8)),
        "{lines:?}"
    );

    let out = kdrift(&repo, &["render", "--path", "/etc"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("the app path \"/etc\" must be relative to the repository root"),
        "{stderr}"
    );

    let empty = tempfile::tempdir().expect("tempdir");
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(empty.path())
        .status()
        .expect("git");
    assert!(status.success());
    for args in [&["render"][..], &["history"][..], &["review"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_kdrift"))
            .args(args)
            .current_dir(empty.path())
            .output()
            .expect("kdrift");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("has no commits yet: commit the manifests first"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("rev-spec"), "{stderr}");
    }
}
