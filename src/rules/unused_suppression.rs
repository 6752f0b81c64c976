//! `unused-suppression`: a `tenant-lint: allow(..)` comment that silences
//! nothing, because the code it excused was fixed or moved. Judged after
//! the engine matched findings to suppressions, and only for comments
//! whose rules all ran.

use crate::config::Level;
use crate::diagnostic::{FileId, Finding};
use crate::rules::{known_ids, Context, Fact, Facts, RuleMeta};
use crate::suppress::Suppression;

/// Rule id.
pub const ID: &str = "unused-suppression";

/// Registry entry.
pub const META: RuleMeta = RuleMeta {
    id: ID,
    default: Level::Warn,
    summary: "a `tenant-lint: allow(..)` comment that silences nothing",
    doc: include_str!("../../rules/unused-suppression.md"),
    security: None,
    needs: &[Fact::SuppressionUse],
    reach: false,
};

/// Findings for the allows that silenced nothing.
pub fn check(cx: &Context<'_>) -> Vec<Finding> {
    let Facts::Suppressed(u) = &cx.facts else {
        return Vec::new();
    };
    let known = known_ids();
    let mut out = Vec::new();
    for (file, list) in u.suppressions {
        for (k, s) in list.iter().enumerate() {
            // A rule that did not run cannot have used it.
            let judged = !s.rules.is_empty()
                && s.rules
                    .iter()
                    .all(|r| known.contains(&r.as_str()) && cx.levels.of(r).is_some());
            if !s.malformed && !s.misplaced && judged && !u.used.contains(&(*file, k)) {
                out.push(unused(*file, s));
            }
        }
    }
    out
}

/// The finding for an allow that silenced nothing.
fn unused(file: FileId, s: &Suppression) -> Finding {
    let span = s.mark_span();
    let mut f = Finding::new(
        ID,
        file,
        span,
        format!("suppression of `{}` silences nothing", s.rules.join("`, `")),
    );
    f.primary_label = if s.whole_file {
        "nothing to allow in this file".to_string()
    } else {
        format!("nothing to allow on line {}", s.target)
    };
    f.help = Some("remove it; the code it excused was fixed or moved".into());
    f.identity = format!(
        "unused|{:?}|{}",
        s.rules,
        s.reason.clone().unwrap_or_default()
    );
    f
}
