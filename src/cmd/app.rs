//! The app arguments and settings into an opened app or a flow's context: one place, in
//! `ops`, shared with the TUI.

pub use crate::ops::context::{context, open, revision, spec};
