//! Reading the desired state from Git with gix: trees and blobs at any commit (no checkout,
//! the working tree untouched), the working tree on request, kustomize, and history.

pub mod app;
pub mod error;
pub mod history;
pub mod kustomize;
pub mod revert;
pub mod tree;
pub mod worktree;

pub use app::{App, AppSpec, Revision};
pub use error::GitError;
