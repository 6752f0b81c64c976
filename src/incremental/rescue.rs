//! The workspace helpers a file skipped (or partly blanked) by the
//! prefilter may call. The prefilter cannot know them before the files
//! that define them are analysed; once they are, a file that calls one is
//! analysed after all (see `engine::check`).
//!
//! Only helpers that stand for something count
//! ([`summaries::grounded`]). A helper keyed by its type
//! (`type:Store::find`) is called as `Store::find(..)`, `Self::find(..)`
//! inside `impl Store`, or through `use ..::Store as Alias`: the file
//! names `Store` in every case, so a file that names `find` but not `Store`
//! cannot call it (`String::from` is not `Str::from`).

use crate::incremental::cache;
use crate::incremental::prefilter::{has_word, Prefilter};
use crate::model::queries::FnSummary;
use crate::model::summaries;
use crate::rustlex::word_hash;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::OnceLock;

/// The helper names of the workspace, with the types their keys need.
pub struct Helpers {
    /// Names callers write (the last segment of each key), sorted.
    names: Vec<String>,
    /// For a name that only `type:T::name` keys have: the types `T`.
    types: BTreeMap<String, Vec<String>>,
    /// Identifies the set: a file checked against it need not be again.
    pub hash: u128,
    finder: OnceLock<Prefilter>,
    hashes: OnceLock<Vec<u32>>,
}

impl Helpers {
    /// The helpers among `all` summaries.
    pub fn new<'a>(all: impl IntoIterator<Item = &'a FnSummary>) -> Helpers {
        let mut untyped: BTreeSet<&str> = BTreeSet::new();
        let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for key in summaries::grounded(all) {
            match key.strip_prefix("type:").and_then(|k| k.rsplit_once("::")) {
                Some((ty, name)) => {
                    types.entry(name).or_default().insert(ty);
                }
                None => {
                    if let Some(name) = key.rsplit(':').next() {
                        untyped.insert(name);
                    }
                }
            }
        }
        let names: Vec<String> = untyped
            .iter()
            .chain(types.keys())
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        let types: BTreeMap<String, Vec<String>> = types
            .into_iter()
            .filter(|(name, _)| !untyped.contains(name))
            .map(|(name, tys)| {
                (
                    name.to_string(),
                    tys.into_iter().map(str::to_string).collect(),
                )
            })
            .collect();
        let mut h = cache::Hasher::default();
        for n in &names {
            h.part(n.as_bytes());
            for t in types.get(n).into_iter().flatten() {
                h.part(b":");
                h.part(t.as_bytes());
            }
        }
        Helpers {
            names,
            types,
            hash: h.finish(),
            finder: OnceLock::new(),
            hashes: OnceLock::new(),
        }
    }

    /// Whether there are no helpers.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names' [`word_hash`]es, sorted, to rule out files by their
    /// [`Words`] (`Words::any_of`) before [`Helpers::calls_in`] reads them.
    ///
    /// [`Words`]: crate::rustlex::Words
    pub fn hashes(&self) -> &[u32] {
        self.hashes.get_or_init(|| {
            let mut v: Vec<u32> = self.names.iter().map(|n| word_hash(n)).collect();
            v.sort_unstable();
            v
        })
    }

    /// Where `text` may call a helper (sorted by start): its name as a
    /// word that is not a method (`x.name(..)` is not followed), and for a
    /// type's helper only where the file names the type.
    pub fn calls_in(&self, text: &str) -> Vec<Range<usize>> {
        let finder = self.finder.get_or_init(|| {
            let words: Vec<&str> = self.names.iter().map(String::as_str).collect();
            Prefilter::words(&words)
        });
        let mut hits = finder.find_all(text);
        let mut named: BTreeMap<&str, bool> = BTreeMap::new();
        hits.retain(|r| match self.types.get(&text[r.clone()]) {
            None => true,
            Some(tys) => tys
                .iter()
                .any(|t| *named.entry(t).or_insert_with(|| has_word(text, t))),
        });
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(key: &str, returns_table: bool) -> FnSummary {
        let mut s: FnSummary = serde_json::from_value(serde_json::json!({
            "key": key, "name": key, "returns": [], "runs": [], "sql_params": [],
            "sql_forwards": [], "rows": false, "rows_from": [],
        }))
        .unwrap();
        if returns_table {
            s.rows = true;
        }
        s
    }

    #[test]
    fn type_helpers_need_their_type() {
        let all = [
            summary("type:Store::find", true),
            summary("fn:scoped", true),
            summary("type:Repo::load", true),
            summary("fn:load", true),
        ];
        let h = Helpers::new(&all);
        assert_eq!(h.names, ["find", "load", "scoped"]);
        // `find` is only `Store::find`.
        assert!(h
            .calls_in("fn f() { v.iter(); String::find(x) }")
            .is_empty());
        assert_eq!(
            h.calls_in("use a::Store as S;\nfn f() { S::find(x) }")
                .len(),
            1
        );
        assert_eq!(
            h.calls_in("impl Store { fn f() { Self::find(x) } }").len(),
            1
        );
        assert!(h
            .calls_in("impl Stores { fn f() { Self::find(x) } }")
            .is_empty());
        // `load` is also a plain function: any word counts.
        assert_eq!(h.calls_in("fn f() { load(x) }").len(), 1);
        // Method calls never count.
        assert!(h.calls_in("fn f() { x.scoped(q) }").is_empty());
    }

    #[test]
    fn ungrounded_helpers_do_not_count() {
        let mut f = summary("fn:f", false);
        f.rows_from = vec!["fn:unknown".into()];
        let mut g = summary("fn:g", false);
        g.rows_from = vec!["fn:h".into()];
        let h = summary("fn:h", true);
        let helpers = Helpers::new(&[f, g, h]);
        assert_eq!(helpers.names, ["g", "h"]);
    }
}
