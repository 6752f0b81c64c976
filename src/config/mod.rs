//! Configuration loading and validation.
//!
//! This is the second stage of the pipeline (cli → **config** → discover →
//! parse → model → rules → suppress → render): the CLI hands us a start
//! directory or an explicit `--config FILE`, and we produce a validated
//! [`Config`] that tells discovery which files to skip, tells the model which
//! columns, tables, methods and types carry the tenant, and tells the rule
//! engine at which [`Level`] each rule reports. Configuration lives either in
//! a `tenant-lint.toml` file or in a `[workspace.metadata.tenant-lint]` /
//! `[package.metadata.tenant-lint]` table of a `Cargo.toml`. Every problem in
//! the file (syntax errors, unknown keys, wrong types, bad values) is a
//! [`ConfigError`] carrying the file path, a 1-based line and column and a
//! byte span so that the renderer can show a snippet.
//!
//! `types` holds the data, `load` finds, reads and parses files (spans come
//! from `toml_edit`'s public API), `validate` turns a table into a `Config`,
//! `globs` compiles the path patterns.

mod globs;
mod load;
mod types;
pub(crate) mod validate;

pub use load::{find_and_load, load_file};
pub use types::{
    Config, ConfigError, FilesConfig, Level, ReachConfig, RlsConfig, SuperuserConfig, TenantConfig,
};

/// The tenant columns assumed when `tenant.columns` is not configured.
pub const DEFAULT_TENANT_COLUMNS: &[&str] =
    &["tenant_id", "org_id", "organization_id", "workspace_id"];

/// Name of the dedicated configuration file looked for in each directory.
pub const CONFIG_FILE_NAME: &str = "tenant-lint.toml";

/// Name of the Cargo manifest whose `metadata.tenant-lint` table is also read.
pub const CARGO_FILE_NAME: &str = "Cargo.toml";

#[cfg(test)]
mod tests;
