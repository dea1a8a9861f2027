//! Which proxy, if any, carries requests to the API server: kubectl's rule (client-go with
//! Go's `httpproxy`). A kubeconfig cluster's `proxy-url` always wins and ignores `NO_PROXY`;
//! otherwise `HTTPS_PROXY` (for an `https` server) or `HTTP_PROXY` (for `http`), upper case
//! first, unless the server is localhost, a loopback address, or matched by `NO_PROXY`.
//!
//! kube-rs applies `NO_PROXY` to the proxy's own address rather than the server's, so kdrift
//! decides here and sets the result on the client's configuration.

use std::net::IpAddr;

/// The proxy settings of the environment, read once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub https_proxy: Option<String>,
    pub http_proxy: Option<String>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    pub fn from_process() -> Self {
        let var = |upper: &str, lower: &str| {
            [upper, lower]
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        };
        ProxyEnv {
            https_proxy: var("HTTPS_PROXY", "https_proxy"),
            http_proxy: var("HTTP_PROXY", "http_proxy"),
            no_proxy: var("NO_PROXY", "no_proxy"),
        }
    }
}

/// Where the choice came from, for messages ("through the proxy … (HTTPS_PROXY)").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyChoice {
    pub url: http::Uri,
    pub source: &'static str,
}

/// The proxy for `server`, or `None` for a direct connection.
pub fn choose(
    kubeconfig_proxy_url: Option<&str>,
    server: &http::Uri,
    env: &ProxyEnv,
) -> Result<Option<ProxyChoice>, String> {
    if let Some(url) = kubeconfig_proxy_url.filter(|u| !u.trim().is_empty()) {
        return parse_proxy(url, "the kubeconfig's proxy-url").map(Some);
    }
    let (value, source) = match server.scheme_str() {
        Some("http") => (env.http_proxy.as_deref(), "HTTP_PROXY"),
        _ => (env.https_proxy.as_deref(), "HTTPS_PROXY"),
    };
    let Some(value) = value else {
        return Ok(None);
    };
    let host = server.host().unwrap_or_default();
    let port = server
        .port_u16()
        .unwrap_or(if server.scheme_str() == Some("http") {
            80
        } else {
            443
        });
    if !uses_proxy(host, port, env.no_proxy.as_deref().unwrap_or_default()) {
        return Ok(None);
    }
    parse_proxy(value, source).map(Some)
}

fn parse_proxy(value: &str, source: &'static str) -> Result<ProxyChoice, String> {
    let value = value.trim();
    // Go assumes http:// when the scheme is left out, and so does kubectl.
    let with_scheme = if value.contains("://") {
        value.to_string()
    } else {
        format!("http://{value}")
    };
    let url: http::Uri = with_scheme
        .parse()
        .map_err(|e| format!("{source} {value:?} is not a URL ({e})"))?;
    match url.scheme_str() {
        Some("http" | "https" | "socks5") if url.host().is_some() => {
            Ok(ProxyChoice { url, source })
        }
        Some("http" | "https" | "socks5") => Err(format!("{source} {value:?} names no host")),
        other => Err(format!(
            "{source} {value:?}: the scheme {} is not supported (http, https or socks5)",
            other.unwrap_or_default()
        )),
    }
}

/// Go's `httpproxy.useProxy`: false for localhost, loopback, and hosts `no_proxy` names.
fn uses_proxy(host: &str, port: u16, no_proxy: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let ip = host.parse::<IpAddr>().ok();
    if host.eq_ignore_ascii_case("localhost") || ip.is_some_and(|ip| ip.is_loopback()) {
        return false;
    }
    let host = host.to_ascii_lowercase();
    !no_proxy
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| no_proxy_matches(entry, &host, ip, port))
}

fn no_proxy_matches(entry: &str, host: &str, ip: Option<IpAddr>, port: u16) -> bool {
    if entry == "*" {
        return true;
    }
    if let Some((net, bits)) = entry.split_once('/') {
        return match (ip, net.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Some(ip), Ok(net), Ok(bits)) => in_cidr(ip, net, bits),
            _ => false,
        };
    }
    let (name, entry_port) = split_port(entry);
    if entry_port.is_some_and(|p| p != port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if let Ok(entry_ip) = name.parse::<IpAddr>() {
        return ip == Some(entry_ip);
    }
    let name = name.to_ascii_lowercase();
    let name = name.strip_prefix('*').unwrap_or(&name);
    match name.strip_prefix('.') {
        // ".example.com" matches subdomains only.
        Some(suffix) => host.ends_with(&format!(".{suffix}")),
        // "example.com" matches it and its subdomains.
        None => host == name || host.ends_with(&format!(".{name}")),
    }
}

fn split_port(entry: &str) -> (&str, Option<u16>) {
    // An IPv6 address without brackets has colons but no port.
    if entry.matches(':').count() > 1 && !entry.starts_with('[') {
        return (entry, None);
    }
    match entry.rsplit_once(':') {
        Some((name, port)) => match port.parse() {
            Ok(port) => (name, Some(port)),
            Err(_) => (entry, None),
        },
        None => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u32) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: &str, no_proxy: &str) -> ProxyEnv {
        ProxyEnv {
            https_proxy: Some(https.into()),
            http_proxy: None,
            no_proxy: Some(no_proxy.into()),
        }
    }

    fn choice(server: &str, env: &ProxyEnv) -> Option<String> {
        choose(None, &server.parse().unwrap(), env)
            .unwrap()
            .map(|c| c.url.to_string())
    }

    #[test]
    fn loopback_and_localhost_never_go_through_the_environments_proxy() {
        let env = env("http://proxy.corp:3128", "");
        assert_eq!(choice("https://127.0.0.1:6443", &env), None);
        assert_eq!(choice("https://localhost:6443", &env), None);
        assert_eq!(choice("https://[::1]:6443", &env), None);
        assert_eq!(
            choice("https://10.1.2.3:6443", &env).as_deref(),
            Some("http://proxy.corp:3128/")
        );
    }

    #[test]
    fn no_proxy_matches_the_server_by_cidr_ip_suffix_and_port() {
        let env = env(
            "proxy.corp:3128",
            "10.0.0.0/8, 192.168.1.7,.internal,example.com,api.other:8443",
        );
        assert_eq!(choice("https://10.9.9.9:6443", &env), None);
        assert_eq!(choice("https://192.168.1.7", &env), None);
        assert_eq!(choice("https://k8s.internal:6443", &env), None);
        assert!(
            choice("https://internal:6443", &env).is_some(),
            "leading dot: subdomains only"
        );
        assert_eq!(choice("https://example.com", &env), None);
        assert_eq!(choice("https://api.example.com", &env), None);
        assert_eq!(choice("https://api.other:8443", &env), None);
        assert!(
            choice("https://api.other:6443", &env).is_some(),
            "another port"
        );
        assert!(choice("https://192.168.1.8", &env).is_some());
        assert!(choice("https://notexample.com", &env).is_some());
        assert_eq!(
            choice("https://11.0.0.1", &env).as_deref(),
            Some("http://proxy.corp:3128/"),
            "no scheme means http"
        );
        assert_eq!(
            choice("https://anything", &self::tests::env("p:1", "*")),
            None
        );
    }

    #[test]
    fn the_kubeconfig_proxy_url_wins_and_ignores_no_proxy() {
        let env = env("http://env-proxy:1", "*");
        let chosen = choose(
            Some("socks5://127.0.0.1:1080"),
            &"https://127.0.0.1:6443".parse().unwrap(),
            &env,
        )
        .unwrap()
        .unwrap();
        assert_eq!(chosen.url.to_string(), "socks5://127.0.0.1:1080/");
        assert_eq!(chosen.source, "the kubeconfig's proxy-url");
    }

    #[test]
    fn an_http_server_uses_http_proxy_only() {
        let env = ProxyEnv {
            https_proxy: Some("http://s:1".into()),
            http_proxy: None,
            no_proxy: None,
        };
        assert_eq!(choice("http://10.0.0.1:8080", &env), None);
    }

    #[test]
    fn an_unsupported_scheme_is_named() {
        let err = choose(
            Some("ftp://p:21"),
            &"https://10.0.0.1".parse().unwrap(),
            &ProxyEnv::default(),
        )
        .unwrap_err();
        assert!(err.contains("ftp") && err.contains("proxy-url"), "{err}");
    }
}
