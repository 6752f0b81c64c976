//! The read phase: reads the discovered files (or, with a cache, only the
//! ones whose size or modification time changed) and carries over what
//! the cache holds for files with the same bytes. Everything later phases
//! reuse from the last run and hand back to the next goes through
//! [`Carry`]; the cache's key for a scan and for a run's settings is made
//! here too.

use super::settings::Analysis;
use crate::cache;
use crate::discover;
use crate::model::queries;
use crate::model::schema::SchemaFacts;
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
pub(super) fn read_all(
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

/// Per-file results a run reuses from the cache and hands back to it,
/// aligned with the discovered files.
#[derive(Default)]
pub(super) struct Carry {
    /// Cached entries of unchanged files (default when none).
    pub old: Vec<cache::Entry>,
    /// The entries this run leaves for the next.
    pub new: Vec<cache::Entry>,
    /// Files whose facts came from the cache.
    pub reused: usize,
    /// The encoded bytes of each cached entry, written back unchanged
    /// when nothing in the entry changed.
    pub blobs: Vec<Option<Vec<u8>>>,
    /// Entries this run changed (or made), which the cache must encode.
    pub touched: Vec<bool>,
}

impl Carry {
    /// Takes what `cache` holds for each file that still has the same bytes.
    pub(super) fn from_cache(
        pool: &rayon::ThreadPool,
        mut cache: Option<&mut cache::Cache>,
        files: &[discover::SourcePath],
        hashes: &[Option<u128>],
    ) -> Carry {
        let taken: Vec<Option<cache::Taken>> = files
            .iter()
            .zip(hashes)
            .map(|(f, h)| match (&mut cache, h) {
                (Some(c), Some(h)) => c.take(&f.rel, *h),
                _ => None,
            })
            .collect();
        let (old, blobs): (Vec<cache::Entry>, Vec<Option<Vec<u8>>>) = pool.install(|| {
            taken
                .into_par_iter()
                .map(|t| match t.and_then(cache::Taken::decode_keeping) {
                    Some((e, blob)) => (e, Some(blob)),
                    None => (cache::Entry::default(), None),
                })
                .unzip()
        });
        let new = hashes
            .iter()
            .zip(files)
            .map(|(h, f)| cache::Entry {
                hash: h.unwrap_or_default(),
                stamp: f.stamp,
                ..cache::Entry::default()
            })
            .collect();
        Carry {
            touched: vec![false; old.len()],
            old,
            new,
            reused: 0,
            blobs,
        }
    }
}

/// The query facts of a cache entry, when it has any.
pub(super) fn facts_of(e: &cache::Entry) -> Option<&queries::QueryFacts> {
    e.query.as_ref()?.facts.value.as_ref()?.as_ref().ok()
}

/// The tenant-model facts of a cache entry, when it has any.
pub(super) fn schema_of(e: &cache::Entry) -> Option<&SchemaFacts> {
    match e.schema.as_ref().map(|w| &w.value) {
        Some(Some(Ok(f))) if !f.is_empty() => Some(f),
        _ => None,
    }
}

/// Opens the cache of this scan and settings, when the run has one.
pub(super) fn open_cache(
    dir: Option<&PathBuf>,
    paths: &[PathBuf],
    root: &Path,
    analysis: Analysis,
) -> Option<cache::Cache> {
    dir.map(|dir| cache::Cache::open(dir, &scan_id(paths, root), run_key(analysis)))
}

/// The texts of a run's files and what it carries from the cache.
pub(super) struct Read {
    /// Each discovered file's text, aligned with the files.
    pub texts: Vec<Text>,
    /// What the cache holds for the files and what goes back to it.
    pub carry: Carry,
}

/// Reads the files, then takes from `store` what it holds for those with
/// the same bytes.
pub(super) fn read(
    pool: &rayon::ThreadPool,
    files: &[discover::SourcePath],
    store: Option<&mut cache::Cache>,
) -> Read {
    let (texts, hashes) = read_all(pool, files, store.as_deref());
    let carry = Carry::from_cache(pool, store, files, &hashes);
    Read { texts, carry }
}

/// Whether the cache has nothing to write: every file was reused and none
/// went away.
pub(super) fn nothing_changed(
    store: Option<&cache::Cache>,
    carry: &Carry,
    reused_queries: usize,
) -> bool {
    store.is_some_and(|s| s.is_empty())
        && carry.reused + reused_queries
            == carry.new.iter().filter(|e| e.schema.is_some()).count()
                + carry.new.iter().filter(|e| e.query.is_some()).count()
        && carry
            .new
            .iter()
            .zip(&carry.old)
            .all(|(n, o)| n.migration.is_none() || o.migration.is_some())
}

/// Hands the run's entries back to the cache; a cache that cannot be
/// written is a note, not an error.
pub(super) fn write_back(
    store: &mut cache::Cache,
    carry: &mut Carry,
    files: &[discover::SourcePath],
    texts: &[Text],
    run_started: u128,
    notes: &mut Vec<String>,
) {
    let mut blobs = std::mem::take(&mut carry.blobs);
    blobs.resize_with(files.len(), || None);
    let entries = files
        .iter()
        .zip(std::mem::take(&mut carry.new))
        .zip(blobs)
        .enumerate()
        .filter(|(_, ((_, e), _))| e.hash != 0)
        .map(|(i, ((f, e), blob))| {
            // A file read this run may have a new size or time.
            let same = !carry.touched[i] && texts[i].is_none();
            (f.rel.clone(), e, blob.filter(|_| same))
        })
        .collect();
    if let Err(e) = store.store(entries, run_started) {
        notes.push(format!(
            "could not write the cache at {}: {e} (use `--no-cache` to skip it)",
            store.path.display()
        ));
    }
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
}
