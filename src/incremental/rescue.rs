//! The workspace helpers a file skipped (or partly blanked) by the
//! prefilter may call. The prefilter cannot know them before the files
//! that define them are analysed; once they are, a file that calls one is
//! analysed after all (the rounds are in `engine/rescue.rs`).
//!
//! Only helpers that stand for something count
//! ([`summaries::grounded`]), and only where the call can resolve to one,
//! as the query analysis names calls (`FnAnalysis::helper_key`):
//! - a helper keyed by its type (`type:Store::find`) is called as
//!   `Store::find(..)`, `Self::find(..)` inside `impl Store`, or through
//!   `use ..::Store as Alias`: the file names `Store` in every case, so a
//!   file that names `find` but not `Store` cannot call it (`String::from`
//!   is not `Str::from`), and a bare or module-qualified `find(..)` is not
//!   it;
//! - a free function (`fn:load`) is called bare or through a module
//!   (`load(..)`, `repo::load(..)`), never as `Type::load(..)`, which the
//!   analysis names `type:Type::load`;
//! - an entity's function (`entity:documents::live`) is matched by name
//!   alone.

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
    /// Names of free functions (`fn:name` keys).
    free: BTreeSet<String>,
    /// Names of other helpers matched by name alone (`entity:..` keys).
    anywhere: BTreeSet<String>,
    /// For a name that `type:T::name` keys have: the types `T`.
    types: BTreeMap<String, Vec<String>>,
    /// Identifies the set: a file checked against it need not be again.
    pub hash: u128,
    finder: OnceLock<Prefilter>,
    hashes: OnceLock<Vec<u32>>,
}

impl Helpers {
    /// The helpers among `all` summaries.
    pub fn new<'a>(all: impl IntoIterator<Item = &'a FnSummary>) -> Helpers {
        let mut free: BTreeSet<&str> = BTreeSet::new();
        let mut anywhere: BTreeSet<&str> = BTreeSet::new();
        let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for key in summaries::grounded(all) {
            if let Some((ty, name)) = key.strip_prefix("type:").and_then(|k| k.rsplit_once("::")) {
                types.entry(name).or_default().insert(ty);
            } else if let Some(path) = key.strip_prefix("fn:") {
                // `fn:app::db::alerts::get`: called `get(..)` or through
                // a module path.
                free.insert(path.rsplit("::").next().unwrap_or(path));
            } else if let Some(name) = key.rsplit(':').next() {
                anywhere.insert(name);
            }
        }
        let names: Vec<String> = free
            .iter()
            .chain(&anywhere)
            .chain(types.keys())
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        let types: BTreeMap<String, Vec<String>> = types
            .into_iter()
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
            if free.contains(n.as_str()) {
                h.part(b"()");
            }
            if anywhere.contains(n.as_str()) {
                h.part(b"*");
            }
            for t in types.get(n).into_iter().flatten() {
                h.part(b":");
                h.part(t.as_bytes());
            }
        }
        let owned = |s: BTreeSet<&str>| s.into_iter().map(str::to_string).collect();
        Helpers {
            names,
            free: owned(free),
            anywhere: owned(anywhere),
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
    /// word that is not a method (`x.name(..)` is not followed), written
    /// the way a call to that helper is (see the module docs), and for a
    /// type's helper only where the file names the type.
    pub fn calls_in(&self, text: &str) -> Vec<Range<usize>> {
        let finder = self.finder.get_or_init(|| {
            let words: Vec<&str> = self.names.iter().map(String::as_str).collect();
            Prefilter::words(&words)
        });
        let mut hits = finder.find_all(text);
        let mut named: BTreeMap<&str, bool> = BTreeMap::new();
        hits.retain(|r| {
            let name = &text[r.clone()];
            if self.anywhere.contains(name) {
                return true;
            }
            if !type_qualified(text, r.start) {
                return self.free.contains(name);
            }
            self.types.get(name).is_some_and(|tys| {
                tys.iter()
                    .any(|t| *named.entry(t).or_insert_with(|| has_word(text, t)))
            })
        });
        hits
    }
}

/// Whether the word at `at` follows a type in a path (`Store::`,
/// `Self::`, `Vec<T>::`, `<T as Trait>::`): a call the analysis names by
/// the type. A module path (`repo::`), or no path, is not.
fn type_qualified(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    let Some(before) = before.strip_suffix("::") else {
        return false;
    };
    let before = before.trim_end();
    if before.ends_with('>') {
        return true;
    }
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let qualifier = before[start..]
        .strip_prefix("r#")
        .unwrap_or(&before[start..]);
    qualifier.starts_with(|c: char| c.is_uppercase())
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
        // `load` is also a free function: bare or through a module.
        assert_eq!(h.calls_in("fn f() { load(x) }").len(), 1);
        assert_eq!(h.calls_in("fn f() { repo::load(x) }").len(), 1);
        // ... but `Config::load` is neither it nor `Repo::load`.
        assert!(h.calls_in("fn f() { Config::load(x) }").is_empty());
        assert_eq!(
            h.calls_in("use a::Repo;\nfn f() { Repo::load(x) }").len(),
            1
        );
        // A type's helper is never a bare call.
        assert!(h.calls_in("use a::Store;\nfn f() { find(x) }").is_empty());
        assert_eq!(
            h.calls_in("use a::Store;\nfn f() { a::Store::find(x) }")
                .len(),
            1
        );
        // Method calls never count.
        assert!(h.calls_in("fn f() { x.scoped(q) }").is_empty());
    }

    #[test]
    fn entity_helpers_count_by_name() {
        let h = Helpers::new(&[summary("entity:documents::live", true)]);
        assert_eq!(h.calls_in("fn f() { document::Entity::live() }").len(), 1);
        assert_eq!(h.calls_in("fn f() { Document::live() }").len(), 1);
        assert_eq!(h.calls_in("fn f() { live() }").len(), 1);
    }

    #[test]
    fn type_qualifiers() {
        let at = |t: &str| type_qualified(t, t.rfind("get").unwrap());
        assert!(at("Config::get") && at("Self::get") && at("Vec<u8>::get"));
        assert!(at("<T as Store>::get") && at("Config :: get"));
        assert!(!at("config::get") && !at("get") && !at("x.get") && !at("r#type::get"));
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
