//! The rescue phase: the prefilter cannot know the workspace's own
//! helpers, so a file it skipped is parsed after all when it names one
//! (`with_status(q, ..)`), and a file parsed with bodies blanked is parsed
//! again when a blanked body names one. A rescued body can be a helper
//! itself, whose callers are then rescued in the next round, until the set
//! of helpers stops growing. Every query entry is recorded with the helper
//! set it was checked against, so a warm run knows when to check again.
//!
//! A file is read for the helper names once: a later round looks in it
//! only for the names added since (`NewNames`), and judges the mentions
//! found so far against the round's helpers (on openobserve the rounds
//! read 27 MB with every name before; the search now costs half the
//! instructions, callgrind).
//!
//! A file is parsed again only when it names a helper, and keeps the
//! bodies naming one (and, as always, their callers in the file). Keeping
//! more on speculation (the bodies naming any function some file keeps,
//! which may turn out to be a helper next round) saved rounds when calls
//! were linked by name alone; with calls linked by module, it cost more
//! than the rounds it saved (2% more instructions on openobserve, 6.5% on
//! trieve, callgrind), so it is gone.

use super::extract::{guard_file, Extraction, Extractor, TOKENS};
use super::ledger::{facts_of, Ledger};
use super::read::{text_of, Sources};
use super::timings::Phases;
use crate::incremental::cache;
use crate::incremental::rescue::NewNames;
use crate::rustlex::Words;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::OnceLock;

/// The most rounds of rescue (each can find new helpers).
const MAX_RESCUE_ROUNDS: usize = 8;

/// What one round did with a query entry.
enum Outcome {
    /// Nothing to decide (parsed whole, or checked against this set).
    Skipped,
    /// It names no helper where it would matter.
    Unnamed,
    /// Parsed again.
    Rescued(Box<Rescued>),
}

/// A file parsed again in one round.
struct Rescued {
    file: usize,
    /// Whether the file had been parsed before (with bodies blanked).
    again: bool,
    /// The bytes parsed (the text less its blanked bodies).
    parsed: usize,
    facts: cache::WithDeps<cache::QueryResult>,
    blanked: Vec<(u32, u32)>,
    words: Option<Words>,
}

/// Runs the rescue rounds over the query entries in the ledger, then
/// records the final helper set against each.
pub(super) fn rescue(
    src: Sources,
    extractor: &Extractor,
    extraction: Extraction,
    ledger: &mut Ledger,
    phase: &mut Phases,
) {
    let Sources {
        pool, files, texts, ..
    } = src;
    let helpers_of = |entries: &[cache::Entry]| {
        crate::incremental::rescue::Helpers::new(
            entries
                .iter()
                .filter_map(facts_of)
                .flat_map(|f| f.summaries.iter()),
            extractor.tenant_args(),
        )
    };
    let Extraction { mut words, .. } = extraction;
    let mut helpers = helpers_of(ledger.entries());
    // Files the last round found naming no helper where it matters: they
    // need reading again only if they name a helper that changed since.
    let mut unnamed: Vec<bool> = vec![false; ledger.entries().len()];
    let mut changed: Option<Vec<u32>> = None;
    // Where each file read so far mentions the helper names of the round
    // it was read in (`Helpers::mentions_in`), and that round's names: a
    // later round reads it for the names added since (`NewNames`) only.
    let mut mentions: Vec<Option<(usize, Vec<Range<usize>>)>> = vec![None; files.len()];
    let mut names_of_round: Vec<Vec<String>> = Vec::new();
    for round in 0..MAX_RESCUE_ROUNDS {
        if !extractor.uses_prefilter() || helpers.is_empty() {
            break;
        }
        let helpers_hash = helpers.hash;
        let new_names: Vec<OnceLock<NewNames>> =
            names_of_round.iter().map(|_| OnceLock::new()).collect();
        let outcomes: Vec<(Outcome, Option<Vec<Range<usize>>>)> = pool.install(|| {
            ledger
                .entries()
                .par_iter()
                .enumerate()
                // One file per task (see `extract_all`).
                .with_max_len(1)
                .map(|(i, e)| {
                    let Some(q) = e.query.as_ref() else {
                        return (Outcome::Skipped, None);
                    };
                    let partial = !q.blanked.is_empty();
                    if (q.facts.value.is_some() && !partial) || q.helpers == helpers_hash {
                        return (Outcome::Skipped, None);
                    }
                    let relevant = match (&changed, unnamed[i]) {
                        (Some(c), true) => c.as_slice(),
                        _ => helpers.hashes(),
                    };
                    if words[i].as_ref().is_some_and(|w| !w.any_of(relevant)) {
                        return (Outcome::Unnamed, None);
                    }
                    let f = &files[i];
                    let t = text_of(f, &texts[i]);
                    let Some(t) = t.as_ref().as_ref().ok() else {
                        return (Outcome::Skipped, None);
                    };
                    let found = match &mentions[i] {
                        Some((r, earlier)) => new_names[*r]
                            .get_or_init(|| NewNames::between(&names_of_round[*r], &helpers))
                            .add_mentions(t, earlier.clone()),
                        None => helpers.mentions_in(t),
                    };
                    let module = extractor.layout().module_of(&f.rel);
                    let named = helpers.calls_among(t, &module, found.clone());
                    let found = Some(found);
                    if named.is_empty() {
                        return (Outcome::Unnamed, found);
                    }
                    let in_blanked = |&(a, b): &(u32, u32)| {
                        crate::incremental::prefilter::any_within(&named, &(a as usize..b as usize))
                    };
                    if partial && !q.blanked.iter().any(in_blanked) {
                        // No blanked body names a helper.
                        return (Outcome::Unnamed, found);
                    }
                    let (x, deps) = cache::tracking(|| {
                        guard_file(|| {
                            let sliced = TOKENS.with_borrow_mut(|toks| {
                                let s = extractor.needles().scan(t, toks).ok()?;
                                let extra = crate::incremental::slice::Extra {
                                    hits: &named,
                                    ..extractor.slice_extra()
                                };
                                crate::incremental::slice::blank(t, toks, &s.hits, extra)
                            });
                            extractor.parse_sliced(f, t, sliced)
                        })
                    });
                    let rescued = Rescued {
                        file: i,
                        again: partial,
                        parsed: x.parsed,
                        facts: cache::WithDeps {
                            deps,
                            value: x.facts,
                        },
                        blanked: x.blanked,
                        words: x.words,
                    };
                    (Outcome::Rescued(Box::new(rescued)), found)
                })
                .collect()
        });
        names_of_round.push(helpers.names().to_vec());
        let mut rescued: Vec<Rescued> = Vec::new();
        for (i, (o, found)) in outcomes.into_iter().enumerate() {
            if let Some(found) = found {
                mentions[i] = Some((round, found));
            }
            unnamed[i] = matches!(o, Outcome::Unnamed);
            if let Outcome::Rescued(r) = o {
                rescued.push(*r);
            }
        }
        phase.mark(&format!(
            "helper rescue, round {}: {} files ({} parsed before), {} kB parsed",
            round + 1,
            rescued.len(),
            rescued.iter().filter(|r| r.again).count(),
            rescued.iter().map(|r| r.parsed).sum::<usize>() / 1000,
        ));
        if rescued.is_empty() {
            break;
        }
        for r in rescued {
            if r.words.is_some() {
                words[r.file] = r.words;
            }
            ledger.record_reparsed(r.file, r.facts, r.blanked);
        }
        let next = helpers_of(ledger.entries());
        if next.hash == helpers.hash {
            break;
        }
        changed = Some(next.changed_since(&helpers));
        helpers = next;
    }
    ledger.record_helpers(helpers.hash);
}
