//! Connecting to a cluster as kubectl would: kubeconfig (file, `KUBECONFIG`, context) or
//! in-cluster, the proxy kubectl would pick, impersonation, `--request-timeout`, and the
//! cluster's CA checked for validity before the first request.

use std::path::PathBuf;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

use super::ClusterError;
use super::proxy::{self, ProxyEnv};

/// How to find the cluster; empty means kube-rs' usual inference (`KUBECONFIG`,
/// `~/.kube/config`, then in-cluster).
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    /// `--as`: the user to impersonate.
    pub impersonate: Option<String>,
    /// `--as-group` (repeatable).
    pub impersonate_groups: Vec<String>,
    /// `--request-timeout`: how long a request may take to connect and to answer; `None`
    /// keeps kubectl's defaults (30 s to connect, no limit on answers).
    pub request_timeout: Option<Duration>,
    /// The TUI's hand-over socket: interactive exec plugins then get the terminal.
    pub terminal_handover: Option<PathBuf>,
}

/// A client plus what an operator needs to know about where it points.
#[derive(Clone)]
pub struct Connection {
    pub client: kube::Client,
    /// For watches and followed logs, long by design: `--request-timeout` bounds only
    /// their connection, not how long they stay open.
    pub stream_client: kube::Client,
    pub context: String,
    pub server: String,
    /// The proxy requests go through, with where it was configured.
    pub proxy: Option<String>,
    pub request_timeout: Option<Duration>,
    /// `--as`, said beside the context where the user looks.
    pub impersonate: Option<String>,
}

impl Connection {
    pub async fn open(opts: &ConnectOptions) -> Result<Self, ClusterError> {
        let (mut config, context, proxy_url) = load_config(opts).await?;
        let server = config.cluster_url.to_string();
        check_certificate_authority(&config, &context)?;
        let choice = proxy::choose(
            proxy_url.as_deref(),
            &config.cluster_url,
            &ProxyEnv::from_process(),
        )
        .map_err(ClusterError::Config)?;
        let proxy = choice.as_ref().map(|c| format!("{} ({})", c.url, c.source));
        config.proxy_url = choice.map(|c| c.url);
        if let Some(user) = &opts.impersonate {
            config.auth_info.impersonate = Some(user.clone());
        }
        if !opts.impersonate_groups.is_empty() {
            config.auth_info.impersonate_groups = Some(opts.impersonate_groups.clone());
        }
        let plugin = config
            .auth_info
            .exec
            .as_ref()
            .and_then(|e| e.command.clone())
            .map(|c| {
                format!(
                    " (the kubeconfig's exec plugin {:?})",
                    crate::model::logs::clean(&c)
                )
            })
            .unwrap_or_default();
        if let Some(socket) = &opts.terminal_handover {
            super::exec_handover::route_through_shim(&mut config, socket);
        }
        let mut stream_config = config.clone();
        if let Some(timeout) = opts.request_timeout {
            config.connect_timeout = Some(timeout);
            config.read_timeout = Some(timeout);
            config.write_timeout = Some(timeout);
            stream_config.connect_timeout = Some(timeout);
        }
        let build = |config: kube::Config| {
            kube::Client::try_from(config).map_err(|e| {
                ClusterError::Config(format!("cannot build a client for {server}: {e}{plugin}"))
            })
        };
        Ok(Connection {
            client: build(config)?,
            stream_client: build(stream_config)?,
            context,
            proxy,
            request_timeout: opts.request_timeout,
            impersonate: opts.impersonate.clone(),
            server: server.clone(),
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
        ClusterError::from_kube(err, verb, resource, namespace, &self.transport())
    }

    pub fn transport(&self) -> super::error::Transport {
        super::error::Transport {
            server: self.server.clone(),
            proxy: self.proxy.clone(),
            timeout: self.request_timeout,
        }
    }
}

/// The client configuration, the context's name, and the context's cluster `proxy-url`
/// (read here because kube-rs applies `NO_PROXY` to it, which kubectl does not).
async fn load_config(
    opts: &ConnectOptions,
) -> Result<(kube::Config, String, Option<String>), ClusterError> {
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
        // In a pod, a missing kubeconfig means in-cluster; elsewhere its error is the answer.
        None => match Kubeconfig::read() {
            Ok(kc) => Some(kc),
            Err(_) if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => None,
            Err(e) => return Err(ClusterError::Config(format!("no usable kubeconfig: {e}"))),
        },
    };
    match kubeconfig {
        Some(kc) => {
            let context = opts
                .context
                .clone()
                .or_else(|| kc.current_context.clone())
                .unwrap_or_default();
            let proxy_url = cluster_proxy_url(&kc, &context);
            let config = kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| ClusterError::Config(format!("context {context:?}: {e}")))?;
            Ok((config, context, proxy_url))
        }
        None => {
            let config = kube::Config::incluster().map_err(|e| {
                ClusterError::Config(format!(
                    "no kubeconfig ($KUBECONFIG, ~/.kube/config) and not in a pod: {e}"
                ))
            })?;
            Ok((config, "in-cluster".to_string(), None))
        }
    }
}

fn cluster_proxy_url(kc: &Kubeconfig, context: &str) -> Option<String> {
    let cluster = kc
        .contexts
        .iter()
        .find(|c| c.name == context)?
        .context
        .as_ref()?
        .cluster
        .clone();
    kc.clusters
        .iter()
        .find(|c| c.name == cluster)?
        .cluster
        .as_ref()?
        .proxy_url
        .clone()
}

/// kubectl refuses a CA outside its validity period; rustls does not look at a trust
/// anchor's dates, so kdrift does.
fn check_certificate_authority(config: &kube::Config, context: &str) -> Result<(), ClusterError> {
    if config.accept_invalid_certs {
        return Ok(());
    }
    if config.root_cert.as_ref().is_some_and(Vec::is_empty) {
        return Err(ClusterError::Tls {
            server: config.cluster_url.to_string(),
            reason: format!(
                "the certificate authority of context {context:?} holds no PEM certificate (-----BEGIN CERTIFICATE-----): unable to load root certificates"
            ),
        });
    }
    let now = jiff::Timestamp::now();
    for der in config.root_cert.iter().flatten() {
        if let Err(reason) = super::x509::check(der, now) {
            return Err(ClusterError::Tls {
                server: config.cluster_url.to_string(),
                reason: format!("the certificate authority of context {context:?}: {reason}"),
            });
        }
    }
    Ok(())
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

/// `--request-timeout` as kubectl spells it: `0` (none), a bare number of seconds, or a
/// duration with units (`500ms`, `30s`, `2m`, `1h`, `1m30s`).
pub fn parse_request_timeout(text: &str) -> Result<Option<Duration>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(
            "--request-timeout is empty: use 0, a number of seconds, or a duration such as 30s"
                .into(),
        );
    }
    let bad = || {
        format!(
            "invalid --request-timeout {text:?}: use 0, a number of seconds, or a duration such as 30s, 2m, 500ms"
        )
    };
    if let Ok(secs) = text.parse::<u64>() {
        return Ok((secs > 0).then(|| Duration::from_secs(secs)));
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or_else(bad)?;
        let value: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => value / 1000.0,
            "s" => value,
            "m" => value * 60.0,
            "h" => value * 3600.0,
            _ => return Err(bad()),
        };
        total += Duration::from_secs_f64(seconds);
        rest = &rest[unit_len..];
    }
    Ok((!total.is_zero()).then_some(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_timeouts_are_read_as_kubectl_reads_them() {
        assert_eq!(parse_request_timeout("0").unwrap(), None);
        assert_eq!(
            parse_request_timeout("5").unwrap(),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_request_timeout("1m30s").unwrap(),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse_request_timeout("500ms").unwrap(),
            Some(Duration::from_millis(500))
        );
        assert_eq!(parse_request_timeout("0s").unwrap(), None);
        for bad in ["", "5x", "s", "-1", "1.2.3s"] {
            assert!(parse_request_timeout(bad).is_err(), "{bad}");
        }
    }
}
