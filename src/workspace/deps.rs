//! Reading a file that another file's analysis depends on (SQL in
//! `query_file!`, `include_str!`), recording what was read so a change to
//! it invalidates that analysis in the cache. Recording is per thread and
//! only inside [`tracking`].

use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// The content hash used for files (xxh3-128).
pub fn hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// Another file an analysis read, with the hash of what it read (`None`:
/// it did not exist or could not be read).
pub type Dep = (PathBuf, Option<u128>);

thread_local! {
    static DEPS: RefCell<Option<Vec<Dep>>> = const { RefCell::new(None) };
}

/// Reads a file the analysis of another file depends on, recording it so a
/// change to it invalidates that analysis.
pub fn read_dependency(path: &Path) -> std::io::Result<String> {
    let r = std::fs::read_to_string(path);
    DEPS.with(|d| {
        if let Some(list) = d.borrow_mut().as_mut() {
            let h = r.as_ref().ok().map(|t| hash(t.as_bytes()));
            list.push((path.to_path_buf(), h));
        }
    });
    r
}

/// Runs `f`, collecting the files it reads through [`read_dependency`].
pub fn tracking<R>(f: impl FnOnce() -> R) -> (R, Vec<Dep>) {
    let outer = DEPS.with(|d| d.borrow_mut().replace(Vec::new()));
    let r = f();
    let deps = DEPS.with(|d| std::mem::replace(&mut *d.borrow_mut(), outer));
    (r, deps.unwrap_or_default())
}

/// True when every dependency still has the content it had.
pub fn fresh(deps: &[Dep]) -> bool {
    deps.iter().all(|(p, h)| {
        let now = std::fs::read(p).ok().map(|b| hash(&b));
        now == *h
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependencies_are_tracked_per_thread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("q.sql");
        std::fs::write(&p, "select 1").expect("write");
        let (_, deps) = tracking(|| read_dependency(&p).ok());
        assert_eq!(deps.len(), 1);
        assert!(fresh(&deps));
        std::fs::write(&p, "select 2").expect("write");
        assert!(!fresh(&deps));
        // Outside `tracking` nothing is recorded.
        let (_, none) = tracking(|| ());
        assert!(none.is_empty());
    }
}
