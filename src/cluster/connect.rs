//! Connecting to a cluster from a kubeconfig (file, `KUBECONFIG`, context) or in-cluster.

use std::path::PathBuf;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterError;

/// How to find the cluster; empty means kube-rs' usual inference (`KUBECONFIG`,
/// `~/.kube/config`, then in-cluster).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
}

/// A client plus what an operator needs to know about where it points.
#[derive(Clone)]
pub struct Connection {
    pub client: kube::Client,
    pub context: String,
    pub server: String,
}

impl Connection {
    pub async fn open(opts: &ConnectOptions) -> Result<Self, ClusterError> {
        let (config, context) = load_config(opts).await?;
        let server = config.cluster_url.to_string();
        let client = kube::Client::try_from(config)
            .map_err(|e| ClusterError::Config(format!("cannot build a client: {e}")))?;
        Ok(Connection {
            client,
            context,
            server,
        })
    }

    /// Classifies an error from a call made through this connection.
    pub fn error(
        &self,
        err: kube::Error,
        verb: &str,
        resource: &str,
        namespace: Option<&str>,
    ) -> ClusterError {
        ClusterError::from_kube(err, verb, resource, namespace, &self.server)
    }
}

async fn load_config(opts: &ConnectOptions) -> Result<(kube::Config, String), ClusterError> {
    let options = KubeConfigOptions {
        context: opts.context.clone(),
        ..Default::default()
    };
    let kubeconfig = match &opts.kubeconfig {
        Some(path) => Some(
            Kubeconfig::read_from(path).map_err(|e| ClusterError::Kubeconfig {
                path: path.clone(),
                reason: e.to_string(),
            })?,
        ),
        None if opts.context.is_some() => {
            Some(Kubeconfig::read().map_err(|e| ClusterError::Config(format!("{e}")))?)
        }
        None => None,
    };
    match kubeconfig {
        Some(kc) => {
            let context = opts
                .context
                .clone()
                .or_else(|| kc.current_context.clone())
                .unwrap_or_default();
            let config = kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| ClusterError::Config(e.to_string()))?;
            Ok((config, context))
        }
        None => {
            let context = Kubeconfig::read()
                .ok()
                .and_then(|kc| kc.current_context)
                .unwrap_or_else(|| "in-cluster".to_string());
            let config = kube::Config::infer()
                .await
                .map_err(|e| ClusterError::Config(e.to_string()))?;
            Ok((config, context))
        }
    }
}

const SERVICE_ACCOUNT_NAMESPACE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// The namespace of the context kdrift would use (`--context`, else the current one), as
/// kubectl reads it; in a pod without a kubeconfig, the service account's namespace. Reads
/// files only: no connection is made.
pub fn context_namespace(opts: &ConnectOptions) -> Option<String> {
    let kubeconfig = match &opts.kubeconfig {
        Some(path) => Kubeconfig::read_from(path).ok(),
        None => Kubeconfig::read().ok(),
    };
    let Some(kc) = kubeconfig else {
        return std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE)
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    };
    let name = opts.context.clone().or(kc.current_context)?;
    kc.contexts
        .into_iter()
        .find(|c| c.name == name)?
        .context?
        .namespace
        .filter(|ns| !ns.is_empty())
}
