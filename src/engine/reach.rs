//! The reach phase: for the findings of rules that judge queries, how the
//! query is reached from the program's entry points ([`crate::reach`]).
//! Every Rust file's functions are read from its tokens (or taken from the
//! cache), only when some finding needs them.

use super::extract::TOKENS;
use super::ledger::{Ledger, Origin};
use super::read::{text_of, Sources};
use crate::config::ReachConfig;
use crate::diagnostic::{Finding, Reach};
use crate::discover::FileKind;
use crate::incremental::cache::ReachBlob;
use crate::reach::{self, FileItems, ReachResults, StoredReach};
use crate::rules;
use crate::workspace::layout::Layout;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Fills in [`Finding::reach`] for the findings of rules that judge
/// queries.
pub(super) fn attach(
    src: Sources,
    ledger: &mut Ledger,
    layout: &Layout,
    config: &ReachConfig,
    findings: &mut [Finding],
    phase: &mut super::timings::Phases,
) {
    let wanted: Vec<usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.file < src.files.len() && rules::meta(f.rule).is_some_and(|m| m.reach))
        .map(|(i, _)| i)
        .collect();
    if wanted.is_empty() {
        ledger.carry_reach();
        return;
    }
    let Sources {
        pool, files, texts, ..
    } = src;
    // Without a cache there is nothing to reuse and nothing to keep.
    let with_cache = ledger.has_store();
    let workspace = with_cache.then(|| workspace_hash(ledger, files, layout, config));
    // The same workspace as the last run: its answers hold.
    if let Some(reused) = workspace.and_then(|w| reuse(ledger, files, findings, &wanted, w)) {
        ledger.carry_reach();
        for (i, r) in wanted.into_iter().zip(reused) {
            findings[i].reach = r;
        }
        return;
    }
    let read: Vec<Option<(FileItems, Option<ReachBlob>)>> = pool.install(|| {
        files
            .par_iter()
            .zip(texts.par_iter())
            .zip(ledger.cached())
            // One file per task (see `extract_all`).
            .with_max_len(1)
            .map(|((f, t), mut cached)| {
                src.tick();
                if f.kind != FileKind::Rust {
                    return None;
                }
                let stored = cached
                    .take_reach()
                    .and_then(|blob| Some((blob.get()?, Some(blob))));
                let (mut items, blob) = match stored {
                    Some(stored) => stored,
                    None => {
                        let t = text_of(f, t);
                        let t = t.as_ref().as_ref().ok()?;
                        let items = TOKENS.with_borrow_mut(|toks| reach::scan_text(t, toks));
                        (items, None)
                    }
                };
                items.hash_names();
                Some((items, blob))
            })
            .collect()
    });
    phase.mark("reach, files read");
    let mut all: Vec<Option<FileItems>> = Vec::with_capacity(read.len());
    for (i, r) in read.into_iter().enumerate() {
        match r {
            Some((items, blob)) => {
                match blob {
                    Some(b) => ledger.record_reach(i, b, Origin::Cached),
                    None if with_cache => {
                        ledger.record_reach(i, ReachBlob::new(&items), Origin::Made)
                    }
                    None => {}
                }
                all.push(Some(items));
            }
            None => all.push(None),
        }
    }
    let graph = reach::Graph::new(
        all.iter()
            .enumerate()
            .filter_map(|(i, items)| Some((i, files[i].rel.as_str(), items.as_ref()?))),
        layout,
        config,
    );
    phase.mark("reach, graph");
    // Where the finding's code runs: its own line, or, for SQL kept
    // outside any function (a `const`), the line of a label in the same
    // file that is in one (the call that sends it to the database).
    let sites: Vec<(usize, u32)> = wanted
        .iter()
        .map(|&i| {
            let f = &findings[i];
            let line = f.span.start.line;
            if graph.holds(f.file, line) {
                return (f.file, line);
            }
            let label = f
                .labels
                .iter()
                .filter(|l| l.file == f.file)
                .map(|l| l.span.start.line)
                .find(|&l| graph.holds(f.file, l));
            (f.file, label.unwrap_or(line))
        })
        .collect();
    let mut by_file: BTreeMap<usize, Vec<(u32, Option<StoredReach>)>> = BTreeMap::new();
    for (i, r) in wanted
        .into_iter()
        .zip(pool.install(|| graph.reach_all(&sites)))
    {
        let f = &mut findings[i];
        if workspace.is_some() {
            by_file.entry(f.file).or_default().push((
                f.span.start.line,
                r.as_ref()
                    .map(|r| StoredReach::new(r, |id| files[id].rel.clone())),
            ));
        }
        f.reach = r;
    }
    if let Some(workspace) = workspace {
        for (file, mut lines) in by_file {
            lines.sort_by_key(|(l, _)| *l);
            lines.dedup_by_key(|(l, _)| *l);
            ledger.record_reach_results(file, ReachResults { workspace, lines });
        }
    }
}

/// The reach the cache holds for each wanted finding, when all of them
/// were computed over workspace `workspace`.
fn reuse(
    ledger: &Ledger,
    files: &[crate::discover::SourcePath],
    findings: &[Finding],
    wanted: &[usize],
    workspace: u128,
) -> Option<Vec<Option<Reach>>> {
    let id_of: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.rel.as_str(), i))
        .collect();
    wanted
        .iter()
        .map(|&i| {
            let f = &findings[i];
            let stored = ledger
                .cached_reach_results(f.file)
                .filter(|r| r.workspace == workspace)?;
            let (_, r) = stored.lines.iter().find(|(l, _)| *l == f.span.start.line)?;
            match r {
                Some(r) => r.get(|rel| id_of.get(rel).copied()).map(Some),
                None => Some(None),
            }
        })
        .collect()
}

/// What a finding's reach depends on: every file's bytes (by path), the
/// crates' layout and the `[reach]` settings.
fn workspace_hash(
    ledger: &Ledger,
    files: &[crate::discover::SourcePath],
    layout: &Layout,
    config: &ReachConfig,
) -> u128 {
    let mut h = crate::incremental::cache::Hasher::default();
    for (f, e) in files.iter().zip(ledger.entries()) {
        h.part(f.rel.as_bytes()).part(&e.hash.to_le_bytes());
    }
    h.part(&layout.hash().to_le_bytes())
        .part(format!("{config:?}").as_bytes());
    h.finish()
}
