//! The on-disk cache of per-file facts, for fast repeated runs (pre-commit,
//! editors, CI with a restored cache).
//!
//! One file per scanned root holds, for every source file, the hash of its
//! bytes and what the analysis extracted from it: its contribution to the
//! tenant model, its migration operations, and its query facts (which also
//! depend on the whole tenant model, so they carry the model's hash). Facts
//! read through other files (`include_str!`, `query_file!`) carry those
//! files' hashes too. A file is re-analysed when any of these differ, and
//! every whole-project judgement (the model, the rules, suppressions) is
//! recomputed from the facts on each run.
//!
//! The cache is a hint, never a source of truth: a file that is missing,
//! truncated, corrupt (checksum), written by another build of tenant-lint
//! or for another configuration is ignored and replaced. Writes go to a
//! temporary file renamed into place, so an interrupted run leaves the old
//! cache or the new one, never half of one.

use crate::model::migrations::SchemaOp;
use crate::model::queries::QueryFacts;
use crate::model::schema::SchemaFacts;
use crate::parse::Failure;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"TLCACHE\0";
/// Bumped when the layout below changes (the build id covers the rest).
const FORMAT: u32 = 5;

/// Fingerprint of this build of the analyser (source and rule data).
pub const BUILD_ID: &str = env!("TENANT_LINT_BUILD_ID");

pub use crate::workspace::deps::hash;

/// Hashes several parts, each length-prefixed so that boundaries count.
#[derive(Default)]
pub struct Hasher(Vec<u8>);

impl Hasher {
    /// Adds one part.
    pub fn part(&mut self, bytes: &[u8]) -> &mut Self {
        self.0
            .extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        self.0.extend_from_slice(bytes);
        self
    }

    /// The hash of everything added.
    pub fn finish(&self) -> u128 {
        hash(&self.0)
    }
}

pub use crate::workspace::deps::{fresh, read_dependency, tracking, Dep};

/// A value with the files it was computed from.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WithDeps<T> {
    /// Other files read.
    pub deps: Vec<Dep>,
    /// The value.
    pub value: T,
}

/// What the schema phase made of one Rust file (`None`: nothing to parse).
pub type SchemaResult = Option<Result<SchemaFacts, Failure>>;
/// What the query phase made of one Rust file (`None`: nothing to parse).
pub type QueryResult = Option<Result<QueryFacts, Failure>>;

/// Query facts and the tenant model they were computed under.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct QueryEntry {
    /// Hash of the tenant model.
    pub model: u128,
    /// The facts.
    pub facts: WithDeps<QueryResult>,
    /// For a file the prefilter skipped: hash of the workspace's helper
    /// names it was checked against (a new helper elsewhere may make it
    /// worth parsing).
    pub helpers: u128,
    /// Byte ranges of the function bodies blanked before parsing (empty:
    /// parsed whole, or not at all).
    pub blanked: Vec<(u32, u32)>,
}

/// Everything cached for one file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    /// Hash of the file's bytes.
    pub hash: u128,
    /// Size and modification time when it was read.
    pub stamp: Option<(u64, u128)>,
    /// Its inline suppressions.
    pub suppressions: Vec<crate::suppress::Suppression>,
    /// Schema phase (Rust files).
    pub schema: Option<WithDeps<SchemaResult>>,
    /// Hash of `schema` (part of the tenant model's hash).
    pub schema_digest: u128,
    /// Operations of a SQL migration file.
    pub migration: Option<(Vec<SchemaOp>, Option<Failure>)>,
    /// Query phase (Rust files).
    pub query: Option<QueryEntry>,
    /// Its functions and calls as the reach phase reads them (Rust files;
    /// `None` until a run needed them), encoded: decoded only by a run
    /// that reads them.
    pub reach: Option<ReachBlob>,
    /// The reach of its findings as the last run computed it.
    pub reach_results: Option<crate::reach::ReachResults>,
}

/// A file's [`crate::reach::FileItems`], encoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReachBlob(#[serde(with = "bytes")] Vec<u8>);

impl ReachBlob {
    /// Encodes `items`.
    pub fn new(items: &crate::reach::FileItems) -> ReachBlob {
        ReachBlob(postcard::to_stdvec(items).unwrap_or_default())
    }

    /// The items (`None`: not decodable, to be read again).
    pub fn get(&self) -> Option<crate::reach::FileItems> {
        postcard::from_bytes(&self.0).ok()
    }
}

/// An entry as stored: its keys, and the rest encoded separately so that
/// loading the cache only copies bytes, and entries are decoded in
/// parallel, when taken.
#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    hash: u128,
    stamp: Option<(u64, u128)>,
    #[serde(with = "bytes")]
    blob: Vec<u8>,
}

/// A blob as one byte string (postcard writes it exactly as a `Vec<u8>`
/// sequence, so the format is unchanged), read with one copy instead of
/// one visitor call per byte.
mod bytes {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Bytes;
        impl serde::de::Visitor<'_> for Bytes {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a byte string")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
        }
        d.deserialize_byte_buf(Bytes)
    }
}

#[derive(Serialize, Deserialize)]
struct Payload {
    /// When the run that wrote it started (ns since the epoch).
    started: u128,
    entries: Vec<(String, Stored)>,
}

/// A file modified less than this before a run started may have been
/// modified again within the same timestamp tick: its size and time are
/// not trusted, its bytes are hashed ("racily clean" in git's terms).
const RACY_NS: u128 = 2_000_000_000;

/// Now, in ns since the epoch.
pub fn now() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// The cache of one scan root.
#[derive(Debug, Default)]
pub struct Cache {
    /// The file it lives in.
    pub path: PathBuf,
    key: u128,
    started: u128,
    entries: HashMap<String, Stored, xxhash_rust::xxh3::Xxh3DefaultBuilder>,
    /// Why an existing cache file was not used (for `--verbose`-style notes
    /// and tests).
    pub discarded: Option<String>,
}

/// Where the cache of a scan lives by default: `target/tenant-lint/` of
/// the Cargo project when it has a `target/` directory, else
/// `.tenant-lint-cache/` beside the project's manifest (or the root).
pub fn default_dir(project: &Path) -> PathBuf {
    let target = project.join("target");
    if target.is_dir() {
        target.join("tenant-lint")
    } else {
        project.join(".tenant-lint-cache")
    }
}

impl Cache {
    /// Opens the cache for a scan: `dir` holds one file per scan root and
    /// configuration (`key` covers the configuration and flags). Never
    /// fails: an unusable file yields an empty cache.
    pub fn open(dir: &Path, scan_id: &str, key: u128) -> Cache {
        let key = Hasher::default()
            .part(&key.to_le_bytes())
            .part(BUILD_ID.as_bytes())
            .part(&FORMAT.to_le_bytes())
            .finish();
        let path = dir.join(format!("{scan_id}.bin"));
        let mut cache = Cache {
            path,
            key,
            ..Cache::default()
        };
        match std::fs::read(&cache.path) {
            Ok(bytes) => match decode(&bytes, key) {
                Ok(p) => {
                    cache.entries = p.entries.into_iter().collect();
                    cache.started = p.started;
                }
                Err(why) => cache.discarded = Some(why.to_string()),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => cache.discarded = Some(e.to_string()),
        }
        cache
    }

    /// The hash of a file known, from its size and modification time
    /// alone, to be unchanged since it was cached.
    pub fn unchanged(&self, rel: &str, stamp: Option<(u64, u128)>) -> Option<u128> {
        let e = self.entries.get(rel)?;
        let stamp = stamp?;
        (e.stamp == Some(stamp) && stamp.1 + RACY_NS < self.started).then_some(e.hash)
    }

    /// True when no entry is left (all were taken, or none was loaded).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Takes the cached entry of a file out of the cache, when its bytes
    /// still hash to `hash`; decode it with [`Taken::decode`].
    pub fn take(&mut self, rel: &str, hash: u128) -> Option<Taken> {
        if self.entries.get(rel)?.hash != hash {
            return None;
        }
        self.entries.remove(rel).map(Taken)
    }

    /// Replaces the entries (those of the files seen in this run, which
    /// started at `started`) and writes the cache atomically. An entry
    /// that comes with its bytes (unchanged since it was read) is not
    /// encoded again.
    pub fn store(
        &mut self,
        entries: Vec<(String, Entry, Option<Vec<u8>>)>,
        started: u128,
    ) -> std::io::Result<()> {
        use rayon::prelude::*;
        let entries: Vec<(String, Stored)> = entries
            .into_par_iter()
            .filter_map(|(rel, e, blob)| {
                let blob = match blob {
                    Some(b) => b,
                    None => postcard::to_stdvec(&e).ok()?,
                };
                Some((
                    rel,
                    Stored {
                        hash: e.hash,
                        stamp: e.stamp,
                        blob,
                    },
                ))
            })
            .collect();
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        if dir.file_name().is_some_and(|n| n == ".tenant-lint-cache") {
            let ignore = dir.join(".gitignore");
            if !ignore.exists() {
                std::fs::write(ignore, "# Created by tenant-lint.\n*\n")?;
            }
        }
        let payload =
            postcard::to_stdvec(&Payload { started, entries }).map_err(std::io::Error::other)?;
        crate::atomic_file::write_with(&self.path, crate::atomic_file::Replace::RemoveFirst, |f| {
            f.write_all(MAGIC)?;
            f.write_all(&FORMAT.to_le_bytes())?;
            f.write_all(&self.key.to_le_bytes())?;
            f.write_all(&hash(&payload).to_le_bytes())?;
            // No fsync: a file torn by a crash fails its hash check on the
            // next run and is rewritten.
            f.write_all(&payload)
        })
    }
}

/// A cache entry taken out of the cache, not decoded yet.
#[derive(Debug)]
pub struct Taken(Stored);

impl Taken {
    /// Decodes it; `None` when it does not decode (never trusted then).
    pub fn decode(self) -> Option<Entry> {
        self.decode_keeping().map(|(e, _)| e)
    }

    /// Decodes it and keeps its bytes, to be written back as they are
    /// when nothing in the entry changed ([`Cache::store`]).
    pub fn decode_keeping(self) -> Option<(Entry, Vec<u8>)> {
        let e = postcard::from_bytes::<Entry>(&self.0.blob)
            .ok()
            .filter(|e| e.hash == self.0.hash)?;
        Some((e, self.0.blob))
    }
}

fn decode(bytes: &[u8], key: u128) -> Result<Payload, &'static str> {
    let header = 8 + 4 + 16 + 16;
    if bytes.len() < header || &bytes[..8] != MAGIC {
        return Err("not a tenant-lint cache file");
    }
    let num = |r: std::ops::Range<usize>| -> u128 {
        let mut b = [0u8; 16];
        b[..r.len()].copy_from_slice(&bytes[r]);
        u128::from_le_bytes(b)
    };
    if num(8..12) != u128::from(FORMAT) || num(12..28) != key {
        return Err("written by another version or configuration");
    }
    let payload = &bytes[header..];
    if num(28..44) != hash(payload) {
        return Err("checksum mismatch (truncated or corrupt)");
    }
    postcard::from_bytes::<Payload>(payload).map_err(|_| "could not be decoded")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(h: u128) -> Entry {
        Entry {
            hash: h,
            migration: Some((Vec::new(), None)),
            ..Entry::default()
        }
    }

    #[test]
    fn round_trip_and_rejections() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut c = Cache::open(dir.path(), "scan", 7);
        assert!(c.discarded.is_none());
        c.store(vec![("src/a.rs".to_string(), entry(42), None)], now())
            .expect("store");
        let mut c = Cache::open(dir.path(), "scan", 7);
        assert!(c.take("src/a.rs", 43).is_none(), "content changed");
        let (e, blob) = c
            .take("src/a.rs", 42)
            .and_then(Taken::decode_keeping)
            .expect("decodes");
        assert!(e.hash == 42 && e.migration.is_some());
        // Written back as it was read, it reads the same.
        c.store(vec![("src/a.rs".to_string(), e, Some(blob))], now())
            .expect("store");
        let mut c = Cache::open(dir.path(), "scan", 7);
        let e = c.take("src/a.rs", 42).and_then(Taken::decode);
        assert!(e.is_some_and(|e| e.hash == 42 && e.migration.is_some()));
        // Another configuration: not trusted.
        let mut other = Cache::open(dir.path(), "scan", 8);
        assert!(other.take("src/a.rs", 42).is_none());
        assert!(other.discarded.is_some());
        // A flipped byte in the payload.
        let path = dir.path().join("scan.bin");
        let mut bytes = std::fs::read(&path).expect("read");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, &bytes).expect("write");
        let mut c = Cache::open(dir.path(), "scan", 7);
        assert!(c.take("src/a.rs", 42).is_none());
        assert!(c
            .discarded
            .as_deref()
            .is_some_and(|w| w.contains("checksum")));
        // Garbage and truncation.
        std::fs::write(&path, b"TLCACHE").expect("write");
        assert!(Cache::open(dir.path(), "scan", 7).discarded.is_some());
        // No temporary files left behind.
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("scan.bin")]);
    }

    #[test]
    fn size_and_time_are_trusted_only_when_not_racy() {
        let dir = tempfile::tempdir().expect("tempdir");
        let started = now();
        let old = (10, started - 60 * RACY_NS);
        let recent = (10, started - RACY_NS / 2);
        let mut c = Cache::open(dir.path(), "scan", 1);
        let mut a = entry(1);
        a.stamp = Some(old);
        let mut b = entry(2);
        b.stamp = Some(recent);
        c.store(
            vec![("a.rs".to_string(), a, None), ("b.rs".to_string(), b, None)],
            started,
        )
        .expect("store");
        let c = Cache::open(dir.path(), "scan", 1);
        assert_eq!(c.unchanged("a.rs", Some(old)), Some(1));
        assert_eq!(c.unchanged("a.rs", Some((11, old.1))), None, "size");
        assert_eq!(c.unchanged("a.rs", Some((10, old.1 + 1))), None, "time");
        assert_eq!(c.unchanged("a.rs", None), None);
        assert_eq!(c.unchanged("b.rs", Some(recent)), None, "racily clean");
    }
}
