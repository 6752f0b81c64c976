//! Inline suppressions: `// tenant-lint: allow(RULE) reason` (or, in SQL,
//! `-- tenant-lint: allow(RULE) reason`) on the line above the code or at
//! the end of the line, and `// tenant-lint: allow-file(RULE) reason` at
//! the top of a file (before its first item: a module that is an admin
//! console) for the whole file. A suppression silences only
//! the rules it names; one without a reason, or naming an unknown rule, is
//! itself reported (`invalid-suppression`) so every exception stays
//! justified. This module reads the comments and matches findings to them;
//! the two rules about them are [`crate::rules::invalid_suppression`] and
//! [`crate::rules::unused_suppression`].

use crate::diagnostic::{Finding, Pos, Span};

/// One `allow` comment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Suppression {
    /// Line of the comment.
    pub line: u32,
    /// Column (characters) where `tenant-lint:` starts.
    pub col: u32,
    /// Line of code it applies to.
    pub target: u32,
    /// Rules named in `allow(..)`.
    pub rules: Vec<String>,
    /// The justification after `)`, if any.
    pub reason: Option<String>,
    /// Set when the comment could not be read.
    pub malformed: bool,
    /// `allow-file(..)`: the whole file.
    #[serde(default)]
    pub whole_file: bool,
    /// An `allow-file(..)` below the file's first item (or after code on
    /// its line): it silences nothing, and `invalid-suppression` says so.
    #[serde(default)]
    pub misplaced: bool,
}

const MARK: &str = "tenant-lint:";

/// Whether a line prefix ends inside a `"..."` string literal.
fn inside_string(prefix: &str) -> bool {
    let mut inside = false;
    let mut escaped = false;
    for c in prefix.chars() {
        match c {
            '\\' if inside => escaped = !escaped,
            '"' if !escaped => inside = !inside,
            _ => escaped = false,
        }
    }
    inside
}

fn is_comment_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') || t.starts_with("--")
}

/// Finds the suppression comments of a file.
pub fn parse(text: &str) -> Vec<Suppression> {
    if memchr::memmem::find(text.as_bytes(), MARK.as_bytes()).is_none() {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // `//` in Rust (not inside a string literal on that line), `--` in
        // SQL (a migration, or SQL inside a string).
        let rust = line.find("//").filter(|at| !inside_string(&line[..*at]));
        let Some(slash) = [rust, line.find("--")].into_iter().flatten().min() else {
            continue;
        };
        let comment = &line[slash + 2..];
        let Some(at) = comment.find(MARK) else {
            continue;
        };
        if !comment[..at].trim().is_empty()
            && !comment[..at].trim().chars().all(|c| c == '/' || c == '!')
        {
            continue;
        }
        let rest = comment[at + MARK.len()..].trim_start();
        let col = line[..slash + 2 + at].chars().count() as u32;
        let standalone = line[..slash].trim().is_empty();
        let target = if standalone {
            (i + 1..lines.len())
                .find(|j| !lines[*j].trim().is_empty() && !is_comment_only(lines[*j]))
                .map_or(i as u32 + 2, |j| j as u32 + 1)
        } else {
            i as u32 + 1
        };
        let whole_file = rest.starts_with("allow-file(");
        let mut s = Suppression {
            line: i as u32 + 1,
            col,
            target,
            rules: Vec::new(),
            reason: None,
            malformed: false,
            whole_file,
            // Only comments, blank lines and inner attributes before it.
            misplaced: whole_file
                && (!standalone
                    || lines[..i].iter().any(|l| {
                        let t = l.trim();
                        !t.is_empty() && !is_comment_only(t) && !t.starts_with("#![")
                    })),
        };
        let args = rest
            .strip_prefix("allow(")
            .or_else(|| rest.strip_prefix("allow-file("));
        match args.and_then(|r| r.split_once(')')) {
            Some((inner, reason)) => {
                s.rules = inner
                    .split(',')
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .collect();
                let reason = reason
                    .trim()
                    .trim_start_matches(['-', ':', '—', '–'])
                    .trim();
                if !reason.is_empty() {
                    s.reason = Some(reason.to_string());
                }
                s.malformed = s.rules.is_empty();
            }
            None => s.malformed = true,
        }
        out.push(s);
    }
    out
}

impl Suppression {
    /// The `tenant-lint:` mark of the comment, where problems are reported.
    pub fn mark_span(&self) -> Span {
        Span {
            start: Pos {
                line: self.line,
                col: self.col,
            },
            end: Pos {
                line: self.line,
                col: self.col + MARK.len() as u32,
            },
        }
    }

    /// Whether this comment silences `f` (a finding of its file).
    pub fn covers(&self, f: &Finding) -> bool {
        if !self.rules.iter().any(|r| r == f.rule) || self.misplaced {
            return false;
        }
        if self.whole_file {
            return true;
        }
        let line = f.span.start.line;
        let (lo, hi) = f.extent.unwrap_or((line, line));
        (lo.min(line)..=hi.max(line)).contains(&self.target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standalone_and_trailing() {
        let text = "fn f() {\n    // tenant-lint: allow(unscoped-query) admin view, audited\n    // more words\n    let x = q.all(db);\n    let y = q.one(db); // tenant-lint: allow(unscoped-query, parse-error)\n}\n";
        let s = parse(text);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].target), (2, 4));
        assert_eq!(s[0].reason.as_deref(), Some("admin view, audited"));
        assert_eq!((s[1].line, s[1].target), (5, 5));
        assert_eq!(s[1].rules, ["unscoped-query", "parse-error"]);
        assert_eq!(s[1].reason, None);
    }

    #[test]
    fn allow_syntax_inside_a_string_is_not_a_comment() {
        let text = "let hint = \"// tenant-lint: allow(unscoped-query) nope\";\nlet url = \"a\\\"b\"; // tenant-lint: allow(unscoped-query) ok\n";
        let s = parse(text);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].line, 2);
    }

    #[test]
    fn a_whole_file_allow_at_the_top() {
        let text = "//! Staff console.\n#![allow(dead_code)]\n\n// tenant-lint: allow-file(unscoped-query) staff only, behind AdminGuard\nuse x::y;\n\nfn f() {\n    q.all(db);\n}\n// tenant-lint: allow-file(unscoped-sql) too late\n";
        let s = parse(text);
        assert_eq!(s.len(), 2);
        assert!(s[0].whole_file && !s[0].misplaced && !s[0].malformed);
        assert_eq!(s[0].rules, ["unscoped-query"]);
        assert_eq!(
            s[0].reason.as_deref(),
            Some("staff only, behind AdminGuard")
        );
        let mut f = Finding::new("unscoped-query", 0, Span::line(8), "m");
        assert!(s[0].covers(&f));
        f.rule = "unscoped-sql";
        f.span = Span::line(11);
        // Below the first item, it silences nothing.
        assert!(s[1].whole_file && s[1].misplaced);
        assert!(!s[1].covers(&f));
        // A line allow covers its line only.
        let line = parse("// tenant-lint: allow(unscoped-sql) ok\nfn a() {}\nfn b() {}\n");
        assert!(!line[0].whole_file);
        f.span = Span::line(3);
        assert!(!line[0].covers(&f));
        // Trailing code: misplaced.
        let trailing = parse("use a; // tenant-lint: allow-file(unscoped-sql) ok\n");
        assert!(trailing[0].misplaced);
    }

    #[test]
    fn sql_comments() {
        let s = parse("-- tenant-lint: allow(unscoped-sql) nightly roll-up\nSELECT * FROM t;\n");
        assert_eq!(
            (s[0].target, s[0].reason.as_deref()),
            (2, Some("nightly roll-up"))
        );
    }
}
