//! Pure domain logic: no I/O, no clients, no terminal.

pub mod health;
pub mod time;
