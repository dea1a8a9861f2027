use super::*;

#[test]
fn the_id_is_kubectls_formula() {
    // sha256 and base64url computed apart (Python's hashlib) for these inputs.
    assert_eq!(
        id("my-set", "default", "Secret", ""),
        "applyset-kdySOVBWs584aaOTmku9Ul1xDuN7LXBjs-R96jQcisk-v1"
    );
    assert_eq!(
        app_id("shop", "shop"),
        "applyset-uMuQ0TMCtXUczEnJcLfs4-AZ1i_3D_GWvTQXfMx9vFU-v1"
    );
    assert_eq!(parent_name("repo.deploy.web"), "kdrift-repo-deploy-web");
}

fn entry(commit: &str) -> SyncEntry {
    SyncEntry {
        commit: commit.into(),
        mode: "sync".into(),
        time: "2026-12-01T00:00:00Z".into(),
        user: "admin".into(),
        created: 1,
        updated: 0,
        pruned: 0,
        failed: Vec::new(),
    }
}

#[test]
fn the_record_keeps_the_live_commit_the_one_before_and_a_bounded_history() {
    let mut record = Record::default();
    for i in 0..(HISTORY_LIMIT + 5) {
        record = record.after(
            entry(&format!("c{i}")),
            BTreeSet::from(["ConfigMap".to_string()]),
        );
    }
    assert_eq!(record.history.len(), HISTORY_LIMIT);
    assert_eq!(record.live_commit.as_deref(), Some("c24"));
    assert_eq!(record.previous_commit.as_deref(), Some("c23"));
    assert_eq!(record.history[0].commit, "c24");
    // The same commit again keeps the one before.
    let again = record.after(entry("c24"), BTreeSet::new());
    assert_eq!(again.previous_commit.as_deref(), Some("c23"));

    let parent = parent_object(
        "shop",
        "shop",
        &again,
        &BTreeSet::from(["other".to_string()]),
        "kdrift/0.1.0",
    );
    let read = Record::from_parent(&parent);
    assert_eq!(read.id, app_id("shop", "shop"));
    assert_eq!(read.live_commit, again.live_commit);
    assert_eq!(read.history, again.history);
    assert_eq!(read.group_kinds, BTreeSet::from(["ConfigMap".to_string()]));
    assert_eq!(
        parent["metadata"]["annotations"][ADDITIONAL_NAMESPACES],
        "other"
    );
    assert_eq!(parent["metadata"]["annotations"][TOOLING], "kdrift/0.1.0");
}

#[test]
fn a_partial_sync_moves_nothing_but_the_history() {
    let synced = Record::default().after(entry("c1"), BTreeSet::new());
    let partial = synced.after_partial(entry("c2"));
    assert_eq!(partial.live_commit.as_deref(), Some("c1"));
    assert_eq!(partial.previous_commit, None);
    assert_eq!(partial.synced_at, synced.synced_at);
    assert_eq!(partial.history.len(), 2);
    assert_eq!(partial.history[0].commit, "c2");
    assert_eq!(short("éééééééé"), "ééééééé");
}
