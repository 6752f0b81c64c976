//! The failures of a run itself, which end it with exit code 2: a bad
//! configuration, a path that cannot be read or written, bad arguments.
//! Problems with the analysed code are findings, never errors.

use crate::config::ConfigError;
use std::path::PathBuf;

/// A failure of the run itself (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid.
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// A path could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
}
