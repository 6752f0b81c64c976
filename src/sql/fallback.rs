//! Token-scan fallback for statements sqlparser cannot parse.
//!
//! It finds table references after `FROM` / `JOIN` / `UPDATE` / `INTO` /
//! `USING` (with an optional alias, and comma-separated `FROM` lists) and
//! considers a tenant-table reference bound when somewhere in the statement
//! `<alias-or-table>.<tenant col> = <value>`, `<value> = <alias-or-table>.<tenant col>`,
//! an unqualified `<tenant col> = <value>` or `<tenant col> IN (` appears,
//! unless an `OR` sits next to that comparison at the same parenthesis depth.
//! Qualified column equalities (`p.id = d.project_id`) propagate binding
//! between tenant-table references. `INSERT INTO t (cols)` is checked for the
//! tenant column like the AST path does.

use super::lexer::{Kind, Piece, Tok};
use super::{FindingKind, SqlFinding, TableInfo};
use std::collections::BTreeSet;
use std::ops::Range;

const NOTE: &str =
    "sqlparser could not parse this statement; judged by a token scan (lower confidence)";

const NOT_ALIAS: &[&str] = &[
    "where",
    "join",
    "inner",
    "left",
    "right",
    "full",
    "outer",
    "cross",
    "natural",
    "on",
    "using",
    "group",
    "order",
    "limit",
    "offset",
    "set",
    "values",
    "select",
    "returning",
    "union",
    "except",
    "intersect",
    "having",
    "window",
    "fetch",
    "for",
    "lateral",
    "default",
    "and",
    "or",
    "not",
    "into",
    "from",
    "qualify",
    "tablesample",
    "with",
    "when",
    "then",
    "else",
    "end",
    "do",
    "conflict",
    "straight_join",
    "overriding",
    "only",
    "as",
];

/// Functions whose parentheses may contain a `FROM` that is not a table reference.
const FROM_FUNCTIONS: &[&str] = &["extract", "substring", "trim", "overlay", "position"];

struct Ref {
    table: String,
    alias: Option<String>,
    range: Range<usize>,
    insert: bool,
    columns: Option<Vec<String>>,
}

/// One side of a `=` comparison.
#[derive(Debug, Clone, PartialEq)]
enum Side {
    Col { qual: Option<String>, col: String },
    Value,
}

/// Scan one statement piece.
pub(crate) fn scan(sql: &str, piece: &Piece, tables: &dyn TableInfo) -> Vec<SqlFinding> {
    let t = &piece.toks;
    let Some(statement) = statement_kind(sql, t) else {
        return Vec::new();
    };
    let depth = depths(t);
    let refs = find_refs(sql, t);
    let mut out = Vec::new();

    // INSERT column lists
    for r in refs.iter().filter(|r| r.insert) {
        if !tables.is_tenant(&r.table) || tables.is_root(&r.table) {
            continue;
        }
        let cols = r.columns.clone().unwrap_or_default();
        if !cols.iter().any(|c| tables.is_own_key(&r.table, c)) {
            let column = tables
                .tenant_column(&r.table)
                .unwrap_or_else(|| "tenant column".into());
            let first = if cols.is_empty() {
                format!(
                    "no column list, so `{column}` is not visibly set (the columns are implicit)"
                )
            } else {
                format!("the column list does not include `{column}`")
            };
            out.push(SqlFinding {
                kind: FindingKind::InsertWithoutTenant { column },
                table: r.table.clone(),
                range: r.range.clone(),
                statement,
                notes: vec![first, NOTE.to_string()],
                keyed_by: Vec::new(),
                at: 0,
                runtime_condition: false,
            });
        }
    }

    // comparisons
    let reads: Vec<&Ref> = refs.iter().filter(|r| !r.insert).collect();
    let matches = |r: &Ref, qual: &Option<String>, col: &str| -> bool {
        let qual_ok = match qual {
            Some(q) => r.alias.as_deref() == Some(q.as_str()) || r.table == *q,
            None => tables.has_column(&r.table, col) != Some(false),
        };
        qual_ok
    };
    let mut bound: BTreeSet<usize> = BTreeSet::new();
    let mut or_dropped: BTreeSet<usize> = BTreeSet::new();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    for (k, tok) in t.iter().enumerate() {
        let is_eq = tok.kind == Kind::Op && tok.text(sql) == "=";
        let is_in = tok.is_kw(sql, "in") && t.get(k + 1).is_some_and(|x| x.kind == Kind::LParen);
        if !is_eq && !is_in {
            continue;
        }
        let (left, lstart) = side_before(sql, t, k);
        if is_in
            && k >= 1
            && t.get(lstart.wrapping_sub(1))
                .is_some_and(|x| x.is_kw(sql, "not"))
        {
            continue;
        }
        let (right, rend) = if is_eq {
            side_after(sql, t, k)
        } else {
            (Side::Value, k + 1)
        };
        let in_or = or_nearby(sql, t, &depth, lstart, rend);
        let col_refs = |s: &Side| -> Vec<usize> {
            match s {
                Side::Col { qual, col } => reads
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| matches(r, qual, col))
                    .map(|(i, _)| i)
                    .collect(),
                Side::Value => Vec::new(),
            }
        };
        match (&left, &right) {
            (Side::Col { col, .. }, Side::Value) | (Side::Value, Side::Col { col, .. }) => {
                let side = if matches!(left, Side::Col { .. }) {
                    &left
                } else {
                    &right
                };
                for i in col_refs(side) {
                    let r = reads[i];
                    if tables.is_tenant(&r.table) && tables.is_tenant_column(&r.table, col) {
                        if in_or {
                            or_dropped.insert(i);
                        } else {
                            bound.insert(i);
                        }
                    }
                }
            }
            (Side::Col { qual: Some(_), .. }, Side::Col { qual: Some(_), .. })
                if !in_or && is_eq =>
            {
                for a in col_refs(&left) {
                    for b in col_refs(&right) {
                        if a != b {
                            edges.push((a, b));
                            edges.push((b, a));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    loop {
        let mut changed = false;
        for &(a, b) in &edges {
            if bound.contains(&a)
                && !bound.contains(&b)
                && tables.binds_into(&reads[a].table, &reads[b].table)
            {
                bound.insert(b);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    for (i, r) in reads.iter().enumerate() {
        if !tables.is_tenant(&r.table) || bound.contains(&i) || tables.is_root(&r.table) {
            continue;
        }
        let mut notes = Vec::new();
        if or_dropped.contains(&i) {
            notes.push("an `OR` drops the tenant condition".to_string());
        }
        notes.push(NOTE.to_string());
        out.push(SqlFinding {
            kind: FindingKind::Unbound,
            table: r.table.clone(),
            range: r.range.clone(),
            statement,
            notes,
            keyed_by: Vec::new(),
            at: 0,
            runtime_condition: false,
        });
    }
    out
}

fn statement_kind(sql: &str, t: &[Tok]) -> Option<&'static str> {
    let kind_of = |tok: &Tok| -> Option<&'static str> {
        ["select", "insert", "update", "delete"]
            .into_iter()
            .find(|k| tok.is_kw(sql, k))
    };
    let first = t.first()?;
    if let Some(k) = kind_of(first) {
        return Some(k);
    }
    if !first.is_kw(sql, "with") {
        return None;
    }
    let mut d = 0usize;
    for tok in t {
        match tok.kind {
            Kind::LParen => d += 1,
            Kind::RParen => d = d.saturating_sub(1),
            _ if d == 0 => {
                if let Some(k) = kind_of(tok) {
                    return Some(k);
                }
            }
            _ => {}
        }
    }
    None
}

fn depths(t: &[Tok]) -> Vec<usize> {
    let mut d = 0usize;
    t.iter()
        .map(|tok| match tok.kind {
            Kind::LParen => {
                d += 1;
                d - 1
            }
            Kind::RParen => {
                d = d.saturating_sub(1);
                d
            }
            _ => d,
        })
        .collect()
}

fn is_name(tok: &Tok) -> bool {
    matches!(tok.kind, Kind::Word | Kind::QuotedIdent)
}

fn find_refs(sql: &str, t: &[Tok]) -> Vec<Ref> {
    let mut out = Vec::new();
    // stack of "is this paren a FROM-taking function call"
    let mut parens: Vec<bool> = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let tok = &t[i];
        match tok.kind {
            Kind::LParen => {
                let func = i > 0 && FROM_FUNCTIONS.iter().any(|f| t[i - 1].is_kw(sql, f));
                parens.push(func);
            }
            Kind::RParen => {
                parens.pop();
            }
            _ => {}
        }
        if parens.last() == Some(&true) {
            i += 1;
            continue;
        }
        let kw = ["from", "join", "update", "into", "using"]
            .into_iter()
            .find(|k| tok.is_kw(sql, k));
        let Some(kw) = kw else {
            i += 1;
            continue;
        };
        let mut j = i + 1;
        loop {
            let (r, next) = parse_ref(sql, t, j, kw);
            match r {
                Some(r) => out.push(r),
                None => break,
            }
            j = next;
            if kw == "from" && t.get(j).is_some_and(|x| x.kind == Kind::Comma) {
                j += 1;
                continue;
            }
            break;
        }
        i += 1;
    }
    out
}

/// Parse `[ONLY|LATERAL] name[.name]* [[AS] alias] [(cols)]` at `j`.
fn parse_ref(sql: &str, t: &[Tok], mut j: usize, kw: &str) -> (Option<Ref>, usize) {
    while t
        .get(j)
        .is_some_and(|x| x.is_kw(sql, "only") || x.is_kw(sql, "lateral"))
    {
        j += 1;
    }
    let Some(first) = t.get(j).filter(|x| is_name(x)) else {
        return (None, j);
    };
    if first.kind == Kind::Word && NOT_ALIAS.contains(&first.text(sql).to_lowercase().as_str()) {
        return (None, j);
    }
    let mut last = first;
    let mut parts = vec![first.ident(sql).unwrap_or_default()];
    j += 1;
    while t.get(j).is_some_and(|x| x.kind == Kind::Dot) && t.get(j + 1).is_some_and(is_name) {
        last = &t[j + 1];
        parts.push(last.ident(sql).unwrap_or_default());
        j += 2;
    }
    let insert = kw == "into";
    if !insert && t.get(j).is_some_and(|x| x.kind == Kind::LParen) {
        // a function in FROM, or `USING (col)` of a join
        return (None, j);
    }
    let mut alias = None;
    let mut k = j;
    if t.get(k).is_some_and(|x| x.is_kw(sql, "as")) {
        k += 1;
    }
    if let Some(a) = t.get(k).filter(|x| is_name(x)) {
        let w = a.text(sql).to_lowercase();
        if a.kind == Kind::QuotedIdent || !NOT_ALIAS.contains(&w.as_str()) {
            alias = a.ident(sql);
            j = k + 1;
        }
    }
    let mut columns = None;
    if insert {
        if t.get(j).is_some_and(|x| x.kind == Kind::LParen) {
            let mut cols = Vec::new();
            let mut d = 0usize;
            let mut m = j;
            while let Some(x) = t.get(m) {
                match x.kind {
                    Kind::LParen => d += 1,
                    Kind::RParen => {
                        d = d.saturating_sub(1);
                        if d == 0 {
                            m += 1;
                            break;
                        }
                    }
                    _ if d == 1 && is_name(x) => {
                        let after = t.get(m + 1).map(|y| y.kind);
                        if matches!(after, Some(Kind::Comma) | Some(Kind::RParen)) {
                            cols.push(x.ident(sql).unwrap_or_default());
                        }
                    }
                    _ => {}
                }
                m += 1;
            }
            // `INSERT INTO t (SELECT ..)` is a query, not a column list
            if !t
                .get(j + 1)
                .is_some_and(|x| x.is_kw(sql, "select") || x.is_kw(sql, "with"))
            {
                columns = Some(cols);
            }
            j = m;
        } else {
            columns = Some(Vec::new());
        }
    }
    let r = Ref {
        table: parts.last().cloned().unwrap_or_default(),
        alias,
        range: first.start..last.end,
        insert,
        columns,
    };
    (Some(r), j)
}

/// The operand ending just before token `k`: (side, index of its first token).
fn side_before(sql: &str, t: &[Tok], k: usize) -> (Side, usize) {
    let mut e = k; // exclusive end
                   // skip `::type` casts: `col::uuid =`
    while e >= 2 && t[e - 2].kind == Kind::Op && t[e - 2].text(sql) == "::" && is_name(&t[e - 1]) {
        e -= 2;
    }
    if e == 0 {
        return (Side::Value, k);
    }
    let c = &t[e - 1];
    if !is_name(c) || is_keyword_like(sql, c) {
        return (Side::Value, e.saturating_sub(1));
    }
    let col = c.ident(sql).unwrap_or_default();
    if e >= 3 && t[e - 2].kind == Kind::Dot && is_name(&t[e - 3]) {
        return (
            Side::Col {
                qual: t[e - 3].ident(sql),
                col,
            },
            e - 3,
        );
    }
    if e >= 2 && t[e - 2].kind == Kind::Dot {
        return (Side::Value, e - 1);
    }
    (Side::Col { qual: None, col }, e - 1)
}

/// The operand starting just after token `k`: (side, index after its last token).
fn side_after(sql: &str, t: &[Tok], k: usize) -> (Side, usize) {
    let s = k + 1;
    let Some(c) = t.get(s) else {
        return (Side::Value, s);
    };
    if !is_name(c) || is_keyword_like(sql, c) {
        return (Side::Value, s + 1);
    }
    // a function call is a value
    if t.get(s + 1).is_some_and(|x| x.kind == Kind::LParen) {
        return (Side::Value, s + 1);
    }
    let mut end = s + 1;
    let side =
        if t.get(s + 1).is_some_and(|x| x.kind == Kind::Dot) && t.get(s + 2).is_some_and(is_name) {
            end = s + 3;
            Side::Col {
                qual: c.ident(sql),
                col: t[s + 2].ident(sql).unwrap_or_default(),
            }
        } else {
            Side::Col {
                qual: None,
                col: c.ident(sql).unwrap_or_default(),
            }
        };
    (side, end)
}

fn is_keyword_like(sql: &str, tok: &Tok) -> bool {
    tok.kind == Kind::Word
        && [
            "true",
            "false",
            "null",
            "any",
            "all",
            "some",
            "current_user",
            "session_user",
            "array",
        ]
        .contains(&tok.text(sql).to_lowercase().as_str())
}

/// Whether an `OR` sits next to the comparison spanning tokens
/// `start..end` at the same parenthesis depth (before the enclosing clause
/// keyword or parenthesis).
fn or_nearby(sql: &str, t: &[Tok], depth: &[usize], start: usize, end: usize) -> bool {
    let d = depth.get(start).copied().unwrap_or(0);
    let stop = |tok: &Tok| {
        [
            "where",
            "on",
            "having",
            "when",
            "then",
            "set",
            "select",
            "from",
            "join",
            "group",
            "order",
            "limit",
            "returning",
        ]
        .iter()
        .any(|k| tok.is_kw(sql, k))
    };
    let mut i = start;
    while i > 0 {
        i -= 1;
        let di = depth.get(i).copied().unwrap_or(0);
        if di < d || (di == d && stop(&t[i])) {
            break;
        }
        if di == d && t[i].is_kw(sql, "or") {
            return true;
        }
    }
    let mut i = end;
    while i < t.len() {
        let di = depth.get(i).copied().unwrap_or(0);
        if di < d || (di == d && stop(&t[i])) {
            break;
        }
        if di == d && t[i].is_kw(sql, "or") {
            return true;
        }
        i += 1;
    }
    false
}
