//! Everything that talks to the Kubernetes API server.

pub mod connect;
pub mod error;
pub mod health;
pub mod workloads;

pub use connect::{ConnectOptions, Connection};
pub use error::ClusterError;
