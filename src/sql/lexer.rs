//! A small, tolerant SQL lexer: never fails, never panics, and reports byte
//! ranges. Used to split texts into statements, to find `search_path`
//! changes, and for the token-scan fallback when sqlparser gives up.

use std::ops::Range;

/// The kind of a lexed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Unquoted identifier or keyword.
    Word,
    /// `"quoted identifier"` (or `` `backticked` ``).
    QuotedIdent,
    /// String literal: `'..'`, `E'..'`, `B'..'`, `X'..'`, `N'..'`, `$tag$..$tag$`.
    Str,
    /// Numeric literal.
    Number,
    /// `$1`, `?`, `:name`.
    Placeholder,
    /// Operator characters (`=`, `<>`, `::`, `||`, ...).
    Op,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `.`
    Dot,
    /// Anything else (`[`, `]`, `{`, ...).
    Other,
}

/// One token: its kind and byte range in the lexed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Tok {
    /// The token's text.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// Whether this is the (case-insensitive) keyword `kw`.
    pub fn is_kw(&self, src: &str, kw: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// The identifier value: lowercase for words, unquoted for quoted identifiers.
    pub fn ident(&self, src: &str) -> Option<String> {
        match self.kind {
            Kind::Word => Some(self.text(src).to_lowercase()),
            Kind::QuotedIdent => {
                let t = self.text(src);
                let inner = t.get(1..t.len().saturating_sub(1)).unwrap_or("");
                Some(inner.replace("\"\"", "\"").to_lowercase())
            }
            _ => None,
        }
    }

    /// The content of a plain `'..'` string literal, if this is one.
    pub fn string_value(&self, src: &str) -> Option<String> {
        if self.kind != Kind::Str {
            return None;
        }
        let t = self.text(src);
        let t = t
            .strip_prefix(['e', 'E', 'n', 'N'])
            .filter(|r| r.starts_with('\''))
            .unwrap_or(t);
        let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
        Some(inner.replace("''", "'"))
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

const OP_CHARS: &[u8] = b"+-*/<>=~!@#%^&|`?:";

/// Lex `src` completely. Comments and whitespace are skipped.
pub(crate) fn lex(src: &str) -> Vec<Tok> {
    let b = src.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let c = b[i];
        let start = i;
        // whitespace
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // comments
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < n && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            // nested block comments, as in Postgres
            let mut depth = 0usize;
            while i < n {
                if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
                    depth = depth.saturating_sub(1);
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            continue;
        }
        // prefixed strings: E'..', B'..', X'..', N'..', U&'..'
        if matches!(c, b'e' | b'E' | b'b' | b'B' | b'x' | b'X' | b'n' | b'N')
            && b.get(i + 1) == Some(&b'\'')
        {
            let backslash = matches!(c, b'e' | b'E');
            i = skip_quoted(b, i + 1, b'\'', backslash);
            out.push(Tok {
                kind: Kind::Str,
                start,
                end: i,
            });
            continue;
        }
        if is_ident_start(c) {
            while i < n && is_ident_char(b[i]) {
                i += 1;
            }
            out.push(Tok {
                kind: Kind::Word,
                start,
                end: i,
            });
            continue;
        }
        match c {
            b'\'' => {
                i = skip_quoted(b, i, b'\'', false);
                out.push(Tok {
                    kind: Kind::Str,
                    start,
                    end: i,
                });
            }
            b'"' => {
                i = skip_quoted(b, i, b'"', false);
                out.push(Tok {
                    kind: Kind::QuotedIdent,
                    start,
                    end: i,
                });
            }
            b'`' => {
                i = skip_quoted(b, i, b'`', false);
                out.push(Tok {
                    kind: Kind::QuotedIdent,
                    start,
                    end: i,
                });
            }
            b'$' => {
                // $1 placeholder
                let mut j = i + 1;
                if j < n && b[j].is_ascii_digit() {
                    while j < n && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    out.push(Tok {
                        kind: Kind::Placeholder,
                        start,
                        end: j,
                    });
                    i = j;
                    continue;
                }
                // $tag$ dollar quote
                while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'_' || b[j] >= 0x80) {
                    j += 1;
                }
                if j < n && b[j] == b'$' {
                    let tag = &b[i..=j];
                    let mut k = j + 1;
                    let mut end = n;
                    while k + tag.len() <= n {
                        if &b[k..k + tag.len()] == tag {
                            end = k + tag.len();
                            break;
                        }
                        k += 1;
                    }
                    out.push(Tok {
                        kind: Kind::Str,
                        start,
                        end,
                    });
                    i = end;
                } else {
                    out.push(Tok {
                        kind: Kind::Other,
                        start,
                        end: i + 1,
                    });
                    i += 1;
                }
            }
            b'0'..=b'9' => {
                while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                if i < n && b[i] == b'.' && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                    while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                        i += 1;
                    }
                }
                out.push(Tok {
                    kind: Kind::Number,
                    start,
                    end: i,
                });
            }
            b'.' => {
                if b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                    while i < n && b[i].is_ascii_alphanumeric() {
                        i += 1;
                    }
                    out.push(Tok {
                        kind: Kind::Number,
                        start,
                        end: i,
                    });
                } else {
                    out.push(Tok {
                        kind: Kind::Dot,
                        start,
                        end: i + 1,
                    });
                    i += 1;
                }
            }
            b'(' => {
                out.push(Tok {
                    kind: Kind::LParen,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            b')' => {
                out.push(Tok {
                    kind: Kind::RParen,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            b',' => {
                out.push(Tok {
                    kind: Kind::Comma,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            b';' => {
                out.push(Tok {
                    kind: Kind::Semi,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            b':' if b.get(i + 1).is_some_and(|&d| is_ident_start(d))
                && !(i > 0 && b[i - 1] == b':') =>
            {
                i += 1;
                while i < n && is_ident_char(b[i]) {
                    i += 1;
                }
                out.push(Tok {
                    kind: Kind::Placeholder,
                    start,
                    end: i,
                });
            }
            b'?' if !b
                .get(i + 1)
                .is_some_and(|&d| matches!(d, b'|' | b'&' | b'-' | b'#')) =>
            {
                out.push(Tok {
                    kind: Kind::Placeholder,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            _ if OP_CHARS.contains(&c) => {
                while i < n && OP_CHARS.contains(&b[i]) {
                    // do not swallow the start of a comment
                    if (b[i] == b'-' && b.get(i + 1) == Some(&b'-'))
                        || (b[i] == b'/' && b.get(i + 1) == Some(&b'*'))
                    {
                        break;
                    }
                    i += 1;
                    // keep `= ?`, `=:name`-like pieces apart: `?` after `=` etc.
                    if i < n && (b[i] == b'?' || b[i] == b':') && b[i - 1] != b':' {
                        let next = b.get(i + 1).copied();
                        let placeholder_follows = if b[i] == b'?' {
                            !next.is_some_and(|d| matches!(d, b'|' | b'&' | b'-' | b'#'))
                        } else {
                            next.is_some_and(is_ident_start) && next != Some(b':')
                        };
                        if placeholder_follows && b[i - 1] == b'=' {
                            break;
                        }
                    }
                }
                if i == start {
                    i += 1;
                }
                out.push(Tok {
                    kind: Kind::Op,
                    start,
                    end: i,
                });
            }
            _ => {
                // unknown byte: advance by one whole character
                let mut j = i + 1;
                while j < n && !src.is_char_boundary(j) {
                    j += 1;
                }
                out.push(Tok {
                    kind: Kind::Other,
                    start,
                    end: j,
                });
                i = j;
            }
        }
    }
    out
}

/// Skip a quoted run starting at `open` (the opening quote). Doubled quotes
/// escape; with `backslash`, `\x` escapes too. Returns the end (exclusive).
fn skip_quoted(b: &[u8], open: usize, q: u8, backslash: bool) -> usize {
    let n = b.len();
    let mut i = open + 1;
    while i < n {
        if backslash && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    n
}

/// One statement of a text: its byte range (first token start to last token
/// end, without the `;`) and its tokens (ranges relative to the whole text).
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub range: Range<usize>,
    pub toks: Vec<Tok>,
}

/// Split `src` on top-level `;` (outside strings, dollar quotes and comments).
/// Empty statements are dropped.
pub(crate) fn split_statements(src: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut cur: Vec<Tok> = Vec::new();
    for t in lex(src) {
        if t.kind == Kind::Semi {
            if let (Some(f), Some(l)) = (cur.first(), cur.last()) {
                out.push(Piece {
                    range: f.start..l.end,
                    toks: std::mem::take(&mut cur),
                });
            }
            cur.clear();
        } else {
            cur.push(t);
        }
    }
    if let (Some(f), Some(l)) = (cur.first(), cur.last()) {
        out.push(Piece {
            range: f.start..l.end,
            toks: cur,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Kind, String)> {
        lex(s)
            .iter()
            .map(|t| (t.kind, t.text(s).to_string()))
            .collect()
    }

    #[test]
    fn lexes_basic_tokens() {
        let k = kinds("SELECT d.id, 'a''b' FROM \"Docs\" d WHERE x = $1 AND y=? AND z = :name::int -- c\n/* c */ ;");
        let texts: Vec<&str> = k.iter().map(|(_, t)| t.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "SELECT", "d", ".", "id", ",", "'a''b'", "FROM", "\"Docs\"", "d", "WHERE", "x",
                "=", "$1", "AND", "y", "=", "?", "AND", "z", "=", ":name", "::", "int", ";"
            ]
        );
        assert_eq!(k[12].0, Kind::Placeholder);
        assert_eq!(k[16].0, Kind::Placeholder);
        assert_eq!(k[20].0, Kind::Placeholder);
        assert_eq!(k[21].0, Kind::Op);
    }

    #[test]
    fn lexes_strings_and_dollar_quotes() {
        let s = "E'it\\'s' $$ a; b $$ $fn$ x $$ y $fn$ 'unterminated";
        let k = kinds(s);
        assert_eq!(k.len(), 4);
        assert!(k.iter().all(|(kind, _)| *kind == Kind::Str));
        assert_eq!(k[1].1, "$$ a; b $$");
        assert_eq!(k[2].1, "$fn$ x $$ y $fn$");
    }

    #[test]
    fn splits_statements() {
        let s =
            "CREATE TABLE a (x int); DO $$ BEGIN PERFORM 1; END $$;\n-- ; comment\nSELECT ';' ;;";
        let p = split_statements(s);
        let texts: Vec<&str> = p.iter().map(|p| &s[p.range.clone()]).collect();
        assert_eq!(
            texts,
            vec![
                "CREATE TABLE a (x int)",
                "DO $$ BEGIN PERFORM 1; END $$",
                "SELECT ';'"
            ]
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for s in [
            "", "'", "\"", "$", "$a", "/*", "é'ü", "--", "E'\\", "$1$", "::", ":", "?", "ß.ø",
        ] {
            let _ = lex(s);
            let _ = split_statements(s);
        }
    }
}
