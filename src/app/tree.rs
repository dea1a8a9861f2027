//! The resource tree: cluster → control plane → nodes → the app's objects by namespace and
//! kind. Rows are derived from state; drawing them is the UI's job.

use std::collections::BTreeMap;

use crate::model::drift::{ObjectReport, SyncStatus};
use crate::model::health::Health;
use crate::model::object::ObjectKey;
use crate::model::time::format_age;

use super::data::AppPods;
use crate::cluster::drift::DriftReport;
use crate::model::health::report::HealthReport;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeId {
    Cluster,
    ControlPlane,
    Component(String),
    Nodes,
    Node(String),
    Kubelet(String),
    KubeProxy(String),
    App,
    Namespace(String),
    Kind(String, String),
    Object(ObjectKey),
    /// A pod of a workload: (namespace, name).
    Pod(String, String),
    /// A file of the desired state that failed to load (its index in the report).
    LoadError(usize),
}

impl NodeId {
    /// Rows that start folded (a workload's pods can be many); others start open.
    pub fn folded_by_default(&self) -> bool {
        matches!(self, NodeId::Object(_))
    }
}

/// A badge on a row, drawn in its theme colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Badge {
    Health(Health),
    Sync(SyncStatus),
    Muted(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: NodeId,
    pub depth: usize,
    pub label: String,
    pub badges: Vec<Badge>,
    /// `Some(expanded)` for rows with children.
    pub expanded: Option<bool>,
}

/// What the tree is built from: the parts of the state it shows, nothing else.
pub struct TreeInputs<'a> {
    pub context: &'a str,
    pub app_name: &'a str,
    pub app_path: &'a str,
    pub health: Option<&'a HealthReport>,
    pub drift: Option<&'a DriftReport>,
    pub drift_error: Option<&'a str>,
    /// Objects judged so far, of all, while the first report is coming.
    pub progress: Option<(usize, usize)>,
    pub pods: &'a AppPods,
    pub filter: &'a str,
    /// Rows unfolded by the user (of those folded by default) and folded (of the others).
    pub expanded: &'a std::collections::HashSet<NodeId>,
    pub collapsed: &'a std::collections::HashSet<NodeId>,
    /// The app's rows (not on the apps overview, which lists apps apart).
    pub show_app: bool,
}

struct Builder<'a> {
    state: &'a TreeInputs<'a>,
    rows: Vec<Row>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        id: NodeId,
        depth: usize,
        label: String,
        badges: Vec<Badge>,
        parent: bool,
    ) -> bool {
        let expanded = parent.then(|| {
            if id.folded_by_default() {
                self.state.expanded.contains(&id)
            } else {
                !self.state.collapsed.contains(&id)
            }
        });
        self.rows.push(Row {
            id,
            depth,
            // Names, paths and errors come from others: inert on screen.
            label: crate::model::text::inert(&label),
            badges,
            expanded,
        });
        expanded.unwrap_or(false)
    }
}

/// What the app's row says before its first report: the error, or how far it got.
fn loading_note(state: &TreeInputs<'_>) -> String {
    match (state.drift_error, state.progress) {
        (Some(e), _) => e.to_string(),
        (None, Some((judged, total))) => format!("loading… {judged} of {total} objects judged"),
        (None, None) => "loading…".to_string(),
    }
}

fn matches(filter: &str, text: &str) -> bool {
    filter.is_empty() || text.to_lowercase().contains(&filter.to_lowercase())
}

pub fn build_rows(state: &TreeInputs<'_>) -> Vec<Row> {
    let (mut rows, unfolded) = cluster_rows(state);
    if unfolded && state.show_app {
        let mut b = Builder {
            state,
            rows: std::mem::take(&mut rows),
        };
        app(&mut b);
        rows = b.rows;
    }
    rows
}

/// The rows above the app's: the cluster, its control plane and nodes; and whether the
/// cluster row is unfolded (the app's rows go under it).
pub fn cluster_rows(state: &TreeInputs<'_>) -> (Vec<Row>, bool) {
    let mut b = Builder {
        state,
        rows: Vec::new(),
    };
    let version = state
        .health
        .as_ref()
        .and_then(|h| h.control_plane.iter().find_map(|c| c.version.clone()))
        .unwrap_or_default();
    if !b.push(
        NodeId::Cluster,
        0,
        format!("{} {version}", state.context),
        vec![],
        true,
    ) {
        return (b.rows, false);
    }
    control_plane(&mut b);
    nodes(&mut b);
    (b.rows, true)
}

fn control_plane(b: &mut Builder<'_>) {
    let Some(h) = b.state.health else {
        b.push(
            NodeId::ControlPlane,
            1,
            "Control plane".into(),
            vec![Badge::Muted("loading…".into())],
            false,
        );
        return;
    };
    let worst = h
        .control_plane
        .iter()
        .map(|c| c.verdict.health)
        .max()
        .unwrap_or(Health::Unknown);
    if b.push(
        NodeId::ControlPlane,
        1,
        "Control plane".into(),
        vec![Badge::Health(worst)],
        true,
    ) {
        for c in &h.control_plane {
            b.push(
                NodeId::Component(c.name.clone()),
                2,
                c.name.clone(),
                vec![Badge::Health(c.verdict.health)],
                false,
            );
        }
    }
}

fn nodes(b: &mut Builder<'_>) {
    let Some(h) = b.state.health else {
        return;
    };
    let label = format!("Nodes ({})", h.nodes.len());
    let worst = h
        .nodes
        .iter()
        .map(|n| n.verdict.health)
        .max()
        .unwrap_or(Health::Unknown);
    let badge = match &h.nodes_unavailable {
        Some(_) => Badge::Health(Health::Unknown),
        None => Badge::Health(worst),
    };
    if !b.push(NodeId::Nodes, 1, label, vec![badge], true) {
        return;
    }
    for n in &h.nodes {
        let hb = n
            .heartbeat
            .as_ref()
            .map(|h| format_age(h.age_secs))
            .unwrap_or_else(|| "?".into());
        let label = format!(
            "{}  Ready={}  heartbeat {hb}  {}",
            n.name,
            n.ready,
            n.kubelet_version.as_deref().unwrap_or("?")
        );
        if b.push(
            NodeId::Node(n.name.clone()),
            2,
            label,
            vec![Badge::Health(n.verdict.health)],
            true,
        ) {
            b.push(
                NodeId::Kubelet(n.name.clone()),
                3,
                format!(
                    "kubelet {}  heartbeat {hb}",
                    n.kubelet_version.as_deref().unwrap_or("?")
                ),
                vec![Badge::Health(n.kubelet_health)],
                false,
            );
            let proxy = match &n.kube_proxy {
                Some(p) if p.phase == "Running" && p.ready => format!("kube-proxy {}", p.name),
                Some(p) => format!("kube-proxy {} {}", p.name, p.phase),
                None => "kube-proxy: none".into(),
            };
            let health = n.kube_proxy_health;
            let pods = n
                .pod_count
                .map(|c| format!("  ({c} pods)"))
                .unwrap_or_default();
            b.push(
                NodeId::KubeProxy(n.name.clone()),
                3,
                format!("{proxy}{pods}"),
                vec![Badge::Health(health)],
                false,
            );
        }
    }
}

fn object_badges(o: &ObjectReport) -> Vec<Badge> {
    if o.judging {
        return vec![Badge::Muted("judging…".into())];
    }
    let mut badges = vec![Badge::Sync(o.status)];
    if let Some(h) = o.health {
        badges.push(Badge::Health(h));
    }
    badges
}

fn app(b: &mut Builder<'_>) {
    let state = b.state;
    let label = format!(
        "App {} ({})",
        state.app_name,
        if state.app_path.is_empty() {
            "."
        } else {
            state.app_path
        }
    );
    let Some(report) = state.drift else {
        b.push(
            NodeId::App,
            1,
            label,
            vec![Badge::Muted(loading_note(state))],
            false,
        );
        return;
    };
    let objects: Vec<&ObjectReport> = report
        .objects
        .iter()
        .map(|o| &**o)
        .filter(|o| state.filter.is_empty() || matches(state.filter, &o.key.to_string()))
        .collect();
    let out = objects
        .iter()
        .filter(|o| o.status != SyncStatus::Synced)
        .count();
    let mut summary = if report.pending > 0 {
        let (judged, total) = state.progress.unwrap_or((0, report.pending));
        format!("{} objects, judging… {judged} of {total}", objects.len())
    } else {
        format!("{} objects, {out} not synced", objects.len())
    };
    if !report.load_errors.is_empty() {
        summary.push_str(&format!(", {} load error(s)", report.load_errors.len()));
    }
    if !b.push(NodeId::App, 1, label, vec![Badge::Muted(summary)], true) {
        return;
    }
    for (i, e) in report.load_errors.iter().enumerate() {
        b.push(
            NodeId::LoadError(i),
            2,
            crate::model::logs::clean(&e.to_string()),
            vec![Badge::Health(Health::Degraded)],
            false,
        );
    }
    let mut by_ns: BTreeMap<String, BTreeMap<String, Vec<&ObjectReport>>> = BTreeMap::new();
    for o in objects {
        let ns = o
            .key
            .namespace
            .clone()
            .unwrap_or_else(|| "(cluster)".into());
        by_ns
            .entry(ns)
            .or_default()
            .entry(o.key.kind.clone())
            .or_default()
            .push(o);
    }
    for (ns, kinds) in by_ns {
        let count: usize = kinds.values().map(Vec::len).sum();
        let id = NodeId::Namespace(ns.clone());
        let badge = Badge::Muted(count.to_string());
        if !b.push(id, 2, ns.clone(), vec![badge], true) {
            continue;
        }
        for (kind, list) in kinds {
            let worst = list
                .iter()
                .filter(|o| !o.judging)
                .map(|o| o.status)
                .max()
                .map_or(Badge::Muted("judging…".into()), Badge::Sync);
            let id = NodeId::Kind(ns.clone(), kind.clone());
            let badges = vec![worst, Badge::Muted(list.len().to_string())];
            if b.push(id, 3, kind.clone(), badges, true) {
                for o in list {
                    object(b, o);
                }
            }
        }
    }
}

/// An object, and under it (when unfolded) the pods of a workload.
fn object(b: &mut Builder<'_>, o: &ObjectReport) {
    let pods = o.key.namespace.as_ref().and_then(|ns| {
        b.state
            .pods
            .get(&(o.key.kind.clone(), ns.clone(), o.key.name.clone()))
    });
    let mut label = o.key.name.clone();
    if let Some(pods) = pods {
        let n = pods.len();
        label.push_str(&format!(" ({n} pod{})", if n == 1 { "" } else { "s" }));
    }
    let id = NodeId::Object(o.key.clone());
    if b.push(id, 4, label, object_badges(o), pods.is_some()) {
        for p in pods.into_iter().flatten() {
            b.push(
                NodeId::Pod(p.namespace.clone(), p.name.clone()),
                5,
                p.summary(),
                vec![Badge::Health(p.health())],
                false,
            );
        }
    }
}
