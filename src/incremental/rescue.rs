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
//! - a free function (`fn:app::repo::load`) is called bare or through a
//!   module (`load(..)`, `repo::load(..)`), never as `Type::load(..)`,
//!   which the analysis names `type:Type::load`; and a call resolves to it
//!   ([`summaries::Linker`]) only from a file in its module, above it or
//!   below its parent, or where what the call writes leads to the module
//!   or its parent (which may re-export it): `repo::load(..)`,
//!   `crate::db::load(..)`, or a bare `load(..)` or `store::load(..)`
//!   that a `use` brings from there (`use crate::repo::load`, `use
//!   store::repo::*`, `use crate::db::load`, `use crate::repo as
//!   store`). A bare `get(..)` in a file that imports axum's `get` is not
//!   a call to `db::kv::get`, however often the file says `db`;
//! - an entity's function (`entity:documents::live`) is matched by name
//!   alone.
//!
//! In every case the name must be called (`load(..)`, `load::<T>(..)`):
//! the analysis links calls, not functions named as values
//! (`get(alerts::get_alert)` routes to a handler, it does not call it).
//! Text that only looks like a `use` (in a comment) is read as words, so
//! an unsure reading keeps a call rather than drops one.

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
    /// Names of free functions, with the module of each function of that
    /// name (`fn:app::repo::load` → `load`: `[app, repo]`).
    free: BTreeMap<String, Vec<Vec<String>>>,
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
    /// The helpers among `all` summaries ([`summaries::grounded`]; with
    /// `tenant`, those binding a query's tenant to a parameter too).
    pub fn new<'a>(all: impl IntoIterator<Item = &'a FnSummary>, tenant: bool) -> Helpers {
        let mut free: BTreeMap<&str, Vec<Vec<String>>> = BTreeMap::new();
        let mut anywhere: BTreeSet<&str> = BTreeSet::new();
        let mut types: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for key in summaries::grounded(all, tenant) {
            if let Some((ty, name)) = key.strip_prefix("type:").and_then(|k| k.rsplit_once("::")) {
                // `type:app::store::Store::find`: the file names `Store`.
                let ty = ty.rsplit("::").next().unwrap_or(ty);
                types.entry(name).or_default().insert(ty);
            } else if let Some(path) = key.strip_prefix("fn:") {
                // `fn:app::db::alerts::get`: called `get(..)` or through
                // a module path.
                let mut segs: Vec<String> = path.split("::").map(str::to_string).collect();
                let name = path.rsplit("::").next().unwrap_or(path);
                segs.pop();
                free.entry(name).or_default().push(segs);
            } else if let Some(name) = key.rsplit(':').next() {
                anywhere.insert(name);
            }
        }
        for modules in free.values_mut() {
            modules.sort();
            modules.dedup();
        }
        let names: Vec<String> = free
            .keys()
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
            for m in free.get(n.as_str()).into_iter().flatten() {
                h.part(b"()");
                h.part(m.join("::").as_bytes());
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
            free: free.into_iter().map(|(n, m)| (n.to_string(), m)).collect(),
            anywhere: owned(anywhere),
            types,
            hash: h.finish(),
            finder: OnceLock::new(),
            hashes: OnceLock::new(),
        }
    }

    /// The [`word_hash`]es (sorted) of the names whose helpers differ
    /// from `prev`'s: new names, and names whose modules or types changed.
    /// A file naming none of them finds in this set what it found in
    /// `prev` (see [`Helpers::calls_in`]).
    pub fn changed_since(&self, prev: &Helpers) -> Vec<u32> {
        let mut out: Vec<u32> = self
            .names
            .iter()
            .filter(|n| {
                let n = n.as_str();
                prev.names.binary_search_by(|p| p.as_str().cmp(n)).is_err()
                    || self.free.get(n) != prev.free.get(n)
                    || self.anywhere.contains(n) != prev.anywhere.contains(n)
                    || self.types.get(n) != prev.types.get(n)
            })
            .map(|n| word_hash(n))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The names callers write, sorted.
    pub fn names(&self) -> &[String] {
        &self.names
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

    /// Where `text`, the file of module `module`, may call a helper
    /// (sorted by start): its name as a word that is not a method
    /// (`x.name(..)` is not followed), written the way a call to that
    /// helper is, and only where the file can reach it (see the module
    /// docs).
    pub fn calls_in(&self, text: &str, module: &[String]) -> Vec<Range<usize>> {
        self.calls_among(text, module, self.mentions_in(text))
    }

    /// Where `text` names a helper as a word that is not a method, sorted
    /// by start: [`Helpers::calls_in`] before it asks how each is written.
    /// These are whole words, so the mentions of a larger set are those
    /// of a smaller one and those of the names it adds ([`NewNames`]).
    pub fn mentions_in(&self, text: &str) -> Vec<Range<usize>> {
        self.finder
            .get_or_init(|| {
                let words: Vec<&str> = self.names.iter().map(String::as_str).collect();
                Prefilter::words(&words)
            })
            .find_all(text)
    }

    /// [`Helpers::calls_in`] from the file's mentions of helper names
    /// ([`Helpers::mentions_in`], sorted); a mention of a name the set no
    /// longer has is no call.
    pub fn calls_among(
        &self,
        text: &str,
        module: &[String],
        mut hits: Vec<Range<usize>>,
    ) -> Vec<Range<usize>> {
        let mut named: BTreeMap<&str, bool> = BTreeMap::new();
        let mut uses: Option<Vec<Imports>> = None;
        hits.retain(|r| {
            let name = &text[r.clone()];
            if !called(text, r.end) {
                return false;
            }
            if self.anywhere.contains(name) {
                return true;
            }
            if !type_qualified(text, r.start) {
                // What the call writes before its arguments: the name
                // alone, or the module it goes through (`kv::get`).
                let written = qualifier(text, r.start).unwrap_or(name);
                return self.free.get(name).is_some_and(|modules| {
                    modules.iter().any(|m| {
                        let near = || m.iter().rev().take(2);
                        // Its own module or one it reaches without
                        // writing the module's name (`super::f`,
                        // `crate::f`, `use super::*`: see `reaches`), or
                        // written through the module.
                        if reaches(m, module) || near().any(|seg| seg == written) {
                            return true;
                        }
                        // Else a `use` brings what it writes: the
                        // function or a module renamed (`use db::kv as
                        // store`), by name or by a glob, from the module
                        // or its parent (which may re-export it).
                        let uses = uses.get_or_insert_with(|| use_items(text));
                        uses.iter().any(|u| match u {
                            Imports::Leaves(leaves) => leaves.iter().any(|(path, leaf)| {
                                (*leaf == written || (*leaf == "*" && written == name))
                                    && path.last().is_some_and(|p| near().any(|seg| seg == p))
                            }),
                            Imports::Unread(u) => {
                                (u.contains('*') || has_word(u, written))
                                    && near().any(|seg| has_word(u, seg))
                            }
                        })
                    })
                });
            }
            self.types.get(name).is_some_and(|tys| {
                tys.iter()
                    .any(|t| *named.entry(t).or_insert_with(|| has_word(text, t)))
            })
        });
        hits
    }
}

/// The names of a helper set that an earlier set (its names, sorted) did
/// not have: a file's mentions of the earlier set's names, and of these,
/// are its mentions of the later set ([`Helpers::mentions_in`]), with no
/// need to read it for the names it was read for before.
pub struct NewNames(Option<Prefilter>);

impl NewNames {
    /// The names of `now` that are not in `earlier`.
    pub fn between(earlier: &[String], now: &Helpers) -> NewNames {
        let new: Vec<&str> = now
            .names
            .iter()
            .filter(|n| earlier.binary_search(n).is_err())
            .map(String::as_str)
            .collect();
        NewNames((!new.is_empty()).then(|| Prefilter::words(&new)))
    }

    /// `earlier`, the mentions of the earlier set in `text`, with the
    /// mentions of the new names (sorted by start).
    pub fn add_mentions(&self, text: &str, mut earlier: Vec<Range<usize>>) -> Vec<Range<usize>> {
        if let Some(finder) = &self.0 {
            let more = finder.find_all(text);
            if !more.is_empty() {
                earlier.extend(more);
                earlier.sort_by_key(|r| (r.start, r.end));
            }
        }
        earlier
    }
}

/// What one `use` item brings in.
enum Imports<'t> {
    /// Each name it brings (`*` for a glob) with the path before it:
    /// `use a::{b::c, d::*};` is `([a, b], c)` and `([a, d], *)`; a
    /// renamed one also under its new name, after its whole path (`use
    /// a::b as c` is `([a], b)` and `([a, b], c)`).
    Leaves(Vec<(Vec<&'t str>, &'t str)>),
    /// Text that only looks like a `use` item (in a comment or a string,
    /// not Rust tokens): read as words, so that a call it seems to import
    /// is read, never dropped.
    Unread(&'t str),
}

/// The `use` items of `text` (from the keyword to the `;`), wherever they
/// are: a function's own `use` too.
fn use_items(text: &str) -> Vec<Imports<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(b, b"use") {
        if at < from || !crate::incremental::prefilter::whole_word_at(b, at, at + 3) {
            continue;
        }
        let end = memchr::memchr(b';', &b[at..]).map_or(b.len(), |i| at + i);
        let item = &text[at..end];
        out.push(use_leaves(item).map_or(Imports::Unread(item), Imports::Leaves));
        from = end;
    }
    out
}

/// The names a `use` item (`use` up to its `;`) brings, with their paths
/// (see [`Imports::Leaves`]); a renamed one (`get as fetch`) keeps its
/// own name. `None` when the text is not Rust tokens.
fn use_leaves(item: &str) -> Option<Vec<(Vec<&str>, &str)>> {
    use crate::rustlex::Kind;
    let toks = crate::rustlex::tokens(item).ok()?;
    let mut out = Vec::new();
    let mut path: Vec<&str> = Vec::new();
    // Where each open group's prefix ends.
    let mut groups: Vec<usize> = Vec::new();
    // The last segment is a name not yet recorded; after `as`, the alias.
    let (mut open, mut alias) = (false, false);
    fn leaf<'t>(out: &mut Vec<(Vec<&'t str>, &'t str)>, path: &[&'t str], open: &mut bool) {
        if std::mem::take(open) {
            if let Some((last, prefix)) = path.split_last() {
                out.push((prefix.to_vec(), *last));
            }
        }
    }
    for t in toks.iter().skip(1) {
        let s = &item[t.range()];
        match t.kind {
            Kind::Ident if s == "as" => alias = true,
            Kind::Ident if alias => {
                // `kv as store`: both names.
                leaf(&mut out, &path, &mut open);
                out.push((path.clone(), s));
                alias = false;
            }
            Kind::Ident | Kind::Punct(b'*') => {
                path.push(s);
                open = true;
            }
            Kind::Open(b'{') => {
                groups.push(path.len());
                open = false;
            }
            Kind::Punct(b',') => {
                leaf(&mut out, &path, &mut open);
                path.truncate(groups.last().copied().unwrap_or(0));
            }
            Kind::Close(b'}') => {
                leaf(&mut out, &path, &mut open);
                path.truncate(groups.pop().unwrap_or(0));
            }
            _ => {}
        }
    }
    leaf(&mut out, &path, &mut open);
    Some(out)
}

/// Whether code in module `from` can call a function of module `m`
/// without writing `m`'s name or its parent's: `m` is `from` or above it
/// (a bare call, `crate::f`, `super::f`), or `from` is below `m`'s parent
/// (`super::f` re-exported from a sibling, `use super::*` in a child).
fn reaches(m: &[String], from: &[String]) -> bool {
    let parent = &m[..m.len().saturating_sub(1).max(1).min(m.len())];
    from.starts_with(m) || from.starts_with(parent) || m.starts_with(from)
}

/// Whether the name ending at `end` is called (`name(..)`,
/// `name::<T>(..)`): the analysis links a call to a helper, never a
/// function named as a value (`get(alerts::get_alert)` routes to
/// `get_alert`, it does not call it).
fn called(text: &str, end: usize) -> bool {
    let after = text[end..].trim_start();
    after.starts_with('(')
        || after
            .strip_prefix("::")
            .is_some_and(|a| a.trim_start().starts_with('<'))
}

/// The module a call written as a path goes through: the segment before
/// the name at `at` (`kv` in `db::kv::get(..)`), or `None` for a bare
/// name.
fn qualifier(text: &str, at: usize) -> Option<&str> {
    let before = text[..at].trim_end().strip_suffix("::")?.trim_end();
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    Some(
        before[start..]
            .strip_prefix("r#")
            .unwrap_or(&before[start..]),
    )
}

/// Whether the word at `at` follows a type in a path (`Store::`,
/// `Self::`, `Vec<T>::`, `<T as Trait>::`): a call the analysis names by
/// the type. A module path (`repo::`), or no path, is not.
fn type_qualified(text: &str, at: usize) -> bool {
    let generic = text[..at]
        .trim_end()
        .strip_suffix("::")
        .is_some_and(|b| b.trim_end().ends_with('>'));
    generic || qualifier(text, at).is_some_and(|q| q.starts_with(char::is_uppercase))
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

    /// The module of the files the tests read.
    const HERE: &[String] = &[];

    fn module(path: &str) -> Vec<String> {
        path.split("::").map(str::to_string).collect()
    }

    #[test]
    fn a_free_helper_counts_where_a_call_can_resolve_to_it() {
        let all = [
            summary("fn:app::db::a::list_query", true),
            summary("fn:app::db::b::list_query", true),
            summary("fn:app::scope::scoped", true),
        ];
        let h = Helpers::new(&all, false);
        let call = "fn f() { list_query() }";
        // Its own module, one below it (`use super::*`), one above it, a
        // sibling (`super::list_query` re-exported by the parent).
        assert_eq!(h.calls_in(call, &module("app::db::a")).len(), 1);
        assert_eq!(h.calls_in(call, &module("app::db::b::tests")).len(), 1);
        assert_eq!(h.calls_in(call, &module("app::db")).len(), 1);
        assert_eq!(h.calls_in(call, &module("app")).len(), 1);
        assert_eq!(h.calls_in(call, &module("app::db::c")).len(), 1);
        // Another module's file that names neither module nor their
        // parent: two private helpers of that name, neither in reach.
        assert!(h.calls_in(call, &module("app::api::c")).is_empty());
        assert!(h.calls_in(call, &module("other::db::a")).is_empty());
        // ... unless it writes a path to one.
        assert!(!h
            .calls_in(
                "use crate::db::b::list_query;\nfn f() { list_query() }",
                &module("app::api::c")
            )
            .is_empty());
        assert_eq!(
            h.calls_in("fn f() { b::list_query() }", &module("app::api::c"))
                .len(),
            1
        );
        // `use crate::db::list_query` (re-exported by `db`).
        assert!(!h
            .calls_in(
                "use crate::db::list_query;\nfn f() { list_query() }",
                &module("app::api::c")
            )
            .is_empty());
        // Even the only function of its name needs a path to it.
        assert!(h
            .calls_in("fn f() { scoped(q) }", &module("other::x"))
            .is_empty());
        assert_eq!(
            h.calls_in("fn f() { scope::scoped(q) }", &module("other::x"))
                .len(),
            1
        );
    }

    #[test]
    fn mentions_of_a_grown_set_are_the_earlier_ones_and_the_new_names() {
        let small = Helpers::new(&[summary("fn:app::db::get", true)], false);
        let grown = Helpers::new(
            &[
                summary("fn:app::db::get", true),
                summary("fn:app::db::get_all", true),
                summary("fn:app::api::list", true),
                summary("entity:docs::live", true),
            ],
            false,
        );
        // A name inside another, a method, an entity's function.
        let text = "fn f() { get(1); get_all(2); x.list(); list(3); live(); get_all_x(4) }";
        let earlier = small.mentions_in(text);
        assert_eq!(earlier.len(), 1);
        let added = NewNames::between(small.names(), &grown);
        assert_eq!(
            added.add_mentions(text, earlier.clone()),
            grown.mentions_in(text)
        );
        assert_eq!(grown.mentions_in(text).len(), 4);
        // Nothing new: the earlier mentions as they were.
        let same = NewNames::between(grown.names(), &grown);
        assert_eq!(same.add_mentions(text, earlier.clone()), earlier);
        // A name dropped from the set is no call of it.
        let shrunk = Helpers::new(&[summary("fn:app::db::get_all", true)], false);
        let here = module("app::db");
        assert!(shrunk.calls_among(text, &here, earlier).is_empty());
    }

    #[test]
    fn a_function_named_as_a_value_is_not_a_call() {
        let h = Helpers::new(&[summary("fn:app::api::alerts::get_alert", true)], false);
        let here = module("app::api::alerts");
        // A route hands the handler to the router; the analysis links
        // calls only.
        assert!(h
            .calls_in("fn r() { get(alerts::get_alert) }", &here)
            .is_empty());
        assert!(h.calls_in("fn r() { x.map(get_alert) }", &here).is_empty());
        assert_eq!(h.calls_in("fn r() { get_alert (x) }", &here).len(), 1);
        assert_eq!(h.calls_in("fn r() { get_alert::<T>(x) }", &here).len(), 1);
    }

    #[test]
    fn a_call_from_another_module_needs_a_path_or_a_use_to_it() {
        let h = Helpers::new(&[summary("fn:app::db::kv::get", true)], false);
        let at = |text: &str| h.calls_in(text, &module("app::api::x")).len();
        // The file names the helper's module, but the call is another
        // `get`: axum's, or another module's.
        let db = "fn d() { let db = kv::pool(); }\n";
        assert_eq!(
            at(&format!("{db}use axum::routing::get;\nfn f() {{ get(h) }}")),
            0
        );
        assert_eq!(at(&format!("{db}fn f() {{ get(h) }}")), 0);
        assert_eq!(at(&format!("{db}fn f() {{ config::get(h) }}")), 0);
        assert_eq!(
            at(&format!("{db}use crate::other::*;\nfn f() {{ get(h) }}")),
            0
        );
        // Brought by a `use`: by name, in a group, by a glob of the
        // module or of its parent (which re-exports it), or from a
        // function's own `use`.
        for brought in [
            "use crate::db::kv::get;",
            "use crate::db::{other, kv::{self, get}};",
            "use crate::db::kv::*;",
            "use crate::db::*;",
            "use crate::db::get;",
            "pub(crate) use crate::db::kv::{get as _, put};",
        ] {
            assert_eq!(
                at(&format!("{brought}\nfn f() {{ get(h) }}")),
                1,
                "{brought}"
            );
        }
        // A function's own `use`; written through the module, its parent,
        // or the module renamed.
        for called in [
            "fn f() { use crate::db::kv::get; get(h) }",
            "fn f() { kv::get(h) }",
            "fn f() { crate::db::get(h) }",
            "use crate::db::kv as store;\nfn f() { store::get(h) }",
            "use crate::db::{kv as store};\nfn f() { store::get(h) }",
        ] {
            assert_eq!(at(called), 1, "{called}");
        }
        // `super` is `app::api`, `crate` the crate's root: neither is the
        // helper's module nor its parent; nor is another module renamed.
        for other in [
            "fn f() { super::get(h) }",
            "use super::*;\nfn f() { get(h) }",
            "use crate::*;\nfn f() { get(h) }",
            "use crate::db::other as store;\nfn f() { store::get(h) }",
        ] {
            assert_eq!(at(other), 0, "{other}");
        }
        // Text that only looks like a `use` is read as words.
        assert_eq!(
            at("// don't use crate::db::kv::get; 'x\nfn f() { get(h) }"),
            1
        );
    }

    #[test]
    fn use_trees() {
        let leaves = |item: &str| {
            use_leaves(item)
                .unwrap()
                .into_iter()
                .map(|(p, l)| format!("{}|{l}", p.join("::")))
                .collect::<Vec<_>>()
        };
        assert_eq!(leaves("use a::b"), ["a|b"]);
        assert_eq!(
            leaves("use ::a::{b::{self, c as d}, e::*, f}"),
            ["a::b|self", "a::b|c", "a::b::c|d", "a::e|*", "a|f"]
        );
        assert_eq!(leaves("use {a, b::c}"), ["|a", "b|c"]);
        assert!(use_leaves("use \"a;").is_none());
    }

    #[test]
    fn type_helpers_need_their_type() {
        let all = [
            summary("type:Store::find", true),
            summary("fn:app::scope::scoped", true),
            summary("type:Repo::load", true),
            summary("fn:app::repo::load", true),
        ];
        let h = Helpers::new(&all, false);
        assert_eq!(h.names, ["find", "load", "scoped"]);
        // `find` is only `Store::find`.
        assert!(h
            .calls_in("fn f() { v.iter(); String::find(x) }", HERE)
            .is_empty());
        assert_eq!(
            h.calls_in("use a::Store as S;\nfn f() { S::find(x) }", HERE)
                .len(),
            1
        );
        assert_eq!(
            h.calls_in("impl Store { fn f() { Self::find(x) } }", HERE)
                .len(),
            1
        );
        assert!(h
            .calls_in("impl Stores { fn f() { Self::find(x) } }", HERE)
            .is_empty());
        // `load` is also a free function: bare or through a module.
        assert_eq!(h.calls_in("fn f() { load(x) }", HERE).len(), 1);
        assert_eq!(h.calls_in("fn f() { repo::load(x) }", HERE).len(), 1);
        // ... but `Config::load` is neither it nor `Repo::load`.
        assert!(h.calls_in("fn f() { Config::load(x) }", HERE).is_empty());
        assert_eq!(
            h.calls_in("use a::Repo;\nfn f() { Repo::load(x) }", HERE)
                .len(),
            1
        );
        // A type's helper is never a bare call.
        assert!(h
            .calls_in("use a::Store;\nfn f() { find(x) }", HERE)
            .is_empty());
        assert_eq!(
            h.calls_in("use a::Store;\nfn f() { a::Store::find(x) }", HERE)
                .len(),
            1
        );
        // Method calls never count.
        assert!(h.calls_in("fn f() { x.scoped(q) }", HERE).is_empty());
    }

    #[test]
    fn entity_helpers_count_by_name() {
        let h = Helpers::new(&[summary("entity:documents::live", true)], false);
        assert_eq!(
            h.calls_in("fn f() { document::Entity::live() }", HERE)
                .len(),
            1
        );
        assert_eq!(h.calls_in("fn f() { Document::live() }", HERE).len(), 1);
        assert_eq!(h.calls_in("fn f() { live() }", HERE).len(), 1);
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
        let mut f = summary("fn:app::f", false);
        f.rows_from = vec!["fn:app::unknown|~unknown".into()];
        let mut g = summary("fn:app::g", false);
        g.rows_from = vec!["fn:app::h|~h".into()];
        let h = summary("fn:app::h", true);
        let helpers = Helpers::new(&[f, g, h], false);
        assert_eq!(helpers.names, ["g", "h"]);
    }
}
