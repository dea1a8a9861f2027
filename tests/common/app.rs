//! One test app in its own namespace, driven through the real binary as a user would.

use std::process::{Command, Output, Stdio};

use super::repo::TestRepo;

pub struct TestApp {
    pub repo: TestRepo,
    pub ns: String,
    pub name: String,
}

impl TestApp {
    /// A repository whose `app/` holds the namespace `ns` (unless `with_namespace` is false).
    pub fn new(prefix: &str, with_namespace: bool) -> TestApp {
        let ns = super::unique_name(prefix);
        let repo = TestRepo::new();
        if with_namespace {
            repo.write(
                "app/namespace.yaml",
                &format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"),
            );
        }
        TestApp {
            name: format!("test-{ns}"),
            repo,
            ns,
        }
    }

    /// `kdrift SUBCOMMAND --path app --namespace NS --app-name NAME ARGS…`, stdin closed.
    pub fn run(&self, subcommand: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kdrift"))
            .arg("--kubeconfig")
            .arg(&super::cluster().admin_kubeconfig)
            .arg(subcommand)
            .args([
                "--path",
                "app",
                "--namespace",
                &self.ns,
                "--app-name",
                &self.name,
            ])
            .args(args)
            .current_dir(self.repo.path())
            .stdin(Stdio::null())
            .output()
            .expect("run kdrift")
    }

    /// Runs and returns (exit code, stdout and stderr).
    pub fn text(&self, subcommand: &str, args: &[&str]) -> (i32, String) {
        let out = self.run(subcommand, args);
        (
            out.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    /// `kdrift diff -o json ARGS…`, parsed, with the exit code.
    pub fn diff_json(&self, args: &[&str]) -> (i32, serde_json::Value) {
        let mut all = vec!["-o", "json"];
        all.extend_from_slice(args);
        let out = self.run("diff", &all);
        let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "diff JSON: {e}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), doc)
    }

    /// `kdrift sync --yes`, which must succeed.
    pub fn sync(&self, args: &[&str]) -> String {
        let mut all = vec!["--yes"];
        all.extend_from_slice(args);
        let (code, text) = self.text("sync", &all);
        assert_eq!(code, 0, "sync failed: {text}");
        text
    }

    /// One object of a diff document.
    pub fn object<'a>(doc: &'a serde_json::Value, kind: &str, name: &str) -> &'a serde_json::Value {
        doc["objects"]
            .as_array()
            .and_then(|all| {
                all.iter()
                    .find(|o| o["key"]["kind"] == kind && o["key"]["name"] == name)
            })
            .unwrap_or_else(|| panic!("no {kind}/{name} in {doc:#}"))
    }

    /// The desired state of `app/` at HEAD, as kdrift loads it.
    pub fn desired(&self) -> kdrift::model::desired::DesiredSet {
        kdrift::git::App::open(&kdrift::git::AppSpec {
            repo: Some(self.repo.path().to_path_buf()),
            path: "app".into(),
            load: kdrift::model::manifest::LoadOptions {
                namespace: self.ns.clone(),
                ..Default::default()
            },
            tools: Default::default(),
        })
        .expect("app")
        .desired(&kdrift::git::Revision::Rev("HEAD".into()))
        .expect("desired")
    }

    pub async fn delete_namespace(&self) {
        let api: kube::Api<k8s_openapi::api::core::v1::Namespace> =
            kube::Api::all(super::admin_client().await);
        let _ = api.delete(&self.ns, &Default::default()).await;
    }
}

/// The drift entries of a diff document's object, as (path, manager, removed).
pub fn drift_of(object: &serde_json::Value) -> Vec<(String, String, bool)> {
    object["drift"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|f| {
                    (
                        f["path"].as_str().unwrap_or_default().to_string(),
                        f["manager"].as_str().unwrap_or_default().to_string(),
                        f["removed"].as_bool().unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}
