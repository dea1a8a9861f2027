//! Connecting as kubectl does, against the real local control plane: proxies (environment and
//! kubeconfig `proxy-url`, through a real CONNECT proxy), the context's namespace,
//! impersonation, timeouts, and TLS failures named.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use common::repo::{TestRepo, config_map};
use common::tui::Tmux;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, PostParams};
use kube::config::Kubeconfig;

fn kdrift(kubeconfig: &Path, repo: &TestRepo, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kdrift"));
    cmd.arg("--kubeconfig").arg(kubeconfig).args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.current_dir(repo.path())
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

/// A copy of the admin kubeconfig, changed by `edit`.
fn kubeconfig_with(edit: impl FnOnce(&mut Kubeconfig)) -> tempfile::NamedTempFile {
    let mut kc = Kubeconfig::read_from(&common::cluster().admin_kubeconfig).expect("kubeconfig");
    edit(&mut kc);
    let file = tempfile::Builder::new()
        .prefix("kdrift-kubeconfig-")
        .tempfile()
        .expect("tempfile");
    // JSON is YAML: kubectl and kdrift read it alike.
    std::fs::write(file.path(), serde_json::to_vec(&kc).expect("json")).expect("write");
    file
}

fn cluster_entry(kc: &mut Kubeconfig) -> &mut kube::config::Cluster {
    kc.clusters[0].cluster.as_mut().expect("cluster")
}

fn app_repo(name: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app/cm.yaml", &config_map(name, "k", "v"));
    repo.commit("one config map");
    repo
}

async fn namespace(name: &str) {
    let ns: Namespace =
        serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).expect("namespace");
    Api::<Namespace>::all(common::admin_client().await)
        .create(&PostParams::default(), &ns)
        .await
        .expect("create namespace");
}

/// A CONNECT proxy on 127.0.0.1 that counts the tunnels it opens.
struct ConnectProxy {
    url: String,
    tunnels: Arc<AtomicUsize>,
}

fn start_connect_proxy() -> ConnectProxy {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let tunnels = Arc::new(AtomicUsize::new(0));
    let counter = tunnels.clone();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let counter = counter.clone();
            std::thread::spawn(move || tunnel(client, &counter));
        }
    });
    ConnectProxy { url, tunnels }
}

fn tunnel(mut client: TcpStream, counter: &AtomicUsize) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if client.read(&mut byte).unwrap_or(0) == 0 || head.len() > 8192 {
            return;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let Some(target) = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("CONNECT "))
        .and_then(|l| l.split_whitespace().next())
    else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n");
        return;
    };
    let Ok(mut upstream) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        return;
    };
    counter.fetch_add(1, Ordering::SeqCst);
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let (Ok(mut client_read), Ok(mut upstream_write)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut client_read, &mut upstream_write);
        let _ = upstream_write.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Write);
}

#[tokio::test]
async fn a_dead_https_proxy_with_no_proxy_covering_the_server_is_bypassed_by_diff_and_the_tui() {
    let cluster = common::cluster();
    let ns = common::unique_name("proxy-env");
    namespace(&ns).await;
    let repo = app_repo("settings");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &ns);
    // 10.255.255.1 drops everything: a request sent there would hang, not fail fast.
    let dead = [
        ("HTTPS_PROXY", "http://10.255.255.1:3128"),
        ("https_proxy", "http://10.255.255.1:3128"),
        ("NO_PROXY", "127.0.0.1,localhost"),
    ];
    let started = Instant::now();
    let out = kdrift(
        &cluster.admin_kubeconfig,
        &repo,
        &["diff", "--path", "app", "-n", &ns, "--app-name", &ns],
        &dead,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(started.elapsed() < Duration::from_secs(20));

    let exports: Vec<(&str, &str)> = dead.to_vec();
    let tui = Tmux::start(
        &common::tui::kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &ns),
        &exports,
    );
    tui.wait_for("the app read live through no proxy", 60, |s| {
        common::tui::object_row(s, "settings", "Synced") && s.contains("kube-apiserver Healthy")
    });
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}

#[tokio::test]
async fn a_kubeconfig_proxy_url_carries_every_request_through_the_proxy() {
    let cluster = common::cluster();
    let ns = common::unique_name("proxy-url");
    namespace(&ns).await;
    let repo = app_repo("through-proxy");
    let proxy = start_connect_proxy();
    let kubeconfig = kubeconfig_with(|kc| cluster_entry(kc).proxy_url = Some(proxy.url.clone()));
    // NO_PROXY does not apply to a kubeconfig's proxy-url (kubectl's rule).
    let out = kdrift(
        kubeconfig.path(),
        &repo,
        &[
            "sync",
            "--yes",
            "--path",
            "app",
            "-n",
            &ns,
            "--app-name",
            &ns,
        ],
        &[("NO_PROXY", "*")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let after_sync = proxy.tunnels.load(Ordering::SeqCst);
    assert!(after_sync >= 1, "no tunnel opened: {}", text(&out));
    let cm = Api::<ConfigMap>::namespaced(common::admin_client().await, &ns)
        .get("through-proxy")
        .await
        .expect("the config map synced through the proxy");
    assert_eq!(
        cm.data.unwrap_or_default().get("k").map(String::as_str),
        Some("v")
    );

    let out = kdrift(
        kubeconfig.path(),
        &repo,
        &["diff", "--path", "app", "-n", &ns, "--app-name", &ns],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(proxy.tunnels.load(Ordering::SeqCst) > after_sync);

    // The same proxy given through the environment is not used for a loopback server:
    // kubectl (Go's httpproxy) never proxies localhost.
    let before = proxy.tunnels.load(Ordering::SeqCst);
    let out = kdrift(
        &cluster.admin_kubeconfig,
        &repo,
        &["diff", "--path", "app", "-n", &ns, "--app-name", &ns],
        &[("HTTPS_PROXY", &proxy.url)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(proxy.tunnels.load(Ordering::SeqCst), before);
}

#[tokio::test]
async fn the_contexts_namespace_is_where_diff_and_sync_go_without_a_flag() {
    let cluster = common::cluster();
    let ns = common::unique_name("ctx-ns");
    namespace(&ns).await;
    let repo = app_repo("from-context");
    let kubeconfig = kubeconfig_with(|kc| {
        kc.contexts[0].context.as_mut().expect("context").namespace = Some(ns.clone());
    });
    let out = kdrift(
        kubeconfig.path(),
        &repo,
        &["sync", "--yes", "--path", "app", "--app-name", &ns],
        &[("KDRIFT_NAMESPACE", "")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    Api::<ConfigMap>::namespaced(common::admin_client().await, &ns)
        .get("from-context")
        .await
        .expect("synced into the context's namespace");
    let out = kdrift(
        kubeconfig.path(),
        &repo,
        &["diff", "--path", "app", "--app-name", &ns, "-o", "json"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["objects"][0]["key"]["namespace"], ns.as_str(), "{doc}");
    let _ = cluster;
}

#[tokio::test]
async fn impersonating_a_restricted_user_is_refused_what_that_user_is_refused() {
    let cluster = common::cluster();
    let allowed = cluster.restricted_namespace.clone();
    let other = common::unique_name("as-other");
    namespace(&other).await;
    let name = common::unique_name("as-cm");
    let repo = app_repo(&name);
    let sync_as = |ns: &str, who: &[&str]| {
        let mut args = who.to_vec();
        args.extend(["sync", "--yes", "--path", "app", "-n", ns, "--app-name"]);
        args.push(ns);
        kdrift(&cluster.admin_kubeconfig, &repo, &args, &[])
    };
    let refused = sync_as(&other, &["--as", "kdrift-restricted"]);
    let said = text(&refused);
    assert_ne!(refused.status.code(), Some(0), "{said}");
    assert!(
        said.contains("forbidden") && said.contains("kdrift-restricted") && said.contains(&name),
        "{said}"
    );
    let admin = common::admin_client().await;
    assert!(
        Api::<ConfigMap>::namespaced(admin.clone(), &other)
            .get_opt(&name)
            .await
            .expect("get")
            .is_none()
    );
    let ok = sync_as(&allowed, &["--as", "kdrift-restricted"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    // Groups travel too: a made-up user in system:masters may write anywhere.
    let as_group = sync_as(&other, &["--as", "someone", "--as-group", "system:masters"]);
    assert_eq!(as_group.status.code(), Some(0), "{}", text(&as_group));
    assert!(
        Api::<ConfigMap>::namespaced(admin, &other)
            .get_opt(&name)
            .await
            .expect("get")
            .is_some()
    );
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA certificate valid only in 2020.
fn expired_ca(dir: &Path) -> Vec<u8> {
    std::fs::create_dir_all(dir.join("db")).expect("mkdir");
    std::fs::write(dir.join("db/index"), "").expect("index");
    std::fs::write(dir.join("db/serial"), "01\n").expect("serial");
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = d\n[d]\ndatabase = db/index\nserial = db/serial\nnew_certs_dir = db\ndefault_md = sha256\npolicy = p\n[p]\ncommonName = supplied\n[ext]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\n",
    )
    .expect("cnf");
    openssl(
        dir,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-subj",
            "/CN=old-ca",
            "-out",
            "ca.csr",
        ],
    );
    openssl(
        dir,
        &[
            "ca",
            "-batch",
            "-config",
            "ca.cnf",
            "-selfsign",
            "-keyfile",
            "ca.key",
            "-in",
            "ca.csr",
            "-startdate",
            "20200101000000Z",
            "-enddate",
            "20210101000000Z",
            "-extensions",
            "ext",
            "-out",
            "ca.crt",
        ],
    );
    std::fs::read(dir.join("ca.crt")).expect("ca.crt")
}

fn with_ca(pem: &[u8]) -> tempfile::NamedTempFile {
    let data = base64::engine::general_purpose::STANDARD.encode(pem);
    kubeconfig_with(|kc| {
        let cluster = cluster_entry(kc);
        cluster.certificate_authority = None;
        cluster.certificate_authority_data = Some(data);
    })
}

#[test]
fn an_expired_ca_is_refused_with_expired_and_a_foreign_one_as_unknown_authority() {
    let _ = common::cluster();
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = app_repo("never");
    let expired = with_ca(&expired_ca(dir.path()));
    let out = kdrift(expired.path(), &repo, &["health"], &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("certificate has expired") && said.contains("2021-01-01"),
        "{said}"
    );

    openssl(
        dir.path(),
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "30",
            "-subj",
            "/CN=other-ca",
            "-keyout",
            "other.key",
            "-out",
            "other.crt",
        ],
    );
    let foreign = with_ca(&std::fs::read(dir.path().join("other.crt")).expect("other.crt"));
    let out = kdrift(foreign.path(), &repo, &["health"], &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("x509: certificate signed by unknown authority"),
        "{said}"
    );
    assert!(!said.contains("client error (Connect)"), "{said}");

    let not_pem = with_ca(b"not a certificate");
    let out = kdrift(not_pem.path(), &repo, &["health"], &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("holds no PEM certificate"), "{said}");

    let wrong_name = kubeconfig_with(|kc| {
        cluster_entry(kc).tls_server_name = Some("not-the-apiserver.example".into());
    });
    let out = kdrift(wrong_name.path(), &repo, &["health"], &[]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("not valid for the server's name"), "{said}");
}

#[test]
fn a_server_that_never_answers_times_out_within_the_request_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // Accepts, then says nothing: the TLS handshake never completes.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    let kubeconfig = kubeconfig_with(|kc| {
        cluster_entry(kc).server = Some(format!("https://127.0.0.1:{port}"));
    });
    let repo = app_repo("never");
    let started = Instant::now();
    let out = kdrift(
        kubeconfig.path(),
        &repo,
        &[
            "--request-timeout",
            "2s",
            "diff",
            "--path",
            "app",
            "-n",
            "default",
        ],
        &[],
    );
    let took = started.elapsed();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("timed out") && said.contains("2s"), "{said}");
    assert!(took < Duration::from_secs(15), "took {took:?}: {said}");

    let bad = kdrift(
        kubeconfig.path(),
        &repo,
        &["--request-timeout", "soon", "health"],
        &[],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad).contains("--request-timeout"), "{}", text(&bad));
}

#[tokio::test]
async fn as_a_restricted_user_the_sync_key_is_shown_not_allowed_and_explains_why() {
    let cluster = common::cluster();
    let ns = common::unique_name("rbac-keys");
    namespace(&ns).await;
    let repo = app_repo("admin-made");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &ns);
    let command = format!(
        "{} --as kdrift-restricted",
        common::tui::kdrift_command(&cluster.admin_kubeconfig, &repo, &ns, &ns)
    );
    let tui = Tmux::start(&command, &[]);
    let screen = tui.wait_for("sync shown as not allowed", 60, |s| {
        s.contains("sync (not allowed)")
    });
    assert!(screen.contains("logs (not allowed)"), "{screen}");
    tui.keys(&["S"]);
    let screen = tui.wait_for("the refusal", 20, |s| {
        s.contains("not allowed: kdrift-restricted may not patch")
    });
    assert!(screen.contains("configmaps in namespace"), "{screen}");
    assert!(
        !screen.contains("y apply") && !screen.contains("y confirm"),
        "{screen}"
    );
    tui.keys(&["Escape", "?"]);
    tui.wait_for("the help's reason", 10, |s| {
        s.contains("— not allowed: kdrift-restricted")
    });
    tui.keys(&["Escape", "q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}

fn kubectl(args: &[&str]) -> String {
    let out = Command::new(common::built_kubectl())
        .arg("--kubeconfig")
        .arg(&common::cluster().admin_kubeconfig)
        .args(args)
        .output()
        .expect("kubectl");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A kubeconfig whose user is an exec plugin that, as real ones do, caches its token until
/// a minute before it expires. The first login is taken as done already (a token expiring in
/// 75 s); the next prompts for a code on the terminal, as a device login would, and records
/// what it read.
fn prompting_exec_kubeconfig(dir: &Path, token: &str) -> std::path::PathBuf {
    std::fs::write(dir.join("token"), token).expect("token");
    let plugin = dir.join("login-plugin");
    let state = dir.display();
    std::fs::write(
        &plugin,
        format!(
            r#"#!/bin/sh
now=$(date +%s)
if [ -f {state}/expires ] && [ "$(cat {state}/expires)" -gt $((now+60)) ]; then
  expires=$(cat {state}/expires)
elif [ ! -f {state}/expires ]; then
  expires=$((now+75))
else
  printf 'Enter the login code: ' >&2
  read code
  echo "$code" >> {state}/codes
  expires=$((now+3600))
fi
echo $expires > {state}/expires
printf '{{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{{"token":"%s","expirationTimestamp":"%s"}}}}' "$(cat {state}/token)" "$(date -u -d @$expires +%Y-%m-%dT%H:%M:%SZ)"
"#
        ),
    )
    .expect("plugin");
    Command::new("chmod")
        .arg("755")
        .arg(&plugin)
        .status()
        .expect("chmod");
    let admin = Kubeconfig::read_from(&common::cluster().admin_kubeconfig).expect("kubeconfig");
    let cluster = serde_json::to_value(&admin.clusters[0]).expect("cluster");
    let cluster_name = admin.clusters[0].name.clone();
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [cluster],
        "users": [{"name": "device-login", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": plugin,
            "interactiveMode": "IfAvailable"
        }}}],
        "contexts": [{"name": "exec", "context": {"cluster": cluster_name, "user": "device-login"}}],
        "current-context": "exec"
    });
    let path = dir.join("kubeconfig");
    std::fs::write(&path, kubeconfig.to_string()).expect("kubeconfig");
    path
}

#[tokio::test]
async fn an_exec_plugin_that_prompts_gets_the_terminal_from_the_tui_and_gives_it_back() {
    let cluster = common::cluster();
    let ns = common::unique_name("exec-login");
    namespace(&ns).await;
    kubectl(&["create", "serviceaccount", "operator", "-n", &ns]);
    kubectl(&[
        "create",
        "rolebinding",
        "operator",
        "-n",
        &ns,
        "--clusterrole",
        "admin",
        &format!("--serviceaccount={ns}:operator"),
    ]);
    let token = kubectl(&["create", "token", "operator", "-n", &ns, "--duration", "1h"]);
    let repo = app_repo("via-plugin");
    common::sync_app(&cluster.admin_kubeconfig, &repo, &ns, &ns);
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = prompting_exec_kubeconfig(dir.path(), &token);
    let tui = Tmux::start(
        &common::tui::kdrift_command(&kubeconfig, &repo, &ns, &ns),
        &[],
    );
    tui.wait_for("the app read with the plugin's token", 60, |s| {
        common::tui::object_row(s, "via-plugin", "Synced")
    });
    // ~15 s later the token is within kube's refresh margin: the plugin runs again and
    // prompts on the terminal, with the TUI out of the way.
    tui.wait_for("the plugin's prompt on a plain terminal", 60, |s| {
        s.contains("Enter the login code:") && !s.contains("Resources")
    });
    tui.keys(&["4242", "Enter"]);
    tui.wait_for("the TUI back, still reading the cluster", 30, |s| {
        common::tui::object_row(s, "via-plugin", "Synced") && !s.contains("Enter the login code")
    });
    let codes = std::fs::read_to_string(dir.path().join("codes")).unwrap_or_default();
    assert!(
        codes.lines().all(|l| l == "4242") && codes.contains("4242"),
        "{codes:?}"
    );
    tui.keys(&["R"]);
    tui.wait_for("refresh works with the new token", 20, |s| {
        common::tui::object_row(s, "via-plugin", "Synced")
    });
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}

#[tokio::test]
async fn a_watch_the_user_may_not_make_is_named_and_the_others_stay_live() {
    let cluster = common::cluster();
    let allowed = cluster.restricted_namespace.clone();
    let repo = TestRepo::new();
    let unique = common::unique_name("w");
    let name = format!("pw{}", unique.rsplit('-').next().unwrap_or("0"));
    repo.write("app/allowed.yaml", &config_map(&name, "k", "v"));
    repo.write(
        "app/elsewhere.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\ndata:\n  k: v\n"
        ),
    );
    repo.commit("one allowed, one not");
    let command = format!(
        "{} --as kdrift-restricted",
        common::tui::kdrift_command(&cluster.admin_kubeconfig, &repo, &allowed, &name)
    );
    let tui = Tmux::start_sized(&command, &[], 220);
    let screen = tui.wait_for("the partial live state", 60, |s| {
        s.contains("live, except ") && s.contains("every kind in default (forbidden)")
    });
    assert!(!screen.contains("stale: forbidden"), "{screen}");
    tui.keys(&["q"]);
    tui.wait_for("exit", 10, |s| s.contains("EXITED=0"));
}
