//! Finding session-wide `search_path` changes with the lexer (independent of
//! sqlparser): `SET [SESSION] search_path ..` at the start of a statement and
//! `set_config('search_path', .., false)` anywhere. `SET LOCAL` and
//! `set_config(.., true)` are transaction-scoped and fine; `SET search_path`
//! clauses of `CREATE FUNCTION` / `ALTER ROLE` are not session changes.

use super::lexer::{split_statements, Kind, Tok};
use std::ops::Range;

/// Byte ranges of session-wide `search_path` changes in `sql`.
pub(crate) fn find(sql: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for piece in split_statements(sql) {
        let t = &piece.toks;
        // SET [SESSION] search_path
        if t.first().is_some_and(|f| f.is_kw(sql, "set")) {
            let mut i = 1;
            if t.get(i).is_some_and(|x| x.is_kw(sql, "session")) {
                i += 1;
            }
            if let Some(name) = t.get(i) {
                if name.ident(sql).as_deref() == Some("search_path") {
                    out.push(t[0].start..name.end);
                }
            }
        }
        // set_config('search_path', x, false)
        for (i, tok) in t.iter().enumerate() {
            if tok.is_kw(sql, "set_config") && t.get(i + 1).is_some_and(|p| p.kind == Kind::LParen)
            {
                if let Some(r) = set_config(sql, t, i) {
                    out.push(r);
                }
            }
        }
    }
    out
}

/// Check a `set_config(` call starting at token `i`.
fn set_config(sql: &str, t: &[Tok], i: usize) -> Option<Range<usize>> {
    let name = t.get(i + 2)?;
    if name.string_value(sql)?.trim().to_lowercase() != "search_path" {
        return None;
    }
    // collect the top-level arguments
    let mut depth = 0usize;
    let mut args: Vec<Vec<&Tok>> = vec![Vec::new()];
    let mut end = None;
    for tok in t.iter().skip(i + 2) {
        match tok.kind {
            Kind::LParen => depth += 1,
            Kind::RParen if depth == 0 => {
                end = Some(tok.end);
                break;
            }
            Kind::RParen => depth -= 1,
            Kind::Comma if depth == 0 => {
                args.push(Vec::new());
                continue;
            }
            _ => {}
        }
        if let Some(a) = args.last_mut() {
            a.push(tok);
        }
    }
    let third = args.get(2)?;
    let is_local = match third.as_slice() {
        [tok] if tok.kind == Kind::Word => {
            let w = tok.text(sql).to_lowercase();
            match w.as_str() {
                "false" => false,
                "true" => true,
                _ => return None,
            }
        }
        [tok] if tok.kind == Kind::Str => {
            let v = tok.string_value(sql)?.to_lowercase();
            match v.as_str() {
                "false" | "f" | "off" | "no" | "0" => false,
                _ => return None,
            }
        }
        _ => return None,
    };
    if is_local {
        return None;
    }
    Some(t[i].start..end.unwrap_or(name.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(sql: &str) -> Vec<&str> {
        find(sql).into_iter().map(|r| &sql[r]).collect()
    }

    #[test]
    fn finds_session_changes() {
        assert_eq!(
            texts("SET search_path TO tenant_1"),
            vec!["SET search_path"]
        );
        assert_eq!(
            texts("set Session SEARCH_PATH = x, public"),
            vec!["set Session SEARCH_PATH"]
        );
        assert_eq!(
            texts("SELECT set_config('search_path', $1, false)"),
            vec!["set_config('search_path', $1, false)"]
        );
        assert_eq!(
            texts("BEGIN; SELECT 1;\n  SET search_path = a; COMMIT"),
            vec!["SET search_path"]
        );
    }

    #[test]
    fn ignores_local_and_function_settings() {
        assert!(texts("SET LOCAL search_path TO tenant_1").is_empty());
        assert!(texts("SELECT set_config('search_path', $1, true)").is_empty());
        assert!(texts("SELECT set_config('app.tenant', $1, false)").is_empty());
        assert!(texts("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public AS $$ SELECT 1 $$").is_empty());
        assert!(texts("SET statement_timeout = 5").is_empty());
        assert!(texts("SELECT 'SET search_path TO x'").is_empty());
        assert!(texts("set_config(").is_empty());
    }
}
