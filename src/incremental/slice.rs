//! The prefilter at the level of items. A file that can hold a query is
//! mostly code that cannot: DTOs, builders, `impl Display`, helpers that
//! format strings. Before the file goes to syn, the bodies of functions
//! that cannot take part in a query, and the field lists of structs and
//! enums (the query analysis never reads them), are blanked: a region
//! becomes its line breaks and one space per character of its last line,
//! so what is left keeps its lines and columns, and syn has far fewer
//! tokens to build and bytes to skip.
//!
//! A function body is kept when
//! - it contains a needle of the file prefilter (the same test a whole
//!   file passes), or its signature does, or its signature names a query
//!   builder type or trait (`fn with_status(q: Select<E>, ..)`,
//!   `fn paginate<Q: QueryFilter>(q: Q)`: a helper that filters or runs
//!   what its callers pass);
//! - it names, as a word, a function of the file whose body is kept (a
//!   local helper's caller), repeated until nothing changes;
//! - it names a word of an item outside the function bodies that contains
//!   a needle (`use schema::documents::dsl::*` makes `documents` a word
//!   that keeps the bodies using it; so does `type Docs = documents::table`
//!   or `const LIST: &str = "SELECT .."`);
//! - it matches `extra` ([`Extra`]): where the workspace's helper names
//!   occur, known after the first pass (the engine then parses the file
//!   again).
//!
//! Test code the analysis skips is blanked whole, whatever it holds.
//!
//! Anything the scan cannot follow keeps the file whole.

use crate::incremental::prefilter::any_within;
use crate::orm::Knowledge;
use crate::rustlex::{self, close_of, is_punct, test_attrs, word, Kind, Tok};
use std::ops::Range;

/// A blanked copy of a file and how many regions it blanked.
pub struct Sliced {
    /// The text syn parses.
    pub text: String,
    /// Byte ranges of the function bodies blanked (inside the braces).
    pub blanked: Vec<(u32, u32)>,
    /// The words of the blanked bodies: what they may call (the helper
    /// rescue parses the file again only if one is a helper).
    pub words: rustlex::Words,
    /// The names of the functions whose bodies are kept: the workspace
    /// helpers can only be among them.
    pub kept: Vec<String>,
    /// The bytes left for syn to read (outside the blanked regions).
    pub parsed: usize,
}

/// What keeps a body besides the file's own needles, from the rest of the
/// workspace, and whether test code is analysed.
#[derive(Debug, Default, Clone, Copy)]
pub struct Extra<'a> {
    /// Test code is analysed (`include-tests`): it is sliced like the
    /// rest. Otherwise the analysis skips it, so it is blanked whole,
    /// whatever it names.
    pub include_tests: bool,
    /// Where the workspace's helper names occur in the text (sorted).
    pub hits: &'a [Range<usize>],
}

/// A region that may be blanked: the inside of a function body or of a
/// struct / enum / union field list.
struct Part {
    /// Bytes strictly inside the braces.
    inside: Range<usize>,
    /// Tokens strictly inside the braces.
    toks: Range<usize>,
    /// The function's name token (`None` for a field list).
    name: Option<usize>,
    /// Inside an `impl` or `trait` block.
    in_impl: bool,
    /// Test code the analysis skips (`#[cfg(test)] mod tests { .. }`,
    /// `#[test] fn ..`): always blanked, and never needed later.
    dead: bool,
}

/// Text of an item outside the parts (attributes, signature, a whole `use`).
struct Head {
    bytes: Range<usize>,
    toks: Range<usize>,
    /// The part this head belongs to (a function's signature).
    part: Option<usize>,
}

#[derive(Default)]
struct Outline {
    parts: Vec<Part>,
    heads: Vec<Head>,
}

/// Keywords never count as words that keep a body: every body has them
/// (`union` too, a keyword where it starts an item).
fn keyword(w: &str) -> bool {
    crate::rustlex::is_keyword(w) || w == "union"
}

/// Blanks what cannot matter in `text`, whose tokens are `toks` (see the
/// module docs); `None` when nothing can be blanked or the items are not
/// ones the scan can follow. `hits` are where the query prefilter's needles
/// occur in `text` ([`crate::incremental::prefilter::QueryNeedles::scan`]),
/// `extra` what the rest of the workspace adds.
pub fn blank(text: &str, toks: &[Tok], hits: &[Range<usize>], extra: Extra) -> Option<Sliced> {
    let outline = outline(text, toks, !extra.include_tests)?;
    if outline.parts.is_empty() {
        return None;
    }
    let word = |t: &Tok| word(text, t);
    let hash = |t: &Tok| rustlex::word_hash(word(t));
    let mut keep = vec![false; outline.parts.len()];
    // The words that keep a body, as sorted hashes: a collision keeps a
    // body that could have gone, never the other way round.
    let mut words: Vec<u32> = Vec::new();
    let dead = |p: Option<usize>| p.is_some_and(|p| outline.parts[p].dead);
    for h in outline.heads.iter().filter(|h| !dead(h.part)) {
        // A helper taking a query (`fn with_status(q: Select<E>, ..)`,
        // `fn paginate<Q: QueryFilter>(q: Q)`) filters or runs what its
        // callers pass: kept whole.
        let k = Knowledge::get();
        let takes_query = h.part.is_some()
            && toks[h.toks.clone()].iter().any(|t| {
                t.kind == Kind::Ident && (k.is_query_type(word(t)) || k.is_query_trait(word(t)))
            });
        if takes_query {
            if let Some(p) = h.part {
                keep[p] = true;
            }
        }
        if any_within(hits, &h.bytes) {
            if let Some(p) = h.part {
                keep[p] = true;
            }
            words.extend(
                toks[h.toks.clone()]
                    .iter()
                    .filter(|t| t.kind == Kind::Ident && !keyword(word(t)))
                    .map(hash),
            );
        }
    }
    for (p, part) in outline.parts.iter().enumerate() {
        keep[p] |=
            !part.dead && (any_within(hits, &part.inside) || any_within(extra.hits, &part.inside));
    }
    // Callers of kept functions are kept, until nothing changes. Each
    // identifier is hashed once, however many rounds it takes.
    let mut hashes: Vec<Option<Vec<u32>>> = vec![None; outline.parts.len()];
    loop {
        for (p, part) in outline.parts.iter().enumerate() {
            if keep[p] {
                if let Some(n) = part.name {
                    words.push(hash(&toks[n]));
                }
            }
        }
        words.sort_unstable();
        words.dedup();
        let mut changed = false;
        for (p, part) in outline.parts.iter().enumerate() {
            if keep[p] || part.name.is_none() || part.dead {
                continue;
            }
            let names_one = hashes[p]
                .get_or_insert_with(|| {
                    toks[part.toks.clone()]
                        .iter()
                        .filter(|t| t.kind == Kind::Ident)
                        .map(hash)
                        .collect()
                })
                .iter()
                .any(|h| words.binary_search(h).is_ok());
            if names_one {
                keep[p] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    apply(text, toks, &outline, &keep)
}

/// For the schema pass: blanks the bodies of free functions (not in an
/// `impl` or `trait` block) where no schema marker occurs (`hits`), in the
/// body or in the signature. The schema readers look at items (tables,
/// structs, enums, impls, consts), at migrations, which live in `impl
/// MigrationTrait` blocks, and at `CREATE TABLE` strings, which are
/// markers; a free function's body holds none of that unless a marker is
/// in it. Field lists and everything in `impl` blocks stay. `None` when
/// nothing can be blanked or the items are not ones the scan can follow.
pub fn blank_for_schema(text: &str, toks: &[Tok], hits: &[Range<usize>]) -> Option<Sliced> {
    let outline = outline(text, toks, false)?;
    let mut keep: Vec<bool> = outline
        .parts
        .iter()
        .map(|p| p.name.is_none() || p.in_impl || any_within(hits, &p.inside))
        .collect();
    for h in &outline.heads {
        if let Some(p) = h.part {
            keep[p] |= any_within(hits, &h.bytes);
        }
    }
    // A migration runs the functions it calls (`for ix in indexes() { .. }`,
    // `index(name, T::Table, [..])`): in a sea-query migration, a free
    // function named in a kept body is kept, to a fixpoint.
    let migration = memchr::memmem::find(text.as_bytes(), b"SchemaManager").is_some()
        || memchr::memmem::find(text.as_bytes(), b"MigrationTrait").is_some();
    if migration {
        loop {
            let mut used: Vec<&str> = Vec::new();
            for (p, part) in outline.parts.iter().enumerate() {
                if keep[p] {
                    used.extend(
                        toks[part.toks.clone()]
                            .iter()
                            .filter(|t| t.kind == Kind::Ident)
                            .map(|t| word(text, t)),
                    );
                }
            }
            used.sort_unstable();
            used.dedup();
            let mut changed = false;
            for (p, part) in outline.parts.iter().enumerate() {
                let Some(n) = part.name.filter(|_| !keep[p]) else {
                    continue;
                };
                if used.binary_search(&word(text, &toks[n])).is_ok() {
                    keep[p] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }
    apply(text, toks, &outline, &keep)
}

/// The text with the parts not kept blanked.
fn apply(text: &str, toks: &[Tok], outline: &Outline, keep: &[bool]) -> Option<Sliced> {
    let word = |t: &Tok| word(text, t);
    let blank: Vec<usize> = (0..outline.parts.len())
        .filter(|&p| !keep[p] && !outline.parts[p].inside.is_empty())
        .collect();
    if blank.is_empty() {
        return None;
    }
    // A function whose body is blanked adds nothing to the analysis (no
    // kept body in the file calls it), nor does a struct or enum: the
    // whole item goes, with its attributes and doc comments, so syn does
    // not build its signature either. Inner attributes (`#![..]`) stay.
    let mut head_of: Vec<Option<&Head>> = vec![None; outline.parts.len()];
    for h in &outline.heads {
        if let Some(p) = h.part {
            head_of[p] = Some(h);
        }
    }
    let is = |k: usize, p: u8| is_punct(toks, k, p);
    let region = |p: usize| -> Range<usize> {
        let part = &outline.parts[p];
        let Some(h) = head_of[p] else {
            return part.inside.clone();
        };
        let mut first = h.toks.start;
        while is(first, b'#') && is(first + 1, b'!') {
            match close_of(toks, first + 2) {
                Some(c) => first = c + 1,
                None => return part.inside.clone(),
            }
        }
        let from = first.checked_sub(1).map_or(0, |k| toks[k].end as usize);
        from..toks[part.toks.end].end as usize
    };
    let bytes = text.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(text.len());
    let mut at = 0;
    let mut parsed = 0;
    for &p in &blank {
        let region = region(p);
        parsed += region.start - at;
        out.extend_from_slice(&bytes[at..region.start]);
        // The line breaks, then one space per character of the last
        // line: what follows the region keeps its line and column
        // (columns count characters).
        let inside = &bytes[region.clone()];
        let mut last_line = 0;
        for k in memchr::memchr_iter(b'\n', inside) {
            if k > 0 && inside[k - 1] == b'\r' {
                out.push(b'\r');
            }
            out.push(b'\n');
            last_line = k + 1;
        }
        // Not counting UTF-8 continuation bytes.
        let chars = inside[last_line..]
            .iter()
            .filter(|&&b| !(0x80..=0xbf).contains(&b))
            .count();
        out.resize(out.len() + chars, b' ');
        at = region.end;
    }
    out.extend_from_slice(&bytes[at..]);
    parsed += bytes.len() - at;
    Some(Sliced {
        parsed,
        // Whole characters were copied or replaced by ASCII.
        text: String::from_utf8(out).ok()?,
        // Test code the analysis skips is never needed: not recorded as
        // blanked, and its words are not what the file may call.
        blanked: blank
            .iter()
            .map(|&p| &outline.parts[p])
            .filter(|p| p.name.is_some() && !p.dead)
            .map(|p| (p.inside.start as u32, p.inside.end as u32))
            .collect(),
        words: rustlex::Words::of_tokens(
            text,
            blank
                .iter()
                .map(|&p| &outline.parts[p])
                .filter(|p| !p.dead)
                .map(|p| &toks[p.toks.clone()]),
        ),
        kept: outline
            .parts
            .iter()
            .zip(keep)
            .filter(|(_, &k)| k)
            .filter_map(|(part, _)| part.name.map(|n| word(&toks[n]).to_string()))
            .collect(),
    })
}

/// The items of a file; with `tests_dead`, the test code the analysis
/// skips ([`crate::parse::is_test_attr`]) is marked dead.
fn outline(text: &str, toks: &[Tok], tests_dead: bool) -> Option<Outline> {
    let mut o = Outline::default();
    let at = Within {
        in_impl: false,
        in_trait: false,
        tests_dead,
    };
    items(text, toks, 0, toks.len(), at, &mut o)?;
    Some(o)
}

/// Where [`items`] scans.
#[derive(Clone, Copy)]
struct Within {
    /// In an `impl` or `trait` block.
    in_impl: bool,
    /// In a `trait` block: the analysis reads a default method whatever
    /// its attributes.
    in_trait: bool,
    /// Test code is dead (see [`outline`]).
    tests_dead: bool,
}

/// What an item is, from its first keyword.
#[derive(PartialEq, Clone, Copy)]
enum ItemKind {
    Fn,
    /// `impl`, `trait`, `mod`, `extern {}`: a list of items in braces.
    Container,
    /// `struct`, `enum`, `union`: fields in braces.
    Fields,
    /// `use`, `const`, `static`, `type`: up to `;`.
    ToSemi,
    /// Anything else (macro calls, `macro_rules!`, `extern crate`).
    Other,
}

/// Scans the items in `toks[from..to]`.
fn items(
    text: &str,
    toks: &[Tok],
    mut i: usize,
    to: usize,
    at: Within,
    o: &mut Outline,
) -> Option<()> {
    let in_impl = at.in_impl;
    let is = |k: usize, p: u8| is_punct(toks, k, p);
    while i < to {
        let start = i;
        // Attributes: `#[..]`, `#![..]`.
        while is(i, b'#') {
            let mut k = i + 1;
            if is(k, b'!') {
                k += 1;
            }
            if !matches!(toks.get(k)?.kind, Kind::Open(b'[')) {
                return None;
            }
            i = close_of(toks, k)? + 1;
        }
        if i >= to {
            break;
        }
        // The kind, from the first keyword after visibility and qualifiers.
        let test = at.tests_dead && !at.in_trait && test_attrs(text, &toks[start..i]);
        let mut kind = ItemKind::Other;
        let mut name = None;
        let mut holds_impl = false;
        let mut is_trait = false;
        let mut k = i;
        while k < to {
            let t = toks[k];
            match t.kind {
                Kind::Ident => {}
                // `pub(crate)`: skip the group.
                Kind::Open(b'(') if k > i => {
                    k = close_of(toks, k)? + 1;
                    continue;
                }
                // `extern "C"`.
                Kind::Other => {
                    k += 1;
                    continue;
                }
                _ => break,
            }
            let w = word(text, &t);
            match w {
                "pub" | "async" | "unsafe" | "default" | "safe" | "auto" | "extern" => {}
                "const" => {
                    // `const fn` qualifies; `const X` is the item.
                    let next = toks.get(k + 1).filter(|t| t.kind == Kind::Ident);
                    let q = next.map(|t| word(text, t));
                    if !matches!(q, Some("fn" | "unsafe" | "async" | "extern")) {
                        kind = ItemKind::ToSemi;
                        break;
                    }
                }
                "fn" => {
                    kind = ItemKind::Fn;
                    name =
                        Some(k + 1).filter(|&n| toks.get(n).is_some_and(|t| t.kind == Kind::Ident));
                    break;
                }
                "impl" | "trait" | "mod" => {
                    kind = ItemKind::Container;
                    holds_impl = w != "mod";
                    is_trait = w == "trait";
                    break;
                }
                "struct" | "enum" | "union" => {
                    kind = ItemKind::Fields;
                    break;
                }
                "use" | "static" | "type" => {
                    kind = ItemKind::ToSemi;
                    break;
                }
                _ => break,
            }
            k += 1;
        }
        // An `extern` block (`extern "C" { .. }`) holds items too.
        if kind == ItemKind::Other
            && toks
                .get(i)
                .is_some_and(|t| t.kind == Kind::Ident && word(text, t) == "extern")
            && matches!(toks.get(k)?.kind, Kind::Open(b'{'))
        {
            kind = ItemKind::Container;
        }
        // Up to the item's `;` or its braces.
        let mut j = k;
        let end;
        loop {
            let t = toks.get(j)?;
            if j >= to {
                return None;
            }
            match t.kind {
                Kind::Punct(b';') => {
                    end = j + 1;
                    o.heads.push(head(toks, start, end, None));
                    break;
                }
                Kind::Open(b'{') if kind != ItemKind::ToSemi => {
                    let close = close_of(toks, j)?;
                    match kind {
                        ItemKind::Fn | ItemKind::Fields => {
                            let part = o.parts.len();
                            o.parts.push(Part {
                                inside: toks[j].end as usize..toks[close].start as usize,
                                toks: j + 1..close,
                                name: if kind == ItemKind::Fn { name } else { None },
                                in_impl,
                                dead: test && kind == ItemKind::Fn,
                            });
                            o.heads.push(head(toks, start, j + 1, Some(part)));
                        }
                        // `#[cfg(test)] mod tests { .. }` (or `impl`,
                        // `trait`): one dead part, blanked whole.
                        ItemKind::Container if test => {
                            let part = o.parts.len();
                            o.parts.push(Part {
                                inside: toks[j].end as usize..toks[close].start as usize,
                                toks: j + 1..close,
                                name: None,
                                in_impl,
                                dead: true,
                            });
                            o.heads.push(head(toks, start, j + 1, Some(part)));
                        }
                        ItemKind::Container => {
                            o.heads.push(head(toks, start, j + 1, None));
                            let inner = Within {
                                in_impl: holds_impl,
                                in_trait: is_trait,
                                tests_dead: at.tests_dead,
                            };
                            items(text, toks, j + 1, close, inner, o)?;
                        }
                        _ => o.heads.push(head(toks, start, close + 1, None)),
                    }
                    end = close + 1;
                    // `struct S { .. }` ends at its brace; a `;` may follow
                    // a macro call's braces (`m! { .. };`).
                    break;
                }
                Kind::Open(_) => j = close_of(toks, j)? + 1,
                Kind::Close(_) => return None,
                _ => j += 1,
            }
        }
        i = end;
        if is(i, b';') && kind == ItemKind::Other {
            i += 1;
        }
    }
    Some(())
}

fn head(toks: &[Tok], from: usize, to: usize, part: Option<usize>) -> Head {
    Head {
        bytes: toks[from].start as usize..toks[to - 1].end as usize,
        toks: from..to,
        part,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incremental::prefilter::Prefilter;
    use std::path::Path;

    fn needles(text: &str) -> Vec<Range<usize>> {
        Prefilter::words(&["needle"]).find_all(text)
    }

    /// [`blank`] on the tokens of `text` (none when it is not tokens).
    fn blank_text(
        text: &str,
        hits: &[Range<usize>],
        extra: Option<&[Range<usize>]>,
    ) -> Option<Sliced> {
        let toks = rustlex::tokens(text).ok()?;
        let extra = Extra {
            hits: extra.unwrap_or_default(),
            ..Extra::default()
        };
        blank(text, &toks, hits, extra)
    }

    /// Every character `out` kept is on the line and column it has in
    /// `text`.
    fn assert_in_place(out: &str, text: &str, what: &str) {
        assert_eq!(out.lines().count(), text.lines().count(), "{what}: {out}");
        for (kept, orig) in out.lines().zip(text.lines()) {
            let orig: Vec<char> = orig.chars().collect();
            for (col, c) in kept.chars().enumerate() {
                assert!(
                    c == ' ' || orig.get(col) == Some(&c),
                    "{what}: {kept:?} / {orig:?}"
                );
            }
        }
    }

    fn sliced(text: &str, helpers: &[&str]) -> String {
        let extra = (!helpers.is_empty()).then(|| Prefilter::words(helpers).find_all(text));
        let out = blank_text(text, &needles(text), extra.as_deref())
            .map_or_else(|| text.to_string(), |s| s.text);
        assert_in_place(&out, text, "");
        syn::parse_file(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        out
    }

    #[test]
    fn test_attributes_are_read_from_tokens_as_from_the_syntax_tree() {
        for (attr, test) in [
            ("#[test]", true),
            ("#[tokio::test]", true),
            ("#[tokio::test(flavor = \"multi_thread\")]", true),
            ("#[::tokio::test]", true),
            ("#[sqlx::test(migrations = \"./m\")]", true),
            ("#[rstest]", true),
            ("#[cfg(test)]", true),
            ("#[cfg(all(test, feature = \"pg\"))]", true),
            ("#[cfg(all(unix, any(test, test)))]", true),
            ("#[cfg(any(test))]", true),
            ("#[derive(Debug)] #[cfg(test)]", true),
            ("#[cfg(any(test, feature = \"x\"))]", false),
            ("#[cfg(not(test))]", false),
            ("#[cfg(feature = \"test\")]", false),
            ("#[cfg(all())]", false),
            ("#[cfg(any())]", false),
            ("#[cfg(test, unix)]", false),
            ("#[cfg_attr(test, allow(unused))]", false),
            ("#[test_case(1)]", false),
            ("#[doc = \"test\"]", false),
            ("#[my::testing]", false),
        ] {
            let text = format!("{attr}\nfn f() {{}}\n");
            let file = syn::parse_file(&text).expect("parses");
            let syn::Item::Fn(f) = &file.items[0] else {
                panic!("{text}");
            };
            assert_eq!(crate::parse::is_test_attr(&f.attrs), test, "syn: {attr}");
            let toks = rustlex::tokens(&text).unwrap();
            let fn_at = toks.iter().position(|t| word(&text, t) == "fn").unwrap();
            assert_eq!(test_attrs(&text, &toks[..fn_at]), test, "tokens: {attr}");
        }
    }

    #[test]
    fn test_code_is_blanked_whole_unless_tests_are_analysed() {
        let text = "fn keep() { needle() }\n\
            #[cfg(test)]\nmod tests {\n    use super::*;\n    const SQL: &str = \"x\";\n    #[test]\n    fn t() { needle(); keep(); helper(); }\n}\n\
            #[tokio::test]\nasync fn top() { needle(); helper(); }\n\
            impl S {\n    #[cfg(test)]\n    fn fixture() { needle() }\n    fn real() { other() }\n}\n\
            trait T {\n    #[cfg(test)]\n    fn default_one() { needle() }\n}\n";
        let toks = rustlex::tokens(text).unwrap();
        let helper = Prefilter::words(&["helper"]).find_all(text);
        let extra = Extra {
            hits: &helper,
            ..Extra::default()
        };
        let s = blank(text, &toks, &needles(text), extra).expect("blanked");
        assert_in_place(&s.text, text, "tests dead");
        syn::parse_file(&s.text).unwrap_or_else(|e| panic!("{e}: {}", s.text));
        for gone in ["mod tests", "SQL", "fn t", "fn top", "fixture", "helper"] {
            assert!(!s.text.contains(gone), "{gone}: {}", s.text);
        }
        // A trait's default method is read whatever its attributes.
        assert_eq!(s.kept, ["keep", "default_one"]);
        // Only `real` is blanked as a body that may be needed later, and
        // only its words are what the file may still call.
        let real = text.find("fn real() {").unwrap() + "fn real() {".len();
        assert_eq!(s.blanked, [(real as u32, real as u32 + 9)]);
        assert!(s.words.any_of(&[rustlex::word_hash("other")]));
        assert!(!s.words.any_of(&[rustlex::word_hash("helper")]));
        // With tests analysed, they are sliced like the rest.
        let extra = Extra {
            include_tests: true,
            ..extra
        };
        let s = blank(text, &toks, &needles(text), extra).expect("blanked");
        assert_eq!(s.kept, ["keep", "t", "top", "fixture", "default_one"]);
    }

    #[test]
    fn what_follows_a_blanked_region_keeps_line_and_column() {
        // A multi-line region with CRLF line breaks and non-ASCII text on
        // its last line, followed on that line by a kept function.
        let text =
            "fn skip() {\r\n    let s = \"é\";\r\n    s.len(); \"ü\" } fn keep() { needle() }\r\n";
        let out = sliced(text, &[]);
        assert!(!out.contains("skip"), "{out:?}");
        assert_eq!(out.matches("\r\n").count(), 3, "{out:?}");
        let file = syn::parse_file(&out).expect("parses");
        let syn::Item::Fn(kept) = &file.items[0] else {
            panic!("{out:?}");
        };
        let at = kept.sig.ident.span().start();
        let line = text.lines().nth(at.line - 1).expect("line");
        let col = line.find("keep").expect("keep");
        assert_eq!(at.column, line[..col].chars().count(), "{out:?}");
    }

    #[test]
    fn removes_whole_items_that_cannot_matter() {
        let text = "#![allow(dead_code)]\n\
            //! Module docs.\n\
            /// Docs of a DTO.\n#[derive(Debug)]\npub struct Dto {\n    a: u32,\n}\n\
            impl Dto {\n    /// Last item of the impl.\n    #[inline]\n    pub fn a(&self) -> u32 {\n        self.a\n    }\n}\n\
            /** Block docs. */\nfn keep() { needle() }\n\
            mod inner {\n    #![allow(unused)]\n    /// doc\n    fn t() {}\n}\n";
        let out = sliced(text, &[]);
        assert!(out.starts_with("#![allow(dead_code)]\n"), "{out}");
        for gone in [
            "Module docs",
            "Docs of a DTO",
            "derive",
            "struct Dto",
            "Last item",
            "inline",
            "fn a",
        ] {
            assert!(!out.contains(gone), "{gone}: {out}");
        }
        assert!(out.contains("impl Dto {"), "{out}");
        assert!(
            out.contains("/** Block docs. */\nfn keep() { needle() }"),
            "{out}"
        );
        // An empty body is left alone, and inner attributes stay.
        assert!(
            out.contains("#![allow(unused)]\n    /// doc\n    fn t() {}"),
            "{out}"
        );
    }

    #[test]
    fn blanks_bodies_without_needles_and_keeps_lines() {
        let text = "use a::b;\n\
            fn keep() { needle(); }\n\
            fn drop_me() -> u32 {\n    let é = \"x\";\n    1\n}\n\
            struct S {\n    a: u32,\n}\n\
            fn after() { needle() }\n";
        let out = sliced(text, &[]);
        assert!(out.contains("fn keep() { needle(); }"), "{out}");
        assert!(!out.contains("let é"), "{out}");
        assert!(!out.contains("a: u32"), "{out}");
        assert_eq!(out.lines().nth(9), Some("fn after() { needle() }"));
    }

    #[test]
    fn keeps_callers_of_kept_functions_and_words_of_needle_items() {
        let text = "use schema::docs::dsl::{needle, docs};\n\
            fn load() { inner() }\n\
            fn inner() { needle() }\n\
            fn uses_docs() { docs.filter(x) }\n\
            fn unrelated() { other() }\n";
        let out = sliced(text, &[]);
        assert!(out.contains("{ inner() }"), "{out}");
        assert!(out.contains("{ docs.filter(x) }"), "{out}");
        assert!(!out.contains("other()"), "{out}");
    }

    #[test]
    fn keeps_helpers_taking_a_query_and_bodies_naming_workspace_helpers() {
        let text = "fn scoped(q: Select<E>, org: i64) -> Select<E> { q.filter(org) }\n\
            fn handler() { with_status(x) }\n\
            fn other() { y() }\n";
        let out = sliced(text, &["with_status"]);
        assert!(out.contains("q.filter(org)"), "{out}");
        assert!(out.contains("with_status(x)"), "{out}");
        assert!(!out.contains("y()"), "{out}");
    }

    #[test]
    fn follows_nested_items_and_odd_syntax() {
        let text = "#![allow(x)]\n\
            mod m { pub(crate) fn a() { b() } impl T for U { const C: u8 = { 1 }; fn f(&self) { needle() } fn g(&self) { z() } } }\n\
            trait T { fn decl(&self); fn dflt(&self) { w() } }\n\
            extern \"C\" { fn ext(x: i32); }\n\
            macro_rules! mac { ($x:expr) => { $x }; }\n\
            mac!(1);\n\
            const fn cf() -> u8 { 2 }\n\
            pub(in crate::m) unsafe extern \"C\" fn e() { v() }\n\
            fn r#type() { r#match() }\n\
            enum E { A { x: u8 }, B }\n\
            union U2 { a: u8 }\n\
            struct Tuple(u8);\n\
            fn gen<const N: usize>() -> [u8; { N }] { needle() }\n";
        let out = sliced(text, &[]);
        assert!(out.contains("fn f(&self) { needle() }"), "{out}");
        assert!(
            !out.contains("z()") && !out.contains("w()") && !out.contains("v()"),
            "{out}"
        );
        assert!(out.contains("const C: u8 = { 1 };"), "{out}");
        assert!(
            out.contains("macro_rules! mac { ($x:expr) => { $x }; }"),
            "{out}"
        );
        assert!(!out.contains("A { x: u8 }"), "{out}");
        assert!(out.contains("struct Tuple(u8);"), "{out}");
        assert!(out.contains("{ needle() }\n"), "{out}");
    }

    #[test]
    fn every_fixture_still_parses_with_the_same_lines() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let filter = Prefilter::words(&["find", "execute", "load", "query"]);
        let mut sliced_files = 0;
        for e in ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .build()
            .flatten()
        {
            if e.path().extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(e.path()) else {
                continue;
            };
            if syn::parse_file(&text).is_err() {
                continue;
            }
            if let Some(s) = blank_text(&text, &filter.find_all(&text), None) {
                sliced_files += 1;
                let p = e.path().display();
                assert_in_place(&s.text, &text, &p.to_string());
                if let Err(err) = syn::parse_file(&s.text) {
                    panic!("{p}: {err}\n{}", s.text);
                }
            }
        }
        assert!(sliced_files > 20, "{sliced_files}");
    }

    #[test]
    fn leaves_what_it_cannot_follow_whole() {
        for text in [
            "fn a() { x() ",
            "fn a() { x() } }",
            "#[attr fn a() {}",
            "fn a() { b() } #",
        ] {
            assert!(blank_text(text, &needles(text), None).is_none(), "{text}");
        }
        // Nothing to blank.
        let text = "fn a() { needle() }";
        assert!(blank_text(text, &needles(text), None).is_none());
    }

    #[test]
    fn the_schema_pass_blanks_only_free_functions_without_a_marker() {
        let text = "\
#[derive(DeriveEntityModel)]
pub struct Model { pub id: i32, pub org_id: i32 }
#[derive(DeriveRelation)]
pub enum Relation { #[sea_orm(belongs_to = \"org\")] Org }
impl Related<org::Entity> for Entity {
    fn to() -> RelationDef { Relation::Org.def() }
    fn via() -> Option<RelationDef> { Some(x::Relation::Y.def()) }
}
impl Iden for Docs { fn unquoted(&self) -> &str { match self { Self::Table => \"docs\" } } }
const SQL: &str = \"SELECT 1\";
pub async fn list(db: &Db) -> Vec<Model> { Entity::find().all(db).await }
pub async fn setup(db: &Db) { db.execute_unprepared(\"CREATE TABLE t (id int)\").await; }
mod inner { fn helper() -> u8 { 1 } }
";
        let toks = rustlex::tokens(text).unwrap();
        let hits =
            Prefilter::words(&["DeriveEntityModel", "Related<", "CREATE TABLE"]).find_all(text);
        let out = blank_for_schema(text, &toks, &hits).expect("blanks").text;
        assert_in_place(&out, text, "schema");
        // Free functions without a marker go, in a module too.
        assert!(!out.contains("Entity::find"), "{out}");
        assert!(!out.contains("fn helper"), "{out}");
        // Field lists, impl bodies (marked or not), consts and a free
        // function with a marker stay.
        for kept in [
            "pub org_id: i32",
            "belongs_to",
            "x::Relation::Y.def()",
            "Self::Table => \"docs\"",
            "const SQL",
            "CREATE TABLE t",
        ] {
            assert!(out.contains(kept), "{kept}: {out}");
        }
    }
}
