//! What the diff pane says about the selected row, as text (highlighted off the loop).

use std::fmt::Write as _;

use crate::config::keymap::Action;
use crate::model::health::control_plane::ComponentReport;

use super::state::{AppState, Lens};
use super::tree::NodeId;

/// The diff pane's text, every line inert: field managers, names and values come from
/// others and must not act on the terminal.
pub fn diff_text(state: &AppState) -> String {
    let text = raw_diff_text(state);
    if !text.chars().any(|c| c.is_control() && c != '\n') {
        return text;
    }
    text.split('\n')
        .map(crate::model::text::inert)
        .collect::<Vec<_>>()
        .join("\n")
}

fn raw_diff_text(state: &AppState) -> String {
    let Some(row) = state.selected_row() else {
        return String::new();
    };
    match &row.id {
        NodeId::Object(key) => object_text(state, key),
        NodeId::Component(name) => state
            .data
            .health
            .as_ref()
            .and_then(|h| h.control_plane.iter().find(|c| &c.name == name))
            .map(component_text)
            .unwrap_or_default(),
        NodeId::Node(name) | NodeId::Kubelet(name) | NodeId::KubeProxy(name) => {
            node_text(state, name)
        }
        NodeId::Pod(namespace, name) => pod_text(state, namespace, name),
        NodeId::LoadError(i) => state
            .active_drift()
            .and_then(|d| d.load_errors.get(*i))
            .map(|e| {
                format!(
                    "# {}\n# this file of the desired state did not load; the rest of the app is judged without it, and a sync refuses until it is fixed\n",
                    crate::model::logs::clean(&e.to_string())
                )
            })
            .unwrap_or_default(),
        NodeId::ControlPlane => state
            .data
            .health
            .as_ref()
            .map(|h| {
                h.control_plane
                    .iter()
                    .map(component_text)
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn pod_text(state: &AppState, namespace: &str, name: &str) -> String {
    let Some(p) = state
        .data
        .pods
        .values()
        .flatten()
        .find(|p| p.namespace == namespace && p.name == name)
    else {
        return String::new();
    };
    let mut out = format!("# pod {namespace}/{name}: {}\n", p.health());
    let _ = writeln!(
        out,
        "  phase {}{}, ready {}/{}, restarts {}",
        p.phase,
        if p.terminating { " (terminating)" } else { "" },
        p.ready,
        p.containers,
        p.restarts
    );
    if let Some(reason) = &p.reason {
        let _ = writeln!(out, "  reason {reason}");
    }
    if let Some(node) = &p.node {
        let _ = writeln!(out, "  node {node}");
    }
    if let Some((kind, owner)) = &p.owner {
        let _ = writeln!(out, "  controlled by {kind} {owner}");
    }
    if let Some(key) = state.mode.keymap.hint(Action::Logs) {
        let _ = writeln!(out, "  {key}: its logs");
    }
    out
}

fn component_text(c: &ComponentReport) -> String {
    let mut out = format!("# {}: {}\n", c.name, c.verdict.health);
    for e in &c.verdict.evidence {
        let _ = writeln!(out, "  {e}");
    }
    out
}

fn node_text(state: &AppState, name: &str) -> String {
    let Some(n) = state
        .data
        .health
        .as_ref()
        .and_then(|h| h.nodes.iter().find(|n| n.name == name))
    else {
        return String::new();
    };
    let mut out = format!("# node {}: {}\n", n.name, n.verdict.health);
    for c in &n.conditions {
        let reason = c.reason.as_deref().unwrap_or("");
        let _ = writeln!(out, "  {}={} {reason}", c.type_, c.status);
    }
    let _ = writeln!(
        out,
        "  kubelet {}",
        n.kubelet_version.as_deref().unwrap_or("?")
    );
    if let Some(h) = &n.heartbeat {
        let _ = writeln!(
            out,
            "  heartbeat {}s ago (lease {}s){}",
            h.age_secs,
            h.duration_secs,
            if h.stale { " STALE" } else { "" }
        );
    }
    if let Some(p) = &n.kube_proxy {
        let _ = writeln!(
            out,
            "  kube-proxy {} {} restarts {}",
            p.name, p.phase, p.restarts
        );
    }
    if !n.taints.is_empty() {
        let _ = writeln!(out, "  taints {}", n.taints.join(", "));
    }
    for e in &n.verdict.evidence {
        let _ = writeln!(out, "  {e}");
    }
    out
}

/// With a marked commit: the object from the marked commit to the Git side, above the
/// Git side versus live (the three-way view).
fn comparison_text(state: &AppState, key: &crate::model::object::ObjectKey) -> Option<String> {
    let marked = state.history.marked.as_deref()?;
    let short = |c: &str| c[..c.len().min(7)].to_string();
    let head = state
        .history
        .selected_commit
        .as_deref()
        .map(short)
        .unwrap_or_else(|| format!("HEAD {}", state.data.head));
    let mut out = format!("# marked {} → Git @ {head}\n", short(marked));
    let review = match &state.history.review {
        None if state.history.selected_commit.as_deref() == Some(marked) => {
            out.push_str("# the marked commit is the Git side: pick another (enter) to compare\n");
            return Some(out + "#\n");
        }
        None => return Some(out + "# comparing…\n#\n"),
        Some(Err(e)) => return Some(format!("{out}# cannot compare: {e}\n#\n")),
        Some(Ok(r)) => r,
    };
    let changed = review
        .changed
        .iter()
        .chain(&review.created)
        .chain(&review.deleted)
        .find(|c| &c.key == key)
        .map(|c| &c.diff)
        .or_else(|| {
            review
                .renamed
                .iter()
                .find(|r| &r.to == key || &r.from == key)
                .map(|r| &r.diff)
        });
    match changed {
        Some(d) if !d.is_empty() => out.push_str(&d.unified),
        Some(_) => out.push_str("# renamed, content unchanged\n"),
        None => out.push_str("# unchanged between the two commits\n"),
    }
    let _ = writeln!(
        out,
        "# ({} object change(s) in all)\n#",
        review.object_changes()
    );
    Some(out)
}

fn object_text(state: &AppState, key: &crate::model::object::ObjectKey) -> String {
    let compared = comparison_text(state, key).unwrap_or_default();
    compared + &git_versus_live(state, key)
}

fn git_versus_live(state: &AppState, key: &crate::model::object::ObjectKey) -> String {
    let git_side = match &state.history.selected_commit {
        Some(c) => format!("Git @ {} (selected commit)", &c[..c.len().min(7)]),
        None => format!("Git @ HEAD {}", state.data.head),
    };
    let Some(report) = state.active_drift() else {
        return match state.active_drift_error() {
            Some(e) => format!("# {key}\n# {git_side} versus live: cannot be computed: {e}\n"),
            None => format!("# {key}\n# {git_side} versus live: computing…\n"),
        };
    };
    let Some(o) = report.objects.iter().find(|o| &o.key == key) else {
        return format!("# {key}\n# {git_side}: not in this revision\n");
    };
    let mut out = format!(
        "# {key}  {}  {}\n# {git_side} versus live\n",
        o.status, o.reason
    );
    match state.diff.lens {
        Lens::Preview => {
            let _ = writeln!(out, "# lens: apply preview (what a sync would change)");
            if let Some(e) = &o.dry_run_error {
                let _ = writeln!(out, "# the server rejects Git's version: {e}");
                out.push_str("# (the live drift lens, `d`, shows what stands in the way)\n");
            }
            if let Some(repair) = &o.repair {
                let _ = writeln!(out, "# a sync {repair}");
            }
            if let Some(m) = &o.migration {
                let _ = writeln!(out, "# a sync {m}");
            }
            match o.preview.as_ref().filter(|p| !p.is_empty()) {
                Some(p) => out.push_str(&p.unified),
                None if o.dry_run_error.is_some() => {}
                None => out.push_str("# no difference: a sync would change nothing\n"),
            }
        }
        Lens::Drift => {
            let _ = writeln!(
                out,
                "# lens: live drift (fields set outside Git, by field manager)"
            );
            if o.drift.is_empty() {
                out.push_str("# no fields set outside Git\n");
            }
            let mut managers: Vec<&str> = o
                .drift
                .iter()
                .filter(|d| !d.removed)
                .map(|d| d.manager.as_str())
                .collect();
            managers.dedup();
            let removed: Vec<_> = o.drift.iter().filter(|d| d.removed).collect();
            if !removed.is_empty() {
                out.push_str(
                    "@@ removed live (managedFields do not record who removes a field) @@\n",
                );
                for d in removed {
                    let git = d.git.as_ref().map(|g| g.to_string()).unwrap_or_default();
                    let _ = writeln!(out, "-{}: {git}", d.path);
                }
            }
            for m in managers {
                let first = o.drift.iter().find(|d| d.manager == m);
                let (op, time) = first
                    .map(|d| (d.operation.as_str(), d.time.as_deref().unwrap_or("")))
                    .unwrap_or_default();
                let _ = writeln!(out, "@@ set by {m} ({op} {time}) @@");
                for d in o.drift.iter().filter(|d| d.manager == m && !d.removed) {
                    // No `-` line: Git does not set it.
                    if let Some(git) = &d.git {
                        let _ = writeln!(out, "-{}: {git}", d.path);
                    }
                    let _ = writeln!(out, "+{}: {}", d.path, d.live);
                }
            }
        }
    }
    let lens = match state.diff.lens {
        Lens::Preview => ["preview", "conflict"],
        Lens::Drift => ["drift", "drift"],
    };
    let ignored: Vec<_> = o
        .ignored
        .iter()
        .filter(|i| lens.contains(&i.lens.as_str()))
        .collect();
    if !ignored.is_empty() {
        let _ = writeln!(out, "# ignored by rules ({}):", ignored.len());
        for i in ignored {
            let _ = writeln!(out, "#   {i}");
        }
    }
    for n in &o.notes {
        let _ = writeln!(out, "# same value: {n}");
    }
    out
}
