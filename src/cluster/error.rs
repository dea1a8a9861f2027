//! Errors from the API server, phrased for an operator: what failed, on which object, and
//! what to do next.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot read kubeconfig {path}: {reason}")]
    Kubeconfig { path: PathBuf, reason: String },
    #[error("cannot load the cluster configuration: {0}")]
    Config(String),
    #[error("cannot reach the API server at {server}: {reason}")]
    Unreachable { server: String, reason: String },
    #[error(
        "the API server refused the credentials (401 Unauthorized); they may have expired: log in again or refresh the kubeconfig"
    )]
    Unauthorized,
    #[error("forbidden: cannot {verb} {resource}{scope} ({reason})")]
    Forbidden {
        verb: String,
        resource: String,
        scope: String,
        reason: String,
    },
    #[error("{verb} {resource}{scope}: {message}")]
    Api {
        verb: String,
        resource: String,
        scope: String,
        message: String,
    },
}

impl ClusterError {
    /// Classifies a kube-rs error for `verb` on `resource` (optionally in `namespace`).
    pub fn from_kube(
        err: kube::Error,
        verb: &str,
        resource: &str,
        namespace: Option<&str>,
        server: &str,
    ) -> Self {
        let scope = namespace
            .map(|ns| format!(" in namespace {ns}"))
            .unwrap_or_default();
        match err {
            kube::Error::Api(status) if status.code == 403 => ClusterError::Forbidden {
                verb: verb.to_string(),
                resource: resource.to_string(),
                scope,
                reason: status.message,
            },
            kube::Error::Api(status) if status.code == 401 => ClusterError::Unauthorized,
            kube::Error::Api(status) => ClusterError::Api {
                verb: verb.to_string(),
                resource: resource.to_string(),
                scope,
                message: format!("{} ({})", status.message, status.code),
            },
            kube::Error::HyperError(e) => ClusterError::Unreachable {
                server: server.to_string(),
                reason: e.to_string(),
            },
            kube::Error::Service(e) => ClusterError::Unreachable {
                server: server.to_string(),
                reason: e.to_string(),
            },
            other => ClusterError::Api {
                verb: verb.to_string(),
                resource: resource.to_string(),
                scope,
                message: other.to_string(),
            },
        }
    }

    pub fn is_forbidden(&self) -> bool {
        matches!(self, ClusterError::Forbidden { .. })
    }
}
