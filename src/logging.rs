//! Logging with `tracing` to a file in kdrift's data directory, never to the terminal.
//! The level comes from `KDRIFT_LOG` (default `warn`).

use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let Some(dirs) = crate::config::project_dirs() else {
        return;
    };
    let dir = dirs.data_dir();
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("kdrift.log"))
    else {
        return;
    };
    let filter = EnvFilter::try_from_env("KDRIFT_LOG").unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Marks the process's start, for milestones measured from it (call first thing in main).
pub fn mark_start() {
    let _ = STARTED.set(std::time::Instant::now());
}

/// Time since [`mark_start`] (zero when it was never called).
pub fn since_start() -> std::time::Duration {
    STARTED.get().map(|s| s.elapsed()).unwrap_or_default()
}
