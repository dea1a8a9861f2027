//! Pod logs for the logs pane: which pods a target means (a pod, or a workload's pods by
//! its selector), and followed streams that reconnect when they drop, resuming from the
//! last timestamp without repeating lines.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};

use super::Connection;
use stream::{StreamSpec, follow};

use crate::model::object::ObjectKey;

/// What the logs pane was opened on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogTarget {
    Pod {
        namespace: String,
        name: String,
    },
    /// A Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or ReplicationController: the
    /// pods its selector matches; a CronJob: the pods of its Jobs.
    Workload(ObjectKey),
}

/// Which container(s) of each pod to stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerChoice {
    /// The pod's default container (its `kubectl.kubernetes.io/default-container`
    /// annotation, else the first).
    Default,
    Named(String),
    All,
}

#[derive(Debug, Clone)]
pub struct LogRequest {
    pub target: LogTarget,
    pub container: ContainerChoice,
    pub previous: bool,
    /// Lines of history to fetch on the first connection.
    pub tail: i64,
    /// Values masked in every line: the app's Secret values (see `model::secret`).
    pub redact: Arc<crate::model::secret::Redactor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodLogs {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<String>,
    pub default_container: String,
}

#[derive(Debug, Clone)]
pub enum LogEvent {
    Pods(Vec<PodLogs>),
    Lines {
        source: String,
        lines: Vec<(Option<Timestamp>, String)>,
    },
    /// A stream's state ("streaming", "reconnecting…", an error); `source` empty for the
    /// whole session.
    Status {
        source: String,
        text: String,
    },
}

/// Where events go; returns false when nobody listens any more.
pub type Sink = Arc<dyn Fn(LogEvent) -> bool + Send + Sync>;

const WORKLOAD_KINDS: [(&str, &str, &str); 6] = [
    ("apps", "v1", "Deployment"),
    ("apps", "v1", "StatefulSet"),
    ("apps", "v1", "DaemonSet"),
    ("apps", "v1", "ReplicaSet"),
    ("batch", "v1", "Job"),
    ("", "v1", "ReplicationController"),
];

/// Whether `l` can open logs for an object of this kind.
pub fn has_logs(key: &ObjectKey) -> bool {
    matches!(key.kind.as_str(), "Pod" | "CronJob")
        || WORKLOAD_KINDS.iter().any(|(_, _, k)| *k == key.kind)
}

/// A CronJob's pods: those of the Jobs it controls (none when no Job ran yet).
async fn cron_job_selector(conn: &Connection, key: &ObjectKey) -> Result<Option<String>, String> {
    use k8s_openapi::api::batch::v1::Job;
    let namespace = key.namespace.clone().unwrap_or_default();
    let jobs = Api::<Job>::namespaced(conn.client.clone(), &namespace)
        .list(&ListParams::default())
        .await
        .map_err(|e| conn.error(e, "list", "jobs", Some(&namespace)).to_string())?;
    let names: Vec<String> =
        jobs.items
            .iter()
            .filter(|j| {
                j.metadata.owner_references.iter().flatten().any(|r| {
                    r.controller == Some(true) && r.kind == "CronJob" && r.name == key.name
                })
            })
            .filter_map(|j| j.metadata.name.clone())
            .collect();
    Ok((!names.is_empty())
        .then(|| format!("batch.kubernetes.io/job-name in ({})", names.join(","))))
}

/// A label selector in the query syntax (`a=b,c in (d,e),!f`).
pub fn selector_string(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

async fn workload_selector(conn: &Connection, key: &ObjectKey) -> Result<String, String> {
    let (group, version, kind) = WORKLOAD_KINDS
        .iter()
        .find(|(_, _, k)| *k == key.kind)
        .ok_or_else(|| format!("{} has no pods to show logs of", key.kind))?;
    let namespace = key.namespace.clone().unwrap_or_default();
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind));
    let api: Api<DynamicObject> = Api::namespaced_with(conn.client.clone(), &namespace, &resource);
    let object = api.get(&key.name).await.map_err(|e| {
        conn.error(
            e,
            "get",
            &format!("{} {}", kind.to_lowercase(), key.name),
            Some(&namespace),
        )
        .to_string()
    })?;
    let raw = object
        .data
        .pointer("/spec/selector")
        .cloned()
        .ok_or_else(|| format!("{key} has no spec.selector"))?;
    let selector = if raw.get("matchLabels").is_some() || raw.get("matchExpressions").is_some() {
        serde_json::from_value::<LabelSelector>(raw).map_err(|e| e.to_string())?
    } else {
        // ReplicationController: a plain map.
        LabelSelector {
            match_labels: serde_json::from_value::<BTreeMap<String, String>>(raw).ok(),
            match_expressions: None,
        }
    };
    let text = selector_string(&selector);
    if text.is_empty() {
        return Err(format!("{key} selects no pods (empty selector)"));
    }
    Ok(text)
}

fn pod_logs(pod: &Pod) -> Option<PodLogs> {
    let containers: Vec<String> = pod
        .spec
        .as_ref()?
        .containers
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .filter(|c| containers.contains(c))
        .cloned();
    Some(PodLogs {
        namespace: pod.metadata.namespace.clone()?,
        name: pod.metadata.name.clone()?,
        default_container: annotated.or_else(|| containers.first().cloned())?,
        containers,
    })
}

/// The pods a target means, now.
pub async fn pods_of(conn: &Connection, target: &LogTarget) -> Result<Vec<PodLogs>, String> {
    match target {
        LogTarget::Pod { namespace, name } => {
            let api: Api<Pod> = Api::namespaced(conn.client.clone(), namespace);
            let pod = api.get(name).await.map_err(|e| {
                conn.error(e, "get", &format!("pod {name}"), Some(namespace))
                    .to_string()
            })?;
            Ok(pod_logs(&pod).into_iter().collect())
        }
        LogTarget::Workload(key) => {
            let selector = if key.kind == "CronJob" {
                match cron_job_selector(conn, key).await? {
                    Some(s) => s,
                    None => return Ok(Vec::new()),
                }
            } else {
                workload_selector(conn, key).await?
            };
            let namespace = key.namespace.clone().unwrap_or_default();
            let api: Api<Pod> = Api::namespaced(conn.client.clone(), &namespace);
            let list = api
                .list(&ListParams::default().labels(&selector))
                .await
                .map_err(|e| conn.error(e, "list", "pods", Some(&namespace)).to_string())?;
            let mut pods: Vec<PodLogs> = list.items.iter().filter_map(pod_logs).collect();
            pods.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(pods)
        }
    }
}

/// The containers of a pod that a choice means.
pub fn chosen_containers(pod: &PodLogs, choice: &ContainerChoice) -> Vec<String> {
    match choice {
        ContainerChoice::Default => vec![pod.default_container.clone()],
        ContainerChoice::Named(name) if pod.containers.contains(name) => vec![name.clone()],
        ContainerChoice::Named(_) => Vec::new(),
        ContainerChoice::All => pod.containers.clone(),
    }
}

const RELIST: Duration = Duration::from_secs(5);

/// Streams the target's logs until the sink stops listening (or the task is aborted):
/// a stream per pod and container; a workload's pods are listed again every few seconds
/// so pods of a rollout join in.
pub async fn run_session(conn: Connection, request: LogRequest, sink: Sink) {
    let mut streams = tokio::task::JoinSet::new();
    let mut started: std::collections::HashSet<(String, String)> = Default::default();
    loop {
        match pods_of(&conn, &request.target).await {
            Ok(pods) => {
                if pods.is_empty() {
                    sink(LogEvent::Status {
                        source: String::new(),
                        text: "no pods match".into(),
                    });
                }
                for pod in &pods {
                    for container in chosen_containers(pod, &request.container) {
                        if !started.insert((pod.name.clone(), container.clone())) {
                            continue;
                        }
                        let stream = StreamSpec {
                            namespace: pod.namespace.clone(),
                            pod: pod.name.clone(),
                            container,
                            previous: request.previous,
                            tail: request.tail,
                            redact: request.redact.clone(),
                        };
                        streams.spawn(follow(conn.clone(), stream, sink.clone()));
                    }
                }
                if !sink(LogEvent::Pods(pods)) {
                    return;
                }
            }
            Err(e) => {
                if !sink(LogEvent::Status {
                    source: String::new(),
                    text: e,
                }) {
                    return;
                }
            }
        }
        if matches!(request.target, LogTarget::Pod { .. }) || request.previous {
            // One pod, or history only: nothing new to look for.
            while streams.join_next().await.is_some() {}
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(RELIST).await;
    }
}

mod stream;

#[cfg(test)]
mod tests {
    use super::stream::read_lines;
    use super::*;
    use crate::model::logs::Resume;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    #[test]
    fn selectors_render_in_query_syntax() {
        let selector = LabelSelector {
            match_labels: Some(BTreeMap::from([("app".to_string(), "web".to_string())])),
            match_expressions: Some(vec![
                LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "In".into(),
                    values: Some(vec!["a".into(), "b".into()]),
                },
                LabelSelectorRequirement {
                    key: "canary".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                },
            ]),
        };
        assert_eq!(selector_string(&selector), "app=web,tier in (a,b),!canary");
    }

    #[test]
    fn container_choice_picks_per_pod() {
        let pod = PodLogs {
            namespace: "ns".into(),
            name: "web-1".into(),
            containers: vec!["app".into(), "sidecar".into()],
            default_container: "app".into(),
        };
        assert_eq!(chosen_containers(&pod, &ContainerChoice::Default), ["app"]);
        assert_eq!(
            chosen_containers(&pod, &ContainerChoice::Named("sidecar".into())),
            ["sidecar"]
        );
        assert!(chosen_containers(&pod, &ContainerChoice::Named("db".into())).is_empty());
        assert_eq!(
            chosen_containers(&pod, &ContainerChoice::All),
            ["app", "sidecar"]
        );
    }

    #[test]
    fn streams_become_lines_with_the_partial_tail_and_replays_skipped() {
        use std::sync::Mutex;
        let got: Arc<Mutex<Vec<String>>> = Arc::default();
        let seen = got.clone();
        let sink: Sink = Arc::new(move |event| {
            if let LogEvent::Lines { lines, .. } = event {
                let mut seen = seen.lock().expect("lock");
                seen.extend(lines.into_iter().map(|(_, text)| text));
            }
            true
        });
        let spec = StreamSpec {
            namespace: "ns".into(),
            pod: "p".into(),
            container: "c".into(),
            previous: false,
            tail: 10,
            redact: Arc::new(crate::model::secret::Redactor::new([
                "s3cr3t-token".to_string(),
                "80".to_string(),
            ])),
        };
        let body = "2026-11-26T08:00:01.1Z one\n2026-11-26T08:00:01.2Z \u{1b}[1mtwo\u{1b}[0m\n2026-11-26T08:00:02Z three s3cr3t-token :80";
        let mut resume = Resume::default();
        let reader = futures::io::Cursor::new(body.as_bytes().to_vec());
        let n = futures::executor::block_on(read_lines(reader, &mut resume, &spec, &sink));
        assert_eq!(n, Some(3));
        assert_eq!(
            *got.lock().expect("lock"),
            ["one", "two", "three <masked> :<masked>"],
            "escapes stripped, the app's Secret value masked, short values left"
        );
        // The reconnect replays from the whole second: nothing is shown twice.
        resume.reconnect();
        let replay = "2026-11-26T08:00:02Z three s3cr3t-token :80\n2026-11-26T08:00:03Z four\n";
        let reader = futures::io::Cursor::new(replay.as_bytes().to_vec());
        let n = futures::executor::block_on(read_lines(reader, &mut resume, &spec, &sink));
        assert_eq!(n, Some(1));
        assert_eq!(
            got.lock().expect("lock").last().map(String::as_str),
            Some("four")
        );
    }
}
