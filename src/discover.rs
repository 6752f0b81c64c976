//! File discovery: walks the scanned paths like ripgrep does (the `ignore`
//! crate: `.gitignore`, hidden files, Cargo `target/` directories), applies
//! `[files] exclude`, and sets test code aside unless asked for. Every file
//! found is accounted for: kept, or counted as skipped by configuration.

use crate::config::Config;
use std::path::{Component, Path, PathBuf};

/// What a discovered file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Rust source.
    Rust,
    /// A SQL migration or schema dump (a source of the tenant model).
    Migration,
}

/// A file to analyse.
#[derive(Debug, Clone)]
pub struct SourcePath {
    /// Absolute (or as given) path to read.
    pub path: PathBuf,
    /// Path relative to the scanned root, `/`-separated.
    pub rel: String,
    /// Rust or SQL.
    pub kind: FileKind,
    /// Size and modification time (ns since the epoch), when known: lets
    /// the cache skip reading files that did not change.
    pub stamp: Option<(u64, u128)>,
}

/// Whether a folder holds migrations: `migrations/`, and a store's own set
/// beside it (`ch_migrations/`, `clickhouse-migrations/`).
pub fn is_migration_folder(name: &str) -> bool {
    name == "migrations"
        || name == "migration"
        || name.ends_with("_migrations")
        || name.ends_with("-migrations")
}

/// Whether a `.sql` file is a migration applied going forward (Diesel
/// `migrations/*/up.sql`, sqlx `migrations/NNNN_name.sql` and
/// `.up.sql`, refinery `V1__name.sql`; also in a folder named like
/// `ch_migrations/`) or a schema dump (`schema.sql`,
/// `structure.sql`). Down and undo migrations are not.
pub fn is_migration(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if !name.ends_with(".sql") {
        return false;
    }
    if matches!(name, "schema.sql" | "structure.sql") {
        return true;
    }
    let in_migrations = rel.split('/').any(is_migration_folder);
    let refinery_undo =
        name.starts_with('U') && name[1..].starts_with(|c: char| c.is_ascii_digit());
    let down = name == "down.sql" || name.ends_with(".down.sql") || refinery_undo;
    in_migrations && !down
}

/// Compares paths so that numbers sort by value (`V2__` before `V10__`),
/// the order migration tools apply them in.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    // Skip the common prefix (most paths share their directories), backing
    // up to the start of a digit run so numbers still compare whole.
    let mut same = x.iter().zip(y).take_while(|(c, d)| c == d).count();
    while same > 0 && x[same - 1].is_ascii_digit() {
        same -= 1;
    }
    compare_runs(&x[same..], &y[same..])
}

/// The natural order of `x` and `y`, digit run by digit run.
fn compare_runs(mut x: &[u8], mut y: &[u8]) -> std::cmp::Ordering {
    loop {
        match (x.first(), y.first()) {
            (None, None) => return std::cmp::Ordering::Equal,
            (None, _) => return std::cmp::Ordering::Less,
            (_, None) => return std::cmp::Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let xn = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let yn = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let trim = |s: &'_ [u8]| -> usize { s.iter().take_while(|&&c| c == b'0').count() };
                let xs = &x[trim(&x[..xn])..xn];
                let ys = &y[trim(&y[..yn])..yn];
                let ord = xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys));
                if ord != std::cmp::Ordering::Equal {
                    return ord;
                }
                x = &x[xn..];
                y = &y[yn..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
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
    let dirs = rel.rsplit_once('/').map_or("", |(d, _)| d);
    !dirs.is_empty() && dirs.split('/').any(|p| TEST_DIRS.contains(&p))
}

fn rel_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let mut out = String::with_capacity(rel.as_os_str().len());
    for c in rel.components() {
        let part = match c {
            Component::Normal(s) => s.to_string_lossy(),
            Component::ParentDir => "..".into(),
            _ => continue,
        };
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&part);
    }
    out
}

fn is_cargo_target(dir: &Path) -> bool {
    dir.file_name().is_some_and(|n| n == "target")
        && (dir.join("CACHEDIR.TAG").exists() || dir.join(".rustc_info.json").exists())
}

/// What the walk makes of one entry.
enum Found {
    File(SourcePath),
    Skipped(PathBuf),
    Error(WalkError),
}

/// Whether a file is test code by where it lies: in a test directory
/// below the part of its path the user named (`check examples/shop`
/// analyses that example; its own `tests/` stay test code). `named` holds
/// the named paths relative to the root (a directory ends with `/`).
fn in_test_dir_below(rel: &str, named: &[String]) -> bool {
    let inner = named.iter().find_map(|n| rel.strip_prefix(n.as_str()));
    in_test_dir(inner.unwrap_or(rel))
}

/// Judges one walked entry (`None`: not a file we look at).
fn classify(
    entry: Result<ignore::DirEntry, ignore::Error>,
    root: &Path,
    config: &Config,
    include_tests: bool,
    named: &[String],
) -> Option<Found> {
    let entry = match entry {
        Ok(e) => e,
        Err(err) => {
            return Some(Found::Error(WalkError {
                path: None,
                message: err.to_string(),
            }))
        }
    };
    let path = entry.path();
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("rs") => FileKind::Rust,
        Some("sql") => FileKind::Migration,
        _ => return None,
    };
    let ft = entry.file_type();
    if ft.is_some_and(|t| t.is_dir()) {
        return None;
    }
    if !ft.is_some_and(|t| t.is_file()) {
        // A FIFO, socket or device named `.rs`: never read (it could
        // block), but never silently ignored either.
        return Some(Found::Error(WalkError {
            path: Some(path.to_path_buf()),
            message: "not a regular file; not analysed".into(),
        }));
    }
    let rel = rel_path(root, path);
    if kind == FileKind::Migration && !is_migration(&rel) {
        return None;
    }
    if config.files.exclude_set.is_match(&rel) || (!include_tests && in_test_dir_below(&rel, named))
    {
        return Some(Found::Skipped(path.to_path_buf()));
    }
    let stamp = entry.metadata().ok().and_then(|m| {
        let t = m
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        Some((m.len(), t.as_nanos()))
    });
    Some(Found::File(SourcePath {
        path: path.to_path_buf(),
        rel,
        kind,
        stamp,
    }))
}

/// Walks `paths` (files or directories) on `threads` threads (0: one per
/// core); `root` is what relative paths are relative to, and `named` the
/// paths the user named, relative to it (a directory ends with `/`): test
/// directories above them do not make their files test code. The result
/// does not depend on the thread count: files are sorted by relative path
/// and errors by path and message.
pub fn discover(
    paths: &[PathBuf],
    root: &Path,
    config: &Config,
    include_tests: bool,
    named: &[String],
    threads: usize,
) -> Discovery {
    let found = std::sync::Mutex::new(Vec::new());
    for p in paths {
        let mut builder = ignore::WalkBuilder::new(p);
        builder
            .standard_filters(true)
            .require_git(false)
            .follow_links(false)
            .threads(threads)
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir()) && is_cargo_target(e.path()))
            });
        builder.build_parallel().run(|| {
            let found = &found;
            Box::new(move |entry| {
                if let Some(f) = classify(entry, root, config, include_tests, named) {
                    found.lock().unwrap_or_else(|e| e.into_inner()).push(f);
                }
                ignore::WalkState::Continue
            })
        });
    }
    let mut out = Discovery::default();
    // One walk meets each path once; overlapping roots can meet it twice.
    let dedupe = paths.len() > 1;
    let mut seen = std::collections::HashSet::new();
    for f in found.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match f {
            Found::File(f) => {
                if !dedupe || seen.insert(f.path.clone()) {
                    out.files.push(f);
                }
            }
            Found::Skipped(p) => {
                if !dedupe || seen.insert(p) {
                    out.skipped += 1;
                }
            }
            Found::Error(e) => out.errors.push(e),
        }
    }
    out.files
        .sort_by(|a, b| natural_cmp(&a.rel, &b.rel).then_with(|| a.path.cmp(&b.path)));
    out.errors
        .sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_and_their_order() {
        assert!(is_migration("migrations/2023-01-01-000000_init/up.sql"));
        assert!(!is_migration("migrations/2023-01-01-000000_init/down.sql"));
        assert!(is_migration("db/migrations/0001_init.sql"));
        assert!(!is_migration("db/migrations/0001_init.down.sql"));
        assert!(is_migration("migrations/V10__more.sql"));
        assert!(!is_migration("migrations/U10__undo.sql"));
        assert!(is_migration("db/schema.sql"));
        assert!(!is_migration("queries/list.sql"));
        assert!(is_migration("server/ch_migrations/1720668303_init/up.sql"));
        assert!(!is_migration(
            "server/ch_migrations/1720668303_init/down.sql"
        ));
        assert!(is_migration("clickhouse-migrations/0001_events.sql"));
        assert!(!is_migration("my_migrations_notes/x.sql"));
        let mut v = vec!["m/V10__b.sql", "m/V2__a.sql", "m/V1__x.sql"];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(v, ["m/V1__x.sql", "m/V2__a.sql", "m/V10__b.sql"]);
    }

    /// `natural_cmp` without its common-prefix skip: the order it must keep.
    fn reference(a: &str, b: &str) -> std::cmp::Ordering {
        compare_runs(a.as_bytes(), b.as_bytes())
    }

    proptest::proptest! {
        #[test]
        fn natural_order_matches_the_reference(a in "[a0-2/_]{0,8}", b in "[a0-2/_]{0,8}") {
            let (a, b) = (format!("crates/x/{a}"), format!("crates/x/{b}"));
            proptest::prop_assert_eq!(natural_cmp(&a, &b), reference(&a, &b), "{} vs {}", a, b);
        }
    }

    #[test]
    fn natural_order_inside_a_shared_number() {
        use std::cmp::Ordering::*;
        assert_eq!(natural_cmp("m/V19__a", "m/V18__a"), Greater);
        assert_eq!(natural_cmp("m/V01__a", "m/V1__a"), Equal);
        assert_eq!(natural_cmp("m/V100", "m/V99"), Greater);
        assert_eq!(natural_cmp("m/a/b", "m/a/b/c"), Less);
    }

    #[test]
    fn a_named_example_is_not_test_code_but_its_tests_are() {
        let named = ["examples/shop/".to_string()];
        assert!(!in_test_dir_below("examples/shop/src/db.rs", &named));
        assert!(in_test_dir_below("examples/shop/tests/it.rs", &named));
        assert!(in_test_dir_below("examples/other/src/db.rs", &named));
        assert!(!in_test_dir_below(
            "tests/e2e.rs",
            &["tests/e2e.rs".to_string()]
        ));
    }

    #[test]
    fn test_dirs() {
        assert!(in_test_dir("crates/api/tests/it.rs"));
        assert!(in_test_dir("examples/demo.rs"));
        assert!(!in_test_dir("src/tests.rs"));
        assert!(!in_test_dir("src/examples_util.rs"));
    }
}
