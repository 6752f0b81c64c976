//! The read phase: opens the cache, reads the discovered files (or, with
//! a cache, only the ones whose size or modification time changed), and
//! opens the run's [`Ledger`] with what the cache holds for files with the
//! same bytes. The cache's key for a scan and for a run's settings is made
//! here too.

use super::ledger::{Ledger, Store};
use super::settings::Analysis;
use crate::discover;
use crate::incremental::cache;
use crate::parse::{self, Failure};
use crate::workspace::canonical;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Names the cache file of a scan: the paths as given, where from, and
/// the root they resolve to.
fn scan_id(paths: &[PathBuf], root: &Path) -> String {
    let mut h = cache::Hasher::default();
    if let Ok(cwd) = std::env::current_dir() {
        h.part(cwd.as_os_str().as_encoded_bytes());
    }
    h.part(canonical(root).as_os_str().as_encoded_bytes());
    for p in paths {
        h.part(p.as_os_str().as_encoded_bytes());
    }
    format!("{:016x}", h.finish() as u64)
}

/// What cached facts depend on besides the files: the configuration (its
/// file's bytes) and the flags that change the analysis.
fn run_key(analysis: Analysis) -> u128 {
    let mut h = cache::Hasher::default();
    if let Some(p) = &analysis.config.path {
        h.part(p.as_os_str().as_encoded_bytes());
        h.part(&std::fs::read(p).unwrap_or_default());
    }
    h.part(&[
        u8::from(analysis.include_tests),
        u8::from(analysis.no_prefilter),
    ]);
    h.part(&analysis.layout.hash().to_le_bytes());
    h.finish()
}

/// The text of a discovered file: read, failed, or not read because the
/// cache knows it is unchanged (read on demand if needed after all).
pub(super) type Text = Option<Result<String, Failure>>;

pub(super) fn read_file(f: &discover::SourcePath) -> Result<String, Failure> {
    // Sized from what discovery saw, which saves asking the file system
    // again; a file that changed since is still read to its end.
    let size = f
        .stamp
        .map_or(0, |(size, _)| usize::try_from(size).unwrap_or(0));
    let read = || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::with_capacity(size.saturating_add(1));
        Unsized(std::fs::File::open(&f.path)?).read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    match read() {
        Ok(bytes) => parse::decode(bytes),
        Err(e) => Err(Failure {
            span: crate::diagnostic::Span::line(1),
            message: format!("could not read file: {e}"),
        }),
    }
}

/// A file read through `read` alone: `File::read_to_end` asks the file
/// system for the size and position first (two system calls per file,
/// 4,400 on the bench corpus), which the buffer sized from discovery's
/// stamp makes needless.
struct Unsized(std::fs::File);

impl std::io::Read for Unsized {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

/// The text of a file, reading it when it was not read yet.
pub(super) fn text_of<'t>(
    f: &discover::SourcePath,
    t: &'t Text,
) -> std::borrow::Cow<'t, Result<String, Failure>> {
    match t {
        Some(t) => std::borrow::Cow::Borrowed(t),
        None => std::borrow::Cow::Owned(read_file(f)),
    }
}

/// Reads the discovered files and, with a cache, hashes their bytes; a
/// file that cannot be read or decoded is a failure. Files the cache knows
/// to be unchanged (same size and modification time) are not read.
fn read_all(
    pool: &rayon::ThreadPool,
    files: &[discover::SourcePath],
    cache: Option<&cache::Cache>,
) -> (Vec<Text>, Vec<Option<u128>>) {
    pool.install(|| {
        files
            .par_iter()
            .map(|f| {
                if let Some(h) = cache.and_then(|c| c.unchanged(&f.rel, f.stamp)) {
                    return (None, Some(h));
                }
                let t = read_file(f);
                // The hash keys the cache; without one it is not needed.
                let h = cache
                    .and(t.as_ref().ok())
                    .map(|t| cache::hash(t.as_bytes()));
                (Some(t), h)
            })
            .unzip()
    })
}

/// Opens the cache of this scan and settings, when the run has one; the
/// run counts as started from here.
pub(super) fn open_cache(
    dir: Option<&PathBuf>,
    paths: &[PathBuf],
    root: &Path,
    analysis: Analysis,
) -> Option<Store> {
    let started = cache::now();
    dir.map(|dir| Store {
        cache: cache::Cache::open(dir, &scan_id(paths, root), run_key(analysis)),
        started,
    })
}

/// The texts of a run's files and its ledger.
pub(super) struct Read {
    /// Each discovered file's text, aligned with the files.
    pub texts: Vec<Text>,
    /// What the cache holds for the files and what goes back to it.
    pub ledger: Ledger,
}

/// Reads the files, then opens the ledger with what `store` holds for
/// those with the same bytes.
pub(super) fn read(
    pool: &rayon::ThreadPool,
    files: &[discover::SourcePath],
    store: Option<Store>,
) -> Read {
    let (texts, hashes) = read_all(pool, files, store.as_ref().map(|s| &s.cache));
    let ledger = Ledger::open(pool, store, files, &hashes);
    Read { texts, ledger }
}

/// The files of a run as the phases after reading see them.
#[derive(Clone, Copy)]
pub(super) struct Sources<'a> {
    /// The worker pool.
    pub pool: &'a rayon::ThreadPool,
    /// The discovered files.
    pub files: &'a [discover::SourcePath],
    /// Their texts, aligned with `files`.
    pub texts: &'a [Text],
    /// Where the run says how far it is.
    pub progress: Option<&'a super::Progress>,
}

impl Sources<'_> {
    /// A new stage of the run, over `total` files (0: not by file).
    pub fn stage(&self, name: &'static str, total: usize) {
        if let Some(p) = self.progress {
            p.stage(name, total);
        }
    }

    /// One more file done in the stage.
    pub fn tick(&self) {
        if let Some(p) = self.progress {
            p.tick();
        }
    }
}
