//! kdrift: GitOps on Kubernetes in the terminal.
//!
//! Module boundaries follow `DESIGN.md`: pure logic in [`model`], Git in [`git`], cluster
//! I/O in [`cluster`], headless subcommands in [`cmd`].

pub mod app;
pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod config;
pub mod git;
pub mod logging;
pub mod memory;
pub mod model;
pub mod ops;
pub mod ui;
