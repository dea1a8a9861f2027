//! kdrift: GitOps on Kubernetes in the terminal.
//!
//! Module boundaries follow `DESIGN.md`: pure logic in [`model`], Git in [`git`], cluster
//! I/O in [`cluster`], headless subcommands in [`cmd`].

pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod git;
pub mod model;
