//! `check --fix` and `check --diff`: the edits rules know to be certain
//! ([`Fix`]: a `.filter(..)` after the call that starts a query), placed
//! by reading the file's tokens, applied from the end of the file so the
//! earlier places stay put, and kept only when the file still parses.
//! A file whose fixed text would not parse is left as it is, and said.

use crate::diagnostic::{Fix, LineIndex};
use crate::report::Report;
use crate::rustlex::{self, Kind, Tok};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The fixed text of one file.
#[derive(Debug)]
pub struct Fixed {
    /// Where to write it.
    pub path: PathBuf,
    /// The path as people see it ([`crate::report::FileEntry::shown`]).
    pub shown: String,
    /// The path from the repository root, for the diff's header.
    pub rel: String,
    /// The text before and after.
    pub before: String,
    /// The text after the fixes.
    pub after: String,
    /// The findings it fixes (indexes into `Report::findings`).
    pub findings: Vec<usize>,
}

/// A file whose fixes were not made, and why.
#[derive(Debug)]
pub struct Refused {
    /// The path as people see it.
    pub shown: String,
    /// Why not.
    pub why: String,
    /// How many findings stay unfixed.
    pub findings: usize,
}

/// The fixes of the report's findings, by file.
pub fn plan(report: &Report) -> (Vec<Fixed>, Vec<Refused>) {
    let mut by_file: BTreeMap<usize, Vec<(usize, &Fix)>> = BTreeMap::new();
    for (i, f) in report.findings.iter().enumerate() {
        if let Some(fix) = &f.fix {
            by_file.entry(fix.file).or_default().push((i, fix));
        }
    }
    let mut fixed = Vec::new();
    let mut refused = Vec::new();
    for (file, fixes) in by_file {
        let entry = &report.files[file];
        let Some(text) = entry.text.as_deref() else {
            refused.push(Refused {
                shown: entry.shown.clone(),
                why: "its text could not be read again".into(),
                findings: fixes.len(),
            });
            continue;
        };
        // Each fix on its own first: one that has no sure place is left
        // out, not the file's others.
        let mut sure: Vec<(usize, &Fix)> = Vec::new();
        for (i, fix) in fixes {
            match apply(text, [fix]) {
                Ok(_) => sure.push((i, fix)),
                Err(why) => refused.push(Refused {
                    shown: entry.shown.clone(),
                    why,
                    findings: 1,
                }),
            }
        }
        if sure.is_empty() {
            continue;
        }
        match apply(text, sure.iter().map(|(_, f)| *f)) {
            Ok(after) => fixed.push(Fixed {
                path: entry.path.clone(),
                shown: entry.shown.clone(),
                rel: entry.rel.clone(),
                before: text.to_string(),
                after,
                findings: sure.iter().map(|(i, _)| *i).collect(),
            }),
            Err(why) => refused.push(Refused {
                shown: entry.shown.clone(),
                why,
                findings: sure.len(),
            }),
        }
    }
    (fixed, refused)
}

/// `text` with the fixes made, or why they cannot be: a place that is not
/// where a query starts, or a result that does not parse.
pub fn apply<'f>(text: &str, fixes: impl IntoIterator<Item = &'f Fix>) -> Result<String, String> {
    let toks = rustlex::tokens(text).map_err(|e| e.message)?;
    let lines = LineIndex::new(text);
    let mut edits: Vec<(usize, String)> = Vec::new();
    for fix in fixes {
        let at = place(text, &toks, &lines, fix)?;
        edits.push((at, chained(text, at, &fix.insert)));
    }
    // Two findings of one query get one filter.
    edits.sort_unstable();
    edits.dedup();
    let mut out = text.to_string();
    for (at, insert) in edits.iter().rev() {
        out.insert_str(*at, insert);
    }
    crate::parse::with_parsed(&out, |_| ())
        .map_err(|e| format!("the fixed file would not parse ({})", e.message))?;
    Ok(out)
}

/// `insert` as the chain at `at` is written: on a line of its own, indented
/// like the next call, when the chain goes on on the next line
/// (`Doc::find()\n    .all(db)`); else inline.
fn chained(text: &str, at: usize, insert: &str) -> String {
    let rest = &text[at..];
    let line_end = rest.find('\n');
    let next_line = line_end.map(|n| &rest[n + 1..]);
    let on_next_line = line_end.is_some_and(|n| rest[..n].trim().is_empty())
        && next_line.is_some_and(|l| l.trim_start().starts_with('.'));
    match next_line.filter(|_| on_next_line) {
        Some(l) => {
            let indent = &l[..l.len() - l.trim_start().len()];
            format!("\n{indent}{insert}")
        }
        None => insert.to_string(),
    }
}

/// The byte after the query's start call (its arguments, and the calls to
/// step over), where the fix goes; or why there is none: the place is not
/// a query's start, the column's module is not written in the file, or
/// the tenant's value is not surely there ([`value_in_scope`]).
fn place(text: &str, toks: &[Tok], lines: &LineIndex<'_>, fix: &Fix) -> Result<usize, String> {
    let line = fix.after_start.line;
    let misplaced = || format!("the query at line {line} does not start as the fix expects");
    let end = lines
        .offset(line, fix.after_start.col)
        .ok_or_else(misplaced)?;
    // The last token of the start's path ends where its span does.
    let mut k = toks
        .iter()
        .position(|t| t.end as usize == end)
        .ok_or_else(misplaced)?;
    if let Some(m) = &fix.through {
        // Written as a path somewhere in the file (`document::Column`,
        // `documents::table`), not only imported under another name.
        let written = (0..toks.len()).any(|j| {
            toks[j].kind == Kind::Ident
                && &text[toks[j].range()] == m
                && rustlex::is_punct(toks, j + 1, b':')
                && rustlex::is_punct(toks, j + 2, b':')
        });
        if !written {
            return Err(format!(
                "the file does not name `{m}`, through which the fix names the column (line {line})"
            ));
        }
    }
    if !value_in_scope(text, toks, k, &fix.value) {
        return Err(format!(
            "`{}` is not surely one tenant's value in scope at the query at line {line}",
            fix.value
        ));
    }
    if toks.get(k + 1).map(|t| t.kind) == Some(Kind::Open(b'(')) {
        k = rustlex::close_of(toks, k + 1).ok_or_else(misplaced)?;
    }
    loop {
        let method = |j: usize| toks.get(j).map(|t| &text[t.range()]);
        let steps = rustlex::is_punct(toks, k + 1, b'.')
            && method(k + 2).is_some_and(|m| fix.step_over.iter().any(|s| s == m))
            && toks.get(k + 3).map(|t| t.kind) == Some(Kind::Open(b'('));
        if !steps {
            break;
        }
        k = rustlex::close_of(toks, k + 3).ok_or_else(misplaced)?;
    }
    Ok(toks[k].end as usize)
}

/// Where `fix` goes in `text` (0-based column in characters) and the
/// text it inserts there, as `--fix` would make it: for the reports that
/// carry fixes (SARIF `fixes`, JSON `fix`). `None` when it has no place.
pub fn placed(text: &str, fix: &Fix) -> Option<(crate::diagnostic::Pos, String)> {
    let toks = rustlex::tokens(text).ok()?;
    let lines = LineIndex::new(text);
    let at = place(text, &toks, &lines, fix).ok()?;
    Some((lines.pos(at), chained(text, at, &fix.insert)))
}

/// Whether the tenant's `value` (`org_id`, `ctx.org_id`) is surely in
/// scope, and of one tenant, at the query whose start ends at token `at`:
/// its first name is a parameter of the enclosing function whose type is
/// no collection or option (`ctx: OrgContext`, `Path(org_id): Path<Uuid>`;
/// not `records: Vec<Record>`), or it is bound (`let`, `for`, `Some(..)`)
/// in the function before the statement that runs the query, and not by
/// that statement (`let key: ApiKey = keys.filter(..)` has no
/// `key.org_id` yet). What the analysis calls in scope can be neither;
/// then there is no fix, only the finding.
fn value_in_scope(text: &str, toks: &[Tok], at: usize, value: &str) -> bool {
    let root = value.split('.').next().unwrap_or(value);
    let word = |j: usize| toks.get(j).map(|t| &text[t.range()]);
    let kind = |j: usize| toks.get(j).map(|t| t.kind);
    // The innermost function whose body holds the query: its parameters'
    // group and its body's braces.
    let mut func: Option<(usize, usize, usize)> = None;
    for i in 0..at {
        if word(i) != Some("fn") || kind(i) != Some(Kind::Ident) {
            continue;
        }
        let Some(open) = (i + 1..at).find(|&j| {
            matches!(
                kind(j),
                Some(Kind::Open(b'(' | b'{')) | Some(Kind::Punct(b';'))
            )
        }) else {
            continue;
        };
        if kind(open) != Some(Kind::Open(b'(')) {
            continue;
        }
        let Some(close) = rustlex::close_of(toks, open) else {
            continue;
        };
        let Some(body) = (close + 1..at)
            .find(|&j| matches!(kind(j), Some(Kind::Open(b'{')) | Some(Kind::Punct(b';'))))
        else {
            continue;
        };
        if kind(body) == Some(Kind::Open(b'{'))
            && rustlex::close_of(toks, body).is_some_and(|end| end > at)
        {
            func = Some((open, close, body));
        }
    }
    let Some((open, close, body)) = func else {
        return false;
    };
    // The statement that holds the query starts after the last `;`, `{`
    // or `}` before it at its own depth.
    let mut depth = 0i64;
    let mut stmt = body + 1;
    for j in (body + 1..at).rev() {
        match kind(j) {
            Some(Kind::Close(_)) => depth += 1,
            Some(Kind::Open(_)) if depth == 0 => {
                stmt = j + 1;
                break;
            }
            Some(Kind::Open(_)) => depth -= 1,
            Some(Kind::Punct(b';')) if depth == 0 => {
                stmt = j + 1;
                break;
            }
            _ => {}
        }
    }
    // Bound by the query's own statement: not there yet.
    if word(stmt) == Some("let") {
        let eq = (stmt..at).find(|&j| rustlex::is_punct(toks, j, b'='));
        if eq.is_some_and(|eq| (stmt..eq).any(|j| word(j) == Some(root))) {
            return false;
        }
    }
    let bound_before = (body + 1..stmt).any(|j| {
        word(j) == Some(root)
            && kind(j) == Some(Kind::Ident)
            && (matches!(word(j - 1), Some("let" | "for"))
                || (word(j - 1) == Some("mut") && word(j - 2) == Some("let"))
                || (kind(j - 1) == Some(Kind::Open(b'('))
                    && matches!(word(j - 2), Some("Some" | "Ok"))))
    });
    if bound_before {
        return true;
    }
    // A parameter: its pattern names `root`; its type is not many values.
    let mut depth = 0usize;
    let mut from = open + 1;
    for j in open + 1..=close {
        match kind(j) {
            Some(Kind::Open(_)) => depth += 1,
            Some(Kind::Close(_)) if j < close => depth -= 1,
            _ => {}
        }
        let end_of_param = j == close || (depth == 0 && rustlex::is_punct(toks, j, b','));
        if !end_of_param {
            continue;
        }
        let param = from..j;
        from = j + 1;
        // The pattern ends at the first `:` that is not `::`.
        let colon = param.clone().find(|&c| {
            rustlex::is_punct(toks, c, b':')
                && !rustlex::is_punct(toks, c + 1, b':')
                && !(c > 0 && rustlex::is_punct(toks, c - 1, b':'))
        });
        let Some(colon) = colon else { continue };
        if !(param.start..colon).any(|c| word(c) == Some(root)) {
            continue;
        }
        let ty: String = (colon + 1..param.end).filter_map(word).collect();
        let many = [
            "Vec<",
            "[",
            "HashMap<",
            "BTreeMap<",
            "HashSet<",
            "BTreeSet<",
            "Option<",
        ];
        return !many.iter().any(|m| ty.contains(m));
    }
    false
}

/// A unified diff of one fixed file, as `git diff` prints it.
pub fn diff(f: &Fixed) -> String {
    similar::TextDiff::from_lines(&f.before, &f.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{}", f.rel), &format!("b/{}", f.rel))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn fix(line: u32, col: u32, step_over: &[&str]) -> Fix {
        Fix {
            message: String::new(),
            file: 0,
            after_start: Pos { line, col },
            step_over: step_over.iter().map(|s| s.to_string()).collect(),
            insert: ".filter(t.eq(x))".into(),
            value: "x".into(),
            through: None,
        }
    }

    #[test]
    fn the_filter_goes_after_the_start_and_its_arguments() {
        let text = "fn f(x: Uuid) {\n    let d = Doc::find_by_id(id(1))\n        .one(db);\n}\n";
        // `Doc::find_by_id` ends at line 2, column 27 (0-based chars).
        let out = apply(text, [&fix(2, 27, &[])]).expect("fixed");
        // The chain goes on on the next line: so does the filter.
        assert!(
            out.contains("Doc::find_by_id(id(1))\n        .filter(t.eq(x))\n        .one(db);"),
            "{out}"
        );
        // A path with no call, and a call to step over.
        let text = "fn f(x: Uuid) { docs::table.find(k).first(c) }\n";
        let out = apply(text, [&fix(1, 27, &["find"])]).expect("fixed");
        assert_eq!(
            out,
            "fn f(x: Uuid) { docs::table.find(k).filter(t.eq(x)).first(c) }\n"
        );
        // The same place twice: one filter.
        let out = apply(text, [&fix(1, 27, &[]), &fix(1, 27, &[])]).expect("fixed");
        assert_eq!(
            out,
            "fn f(x: Uuid) { docs::table.filter(t.eq(x)).find(k).first(c) }\n"
        );
    }

    #[test]
    fn a_fix_that_breaks_the_file_or_misses_its_place_is_refused() {
        let text = "fn f(x: Uuid) { docs::table.load(c) }\n";
        let mut broken = fix(1, 27, &[]);
        broken.insert = ".filter(".into();
        let why = apply(text, [&broken]).expect_err("refused");
        assert!(why.contains("would not parse"), "{why}");
        // Column 26 is inside `table`: no token ends there.
        let why = apply(text, [&fix(1, 26, &[])]).expect_err("refused");
        assert!(why.contains("does not start as the fix expects"), "{why}");
    }

    #[test]
    fn the_value_must_be_one_tenants_and_there_before_the_query() {
        let at = |text: &str, value: &str| {
            let col = text.find("docs::table").expect("query") + "docs::table".len();
            let mut f = fix(1, col as u32, &[]);
            f.value = value.into();
            apply(text, [&f])
        };
        // A parameter, or a field of one.
        assert!(at("fn f(x: Uuid) { docs::table.load(c) }", "x").is_ok());
        assert!(at("fn f(Path(x): Path<Uuid>) { docs::table.load(c) }", "x").is_ok());
        assert!(at(
            "fn f(ctx: Ctx, c: &mut Conn) { docs::table.load(c) }",
            "ctx.org"
        )
        .is_ok());
        // Bound before the statement, in the function.
        assert!(at("fn f() { let x = g(); docs::table.load(c) }", "x").is_ok());
        assert!(at(
            "fn f(rs: Vec<R>) { for r in rs { docs::table.load(c); } }",
            "r.org"
        )
        .is_ok());
        // Many values, maybe none, bound by the query's own statement, or
        // not bound at all.
        let refused = [
            (
                "fn f(rs: Vec<R>) { for r in rs { docs::table.load(c); } }",
                "rs.org",
            ),
            ("fn f(x: Option<Uuid>) { docs::table.load(c) }", "x"),
            (
                "fn f(k: &str) { let k: Key = docs::table.load(c); }",
                "k.org",
            ),
            ("fn f() { docs::table.load(c); let x = 1; }", "x"),
            ("fn f() { docs::table.load(c) }", "x"),
        ];
        for (text, value) in refused {
            let why = at(text, value).expect_err(text);
            assert!(
                why.contains("is not surely one tenant's value"),
                "{text}: {why}"
            );
        }
    }

    #[test]
    fn the_column_is_named_through_a_module_the_file_writes() {
        // `docs::table` is the query's own start: `docs` is written.
        let text = "fn f(x: Uuid) { let r = docs::table.load(c); }";
        let mut f = fix(1, text.find(".load").expect("load") as u32, &[]);
        f.through = Some("docs".into());
        assert!(apply(text, [&f]).is_ok());
        // Imported under another name only: never written as a path.
        f.through = Some("llm_docs".into());
        let why = apply(text, [&f]).expect_err("refused");
        assert!(why.contains("does not name `llm_docs`"), "{why}");
        let text = "use e::{llm_docs as docs};\nfn f(x: Uuid) { docs::table.load(c); }";
        let mut f = fix(2, 0, &[]);
        f.after_start.col = text
            .lines()
            .nth(1)
            .expect("line")
            .find(".load")
            .expect("load") as u32;
        f.through = Some("llm_docs".into());
        let why = apply(text, [&f]).expect_err("refused");
        assert!(why.contains("does not name `llm_docs`"), "{why}");
    }
}
