//! tenant-lint: finds database queries that can leak one tenant's data to
//! another in Rust backends (SeaORM, Diesel, diesel-async), by reading the
//! source without compiling it.
//!
//! The pipeline, one module per stage: `cli` (in the binary) → [`config`] →
//! [`discover`] → [`parse`] → [`model`] (tenant schema + query facts) →
//! [`rules`] → [`suppress`] → [`render`]. [`engine`] drives it and fills a
//! [`report::Report`]. ARCHITECTURE.md gives the layers and what each may
//! import (checked by `tests/it/architecture.rs`).

pub mod atomic_file;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod error;
pub mod fix;
pub mod incremental;
pub mod init;
pub mod model;
pub mod orm;
pub mod parse;
pub mod reach;
pub mod render;
pub mod report;
pub mod rules;
pub mod rustlex;
pub mod since;
pub mod sql;
pub mod suppress;
pub mod workspace;
