//! The TUI's side of the exec-plugin hand-over (see `cluster::exec_handover`): a private
//! Unix socket whose requests the loop answers by restoring the terminal until the plugin
//! is done. Before the TUI holds the terminal (and after), requests are granted at once.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};

/// A plugin wants the terminal: `granted` once it has it, `finished` when it is done.
pub struct Request {
    pub granted: oneshot::Sender<()>,
    pub finished: oneshot::Receiver<()>,
}

pub struct Handover {
    pub socket: PathBuf,
    pub requests: mpsc::UnboundedReceiver<Request>,
    /// Whether the TUI holds the terminal (only then is there anything to hand over).
    pub active: Arc<AtomicBool>,
    // The socket's directory (mode 0700), removed with the hand-over.
    _dir: tempfile::TempDir,
}

impl Handover {
    /// Listens; must run inside the runtime.
    pub fn start() -> std::io::Result<Handover> {
        let dir = tempfile::Builder::new()
            .prefix("kdrift-handover-")
            .tempdir()?;
        let socket = dir.path().join("socket");
        let listener = UnixListener::bind(&socket)?;
        let (tx, requests) = mpsc::unbounded_channel();
        let active = Arc::new(AtomicBool::new(false));
        let held = active.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, tx.clone(), held.clone()));
            }
        });
        Ok(Handover {
            socket,
            requests,
            active,
            _dir: dir,
        })
    }

    /// The next request, or never when there is no hand-over.
    pub async fn next(handover: &mut Option<Handover>) -> Request {
        match handover {
            Some(h) => match h.requests.recv().await {
                Some(r) => r,
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    }
}

async fn serve(stream: UnixStream, tx: mpsc::UnboundedSender<Request>, active: Arc<AtomicBool>) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    if !matches!(lines.next_line().await, Ok(Some(l)) if l == "suspend") {
        return;
    }
    let (granted_tx, granted) = oneshot::channel();
    let (finished, finished_rx) = oneshot::channel();
    let asked = active.load(Ordering::SeqCst)
        && tx
            .send(Request {
                granted: granted_tx,
                finished: finished_rx,
            })
            .is_ok();
    if asked && granted.await.is_err() {
        return;
    }
    if write.write_all(b"ok\n").await.is_err() {
        return;
    }
    // "resume", or the end of the stream when the shim ends.
    let _ = lines.next_line().await;
    let _ = finished.send(());
}
