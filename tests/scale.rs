//! A big app, loaded and judged on every core: nothing lost, nothing judged twice, a bad
//! file among many still named with its line.

mod common;

use std::collections::BTreeMap;

use common::app::TestApp;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, Patch, PatchParams};
use serde_json::json;

/// More objects than one judging thread takes (256 each), so a machine with two cores or
/// more judges them on several.
const OBJECTS: usize = 1200;

#[tokio::test]
async fn a_big_app_is_judged_whole_each_object_once() {
    let app = TestApp::new("scale", true);
    for i in 0..OBJECTS {
        app.repo.write(
            &format!("app/cm-{i:04}.yaml"),
            &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  index: \"{i}\"\n"),
        );
    }
    app.repo.commit("many");
    app.sync(&[]);
    // Sorted among the others, so it is parsed by whichever thread gets its batch.
    app.repo.write(
        "app/cm-0600-broken.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [unclosed\n",
    );
    app.repo.commit("a broken file");
    let cms: Api<ConfigMap> = Api::namespaced(common::admin_client().await, &app.ns);
    let by_hand = PatchParams {
        field_manager: Some("kubectl-label".into()),
        ..Default::default()
    };
    let labelled: Vec<String> = (0..OBJECTS)
        .step_by(97)
        .map(|i| format!("cm-{i}"))
        .collect();
    for name in &labelled {
        cms.patch(
            name,
            &by_hand,
            &Patch::Merge(json!({"metadata": {"labels": {"team": "payments"}}})),
        )
        .await
        .unwrap_or_else(|e| panic!("label {name}: {e}"));
    }

    let out = app.run("diff", &["-o", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a load error: {stderr}");
    assert!(
        stderr.contains("app/cm-0600-broken.yaml:3"),
        "the bad file and its line: {stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("diff JSON");
    let mut verdicts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for o in doc["objects"].as_array().expect("objects") {
        if o["key"]["kind"] == "ConfigMap" {
            let name = o["key"]["name"].as_str().expect("name").to_string();
            verdicts
                .entry(name)
                .or_default()
                .push(o["status"].as_str().expect("status").to_string());
        }
    }
    assert_eq!(verdicts.len(), OBJECTS, "every object, once each");
    for (name, statuses) in &verdicts {
        let want = if labelled.contains(name) {
            "OutOfSync"
        } else {
            "Synced"
        };
        assert_eq!(statuses, &[want], "{name}");
    }
    assert_eq!(
        doc["summary"]["OutOfSync"],
        labelled.len(),
        "{}",
        doc["summary"]
    );
    app.delete_namespace().await;
}
