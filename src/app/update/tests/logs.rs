//! The logs pane: opening, following, searching, containers, the pager.

use super::*;

#[test]
fn logs_open_on_workloads_and_kube_proxy_and_explain_elsewhere() {
    use crate::cluster::logs::LogTarget;
    let mut s = fixtures::state();
    let worker = object_id(&s, "worker");
    select(&mut s, &worker);
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if matches!(&request.target, LogTarget::Workload(k) if k.name == "worker")),
        "{cmds:?}"
    );
    assert_eq!(
        press(&mut s, KeyCode::Esc).len(),
        1,
        "esc stops the session"
    );
    assert!(s.logs.view.is_none());

    let proxy = s
        .tree
        .rows
        .iter()
        .find(|r| matches!(r.id, NodeId::KubeProxy(_)))
        .expect("kube-proxy row")
        .id
        .clone();
    select(&mut s, &proxy);
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if matches!(&request.target, LogTarget::Pod { namespace, name }
                if namespace == "kube-system" && name.starts_with("kube-proxy-"))),
        "{cmds:?}"
    );
    press(&mut s, KeyCode::Esc);

    let settings = object_id(&s, "settings");
    select(&mut s, &settings);
    assert!(press(&mut s, KeyCode::Char('l')).is_empty());
    assert!(s.logs.view.is_none());
    assert!(
        s.mode
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("ConfigMap has no logs")),
        "{:?}",
        s.mode.notice
    );
    // Logs-only keys do nothing outside the pane.
    assert!(press(&mut s, KeyCode::Char('o')).is_empty());
}

#[test]
fn logs_follow_pause_search_container_switch_and_pager() {
    use crate::cluster::logs::{ContainerChoice, LogEvent, PodLogs};
    let mut s = fixtures::state();
    s.mode.layout.logs_lines = 5;
    s.logs.buffer_lines = 50;
    let worker = object_id(&s, "worker");
    select(&mut s, &worker);
    press(&mut s, KeyCode::Char('l'));
    let generation = s.logs.view.as_ref().expect("pane").generation;
    update(
        &mut s,
        Input::Msg(Msg::Logs {
            generation,
            event: LogEvent::Pods(vec![PodLogs {
                namespace: "shop".into(),
                name: "worker-1".into(),
                containers: vec!["app".into(), "sidecar".into()],
                default_container: "app".into(),
            }]),
        }),
    );
    let texts: Vec<String> = (0..80).map(|i| format!("line {i}")).collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    update(&mut s, lines(generation, "worker-1/app", &refs));
    let view = s.logs.view.as_ref().expect("pane");
    assert_eq!(view.buffer.len(), 50, "bounded by log_buffer_lines");
    assert!(view.follow, "follow is on by default");
    assert!(view.summary().contains("30 dropped"), "{}", view.summary());

    // Scrolling back pauses; the anchored line stays while lines arrive.
    press(&mut s, KeyCode::Up);
    let top = s.logs.view.as_ref().expect("pane").top;
    assert!(!s.logs.view.as_ref().expect("pane").follow);
    update(&mut s, lines(generation, "worker-1/app", &["more"]));
    assert_eq!(s.logs.view.as_ref().expect("pane").top, top);
    press(&mut s, KeyCode::Char(' '));
    assert!(s.logs.view.as_ref().expect("pane").follow, "space resumes");

    // Search jumps to the first match and pauses there.
    press(&mut s, KeyCode::Char('/'));
    for c in "LINE 42".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    press(&mut s, KeyCode::Enter);
    let view = s.logs.view.as_ref().expect("pane");
    assert!(!view.follow);
    assert_eq!(
        view.buffer.get(view.top).map(|l| l.text.as_str()),
        Some("line 42")
    );

    // `o` hands the buffer to the pager.
    let cmds = press(&mut s, KeyCode::Char('o'));
    assert!(
        matches!(cmds.as_slice(), [Command::Pager { text }] if text.contains("[worker-1/app] line 79\n[worker-1/app] more\n")),
        "{cmds:?}"
    );

    // A container switch restarts with a new generation; the old one's lines are dropped.
    let cmds = press(&mut s, KeyCode::Char('c'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if request.container == ContainerChoice::Named("app".into())),
        "{cmds:?}"
    );
    update(&mut s, lines(generation, "worker-1/app", &["stale"]));
    assert!(s.logs.view.as_ref().expect("pane").buffer.is_empty());
    let cmds = press(&mut s, KeyCode::Char('p'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }] if request.previous),
        "{cmds:?}"
    );
}

#[test]
fn workloads_fold_their_pods_and_l_on_a_pod_opens_its_logs() {
    use crate::cluster::logs::LogTarget;
    use crate::model::health::pod::PodFacts;
    let mut s = fixtures::state();
    let pod = |name: &str, phase: &str| PodFacts {
        namespace: "shop".into(),
        name: name.into(),
        phase: phase.into(),
        ready: usize::from(phase == "Running"),
        containers: 1,
        restarts: 0,
        node: Some("node-1".into()),
        reason: None,
        owner: Some(("ReplicaSet".into(), "worker-5d8".into())),
        terminating: false,
    };
    update(
        &mut s,
        Input::Msg(Msg::Pods(Ok(crate::app::state::AppPods::from([(
            ("Deployment".into(), "shop".into(), "worker".into()),
            vec![
                pod("worker-5d8-a", "Running"),
                pod("worker-5d8-b", "Pending"),
            ],
        )])))),
    );
    let pod_rows = |s: &AppState| {
        s.tree
            .rows
            .iter()
            .filter(|r| matches!(r.id, NodeId::Pod(..)))
            .count()
    };
    let worker = s
        .tree
        .rows
        .iter()
        .find(|r| matches!(&r.id, NodeId::Object(k) if k.name == "worker"))
        .expect("worker row")
        .clone();
    assert_eq!(worker.label, "worker (2 pods)");
    assert_eq!(worker.expanded, Some(false), "pods start folded");
    assert_eq!(pod_rows(&s), 0);
    select(&mut s, &worker.id);
    press(&mut s, KeyCode::Enter);
    assert_eq!(pod_rows(&s), 2);
    press(&mut s, KeyCode::Down);
    let text = crate::app::view::diff_text(&s);
    assert!(text.contains("# pod shop/worker-5d8-a: Healthy"), "{text}");
    let cmds = press(&mut s, KeyCode::Char('l'));
    assert!(
        matches!(cmds.as_slice(), [Command::StartLogs { request, .. }]
            if request.target == LogTarget::Pod { namespace: "shop".into(), name: "worker-5d8-a".into() }),
        "{cmds:?}"
    );
    press(&mut s, KeyCode::Esc);
    select(&mut s, &worker.id);
    press(&mut s, KeyCode::Left);
    assert_eq!(pod_rows(&s), 0, "folded again");
}
