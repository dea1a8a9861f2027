//! One-off tasks of an opened app: what RBAC allows, the marked commit's comparison, and
//! Markdown exports.

use super::{Context, Sender};
use crate::app::msg::Msg;

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

/// What RBAC lets the user do with the app, once when it opens.
pub fn spawn_access(ctx: &Context, tx: Sender) -> tokio::task::JoinHandle<()> {
    let ctx = ctx.clone();
    tokio::spawn(async move {
        let Ok((_, desired)) = crate::ops::sync::desired_at(&ctx.spec, "HEAD").await else {
            return;
        };
        let access =
            crate::cluster::access::review(&ctx.conn, &desired, &ctx.drift.namespace).await;
        let _ = tx.send(Msg::Access(access));
    })
}
