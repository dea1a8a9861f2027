//! The TUI: state, `update`, the event loop and its workers.

pub mod apps_pane;
pub mod data;
pub mod diff;
pub mod dispatch;
pub mod export;
pub mod fixtures;
pub mod flows;
pub mod handover;
pub mod history;
pub mod logs;
pub mod logs_view;
pub mod milestones;
pub mod msg;
pub mod popup;
pub mod run;
pub mod state;
pub mod tree;
pub mod tree_pane;
pub mod update;
pub mod view;
pub mod workers;
