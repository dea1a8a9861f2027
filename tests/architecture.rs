//! The module table of DESIGN.md, checked on the source: no module of `src/app/` imports one
//! that imports it back (directly or around a ring), and `model/` reaches for no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The `app` modules a file names (`super::x`, `crate::app::x`), test modules aside.
fn app_imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut found = BTreeSet::new();
    for prefix in ["super::", "crate::app::"] {
        for (i, _) in code.match_indices(prefix) {
            let rest = &code[i + prefix.len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn app_graph() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/app");
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/app") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
            .to_string();
        if name == "mod" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        graph.insert(name, app_imports(&text));
    }
    let modules: BTreeSet<String> = graph.keys().cloned().collect();
    for deps in graph.values_mut() {
        deps.retain(|d| modules.contains(d));
    }
    graph
}

/// A ring of imports, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            let mut ring = path[i..].to_vec();
            ring.push(node.to_string());
            return Some(ring);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for dep in graph.get(node).into_iter().flatten() {
            if let Some(ring) = visit(dep, graph, path, done) {
                return Some(ring);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_finder_finds_a_ring() {
    let mut g = BTreeMap::new();
    g.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    g.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    g.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    assert!(find_cycle(&g).is_some());
    g.insert("c".to_string(), BTreeSet::new());
    assert!(find_cycle(&g).is_none());
    assert_eq!(
        app_imports(
            "use super::state::AppState;\nfn f() { crate::app::view::x(); }\n#[cfg(test)]\nuse super::fixtures;"
        ),
        BTreeSet::from(["state".to_string(), "view".to_string()])
    );
}

#[test]
fn no_module_of_app_imports_one_that_imports_it_back() {
    let graph = app_graph();
    assert!(graph.len() > 5, "read the app modules: {graph:?}");
    if let Some(ring) = find_cycle(&graph) {
        panic!("import ring in src/app/: {}", ring.join(" → "));
    }
}

#[test]
fn model_reaches_for_no_io() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            for banned in [
                "tokio::",
                "kube::",
                "gix::",
                "ratatui::",
                "std::fs::",
                "crate::cluster",
                "crate::git",
                "crate::app",
                "crate::ui",
            ] {
                assert!(!text.contains(banned), "{} uses {banned}", path.display());
            }
        }
    }
}
