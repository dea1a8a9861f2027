//! Health rules: control plane, nodes and kubelets, workloads. Pure functions over facts the
//! probes in `cluster::health` gathered.

pub mod control_plane;
pub mod node;
pub mod pod;
pub mod report;
pub mod workload;

use serde::Serialize;

/// Health as operators know it from Argo CD and kstatus, plus `Down` for components.
/// Ordered from best to worst, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Health {
    Healthy,
    Suspended,
    Progressing,
    Unknown,
    Missing,
    Degraded,
    Down,
}

impl Health {
    /// Healthy for the exit code: everything else makes `kdrift health` exit 1.
    pub fn is_ok(self) -> bool {
        matches!(self, Health::Healthy | Health::Suspended)
    }

    pub fn label(self) -> &'static str {
        match self {
            Health::Healthy => "Healthy",
            Health::Suspended => "Suspended",
            Health::Progressing => "Progressing",
            Health::Unknown => "Unknown",
            Health::Missing => "Missing",
            Health::Degraded => "Degraded",
            Health::Down => "Down",
        }
    }
}

impl std::fmt::Display for Health {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// A fact a probe may or may not have been able to read.
#[derive(Debug, Clone, PartialEq)]
pub enum Source<T> {
    Read(T),
    /// Not readable (forbidden, unreachable…), with the reason.
    Unavailable(String),
}

impl<T> Source<T> {
    pub fn as_ref(&self) -> Source<&T> {
        match self {
            Source::Read(v) => Source::Read(v),
            Source::Unavailable(r) => Source::Unavailable(r.clone()),
        }
    }

    pub fn read(&self) -> Option<&T> {
        match self {
            Source::Read(v) => Some(v),
            Source::Unavailable(_) => None,
        }
    }
}

/// One judged thing with the evidence behind the judgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub health: Health,
    pub evidence: Vec<String>,
}

impl Verdict {
    pub fn new(health: Health, evidence: impl Into<String>) -> Self {
        Verdict {
            health,
            evidence: vec![evidence.into()],
        }
    }

    /// Combines the verdicts of independent sources: the worst known health wins; sources
    /// that could not tell (Unknown) count only when no source could.
    pub fn combine(parts: Vec<Verdict>) -> Verdict {
        let known = parts
            .iter()
            .map(|p| p.health)
            .filter(|h| *h != Health::Unknown)
            .max();
        Verdict {
            health: known.unwrap_or(Health::Unknown),
            evidence: parts.into_iter().flat_map(|p| p.evidence).collect(),
        }
    }
}
