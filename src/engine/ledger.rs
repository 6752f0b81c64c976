//! The cache ledger of one run. For each discovered file it holds the
//! entry the cache kept (when the file still has the same bytes), the
//! entry this run builds, and what each phase did with it: took a part
//! from the cache, or made it in this run. Phases say what happened to
//! file `i` through its methods and read the run's entries from it; the
//! ledger alone keeps the counts the run's [`Stats`](super::Stats) report,
//! decides whether the cache needs writing at all, and which entries go
//! back as the bytes they were read as.

use super::read::Sources;
use crate::discover;
use crate::incremental::cache;
use crate::model::migrations::SchemaOp;
use crate::model::queries;
use crate::model::schema::SchemaFacts;
use crate::parse::Failure;
use crate::suppress::Suppression;
use rayon::prelude::*;

/// The cache a run reads from and writes back to.
pub(super) struct Store {
    /// The cache of this scan and settings.
    pub cache: cache::Cache,
    /// When the run started, before any file was read: the next run
    /// trusts a file's size and time only if it was modified well before.
    pub started: u128,
}

/// Where one part of a file's entry came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Taken from the cache, as the last run left it.
    Cached,
    /// Made in this run (the entry must be encoded again).
    Made,
}

/// A migration's operations and the failure reading it gave, if any.
pub(super) type MigrationOps = (Vec<SchemaOp>, Option<Failure>);

/// What a run takes from the cache and hands back, aligned with the
/// discovered files.
pub(super) struct Ledger {
    /// Where the entries go back (`None`: a run without cache).
    store: Option<Store>,
    /// The cached entry of each file with the same bytes (default when
    /// none); phases take from it the parts they reuse.
    old: Vec<cache::Entry>,
    /// The encoded bytes of each cached entry, written back unchanged
    /// when nothing in the entry changed.
    blobs: Vec<Option<Vec<u8>>>,
    /// This run's entries: the facts later phases read, and what the
    /// next run gets.
    new: Vec<cache::Entry>,
    /// Entries this run changed (or made), which the cache must encode.
    changed: Vec<bool>,
    /// Files whose tenant-model facts came from the cache.
    cached_schema: usize,
    /// Files whose query facts came from the cache and were not parsed
    /// again.
    cached_queries: usize,
}

impl Ledger {
    /// Opens the ledger of a run: takes from `store` what it holds for
    /// each file that still has the same bytes (`hashes`, from reading;
    /// `None` for a file not hashed, which gets nothing).
    pub(super) fn open(
        pool: &rayon::ThreadPool,
        mut store: Option<Store>,
        files: &[discover::SourcePath],
        hashes: &[Option<u128>],
    ) -> Ledger {
        let taken: Vec<Option<cache::Taken>> = files
            .iter()
            .zip(hashes)
            .map(|(f, h)| match (&mut store, h) {
                (Some(s), Some(h)) => s.cache.take(&f.rel, *h),
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
        Ledger {
            store,
            changed: vec![false; old.len()],
            old,
            blobs,
            new,
            cached_schema: 0,
            cached_queries: 0,
        }
    }

    /// What the cache holds for each file, in file order, for a phase to
    /// take in parallel the parts it can reuse.
    pub(super) fn cached(&mut self) -> impl IndexedParallelIterator<Item = Cached<'_>> {
        self.old.par_iter_mut().map(Cached)
    }

    /// The operations of migration `i` as the cache holds them.
    pub(super) fn cached_migration(&self, i: usize) -> Option<MigrationOps> {
        self.old.get(i).and_then(|e| e.migration.clone())
    }

    /// The allow comments of file `i` as the cache holds them (for a file
    /// not read in this run).
    pub(super) fn cached_suppressions(&self, i: usize) -> &[Suppression] {
        &self.old[i].suppressions
    }

    /// This run's entries, aligned with the files: what the phases so far
    /// recorded for each.
    pub(super) fn entries(&self) -> &[cache::Entry] {
        &self.new
    }

    fn record(&mut self, i: usize, origin: Origin) {
        if origin == Origin::Made {
            self.changed[i] = true;
        }
    }

    /// Records file `i`'s functions as the reach phase reads them.
    pub(super) fn record_reach(&mut self, i: usize, items: cache::ReachBlob, origin: Origin) {
        self.new[i].reach = Some(items);
        self.record(i, origin);
    }

    /// Keeps what the cache held of every file's functions and findings'
    /// reach, for a run whose reach phase did not read them.
    pub(super) fn carry_reach(&mut self) {
        for (n, o) in self.new.iter_mut().zip(&mut self.old) {
            if n.reach.is_none() {
                n.reach = o.reach.take();
            }
            if n.reach_results.is_none() {
                n.reach_results = o.reach_results.take();
            }
        }
    }

    /// Whether the run has a cache to write back to.
    pub(super) fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// The reach of file `i`'s findings as the cache holds it.
    pub(super) fn cached_reach_results(&self, i: usize) -> Option<&crate::reach::ReachResults> {
        self.old.get(i)?.reach_results.as_ref()
    }

    /// Records the reach of file `i`'s findings.
    pub(super) fn record_reach_results(&mut self, i: usize, r: crate::reach::ReachResults) {
        let same = self.old[i].reach_results.as_ref() == Some(&r);
        self.new[i].reach_results = Some(r);
        self.record(i, if same { Origin::Cached } else { Origin::Made });
    }

    /// Records file `i`'s tenant-model facts and their digest.
    pub(super) fn record_schema(
        &mut self,
        i: usize,
        facts: cache::WithDeps<cache::SchemaResult>,
        digest: u128,
        origin: Origin,
    ) {
        self.cached_schema += usize::from(origin == Origin::Cached);
        self.record(i, origin);
        self.new[i].schema = Some(facts);
        self.new[i].schema_digest = digest;
    }

    /// Records the operations of migration `i`.
    pub(super) fn record_migration(&mut self, i: usize, ops: MigrationOps, origin: Origin) {
        self.record(i, origin);
        self.new[i].migration = Some(ops);
    }

    /// Records file `i`'s query entry.
    pub(super) fn record_query(&mut self, i: usize, query: cache::QueryEntry, origin: Origin) {
        self.cached_queries += usize::from(origin == Origin::Cached);
        self.record(i, origin);
        self.new[i].query = Some(query);
    }

    /// Records that file `i` was parsed again (by the helper rescue), with
    /// the facts and blanked bodies that gave. Its query facts count as
    /// cached no more, unless its entry had already changed in this run
    /// (which a cached query entry has only when its tenant-model facts
    /// were made again).
    pub(super) fn record_reparsed(
        &mut self,
        i: usize,
        facts: cache::WithDeps<cache::QueryResult>,
        blanked: Vec<(u32, u32)>,
    ) {
        if !self.changed[i] {
            self.cached_queries = self.cached_queries.saturating_sub(1);
        }
        self.changed[i] = true;
        if let Some(q) = self.new[i].query.as_mut() {
            q.facts = facts;
            q.blanked = blanked;
        }
    }

    /// Records the set of workspace helpers (its hash) every query entry
    /// was checked against; an entry checked against another set changes.
    pub(super) fn record_helpers(&mut self, helpers: u128) {
        for (e, changed) in self.new.iter_mut().zip(self.changed.iter_mut()) {
            if let Some(q) = e.query.as_mut().filter(|q| q.helpers != helpers) {
                *changed = true;
                q.helpers = helpers;
            }
        }
    }

    /// Records each file's allow comments, aligned with the files.
    pub(super) fn record_suppressions(&mut self, all: Vec<Vec<Suppression>>) {
        for (e, s) in self.new.iter_mut().zip(all) {
            e.suppressions = s;
        }
    }

    /// Files whose tenant-model facts came from the cache.
    pub(super) fn cached_schema(&self) -> usize {
        self.cached_schema
    }

    /// Files whose query facts came from the cache (and were not parsed
    /// again).
    pub(super) fn cached_queries(&self) -> usize {
        self.cached_queries
    }

    /// Whether the cache has nothing to write: every file's facts came
    /// from it and no entry was left over (a file gone).
    fn nothing_changed(&self) -> bool {
        self.store.as_ref().is_some_and(|s| s.cache.is_empty())
            && self.cached_schema + self.cached_queries
                == self.new.iter().filter(|e| e.schema.is_some()).count()
                    + self.new.iter().filter(|e| e.query.is_some()).count()
            && self
                .new
                .iter()
                .zip(&self.old)
                .all(|(n, o)| n.migration.is_none() || o.migration.is_some())
    }

    /// Hands the run's entries back to the cache, when the run has one
    /// and anything changed; a cache that cannot be written is a note,
    /// not an error.
    pub(super) fn write_back(self, src: Sources, notes: &mut Vec<String>) {
        if self.nothing_changed() {
            return;
        }
        let Ledger {
            store,
            blobs,
            new,
            changed,
            ..
        } = self;
        let Some(mut store) = store else {
            return;
        };
        let entries = src
            .files
            .iter()
            .zip(new)
            .zip(blobs)
            .enumerate()
            .filter(|(_, ((_, e), _))| e.hash != 0)
            .map(|(i, ((f, e), blob))| {
                // A file read this run may have a new size or time.
                let same = !changed[i] && src.texts[i].is_none();
                (f.rel.clone(), e, blob.filter(|_| same))
            })
            .collect();
        if let Err(e) = store.cache.store(entries, store.started) {
            notes.push(format!(
                "could not write the cache at {}: {e} (use `--no-cache` to skip it)",
                store.cache.path.display()
            ));
        }
    }
}

/// What the cache holds for one file (nothing when its bytes changed).
pub(super) struct Cached<'a>(&'a mut cache::Entry);

impl Cached<'_> {
    /// Takes the tenant-model facts and their digest, when the files they
    /// were also read from are unchanged.
    pub(super) fn take_schema(&mut self) -> Option<(cache::WithDeps<cache::SchemaResult>, u128)> {
        let facts = self.0.schema.take().filter(|s| cache::fresh(&s.deps))?;
        Some((facts, self.0.schema_digest))
    }

    /// Takes the file's functions as the reach phase read them.
    pub(super) fn take_reach(&mut self) -> Option<cache::ReachBlob> {
        self.0.reach.take()
    }

    /// Takes the query entry, when it was made under the tenant model
    /// `model_hash` and the files it was also read from are unchanged.
    pub(super) fn take_query(&mut self, model_hash: u128) -> Option<cache::QueryEntry> {
        self.0
            .query
            .take()
            .filter(|q| q.model == model_hash && cache::fresh(&q.facts.deps))
    }
}

/// The query facts of an entry, when it has any.
pub(super) fn facts_of(e: &cache::Entry) -> Option<&queries::QueryFacts> {
    e.query.as_ref()?.facts.value.as_ref()?.as_ref().ok()
}

/// The tenant-model facts of an entry, when it has any.
pub(super) fn schema_of(e: &cache::Entry) -> Option<&SchemaFacts> {
    match e.schema.as_ref().map(|w| &w.value) {
        Some(Some(Ok(f))) if !f.is_empty() => Some(f),
        _ => None,
    }
}
