//! Byte-level prefilters that decide, before parsing, which files can
//! matter. A file is parsed for schema facts only if it contains a schema
//! marker; it is parsed for queries only if it contains a query start
//! taken from the ORM knowledge (`::find`, `::delete_many`,
//! `belonging_to`, ...) or a Diesel table module path (`documents::`, as in
//! `documents::table`, `documents::dsl::*`, `schema::documents::{..}`): a
//! Diesel query names its table through that module, in the expression or
//! in the `use` that imports it; raw SQL is judged where it reaches one of
//! the entry points of `rules/orm/sql.toml` (`query_as!`, `sql_query(`,
//! `.execute(`, `QueryBuilder`). A query the rules judge always begins
//! with one of these, so skipping
//! the other files loses nothing (a test checks that every fixture gives
//! the same findings with and without the prefilter). Also here: a token
//! scan for structs that carry a tenant field, cheap enough to run on
//! every file.

use crate::config::Config;
use crate::knowledge::Knowledge;
use crate::model::TenantModel;
use aho_corasick::AhoCorasick;

/// Tokens that mark a file as a possible source of schema facts.
pub const SCHEMA_NEEDLES: &[&str] = &[
    "table!",
    "DeriveEntityModel",
    "Entity as",
    "table_name",
    "Related<",
    // SQL kept in string constants, used by other files.
    ": &str =",
    ": &'static str =",
    // Tables created at start-up.
    "CREATE TABLE",
    "create table",
    // SeaORM (sea-query) migrations.
    "Table::create",
    "Table::alter",
    "Table::rename",
    "Table::drop",
    "Index::create",
    "Index::drop",
    "execute_unprepared",
];

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
    /// Not preceded by an identifier character.
    Start,
    /// A whole word.
    Both,
    /// A call with at least one argument: the needle ends in `(` and the
    /// next non-blank byte is not `)` (`job.execute()` sends no SQL).
    Args,
    /// A whole word that is not a method name (`x.name`): how a
    /// workspace helper is called, since method-style helpers are not
    /// followed.
    NotMethod,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `bytes[start..end]` is not preceded or followed by a word byte.
fn whole_word_at(bytes: &[u8], start: usize, end: usize) -> bool {
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
            SCHEMA_NEEDLES
                .iter()
                .map(|s| (s.to_string(), Bounds::None))
                .collect(),
        )
    }

    /// Files that may run a query on a table of `model`, or send raw SQL
    /// (which `session-search-path` judges even without tenant tables).
    pub fn queries(model: &TenantModel, config: &Config) -> Prefilter {
        let k = Knowledge::get();
        let mut n: Vec<(String, Bounds)> = Vec::new();
        for s in k.seaorm.starts.iter().chain(&k.seaorm.pk_starts) {
            n.push((format!("::{s}"), Bounds::None));
        }
        for s in k
            .seaorm
            .related_starts
            .iter()
            .chain(&k.diesel.related_starts)
        {
            n.push((s.clone(), Bounds::None));
        }
        for s in &config.tenant.scope_methods {
            n.push((s.clone(), Bounds::Both));
        }
        for c in &config.superuser.calls {
            match c.rsplit_once("::") {
                Some((t, "*")) => n.push((
                    format!("{}::", t.rsplit("::").next().unwrap_or(t)),
                    Bounds::Start,
                )),
                Some((_, name)) => n.push((name.to_string(), Bounds::Both)),
                None => n.push((c.clone(), Bounds::Both)),
            }
        }
        for t in model.diesel_tables.keys() {
            n.push((format!("{t}::"), Bounds::Start));
        }
        // A table named by a generic parameter (`<T as HasTable>::table()`,
        // `T::table()`), in helpers that execute what callers pass.
        n.push(("::table()".into(), Bounds::None));
        // Raw SQL entry points (`rules/orm/sql.toml`).
        for m in k.sql.macros.iter().chain(&k.sql.file_macros) {
            n.push((format!("{m}!"), Bounds::Start));
        }
        for f in &k.sql.functions {
            n.push((format!("{f}("), Bounds::Start));
            n.push((format!("{f}::<"), Bounds::Start));
        }
        for m in &k.sql.methods {
            n.push((format!(".{m}("), Bounds::Args));
        }
        for b in &k.sql.builder_types {
            n.push((b.clone(), Bounds::Both));
        }
        n.sort();
        n.dedup();
        Prefilter::new(n)
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
        let bounds = self.bounds[m.pattern().as_usize()];
        let before = m.start().checked_sub(1).map(|i| bytes[i]);
        match bounds {
            Bounds::None => true,
            Bounds::Start => !before.is_some_and(is_word),
            Bounds::Both => whole_word_at(bytes, m.start(), m.end()),
            Bounds::Args => bytes[m.end()..]
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|&b| b != b')'),
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
    fn whole_words() {
        let p = Prefilter::new(vec![
            ("documents::".into(), Bounds::Start),
            ("::find".into(), Bounds::None),
            ("for_org".into(), Bounds::Both),
        ]);
        assert!(p.matches("use crate::schema::documents::dsl::*;"));
        assert!(!p.matches("let my_documents::x = 1; // about documents"));
        assert!(p.matches("q.for_org(id)"));
        assert!(!p.matches("q.for_org_x(id)"));
        assert!(p.matches("Entity::find_by_id(1)"));
        assert!(!Prefilter::new(vec![]).matches("anything"));
    }

    #[test]
    fn whole_word() {
        assert!(has_word("use a::Store as S;", "Store"));
        assert!(has_word("Store", "Store"));
        assert!(!has_word("Stores::x; my_Store", "Store"));
        assert!(has_word("Stores::x; Store", "Store"));
    }

    #[test]
    fn calls_with_arguments() {
        let p = Prefilter::new(vec![(".execute(".into(), Bounds::Args)]);
        assert!(p.matches("client.execute(\"DELETE FROM t\", &[])"));
        assert!(p.matches("client.execute(\n    SQL, &[])"));
        assert!(!p.matches("timeout(d, job.execute()).await"));
        assert!(!p.matches("job.execute( )"));
        assert!(!p.matches("job.execute("));
        // A zero-argument call before a real one does not hide it.
        assert!(p.matches("job.execute(); db.execute(stmt)"));
    }
}
