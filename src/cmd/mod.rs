//! Headless subcommands, thin over `model`, `git` and `cluster`.

pub mod app;
pub mod apps;
pub mod demo;
pub mod diff;
pub mod exec_shim;
pub mod health;
pub mod history;
pub mod log;
pub mod meta;
pub mod output;
pub mod render;
pub mod review;
pub mod sync;
pub mod tui;

/// What a subcommand asks the process to exit with.
pub type ExitCode = u8;
