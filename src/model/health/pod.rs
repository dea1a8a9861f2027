//! Pods of an app's workloads: which workload each belongs to (through its ReplicaSet for a
//! Deployment) and how healthy it is, as `kubectl get pods` would let an operator judge.

use std::collections::{BTreeMap, HashMap};

use super::Health;

/// The facts of one pod the tree shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodFacts {
    pub namespace: String,
    pub name: String,
    pub phase: String,
    pub ready: usize,
    pub containers: usize,
    pub restarts: i32,
    pub node: Option<String>,
    /// Why a container waits or last ended (CrashLoopBackOff, ImagePullBackOff, OOMKilled…).
    pub reason: Option<String>,
    /// Its controller: (kind, name).
    pub owner: Option<(String, String)>,
    /// Being deleted.
    pub terminating: bool,
}

impl PodFacts {
    pub fn health(&self) -> Health {
        const BAD: [&str; 6] = [
            "CrashLoopBackOff",
            "ImagePullBackOff",
            "ErrImagePull",
            "CreateContainerConfigError",
            "InvalidImageName",
            "OOMKilled",
        ];
        if self.reason.as_deref().is_some_and(|r| BAD.contains(&r)) {
            return Health::Degraded;
        }
        match self.phase.as_str() {
            _ if self.terminating => Health::Progressing,
            "Running" if self.ready == self.containers => Health::Healthy,
            "Succeeded" => Health::Healthy,
            "Running" | "Pending" => Health::Progressing,
            "Failed" => Health::Degraded,
            _ => Health::Unknown,
        }
    }

    /// One line for the tree, short so the badge fits: `web-7c9f  Running 1/1`, plus
    /// restarts and a reason when there are any (the node is in the diff pane).
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{}  {} {}/{}",
            self.name,
            if self.terminating {
                "Terminating"
            } else {
                &self.phase
            },
            self.ready,
            self.containers,
        );
        if self.restarts > 0 {
            out.push_str(&format!("  restarts {}", self.restarts));
        }
        if let Some(reason) = &self.reason {
            out.push_str(&format!("  {reason}"));
        }
        out
    }
}

/// (kind, namespace, name) of a workload.
pub type WorkloadId = (String, String, String);

/// Who controls the intermediate controllers: (kind, namespace, name) of a ReplicaSet or
/// a Job to the (kind, name) of its Deployment or CronJob.
pub type Owners = HashMap<(String, String, String), (String, String)>;

/// Groups pods under the workload that controls them: a ReplicaSet's pods under its
/// Deployment, a Job's under its CronJob (per `owners`), others under their direct
/// controller (StatefulSet, DaemonSet, Job, ReplicaSet, ReplicationController).
pub fn by_workload(pods: Vec<PodFacts>, owners: &Owners) -> BTreeMap<WorkloadId, Vec<PodFacts>> {
    let mut out: BTreeMap<WorkloadId, Vec<PodFacts>> = BTreeMap::new();
    for pod in pods {
        let Some((kind, name)) = pod.owner.clone() else {
            continue;
        };
        let id = match owners.get(&(kind.clone(), pod.namespace.clone(), name.clone())) {
            Some((top_kind, top_name)) => {
                (top_kind.clone(), pod.namespace.clone(), top_name.clone())
            }
            None => (kind, pod.namespace.clone(), name),
        };
        out.entry(id).or_default().push(pod);
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, owner: (&str, &str)) -> PodFacts {
        PodFacts {
            namespace: "shop".into(),
            name: name.into(),
            phase: "Running".into(),
            ready: 1,
            containers: 1,
            restarts: 0,
            node: Some("node-1".into()),
            reason: None,
            owner: Some((owner.0.into(), owner.1.into())),
            terminating: false,
        }
    }

    #[test]
    fn pods_group_under_their_workload_through_replica_sets() {
        let owners = Owners::from([
            (
                ("ReplicaSet".into(), "shop".into(), "web-7c9f".into()),
                ("Deployment".into(), "web".into()),
            ),
            (
                ("Job".into(), "shop".into(), "report-2903".into()),
                ("CronJob".into(), "report".into()),
            ),
        ]);
        let grouped = by_workload(
            vec![
                pod("web-7c9f-b", ("ReplicaSet", "web-7c9f")),
                pod("web-7c9f-a", ("ReplicaSet", "web-7c9f")),
                pod("db-0", ("StatefulSet", "db")),
                pod("report-2903-q", ("Job", "report-2903")),
                pod("loose-rs-x", ("ReplicaSet", "loose-rs")),
            ],
            &owners,
        );
        let web = &grouped[&("Deployment".into(), "shop".into(), "web".into())];
        assert_eq!(
            web.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["web-7c9f-a", "web-7c9f-b"]
        );
        assert!(grouped.contains_key(&("StatefulSet".into(), "shop".into(), "db".into())));
        assert!(grouped.contains_key(&("CronJob".into(), "shop".into(), "report".into())));
        assert!(grouped.contains_key(&("ReplicaSet".into(), "shop".into(), "loose-rs".into())));
    }

    #[test]
    fn pod_health_reads_like_kubectl_get_pods() {
        let mut p = pod("web-1", ("ReplicaSet", "web-1"));
        assert_eq!(p.health(), Health::Healthy);
        p.ready = 0;
        assert_eq!(p.health(), Health::Progressing);
        p.reason = Some("CrashLoopBackOff".into());
        p.restarts = 7;
        assert_eq!(p.health(), Health::Degraded);
        assert_eq!(
            p.summary(),
            "web-1  Running 0/1  restarts 7  CrashLoopBackOff"
        );
        p.reason = None;
        p.phase = "Succeeded".into();
        assert_eq!(p.health(), Health::Healthy);
        p.phase = "Failed".into();
        assert_eq!(p.health(), Health::Degraded);
    }
}
