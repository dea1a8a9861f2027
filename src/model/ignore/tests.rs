use serde_json::json;

use super::*;

fn key(kind: &str, name: &str) -> ObjectKey {
    ObjectKey {
        group: "apps".into(),
        kind: kind.into(),
        namespace: Some("shop".into()),
        name: name.into(),
    }
}

fn hpa_rule() -> IgnoreRule {
    IgnoreRule {
        kind: Some("Deployment".into()),
        managed_fields_managers: vec!["kube-controller-manager".into()],
        origin: "app/.kdrift.yaml ignoreDifferences[0]".into(),
        ..Default::default()
    }
}

fn live() -> Value {
    json!({"metadata": {"name": "web",
        "annotations": {"sidecar.istio.io/status": "injected"},
        "managedFields": [
            {"manager": "kdrift", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {}}}},
            {"manager": "kube-controller-manager", "operation": "Update", "subresource": "scale",
             "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "injector", "operation": "Update",
             "fieldsV1": {"f:metadata": {"f:annotations": {"f:sidecar.istio.io/status": {}}}}}
        ]},
        "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "app", "image": "a"}]}}}})
}

#[test]
fn rules_match_by_group_kind_name_and_namespace() {
    let rule = IgnoreRule {
        group: Some("apps".into()),
        kind: Some("deployment".into()),
        name: Some("web".into()),
        ..Default::default()
    };
    assert!(rule.matches(&key("Deployment", "web")));
    assert!(!rule.matches(&key("Deployment", "api")));
    assert!(!rule.matches(&key("StatefulSet", "web")));
    assert!(IgnoreRule::default().matches(&key("StatefulSet", "web")));
}

#[test]
fn a_field_another_manager_holds_leaves_the_body_and_is_listed() {
    let mut body = json!({"spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "app", "image": "a"}]}}}});
    let silenced = respect(&mut body, &live(), &[hpa_rule()], "kdrift");
    assert!(body.pointer("/spec/replicas").is_none(), "{body}");
    assert_eq!(silenced.len(), 1);
    assert_eq!(silenced[0].path, "spec.replicas");
    assert_eq!(
        silenced[0].manager.as_deref(),
        Some("kube-controller-manager")
    );
    assert!(
        silenced[0].to_string().contains("ignoreDifferences[0]"),
        "{}",
        silenced[0]
    );
}

#[test]
fn a_field_kdrift_owns_stays_in_the_body() {
    let rule = IgnoreRule {
        json_pointers: vec!["/spec/template".into()],
        origin: "x".into(),
        ..Default::default()
    };
    let mut body =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "b"}]}}}});
    let silenced = respect(&mut body, &live(), &[rule], "kdrift");
    assert!(
        body.pointer("/spec/template").is_some(),
        "kept: leaving it out would delete it"
    );
    assert_eq!(silenced.len(), 1, "still listed as ignored");
}

#[test]
fn drift_by_path_and_by_manager_is_silenced_with_its_rule() {
    let by_path = IgnoreRule {
        json_pointers: vec!["/metadata/annotations/sidecar.istio.io~1status".into()],
        origin: "annotation".into(),
        ..Default::default()
    };
    let drift = crate::model::fields::live_drift(
        &live(),
        &json!({"metadata": {"name": "web"}, "spec": {"replicas": 5}}),
        "kdrift",
    );
    assert!(
        drift
            .iter()
            .any(|d| d.path == "metadata.annotations.sidecar.istio.io/status"),
        "{drift:?}"
    );
    let (kept, silenced) = filter_drift(drift, &[by_path]);
    assert!(kept.is_empty(), "{kept:?}");
    assert_eq!(silenced[0].lens, "drift");
    assert_eq!(silenced[0].manager.as_deref(), Some("injector"));
    assert_eq!(
        silences_conflict(&[hpa_rule()], ".spec.replicas", "kube-controller-manager").as_deref(),
        Some(
            "app/.kdrift.yaml ignoreDifferences[0]: managedFieldsManagers kube-controller-manager"
        )
    );
    assert!(silences_conflict(&[hpa_rule()], ".spec.replicas", "kubectl").is_none());
}

#[test]
fn the_object_annotation_adds_rules_and_ignore_extraneous_is_read() {
    let git = json!({"metadata": {"annotations": {IGNORE_ANNOTATION: "/spec/replicas, /data/x"}}});
    let rules = for_object(&[hpa_rule()], &key("Deployment", "web"), Some(&git));
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[1].json_pointers, ["/spec/replicas", "/data/x"]);
    assert!(ignores_extraneous(
        &json!({"metadata": {"annotations": {COMPARE_OPTIONS: "IgnoreExtraneous"}}})
    ));
    assert!(!ignores_extraneous(&json!({"metadata": {}})));
}

#[test]
fn a_conflict_on_a_dotted_annotation_is_matched_by_its_pointer() {
    let rule = IgnoreRule {
        json_pointers: vec!["/metadata/annotations/sidecar.istio.io~1status".into()],
        origin: "x".into(),
        ..Default::default()
    };
    let rules = [rule];
    assert!(
        silences_conflict(&rules, ".metadata.annotations.sidecar.istio.io/status", "m").is_some()
    );
    assert!(silences_conflict(&rules, ".metadata.annotations.other", "m").is_none());
}

#[test]
fn a_field_inside_a_list_stays_in_the_body() {
    // Live's list index need not be Git's item: never removed from the body by index.
    let rule = IgnoreRule {
        json_pointers: vec!["/spec/template/spec/containers/0/image".into()],
        origin: "x".into(),
        ..Default::default()
    };
    let mut live = live();
    live["spec"]["template"]["spec"]["containers"][0]["image"] = json!("b");
    let mut body =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a"}]}}}});
    let silenced = respect(&mut body, &live, &[rule], "kdrift");
    assert_eq!(
        body["spec"]["template"]["spec"]["containers"][0]["image"],
        "a"
    );
    assert_eq!(silenced.len(), 1);
}
