//! SQL text recovered from Rust source, with a map from every byte of the
//! SQL back to the position in the file it came from. String literals
//! (plain with escapes, raw `r#".."#`), `concat!` pieces, `format!`
//! templates (interpolations become placeholders) and `QueryBuilder` pushes
//! all end up here, so a finding can point inside the literal, at the table
//! name, even in a multi-line raw string.

use crate::diagnostic::{Pos, Span};
use std::path::{Path, PathBuf};
use syn::punctuated::Punctuated;
use syn::{Expr, Token};

/// The words a SQL statement starts with (lower case), for
/// [`SqlText::looks_like_sql`] and the schema prefilter.
pub const SQL_START_WORDS: &[&str] = &[
    "select", "with", "insert", "update", "delete", "set", "create", "alter", "drop", "truncate",
    "merge", "values", "table", "explain", "copy", "reset",
];

/// SQL text and where each byte of it came from.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SqlText {
    /// The SQL.
    pub text: String,
    /// Source position of each byte of `text` (same length).
    pub map: Vec<Pos>,
    /// Set when the text was read from another file (`include_str!`,
    /// `query_file!`); positions then refer to that file.
    pub file: Option<PathBuf>,
}

impl SqlText {
    /// Appends literal text that has no source position of its own (a
    /// placeholder standing for an interpolation), mapped to `at`.
    pub fn push_synthetic(&mut self, s: &str, at: Pos) {
        self.text.push_str(s);
        self.map.extend(std::iter::repeat_n(at, s.len()));
    }

    /// Appends another piece.
    pub fn append(&mut self, other: &SqlText) {
        if self.text.is_empty() {
            self.file = other.file.clone();
        }
        self.text.push_str(&other.text);
        self.map.extend_from_slice(&other.map);
    }

    /// The source span of a byte range of the SQL.
    pub fn span(&self, range: std::ops::Range<usize>) -> Span {
        let start = self.map.get(range.start).copied().unwrap_or_default();
        let last = range.end.saturating_sub(1).max(range.start);
        let end = self
            .map
            .get(last)
            .map(|p| Pos {
                line: p.line,
                col: p.col + 1,
            })
            .unwrap_or(start);
        Span { start, end }
    }

    /// Whether the text starts like a SQL statement (so a string given to
    /// a method named `execute` is only taken for SQL when it is SQL).
    pub fn looks_like_sql(&self) -> bool {
        let t = self
            .text
            .trim_start_matches(|c: char| c.is_whitespace() || c == '(');
        let word: String = t
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect::<String>()
            .to_ascii_lowercase();
        SQL_START_WORDS.contains(&word.as_str()) || t.starts_with("--") || t.starts_with("/*")
    }
}

/// Reads a string literal as written in the source (`lit.token()`), with
/// the position of its first character, into SQL text. Byte strings and
/// C strings are not SQL.
pub fn from_literal(repr: &str, start: Pos) -> Option<SqlText> {
    let mut out = SqlText::default();
    let mut pos = start;
    let mut chars = repr.chars().peekable();
    let advance = |pos: &mut Pos, c: char| {
        if c == '\n' {
            pos.line += 1;
            pos.col = 0;
        } else {
            pos.col += 1;
        }
    };
    match chars.peek() {
        Some('r') => {
            // r#"..."#: everything between the quotes, verbatim.
            advance(&mut pos, 'r');
            chars.next();
            let mut hashes = 0;
            while chars.peek() == Some(&'#') {
                hashes += 1;
                advance(&mut pos, '#');
                chars.next();
            }
            if chars.next() != Some('"') {
                return None;
            }
            advance(&mut pos, '"');
            let body: Vec<char> = chars.collect();
            let content_len = body.len().checked_sub(1 + hashes)?;
            for &c in &body[..content_len] {
                let mut buf = [0u8; 4];
                let s = c.encode_utf8(&mut buf);
                out.push_synthetic(s, pos);
                advance(&mut pos, c);
            }
            Some(out)
        }
        Some('"') => {
            advance(&mut pos, '"');
            chars.next();
            let body: Vec<char> = chars.collect();
            let end = body.len().checked_sub(1)?;
            let mut i = 0;
            while i < end {
                let c = body[i];
                let at = pos;
                if c != '\\' {
                    let mut buf = [0u8; 4];
                    out.push_synthetic(c.encode_utf8(&mut buf), at);
                    advance(&mut pos, c);
                    i += 1;
                    continue;
                }
                // An escape: consume it, emit what it stands for.
                let next = body.get(i + 1).copied().unwrap_or('\\');
                advance(&mut pos, '\\');
                i += 2;
                let value: Option<char> = match next {
                    'n' => Some('\n'),
                    't' => Some('\t'),
                    'r' => Some('\r'),
                    '0' => Some('\0'),
                    '\\' | '"' | '\'' => Some(next),
                    'x' => {
                        let hex: String = body.iter().skip(i).take(2).collect();
                        i += 2;
                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                    }
                    'u' => {
                        let rest: String = body.iter().skip(i).take_while(|c| **c != '}').collect();
                        i += rest.chars().count() + 1;
                        u32::from_str_radix(rest.trim_start_matches('{'), 16)
                            .ok()
                            .and_then(char::from_u32)
                    }
                    '\n' => {
                        // Line continuation: skip the newline and leading whitespace.
                        advance(&mut pos, '\n');
                        while i < end && body[i].is_whitespace() {
                            advance(&mut pos, body[i]);
                            i += 1;
                        }
                        None
                    }
                    other => Some(other),
                };
                if next != '\n' {
                    // Columns of the rest of the escape, for positions after it.
                    advance(&mut pos, next);
                }
                if let Some(v) = value {
                    let mut buf = [0u8; 4];
                    out.push_synthetic(v.encode_utf8(&mut buf), at);
                }
            }
            Some(out)
        }
        _ => None,
    }
}

/// A `format!` template: `{..}` interpolations become `$n` placeholders,
/// `{{` / `}}` become braces.
pub fn format_template(mut t: SqlText) -> SqlText {
    let mut out = SqlText {
        file: t.file.take(),
        ..SqlText::default()
    };
    let bytes = t.text.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' if bytes.get(i + 1) == Some(&b'{') => {
                out.push_synthetic("{", t.map[i]);
                i += 2;
            }
            b'}' if bytes.get(i + 1) == Some(&b'}') => {
                out.push_synthetic("}", t.map[i]);
                i += 2;
            }
            b'{' => {
                n += 1;
                out.push_synthetic(&format!("${n}"), t.map[i]);
                while i < bytes.len() && bytes[i] != b'}' {
                    i += 1;
                }
                i += 1;
            }
            _ => {
                let ch_len = t.text[i..].chars().next().map_or(1, char::len_utf8);
                out.text.push_str(&t.text[i..i + ch_len]);
                out.map.extend_from_slice(&t.map[i..i + ch_len]);
                i += ch_len;
            }
        }
    }
    out
}

/// SQL read from a file: every byte maps to its line and column there.
pub fn from_file(text: String, file: PathBuf) -> SqlText {
    let mut map = Vec::with_capacity(text.len());
    let mut pos = Pos { line: 1, col: 0 };
    for c in text.chars() {
        map.extend(std::iter::repeat_n(pos, c.len_utf8()));
        if c == '\n' {
            pos.line += 1;
            pos.col = 0;
        } else {
            pos.col += 1;
        }
    }
    SqlText {
        text,
        map,
        file: Some(file),
    }
}

/// A string literal as SQL text (any string: fragments pushed to a
/// builder need not look like SQL on their own).
pub fn literal(lit: &syn::LitStr) -> Option<SqlText> {
    let start = lit.span().start();
    from_literal(
        &lit.token().to_string(),
        Pos {
            line: start.line as u32,
            col: start.column as u32,
        },
    )
}

/// The text of a `const` / `static` initialiser, when it is a string.
pub fn const_text(e: &Expr, dir: Option<&Path>) -> Option<SqlText> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => literal(s),
        Expr::Macro(m) => macro_text(&m.mac, dir),
        Expr::Reference(r) => const_text(&r.expr, dir),
        Expr::Paren(p) => const_text(&p.expr, dir),
        Expr::Group(g) => const_text(&g.expr, dir),
        _ => None,
    }
}

/// The comma-separated arguments of a macro, when they are expressions.
pub fn macro_args(m: &syn::Macro) -> Vec<Expr> {
    m.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .map(|p| p.into_iter().collect())
        .unwrap_or_default()
}

/// The first string literal among `args`.
pub fn first_lit(args: &[Expr]) -> Option<&syn::LitStr> {
    args.iter().find_map(|a| match a {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s),
        _ => None,
    })
}

/// `concat!`, `include_str!` and `format!`-like templates built only from
/// literals.
pub fn macro_text(m: &syn::Macro, dir: Option<&Path>) -> Option<SqlText> {
    let name = m
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    let args = macro_args(m);
    match name.as_str() {
        "concat" => {
            let mut out = SqlText::default();
            for a in &args {
                out.append(&const_text(a, dir)?);
            }
            Some(out)
        }
        "include_str" => {
            let rel = first_lit(&args)?.value();
            let path = dir?.join(rel);
            let text = crate::workspace::deps::read_dependency(&path).ok()?;
            Some(from_file(text, path))
        }
        "format" | "formatdoc" | "indoc" => {
            let t = literal(first_lit(&args)?)?;
            Some(if name == "indoc" {
                t
            } else {
                format_template(t)
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(src: &str) -> SqlText {
        from_literal(src, Pos { line: 10, col: 4 }).expect("a string literal")
    }

    #[test]
    fn raw_multiline_maps_each_byte() {
        let t = lit("r#\"\n    SELECT * FROM \"docs\"\n\"#");
        let at = t.text.find("docs").unwrap();
        assert_eq!(t.map[at], Pos { line: 11, col: 19 });
        assert_eq!(t.span(at..at + 4).end, Pos { line: 11, col: 23 });
    }

    #[test]
    fn escapes_and_continuations() {
        let t = lit("\"SELECT \\\"x\\\" \\\n     FROM d\\u{e9}cor\"");
        assert_eq!(t.text, "SELECT \"x\" FROM d\u{e9}cor");
        let at = t.text.find("FROM").unwrap();
        assert_eq!(t.map[at], Pos { line: 11, col: 5 });
        let e = t.text.find('\u{e9}').unwrap();
        assert_eq!(t.map[e], Pos { line: 11, col: 11 });
        assert_eq!(
            t.map[e + 1],
            Pos { line: 11, col: 11 },
            "both bytes of é map to the escape"
        );
    }

    #[test]
    fn format_placeholders() {
        let t = format_template(lit(
            "\"SELECT {cols} FROM docs WHERE id = {} AND x = '{{}}'\"",
        ));
        assert_eq!(t.text, "SELECT $1 FROM docs WHERE id = $2 AND x = '{}'");
        assert_eq!(t.map.len(), t.text.len());
        let at = t.text.find("docs").unwrap();
        assert_eq!(t.map[at].col, 4 + 1 + "SELECT {cols} FROM ".len() as u32);
    }

    #[test]
    fn sql_detection() {
        assert!(lit("\"  (select 1)\"").looks_like_sql());
        assert!(lit("\"WITH x AS (..) SELECT\"").looks_like_sql());
        assert!(!lit("\"user-created\"").looks_like_sql());
        assert!(from_literal("b\"SELECT\"", Pos::default()).is_none());
    }
}
