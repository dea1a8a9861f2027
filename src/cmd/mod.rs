//! Headless subcommands, thin over `model` and `cluster`.

pub mod health;

/// What a subcommand asks the process to exit with.
pub type ExitCode = u8;
