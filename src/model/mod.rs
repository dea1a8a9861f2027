//! Pure domain logic: no I/O, no clients, no terminal.

pub mod access;
pub mod appfile;
pub mod applyset;
pub mod controller;
pub mod desired;
pub mod diff;
pub mod drift;
pub mod equivalent;
pub mod fields;
pub mod health;
pub mod hook;
pub mod ignore;
pub mod local;
pub mod logs;
pub mod manifest;
pub mod migrate;
pub mod normalize;
pub mod object;
pub mod plan;
pub mod review;
pub mod secret;
pub mod source;
pub mod text;
pub mod time;
pub mod tracking;
pub mod yaml;
