//! Errors from the API server, phrased for an operator: what failed, on which object, and
//! what to do next.

use std::error::Error as StdError;
use std::path::PathBuf;
use std::time::Duration;

/// Where requests go, for naming transport failures.
#[derive(Debug, Clone, Default)]
pub struct Transport {
    pub server: String,
    pub proxy: Option<String>,
    pub timeout: Option<Duration>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot read kubeconfig {path}: {reason}")]
    Kubeconfig { path: PathBuf, reason: String },
    #[error("cannot load the cluster configuration: {0}")]
    Config(String),
    #[error("cannot reach the API server at {server}: {reason}")]
    Unreachable { server: String, reason: String },
    /// A failure already phrased in full (it names the server and the reason).
    #[error("{0}")]
    Unavailable(String),
    #[error("TLS with the API server at {server} failed: {reason}")]
    Tls { server: String, reason: String },
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
        transport: &Transport,
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
            kube::Error::HyperError(e) => transport.failure(&e),
            kube::Error::Service(e) => transport.failure(e.as_ref()),
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

impl Transport {
    /// A failure below HTTP, named as kubectl names it: the x509 problem, which timeout
    /// fired, a refused connection; never only "client error (Connect)".
    pub fn failure(&self, err: &(dyn StdError + 'static)) -> ClusterError {
        let chain = chain(err);
        let server = self.server.clone();
        let via = self
            .proxy
            .as_ref()
            .map(|p| format!(" (through the proxy {p})"))
            .unwrap_or_default();
        if let Some(tls) = chain.iter().find_map(|e| e.downcast_ref::<rustls::Error>()) {
            return ClusterError::Tls {
                server,
                reason: format!("{}{via}", tls_reason(tls)),
            };
        }
        let connecting = chain
            .iter()
            .find_map(|e| e.downcast_ref::<hyper_util::client::legacy::Error>())
            .is_some_and(|e| e.is_connect());
        let io_kind = chain
            .iter()
            .find_map(|e| e.downcast_ref::<std::io::Error>())
            .map(std::io::Error::kind);
        let limit = self
            .timeout
            .map(|t| format!(" after {} (--request-timeout)", humantime(t)))
            .unwrap_or_default();
        let reason = match io_kind {
            Some(std::io::ErrorKind::TimedOut) if connecting => {
                format!("timed out connecting (TCP or TLS handshake){limit}{via}")
            }
            Some(std::io::ErrorKind::TimedOut) => {
                format!("timed out waiting for the answer{limit}{via}")
            }
            Some(std::io::ErrorKind::ConnectionRefused) => format!("connection refused{via}"),
            _ => {
                let deepest = chain.last().map(|e| e.to_string()).unwrap_or_default();
                format!("{deepest}{via}")
            }
        };
        ClusterError::Unreachable { server, reason }
    }
}

/// Every error in the chain, looking inside `io::Error`s (whose `source` skips the error
/// they wrap, which is where rustls and timeouts put theirs).
fn chain<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        if out.len() > 32 {
            break;
        }
        out.push(e);
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn StdError + 'static)),
            None => e.source(),
        };
    }
    out
}

fn tls_reason(err: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => "x509: certificate signed by unknown authority (the server's certificate is not signed by the kubeconfig's certificate-authority)".into(),
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. } => {
                format!("x509: certificate has expired or is not yet valid ({cert})")
            }
            C::NotValidForName | C::NotValidForNameContext { .. } => {
                format!("x509: certificate is not valid for the server's name ({cert}); check the kubeconfig's server or tls-server-name")
            }
            C::BadEncoding => "x509: malformed certificate".into(),
            other => format!("x509: {other}"),
        },
        other => format!("TLS: {other}"),
    }
}

fn humantime(d: Duration) -> String {
    if d.subsec_millis() != 0 || d.as_secs() == 0 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{}s", d.as_secs())
    }
}
