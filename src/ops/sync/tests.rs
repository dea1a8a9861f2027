use super::*;
use crate::model::plan::PlanItem;

fn key(name: &str) -> ObjectKey {
    ObjectKey {
        group: String::new(),
        kind: "ConfigMap".into(),
        namespace: Some("a".into()),
        name: name.into(),
    }
}

fn item(name: &str, action: Action) -> PlanItem {
    PlanItem {
        key: key(name),
        action,
        force: false,
        note: String::new(),
        preview: None,
        conflicts: Vec::new(),
        drift_remains: false,
        migration: None,
        repair: None,
        after_crd: false,
    }
}

fn result(name: &str, action: Action, ok: bool) -> ItemResult {
    ItemResult {
        key: key(name),
        action,
        outcome: if ok {
            Ok("updated".into())
        } else {
            Err("denied".into())
        },
    }
}

#[test]
fn summary_counts_failures_and_what_was_left() {
    let plan = Plan {
        items: vec![
            item("a", Action::Update),
            item("b", Action::Create),
            item("c", Action::Error),
        ],
        prune_refused: None,
    };
    let outcome = Outcome {
        sync: SyncOutcome {
            results: vec![
                result("a", Action::Update, true),
                result("b", Action::Create, false),
            ],
            prune_skipped: None,
        },
        ..Default::default()
    };
    let s = summary(&plan, &outcome);
    assert!(!s.complete);
    assert!(!outcome.complete(), "a failed apply");
    assert!(
        s.text.starts_with("Synced: 0 created, 1 updated"),
        "{}",
        s.text
    );
    assert!(s.text.contains("Failed: ConfigMap/a/b"), "{}", s.text);
    assert!(
        s.text.contains("Left alone: ConfigMap/a/c (error)"),
        "{}",
        s.text
    );

    let refused = Outcome {
        refused: Some("read-only mode".into()),
        ..Default::default()
    };
    assert!(!refused.complete());
    assert_eq!(
        summary(&plan, &refused).text,
        "Nothing applied: read-only mode"
    );
}

#[test]
fn summary_names_drift_a_sync_leaves() {
    let mut kept = item("labelled", Action::Unchanged);
    kept.drift_remains = true;
    let plan = Plan {
        items: vec![item("a", Action::Update), kept],
        prune_refused: None,
    };
    let outcome = Outcome {
        sync: SyncOutcome {
            results: vec![result("a", Action::Update, true)],
            prune_skipped: None,
        },
        ..Default::default()
    };
    let s = summary(&plan, &outcome);
    assert!(
        s.text.contains("1 object(s) keep fields set outside Git"),
        "{}",
        s.text
    );
}

#[test]
fn prunes_split_off_keep_the_rest_in_order() {
    let plan = Plan {
        items: vec![item("a", Action::Update), item("gone", Action::Prune)],
        prune_refused: None,
    };
    let (apply, prunes) = split_prunes(plan);
    assert_eq!(apply.items.len(), 1);
    assert_eq!(prunes.map(|p| p.items.len()), Some(1));
    let (_, none) = split_prunes(Plan::default());
    assert!(none.is_none());
}
