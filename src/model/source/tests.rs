use super::*;
use serde_json::json;

#[test]
fn detection_by_file_names() {
    let names = |ns: &[&str]| ns.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        detect(&names(&["kustomization.yaml", "a.yaml"])),
        SourceKind::Kustomize
    );
    assert_eq!(detect(&names(&["Kustomization"])), SourceKind::Kustomize);
    assert_eq!(
        detect(&names(&["Chart.yaml", "values.yaml"])),
        SourceKind::Helm
    );
    assert_eq!(
        detect(&names(&["main.jsonnet", "lib.libsonnet"])),
        SourceKind::Jsonnet
    );
    assert_eq!(detect(&names(&["a.yaml", "README.md"])), SourceKind::Plain);
}

#[test]
fn unsupported_files_are_named() {
    let paths = vec![
        "app/main.cue".to_string(),
        "app/x.cue".into(),
        "app/README.md".into(),
    ];
    let note = unsupported(&paths).expect("a note");
    assert!(note.contains("2 CUE file(s) (.cue)"), "{note}");
    assert_eq!(unsupported(&["app/README.md".to_string()]), None);
}

#[test]
fn a_kustomization_names_what_it_reads() {
    let k = json!({
        "resources": ["deployment.yaml", "../base", "https://github.com/org/repo//deploy?ref=v1"],
        "components": ["../components/probes"],
        "patches": [{"path": "patch.yaml"}, {"patch": "- op: add\n  path: /x"}],
        "patchesStrategicMerge": ["legacy.yaml", "apiVersion: v1\nkind: ConfigMap\n"],
        "configMapGenerator": [{"name": "c", "files": ["app.properties", "key=conf/other.txt"], "envs": ["env.txt"]}],
        "secretGenerator": [{"name": "s", "env": "secret.env"}],
        "openapi": {"path": "schema.json"}
    });
    let refs = kustomize_refs(&k);
    assert_eq!(
        refs.local,
        [
            "deployment.yaml",
            "../base",
            "../components/probes",
            "legacy.yaml",
            "patch.yaml",
            "schema.json",
            "app.properties",
            "conf/other.txt",
            "env.txt",
            "secret.env"
        ]
    );
    assert_eq!(refs.remote, ["https://github.com/org/repo//deploy?ref=v1"]);
}

#[test]
fn relative_paths_stay_inside() {
    assert_eq!(
        join_relative("deploy/overlays/prod", "../../base").as_deref(),
        Some("deploy/base")
    );
    assert_eq!(join_relative("", "a/./b.yaml").as_deref(), Some("a/b.yaml"));
    assert_eq!(join_relative("a", "../../etc"), None);
}

#[test]
fn chart_dependencies_and_jsonnet_imports() {
    let chart = json!({"dependencies": [
        {"name": "common", "repository": "file://../common"},
        {"name": "redis", "repository": "https://charts.bitnami.com/bitnami"},
        {"name": "vendored"}
    ]});
    let (local, remote) = chart_dependencies(&chart);
    assert_eq!(local, ["../common"]);
    assert_eq!(
        remote,
        [(
            "redis".to_string(),
            "https://charts.bitnami.com/bitnami".to_string()
        )]
    );
    let text = "local k = import 'lib/k.libsonnet';\nlocal c = importstr \"config.txt\";\n{ a: import 'lib/k.libsonnet' }";
    assert_eq!(jsonnet_imports(text), ["config.txt", "lib/k.libsonnet"]);
}
