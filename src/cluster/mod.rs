//! Everything that talks to the Kubernetes API server.

pub mod access;
pub mod apply;
pub mod connect;
pub mod controllers;
pub mod discovery;
pub mod drift;
pub mod error;
pub mod exec_handover;
pub mod health;
pub mod health_report;
pub mod hooks;
pub mod live;
pub mod local;
pub mod logs;
pub mod pods;
pub mod proxy;
pub mod sync;
pub mod workloads;
pub mod x509;

pub use connect::{ConnectOptions, Connection};
pub use error::ClusterError;
