//! Reading the desired state from Git with gix: trees and blobs at any commit (no checkout,
//! the working tree untouched), the working tree on request, kustomize, and history.

pub mod app;
pub mod apps;
pub mod error;
pub mod files;
pub mod helm;
pub mod history;
pub mod inputs;
pub mod jsonnet;
pub mod kustomize;
pub mod remotes;
pub mod render;
pub mod revert;
pub mod run;
pub mod tree;
pub mod worktree;

pub use app::{App, AppSpec, Revision};
pub use error::GitError;
