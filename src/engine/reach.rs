//! The reach phase: for the findings of rules that judge queries, how the
//! query is reached from the program's entry points ([`crate::reach`]).
//! Every Rust file's functions are read from its tokens (or taken from the
//! cache), only when some finding needs them.

use super::extract::TOKENS;
use super::ledger::{Ledger, Origin};
use super::read::{text_of, Sources};
use crate::config::ReachConfig;
use crate::diagnostic::Finding;
use crate::discover::FileKind;
use crate::reach::{self, FileItems};
use crate::rules;
use crate::workspace::layout::Layout;
use rayon::prelude::*;

/// Fills in [`Finding::reach`] for the findings of rules that judge
/// queries.
pub(super) fn attach(
    src: Sources,
    ledger: &mut Ledger,
    layout: &Layout,
    config: &ReachConfig,
    findings: &mut [Finding],
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
    let Sources { pool, files, texts } = src;
    let read: Vec<Option<(FileItems, Origin)>> = pool.install(|| {
        files
            .par_iter()
            .zip(texts.par_iter())
            .zip(ledger.cached())
            .map(|((f, t), mut cached)| {
                if f.kind != FileKind::Rust {
                    return None;
                }
                if let Some(items) = cached.take_reach() {
                    return Some((items, Origin::Cached));
                }
                let t = text_of(f, t);
                let t = t.as_ref().as_ref().ok()?;
                Some((
                    TOKENS.with_borrow_mut(|toks| reach::scan_text(t, toks)),
                    Origin::Made,
                ))
            })
            .collect()
    });
    for (i, r) in read.into_iter().enumerate() {
        if let Some((items, origin)) = r {
            ledger.record_reach(i, items, origin);
        }
    }
    let entries = ledger.entries();
    let mut graph = reach::Graph::new(
        entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((i, files[i].rel.as_str(), e.reach.as_ref()?))),
        layout,
        config,
    );
    let sites: Vec<(usize, u32)> = wanted
        .iter()
        .map(|&i| (findings[i].file, findings[i].span.start.line))
        .collect();
    for (i, r) in wanted.into_iter().zip(graph.reach_all(&sites)) {
        findings[i].reach = r;
    }
}
