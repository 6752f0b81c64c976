//! Prefilters that decide, before parsing, which files can matter. A file
//! is parsed for schema facts only if its bytes contain a schema marker.
//! It is parsed for queries only if its tokens contain a query start
//! taken from the ORM knowledge (`Entity::find`, `::delete_many`,
//! `belonging_to`, ...), a path into a Diesel table module
//! (`documents::table`, `documents::dsl::*`, `schema::documents::{..}`, a
//! column: a Diesel query names its table through that module, in the
//! expression or in the `use` that imports it; `handlers::documents::list`
//! names an application module), or a raw SQL entry point of
//! `src/orm/sql/knowledge.toml` (`query_as!`, `sql_query(`, `.execute(sql)`,
//! `QueryBuilder`) ([`QueryNeedles`]). A query the rules judge always
//! begins with one of these, so skipping the other files loses nothing (a
//! test checks that every fixture and a generated corpus give the same
//! findings with and without the prefilter). Most files never reach the
//! token scan: a test on the bytes ([`QueryNeedles::without_needle`]) rules
//! out a needle wherever no word next to `(`, `!` or `::` can be one.
//! Also here: the byte scan for
//! a workspace's helper names, and a token scan for structs that carry a
//! tenant field, cheap enough to run on every file.

use crate::config::Config;
use crate::model::TenantModel;
use crate::orm::{self, Knowledge};
use crate::parse::Failure;
use crate::rustlex::{word_bytes_hash, word_hash, Kind, Tok, Words};
use aho_corasick::AhoCorasick;

/// SQL kept in string constants, used by other files: these mark a file
/// only where the value may be SQL ([`may_hold_sql`]).
pub const SQL_CONST_NEEDLES: &[&str] = &[": &str =", ": &'static str ="];

/// A set of needles; some must start, or also end, at a word boundary.
pub struct Prefilter {
    ac: Option<AhoCorasick>,
    bounds: Vec<Bounds>,
}

/// Word-boundary requirements of one needle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Bounds {
    /// Anywhere.
    None,
    /// Before a value that may be SQL ([`may_hold_sql`]).
    SqlValue,
    /// A whole word that is not a method name (`x.name`): how a
    /// workspace helper is called, since method-style helpers are not
    /// followed.
    NotMethod,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `bytes[start..end]` is not preceded or followed by a word byte.
pub(crate) fn whole_word_at(bytes: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| bytes[i]);
    !before.is_some_and(is_word) && !bytes.get(end).is_some_and(|c| is_word(*c))
}

impl Prefilter {
    fn new(needles: Vec<(String, Bounds)>) -> Prefilter {
        if needles.is_empty() {
            return Prefilter {
                ac: None,
                bounds: Vec::new(),
            };
        }
        // A DFA: the needle set is small and every file is scanned whole.
        // Leftmost-longest: a failed word test restarts the search one
        // byte on, so every needle starting later is still seen.
        let ac = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(needles.iter().map(|(n, _)| n.as_str()))
            .ok();
        Prefilter {
            ac,
            bounds: needles.into_iter().map(|(_, w)| w).collect(),
        }
    }

    /// Files that name one of `words` as a whole word, other than as a
    /// method (`x.name`): calls of workspace helpers.
    pub fn words(words: &[&str]) -> Prefilter {
        Prefilter::new(
            words
                .iter()
                .map(|w| (w.to_string(), Bounds::NotMethod))
                .collect(),
        )
    }

    /// Files that may declare tables or entities.
    pub fn schema() -> Prefilter {
        Prefilter::new(
            Knowledge::get()
                .schema_markers()
                .into_iter()
                .map(|s| (s.to_string(), Bounds::None))
                // Most string constants hold paths, messages and keys.
                .chain(
                    SQL_CONST_NEEDLES
                        .iter()
                        .map(|s| (s.to_string(), Bounds::SqlValue)),
                )
                .collect(),
        )
    }

    /// Whether nothing can match (no needles).
    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// Whether `text` contains a needle (whole-word ones as whole words).
    pub fn matches(&self, text: &str) -> bool {
        self.hits(text).next().is_some()
    }

    /// Where the needles occur in `text`, by start (a needle inside
    /// another counts too).
    pub fn find_all(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        let mut v: Vec<_> = self.hits(text).collect();
        v.sort_by_key(|r| (r.start, r.end));
        v
    }

    fn hits<'t>(&'t self, text: &'t str) -> impl Iterator<Item = std::ops::Range<usize>> + 't {
        let bytes = text.as_bytes();
        // Non-overlapping matches: after a match that fails its word test
        // the search goes on from its second byte (a needle inside it may
        // pass), after one that passes from its end (a needle overlapping
        // it is at the same place, which is all callers ask about).
        let mut at = 0;
        std::iter::from_fn(move || {
            let ac = self.ac.as_ref()?;
            while at < bytes.len() {
                let m = ac.find(aho_corasick::Input::new(bytes).span(at..bytes.len()))?;
                if self.accepts(bytes, &m) {
                    at = m.end().max(m.start() + 1);
                    return Some(m.range());
                }
                at = m.start() + 1;
            }
            None
        })
    }

    fn accepts(&self, bytes: &[u8], m: &aho_corasick::Match) -> bool {
        match self.bounds[m.pattern().as_usize()] {
            Bounds::None => true,
            Bounds::SqlValue => may_hold_sql(bytes, m.end()),
            Bounds::NotMethod => {
                whole_word_at(bytes, m.start(), m.end())
                    && bytes[..m.start()]
                        .iter()
                        .rev()
                        .find(|b| !b.is_ascii_whitespace())
                        .is_none_or(|&b| b != b'.')
            }
        }
    }
}

/// The query prefilter, matched on the tokens of a file: the names that
/// start a query the rules judge, each where it stands in such a query.
/// Built from the ORM knowledge, the configuration and the Diesel tables
/// of the model, so a new ORM method or table can never be forgotten.
/// Comments and literals hold no needles, and spacing between the tokens
/// does not matter (`Entity :: find` is a query too).
pub struct QueryNeedles {
    /// Whole identifiers, by [`word_hash`], sorted.
    exact: Vec<(u32, Box<str>, Shape)>,
    /// Per first byte, one bit per length (63 and more share one) of the
    /// whole-identifier needles.
    len_first: [u64; 256],
    /// Per Diesel table needle, the names its module has, as sorted
    /// [`word_hash`]es.
    table_members: Vec<Vec<u32>>,
    /// The needles that stand anywhere ([`Shape::Any`]), found in bytes
    /// ([`QueryNeedles::may_hit`]).
    anywhere: Anywhere,
}

/// Where a needle's identifier stands among the tokens around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    /// Anywhere (`belonging_to`, a scope method, `QueryBuilder`).
    Any,
    /// After `::` (`Entity::find`).
    AfterPath,
    /// Before `::` (`admin::*` configured as a superuser call).
    BeforePath,
    /// A Diesel table module, before `::` and a name the module has
    /// (`documents::table`, `use schema::documents::dsl::*`,
    /// `documents::org_id`, `schema::documents::{..}`), not a module of
    /// the application named like the table (`handlers::documents::list`):
    /// the index of its names in [`QueryNeedles::table_members`].
    Table(u32),
    /// A macro call (`query!`).
    Macro,
    /// A function call (`sql_query(`, `query_as::<`).
    Call,
    /// A method call with an argument (`client.execute(sql)`;
    /// `job.execute()` sends no SQL).
    Method,
    /// `::name()` (`T::table()`: a table named by a generic parameter).
    EmptyCallAfterPath,
    /// `::Name {` (a struct literal: `document::ActiveModel { .. }`).
    StructAfterPath,
}

/// How [`QueryNeedles::without_needle`] finds the needles that stand
/// anywhere.
enum Anywhere {
    Nothing,
    Packed(aho_corasick::packed::Searcher),
    Automaton(AhoCorasick),
    /// The searcher could not be built: every file may have one.
    Unsearchable,
}

/// What the query prefilter found in a file's tokens.
pub struct Scanned {
    /// The identifiers that are needles, by position.
    pub hits: Vec<std::ops::Range<usize>>,
    /// The names the file calls (for the helper rescue), when it has no
    /// needle.
    pub words: Words,
}

impl QueryNeedles {
    /// The needles for queries on the tables of `model`, and for raw SQL
    /// (which `session-search-path` judges even without tenant tables).
    pub fn new(model: &TenantModel, config: &Config) -> QueryNeedles {
        let k = Knowledge::get();
        let mut exact: Vec<(String, Shape)> = Vec::new();
        // The last segment of a configured path: the name in the code.
        let last = |p: &str| {
            let name = p.rsplit("::").next().unwrap_or(p);
            name.strip_prefix("r#").unwrap_or(name).to_string()
        };
        // The analysis knows these names exactly: `::find_policies` is no
        // start, and `find_also_related` follows a `::find()`.
        for (_, p) in k.with_shape(orm::Shape::Entity) {
            for s in p.starts.iter().chain(&p.pk_starts) {
                exact.push((s.clone(), Shape::AfterPath));
            }
            // A new row, `document::ActiveModel { .. }`: an insert is
            // judged only where its row is written out, so the literal is
            // the needle (not `Tag::insert(row)`).
            for s in &p.new_row_types {
                exact.push((s.clone(), Shape::StructAfterPath));
            }
            // A sea-query statement, `Query::select()`.
            for s in &p.builder_types {
                exact.push((s.clone(), Shape::BeforePath));
            }
        }
        for (_, p) in k.packs() {
            for s in &p.related_starts {
                exact.push((s.clone(), Shape::Any));
            }
        }
        for s in &config.tenant.scope_methods {
            exact.push((last(s), Shape::Any));
        }
        for c in &config.superuser.calls {
            match c.rsplit_once("::") {
                Some((t, "*")) => exact.push((last(t), Shape::BeforePath)),
                _ => exact.push((last(c), Shape::Any)),
            }
        }
        // A table module's own members, from every ORM whose queries
        // start from one.
        let module_members: Vec<&str> = k
            .with_shape(orm::Shape::TableModule)
            .flat_map(|(_, p)| p.table_members.iter().map(String::as_str))
            .collect();
        let mut table_members = Vec::new();
        for t in model.table_modules.keys() {
            let mut members: Vec<u32> = module_members
                .iter()
                .copied()
                .chain(
                    model
                        .table_module_columns
                        .get(t)
                        .into_iter()
                        .flatten()
                        .map(|c| c.as_str()),
                )
                .chain([t.as_str()])
                .map(word_hash)
                .collect();
            members.sort_unstable();
            members.dedup();
            exact.push((t.clone(), Shape::Table(table_members.len() as u32)));
            table_members.push(members);
        }
        for (_, p) in k.with_shape(orm::Shape::TableModule) {
            for c in &p.table_calls {
                exact.push((c.clone(), Shape::EmptyCallAfterPath));
            }
        }
        // Raw SQL entry points (`src/orm/sql/knowledge.toml`).
        for m in k.sql.macros.iter().chain(&k.sql.file_macros) {
            exact.push((m.clone(), Shape::Macro));
        }
        for f in &k.sql.functions {
            exact.push((f.clone(), Shape::Call));
        }
        for m in &k.sql.methods {
            exact.push((m.clone(), Shape::Method));
        }
        for b in &k.sql.builder_types {
            exact.push((b.clone(), Shape::Any));
        }
        let mut exact: Vec<(u32, Box<str>, Shape)> = exact
            .into_iter()
            .filter(|(w, _)| !w.is_empty())
            .map(|(w, shape)| (word_hash(&w), w.into_boxed_str(), shape))
            .collect();
        exact.sort();
        exact.dedup();
        let mut len_first = [0u64; 256];
        for (_, w, _) in &exact {
            len_first[w.as_bytes()[0] as usize] |= 1 << w.len().min(63);
        }
        let anywhere: Vec<&str> = exact
            .iter()
            .filter(|x| x.2 == Shape::Any)
            .map(|x| &*x.1)
            .collect();
        // Leftmost matches: no needle starting before a reported one is
        // passed over. The few words suit a SIMD searcher (Teddy), which
        // the general one may not pick.
        let anywhere = if anywhere.is_empty() {
            Anywhere::Nothing
        } else if let Some(p) = aho_corasick::packed::Config::new()
            .match_kind(aho_corasick::packed::MatchKind::LeftmostLongest)
            .builder()
            .extend(&anywhere)
            .build()
        {
            Anywhere::Packed(p)
        } else {
            match AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&anywhere)
            {
                Ok(ac) => Anywhere::Automaton(ac),
                Err(_) => Anywhere::Unsearchable,
            }
        };
        QueryNeedles {
            table_members,
            anywhere,
            exact,
            len_first,
        }
    }

    /// Whether [`QueryNeedles::scan`] may find a needle in `text`, decided
    /// from the bytes alone, without reading tokens: `None` if it may,
    /// else the names `text` may call (for the helper rescue, as [`Words`]
    /// has them from tokens). A needle stands next to punctuation its
    /// shape names (`::` before `find`, `!` after `query`, `(` after
    /// `sql_query`, `::` after a table), so only the words next to `(`,
    /// `!` and `::` are checked, against the bytes around them; the
    /// needles that stand anywhere are looked for as words. A needle (or a
    /// called name) in a comment or a literal counts too, and where the
    /// bytes cannot tell the tokens apart (a comment next to a word, a
    /// line comment on the line before), the answer is `None`: a file
    /// this gives words for has no needle, and is never read as tokens.
    pub fn without_needle(&self, text: &str) -> Option<Words> {
        // As the token scan reads it: no BOM, no shebang line.
        let b = crate::parse::lexed_part(text).as_bytes();
        let mut called = Vec::new();
        // Where the word after the last `::` ended: a path's inner
        // segments were checked as the word after one `::` already.
        let mut checked_to = usize::MAX;
        for i in memchr::memchr3_iter(b'(', b'!', b':', b) {
            let path = b[i] == b':';
            if path && b.get(i + 1) != Some(&b':') {
                continue;
            }
            match side_before(b, i) {
                Side::Unknown => return None,
                Side::At(p) => {
                    let s = ident_start(b, p + 1);
                    if s <= p {
                        if p + 1 != checked_to && self.word_may_stand(b, s, p + 1) {
                            return None;
                        }
                        // `name(..)` and `name::..`, not `x.name(..)` (the
                        // lexer takes `r#1a` for an identifier, `1a` not).
                        let token = raw_start(b, s);
                        if b[i] != b'!' && (token != s || !b[s].is_ascii_digit()) {
                            // (A comment before it: maybe a method, kept.)
                            if !matches!(side_before(b, token), Side::At(d) if b[d] == b'.') {
                                called.push(word_bytes_hash(&b[s..=p]));
                            }
                        }
                    }
                }
                Side::Edge => {}
            }
            if path {
                match side_after(b, i + 2) {
                    Side::Unknown => return None,
                    Side::Edge => {}
                    Side::At(q) => {
                        let (s, e) = word_at(b, q);
                        if e > s {
                            if self.word_may_stand(b, s, e) {
                                return None;
                            }
                            checked_to = e;
                        }
                    }
                }
            }
        }
        // A string that may hold an SQL statement (the token scan's
        // `sql_statement_literal`; read from each quote on, past the
        // literal's end if need be, so never less than the scan sees).
        if memchr::memchr_iter(b'"', b).any(|q| sql_statement_literal(&b[q..])) {
            return None;
        }
        // The word around a match of a needle that stands anywhere.
        let stands = |at: usize| self.word_may_stand(b, ident_start(b, at), ident_end(b, at));
        let found = match &self.anywhere {
            Anywhere::Nothing => false,
            Anywhere::Packed(p) => p.find_iter(b).any(|m| stands(m.start())),
            Anywhere::Automaton(ac) => ac.find_iter(b).any(|m| stands(m.start())),
            Anywhere::Unsearchable => true,
        };
        (!found).then(|| Words::from_hashes(called))
    }

    /// Whether the word `b[s..e]` (after its `r#` if it has one) is a
    /// needle whose shape the bytes around it may have.
    #[inline]
    fn word_may_stand(&self, b: &[u8], s: usize, e: usize) -> bool {
        let word = &b[s..e];
        let Some(&first) = word.first() else {
            return false;
        };
        // Most words have no needle of their length and first byte (a
        // number has none at all).
        if self.len_first[first as usize] & (1 << word.len().min(63)) == 0 {
            return false;
        }
        let token = raw_start(b, s);
        let h = word_bytes_hash(word);
        let from = self.exact.partition_point(|x| x.0 < h);
        self.exact[from..]
            .iter()
            .take_while(|x| x.0 == h)
            .any(|x| x.1.as_bytes() == word && self.shape_may_hold(b, token, e, x.2))
    }

    /// Whether the bytes around the word `b[s..e]` may give it `shape` (see
    /// [`QueryNeedles::scan`], which reads the same shapes from tokens).
    fn shape_may_hold(&self, b: &[u8], s: usize, e: usize, shape: Shape) -> bool {
        let before = |p: &[u8]| side_is(b, side_before(b, s), p, true);
        let after = side_after(b, e);
        let next = |p: &[u8]| side_is(b, after, p, false);
        // The token after the one that starts at the side `after` (of `n`
        // bytes).
        let then = |n: usize| match after {
            Side::At(i) => side_after(b, i + n),
            _ => Side::Unknown,
        };
        match shape {
            Shape::Any => true,
            Shape::AfterPath => before(b"::"),
            Shape::BeforePath => next(b"::"),
            Shape::Table(t) => {
                next(b"::")
                    && match after {
                        Side::At(i) => match side_after(b, i + 2) {
                            Side::At(q) => {
                                let (s, e) = word_at(b, q);
                                // No name: `{..}`, `*`, a number, or a
                                // literal (`r"x"`, `b'x'`, `br#"x"#`).
                                e == s
                                    || b[s].is_ascii_digit()
                                    || matches!(b.get(e), Some(b'"' | b'\'' | b'#'))
                                    || self.is_member(t, &b[s..e])
                            }
                            _ => true,
                        },
                        _ => true,
                    }
            }
            Shape::Macro => next(b"!"),
            Shape::Call => next(b"(") || (next(b"::") && side_is(b, then(2), b"<", false)),
            Shape::Method => {
                before(b".") && next(b"(") && !matches!(then(1), Side::At(i) if b[i] == b')')
            }
            Shape::EmptyCallAfterPath => {
                before(b"::") && next(b"(") && side_is(b, then(1), b")", false)
            }
            Shape::StructAfterPath => before(b"::") && next(b"{"),
        }
    }

    /// Whether `word` (an identifier, maybe raw) is a name of the Diesel
    /// table module of [`Shape::Table`] `t`.
    fn is_member(&self, t: u32, word: &[u8]) -> bool {
        let word = word.strip_prefix(b"r#").unwrap_or(word);
        self.table_members
            .get(t as usize)
            .is_none_or(|m| m.binary_search(&word_bytes_hash(word)).is_ok())
    }

    /// Reads `text` as tokens into `toks` (see [`crate::rustlex`]; a BOM
    /// and a shebang line are not tokens; offsets are into the whole text)
    /// and finds the needles in them, or says why it is not Rust tokens at
    /// all.
    pub fn scan(&self, text: &str, toks: &mut Vec<Tok>) -> Result<Scanned, Failure> {
        let part = crate::parse::lexed_part(text);
        crate::rustlex::tokens_into(part, toks)?;
        let offset = (text.len() - part.len()) as u32;
        if offset > 0 {
            for t in toks.iter_mut() {
                t.start += offset;
                t.end += offset;
            }
        }
        let toks = &toks[..];
        let mut hits = Vec::new();
        let mut words = Vec::new();
        let kind = |k: usize| toks.get(k).map(|t| t.kind);
        // `::` at `k` (two joint colons).
        let path_at = |k: usize| {
            kind(k) == Some(Kind::Punct(b':'))
                && kind(k + 1) == Some(Kind::Punct(b':'))
                && toks[k].end == toks[k + 1].start
        };
        let bytes = text.as_bytes();
        let mut fns = StringFns::default();
        for (k, t) in toks.iter().enumerate() {
            fns.step(bytes, toks, k);
            // A whole SQL statement in a string literal of a function that
            // returns a string keeps its body: it may build SQL for its
            // callers to send.
            if t.kind == Kind::Other
                && fns.inside()
                && sql_statement_literal(&bytes[t.start as usize..t.end as usize])
            {
                hits.push(t.range());
                continue;
            }
            if t.kind != Kind::Ident {
                continue;
            }
            let raw = &bytes[t.start as usize..t.end as usize];
            let word = match raw {
                [b'r', b'#', rest @ ..] => rest,
                _ => raw,
            };
            let after_dot = k > 0 && toks[k - 1].kind == Kind::Punct(b'.');
            let called = kind(k + 1) == Some(Kind::Open(b'(')) || path_at(k + 1);
            let callee = called && !after_dot;
            // Most identifiers have no needle of their length and first
            // byte: no hash, no lookup.
            // The lexer reads a lone `r#` as an identifier.
            let Some(&first) = word.first() else {
                continue;
            };
            let maybe_exact = self.len_first[first as usize] & (1 << word.len().min(63)) != 0;
            if !(maybe_exact || callee) {
                continue;
            }
            let h = word_bytes_hash(word);
            if callee {
                words.push(h);
            }
            let stands = |shape: Shape| match shape {
                Shape::Any => true,
                Shape::AfterPath => k >= 2 && path_at(k - 2),
                Shape::BeforePath => path_at(k + 1),
                Shape::Table(i) => {
                    path_at(k + 1)
                        && match toks.get(k + 3) {
                            // `documents::{self, dsl}`, `documents::*`.
                            Some(n) if n.kind == Kind::Ident => {
                                self.is_member(i, &bytes[n.start as usize..n.end as usize])
                            }
                            _ => true,
                        }
                }
                Shape::Macro => kind(k + 1) == Some(Kind::Punct(b'!')),
                Shape::Call => {
                    kind(k + 1) == Some(Kind::Open(b'('))
                        || (path_at(k + 1) && kind(k + 3) == Some(Kind::Punct(b'<')))
                }
                Shape::Method => {
                    after_dot
                        && kind(k + 1) == Some(Kind::Open(b'('))
                        && kind(k + 2) != Some(Kind::Close(b')'))
                }
                Shape::EmptyCallAfterPath => {
                    k >= 2
                        && path_at(k - 2)
                        && kind(k + 1) == Some(Kind::Open(b'('))
                        && kind(k + 2) == Some(Kind::Close(b')'))
                }
                Shape::StructAfterPath => {
                    k >= 2 && path_at(k - 2) && kind(k + 1) == Some(Kind::Open(b'{'))
                }
            };
            let exact = maybe_exact && {
                let from = self.exact.partition_point(|e| e.0 < h);
                self.exact[from..]
                    .iter()
                    .take_while(|e| e.0 == h)
                    .any(|e| e.1.as_bytes() == word && stands(e.2))
            };
            if exact {
                hits.push(t.range());
            }
        }
        Ok(Scanned {
            // A file with a needle is sliced, and keeps the words of what
            // the slicer blanks instead.
            words: if hits.is_empty() {
                Words::from_hashes(words)
            } else {
                Words::default()
            },
            hits,
        })
    }
}

/// Where the identifier that ends at `e` starts: its ASCII word bytes
/// and non-ASCII characters other than blanks (an identifier's letters).
fn ident_start(b: &[u8], e: usize) -> usize {
    let mut i = e;
    while i > 0 && (is_word(b[i - 1]) || (b[i - 1] >= 0x80 && blank_before(b, i) == 0)) {
        i -= 1;
    }
    i
}

/// Where the identifier that starts at `s` ends (see [`ident_start`]).
fn ident_end(b: &[u8], s: usize) -> usize {
    let mut i = s;
    while i < b.len() && (is_word(b[i]) || (b[i] >= 0x80 && blank_at(b, i) == 0)) {
        i += 1;
    }
    i
}

/// The word of the token that starts at `q` (after its `r#` if it has
/// one): empty if the token is no identifier.
fn word_at(b: &[u8], q: usize) -> (usize, usize) {
    let s = if b[q..].starts_with(b"r#") { q + 2 } else { q };
    (s, ident_end(b, s))
}

/// Where the token of the word that starts at `s` starts: at its `r#`
/// if it has one.
fn raw_start(b: &[u8], s: usize) -> usize {
    if s >= 2 && &b[s - 2..s] == b"r#" && !(s >= 3 && is_word(b[s - 3])) {
        s - 2
    } else {
        s
    }
}

/// The byte next to a token, read from the bytes alone.
#[derive(Clone, Copy)]
enum Side {
    /// The last byte of the token before, or the first of the one after.
    At(usize),
    /// Nothing there: the start or the end of the text.
    Edge,
    /// Cannot be told from the bytes: a comment.
    Unknown,
}

/// Whether `c` is a blank to the lexer ([`crate::rustlex`]).
fn is_wide_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{200e}' || c == '\u{200f}'
}

/// How many bytes of blank end `b[..i]` (0 if none), one character.
fn blank_before(b: &[u8], i: usize) -> usize {
    match b[..i].last() {
        Some(&(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) => 1,
        Some(&c) if c >= 0x80 => {
            // The character's first byte (`i` may be inside a character).
            let mut start = i - 1;
            while start > 0 && i - start < 4 && (0x80..0xc0).contains(&b[start]) {
                start -= 1;
            }
            match std::str::from_utf8(&b[start..i]).map(|t| t.chars().next()) {
                Ok(Some(c)) if is_wide_blank(c) => i - start,
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// How many bytes of blank start `b[i..]` (0 if none), one character.
fn blank_at(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(&(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)) => 1,
        Some(&c) if c >= 0xc0 => {
            let n = match c {
                0xc0..=0xdf => 2,
                0xe0..=0xef => 3,
                _ => 4,
            };
            match b.get(i..i + n).map(std::str::from_utf8) {
                Some(Ok(t)) if t.chars().next().is_some_and(is_wide_blank) => n,
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// The byte before the token that starts at `s`.
#[inline]
fn side_before(b: &[u8], s: usize) -> Side {
    let mut i = s;
    let mut crossed_line = false;
    while let Some(&c) = i.checked_sub(1).map(|k| &b[k]) {
        match c {
            b' ' | b'\t' | b'\r' | 0x0b | 0x0c => i -= 1,
            b'\n' => {
                crossed_line = true;
                i -= 1;
            }
            0x80.. => match blank_before(b, i) {
                0 => break,
                n => i -= n,
            },
            _ => break,
        }
    }
    let Some(i) = i.checked_sub(1) else {
        return Side::Edge;
    };
    // The end of a block comment; or, on an earlier line, maybe the end
    // of a line comment.
    if b[i] == b'/' && i > 0 && b[i - 1] == b'*' {
        return Side::Unknown;
    }
    if crossed_line {
        let line = memchr::memrchr(b'\n', &b[..i]).map_or(0, |n| n + 1);
        if memchr::memmem::find(&b[line..=i], b"//").is_some() {
            return Side::Unknown;
        }
    }
    Side::At(i)
}

/// The byte after the token that ends at `e`.
fn side_after(b: &[u8], e: usize) -> Side {
    let mut i = e;
    loop {
        let n = blank_at(b, i);
        if n == 0 {
            break;
        }
        i += n;
    }
    match b.get(i..) {
        None | Some([]) => Side::Edge,
        Some([b'/', b'/' | b'*', ..]) => Side::Unknown,
        Some(_) => Side::At(i),
    }
}

/// Whether the token before may end with `p`, or the one after start
/// with it (`before` says which side `side` is).
fn side_is(b: &[u8], side: Side, p: &[u8], before: bool) -> bool {
    match side {
        Side::Unknown => true,
        Side::Edge => false,
        Side::At(i) if before => b[..=i].ends_with(p),
        Side::At(i) => b[i..].starts_with(p),
    }
}

/// Whether the value that starts at `at` (after `const X: &str =`) may
/// be SQL: anything but a plain string literal (`concat!(..)`,
/// `include_str!(..)`, another constant), or a literal that starts like
/// SQL (after blanks, `(` and escaped line breaks) as
/// [`crate::sql::text::SqlText::looks_like_sql`] reads it.
fn may_hold_sql(b: &[u8], mut at: usize) -> bool {
    while b.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    match b.get(at) {
        Some(b'"') => at += 1,
        Some(b'r') => {
            let mut j = at + 1;
            while b.get(j) == Some(&b'#') {
                j += 1;
            }
            if b.get(j) != Some(&b'"') {
                return true;
            }
            at = j + 1;
        }
        _ => return true,
    }
    loop {
        match b.get(at) {
            Some(c) if c.is_ascii_whitespace() || *c == b'(' => at += 1,
            // An escape that stands for a blank, or a line continuation.
            Some(b'\\') => match b.get(at + 1) {
                Some(b'n' | b't' | b'r' | b'\n' | b'\r') => at += 2,
                _ => return true,
            },
            _ => break,
        }
    }
    let rest = &b[at.min(b.len())..];
    // Unicode blanks and anything else unusual: maybe.
    if rest.first().is_some_and(|c| *c >= 0x80)
        || rest.starts_with(b"--")
        || rest.starts_with(b"/*")
    {
        return true;
    }
    let n = rest.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    let word = String::from_utf8_lossy(&rest[..n]).to_ascii_lowercase();
    crate::sql::text::SQL_START_WORDS.contains(&word.as_str())
}

/// Which function bodies the token scan is in, and whether the innermost
/// returns a string (`-> String`, `-> &'static str`, `-> Cow<str>`,
/// also in a `Result`/`Option`).
#[derive(Default)]
struct StringFns {
    /// Brace depth.
    depth: u32,
    /// Parenthesis and bracket depth (a `;` in `[u8; 4]` ends nothing).
    nest: u32,
    /// After `fn`, before its body: `Some(returns a string)`.
    sig: Option<bool>,
    /// After `->` in the signature.
    in_ret: bool,
    /// Open bodies: (depth inside, returns a string).
    open: Vec<(u32, bool)>,
}

impl StringFns {
    fn step(&mut self, b: &[u8], toks: &[Tok], k: usize) {
        let t = &toks[k];
        let word = || &b[t.start as usize..t.end as usize];
        match t.kind {
            Kind::Ident if word() == b"fn" => {
                self.sig = Some(false);
                self.in_ret = false;
            }
            Kind::Punct(b'>')
                if k > 0 && toks[k - 1].kind == Kind::Punct(b'-') && toks[k - 1].end == t.start =>
            {
                self.in_ret = self.sig.is_some();
            }
            Kind::Ident if self.in_ret && matches!(word(), b"String" | b"str" | b"Cow") => {
                self.sig = Some(true);
            }
            Kind::Ident if self.in_ret && word() == b"where" => self.in_ret = false,
            Kind::Open(b'(' | b'[') => self.nest += 1,
            Kind::Close(b')' | b']') => self.nest = self.nest.saturating_sub(1),
            Kind::Punct(b';') if self.nest == 0 => {
                // A signature without a body (in a trait).
                self.sig = None;
                self.in_ret = false;
            }
            Kind::Open(b'{') => {
                self.depth += 1;
                if let Some(sql) = self.sig.take() {
                    self.open.push((self.depth, sql));
                    self.in_ret = false;
                }
            }
            Kind::Close(b'}') => {
                if self.open.last().is_some_and(|o| o.0 == self.depth) {
                    self.open.pop();
                }
                self.depth = self.depth.saturating_sub(1);
            }
            _ => {}
        }
    }

    /// Inside the body of a function that returns a string.
    fn inside(&self) -> bool {
        self.open.last().is_some_and(|o| o.1)
    }
}

/// Whether a literal token is a string that holds an SQL statement: it
/// starts like SQL (see [`may_hold_sql`]) and has the clause its first
/// word needs (`SELECT .. FROM`, `INSERT INTO`, `UPDATE .. SET`,
/// `DELETE FROM`, `WITH .. AS`), so that "Select a file" is not one.
fn sql_statement_literal(lit: &[u8]) -> bool {
    if !matches!(lit.first(), Some(b'"' | b'r')) || !may_hold_sql(lit, 0) {
        return false;
    }
    // Escapes that stand for blanks (`\n`, `\t`, `\r`) separate words.
    let mut text = lit[..lit.len().min(4096)].to_vec();
    for i in 1..text.len() {
        if text[i - 1] == b'\\' && matches!(text[i], b'n' | b't' | b'r') {
            text[i] = b' ';
        }
    }
    let words = text
        .split(|c| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .take(64);
    let mut first: Option<&[u8]> = None;
    for w in words {
        let Some(f) = first else {
            // `r#"` leaves an `r` word first.
            if !w.eq_ignore_ascii_case(b"r") {
                first = Some(w);
            }
            continue;
        };
        let needs: &[u8] = match f.to_ascii_lowercase().as_slice() {
            b"select" | b"delete" => b"from",
            b"insert" => b"into",
            b"update" => b"set",
            b"with" => b"as",
            _ => return false,
        };
        if w.eq_ignore_ascii_case(needs) {
            return true;
        }
    }
    false
}

/// Whether `text` contains `word` as a whole word.
pub fn has_word(text: &str, word: &str) -> bool {
    let b = text.as_bytes();
    memchr::memmem::find_iter(b, word.as_bytes()).any(|at| whole_word_at(b, at, at + word.len()))
}

/// Whether one of `hits` (sorted by start, as [`Prefilter::find_all`]
/// gives them) lies inside `within`.
pub fn any_within(hits: &[std::ops::Range<usize>], within: &std::ops::Range<usize>) -> bool {
    let from = hits.partition_point(|h| h.start < within.start);
    hits[from..]
        .iter()
        .take_while(|h| h.start < within.end)
        .any(|h| h.end <= within.end)
}

/// Structs with a field named like a tenant column, found by scanning
/// tokens (`struct OrgContext { pub org_id: Uuid, .. }`): (name, field).
pub fn tenant_structs(text: &str, columns: &[String]) -> Vec<(String, String)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    for at in memchr::memmem::find_iter(b, b"struct") {
        if at < from {
            continue;
        }
        if !whole_word_at(b, at, at + 6) {
            continue;
        }
        let mut i = at + 6;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && is_word(b[i]) {
            i += 1;
        }
        if i == name_start {
            continue;
        }
        let name = &text[name_start..i];
        // Skip generics and where clauses up to the body.
        let mut angle = 0i32;
        while i < b.len() {
            match b[i] {
                b'<' => angle += 1,
                b'>' => angle -= 1,
                b'{' if angle <= 0 => break,
                b';' | b'(' if angle <= 0 => break,
                _ => {}
            }
            i += 1;
        }
        if b.get(i) != Some(&b'{') {
            continue;
        }
        let mut depth = 0i32;
        let mut j = i;
        let mut found = None;
        while j < b.len() {
            match b[j] {
                b'{' | b'(' | b'[' | b'<' => depth += 1,
                b'}' | b')' | b']' | b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                c if depth == 1 && is_word(c) && !is_word(b[j - 1]) => {
                    let s = j;
                    while j < b.len() && is_word(b[j]) {
                        j += 1;
                    }
                    let word = &text[s..j];
                    let mut k = j;
                    while k < b.len() && b[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    let colon = b.get(k) == Some(&b':') && b.get(k + 1) != Some(&b':');
                    if colon && found.is_none() && columns.iter().any(|c| c == word) {
                        found = Some(word.to_string());
                    }
                    continue;
                }
                _ => {}
            }
            j += 1;
        }
        if let Some(f) = found {
            if name != "Model" {
                out.push((name.to_string(), f));
            }
        }
        from = j.max(from);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_markers_find_declarations_not_variables() {
        let p = Prefilter::schema();
        for decl in [
            "#[derive(Queryable)]\n#[diesel(check_for_backend(Pg), table_name = docs)]\nstruct D;",
            "#[derive(Queryable)]\n#[table_name = \"docs\"]\nstruct D;",
            "diesel::table! { docs (id) { id -> Int4, } }",
            "#[derive(DeriveEntityModel)]\n#[sea_orm(table_name = \"docs\")]\npub struct Model {}",
            "pub use super::doc::Entity as Doc;",
        ] {
            assert!(p.matches(decl), "{decl}");
        }
        assert!(
            !p.matches("fn f(table_name: &str) { let table_name = format!(\"t_{table_name}\"); }")
        );
    }

    #[test]
    fn finds_tenant_structs() {
        let cols = vec!["org_id".to_string(), "tenant_id".to_string()];
        let text = "pub struct OrgContext<'a> where T: X { pub user: &'a User, pub org_id: Uuid }\n\
                    struct Unit;\nstruct Tuple(u32);\nstruct Other { inner: HashMap<String, Vec<u8>>, org: u32 }\n\
                    struct Model { org_id: Uuid }\nlet s = Foo { org_id: x };";
        assert_eq!(
            tenant_structs(text, &cols),
            [("OrgContext".to_string(), "org_id".to_string())]
        );
    }

    #[test]
    fn whole_word() {
        assert!(has_word("use a::Store as S;", "Store"));
        assert!(has_word("Store", "Store"));
        assert!(!has_word("Stores::x; my_Store", "Store"));
        assert!(has_word("Stores::x; Store", "Store"));
    }

    #[test]
    fn string_constants_count_when_they_may_hold_sql() {
        let p = Prefilter::schema();
        for sql in [
            "const Q: &str = \"SELECT 1\";",
            "const Q: &str = \"\\n    select 1\";",
            "const Q: &'static str = r#\"\n  (WITH x AS (..) SELECT ..)\"#;",
            "const Q: &str = \"\\\n    DELETE FROM t\";",
            "const Q: &str = \"-- list\nSELECT 1\";",
            "const Q: &str = concat!(\"SELECT \", \"1\");",
            "const Q: &str = include_str!(\"q.sql\");",
            "const Q: &str = OTHER;",
            "const Q: &str = \"\u{a0}SELECT 1\";",
        ] {
            assert!(p.matches(sql), "{sql}");
        }
        for not_sql in [
            "const PATH: &str = \"/api/v1/users\";",
            "const MSG: &'static str = r\"not found\";",
            "const KEY: &str = \"\\tselected\";",
        ] {
            assert!(!p.matches(not_sql), "{not_sql}");
        }
    }

    fn needles() -> QueryNeedles {
        let mut model = TenantModel::default();
        model
            .table_modules
            .insert("documents".into(), "documents".into());
        // `#[sql_name = "type"] type_ -> Text`: the code names it `type_`.
        model.table_module_columns.insert(
            "documents".into(),
            vec!["id".into(), "org_id".into(), "type_".into()],
        );
        let mut config = Config::default();
        config.tenant.scope_methods = vec!["auth::for_org".into(), "r#in_org".into()];
        config.superuser.calls = vec!["admin::*".into(), "ops::cross_org".into()];
        QueryNeedles::new(&model, &config)
    }

    fn hits(text: &str) -> Vec<&str> {
        let scanned = needles().scan(text, &mut Vec::new()).expect("tokens");
        scanned.hits.iter().map(|r| &text[r.clone()]).collect()
    }

    #[test]
    fn needles_stand_where_queries_start() {
        let none: Vec<&str> = Vec::new();
        assert_eq!(hits("use crate::schema::documents::dsl::*;"), ["documents"]);
        assert_eq!(
            hits("let my_documents::x = documents; // documents::table"),
            none
        );
        assert_eq!(
            hits("q.for_org(id); q.for_org_x(id); q.in_org(id)"),
            ["for_org", "in_org"]
        );
        assert_eq!(
            hits("Entity::find_by_id(1); Entity :: find(); finder(1); routes::find_all"),
            ["find_by_id", "find"]
        );
        // A Diesel table's module, not an application module named like it.
        assert_eq!(
            hits(
                "documents::table; documents::dsl::*; schema::documents::{self, dsl}; \
                 documents::*; documents::org_id.eq(o); documents::type_; documents::r#type_"
            ),
            ["documents"; 7]
        );
        assert_eq!(
            hits("get(handlers::documents::list); documents::create(x); documents::r#type"),
            none
        );
        assert_eq!(
            hits("r#query!(\"x\"); let query = 1; s.query; f(\"query!(\")"),
            ["r#query"]
        );
        assert_eq!(
            hits("sql_query(q); sqlx::query_as::<_, T>(q); query_as::x()"),
            ["sql_query", "query_as"]
        );
        assert_eq!(hits("T::table(); documents_table(); table()"), ["table"]);
        assert_eq!(
            hits("admin::all(); cross_org(); x.belonging_to(p); QueryBuilder"),
            ["admin", "cross_org", "belonging_to", "QueryBuilder"]
        );
        assert_eq!(hits("/* Entity::find() */ // sql_query(q)\n"), none);
    }

    /// Checks that the byte gate lets through every text the token scan
    /// finds a needle in, and that the names it gives a text without one
    /// include every name the token scan gives; returns whether the gate
    /// let `text` through.
    fn gate_agrees(text: &str) -> bool {
        let n = needles();
        let gate = n.without_needle(text);
        let Ok(scanned) = n.scan(text, &mut Vec::new()) else {
            return gate.is_none();
        };
        match &gate {
            None => {}
            Some(words) => {
                assert!(scanned.hits.is_empty(), "missed a needle in {text:?}");
                for h in scanned.words.hashes() {
                    assert!(words.any_of(&[*h]), "missed a called name in {text:?}");
                }
            }
        }
        gate.is_none()
    }

    #[test]
    fn the_byte_gate_lets_every_needle_through() {
        for text in [
            "use crate::schema::documents::dsl::*;",
            "Entity::find_by_id(1)",
            "Entity ::\n    find()",
            "Entity:: /* all */ find()",
            "Entity:: // all\n find()",
            "Entity::\n// all\nfind()",
            "Entity::r#find()",
            "r#query!(\"x\")",
            "query /* m */ !(\"x\")",
            "sqlx::query_as::<_, T>(q)",
            "sqlx::query_as :: <_, T>(q)",
            "sql_query\u{2028}(q)",
            "x\u{200e}.execute(sql)",
            "client.execute(\n    SQL, &[])",
            "client.execute(/* sql */ SQL)",
            "T::table()",
            "T::table( )",
            "documents\n    ::table",
            "documents:: /* c */ list",
            "documents::\n    org_id.eq(o)",
            "documents::{self, dsl}",
            // Found by review: Unicode blanks beyond Pattern_White_Space,
            // a BOM, literals after a table's `::`.
            "Entity::\u{a0}find()",
            "sql_query\u{3000}(q)",
            "x\u{a0}QueryBuilder",
            "documents::\u{a0}table",
            "\u{a0}\u{a0}documents::table",
            "\u{feff}sql_query(q)",
            "\u{feff}belonging_to",
            "documents::1",
            "documents::r\"x\"",
            "documents::br\"x\"",
            "documents::b'x'",
            "let qb: QueryBuilder<Postgres> = x;",
            "Comment::belonging_to(&post)",
            "q.for_org(id)",
            "admin::all()",
            "ops::cross_org(x)",
            "// sql_query(q)\n",
            "\"Entity::find()\"",
        ] {
            assert!(gate_agrees(text), "{text:?}");
        }
        // Tokens that are no needle: the file is never read as tokens.
        for text in [
            "items.iter().find(|x| x.ok)",
            "let query = 1; s.query; finder(1)",
            "job.execute(); my_documents::x; documents_table()",
            "fn table() {} table(); x.table()",
            "get(handlers::documents::list); documents::create(x); routes::find_all(r)",
            "use a::load_doc; fn f() { load_doc(db); x.method(y); Store::get(1); r#try::<T>(z); }",
            "let r = a / (b + c); let n = 1.5e3; /* (x) */ f(x)",
            // Called names the token scan gives (found by review).
            "foo\u{a0}(x); \u{feff}bar(x); r#1abc(x)",
            "#!/bin/foo.\nbar(x)",
        ] {
            assert!(!gate_agrees(text), "{text:?}");
        }
    }

    #[test]
    fn a_lone_raw_prefix_is_no_needle() {
        // Found by the fuzzer: `r#` before a non-identifier is read as an
        // empty raw identifier.
        for text in [
            "fn f() { let r#[derive(Debug)] }",
            "r#",
            "x.r#(y)",
            "r#::r#()",
        ] {
            if let Ok(s) = needles().scan(text, &mut Vec::new()) {
                assert!(s.hits.is_empty(), "{text}");
            }
        }
    }

    #[test]
    fn a_string_holding_an_sql_statement_is_a_needle() {
        let lit = |t: &str| sql_statement_literal(t.as_bytes());
        assert!(lit("\"SELECT id FROM exports WHERE id = $1\""));
        assert!(lit("r#\"\n  delete from exports\"#"));
        assert!(lit("\"INSERT INTO t (a) VALUES ($1)\""));
        assert!(lit("\"\\nSELECT a\\n FROM t\""));
        assert!(lit("\"update t set a = 1\""));
        assert!(lit("\"WITH x AS (SELECT 1) SELECT * FROM x\""));
        assert!(!lit("\"Select a file to upload\""));
        assert!(!lit("\"Update failed, try again\""));
        assert!(!lit("\"deleted from the cache\""));
        assert!(!lit("'s'"));
        assert!(!lit("42"));
        // In a file: the literal's token is a hit in a function that
        // returns a string, not elsewhere.
        assert_eq!(
            hits("fn list_sql() -> String { String::from(\"SELECT a FROM t\") }"),
            ["\"SELECT a FROM t\""]
        );
        assert_eq!(
            hits("impl X { fn q(&self) -> Result<Cow<'static, str>> { if a { \"SELECT a FROM t\".into() } else { todo!() } } }"),
            ["\"SELECT a FROM t\""]
        );
        // A `;` inside brackets (`[u8; 4]`) does not end the signature.
        assert_eq!(
            hits("fn key_sql(k: [u8; 4]) -> String { \"SELECT a FROM t\".into() }"),
            ["\"SELECT a FROM t\""]
        );
        assert!(hits("fn f() { let s = \"SELECT a FROM t\"; }").is_empty());
        assert!(hits("fn g() -> String { x } fn f() -> u8 { \"SELECT a FROM t\"; 1 }").is_empty());
    }

    #[test]
    fn sql_methods_need_an_argument() {
        assert_eq!(hits("client.execute(SQL, &[])"), ["execute"]);
        assert_eq!(hits("client.execute(\n    SQL, &[])"), ["execute"]);
        assert!(hits("timeout(d, job.execute()).await").is_empty());
        assert!(hits("job.execute( /* none */ )").is_empty());
        // A zero-argument call before a real one does not hide it.
        assert_eq!(hits("job.execute(); db.execute(stmt)").len(), 1);
    }

    #[test]
    fn scans_the_whole_text_or_says_why_not() {
        // Offsets are the file's, after a BOM and a shebang line.
        let text = "\u{feff}#!/usr/bin/env run\nfn f() { Entity::find() }\n";
        let mut toks = vec![Tok {
            kind: Kind::Ident,
            start: 0,
            end: 0,
        }];
        let scanned = needles().scan(text, &mut toks).expect("tokens");
        assert_eq!(scanned.hits.len(), 1);
        assert_eq!(&text[scanned.hits[0].clone()], "find");
        assert_eq!(&text[toks[0].range()], "fn");
        // A file with a needle is sliced, which gives its own words.
        assert!(!scanned.words.any_of(&[crate::rustlex::word_hash("Entity")]));
        // The names a file without one calls, as the token check gives them.
        let body = "use a::load_doc; // scoped(q)\nfn f() { load_doc(db); x.method(y); \
                    Store::get(1); r#try::<T>(z); let v: Vec<u8> = w; }";
        let scanned = needles().scan(body, &mut toks).expect("tokens");
        assert!(scanned.hits.is_empty());
        let checked = crate::rustlex::check(body).expect("tokens");
        assert_eq!(format!("{:?}", scanned.words), format!("{checked:?}"));
        assert!(scanned.words.any_of(&[crate::rustlex::word_hash("Store")]));
        let err = needles()
            .scan("fn f() {\n    \"open\n}", &mut toks)
            .err()
            .expect("not tokens");
        assert_eq!(err.span.start.line, 2);
    }
}
