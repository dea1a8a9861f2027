//! Tasks of an opened app besides its drift and health: what RBAC allows, history pages,
//! the marked commit's comparison, and Markdown exports.

use super::{Context, Sender};
use crate::app::msg::Msg;
use crate::git::history::History;
use crate::git::{App, AppSpec};

/// Compares the app at two commits, off the loop.
pub fn spawn_compare(ctx: &Context, tx: Sender, generation: u64, base: String, head: String) {
    let spec = ctx.spec.clone();
    tokio::task::spawn_blocking(move || {
        let result = crate::ops::review::compare_commits(&spec, &base, &head)
            .map(Box::new)
            .map_err(|e| e.to_string());
        let _ = tx.send(Msg::Compared { generation, result });
    });
}

/// Writes an export to `exports/` in kdrift's data directory (created private).
pub fn spawn_export(tx: Sender, app: &str, what: &str, markdown: String) {
    let name: String = format!("kdrift-{app}-{what}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    tokio::task::spawn_blocking(move || {
        let result = (|| {
            let dirs = crate::config::project_dirs().ok_or("no data directory on this system")?;
            let dir = dirs.data_dir().join("exports");
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
            let path = dir.join(format!("{name}-{stamp}.md"));
            std::fs::write(&path, markdown).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok::<_, String>(path.display().to_string())
        })();
        let _ = tx.send(Msg::Exported(result));
    });
}

/// What RBAC lets the user do with the app, once when it opens: on the objects the drift
/// worker read from Git (reading them again here doubled the work before the tree).
pub fn spawn_access(
    ctx: &Context,
    tx: Sender,
    objects: tokio::sync::oneshot::Receiver<Vec<crate::model::object::ObjectId>>,
) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let Ok(objects) = objects.await else {
            return;
        };
        let access =
            crate::cluster::access::review(&ctx.conn, &objects, &ctx.drift.namespace).await;
        let _ = tx.send(Msg::Access(access));
    })
}

/// History pages, on a thread of its own that keeps the walker (and its caches).
pub fn spawn_history(spec: AppSpec, tx: Sender) -> std::sync::mpsc::Sender<()> {
    const PAGE: usize = 50;
    let (req_tx, req_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let opened = App::open(&spec).and_then(|app| Ok((app.resolve("HEAD")?, app)));
        let (head, app) = match opened {
            Ok(opened) => opened,
            Err(e) => {
                let _ = tx.send(Msg::History {
                    result: Err(e.to_string()),
                    done: true,
                });
                return;
            }
        };
        let mut history = History::first_parent(&app, head);
        while req_rx.recv().is_ok() {
            let msg = match history.next_page(PAGE) {
                Ok(page) => {
                    let done = page.len() < PAGE;
                    let entries = page.iter().map(|c| history.changes(c)).collect();
                    crate::memory::release_freed();
                    Msg::History {
                        result: Ok(entries),
                        done,
                    }
                }
                Err(e) => Msg::History {
                    result: Err(e.to_string()),
                    done: true,
                },
            };
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
    req_tx
}
