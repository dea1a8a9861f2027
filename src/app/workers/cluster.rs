//! The cluster's side of an opened app: the control plane's and nodes' health, polled,
//! and the pods of the app's workloads, kept by watches.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use super::{Context, Sender};
use crate::app::msg::Msg;

const HEALTH_PERIOD: Duration = Duration::from_secs(5);

/// Health of the control plane and nodes, every few seconds and on refresh.
pub fn spawn_health(
    ctx: &Context,
    tx: Sender,
    refresh: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let per_node = crate::cluster::pods::per_node::PodsPerNode::start(&ctx.conn);
        loop {
            let result =
                crate::cluster::health_report::report_with(&ctx.conn, &[], Some(&per_node))
                    .await
                    .map_err(|e| e.to_string());
            if tx.send(Msg::Health(result)).is_err() {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(HEALTH_PERIOD) => {}
                _ = refresh.notified() => {}
            }
        }
    })
}

/// Where the app's workloads live, as the drift worker last read Git (`None` before).
pub type Namespaces = tokio::sync::watch::Receiver<Option<Vec<String>>>;

/// The pods of the app's workloads, kept by watches in the namespaces where Git puts them
/// (watched anew when a reread of Git moves them).
pub fn spawn_pods(
    ctx: &Context,
    tx: Sender,
    mut namespaces: Namespaces,
) -> tokio::task::JoinHandle<()> {
    let conn = ctx.conn.clone();
    tokio::spawn(async move {
        loop {
            let current = namespaces.borrow_and_update().clone();
            if let Some(listed) = current {
                let send = |pods| tx.send(Msg::Pods(pods)).is_ok();
                let watched =
                    crate::cluster::pods::watch::watch_app_pods(conn.clone(), listed, send);
                tokio::select! {
                    // Ended: the screen is gone, or there is nothing to watch.
                    () = watched => if tx.is_closed() { return },
                    changed = namespaces.changed() => match changed {
                        Ok(()) => continue,
                        Err(_) => return,
                    },
                }
            }
            if namespaces.changed().await.is_err() {
                return;
            }
        }
    })
}
