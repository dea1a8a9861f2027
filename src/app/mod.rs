//! The TUI: state, `update`, the event loop and its workers.

pub mod fixtures;
pub mod flows;
pub mod logs;
pub mod run;
pub mod state;
pub mod tree;
pub mod update;
pub mod view;
pub mod workers;
