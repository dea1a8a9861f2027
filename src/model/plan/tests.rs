use super::*;
use crate::model::drift::ObjectReport;

fn key(kind: &str, ns: Option<&str>, name: &str) -> ObjectKey {
    ObjectKey {
        group: if kind == "Deployment" {
            "apps".into()
        } else {
            String::new()
        },
        kind: kind.into(),
        namespace: ns.map(str::to_string),
        name: name.into(),
    }
}

fn report(k: ObjectKey, status: SyncStatus) -> ObjectReport {
    ObjectReport {
        status,
        ..ObjectReport::unknown(k, None, "")
    }
}

fn changed(k: ObjectKey, conflicts: Vec<Conflict>) -> ObjectReport {
    ObjectReport {
        preview: Some(Diff {
            unified: "x".into(),
            added: 1,
            removed: 1,
        }),
        conflicts,
        ..report(k, SyncStatus::OutOfSync)
    }
}

fn conflict(manager: &str, operation: &str) -> Conflict {
    Conflict {
        field: ".spec.replicas".into(),
        manager: manager.into(),
        operation: Some(operation.into()),
    }
}

fn action_of(plan: &Plan, name: &str) -> Action {
    plan.items
        .iter()
        .find(|i| i.key.name == name)
        .map(|i| i.action)
        .expect("item")
}

#[test]
fn statuses_become_actions() {
    let reports = vec![
        report(key("ConfigMap", Some("a"), "missing"), SyncStatus::Missing),
        report(key("ConfigMap", Some("a"), "same"), SyncStatus::Synced),
        changed(key("ConfigMap", Some("a"), "changed"), vec![]),
        report(key("ConfigMap", Some("a"), "broken"), SyncStatus::Unknown),
        report(key("ConfigMap", Some("a"), "extra"), SyncStatus::Extra),
    ];
    let plan = build(
        &reports,
        &PlanOptions {
            desired_count: 4,
            ..Default::default()
        },
    );
    assert_eq!(action_of(&plan, "missing"), Action::Create);
    assert_eq!(action_of(&plan, "same"), Action::Unchanged);
    assert_eq!(action_of(&plan, "changed"), Action::Update);
    assert_eq!(action_of(&plan, "broken"), Action::Error);
    assert_eq!(
        action_of(&plan, "extra"),
        Action::Keep,
        "no prune unless asked"
    );
    let plan = build(
        &reports,
        &PlanOptions {
            prune: true,
            desired_count: 4,
            ..Default::default()
        },
    );
    assert_eq!(action_of(&plan, "extra"), Action::Prune);
    assert_eq!(
        plan.items.last().map(|i| i.action),
        Some(Action::Prune),
        "prunes come last"
    );
}

#[test]
fn imperative_edits_are_restored_and_real_owners_left_alone() {
    let reports = vec![
        changed(
            key("Deployment", Some("a"), "scaled"),
            vec![conflict("kubectl", "Update")],
        ),
        changed(
            key("Deployment", Some("a"), "owned"),
            vec![conflict("other-gitops", "Apply")],
        ),
        changed(
            key("Deployment", Some("a"), "hpa"),
            vec![conflict("kube-controller-manager", "Update")],
        ),
    ];
    let plan = build(
        &reports,
        &PlanOptions {
            desired_count: 3,
            ..Default::default()
        },
    );
    let scaled = plan
        .items
        .iter()
        .find(|i| i.key.name == "scaled")
        .expect("scaled");
    assert_eq!((scaled.action, scaled.force), (Action::Update, true));
    assert_eq!(action_of(&plan, "owned"), Action::Conflict);
    assert_eq!(action_of(&plan, "hpa"), Action::Conflict);
    let forced = build(
        &reports,
        &PlanOptions {
            desired_count: 3,
            force_conflicts: vec!["Deployment/a/owned".into()],
            ..Default::default()
        },
    );
    let owned = forced
        .items
        .iter()
        .find(|i| i.key.name == "owned")
        .expect("owned");
    assert_eq!((owned.action, owned.force), (Action::Update, true));
}

#[test]
fn prune_safety() {
    let reports = vec![
        report(key("ConfigMap", Some("a"), "extra"), SyncStatus::Extra),
        report(key("Namespace", None, "team"), SyncStatus::Extra),
    ];
    let empty = build(
        &reports,
        &PlanOptions {
            prune: true,
            desired_count: 0,
            ..Default::default()
        },
    );
    assert!(
        empty
            .prune_refused
            .as_deref()
            .is_some_and(|r| r.contains("desired state is empty"))
    );
    assert_eq!(empty.count(Action::Prune), 0);
    let plan = build(
        &reports,
        &PlanOptions {
            prune: true,
            desired_count: 2,
            ..Default::default()
        },
    );
    assert_eq!(action_of(&plan, "extra"), Action::Prune);
    assert_eq!(
        action_of(&plan, "team"),
        Action::Keep,
        "a Namespace needs --only"
    );
    let named = build(
        &reports,
        &PlanOptions {
            prune: true,
            desired_count: 2,
            only: vec!["Namespace/team".into()],
            ..Default::default()
        },
    );
    assert_eq!(action_of(&named, "team"), Action::Prune);
    assert_eq!(named.items.len(), 1, "--only selects");
    assert_eq!(named.guarded_prunes().len(), 1);
}

#[test]
fn selectors_and_gateway() {
    let k = key("Deployment", Some("web"), "api");
    assert!(matches_selector(&k, "Deployment/web/api"));
    assert!(matches_selector(&k, "deployment.apps/web/api"));
    assert!(!matches_selector(&k, "Deployment/other/api"));
    assert!(matches_selector(
        &key("Namespace", None, "web"),
        "Namespace/web"
    ));
    assert!(
        Gateway { readonly: true }
            .allow(Mutation::Prune)
            .unwrap_err()
            .contains("read-only mode: refusing to prune")
    );
    assert!(Gateway::default().allow(Mutation::Apply).is_ok());
}

#[test]
fn nothing_to_apply_never_says_matches_while_something_differs() {
    let plan_of = |reports: Vec<ObjectReport>| {
        build(
            &reports,
            &PlanOptions {
                desired_count: reports.len(),
                ..Default::default()
            },
        )
    };
    let synced = plan_of(vec![report(
        key("ConfigMap", Some("a"), "same"),
        SyncStatus::Synced,
    )]);
    let text = synced.nothing_to_apply("abc1234").expect("writes nothing");
    assert!(text.contains("already matches abc1234"), "{text}");

    // A label added by hand: OutOfSync, but nothing to apply.
    let mut drifted = report(
        key("ConfigMap", Some("a"), "labelled"),
        SyncStatus::OutOfSync,
    );
    drifted.drift = vec![crate::model::fields::DriftField {
        path: "metadata.labels.hotfix".into(),
        manager: "kubectl-label".into(),
        operation: "Update".into(),
        time: None,
        live: serde_json::json!("x"),
        git: None,
        removed: false,
        pointer: None,
        segs: Vec::new(),
    }];
    let text = plan_of(vec![drifted])
        .nothing_to_apply("abc1234")
        .expect("writes nothing");
    assert!(!text.contains("matches abc1234"), "{text}");
    assert!(
        text.contains("1 object(s) keep fields set outside Git"),
        "{text}"
    );

    let errors = plan_of(vec![report(
        key("ConfigMap", Some("a"), "forbidden"),
        SyncStatus::Unknown,
    )]);
    let text = errors.nothing_to_apply("abc1234").expect("writes nothing");
    assert!(
        text.contains("1 object(s) left alone (0 conflict(s), 1 error(s)"),
        "{text}"
    );
    assert!(!text.contains("already matches"), "{text}");

    let writes = plan_of(vec![report(
        key("ConfigMap", Some("a"), "missing"),
        SyncStatus::Missing,
    )]);
    assert_eq!(writes.nothing_to_apply("abc1234"), None);
}
