//! `invalid-suppression`: a `tenant-lint:` comment that cannot do its job
//! — malformed, naming an unknown rule, or without a reason — so every
//! exception stays justified. The comments are read by [`crate::suppress`].

use crate::config::Level;
use crate::diagnostic::{FileId, Finding};
use crate::rules::{known_ids, Context, Fact, Facts, RuleMeta};
use crate::suppress::Suppression;

/// Rule id.
pub const ID: &str = "invalid-suppression";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "a `tenant-lint: allow(..)` comment without a reason or naming an unknown rule",
    doc: include_str!("../../rules/invalid-suppression.md"),
    security: None,
    needs: &[Fact::Suppressions],
    reach: false,
};

/// Findings for the malformed suppressions of one file.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::File(f) = &cx.facts else {
        return Vec::new();
    };
    if f.suppressions.is_empty() {
        return Vec::new();
    }
    problems(f.file, f.suppressions, &known_ids())
}

/// Findings for malformed suppressions of one file.
fn problems(file: FileId, supps: &[Suppression], known: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in supps {
        let span = s.mark_span();
        let mut push = |msg: String, help: &str| {
            let mut f = Finding::new(ID, file, span, msg);
            f.help = Some(help.to_string());
            f.identity = format!("{}|{:?}", s.target, s.rules);
            out.push(f);
        };
        if s.malformed {
            push(
                "malformed suppression comment".into(),
                "write `// tenant-lint: allow(rule-id) reason`, or `allow-file(rule-id) reason` at the top of a file",
            );
            continue;
        }
        if s.misplaced {
            push(
                "`allow-file` below the file's first item silences nothing".into(),
                "move it to the top of the file, above the first `use` or item, on a line of its own; or allow the line with `allow(rule-id) reason`",
            );
        }
        for r in &s.rules {
            if !known.contains(&r.as_str()) {
                push(
                    format!("suppression names unknown rule `{r}`"),
                    "`tenant-lint rules` lists the rule ids",
                );
            }
        }
        if s.reason.is_none() {
            push(
                format!("suppression of `{}` has no reason", s.rules.join("`, `")),
                "say why this is safe after the parenthesis: `allow(rule) admin-only billing export`",
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suppress::parse;

    #[test]
    fn a_missing_reason() {
        let text = "fn f() {\n    // tenant-lint: allow(unscoped-query) admin view, audited\n    // more words\n    let x = q.all(db);\n    let y = q.one(db); // tenant-lint: allow(unscoped-query, parse-error)\n}\n";
        let s = parse(text);
        let p = problems(0, &s, &["unscoped-query", "parse-error"]);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("no reason"));
    }

    #[test]
    fn unknown_rule_and_malformed() {
        let s = parse(
            "// tenant-lint: allow(unscoped-qury) typo\n// tenant-lint: alow(x)\nfn f() {}\n",
        );
        let p = problems(0, &s, &["unscoped-query"]);
        let msgs: Vec<&str> = p.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "suppression names unknown rule `unscoped-qury`",
                "malformed suppression comment"
            ]
        );
    }
}
