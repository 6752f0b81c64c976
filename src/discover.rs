//! File discovery: walks the scanned paths like ripgrep does (the `ignore`
//! crate: `.gitignore`, hidden files, Cargo `target/` directories), applies
//! `[files] exclude`, and sets test code aside unless asked for. Every file
//! found is accounted for: kept, or counted as skipped by configuration.

use crate::config::Config;
use std::path::{Component, Path, PathBuf};

/// A file to analyse.
#[derive(Debug, Clone)]
pub struct SourcePath {
    /// Absolute (or as given) path to read.
    pub path: PathBuf,
    /// Path relative to the scanned root, `/`-separated.
    pub rel: String,
}

/// Something the walk could not read.
#[derive(Debug, Clone)]
pub struct WalkError {
    /// Path involved, if known.
    pub path: Option<PathBuf>,
    /// What went wrong.
    pub message: String,
}

/// Result of discovery.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to analyse, sorted by relative path.
    pub files: Vec<SourcePath>,
    /// Files left out by `[files] exclude` or because they are test code.
    pub skipped: usize,
    /// Entries the walk could not read.
    pub errors: Vec<WalkError>,
}

/// Directory names that hold test code by Cargo convention.
const TEST_DIRS: &[&str] = &["tests", "benches", "examples"];

/// Whether a relative path lies in a test directory.
pub fn in_test_dir(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts.iter().any(|p| TEST_DIRS.contains(p))
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect();
    parts.join("/")
}

fn is_cargo_target(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "target")
        && (dir.join("CACHEDIR.TAG").exists() || dir.join(".rustc_info.json").exists())
}

/// Walks `paths` (files or directories); `root` is what relative paths are
/// relative to.
pub fn discover(paths: &[PathBuf], root: &Path, config: &Config, include_tests: bool) -> Discovery {
    let mut out = Discovery::default();
    let mut seen = std::collections::HashSet::new();
    for p in paths {
        let mut builder = ignore::WalkBuilder::new(p);
        builder
            .standard_filters(true)
            .require_git(false)
            .follow_links(false)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir()) && is_cargo_target(e.path()))
            });
        for entry in builder.build() {
            let entry = match entry {
                Ok(e) => e,
                Err(err) => {
                    out.errors.push(WalkError {
                        path: None,
                        message: err.to_string(),
                    });
                    continue;
                }
            };
            let path = entry.path();
            let is_rs = path.extension().is_some_and(|e| e == "rs");
            if !is_rs || !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            if !seen.insert(path.to_path_buf()) {
                continue;
            }
            let rel = rel_path(root, path);
            if config.files.exclude_set.is_match(&rel) || (!include_tests && in_test_dir(&rel)) {
                out.skipped += 1;
                continue;
            }
            out.files.push(SourcePath {
                path: path.to_path_buf(),
                rel,
            });
        }
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_dirs() {
        assert!(in_test_dir("crates/api/tests/it.rs"));
        assert!(in_test_dir("examples/demo.rs"));
        assert!(!in_test_dir("src/tests.rs"));
        assert!(!in_test_dir("src/examples_util.rs"));
    }
}
