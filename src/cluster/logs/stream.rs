//! One log stream (a pod's container): follow with reconnects and backoff, read in chunks,
//! cut overlong lines, resume after a drop without repeating lines, mask Secret values.

use std::sync::Arc;
use std::time::Duration;

use futures::AsyncReadExt;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};

use super::{Connection, LogEvent, Sink};
use crate::model::logs::{Resume, clean, split_timestamp};

#[derive(Debug, Clone)]
pub(super) struct StreamSpec {
    pub(super) namespace: String,
    pub(super) pod: String,
    pub(super) container: String,
    pub(super) previous: bool,
    pub(super) tail: i64,
    pub(super) redact: Arc<crate::model::secret::Redactor>,
}

impl StreamSpec {
    fn source(&self) -> String {
        format!("{}/{}", self.pod, self.container)
    }
}

const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// One container's log: follows it (unless `previous`), reconnecting with backoff when the
/// stream drops, until the pod is gone, access is refused, or the sink stops listening.
pub(super) async fn follow(conn: Connection, spec: StreamSpec, sink: Sink) {
    let api: Api<Pod> = Api::namespaced(conn.stream_client.clone(), &spec.namespace);
    let source = spec.source();
    let status = |text: String| {
        sink(LogEvent::Status {
            source: source.clone(),
            text,
        })
    };
    let mut resume = Resume::default();
    let mut backoff = Duration::from_millis(500);
    let mut first = true;
    loop {
        let since = if first { None } else { resume.reconnect() };
        let params = LogParams {
            container: Some(spec.container.clone()),
            follow: !spec.previous,
            previous: spec.previous,
            timestamps: true,
            tail_lines: (first || since.is_none()).then_some(spec.tail),
            since_time: since,
            ..Default::default()
        };
        first = false;
        // The node answers a followed log only with its first line: until then, say so.
        if !status("waiting for lines".into()) {
            return;
        }
        match api.log_stream(&spec.pod, &params).await {
            Ok(reader) => {
                if !status(if spec.previous {
                    "previous container".into()
                } else {
                    "streaming".into()
                }) {
                    return;
                }
                let got = match read_lines(reader, &mut resume, &spec, &sink).await {
                    Some(n) => n,
                    None => return,
                };
                if got > 0 {
                    backoff = Duration::from_millis(500);
                }
                if spec.previous {
                    status("previous container's log: end".into());
                    return;
                }
                if !status(format!(
                    "stream ended; reconnecting in {:.1}s",
                    backoff.as_secs_f32()
                )) {
                    return;
                }
            }
            Err(e) => {
                let permanent =
                    matches!(&e, kube::Error::Api(s) if matches!(s.code, 400 | 401 | 403 | 404));
                let text = conn
                    .error(
                        e,
                        "get",
                        &format!("pods/log {}", spec.source()),
                        Some(&spec.namespace),
                    )
                    .to_string();
                if permanent {
                    status(text);
                    return;
                }
                if !status(format!("{text}; retrying in {:.1}s", backoff.as_secs_f32())) {
                    return;
                }
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Reads a stream to its end in chunks (each chunk's complete lines become one event).
/// Returns the number of new lines, or `None` when the sink stopped listening.
pub(super) async fn read_lines(
    reader: impl futures::AsyncBufRead + Unpin,
    resume: &mut Resume,
    spec: &StreamSpec,
    sink: &Sink,
) -> Option<usize> {
    let mut reader = reader;
    let mut chunk = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    let mut count = 0;
    loop {
        let n = match reader.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        pending.extend_from_slice(&chunk[..n]);
        let cut = match pending.iter().rposition(|b| *b == b'\n') {
            Some(end) => end + 1,
            // A line with no end in sight is cut rather than held without bound.
            None if pending.len() > MAX_PENDING => pending.len(),
            None => continue,
        };
        let complete: Vec<u8> = pending.drain(..cut).collect();
        count += emit(&complete, resume, spec, sink)?;
    }
    count += emit(&pending, resume, spec, sink)?;
    Some(count)
}

const MAX_PENDING: usize = 1024 * 1024;

/// Sends the new lines among `bytes`; `None` when the sink stopped listening.
fn emit(bytes: &[u8], resume: &mut Resume, spec: &StreamSpec, sink: &Sink) -> Option<usize> {
    let lines = decode(bytes, resume, &spec.redact);
    let n = lines.len();
    if n > 0
        && !sink(LogEvent::Lines {
            source: spec.source(),
            lines,
        })
    {
        return None;
    }
    Some(n)
}

/// Secret values shorter than this are not masked in logs: masking "80" or "yes" would
/// hide half of every line.
fn decode(
    bytes: &[u8],
    resume: &mut Resume,
    redact: &crate::model::secret::Redactor,
) -> Vec<(Option<Timestamp>, String)> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|raw| {
            let (ts, text) = split_timestamp(raw);
            resume.accept(ts).then(|| {
                let text = clean(text);
                let text = if redact.is_empty() {
                    text
                } else {
                    redact.redact(&text)
                };
                (ts, text)
            })
        })
        .collect()
}
